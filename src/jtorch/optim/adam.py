"""torch.optim.Adam (and the update rule AdamW shares)."""
from __future__ import annotations

import optax

from .. import _dtype as D
from .._ops.creation import tensor, zeros_like
from .._tensor import Tensor
from . import _transforms as T
from .optimizer import Optimizer, _get_scalar_dtype, _to_scalar, _use_grad_for_differentiable

__all__ = ["Adam"]


def _adam_update(p, g, s, h, flags):
    maximize, weight_decay, decoupled, amsgrad = flags
    if maximize:
        g = -g
    blocks = []
    if weight_decay and not decoupled:  # Adam's weight_decay: L2 added to the gradient
        blocks.append((optax.add_decayed_weights(h["weight_decay"]), optax.EmptyState()))
    n = T.count(s)
    if amsgrad:
        scale = (T.scale_by_torch_amsgrad(h["beta1"], h["beta2"], h["eps"]),
                 optax.ScaleByAmsgradState(n, s["exp_avg"], s["exp_avg_sq"],
                                           s["max_exp_avg_sq"]))
    else:
        scale = (optax.scale_by_adam(h["beta1"], h["beta2"], h["eps"]),
                 optax.ScaleByAdamState(n, s["exp_avg"], s["exp_avg_sq"]))
    blocks.append(scale)
    i = len(blocks) - 1
    blocks.append((optax.scale_by_learning_rate(h["lr"]), optax.EmptyState()))
    if weight_decay and decoupled:  # AdamW: p *= 1 - lr * wd, outside the moments
        blocks.append((T.decoupled_weight_decay(h["lr"], h["weight_decay"]), optax.EmptyState()))
    new_p, states = T.run_chain(p, g, blocks)
    st = states[i]
    out = {"step": st.count, "exp_avg": st.mu, "exp_avg_sq": st.nu}
    if amsgrad:
        out["max_exp_avg_sq"] = st.nu_max
    return new_p, out


def _check_betas_lr(lr, eps, betas, weight_decay):
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def step_tensor(value=0.0):
    """A fresh ``state['step']``: a 0-d tensor of PyTorch's scalar dtype."""
    return tensor(float(value), dtype=_get_scalar_dtype())


def fix_step(optimizer, keys=("step",)):
    """``__setstate__`` helper: state counters saved as Python numbers become tensors."""
    for group in optimizer.param_groups:
        for p in group["params"]:
            p_state = optimizer.state.get(p, [])
            if len(p_state) != 0:
                for k in keys:
                    if k in p_state and not isinstance(p_state[k], Tensor):
                        p_state[k] = step_tensor(float(p_state[k]))


class Adam(Optimizer):
    r"""Adam (Kingma & Ba), with PyTorch's options: ``weight_decay`` is an L2 penalty added to
    the gradient (or decoupled, as AdamW, with ``decoupled_weight_decay=True``), ``amsgrad`` keeps
    the maximum of the raw second moment.

    Args:
        params (iterable): parameters, named parameters or parameter groups to optimize
        lr (float, Tensor, optional): learning rate (default: 1e-3)
        betas (tuple[float, float], optional): coefficients of the running averages of the
            gradient and its square (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator (default: 1e-8)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        amsgrad (bool, optional): use the AMSGrad variant (default: False)
        maximize (bool, optional): maximize the objective instead of minimizing it
        decoupled_weight_decay (bool, optional): AdamW's decoupled weight decay
        foreach, capturable, differentiable, fused: accepted for compatibility (jtorch always
            runs one fused program for the whole step)
    """

    _update = staticmethod(_adam_update)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and "
                                 "foreach=True")
            if lr.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
        _check_betas_lr(lr, eps, betas, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            if isinstance(betas[i], Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for "
                                     "capturable=False and foreach=True")
                if betas[i].numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(map(_to_scalar, betas))
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)
        fix_step(self)

    def _init_state(self, p, state, group):
        state["step"] = (tensor(0.0, dtype=D.float32) if group["capturable"] or group["fused"]
                         else step_tensor())
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_like(p)

    def _hyper(self, group):
        beta1, beta2 = group["betas"]
        return (("lr", group["lr"]), ("beta1", beta1), ("beta2", beta2), ("eps", group["eps"]),
                ("weight_decay", group["weight_decay"]))

    def _flags(self, group):
        return (bool(group["maximize"]), group["weight_decay"] != 0,
                bool(group["decoupled_weight_decay"]), bool(group["amsgrad"]))

    def _state_keys(self, group, state):
        keys = ("step", "exp_avg", "exp_avg_sq")
        if group["amsgrad"]:
            keys += ("max_exp_avg_sq",)
        return keys, keys

    _sparse_message = "Adam does not support sparse gradients, please consider SparseAdam instead"

    def _check_grad(self, p, group):
        if p.grad.is_sparse:
            raise RuntimeError(self._sparse_message)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the model and returns
        the loss)."""
        return self._fused_step(closure)
