"""Indexing: ``x[index]``, ``x[index] = value``, index/index_put, nonzero, masked_*, take, put.

``x[index]`` follows PyTorch's ``applySlicing``: ints, slices, ``None``, ``...`` and Python bools
are *basic* indices and give a view (select/slice/unsqueeze view ops, storage shared); tensors,
lists and numpy arrays are *advanced* indices and give a copy (the ``index`` op, a gather).
Assignment writes a basic view in place (so every alias sees it) and an advanced index through
``index_put``.  Values that decide a result's shape (boolean masks) or an error (indices out of
range) are read from the index tensors: a sync point when they are still pending.
"""
from __future__ import annotations

import functools
import numbers
import operator
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ..autograd import grad_mode
from . import _inplace
from . import view as V
from ._iter import contiguous_strides, iterator_strides
from ._registry import register
from ._util import broadcast_all, broadcast_shapes, py_scalar

__all__ = ["getitem", "setitem", "index_put", "nonzero", "argwhere", "masked_fill",
           "masked_select", "masked_scatter", "take", "put", "checked_scalar", "scatter_set",
           "check_index_range", "sizes_str"]


def sizes_str(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


# --------------------------------------------------------------------------------------------
# scalars written into a tensor (x[i] = 2.5, masked_fill(mask, 300)): PyTorch's checked casts

_C_NAMES = {
    D.uint8: "uint8_t", D.int8: "int8_t", D.int16: "int16_t", D.int32: "int", D.int64: "int64_t",
    D.uint16: "uint16_t", D.uint32: "uint32_t", D.uint64: "uint64_t", D.float32: "float",
    D.float64: "double", D.complex64: "c10::complex<float>", D.complex128: "c10::complex<double>",
}


def checked_scalar(value, dtype):
    """``value`` converted to ``dtype``'s kind of Python number, with PyTorch's overflow errors
    ("value cannot be converted to type int64_t without overflow")."""
    v = py_scalar(value)
    if isinstance(v, bool):
        v = int(v)
    if isinstance(v, int) and not -(1 << 63) <= v < (1 << 63):
        raise ValueError("Overflow when unpacking long long")
    if dtype is D.bool_:
        return bool(v)

    def overflow(name=None):
        return RuntimeError(f"value cannot be converted to type {name or _C_NAMES[dtype]} "
                            "without overflow")

    if dtype is D.float16 or dtype is D.bfloat16 or dtype.itemsize == 1 and \
            dtype.is_floating_point:
        # reduced floats are converted without a range check (out of range -> inf)
        if isinstance(v, complex):
            if v.imag != 0:
                raise overflow("double")
            v = v.real
        return float(v)
    if dtype.is_complex:
        c = complex(v)
        if dtype is D.complex64:
            lim = float(np.finfo(np.float32).max)
            for part in (c.real, c.imag):
                if np.isfinite(part) and abs(part) > lim:
                    raise overflow()
        return c
    if isinstance(v, complex):
        if v.imag != 0:
            raise overflow()
        v = v.real
    if dtype.is_floating_point:
        v = float(v)
        if np.isfinite(v) and abs(v) > float(np.finfo(dtype.np).max):
            raise overflow()
        return v
    # integral destination
    info = np.iinfo(dtype.np)
    if isinstance(v, float):
        if not np.isfinite(v) or v > info.max or v < info.min:
            raise overflow()
        return int(v)
    if v > info.max:
        raise overflow()
    if v < info.min:
        # unsigned types accept negative values that wrap (uint8: -1 -> 255)
        if info.min == 0 and -v <= info.max:
            return v % (info.max + 1)
        raise overflow()
    return v


# --------------------------------------------------------------------------------------------
# index tensors: conversion, checks, bounds


def _type_name(obj):
    t = type(obj)
    if isinstance(obj, Tensor):
        return "Tensor"
    mod = t.__module__
    return t.__qualname__ if mod == "builtins" else f"{mod}.{t.__qualname__}"


def _host_index(a, dtype=None):
    from .creation import from_numpy_copy, host_tensor
    a = np.asarray(a)
    if dtype is not None:
        return host_tensor(a.astype(dtype.np), dtype)
    return from_numpy_copy(a)


def _sequence_to_index(seq):
    """A list used as an index -> an int64 tensor (or a bool mask), as PyTorch converts it."""
    from .creation import infer_dtype, tensor
    if isinstance(seq, range):
        seq = list(seq)
    dt = infer_dtype(seq)
    if dt is D.bool_ or dt is D.uint8:
        return tensor(seq, dtype=dt)
    return tensor(seq, dtype=D.int64)


def _numpy_to_index(a):
    if a.dtype == np.bool_:
        return _host_index(a, D.bool_)
    return _host_index(a)


_INDEX_DTYPES = (D.int64, D.int32, D.uint8, D.bool_)


def _check_index_dtypes(indices):
    for t in indices:
        if t is not None and t._dtype not in _INDEX_DTYPES:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")


def _concrete(t):
    """The index values as numpy (a sync point when ``t`` is still pending)."""
    return t._numpy_view()


def check_index_range(t, size, dim, *, exc=IndexError, negative=True, msg=None):
    """Raise PyTorch's error for the first index of ``t`` outside ``[-size, size)`` (or
    ``[0, size)`` when ``negative`` is False).  Reads the index values: a sync point."""
    a = _concrete(t)
    if a.size == 0:
        return
    lo = -size if negative else 0
    if a.min() >= lo and a.max() < size:
        return
    bad = a.reshape(-1)[np.flatnonzero((a.reshape(-1) < lo) | (a.reshape(-1) >= size))[0]]
    if msg is not None:
        raise exc(msg.format(index=int(bad), size=size, dim=dim))
    raise exc(f"index {int(bad)} is out of bounds for dimension {dim} with size {size}")


def _expand_masks(x, indices):
    """Replace boolean/byte masks by the int64 index tensors of their nonzero elements."""
    out = []
    for t in indices:
        if t is None or t._dtype not in (D.bool_, D.uint8):
            out.append(t)
            continue
        if t._dtype is D.uint8:
            warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                          "torch.bool instead.", UserWarning, stacklevel=4)
        k = len(out)
        for j in range(t.ndim):
            if k + j >= x.ndim or t._shape[j] != x._shape[k + j]:
                raise IndexError(
                    f"The shape of the mask {sizes_str(t._shape)} at index {j} does not match the "
                    f"shape of the indexed tensor {sizes_str(x._shape)} at index {k + j}")
        nz = np.nonzero(_concrete(t))
        for col in nz:
            out.append(_host_index(col, D.int64))
    return out


