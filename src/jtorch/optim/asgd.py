"""torch.optim.ASGD: averaged stochastic gradient descent."""
from __future__ import annotations

from .._ops.creation import tensor, zeros_like
from .._tensor import Tensor
from . import _transforms as T
from .adam import fix_step, step_tensor
from .optimizer import (Optimizer, _get_scalar_dtype, _to_scalar,
                        _use_grad_for_differentiable)

__all__ = ["ASGD"]


def _asgd_update(p, g, s, h, flags):
    maximize, weight_decay = flags
    if maximize:
        g = -g
    if weight_decay:
        g = g + h["weight_decay"] * p
    new_p, states = T.run_chain(p, g, [(
        T.torch_asgd(h["lr"], h["lambd"], h["alpha"], h["t0"]),
        T.TorchAsgdState(T.count(s), s["eta"], s["mu"], s["ax"]))])
    st = states[0]
    return new_p, {"step": st.count, "eta": st.eta, "mu": st.mu, "ax": st.ax}


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky): ``p <- p (1 - lambd * eta) - eta * g``; ``ax``
    averages the iterates once ``t > t0``.

    Args:
        params (iterable): parameters, named parameters or parameter groups to optimize
        lr (float, Tensor, optional): learning rate (default: 1e-2)
        lambd (float, optional): decay term (default: 1e-4)
        alpha (float, optional): power for eta update (default: 0.75)
        t0 (float, optional): point at which to start averaging (default: 1e6)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        maximize (bool, optional): maximize the objective instead of minimizing it
        foreach, differentiable, capturable: accepted for compatibility
    """

    _update = staticmethod(_asgd_update)
    _capturable_what = "params, mus, etas, and state_steps"

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
        fix_step(self, ("step", "eta", "mu"))

    def _init_state(self, p, state, group):
        state["step"] = step_tensor()
        lr = _to_scalar(group["lr"])
        state["eta"] = (lr.to(_get_scalar_dtype()).clone() if isinstance(lr, Tensor)
                        else tensor(lr, dtype=_get_scalar_dtype()))
        state["mu"] = step_tensor(1.0)
        state["ax"] = zeros_like(p)

    def _hyper(self, group):
        return (("lr", group["lr"]), ("lambd", group["lambd"]), ("alpha", group["alpha"]),
                ("t0", group["t0"]), ("weight_decay", group["weight_decay"]))

    def _flags(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0)

    def _state_keys(self, group, state):
        keys = ("step", "eta", "mu", "ax")
        return keys, keys

    def _check_grad(self, p, group):
        if p.grad.is_sparse:
            raise RuntimeError("ASGD does not support sparse gradients")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the model and returns
        the loss)."""
        return self._fused_step(closure)
