"""torch.optim.Adadelta."""
from __future__ import annotations

import optax

from .._ops.creation import zeros_like
from .._tensor import Tensor
from . import _transforms as T
from .adam import fix_step, step_tensor
from .optimizer import Optimizer, _use_grad_for_differentiable

__all__ = ["Adadelta"]


def _adadelta_update(p, g, s, h, flags):
    maximize, weight_decay = flags
    if maximize:
        g = -g
    blocks = []
    if weight_decay:
        blocks.append((optax.add_decayed_weights(h["weight_decay"]), optax.EmptyState()))
    blocks.append((optax.scale_by_adadelta(h["rho"], h["eps"]),
                   optax.ScaleByAdaDeltaState(e_g=s["square_avg"], e_x=s["acc_delta"])))
    i = len(blocks) - 1
    blocks.append((optax.scale_by_learning_rate(h["lr"]), optax.EmptyState()))
    new_p, states = T.run_chain(p, g, blocks)
    return new_p, {"step": s["step"] + 1, "square_avg": states[i].e_g,
                   "acc_delta": states[i].e_x}


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler): ``delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g``,
    ``p -= lr * delta``.

    Args:
        params (iterable): parameters, named parameters or parameter groups to optimize
        lr (float, Tensor, optional): coefficient that scales delta (default: 1.0)
        rho (float, optional): coefficient of the running averages (default: 0.9)
        eps (float, optional): term added inside the square roots (default: 1e-6)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        maximize (bool, optional): maximize the objective instead of minimizing it
        foreach, capturable, differentiable: accepted for compatibility
    """

    _update = staticmethod(_adadelta_update)
    _capturable_xla = False

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
        fix_step(self)

    def _init_state(self, p, state, group):
        state["step"] = step_tensor()
        state["square_avg"] = zeros_like(p)
        state["acc_delta"] = zeros_like(p)

    def _hyper(self, group):
        return (("lr", group["lr"]), ("rho", group["rho"]), ("eps", group["eps"]),
                ("weight_decay", group["weight_decay"]))

    def _flags(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0)

    def _state_keys(self, group, state):
        keys = ("step", "square_avg", "acc_delta")
        return keys, keys

    def _check_grad(self, p, group):
        if p.grad.is_sparse:
            raise RuntimeError("Adadelta does not support sparse gradients")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the model and returns
        the loss)."""
        return self._fused_step(closure)