def _prepare_indices(x, indices):
    """PyTorch's ``make_info`` checks: dtypes, masks, broadcasting, bounds.

    Returns ``(dims, tensors, bshape)``: the indexed dims, their (int) index tensors and the
    broadcast shape of the indices."""
    _check_index_dtypes(indices)
    indices = _expand_masks(x, list(indices))
    if len(indices) > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim} (got "
                         f"{len(indices)})")
    dims = tuple(d for d, t in enumerate(indices) if t is not None)
    tensors = tuple(indices[d] for d in dims)
    try:
        bshape = broadcast_all([t._shape for t in tensors])
    except RuntimeError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with "
                         "shapes " + ", ".join(sizes_str(t._shape) for t in tensors)) from None
    for k, (d, t) in enumerate(zip(dims, tensors)):
        check_index_range(t, x._shape[d], k)
    return dims, tensors, bshape


def _index_layout(x, dims, bshape):
    """(result shape, strides of the source and of the index operands) as TensorIterator sees
    them: indexed dims replaced by the index shape (moved first when not adjacent)."""
    st = x.stride()
    shape = x._shape
    nb = len(bshape)
    idx_st = tuple(0 if s == 1 else c for s, c in zip(bshape, contiguous_strides(bshape)))
    if dims == tuple(range(dims[0], dims[0] + len(dims))):
        a, b = dims[0], dims[-1] + 1
        out = shape[:a] + tuple(bshape) + shape[b:]
        src = st[:a] + (0,) * nb + st[b:]
        idx = (0,) * a + idx_st + (0,) * (len(shape) - b)
    else:
        rest = [d for d in range(len(shape)) if d not in dims]
        out = tuple(bshape) + tuple(shape[d] for d in rest)
        src = (0,) * nb + tuple(st[d] for d in rest)
        idx = idx_st + (0,) * len(rest)
    return out, src, idx


# --------------------------------------------------------------------------------------------
# the index / index_put ops


def _key(nd, dims, idx):
    key = [slice(None)] * nd
    for d, i in zip(dims, idx):
        key[d] = i
    return tuple(key)


def _index_impl(x, *a):
    *idx, dims = a
    return x[_key(x.ndim, dims, idx)]


INDEX = engine.Op("index", _index_impl, grad="IndexBackward0", linear=True)


