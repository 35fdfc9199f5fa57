"""torch.optim.RMSprop."""
from __future__ import annotations

import optax

from .._ops.creation import zeros_like
from .._tensor import Tensor
from . import _transforms as T
from .adam import fix_step, step_tensor
from .optimizer import Optimizer, _use_grad_for_differentiable

__all__ = ["RMSprop"]


def _rmsprop_update(p, g, s, h, flags):
    maximize, weight_decay, momentum, centered = flags
    if maximize:
        g = -g
    blocks = []
    if weight_decay:
        blocks.append((optax.add_decayed_weights(h["weight_decay"]), optax.EmptyState()))
    # PyTorch divides by sqrt(v) + eps: Optax's eps_in_sqrt=False
    if centered:
        blocks.append((optax.scale_by_stddev(h["alpha"], h["eps"], eps_in_sqrt=False),
                       optax.ScaleByRStdDevState(mu=s["grad_avg"], nu=s["square_avg"])))
    else:
        blocks.append((optax.scale_by_rms(h["alpha"], h["eps"], eps_in_sqrt=False),
                       optax.ScaleByRmsState(nu=s["square_avg"])))
    i = len(blocks) - 1
    if momentum:
        blocks.append((optax.trace(h["momentum"]), optax.TraceState(s["momentum_buffer"])))
    blocks.append((optax.scale_by_learning_rate(h["lr"]), optax.EmptyState()))
    new_p, states = T.run_chain(p, g, blocks)
    out = {"step": s["step"] + 1, "square_avg": states[i].nu}
    if momentum:
        out["momentum_buffer"] = states[i + 1].trace
    if centered:
        out["grad_avg"] = states[i].mu
    return new_p, out


class RMSprop(Optimizer):
    r"""RMSprop: ``v = alpha * v + (1 - alpha) * g^2``, ``p -= lr * g / (sqrt(v) + eps)``
    (``centered`` subtracts the squared mean gradient; ``momentum`` accumulates the step).

    Args:
        params (iterable): parameters, named parameters or parameter groups to optimize
        lr (float, Tensor, optional): learning rate (default: 1e-2)
        alpha (float, optional): smoothing constant (default: 0.99)
        eps (float, optional): term added to the denominator (default: 1e-8)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        momentum (float, optional): momentum factor (default: 0)
        centered (bool, optional): normalize by the estimated variance of the gradient
        maximize (bool, optional): maximize the objective instead of minimizing it
        capturable, foreach, differentiable: accepted for compatibility
    """

    _update = staticmethod(_rmsprop_update)

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
        fix_step(self)

    def _init_state(self, p, state, group):
        state["step"] = step_tensor()
        state["square_avg"] = zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = zeros_like(p)

    def _hyper(self, group):
        return (("lr", group["lr"]), ("alpha", group["alpha"]), ("eps", group["eps"]),
                ("weight_decay", group["weight_decay"]), ("momentum", group["momentum"]))

    def _flags(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0, group["momentum"] > 0,
                bool(group["centered"]))

    def _state_keys(self, group, state):
        keys = ("step", "square_avg")
        if group["momentum"] > 0:
            keys += ("momentum_buffer",)
        if group["centered"]:
            keys += ("grad_avg",)
        return keys, keys

    def _check_grad(self, p, group):
        if p.grad.is_sparse:
            raise RuntimeError("RMSprop does not support sparse gradients")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the model and returns
        the loss)."""
        return self._fused_step(closure)
