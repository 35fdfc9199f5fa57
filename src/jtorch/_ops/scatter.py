"""Index ops along one dimension: gather, scatter (+ add/reduce), index_select, index_add,
index_copy, index_fill, index_reduce, take_along_dim.

Every scatter-like op reduces to writing ``src`` at full coordinates of ``self``.  Where JAX's
derivative convention differs from PyTorch's (a repeated index in a plain scatter: PyTorch
gives every written value the gradient of its destination; amax/amin/prod reductions: PyTorch's
``scatter_reduce_backward``), the body is a ``jax.custom_jvp`` whose tangent rule is the transpose
of PyTorch's backward formula, so JAX's vjp is PyTorch's gradient.
"""
from __future__ import annotations

import functools
import warnings

import jax
import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from .indexing import checked_scalar, check_index_range, scatter_set, sizes_str
from ._registry import register
from ._util import wrap_dim

__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
           "index_copy", "index_fill", "index_reduce", "take_along_dim"]


_WARNED = set()


def _warn_once(key):
    """PyTorch's TORCH_WARN_ONCE: the first call in a process warns."""
    if key in _WARNED:
        return False
    _WARNED.add(key)
    return True


def _nonempty_dim(n):
    return max(n, 1)


def _nonempty_size(t, d):
    return t._shape[d] if t.ndim else 1


# --------------------------------------------------------------------------------------------
# the scatter kernel: write src at coords (one index array per dim of x)


def _coords(index, dim, nd):
    return tuple(index if d == dim else lax.broadcasted_iota(index.dtype, index.shape, d)
                 for d in range(nd))


def _touched(x, coords):
    return jnp.zeros(x.shape, bool).at[coords].set(True)


def _sum_into(base, coords, src):
    if base.dtype == jnp.bool_:  # a sum of bools is their logical or
        return base.at[coords].max(src)
    return base.at[coords].add(src)


def _extreme(dtype, high):
    if jnp.issubdtype(dtype, jnp.floating):
        return jnp.array(jnp.inf if high else -jnp.inf, dtype)
    if dtype == jnp.bool_:
        return jnp.array(high, dtype)
    info = jnp.iinfo(dtype)
    return jnp.array(info.max if high else info.min, dtype)


def _plain_reduce(x, src, coords, mode, include_self):
    """The forward value of a scatter reduction (no gradient rule)."""
    if mode == "prod":
        base = x if include_self else jnp.where(_touched(x, coords), jnp.ones_like(x), x)
        return base.at[coords].multiply(src)
    if mode == "amax":
        base = x if include_self else jnp.where(_touched(x, coords), _extreme(x.dtype, False), x)
        return base.at[coords].max(src)
    base = x if include_self else jnp.where(_touched(x, coords), _extreme(x.dtype, True), x)
    return base.at[coords].min(src)


@functools.lru_cache(maxsize=None)
def _reduce_fn(mode, include_self):
    """prod/amax/amin scatter reduction with PyTorch's gradients (scatter_reduce_backward)."""

    @jax.custom_jvp
    def f(x, src, *coords):
        return _plain_reduce(x, src, coords, mode, include_self)

    @f.defjvp
    def f_jvp(primals, tangents):
        x, src, *coords = primals
        coords = tuple(coords)
        tx, tsrc = tangents[0], tangents[1]
        result = f(x, src, *coords)
        keep = jnp.ones(x.shape, x.dtype) if include_self else \
            jnp.where(_touched(x, coords), 0, 1).astype(x.dtype)
        zeros = jnp.zeros_like(x)
        if mode == "prod":
            masked_self = jnp.where(x == 0, jnp.ones_like(x), x)
            a = _plain_reduce(masked_self, src, coords, mode, include_self) / masked_self
            src_zero = src == 0
            n_zeros = zeros.at[coords].add(src_zero.astype(x.dtype))[coords]
            single = src_zero & (n_zeros == 1)
            masked_src_result = _plain_reduce(x, jnp.where(single, jnp.ones_like(src), src),
                                              coords, mode, include_self)
            t1 = zeros.at[coords].add(jnp.where(single, tsrc, 0))
            t2 = zeros.at[coords].add(jnp.where(single, 0, tsrc / jnp.where(src_zero, 1, src)))
            t = a * keep * tx + masked_src_result * t1 + result * t2
        else:
            self_is = (x == result).astype(x.dtype)
            src_is = (src == result[coords]).astype(x.dtype)
            n = self_is.at[coords].add(src_is)
            t = (self_is * keep * tx + zeros.at[coords].add(src_is * tsrc)) / n
        return result, t

    return f


