"""torch.optim.RAdam: rectified Adam."""
from __future__ import annotations

import optax

from .._ops.creation import zeros_like
from .._tensor import Tensor
from . import _transforms as T
from .adam import _check_betas_lr, fix_step, step_tensor
from .optimizer import Optimizer, _use_grad_for_differentiable

__all__ = ["RAdam"]


def _radam_update(p, g, s, h, flags):
    maximize, weight_decay, decoupled = flags
    if maximize:
        g = -g
    blocks = []
    if weight_decay and not decoupled:
        blocks.append((optax.add_decayed_weights(h["weight_decay"]), optax.EmptyState()))
    blocks.append((T.scale_by_torch_radam(h["beta1"], h["beta2"], h["eps"]),
                   optax.ScaleByAdamState(T.count(s), s["exp_avg"], s["exp_avg_sq"])))
    i = len(blocks) - 1
    blocks.append((optax.scale_by_learning_rate(h["lr"]), optax.EmptyState()))
    if weight_decay and decoupled:
        blocks.append((T.decoupled_weight_decay(h["lr"], h["weight_decay"]), optax.EmptyState()))
    new_p, states = T.run_chain(p, g, blocks)
    st = states[i]
    return new_p, {"step": st.count, "exp_avg": st.mu, "exp_avg_sq": st.nu}


class RAdam(Optimizer):
    r"""RAdam (Liu et al.): Adam whose adaptive term is used only once the variance of the
    adaptive learning rate is tractable (``rho_t > 5``), rectified.

    Args:
        params (iterable): parameters, named parameters or parameter groups to optimize
        lr (float, Tensor, optional): learning rate (default: 1e-3)
        betas (tuple[float, float], optional): coefficients of the running averages
            (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator (default: 1e-8)
        weight_decay (float, optional): weight decay (default: 0)
        decoupled_weight_decay (bool, optional): decoupled (AdamW-style) weight decay
        maximize (bool, optional): maximize the objective instead of minimizing it
        foreach, capturable, differentiable: accepted for compatibility
    """

    _update = staticmethod(_radam_update)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check_betas_lr(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("capturable", False)
        fix_step(self)

    def _init_state(self, p, state, group):
        state["step"] = step_tensor()
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _hyper(self, group):
        beta1, beta2 = group["betas"]
        return (("lr", group["lr"]), ("beta1", beta1), ("beta2", beta2), ("eps", group["eps"]),
                ("weight_decay", group["weight_decay"]))

    def _flags(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0,
                bool(group["decoupled_weight_decay"]))

    def _state_keys(self, group, state):
        keys = ("step", "exp_avg", "exp_avg_sq")
        return keys, keys

    def _check_grad(self, p, group):
        if p.grad.is_sparse:
            raise RuntimeError("RAdam does not support sparse gradients")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the model and returns
        the loss)."""
        return self._fused_step(closure)
