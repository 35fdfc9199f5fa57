"""torch.optim.Adamax: Adam with the infinity norm."""
from __future__ import annotations

import optax

from .._ops.creation import zeros_like
from .._tensor import Tensor
from . import _transforms as T
from .adam import _check_betas_lr, fix_step, step_tensor
from .optimizer import Optimizer, _use_grad_for_differentiable

__all__ = ["Adamax"]


def _adamax_update(p, g, s, h, flags):
    maximize, weight_decay = flags
    if maximize:
        g = -g
    blocks = []
    if weight_decay:
        blocks.append((optax.add_decayed_weights(h["weight_decay"]), optax.EmptyState()))
    blocks.append((optax.scale_by_adamax(h["beta1"], h["beta2"], h["eps"]),
                   optax.ScaleByAdamState(T.count(s), s["exp_avg"], s["exp_inf"])))
    i = len(blocks) - 1
    blocks.append((optax.scale_by_learning_rate(h["lr"]), optax.EmptyState()))
    new_p, states = T.run_chain(p, g, blocks)
    st = states[i]
    return new_p, {"step": st.count, "exp_avg": st.mu, "exp_inf": st.nu}


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba): ``exp_inf = max(beta2 * exp_inf, |g| + eps)``,
    ``p -= lr / (1 - beta1^t) * exp_avg / exp_inf``.

    Args:
        params (iterable): parameters, named parameters or parameter groups to optimize
        lr (float, Tensor, optional): learning rate (default: 2e-3)
        betas (tuple[float, float], optional): coefficients of the running averages
            (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator (default: 1e-8)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        maximize (bool, optional): maximize the objective instead of minimizing it
        foreach, differentiable, capturable: accepted for compatibility
    """

    _update = staticmethod(_adamax_update)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check_betas_lr(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
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
        state["exp_avg"] = zeros_like(p)
        state["exp_inf"] = zeros_like(p)

    def _hyper(self, group):
        beta1, beta2 = group["betas"]
        return (("lr", group["lr"]), ("beta1", beta1), ("beta2", beta2), ("eps", group["eps"]),
                ("weight_decay", group["weight_decay"]))

    def _flags(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0)

    def _state_keys(self, group, state):
        keys = ("step", "exp_avg", "exp_inf")
        return keys, keys

    def _check_grad(self, p, group):
        if p.grad.is_sparse:
            raise RuntimeError("Adamax does not support sparse gradients")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the model and returns
        the loss)."""
        return self._fused_step(closure)