def scatter_core(x, src, coords, mode, include_self=True):
    """``x`` with ``src`` written at ``coords`` by ``mode``: set, sum, mean, prod, amax, amin."""
    if mode == "set":
        return scatter_set(x, tuple(range(x.ndim)), coords, src)
    if mode == "sum":
        base = x if include_self else jnp.where(_touched(x, coords), jnp.zeros_like(x), x)
        return _sum_into(base, coords, src)
    if mode == "mean":
        touched = _touched(x, coords)
        base = x if include_self else jnp.where(touched, jnp.zeros_like(x), x)
        total = _sum_into(base, coords, src)
        count = (jnp.ones(x.shape, x.dtype) if include_self else
                 jnp.zeros(x.shape, x.dtype)).at[coords].add(jnp.ones(src.shape, x.dtype))
        count = jnp.where(count == 0, jnp.ones_like(count), count)
        if jnp.issubdtype(x.dtype, jnp.inexact):
            return total / count
        return jnp.floor_divide(total, count)
    if x.dtype == jnp.bool_ or not jnp.issubdtype(x.dtype, jnp.inexact):
        return _plain_reduce(x, src, coords, mode, include_self)
    return _reduce_fn(mode, include_self)(x, src, *coords)


def _scalar_ndim(x):
    """0-d tensors scatter as 1-element 1-d tensors (PyTorch's ensure_nonempty_dim)."""
    return x.reshape(1) if x.ndim == 0 else x


# --------------------------------------------------------------------------------------------
# gather


def _gather_impl(x, index, dim):
    shape = x.shape
    x1, i1 = _scalar_ndim(x), _scalar_ndim(index)
    x1 = x1[tuple(slice(0, s) if d != dim else slice(None) for d, s in enumerate(i1.shape))]
    out = jnp.take_along_axis(x1, i1, axis=dim, mode="clip")
    return out.reshape(index.shape) if not shape or index.ndim == 0 else out


_GATHER = engine.Op("gather", _gather_impl, grad="GatherBackward0", linear=True)


def _check_index_dtype(index, name, long_only=False):
    if index.numel() == 0:
        return
    if long_only:
        if index._dtype is not D.int64:
            raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    elif index._dtype not in (D.int64, D.int32):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")


def _gather_checks(input, dim, index):
    nd = _nonempty_dim(input.ndim)
    if nd != _nonempty_dim(index.ndim):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for i in range(nd):
        if i != dim and _nonempty_size(index, i) > _nonempty_size(input, i):
            raise RuntimeError(f"Size does not match at dimension {i} expected index "
                               f"{sizes_str(index._shape)} to be no larger than self "
                               f"{sizes_str(input._shape)} apart from dimension {dim}")


@register(out=True)
def gather(input, dim, index, *, sparse_grad=False):
    """Values of ``input`` along ``dim`` at ``index``: ``out[i][j] = input[i][index[i][j]]``
    (dim=1); ``index`` has input's number of dims."""
    if sparse_grad:
        raise NotImplementedError("torch.gather(sparse_grad=True) is not supported by jtorch")
    d = wrap_dim(dim, input.ndim)
    _check_index_dtype(index, "gather")
    _gather_checks(input, d, index)
    check_index_range(index, _nonempty_size(input, d), d, exc=RuntimeError, negative=False)
    return dispatch(_GATHER, (input, index), (d,))


