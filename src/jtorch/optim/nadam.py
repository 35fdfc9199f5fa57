"""torch.optim.NAdam: Adam with Nesterov momentum (Dozat), PyTorch's momentum schedule."""
from __future__ import annotations

import optax

from .._ops.creation import zeros_like
from .._tensor import Tensor
from . import _transforms as T
from .adam import _check_betas_lr, fix_step, step_tensor
from .optimizer import Optimizer, _use_grad_for_differentiable

__all__ = ["NAdam"]


def _nadam_update(p, g, s, h, flags):
    maximize, weight_decay, decoupled = flags
    if maximize:
        g = -g
    blocks = []
    if weight_decay and not decoupled:
        blocks.append((optax.add_decayed_weights(h["weight_decay"]), optax.EmptyState()))
    blocks.append((T.scale_by_nadam(h["beta1"], h["beta2"], h["eps"], h["momentum_decay"]),
                   T.ScaleByNadamState(T.count(s), s["mu_product"], s["exp_avg"],
                                       s["exp_avg_sq"])))
    i = len(blocks) - 1
    blocks.append((optax.scale_by_learning_rate(h["lr"]), optax.EmptyState()))
    if weight_decay and decoupled:
        blocks.append((T.decoupled_weight_decay(h["lr"], h["weight_decay"]), optax.EmptyState()))
    new_p, states = T.run_chain(p, g, blocks)
    st = states[i]
    return new_p, {"step": st.count, "mu_product": st.mu_product, "exp_avg": st.mu,
                   "exp_avg_sq": st.nu}


class NAdam(Optimizer):
    r"""NAdam (Dozat), with PyTorch's momentum schedule
    ``mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))``.

    Args:
        params (iterable): parameters, named parameters or parameter groups to optimize
        lr (float, Tensor, optional): learning rate (default: 2e-3)
        betas (tuple[float, float], optional): coefficients of the running averages
            (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator (default: 1e-8)
        weight_decay (float, optional): weight decay (default: 0)
        momentum_decay (float, optional): momentum decay psi (default: 4e-3)
        decoupled_weight_decay (bool, optional): decoupled (AdamW-style) weight decay
        maximize (bool, optional): maximize the objective instead of minimizing it
        foreach, capturable, differentiable: accepted for compatibility
    """

    _update = staticmethod(_nadam_update)
    _capturable_what = "params, mu_products and state_steps"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check_betas_lr(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
        fix_step(self, ("step", "mu_product"))

    def _init_state(self, p, state, group):
        state["step"] = step_tensor()
        state["mu_product"] = step_tensor(1.0)
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _hyper(self, group):
        beta1, beta2 = group["betas"]
        return (("lr", group["lr"]), ("beta1", beta1), ("beta2", beta2), ("eps", group["eps"]),
                ("weight_decay", group["weight_decay"]),
                ("momentum_decay", group["momentum_decay"]))

    def _flags(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0,
                bool(group["decoupled_weight_decay"]))

    def _state_keys(self, group, state):
        keys = ("step", "mu_product", "exp_avg", "exp_avg_sq")
        return keys, keys

    def _check_grad(self, p, group):
        if p.grad.is_sparse:
            raise RuntimeError("NAdam does not support sparse gradients")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the model and returns
        the loss)."""
        return self._fused_step(closure)
