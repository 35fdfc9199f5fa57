"""Searching and counting: unique, unique_consecutive, bincount, histc, histogram,
searchsorted, bucketize, isin.

``unique``, ``unique_consecutive``, ``bincount`` and the data-derived ranges of ``histc`` /
``histogram`` have output shapes (or bin edges) that depend on the values: they are sync
points that read a few numbers back (the number of groups, the largest value, the data's
range) and then dispatch static-shape ops.
"""
from __future__ import annotations

import math
import numbers

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch, dispatch_nograd
from .._engine import core as engine
from .._tensor import Tensor
from ..return_types import histogram as _histogram_t
from ._registry import register
from ._util import wrap_dim
from .reduction_minmax import not_implemented

__all__ = ["unique", "unique_consecutive", "bincount", "histc", "histogram", "searchsorted",
           "bucketize", "isin"]


def _not_differentiable(name):
    """Identity whose derivative raises PyTorch's error for ops without one."""

    @jax.custom_vjp
    def f(x):
        return x

    def fwd(x):
        return x, None

    def bwd(_, g):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented.")

    f.defvjp(fwd, bwd)
    return f


# --------------------------------------------------------------------------------------------
# unique / unique_consecutive


def _group_starts(rows, consecutive):
    """Sort ``rows`` (2-d: one row per element or slice) unless ``consecutive``; returns the
    permutation and where each new group starts (NaN never equals NaN)."""
    m = rows.shape[0]
    if consecutive:
        perm = jnp.arange(m)
    elif rows.shape[1] == 1:
        perm = jnp.argsort(rows[:, 0], stable=True)
    else:
        perm = jnp.lexsort(tuple(rows[:, j] for j in range(rows.shape[1] - 1, -1, -1)))
    s = rows[perm]
    differ = jnp.any(s[1:] != s[:-1], axis=1)
    return perm, s, jnp.concatenate([jnp.ones((min(m, 1),), bool), differ])


def _as_rows(x, dim):
    if dim is None:
        return x.reshape(x.size, 1)
    xm = jnp.moveaxis(x, dim, 0)
    return xm.reshape(xm.shape[0], int(np.prod(xm.shape[1:])))


def _unique_count_impl(x, dim, consecutive):
    _, _, starts = _group_starts(_as_rows(x, dim), consecutive)
    return jnp.sum(starts).astype(jnp.int64)


_UNIQUE_COUNT = engine.Op("unique_count", _unique_count_impl)


def _unique_impl(x, dim, consecutive, size, name):
    rows = _as_rows(x, dim)
    perm, s, starts = _group_starts(rows, consecutive)
    gid = jnp.cumsum(starts) - 1
    vals = jnp.zeros((size,) + s.shape[1:], s.dtype).at[gid].set(s)
    counts = jnp.zeros((size,), jnp.int64).at[gid].add(1)
    inverse = jnp.zeros((rows.shape[0],), jnp.int64).at[perm].set(gid.astype(jnp.int64))
    if dim is None:
        vals = vals.reshape(size)
        inverse = inverse.reshape(x.shape)
    else:
        xm = jnp.moveaxis(x, dim, 0)
        vals = jnp.moveaxis(vals.reshape((size,) + xm.shape[1:]), 0, dim)
    return _not_differentiable(name)(vals), inverse, counts


def _unique_prepare(sigs, static):
    dt = sigs[0][1]
    if dt.is_complex:
        raise not_implemented("unique", dt)
    return static


_UNIQUE = engine.Op("unique", _unique_impl, prepare=_unique_prepare, grad="Unique2Backward0",
                    saves=())
_UNIQUE_DIM = engine.Op("unique_dim", _unique_impl, prepare=_unique_prepare,
                        grad="UniqueDimBackward0", saves=())
_UNIQUE_CONSECUTIVE = engine.Op("unique_consecutive", _unique_impl, prepare=_unique_prepare,
                                grad="UniqueConsecutiveBackward0", saves=())