def index(x, indices):
    """``x[indices]`` for a list of index tensors (None for dims taken whole): a copy."""
    dims, tensors, bshape = _prepare_indices(x, indices)
    if not dims:
        return V.alias(x)
    out = dispatch(INDEX, (x,) + tensors, (dims,))
    _, src, idx = _index_layout(x, dims, bshape)
    out._stride = iterator_strides(out._shape, (src, idx))
    return out


@functools.lru_cache(maxsize=None)
def _scatter_set_fn(nd, dims):
    """``x.at[key].set(v)`` whose derivative is PyTorch's: every written value gets the
    gradient of its destination, also when an index repeats (JAX picks one winner)."""

    @jax.custom_jvp
    def f(x, v, *idx):
        return x.at[_key(nd, dims, idx)].set(v)

    @f.defjvp
    def f_jvp(primals, tangents):
        x, v, *idx = primals
        tx, tv = tangents[0], tangents[1]
        key = _key(nd, dims, idx)
        keep = jnp.ones(x.shape, bool).at[key].set(False)
        t = jnp.where(keep, tx, jnp.zeros_like(tx)) + jnp.zeros_like(tx).at[key].add(tv)
        return f(x, v, *idx), t

    return f


def scatter_set(x, dims, idx, v):
    return _scatter_set_fn(x.ndim, tuple(dims))(x, v, *idx)


def _index_put_impl(x, v, *a):
    *idx, dims, accumulate = a
    if accumulate:
        return x.at[_key(x.ndim, dims, idx)].add(v)
    return scatter_set(x, dims, idx, v)


INDEX_PUT = engine.Op("index_put", _index_put_impl, grad="IndexPutBackward0", linear=True)


def _index_put(x, indices, values, accumulate):
    """The out-of-place ``index_put`` (checks and dispatch)."""
    dims, tensors, bshape = _prepare_indices(x, indices)
    out_shape = _index_layout(x, dims, bshape)[0] if dims else x._shape
    try:
        ok = broadcast_shapes(values._shape, out_shape) == tuple(out_shape)
    except RuntimeError:
        ok = False
    if not ok:
        raise RuntimeError(f"shape mismatch: value tensor of shape {sizes_str(values._shape)} "
                           f"cannot be broadcast to indexing result of shape "
                           f"{sizes_str(out_shape)}")
    if values._dtype is not x._dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{D._short(x._dtype)} for the destination and "
                           f"{D._short(values._dtype)} for the source.")
    if not dims:
        raise RuntimeError("ntensor >= 3 INTERNAL ASSERT FAILED at \"/__w/pytorch/pytorch/aten/"
                           "src/ATen/native/cpu/IndexKernelUtils.h\":8, please report a bug to "
                           "PyTorch. ")
    return dispatch(INDEX_PUT, (x, values) + tensors, (dims, bool(accumulate)))


def _tensor_tuple(indices, name):
    if isinstance(indices, Tensor) or not isinstance(indices, (tuple, list)):
        raise TypeError(f"{name}(): argument 'indices' (position 1) must be tuple of Tensors, "
                        f"not {_type_name(indices)}")
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{_type_name(t)}")
    return list(indices)


@register()
def index_put(input, indices, values, accumulate=False):
    """``input`` with ``input[indices] = values`` (or ``+=`` with ``accumulate``)."""
    return _index_put(input, _tensor_tuple(indices, "index_put"), values, accumulate)


@register("index_put_")
def _index_put_inplace(input, indices, values, accumulate=False):
    """In-place :func:`index_put`; returns ``input``."""
    indices = _tensor_tuple(indices, "index_put_")
    _inplace.check_inplace(input)
    return _inplace.apply_inplace(input, _index_put(input, indices, values, accumulate))


# --------------------------------------------------------------------------------------------
# Python indexing: x[index]


_SEQ_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted "
    "as tensor index, x[torch.tensor(seq)], which will result either in an error or a different "
    "result")


