"""torch.autograd.gradcheck: analytical vs finite-difference Jacobians."""
from __future__ import annotations

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    pass


def _numerical_jacobian(fn, inputs, k, eps):
    """d outputs / d inputs[k] by central differences (float64 numpy)."""
    from .._ops.creation import tensor
    x = inputs[k]
    base = np.array(x.detach().numpy(), dtype=np.float64)
    cols = []
    for i in range(base.size):
        outs = []
        for sign in (1, -1):
            pert = base.copy().reshape(-1)
            pert[i] += sign * eps
            args = list(inputs)
            args[k] = tensor(pert.reshape(base.shape), dtype=x.dtype).requires_grad_(
                x.requires_grad)
            out = fn(*args)
            out = out if isinstance(out, tuple) else (out,)
            outs.append(np.concatenate([np.asarray(o.detach().numpy(), np.float64).reshape(-1)
                                        for o in out]))
        cols.append((outs[0] - outs[1]) / (2 * eps))
    return np.stack(cols, axis=1) if cols else np.zeros((0, 0))


def _analytical_jacobian(fn, inputs, k):
    from .._ops.creation import zeros_like
    from .._ops.view import select
    from ._backward import grad
    out = fn(*inputs)
    outs = out if isinstance(out, tuple) else (out,)
    rows = []
    for o in outs:
        flat = o.reshape(-1)
        for j in range(flat.numel()):
            if not o.requires_grad:
                rows.append(np.zeros(inputs[k].numel()))
                continue
            g, = grad(select(flat, 0, j), (inputs[k],), retain_graph=True, allow_unused=True)
            g = zeros_like(inputs[k]) if g is None else g
            rows.append(np.asarray(g.detach().numpy(), np.float64).reshape(-1))
    return np.stack(rows) if rows else np.zeros((0, inputs[k].numel()))


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False, check_forward_ad=False,
              check_backward_ad=True, fast_mode=False, masked=None):
    """Check gradients of ``func`` at ``inputs`` (double precision recommended)."""
    from .._tensor import Tensor
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    for k, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        num = _numerical_jacobian(func, inputs, k, eps)
        ana = _analytical_jacobian(func, inputs, k)
        if not np.allclose(ana, num.reshape(ana.shape), rtol=rtol, atol=atol):
            msg = (f"Jacobian mismatch for output 0 with respect to input {k},\n"
                   f"numerical:{num}\nanalytical:{ana}\n")
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, **kwargs):
    """Check second derivatives: gradcheck of the (create_graph) gradient of ``func``."""
    from ._backward import grad
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    diff = [x for x in inputs if getattr(x, "requires_grad", False)]

    def first(*args):
        out = func(*args)
        outs = out if isinstance(out, tuple) else (out,)
        total = sum((o.sum() for o in outs if o.requires_grad), start=0)
        d = [a for a in args if getattr(a, "requires_grad", False)]
        return grad(total, d, create_graph=True, allow_unused=True)

    return gradcheck(first, inputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception) if diff else True
