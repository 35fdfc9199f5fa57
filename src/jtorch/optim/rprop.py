"""torch.optim.Rprop: resilient backpropagation."""
from __future__ import annotations

from .._ops.creation import full_like, zeros_like
from .._tensor import Tensor
from . import _transforms as T
from .adam import fix_step, step_tensor
from .optimizer import Optimizer, _to_scalar, _use_grad_for_differentiable

__all__ = ["Rprop"]


def _rprop_update(p, g, s, h, flags):
    (maximize,) = flags
    if maximize:
        g = -g
    new_p, states = T.run_chain(p, g, [(
        T.scale_by_torch_rprop(h["etaminus"], h["etaplus"], h["step_size_min"],
                               h["step_size_max"]),
        T.ScaleByTorchRpropState(T.count(s), s["prev"], s["step_size"]))])
    st = states[0]
    return new_p, {"step": st.count, "prev": st.prev, "step_size": st.step_size}


class Rprop(Optimizer):
    r"""Rprop: per-element step sizes multiplied by ``etaplus``/``etaminus`` as the sign of the
    gradient stays/changes, clamped to ``step_sizes``; ``p -= sign(g) * step_size``.

    Args:
        params (iterable): parameters, named parameters or parameter groups to optimize
        lr (float, Tensor, optional): initial step size (default: 1e-2)
        etas (tuple[float, float], optional): (etaminus, etaplus) (default: (0.5, 1.2))
        step_sizes (tuple[float, float], optional): minimal and maximal step sizes
            (default: (1e-6, 50))
        maximize (bool, optional): maximize the objective instead of minimizing it
        capturable, foreach, differentiable: accepted for compatibility
    """

    _update = staticmethod(_rprop_update)

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
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
        state["prev"] = zeros_like(p)
        lr = _to_scalar(group["lr"])
        if isinstance(lr, Tensor):
            lr = lr.item()
        state["step_size"] = full_like(p.grad, complex(lr, lr) if p.is_complex() else lr)

    def _hyper(self, group):
        etaminus, etaplus = group["etas"]
        smin, smax = group["step_sizes"]
        return (("etaminus", etaminus), ("etaplus", etaplus), ("step_size_min", smin),
                ("step_size_max", smax))

    def _flags(self, group):
        return (bool(group["maximize"]),)

    def _state_keys(self, group, state):
        keys = ("step", "prev", "step_size")
        return keys, keys

    def _check_grad(self, p, group):
        if p.grad.is_sparse:
            raise RuntimeError("Rprop does not support sparse gradients")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the model and returns
        the loss)."""
        return self._fused_step(closure)