def _wrap_tuple(index):
    """PyTorch's ``wrapTuple``/``treatSequenceAsTuple`` (NumPy's old heuristic)."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, (Tensor, np.ndarray)) or not isinstance(index, (list, range, str)):
        return (index,)
    if len(index) >= 32:
        return (index,)
    for obj in index:
        if isinstance(obj, (Tensor, list, tuple, range, str, slice, np.ndarray)) or \
                obj is None or obj is Ellipsis:
            warnings.warn(_SEQ_WARNING, UserWarning, stacklevel=4)
            return tuple(index)
    return (index,)


def _count_specified(items):
    n = 0
    for obj in items:
        if isinstance(obj, Tensor):
            n += obj.ndim if obj._dtype in (D.bool_, D.uint8) else 1
        elif not (obj is None or obj is Ellipsis or obj is True or obj is False):
            n += 1
    return n


def _is_int(obj):
    if isinstance(obj, (bool, Tensor)):
        return False
    if isinstance(obj, numbers.Integral):
        return True
    if isinstance(obj, (np.integer,)) or (isinstance(obj, np.ndarray) and obj.ndim == 0 and
                                          obj.dtype.kind in "iu"):
        return True
    return False


def _select(result, dim, i, real_dim):
    if result.ndim == 0:
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    size = result._shape[dim]
    if i < -size or i >= size:
        raise IndexError(f"index {i} is out of bounds for dimension {real_dim} with size {size}")
    return V.make_view(result, V.SELECT, (dim, i + size if i < 0 else i))


def _slice(result, dim, s, optimize):
    if result.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    start = None if s.start is None else operator.index(s.start)
    stop = None if s.stop is None else operator.index(s.stop)
    step = 1 if s.step is None else operator.index(s.step)
    if step == 0:
        raise ValueError("slice step cannot be zero")
    if step < 0:
        raise ValueError("step must be greater than zero")
    n = result._shape[dim]
    start = 0 if start is None else (max(start + n, 0) if start < 0 else min(start, n))
    stop = n if stop is None else (max(stop + n, 0) if stop < 0 else min(stop, n))
    stop = max(stop, start)
    if optimize and start == 0 and stop == n and step == 1:
        return result
    return V.make_view(result, V.SLICE, (dim, start, stop, step))


def _bool_index(value):
    return _host_index(np.zeros(1 if value else 0, np.int64), D.int64)


def _slicing(self, items, optimize):
    """PyTorch's ``applySlicing``: the basic indices applied as views; returns the view and the
    advanced index tensors by dim (or None when there are none)."""
    nd = self.ndim
    spec = _count_specified(items)
    if spec > nd:
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    result = self
    dim = 0
    tensors = {}
    for real_dim, obj in enumerate(items):
        if obj is None:
            result = V.unsqueeze(result, dim)
            dim += 1
        elif obj is Ellipsis:
            dim += nd - spec
        elif obj is True or obj is False:
            result = V.unsqueeze(result, dim)
            tensors[dim] = _bool_index(obj)
            dim += 1
        elif isinstance(obj, slice):
            result = _slice(result, dim, obj, optimize)
            dim += 1
        elif _is_int(obj):
            result = _select(result, dim, operator.index(obj), real_dim)
        else:
            if isinstance(obj, np.ndarray):
                obj = _numpy_to_index(obj)
            elif isinstance(obj, (list, tuple, range, str)):
                obj = _sequence_to_index(obj)
            elif not isinstance(obj, Tensor):
                raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long "
                                 "or byte Variables are valid indices (got "
                                 f"{_type_name(obj)})")
            if obj.ndim == 0 and (obj._dtype.is_integral or obj._dtype is D.bool_):
                if obj._dtype is D.bool_ or obj._dtype is D.uint8:
                    result = V.unsqueeze(result, dim)
                    tensors[dim] = _bool_index(bool(obj.item()))
                    dim += 1
                else:
                    result = _select(result, dim, int(obj.item()), real_dim)
                continue
            tensors[dim] = obj
            dim += obj.ndim if obj._dtype in (D.bool_, D.uint8) else 1
    if not tensors:
        return result, None
    n = max(tensors) + 1
    return result, [tensors.get(d) for d in range(n)]


def getitem(self, index):
    """``self[index]``: a view for basic indices, a copy (``index``) for advanced ones."""
    if index is None:
        return V.unsqueeze(self, 0)
    if index is Ellipsis:
        return V.alias(self)
    if _is_int(index):
        return _select(self, 0, operator.index(index), 0)
    if isinstance(index, slice):
        return _slice(self, 0, index, False)
    items = (index,) if index is True or index is False else _wrap_tuple(index)
    result, indices = _slicing(self, items, True)
    if indices is None:
        return V.alias(result) if result is self else result
    return index_(result, indices)


index_ = index


# --------------------------------------------------------------------------------------------
# Python indexing: x[index] = value


def _value_tensor(self, value):
    """PyTorch's ``valueToTensor``: tensors as they are, Python numbers as 0-d tensors of
    self's dtype (a Python number, so that it stays a dynamic input)."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float, complex, np.integer)) and \
            not isinstance(value, np.bool_):
        return checked_scalar(value, self._dtype)
    legacy = self._dtype._legacy or self._dtype._name
    raise TypeError(f"can't assign a {_type_name(value)} to a torch.{legacy}")