def _unique(input, return_inverse, return_counts, dim, consecutive):
    if input.dtype.is_complex:
        raise not_implemented("unique", input.dtype)
    if dim is not None:
        if input.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        dim = wrap_dim(dim, input.ndim)
        if input.numel() == 0 and input.shape[dim] != 0:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so "
                               "unique cannot be applied")
    if input.numel() == 0:
        size = 0
    else:
        # a sync point: the number of groups is the output's size
        size = int(dispatch_nograd(_UNIQUE_COUNT, (input,), (dim, consecutive)).item())
    if consecutive:
        op, name = _UNIQUE_CONSECUTIVE, "unique_consecutive"
    elif dim is None:
        op, name = _UNIQUE, "_unique2"
    else:
        op, name = _UNIQUE_DIM, "unique_dim"
    vals, inverse, counts = dispatch(op, (input,), (dim, consecutive, size, name))
    if dim is None and input.ndim == 0:
        inverse = inverse.reshape(())
    if not return_inverse and not return_counts:
        return vals
    out = (vals,)
    if return_inverse:
        out += (inverse,)
    if return_counts:
        out += (counts,)
    return out


@register()
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along ``dim``) of ``input``, sorted; optionally the
    index of each element's group (``return_inverse``) and the group sizes
    (``return_counts``).  NaNs are all distinct.  A sync point."""
    return _unique(input, return_inverse, return_counts, dim, False)


@register()
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """``input`` with runs of equal consecutive elements (or slices along ``dim``) collapsed
    to one.  A sync point."""
    return _unique(input, return_inverse, return_counts, dim, True)


# --------------------------------------------------------------------------------------------
# bincount


_MINMAX = engine.Op("minmax", lambda x: jnp.stack([jnp.min(x), jnp.max(x)]).astype(jnp.int64))


def _bincount_impl(*a):
    *xs, length, rt = a
    x = xs[0]
    w = jnp.ones(x.shape, rt) if len(xs) == 1 else xs[1].astype(rt)
    return jnp.zeros((length,), rt).at[x].add(w)


_BINCOUNT = engine.Op("bincount", _bincount_impl)


@register()
def bincount(input, weights=None, minlength=0):
    """How often each non-negative integer occurs in the 1-d ``input`` (summing ``weights``
    instead of counting, if given); at least ``minlength`` bins.  A sync point."""
    dt = input.dtype
    if dt.is_floating_point or dt.is_complex or dt is D.bool_:
        raise not_implemented("bincount_cpu", dt)
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if input.ndim != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (weights.ndim != 1 or weights.shape[0] != input.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    if input.numel() == 0:
        return dispatch_nograd(_BINCOUNT, (input,), (int(minlength), np.dtype(np.int64)))
    lo, hi = dispatch_nograd(_MINMAX, (input,)).tolist()  # a sync point
    if lo < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    length = max(hi + 1, int(minlength))
    if weights is None:
        return dispatch_nograd(_BINCOUNT, (input,), (length, np.dtype(np.int64)))
    wt = weights.dtype
    rt = wt if wt in (D.float32, D.float64) else D.float64
    return dispatch_nograd(_BINCOUNT, (input, weights), (length, rt.np))


# --------------------------------------------------------------------------------------------
# histc / histogram


def _linspace(lo, hi, steps, dt):
    """``torch.linspace(lo, hi, steps)`` in ``dt`` as PyTorch's CPU kernel computes it: from
    the start for the first half, from the end for the second."""
    lo = jnp.asarray(lo, dt)
    hi = jnp.asarray(hi, dt)
    if steps == 1:
        return lo.reshape(1)
    step = (hi - lo) / jnp.asarray(steps - 1, dt)
    i = jnp.arange(steps)
    half = steps // 2
    return jnp.where(i < half, lo + step * i.astype(dt), hi - step * (steps - i - 1).astype(dt))


def _upper_bound(edges, v, lo, hi):
    """First position in ``edges[lo:hi]`` holding a value > ``v`` (``hi`` if none), per
    element: std::upper_bound."""
    n = edges.shape[0]
    for _ in range(max(n, 1).bit_length() + 1):
        active = lo < hi
        mid = lo + ((hi - lo) >> 1)
        right = ~(edges[jnp.clip(mid, 0, n - 1)] > v)
        lo = jnp.where(active & right, mid + 1, lo)
        hi = jnp.where(active & ~right, mid, hi)
    return lo


def _histogram_impl(*a):
    """PyTorch's histogramdd kernel for one dim: elements outside [edges[0], edges[-1]] (and
    NaN) are skipped; the last bin includes its right edge."""
    *arrays, algorithm, density = a
    x = arrays[0].reshape(-1)
    edges = arrays[1]
    w = arrays[2].reshape(-1) if len(arrays) > 2 else jnp.ones(x.shape, x.dtype)
    ne = edges.shape[0]
    left, right = edges[0], edges[-1]
    keep = (x >= left) & (x <= right)
    if algorithm == "binary":
        pos = _upper_bound(edges, x, jnp.zeros(x.shape, jnp.int64),
                           jnp.full(x.shape, ne, jnp.int64)) - 1
    else:
        pos = ((x - left) * jnp.asarray(ne - 1, x.dtype) / (right - left))
        pos = jnp.where(keep, pos, 0).astype(jnp.int64)
        if algorithm == "local":
            pos = _upper_bound(edges, x, jnp.maximum(pos - 1, 0), jnp.minimum(pos + 2, ne)) - 1
    pos = jnp.where(pos == ne - 1, pos - 1, pos)
    pos = jnp.where(keep, pos, ne - 1)  # skipped elements go to a dropped extra bin
    hist = jnp.zeros((ne,), x.dtype).at[pos].add(w.astype(x.dtype))[:ne - 1]
    if density:
        hist = hist / jnp.sum(hist) / (edges[1:] - edges[:-1])
    return hist


_HISTOGRAM = engine.Op("histogram", _histogram_impl)
_EDGES = engine.Op("histogram_edges", lambda lo, hi, steps, dt: _linspace(lo, hi, steps, dt))
_AMINMAX_F = engine.Op("aminmax_all", lambda x: jnp.stack([jnp.min(x), jnp.max(x)]))


def _c_name(dt):
    """The C++ name PyTorch's messages print for a dtype."""
    return {D.float32: "float", D.float64: "double", D.float16: "c10::Half",
            D.bfloat16: "c10::BFloat16", D.int64: "long int", D.int32: "int",
            D.int16: "short int", D.int8: "signed char", D.uint8: "unsigned char",
            D.bool_: "bool"}.get(dt, dt._name)


