"""Order statistics: median, nanmedian, mode, quantile, nanquantile.

``median`` is the lower median.  With ``dim``, PyTorch's CPU kernel picks the median's index
as if the slice were sorted stably (ties by position), and a NaN slice reports its first NaN;
``mode`` gives the smallest of the most frequent values and the last index holding it.  The
values are gathered at those indices, so gradients go to the selected elements; the median of
all elements splits its gradient evenly among the elements equal to it.
"""
from __future__ import annotations

import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .._dispatch import dispatch, dispatch_nograd
from .._engine import core as engine
from .._tensor import Tensor
from ..return_types import median as _median_t, mode as _mode_t, nanmedian as _nanmedian_t
from ._registry import register
from ._util import wrap_dim
from .reduction_minmax import check_nonempty, evenly_distributed, not_implemented, select_along

__all__ = ["median", "nanmedian", "mode", "quantile", "nanquantile"]


# --------------------------------------------------------------------------------------------
# median / nanmedian


def _lower_median_all(ignore_nan):
    def select(x):
        flat = x.reshape(-1)
        n = flat.shape[0]
        if n == 0:
            return jnp.full((), jnp.nan, x.dtype) if jnp.issubdtype(x.dtype, jnp.inexact) \
                else jnp.zeros((), x.dtype)
        s = jnp.sort(flat)  # NaN last
        nan = jnp.isnan(flat)
        if ignore_nan:
            # (count - 1) / 2 in C++: truncation makes an all-NaN slice pick position 0
            k = jnp.maximum(n - jnp.sum(nan) - 1, 0) // 2
            return s[k]
        if not jnp.issubdtype(x.dtype, jnp.inexact):
            return s[(n - 1) // 2]
        return jnp.where(jnp.any(nan), jnp.full((), jnp.nan, s.dtype), s[(n - 1) // 2])
    return evenly_distributed(select)


_MEDIAN_ALL_FN = _lower_median_all(False)
_NANMEDIAN_ALL_FN = _lower_median_all(True)


def _median_all_prepare(sigs, static):
    dt = sigs[0][1]
    if dt is D.bool_ or dt.is_complex:
        raise not_implemented("median_cpu", dt)
    return static


_MEDIAN_ALL = engine.Op("median", lambda x: _MEDIAN_ALL_FN(x), prepare=_median_all_prepare,
                        grad="MedianBackward0", saves=(0, "out"))
_NANMEDIAN_ALL = engine.Op("nanmedian", lambda x: _NANMEDIAN_ALL_FN(x),
                           prepare=_median_all_prepare, grad="NanmedianBackward0",
                           saves=(0, "out"))


def _median_dim_impl(x, dim, keepdim, ignore_nan):
    if x.ndim == 0:
        return x, jnp.zeros((), jnp.int64)
    n = x.shape[dim]
    order = jnp.argsort(x, axis=dim, stable=True)  # NaN last, ties by position
    nan = jnp.isnan(x)
    if ignore_nan:
        k = jnp.maximum(n - jnp.sum(nan, axis=dim, keepdims=True) - 1, 0) // 2
        idx = jnp.take_along_axis(order, k, axis=dim)
    else:
        idx = jnp.take(order, jnp.array([(n - 1) // 2]), axis=dim)
        first_nan = jnp.argmax(nan, axis=dim, keepdims=True)
        idx = jnp.where(jnp.any(nan, axis=dim, keepdims=True), first_nan, idx)
    return select_along(x, idx.astype(jnp.int64), dim, keepdim)


def _median_dim_prepare(sigs, static):
    shape, dt = sigs[0]
    dim, keepdim, ignore_nan = static
    if dt is D.bool_ or dt.is_complex:
        raise not_implemented("median_out", dt)
    check_nonempty("median", shape, (dim,), False)
    return static


_MEDIAN_DIM = engine.Op("median", _median_dim_impl, prepare=_median_dim_prepare,
                        grad="MedianBackward1", saves=())
_NANMEDIAN_DIM = engine.Op("nanmedian", _median_dim_impl, prepare=_median_dim_prepare,
                           grad="NanmedianBackward1", saves=())

_NO_DIM = object()


def _int_dim(name, dim, ndim):
    if dim is None or isinstance(dim, (tuple, list)) or not hasattr(dim, "__index__"):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    return wrap_dim(dim, ndim)


@register(out=True)
def median(input, dim=_NO_DIM, keepdim=False):
    """The lower median of all elements (NaN if any is NaN); with ``dim``, ``(values,
    indices)`` of each slice's lower median."""
    if dim is _NO_DIM:
        return dispatch(_MEDIAN_ALL, (input,))
    d = _int_dim("median", dim, input.ndim)
    return _median_t(dispatch(_MEDIAN_DIM, (input,), (d, bool(keepdim), False)))


@register(out=True)
def nanmedian(input, dim=_NO_DIM, keepdim=False):
    """``median`` ignoring NaN (NaN only where every element is NaN)."""
    if dim is _NO_DIM:
        return dispatch(_NANMEDIAN_ALL, (input,))
    d = _int_dim("nanmedian", dim, input.ndim)
    return _nanmedian_t(dispatch(_NANMEDIAN_DIM, (input,), (d, bool(keepdim), True)))


# --------------------------------------------------------------------------------------------
# mode


def _mode_impl(x, dim, keepdim):
    if x.ndim == 0:
        return x, jnp.zeros((), jnp.int64)
    xm = jnp.moveaxis(x, dim, -1)
    n = xm.shape[-1]
    order = jnp.argsort(xm, axis=-1, stable=True)
    s = jnp.take_along_axis(xm, order, axis=-1)
    pos = jnp.arange(n)
    # runs of equal values in the sorted slice (NaN != NaN: each NaN is its own run)
    differ = s[..., 1:] != s[..., :-1]
    edge = jnp.ones(s.shape[:-1] + (1,), bool)
    starts = jnp.concatenate([edge, differ], axis=-1)
    ends = jnp.concatenate([differ, edge], axis=-1)
    start = lax.cummax(jnp.where(starts, pos, 0), axis=s.ndim - 1)
    count = jnp.where(ends, pos - start + 1, 0)
    # the first run (smallest value) of the highest count; its last element has the largest
    # original index among the equal values
    best = jnp.argmax(count, axis=-1, keepdims=True)
    idx = jnp.moveaxis(jnp.take_along_axis(order, best, axis=-1), -1, dim)
    return select_along(x, idx.astype(jnp.int64), dim, keepdim)


def _mode_prepare(sigs, static):
    shape, dt = sigs[0]
    dim, keepdim = static
    if dt.is_complex:
        raise not_implemented("mode_cpu", dt)
    check_nonempty("mode", shape, (dim,), False)
    return static


_MODE = engine.Op("mode", _mode_impl, prepare=_mode_prepare, grad="ModeBackward0", saves=())


@register(out=True)
def mode(input, dim=-1, keepdim=False):
    """``(values, indices)``: the most frequent value of each slice along ``dim`` (the
    smallest on ties) and the last index where it occurs."""
    d = _int_dim("mode", dim, input.ndim)
    return _mode_t(dispatch(_MODE, (input,), (d, bool(keepdim))))


# --------------------------------------------------------------------------------------------
# quantile / nanquantile

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _lerp(a, b, w):
    # PyTorch's lerp: exact at both ends
    return jnp.where(w < 0.5, a + w * (b - a), b - (b - a) * (1 - w))


def _quantile_impl(x, q, dim, keepdim, q_scalar, interpolation, ignore_nan):
    dt = x.dtype
    q = jnp.asarray(q, dt)
    ndim = x.ndim
    if dim is None:
        s = jnp.sort(x.reshape(-1))
        out_shape = (1,) * ndim if keepdim else ()
    else:
        s = jnp.sort(jnp.moveaxis(x, dim, -1), axis=-1) if ndim else x.reshape(1)
        out_shape = tuple(1 if i == dim and keepdim else n for i, n in enumerate(x.shape)
                          if i != dim or keepdim)
    s = s.reshape(out_shape + (s.shape[-1],)) if ndim else s.reshape(out_shape + (1,))
    qs = q.reshape(-1)
    n = s.shape[-1]
    nan = jnp.isnan(s)
    if ignore_nan:
        ranks = qs * (jnp.sum(~nan, axis=-1, keepdims=True) - 1).astype(dt)
        ranks = jnp.where(ranks < 0, jnp.zeros((), dt), ranks)
    else:
        last = jnp.asarray(n - 1, dt)
        ranks = jnp.where(jnp.any(nan, axis=-1, keepdims=True), last, qs * last)
    if interpolation == "lower":
        ranks = jnp.floor(ranks)
    elif interpolation == "higher":
        ranks = jnp.ceil(ranks)
    elif interpolation == "nearest":
        ranks = jnp.round(ranks)
    below = ranks.astype(jnp.int64)
    s = jnp.broadcast_to(s, ranks.shape[:-1] + (n,))
    values = jnp.take_along_axis(s, below, axis=-1)
    if interpolation in ("linear", "midpoint"):
        w = jnp.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - below.astype(dt)
        above = jnp.ceil(ranks).astype(jnp.int64)
        values = _lerp(values, jnp.take_along_axis(s, above, axis=-1), w)
    if q_scalar:
        return values[..., 0]
    return jnp.moveaxis(values, -1, 0)


# PyTorch's quantile ends with squeeze_(-1): its node is the squeeze's
_QUANTILE = engine.Op("quantile", _quantile_impl,
                      grad="SqueezeBackward4", nondiff=(1,), saves=())


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    if isinstance(q, Tensor):
        q_scalar = q.ndim == 0
    else:
        if isinstance(q, (tuple, list)):
            raise TypeError("quantile() received an invalid combination of arguments - got "
                            f"({type(q).__name__}), but expected one of: (Tensor q, ...), "
                            "(float q, ...)")
        q = float(q)
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
        q_scalar = True
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if dim is not None:
        if isinstance(dim, (tuple, list)) or not hasattr(dim, "__index__"):
            raise TypeError("quantile() received an invalid combination of arguments - got "
                            f"(dim={type(dim).__name__}), but expected (int dim = None)")
        dim = wrap_dim(dim, input.ndim)
    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if isinstance(q, Tensor) and q.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if input.dtype not in (D.float32, D.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q.dtype is not input.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        # PyTorch checks the values on CPU (a sync point)
        if q.numel() and not bool(dispatch_nograd(_Q_IN_RANGE, (q,))):
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
    return dispatch(_QUANTILE, (input, q),
                    (dim, bool(keepdim), q_scalar, interpolation, ignore_nan))


_Q_IN_RANGE = engine.Op("quantile_q_check", lambda q: jnp.all((q >= 0) & (q <= 1)))


@register(out=True)
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The ``q``-th quantiles (a float or a 0-d/1-d tensor in [0, 1]) of ``input`` over
    ``dim`` (the flattened input by default); a tensor ``q`` puts its dim first.  NaN where a
    slice holds NaN."""
    return _quantile(input, q, dim, keepdim, interpolation, False)


@register(out=True)
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """``quantile`` ignoring NaN (NaN only where every element is NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, True)