# --------------------------------------------------------------------------------------------
# scatter, scatter_add, scatter_reduce


def _scatter_impl(x, index, src, dim, mode, include_self):
    shape = x.shape
    x1, i1 = _scalar_ndim(x), _scalar_ndim(index)
    if hasattr(src, "ndim") and src.ndim:
        src = _scalar_ndim(src)[tuple(slice(0, s) for s in i1.shape)]
    src = jnp.broadcast_to(jnp.asarray(src).astype(x.dtype), i1.shape)
    out = scatter_core(x1, src, _coords(i1, dim, x1.ndim), mode, include_self)
    return out.reshape(shape)


_SCATTER = engine.Op("scatter", _scatter_impl, grad="ScatterBackward0", linear=True)
_SCATTER_VALUE = engine.Op("scatter", _scatter_impl, grad="ScatterBackward1", linear=True)
_SCATTER_ADD = engine.Op("scatter_add", _scatter_impl, grad="ScatterAddBackward0", linear=True)
_SCATTER_REDUCE = engine.Op("scatter_reduce", _scatter_impl, grad="ScatterReduceBackward0")
_SCATTER_REDUCE_NI = engine.Op("scatter", _scatter_impl, grad="NotImplemented")
_SCATTER_REDUCE_LINEAR = engine.Op("scatter_reduce", _scatter_impl,
                                   grad="ScatterReduceBackward0", linear=True)


def _scatter_checks(name, input, dim, index, src):
    """PyTorch's scatter_gather_dtype_check + scatter_shape_check, in their order."""
    _check_index_dtype(index, name)
    if isinstance(src, Tensor) and src._dtype is not input._dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
    if index.numel() == 0:
        return
    nd = _nonempty_dim(input.ndim)
    if nd != _nonempty_dim(index.ndim):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    wrong = any(i != dim and _nonempty_size(index, i) > _nonempty_size(input, i)
                for i in range(nd))
    if isinstance(src, Tensor):
        if not wrong:
            for i in range(nd):
                if src.ndim:
                    wrap_dim(i, src.ndim)  # src.size(i): PyTorch's IndexError when i >= src.dim()
                if _nonempty_size(index, i) > _nonempty_size(src, i):
                    wrong = True
                    break
        if _nonempty_dim(src.ndim) != _nonempty_dim(index.ndim):
            raise RuntimeError("Index tensor must have the same number of dimensions as src "
                               "tensor")
        if wrong:
            raise RuntimeError(f"Expected index {sizes_str(index._shape)} to be no larger than "
                               f"self {sizes_str(input._shape)} apart from dimension {dim} and "
                               f"to be no larger size than src {sizes_str(src._shape)}")
    elif wrong:
        raise RuntimeError(f"Expected index {sizes_str(index._shape)} to be no larger than self "
                           f"{sizes_str(input._shape)} apart from dimension {dim}")
    check_index_range(index, _nonempty_size(input, dim), dim, exc=RuntimeError, negative=False)


def _value(input, value):
    if isinstance(value, Tensor):
        return value
    from .pointwise import operand
    return checked_scalar(operand(value, "value"), input._dtype)


_REDUCE_ARG = {"add": "sum", "multiply": "prod"}