def _fmt(v):
    if math.isnan(v):
        return "-nan"
    return f"{v:g}"


def _data_range(input):
    """(min, max) of the data as Python floats: a sync point."""
    lo, hi = dispatch_nograd(_AMINMAX_F, (input,)).tolist()
    return float(lo), float(hi)


def _check_float(input, kernel):
    if not input.dtype.is_floating_point:
        raise not_implemented(kernel, input.dtype)


@register(out=True)
def histc(input, bins=100, min=0, max=0):
    """Counts of ``input``'s elements in ``bins`` equal-width bins over [min, max] (the data's
    range if min == max); elements outside are ignored."""
    _check_float(input, "histogram_cpu")
    if isinstance(bins, bool) or not hasattr(bins, "__index__"):
        raise TypeError(f"histc(): argument 'bins' must be int, not {type(bins).__name__}")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                           "dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and input.numel() > 0:
        lo, hi = _data_range(input)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if math.isinf(lo) or math.isinf(hi) or math.isnan(lo) or math.isnan(hi):
        raise RuntimeError(f"torch.histc: range of [{_fmt(lo)}, {_fmt(hi)}] is not finite")
    if not lo < hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    edges = dispatch_nograd(_EDGES, (lo, hi), (int(bins) + 1, input.dtype.np))
    return dispatch_nograd(_HISTOGRAM, (input, edges), ("linear", False))


