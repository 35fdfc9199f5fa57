"""Statistics and integration built from other ops (as PyTorch composes them): cov, corrcoef,
trapezoid/trapz, cumulative_trapezoid, renorm, unravel_index."""
from __future__ import annotations

import itertools
import numbers
import operator
import warnings

from .. import _dtype as D
from .._tensor import Tensor
from ._argparse import arg_error
from ._registry import register
from ._util import wrap_dim

__all__ = ["cov", "corrcoef", "trapezoid", "trapz", "cumulative_trapezoid", "renorm",
           "unravel_index"]


def _short(dt):
    return D._short(dt)


def _check_weights(name, w, n, integral):
    if w.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {w.ndim} dimensions")
    if integral and not w._dtype.is_integral:
        raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {name} with "
                           f"{_short(w._dtype)} dtype")
    if not integral and not w._dtype.is_floating_point:
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got {name} "
                           f"with {_short(w._dtype)} dtype")
    if w.numel() != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {w.numel()} != {n}")
    if n and bool(w.min() < 0):
        raise RuntimeError(f"cov(): {name} cannot be negative")


@register()
def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance matrix of the variables in the rows of ``input`` (observations in columns),
    with frequency weights ``fweights`` and observation weights ``aweights``."""
    if input.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    if input._dtype is D.bool_:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.view(1, -1) if input.ndim < 2 else input
    n = x._shape[1]
    w = None
    if fweights is not None:
        _check_weights("fweights", fweights, n, True)
        w = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, n, False)
        w = aweights if w is None else w * aweights
    if w is not None:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
    else:
        from .creation import scalar_tensor
        w_sum = scalar_tensor(n, dtype=D.int64)
        avg = x.sum(1) / w_sum
    if w is not None and aweights is not None and correction != 0:
        norm = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        norm = w_sum - correction
    if bool(norm <= 0):
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm = norm * 0
    xc = x - avg.unsqueeze(1)
    c = xc.mm((xc * w if w is not None else xc).t().conj())
    return (c / norm).squeeze()


@register()
def corrcoef(input):
    """Pearson correlation coefficients of the variables in the rows of ``input``."""
    if input.ndim > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.ndim} dimensions")
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal()
    std = (d.real if d.is_complex() else d).sqrt()
    c = c / std.view(-1, 1)
    c = c / std.view(1, -1)
    if c.is_complex():
        from .creation import complex_tensor as _complex
        return _complex(c.real.clip(-1, 1), c.imag.clip(-1, 1))
    return c.clip(-1, 1)


def _zeros_without(y, dim):
    from .creation import zeros
    shape = list(y.shape)
    del shape[dim]
    return zeros(shape, dtype=y.dtype, device=y.device)


def _trapezoid_x(y, x, dim, cumulative):
    if y._dtype is D.bool_ or x._dtype is D.bool_:
        raise RuntimeError("trapezoid: received a bool input for `x` or `y`, but bool is not "
                           "supported")
    if x.ndim == 1:
        if x._shape[0] != y._shape[dim]:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        shape = [1] * y.ndim
        shape[dim] = x._shape[0]
        xv = x.view(shape)
    elif x.ndim < y.ndim:
        xv = x.view((1,) * (y.ndim - x.ndim) + tuple(x.shape))
    else:
        xv = x
    n = xv._shape[dim]
    dx = xv.narrow(dim, 1, n - 1) - xv.narrow(dim, 0, n - 1)
    m = y._shape[dim]
    pair = y.narrow(dim, 0, m - 1) + y.narrow(dim, 1, m - 1)
    if cumulative:
        return (dx * pair).cumsum(dim) / 2.0
    return (dx * pair).sum(dim) / 2.0


@register(method=False)
def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integrate ``y`` along ``dim`` with the trapezoid rule, at points ``x`` or spacing ``dx``."""
    if not isinstance(y, Tensor):
        raise arg_error("trapezoid", ("Tensor y, Tensor x, *, int dim = -1",
                                      "Tensor y, *, Number dx = 1, int dim = -1"), (y,))
    dim = wrap_dim(dim, y.ndim)
    if y._shape[dim] == 0:
        return _zeros_without(y, dim)
    if isinstance(x, Tensor):
        if dx is not None:
            raise TypeError("trapezoid() received an invalid combination of arguments - got "
                            "(Tensor, Tensor, dx=..., dim=int)")
        return _trapezoid_x(y, x, dim, False)
    spacing = 1 if dx is None else dx
    if x is not None:  # trapz(y, dx) positionally
        spacing = x
    if y._dtype is D.bool_:
        raise RuntimeError("trapezoid: received a bool input for `y`, but bool is not supported")
    return (y.sum(dim) - (y.select(dim, 0) + y.select(dim, -1)) * 0.5) * spacing


@register(method=False)
def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias of :func:`trapezoid`."""
    return trapezoid(y, x, dx=dx, dim=dim)


@register(method=False)
def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running trapezoid-rule integral of ``y`` along ``dim``."""
    dim = wrap_dim(dim, y.ndim)
    if isinstance(x, Tensor):
        return _trapezoid_x(y, x, dim, True)
    if y._dtype is D.bool_:
        raise RuntimeError("cumulative_trapezoid: received a bool input for `y`, but bool is "
                           "not supported")
    spacing = 1 if dx is None else dx
    if x is not None:
        spacing = x
    m = y._shape[dim]
    if m == 0:
        return y.narrow(dim, 0, 0) * 1.0
    return (spacing / 2.0 * (y.narrow(dim, 0, m - 1) + y.narrow(dim, 1, m - 1))).cumsum(dim)


@register(inplace=True)
def renorm(input, p, dim, maxnorm):
    """Rescale each slice of ``input`` along ``dim`` whose ``p``-norm exceeds ``maxnorm`` to
    norm ``maxnorm``."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} "
                           "dimensions")
    dim = wrap_dim(dim, input.ndim)
    others = tuple(d for d in range(input.ndim) if d != dim)
    from .. import linalg
    norm = linalg.vector_norm(input, p, others, keepdim=True)
    # PyTorch's kernel: maxnorm / (norm + 1e-7) where norm > maxnorm, computed without
    # autograd through the comparison
    factor = (maxnorm / (norm + 1e-7)).where(norm > maxnorm, norm.new_ones(()))
    return input * factor


@register(method=False)
def unravel_index(indices, shape):
    """The coordinates, in an array of ``shape``, of the flat ``indices`` (a tuple of
    tensors)."""
    if indices.is_complex() or indices.is_floating_point() or indices._dtype is D.bool_:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (int(shape),)
    elif isinstance(shape, (tuple, list)):
        for d in shape:
            if not isinstance(d, numbers.Integral) or isinstance(d, bool):
                raise TypeError(f"expected 'shape' sequence to only contain ints, but got "
                                f"{type(d)}")
        shape = tuple(int(d) for d in shape)
    else:
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    if any(d < 0 for d in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {tuple(shape)}")
    from .creation import tensor
    coefs = list(reversed(list(itertools.accumulate(reversed(shape[1:] + (1,)),
                                                     func=operator.mul))))
    c = tensor(coefs, dtype=D.int64, device=indices.device)
    s = tensor(list(shape), dtype=D.int64, device=indices.device)
    r = indices.unsqueeze(-1).floor_divide(c) % s
    return tuple(r.unbind(-1))
