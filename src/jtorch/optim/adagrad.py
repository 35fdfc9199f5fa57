"""torch.optim.Adagrad."""
from __future__ import annotations

import optax

from .. import _dtype as D
from .._ops.creation import full_like, tensor
from .._tensor import Tensor
from . import _transforms as T
from .adam import fix_step, step_tensor
from .optimizer import Optimizer, _use_grad_for_differentiable

__all__ = ["Adagrad"]


def _adagrad_update(p, g, s, h, flags):
    maximize, weight_decay = flags
    if maximize:
        g = -g
    blocks = []
    if weight_decay:
        blocks.append((optax.add_decayed_weights(h["weight_decay"]), optax.EmptyState()))
    blocks.append((T.scale_by_torch_adagrad(h["lr"], h["lr_decay"], h["eps"]),
                   T.ScaleByTorchAdagradState(T.count(s), s["sum"])))
    new_p, states = T.run_chain(p, g, blocks)
    return new_p, {"step": states[-1].count, "sum": states[-1].sum}


class Adagrad(Optimizer):
    r"""Adagrad: ``sum += g^2``, ``p -= clr * g / (sqrt(sum) + eps)`` with
    ``clr = lr / (1 + (t - 1) * lr_decay)``.

    Args:
        params (iterable): parameters, named parameters or parameter groups to optimize
        lr (float, Tensor, optional): learning rate (default: 1e-2)
        lr_decay (float, optional): learning rate decay (default: 0)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        initial_accumulator_value (float, optional): initial value of ``sum`` (default: 0)
        eps (float, optional): term added to the denominator (default: 1e-10)
        maximize (bool, optional): maximize the objective instead of minimizing it
        foreach, differentiable, fused: accepted for compatibility

    Differences from PyTorch: sparse gradients do not exist in jtorch.
    """

    _update = staticmethod(_adagrad_update)

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        # PyTorch creates Adagrad's state for every parameter up front
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p], group, initial_accumulator_value)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
        fix_step(self)

    def _init_state(self, p, state, group, init=None):
        state["step"] = tensor(0.0, dtype=D.float32) if group["fused"] else step_tensor()
        if init is None:
            init = self.defaults["initial_accumulator_value"]
        state["sum"] = full_like(p, complex(init, init) if p.is_complex() else init)

    def _hyper(self, group):
        return (("lr", group["lr"]), ("lr_decay", group["lr_decay"]), ("eps", group["eps"]),
                ("weight_decay", group["weight_decay"]))

    def _flags(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0)

    def _state_keys(self, group, state):
        keys = ("step", "sum")
        return keys, keys

    def share_memory(self):
        """Calls ``share_memory_()`` on the state sum tensors (a no-op in jtorch: one process
        owns its arrays)."""

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the model and returns
        the loss)."""
        return self._fused_step(closure)