@register(out=True)
def histogram(input, bins, *, range=None, weight=None, density=False):
    """``(hist, bin_edges)``: a histogram of ``input`` with ``bins`` equal-width bins over
    ``range`` (the data's range by default) or with the given increasing ``bin_edges``;
    ``weight`` gives each element's weight and ``density`` normalises to a density."""
    _check_float(input, "histogramdd")
    if isinstance(bins, bool) or not (isinstance(bins, Tensor) or hasattr(bins, "__index__")):
        raise TypeError("histogram() received an invalid combination of arguments - got "
                        f"(Tensor, bins={type(bins).__name__}), but expected one of: (Tensor "
                        "input, Tensor bins, ...), (Tensor input, int bins = 100, ...)")
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError("torch.histogramdd: if weight tensor is provided, input tensor and "
                           "weight tensor should have the same dtype, but got "
                           f"input({_c_name(input.dtype)}), and weight({_c_name(weight.dtype)})")
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise RuntimeError(
            "torch.histogramdd: if weight tensor is provided it should have the same shape as "
            "the input tensor excluding its innermost dimension, but got input with shape "
            f"[{input.numel()}, 1] and weight with shape "
            f"[{', '.join(str(s) for s in weight.shape)}]")
    if isinstance(bins, Tensor):
        if bins.ndim != 1:
            raise RuntimeError("torch.histogramdd: bins tensor should have one dimension, but "
                               f"got {bins.ndim} dimensions in the bins tensor for dimension 0")
        if bins.numel() - 1 <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got "
                               f"{bins.numel() - 1} for dimension 0")
        if bins.dtype is not input.dtype:
            raise RuntimeError(
                "torch.histogramdd: input tensor and bins tensors should have the same dtype, "
                f"but got input with dtype {_c_name(input.dtype)} and bins for dimension 0 with "
                f"dtype {_c_name(bins.dtype)}")
        edges, algorithm = bins, "binary"
    else:
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               "dimension 0")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        elif input.numel() > 0:
            lo, hi = _data_range(input)
        else:
            lo, hi = 0.0, 1.0
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise RuntimeError(f"torch.histogramdd: dimension 0's range [{lo:g}, {hi:g}] is "
                               "not finite")
        if lo > hi:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                               f"{lo:g} max {hi:g} for dimension 0")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = dispatch_nograd(_EDGES, (lo, hi), (int(bins) + 1, input.dtype.np))
        algorithm = "local"
    args = (input, edges) if weight is None else (input, edges, weight)
    hist = dispatch_nograd(_HISTOGRAM, args, (algorithm, bool(density)))
    return _histogram_t((hist, edges))


# --------------------------------------------------------------------------------------------
# searchsorted / bucketize


def _bound(edges, v, right):
    """PyTorch's binary search over the last dim of ``edges`` for each of ``v``: the first
    position whose value is >= v (> v if ``right``); NaN compares as the largest."""
    n = edges.shape[-1]
    lo = jnp.zeros(v.shape, jnp.int64)
    hi = jnp.full(v.shape, n, jnp.int64)
    for _ in range(max(n, 1).bit_length() + 1):
        active = lo < hi
        mid = lo + ((hi - lo) >> 1)
        m = jnp.take_along_axis(edges, jnp.clip(mid, 0, max(n - 1, 0)), axis=-1) if n else v
        go_right = ~(m > v) if right else ~(m >= v)
        lo = jnp.where(active & go_right, mid + 1, lo)
        hi = jnp.where(active & ~go_right, mid, hi)
    return lo


def _searchsorted_impl(*a):
    *arrays, right, ct, rt, scalar = a
    edges = arrays[0].astype(ct)
    v = jnp.asarray(arrays[1]).astype(ct)
    if len(arrays) > 2:
        edges = jnp.take_along_axis(edges, arrays[2], axis=-1)
    if scalar:
        v = v.reshape(1)
    if edges.ndim == 1:
        shape = v.shape
        flat = v.reshape(1, -1)
        r = _bound(jnp.broadcast_to(edges, (1, edges.shape[0])), flat, right).reshape(shape)
    else:
        r = _bound(edges, v, right)
    if scalar:
        r = r.reshape(())
    return r.astype(rt)