@register(inplace=True)
def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """``input`` with ``src`` (a tensor or a number) written at ``index`` along ``dim``:
    ``out[i][index[i][j]] = src[i][j]`` (dim=1); ``reduce='add'``/``'multiply'`` combine."""
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    d = wrap_dim(dim, input.ndim)
    is_tensor = isinstance(src, Tensor)
    _scatter_checks("scatter", input, d, index, src if is_tensor else None)
    if reduce is not None:
        if reduce not in _REDUCE_ARG:
            raise RuntimeError("reduce argument must be either add or multiply.")
        if is_tensor and _warn_once("scatter_reduce"):
            warnings.warn(
                "The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
                "reduction options.", UserWarning, stacklevel=2)
        # PyTorch has no derivative for this overload (its grad_fn is NotImplemented)
        return dispatch(_SCATTER_REDUCE_NI, (input, index, _value(input, src)),
                        (d, _REDUCE_ARG[reduce], True))
    op = _SCATTER if is_tensor else _SCATTER_VALUE
    return dispatch(op, (input, index, _value(input, src)), (d, "set", True))


@register(inplace=True)
def scatter_add(input, dim, index, src):
    """``input`` with ``src`` added at ``index`` along ``dim`` (repeated indices accumulate)."""
    d = wrap_dim(dim, input.ndim)
    _scatter_checks("scatter", input, d, index, src)
    return dispatch(_SCATTER_ADD, (input, index, src), (d, "sum", True))


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


@register(inplace=True)
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """``input`` with ``src`` reduced into it at ``index`` along ``dim``: ``reduce`` is sum,
    prod, mean, amax or amin; ``include_self=False`` leaves input's values out."""
    d = wrap_dim(dim, input.ndim)
    _scatter_checks("scatter_reduce", input, d, index, src)
    if reduce not in _REDUCTIONS:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    op = _SCATTER_REDUCE_LINEAR if reduce in ("sum", "mean") else _SCATTER_REDUCE
    return dispatch(op, (input, index, src), (d, reduce, bool(include_self)))


# --------------------------------------------------------------------------------------------
# index_select, index_add, index_copy, index_fill, index_reduce


def _index_vector(index, name, msg=None):
    if index.ndim > 1:
        raise IndexError(msg or f"{name}(): Index is supposed to be a vector")


def _index_select_impl(x, index, dim):
    x1 = _scalar_ndim(x)
    out = jnp.take(x1, index.reshape(-1), axis=dim, mode="clip")
    return out.reshape(()) if x.ndim == 0 else out


_INDEX_SELECT = engine.Op("index_select", _index_select_impl, grad="IndexSelectBackward0",
                          linear=True)


@register(out=True)
def index_select(input, dim, index):
    """The slices of ``input`` along ``dim`` at the positions in the 1-d ``index``."""
    d = wrap_dim(dim, input.ndim)
    _index_vector(index, "index_select")
    if input.ndim == 0 and index.numel() != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                         f"{index.numel()} value(s)")
    if index._dtype not in (D.int64, D.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    check_index_range(index, _nonempty_size(input, d), d, negative=False,
                      msg="index out of range in self")
    return dispatch(_INDEX_SELECT, (input, index), (d,))


def _source_checks(name, input, d, index, source):
    """PyTorch's index_func_meta_impl checks (index_add_, index_reduce_)."""
    if source._dtype is not input._dtype:
        raise RuntimeError(f"{name}(): self ({D._short(input._dtype)}) and source "
                           f"({D._short(source._dtype)}) must have the same scalar type")
    if not (d == 0 or d < source.ndim):
        raise RuntimeError(f"{name}(): Indexing dim {d} is out of bounds of the source tensor "
                           f"with dim {source.ndim}")
    n = index.numel()
    src_n = 1 if source.ndim == 0 else source._shape[d]
    if n != src_n:
        raise RuntimeError(f"{name}(): Number of indices ({n}) should be equal to "
                           f"source.size(dim): ({src_n}), for dim: {d}")
    a, b = list(input._shape), list(source._shape)
    if input.ndim and source.ndim:
        del a[d], b[d]
    if a != b:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {sizes_str(input._shape)} "
                           f"source.shape = {sizes_str(source._shape)}")


def _index_coords(index, dim, src_shape):
    """Full coordinates for writing a source of ``src_shape`` at ``index`` along ``dim``."""
    idx = index.reshape(-1)
    pos = lax.broadcasted_iota(idx.dtype, src_shape, dim)
    return tuple(idx[pos] if d == dim else lax.broadcasted_iota(idx.dtype, src_shape, d)
                 for d in range(len(src_shape)))


