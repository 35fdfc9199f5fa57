"""torch.optim.SGD: stochastic gradient descent (optionally with momentum)."""
from __future__ import annotations

import optax

from .._tensor import Tensor
from . import _transforms as T
from .optimizer import Optimizer, _use_grad_for_differentiable

__all__ = ["SGD"]


def _sgd_update(p, g, s, h, flags):
    maximize, weight_decay, momentum, nesterov = flags
    if maximize:
        g = -g
    blocks = []
    if weight_decay:
        blocks.append((optax.add_decayed_weights(h["weight_decay"]), optax.EmptyState()))
    if momentum:
        blocks.append((T.torch_trace(h["momentum"], h["dampening"], nesterov),
                       T.TorchTraceState(s.get("momentum_buffer"))))
    blocks.append((optax.scale_by_learning_rate(h["lr"]), optax.EmptyState()))
    new_p, states = T.run_chain(p, g, blocks)
    if momentum:
        return new_p, {"momentum_buffer": states[-2].trace}
    return new_p, {}


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum, PyTorch's formulation:
    ``buf = momentum * buf + (1 - dampening) * g``, ``p -= lr * buf``).

    Args:
        params (iterable): parameters, named parameters or parameter groups to optimize
        lr (float, Tensor, optional): learning rate (default: 1e-3)
        momentum (float, optional): momentum factor (default: 0)
        dampening (float, optional): dampening for momentum (default: 0)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        nesterov (bool, optional): enables Nesterov momentum (default: False)
        maximize (bool, optional): maximize the objective instead of minimizing it
        foreach, differentiable, fused: accepted for compatibility (jtorch always runs one
            fused program for the whole step)
    """

    _update = staticmethod(_sgd_update)

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def _param_state(self, p, group):
        # PyTorch only touches the state of a parameter when there is a momentum buffer
        return self.state[p] if group["momentum"] != 0 else {}

    def _hyper(self, group):
        return (("lr", group["lr"]), ("weight_decay", group["weight_decay"]),
                ("momentum", group["momentum"]), ("dampening", group["dampening"]))

    def _flags(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0, group["momentum"] != 0,
                bool(group["nesterov"]))

    def _state_keys(self, group, state):
        if group["momentum"] == 0:
            return (), ()
        if state.get("momentum_buffer") is None:
            return (), ("momentum_buffer",)
        return ("momentum_buffer",), ("momentum_buffer",)

    def _check_grad(self, p, group):
        pass

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the model and returns
        the loss)."""
        return self._fused_step(closure)