def _searchsorted_prepare(sigs, static):
    right, out_int32, scalar = static
    bt = sigs[0][1]
    vt = sigs[1][1] if type(sigs[1]) is tuple else P.scalar_dtype(sigs[1])
    for dt in (bt, vt):
        if dt is D.bool_ or dt.is_complex:
            raise not_implemented("searchsorted_out_cpu", dt)
    ct = P.result_type_sigs(sigs[:2])
    return (right, ct.np, (D.int32 if out_int32 else D.int64).np, scalar)


_SEARCHSORTED = engine.Op("searchsorted", _searchsorted_impl, prepare=_searchsorted_prepare)


def _sizes(t):
    return f"[{', '.join(str(s) for s in t.shape)}]"


@register(method=False, out=True)
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """For each value of ``input``, the index where it would be inserted into the last dim of
    ``sorted_sequence`` to keep it sorted (after equal elements if ``right`` or
    ``side='right'``)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    bd = sorted_sequence
    scalar = not isinstance(input, Tensor)
    if bd.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if not scalar and bd.ndim > 1 and (bd.ndim != input.ndim or
                                       tuple(bd.shape[:-1]) != tuple(input.shape[:-1])):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {_sizes(bd)} and input value tensor {_sizes(input)}")
    if scalar and bd.ndim > 1:
        raise RuntimeError("torch.searchsorted(): input value can be a scalar only when "
                           f"boundaries tensor dimension is 1, but we got boundaries tensor "
                           f"dim({bd.ndim}) and input value's dim(0) numel(1)")
    args = (bd, input)
    if sorter is not None:
        if sorter.dtype is not D.int64:
            raise RuntimeError("torch.searchsorted(): sorter must be a tensor of long dtype but "
                               f"got dtype {D._short(sorter.dtype)}")
        if tuple(sorter.shape) != tuple(bd.shape):
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same "
                               f"size, but got boundary tensor {_sizes(bd)}and got sorter "
                               f"tensor {_sizes(sorter)}")
        args += (sorter,)
    if scalar:
        if not isinstance(input, numbers.Number):
            raise TypeError(f"searchsorted(): argument 'input' must be Tensor, not "
                            f"{type(input).__name__}")
        input = input.item() if hasattr(input, "item") else input
        args = (bd, input) + args[2:]
    return dispatch_nograd(_SEARCHSORTED, args, (bool(right), bool(out_int32), scalar))


@register(method=False, out=True)
def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The index of the bucket of ``boundaries`` (1-d, increasing) each element of ``input``
    falls in: ``boundaries[i-1] < x <= boundaries[i]`` (``<=`` and ``<`` with ``right``)."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


# --------------------------------------------------------------------------------------------
# isin


def _isin_impl(elements, test, invert, ct):
    e = jnp.asarray(elements).astype(ct)
    t = jnp.sort(jnp.asarray(test).astype(ct).reshape(-1))
    if t.shape[0] == 0:
        found = jnp.zeros(e.shape, bool)
    else:
        i = jnp.clip(jnp.searchsorted(t, e), 0, t.shape[0] - 1)
        found = t[i] == e
    return ~found if invert else found


def _isin_prepare(sigs, static):
    invert, = static
    for sig in sigs:
        dt = sig[1] if type(sig) is tuple else P.scalar_dtype(sig)
        if dt is D.bool_ or dt.is_complex:
            raise RuntimeError(f"Unsupported input type encountered for isin(): {D._short(dt)}")
    ct = P.result_type_sigs(sigs)
    return (invert, ct.np)


_ISIN = engine.Op("isin", _isin_impl, prepare=_isin_prepare)


@register(method=False, out=True)
def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of ``elements`` is in ``test_elements`` (either may be a
    number)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but "
                        "expected one of: (Tensor elements, Tensor test_elements), (Number "
                        "element, Tensor test_elements), (Tensor elements, Number test_element)")
    return dispatch_nograd(_ISIN, (elements, test_elements), (bool(invert),))