def _index_add_impl(x, index, source, alpha, dim):
    x1 = _scalar_ndim(x)
    src = _scalar_ndim(source).reshape(_src_shape(x1, dim, index))
    if x.dtype != jnp.bool_:
        src = src * jnp.asarray(alpha).astype(x.dtype)
    key = (slice(None),) * dim + (index.reshape(-1),)
    return x1.at[key].add(src).reshape(x.shape)


def _src_shape(x1, dim, index):
    return x1.shape[:dim] + (index.size,) + x1.shape[dim + 1:]


_INDEX_ADD = engine.Op("index_add", _index_add_impl, grad="IndexAddBackward0", linear=True)


@register(inplace=True)
def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha * source`` added to the slices at ``index`` along ``dim``."""
    d = wrap_dim(dim, input.ndim)
    if index.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                         f"{index.ndim} with type: {D._short(index._dtype)} and size: "
                         f"{sizes_str(index._shape)}")
    if index._dtype not in (D.int64, D.int32):
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{D._short(index._dtype)}")
    _source_checks("index_add_", input, d, index, source)
    check_index_range(index, _nonempty_size(input, d), d, exc=RuntimeError, negative=False)
    if alpha != 1:
        from .pointwise import operand
        alpha = operand(alpha, "alpha")
        if isinstance(alpha, float) and not (input._dtype.is_floating_point or
                                             input._dtype.is_complex):
            alpha = int(alpha)
    return dispatch(_INDEX_ADD, (input, index, source, alpha), (d,))


def _index_copy_impl(x, index, source, dim):
    x1 = _scalar_ndim(x)
    src = _scalar_ndim(source).reshape(_src_shape(x1, dim, index))
    return scatter_set(x1, (dim,), (index.reshape(-1),), src).reshape(x.shape)


_INDEX_COPY = engine.Op("index_copy", _index_copy_impl, grad="IndexCopyBackward0", linear=True)


@register(inplace=True)
def index_copy(input, dim, index, source):
    """``input`` with the slices at ``index`` along ``dim`` replaced by ``source``'s."""
    d = wrap_dim(dim, input.ndim)
    if index.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {index.ndim})")
    n = index.numel()
    if source.ndim == 0 and n != 1:
        raise IndexError(f"index_copy_(): When source is scalar, index should have one element "
                         f"(got {n})")
    if source.ndim != input.ndim and source.ndim and input.ndim:
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their "
                         f"dimensionality must match. Source dimensionality ({source.ndim}), "
                         f"destination dimensionality ({input.ndim})")
    if index._dtype is not D.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                           f"{D._short(index._dtype)}")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {D._short(input._dtype)} and (source) "
                           f"{D._short(source._dtype)}")
    a, b = list(input._shape), list(source._shape)
    if a:
        del a[d]
    if b:
        del b[d]
    if a != b:
        raise RuntimeError(
            f"index_copy_(): Source/destination tensor must have same slice shapes. Destination "
            f"slice shape: {' '.join(map(str, a))} at dimension {d} and source slice shape: "
            f"{' '.join(map(str, b))} at dimension 0.")
    if source.ndim and n != source._shape[d]:
        raise IndexError(f"index_copy_(): Number of indices ({n}) should be equal to "
                         f"source.size(dim) ({source._shape[d]})")
    check_index_range(index, _nonempty_size(input, d), d, negative=False,
                      msg="index_copy_(): index {index} is out of bounds for dimension {dim} "
                      "with size {size}")
    return dispatch(_INDEX_COPY, (input, index, source), (d,))