def _strip_leading_ones(v):
    shape = v._shape
    i = 0
    while i < len(shape) and shape[i] == 1:
        i += 1
    return V.view(v, tuple(shape[i:])) if i else v


def _copy_to(dst, value):
    """PyTorch's ``copy_to``: copy (same shape), fill (0-d value) or expand-then-copy."""
    from .copy import copy_, fill_
    if not isinstance(value, Tensor):
        return fill_(dst, value)
    if value._shape == dst._shape:
        return copy_(dst, value)
    if value.ndim == 0:
        return fill_(dst, value)
    src = V.expand(_strip_leading_ones(value), *dst._shape)
    return copy_(dst, src)


def _check_setitem_leaf(self):
    if not grad_mode.state.enabled:
        return
    base = self._base_
    if self._rg and self._fn is None or base is not None and base._rg and base._fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def setitem(self, index, value):
    """``self[index] = value``: written in place into self's storage (every view sees it)."""
    value = _value_tensor(self, value)
    if index is False:
        return
    _check_setitem_leaf(self)
    if index is Ellipsis:
        return _copy_to(self, value)
    if index is None or index is True:
        return _copy_to(V.unsqueeze(self, 0), value)
    if _is_int(index):
        return _copy_to(_select(self, 0, operator.index(index), 0), value)
    if isinstance(index, slice):
        return _copy_to(_slice(self, 0, index, True), value)
    result, indices = _slicing(self, _wrap_tuple(index), True)
    if indices is None:
        return _copy_to(result, value)
    if not isinstance(value, Tensor):
        with np.errstate(over="ignore"):  # float16 overflows to inf, as in PyTorch
            value = _host_index(np.asarray(value, dtype=self._dtype.np), self._dtype)
    value = _strip_leading_ones(value)
    _inplace.check_overlap(result)
    out = _index_put(result, indices, value, False)
    _inplace.assign(result, out)


# Tensor's indexing protocol lives with the indexing ops (the Tensor class itself has no math).
Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem


def _delitem(self, index):
    raise TypeError("Tensor does not support deleting items")


Tensor.__delitem__ = _delitem


# --------------------------------------------------------------------------------------------
# nonzero, argwhere


@register(out=True)
def nonzero(input, *, as_tuple=False):
    """Indices of the nonzero elements: an ``(n, ndim)`` int64 tensor, or one tensor per dim
    with ``as_tuple=True``.  The number of elements is data-dependent: a sync point."""
    a = input._numpy_view()
    if input.ndim == 0:
        n = int(bool(a.reshape(())))
        if as_tuple:
            return (_host_index(np.zeros(n, np.int64), D.int64),)
        return _host_index(np.zeros((n, 0), np.int64), D.int64)
    nz = np.nonzero(a)
    if as_tuple:
        return tuple(_host_index(c, D.int64) for c in nz)
    out = _host_index(np.stack(nz, axis=1).reshape(-1, input.ndim), D.int64)
    # PyTorch fills a transposed (ndim, n) buffer
    out._stride = (1, max(out._shape[0], 1)) if input.ndim > 1 else None
    return out


@register()
def argwhere(input):
    """``nonzero(input)``: the indices of the nonzero elements, one row each."""
    return nonzero(input)


# --------------------------------------------------------------------------------------------
# masked_fill, masked_select, masked_scatter


def _check_bool_mask(mask, name):
    if mask._dtype is not D.bool_:
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype "
                           f"{_C_TYPE_NAMES.get(mask._dtype, D._short(mask._dtype))}")


_C_TYPE_NAMES = {D.int64: "long int", D.uint8: "unsigned char", D.int32: "int",
                 D.int16: "short int", D.int8: "signed char", D.float32: "float",
                 D.float64: "double"}


def _masked_fill_impl(x, mask, value, np_dtype):
    return jnp.where(mask, jnp.asarray(value).astype(np_dtype), x)


# linear in input and value: the backward needs only the mask
_MASKED_FILL = engine.Op("masked_fill", _masked_fill_impl, grad="MaskedFillBackward0",
                         linear=True)
_MASKED_FILL_T = engine.Op("masked_fill", _masked_fill_impl, grad="MaskedFillBackward1",
                           linear=True)