def _index_fill_impl(x, index, value, dim):
    x1 = _scalar_ndim(x)
    n = x1.shape[dim]
    sel = jnp.zeros((n,), bool).at[index.reshape(-1)].set(True)
    sel = sel.reshape((1,) * dim + (n,) + (1,) * (x1.ndim - dim - 1))
    return jnp.where(sel, jnp.asarray(value).astype(x.dtype), x1).reshape(x.shape)


_INDEX_FILL = engine.Op("index_fill", _index_fill_impl, grad="IndexFillBackward0", linear=True)
_INDEX_FILL_T = engine.Op("index_fill", _index_fill_impl, grad="IndexFillBackward1",
                          linear=True)


@register(inplace=True)
def index_fill(input, dim, index, value):
    """``input`` with the slices at ``index`` along ``dim`` filled with ``value`` (a number
    or a 0-d tensor)."""
    d = wrap_dim(dim, input.ndim)
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        op = _INDEX_FILL_T
    else:
        value = _value(input, value)
        op = _INDEX_FILL
    if index._dtype is not D.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if index.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    check_index_range(index, _nonempty_size(input, d), d)
    return dispatch(op, (input, index, value), (d,))


def _index_reduce_impl(x, index, source, dim, mode, include_self):
    x1 = _scalar_ndim(x)
    src = _scalar_ndim(source).reshape(_src_shape(x1, dim, index))
    coords = _index_coords(index, dim, src.shape)
    return scatter_core(x1, src, coords, mode, include_self).reshape(x.shape)


_INDEX_REDUCE = engine.Op("index_reduce", _index_reduce_impl, grad="IndexReduceBackward0")
_INDEX_REDUCE_MEAN = engine.Op("index_reduce", _index_reduce_impl, grad="IndexReduceBackward0",
                               linear=True)


@register(inplace=True)
def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """``input`` with ``source``'s slices reduced into the slices at ``index`` along ``dim``:
    ``reduce`` is prod, mean, amax or amin."""
    if _warn_once("index_reduce"):
        warnings.warn("index_reduce() is in beta and the API may change at any time.",
                      UserWarning, stacklevel=2)
    d = wrap_dim(dim, input.ndim)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    _index_vector(index, "index_reduce_")
    _source_checks("index_reduce_", input, d, index, source)
    check_index_range(index, _nonempty_size(input, d), d, negative=False,
                      msg="index out of range in self")
    op = _INDEX_REDUCE_MEAN if reduce == "mean" else _INDEX_REDUCE
    return dispatch(op, (input, index, source), (d, reduce, bool(include_self)))


# --------------------------------------------------------------------------------------------
# take_along_dim


def _take_along_impl(x, idx, dim, n):
    # negative indices count from the end (PyTorch's kernel reads them unchecked)
    idx = jnp.where(idx < 0, idx + n, idx)
    return jnp.take_along_axis(x, idx, axis=dim, mode="clip")


_TAKE_ALONG = engine.Op("take_along_dim", _take_along_impl, grad="GatherBackward0", linear=True)


@register(out=True)
def take_along_dim(input, indices, dim=None):
    """``gather`` after broadcasting ``input`` and ``indices`` (all dims but ``dim``); with
    ``dim=None`` both are flattened first."""
    if indices._dtype is not D.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{D._short(indices._dtype)}")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    if input.ndim != indices.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input.ndim} dimensions for input, "
                           f"and {indices.ndim} dimensions for indices")
    d = wrap_dim(dim, input.ndim)
    from ._util import broadcast_shapes
    s_in, s_idx = list(input._shape), list(indices._shape)
    s_in[d] = s_idx[d] = 1
    b = broadcast_shapes(tuple(s_in), tuple(s_idx))
    n = input._shape[d]
    check_index_range(indices, n, d, exc=RuntimeError)
    b_in = b[:d] + (n,) + b[d + 1:]
    b_idx = b[:d] + (indices._shape[d],) + b[d + 1:]
    return dispatch(_TAKE_ALONG, (input.expand(*b_in), indices.expand(*b_idx)), (d, n))