@register(inplace=True)
def masked_fill(input, mask, value):
    """``input`` with ``value`` where ``mask`` is True (mask broadcast; value a number or a
    0-d tensor)."""
    _check_bool_mask(mask, "masked_fill_")
    broadcast_shapes(input._shape, mask._shape)
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        return dispatch(_MASKED_FILL_T, (input, mask, value), (input._dtype.np,))
    return dispatch(_MASKED_FILL, (input, mask, checked_scalar(value, input._dtype)),
                    (input._dtype.np,))


def _masked_select_impl(x, mask, flat_idx):
    shape = jnp.broadcast_shapes(x.shape, mask.shape)
    return jnp.broadcast_to(x, shape).reshape(-1)[flat_idx]


_MASKED_SELECT = engine.Op("masked_select", _masked_select_impl, grad="MaskedSelectBackward0",
                           linear=True)


@register(out=True)
def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` is True, as a 1-d tensor (a sync point)."""
    if mask._dtype is not D.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shapes(input._shape, mask._shape)
    m = np.broadcast_to(_concrete(mask), shape)
    flat = _host_index(np.flatnonzero(m), D.int64)
    return dispatch(_MASKED_SELECT, (input, mask, flat))


def _masked_scatter_impl(x, mask, source):
    shape = jnp.broadcast_shapes(x.shape, mask.shape)
    m = jnp.broadcast_to(mask, shape).reshape(-1)
    pos = jnp.cumsum(m.astype(jnp.int64)) - 1
    src = source.reshape(-1)
    vals = src[jnp.clip(pos, 0, max(src.shape[0] - 1, 0))] if src.shape[0] else \
        jnp.zeros(pos.shape, x.dtype)
    return jnp.where(m, vals, jnp.broadcast_to(x, shape).reshape(-1)).reshape(shape)


_MASKED_SCATTER = engine.Op("masked_scatter", _masked_scatter_impl,
                            grad="MaskedScatterBackward0", linear=True)


@register(inplace=True)
def masked_scatter(input, mask, source):
    """``input`` with the elements where ``mask`` is True replaced, in order, by consecutive
    elements of ``source``."""
    if mask._dtype is not D.bool_:
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{_C_TYPE_NAMES.get(mask._dtype, D._short(mask._dtype))}")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                           f"got{D._short(input._dtype)} and {D._short(source._dtype)}")
    shape = broadcast_shapes(input._shape, mask._shape)
    n = 1
    for s in shape:
        n *= s
    if source.numel() < n:  # only then can the mask ask for more elements than there are
        if int(np.count_nonzero(np.broadcast_to(_concrete(mask), shape))) > source.numel():
            raise RuntimeError("Number of elements of source < number of ones in mask")
    return dispatch(_MASKED_SCATTER, (input, mask, source))


# --------------------------------------------------------------------------------------------
# take, put


def _take_impl(x, idx):
    return x.reshape(-1)[idx]


_TAKE = engine.Op("take", _take_impl, grad="TakeBackward0", linear=True)


def _check_long_index(index, name):
    if index._dtype is not D.int64:
        raise RuntimeError(f"{name}(): Expected a long tensor for index, but got "
                           f"{D._short(index._dtype)}")


@register(out=True)
def take(input, index):
    """The elements of ``input`` viewed as 1-d at ``index`` (negative indices count back)."""
    _check_long_index(index, "take")
    n = input.numel()
    check_index_range(index, n, 0, msg="out of range: tried to access index {index} on a tensor "
                      "of {size} elements.")
    return dispatch(_TAKE, (input, index))


def _put_impl(x, idx, src, accumulate):
    flat = x.reshape(-1)
    i = idx.reshape(-1)
    s = src.reshape(-1)
    if accumulate:
        return flat.at[i].add(s).reshape(x.shape)
    return scatter_set(flat, (0,), (i,), s).reshape(x.shape)


_PUT = engine.Op("put", _put_impl, grad="PutBackward0", linear=True)


@register(inplace=True)
def put(input, index, source, accumulate=False):
    """``input`` viewed as 1-d with ``source`` written (or added) at ``index``."""
    _check_long_index(index, "put_")
    if source.numel() != index.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, index.numel() = "
                         f"{index.numel()}")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {D._short(input._dtype)} and source.dtype = "
                           f"{D._short(source._dtype)}")
    check_index_range(index, input.numel(), 0, msg="out of range: tried to access index {index} "
                      "on a tensor of {size} elements.")
    return dispatch(_PUT, (input, index, source), (bool(accumulate),))
