"""Shape ops that copy: clone, reshape-by-copy, cat, stack, ..."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .. import _layout
from .._dispatch import dispatch
from .._engine import core as engine
from .._promotion import result_type_sigs
from .._tensor import Tensor
from ._registry import register
from ._util import wrap_dim

__all__ = ["clone", "cat", "stack", "RESHAPE_COPY", "repeat", "tile", "repeat_interleave",
           "hstack", "vstack", "dstack", "column_stack", "atleast_1d", "atleast_2d",
           "atleast_3d", "flip", "fliplr", "flipud", "roll", "rot90", "broadcast_tensors",
           "broadcast_shapes", "meshgrid", "cartesian_prod", "combinations"]


def _identity(x):
    return x


CLONE = engine.Op("clone", _identity, grad="CloneBackward0", linear=True)
RESHAPE_COPY = engine.Op("reshape", lambda x, shape: jnp.reshape(x, shape),
                         grad="UnsafeViewBackward0", linear=True)


def _dense_strides(t):
    """Strides ``empty_like(t)`` gets under preserve_format: t's own if they are non-overlapping
    and dense, else the contiguous layout in t's dimension order (PyTorch's
    infer_dense_strides).  None means the contiguous layout."""
    from ._iter import contiguous_strides, iterator_strides
    shape = t._shape
    stride = t.stride()
    if t._stride is None:
        return None
    order = sorted(range(len(shape)), key=lambda i: (stride[i], -i))
    expected = 1
    dense = True
    for i in order:
        if shape[i] == 1:
            continue
        if stride[i] != expected:
            dense = False
            break
        expected *= shape[i]
    if not dense:
        return iterator_strides(shape, (stride,))
    return None if tuple(stride) == contiguous_strides(shape) else tuple(stride)


@register()
def clone(input, *, memory_format=None, _contiguous=False):
    """A copy with its own storage (the same strides for a dense layout, like PyTorch)."""
    out = dispatch(CLONE, (input,))
    if not _contiguous and memory_format in (None, _layout.preserve_format):
        out._stride = out._st.base_strides = _dense_strides(input)
    return out


def _cat_prepare(sigs, static):
    (dim,) = static
    rt = result_type_sigs(sigs)
    return (dim, rt.np)


def _cat_impl(*a):
    *arrays, dim, np_dtype = a
    return jnp.concatenate([x.astype(np_dtype) for x in arrays], axis=dim)


CAT = engine.Op("cat", _cat_impl, prepare=_cat_prepare, grad="CatBackward0", linear=True)


def _check_tensors(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    tensors = tuple(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return tensors


@register(out=True, aliases=("concat", "concatenate"))
def cat(tensors, dim=0, *, axis=None):
    """Concatenate tensors along an existing dim (``axis`` is an alias of ``dim``)."""
    if axis is not None:
        dim = axis
    tensors = _check_tensors(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # legacy: 1-d empty tensors are skipped
    ref = next((t for t in tensors if not (t.ndim == 1 and t._shape[0] == 0)), None)
    if ref is None:
        return dispatch(CAT, tensors, (0,))
    nd = ref.ndim
    if nd == 0:
        raise RuntimeError(f"zero-dimensional tensor (at position {tensors.index(ref)}) cannot "
                           "be concatenated")
    d = wrap_dim(dim, nd)
    parts = []
    for i, t in enumerate(tensors):
        if t.ndim == 1 and t._shape[0] == 0:
            continue
        if t.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and "
                               f"{t.ndim}")
        for k in range(nd):
            if k != d and t._shape[k] != ref._shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {ref._shape[k]} but got size {t._shape[k]} "
                                   f"for tensor number {i} in the list.")
        parts.append(t)
    return dispatch(CAT, tuple(parts), (d,))


def _stack_impl(*a):
    *arrays, dim, np_dtype = a
    return jnp.stack([x.astype(np_dtype) for x in arrays], axis=dim)


STACK = engine.Op("stack", _stack_impl, prepare=_cat_prepare, grad="StackBackward0",
                  linear=True)


@register(out=True)
def stack(tensors, dim=0):
    """Stack tensors of equal shape along a new dim."""
    tensors = _check_tensors(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    d = wrap_dim(dim, tensors[0].ndim + 1)
    s0 = tensors[0]._shape
    for i, t in enumerate(tensors[1:], 1):
        if t._shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"[{', '.join(map(str, s0))}] at entry 0 and "
                               f"[{', '.join(map(str, t._shape))}] at entry {i}")
    return dispatch(STACK, tensors, (d,))



# --------------------------------------------------------------------------------------------
# repeat, tile, repeat_interleave


def _repeat_impl(x, reps):
    x = x.reshape((1,) * (len(reps) - x.ndim) + x.shape)
    return jnp.tile(x, reps)


_REPEAT = engine.Op("repeat", _repeat_impl, grad="RepeatBackward0", linear=True)


def _repeat_sizes(input, reps):
    if len(reps) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    shape = (1,) * (len(reps) - input.ndim) + input._shape
    out = tuple(s * r for s, r in zip(shape, reps))
    if any(s < 0 for s in out):
        bad = next(s for s in out if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: "
                           f"[{', '.join(map(str, out))}]")
    return out


@register(function=False)
def repeat(self, *repeats):
    """This tensor repeated ``repeats[i]`` times along each dim (new leading dims allowed)."""
    if not repeats:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    from ._util import parse_size_allow_neg
    reps = parse_size_allow_neg(repeats, "repeats")
    _repeat_sizes(self, reps)
    return dispatch(_REPEAT, (self,), (reps,))


@register()
def tile(input, *dims):
    """``input`` repeated along each dim; ``dims`` shorter than ``input.ndim`` is padded with
    ones on the left."""
    from ._util import parse_size_allow_neg
    reps = parse_size_allow_neg(dims, "dims")
    reps = (1,) * (input.ndim - len(reps)) + reps
    _repeat_sizes(input, reps)
    return dispatch(_REPEAT, (input,), (reps,))


def _repeat_index_impl(repeats, n, total):
    return jnp.repeat(jnp.arange(n, dtype=repeats.dtype), repeats, total_repeat_length=total)


_REPEAT_INDEX = engine.Op("repeat_interleave", _repeat_index_impl)


def _repeat_index(repeats, n, output_size):
    """The index ``[0]*r0 + [1]*r1 + ...`` for tensor ``repeats`` (a sync point unless
    ``output_size`` is given for pending repeats, as PyTorch avoids a sync on CUDA)."""
    from .._dispatch import dispatch_nograd
    from .creation import host_tensor
    ref = repeats._ref()
    if output_size is not None and type(ref) is engine.Pending and ref.value is None:
        return dispatch_nograd(_REPEAT_INDEX, (repeats,), (n, int(output_size)))
    r = repeats._numpy_view().reshape(-1)
    if r.size and r.min() < 0:
        raise RuntimeError("repeats can not be negative")
    total = int(r.sum())
    if output_size is not None and output_size != total:
        raise RuntimeError("allocated size does not match required size")
    return host_tensor(np.repeat(np.arange(n, dtype=r.dtype), r), repeats._dtype)


def _check_repeats_dtype(repeats):
    if repeats._dtype not in (D.int64, D.int32):
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for "
                                  f"'{D._short(repeats._dtype)}'")


@register()
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along ``dim``) repeated ``repeats`` times, in place order:
    ``[a, b] -> [a, a, b, b]``.  ``torch.repeat_interleave(r)`` gives the index
    ``[0]*r[0] + [1]*r[1] + ...``."""
    if repeats is None:
        r = input
        if r.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        _check_repeats_dtype(r)
        return _repeat_index(r, r._shape[0], output_size)
    if dim is None:
        input = input.reshape(-1)
        dim = 0
    d = wrap_dim(dim, input.ndim)
    if isinstance(repeats, Tensor):
        if repeats.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        n = input._shape[d] if input.ndim else 1
        if repeats.ndim == 1 and repeats._shape[0] not in (1, n):
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {repeats._shape[0]} and input.size({d}) = {n}")
        _check_repeats_dtype(repeats)
        if repeats.ndim == 0 or repeats._shape[0] != n:
            repeats = repeats.reshape(1).expand(n)
        from .scatter import index_select
        return index_select(input, d, _repeat_index(repeats, n, output_size))
    import operator
    r = operator.index(repeats)
    if r < 0:
        raise RuntimeError("Repeats must be non-negative")
    from .view import expand, flatten, unsqueeze
    x = unsqueeze(input, d + 1)
    shape = list(x._shape)
    shape[d + 1] = r
    x = clone(expand(x, *shape), _contiguous=True)
    return flatten(x, d, d + 1)


# --------------------------------------------------------------------------------------------
# hstack, vstack, dstack, column_stack


def _tensor_list(tensors, name):
    tensors = _check_tensors(tensors, name)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


@register(out=True)
def hstack(tensors):
    """Concatenate horizontally: along dim 1 (dim 0 for 1-d tensors)."""
    ts = _atleast(_tensor_list(tensors, "hstack"), 1)
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


@register(out=True, aliases=("row_stack",))
def vstack(tensors):
    """Concatenate vertically (along dim 0), 1-d tensors becoming rows."""
    return cat(_atleast(_tensor_list(tensors, "vstack"), 2), 0)


@register(out=True)
def dstack(tensors):
    """Concatenate depth-wise (along dim 2), after making every tensor at least 3-d."""
    return cat(_atleast(_tensor_list(tensors, "dstack"), 3), 2)


@register(out=True)
def column_stack(tensors):
    """Concatenate as columns: 0-d and 1-d tensors become ``(n, 1)`` columns."""
    ts = _tensor_list(tensors, "column_stack")
    ts = tuple(t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in ts)
    return cat(ts, 1)


# --------------------------------------------------------------------------------------------
# atleast_1d/2d/3d


def _atleast_one(t, n):
    from .view import unsqueeze
    nd = t.ndim
    if nd >= n:
        return t
    if nd == 0:
        return t.reshape((1,) * n)
    if n == 2 or nd == 2:
        return unsqueeze(t, 0) if nd == 1 and n == 2 else unsqueeze(t, -1)
    return unsqueeze(unsqueeze(t, 0), -1)


def _atleast(tensors, n):
    return tuple(_atleast_one(t, n) for t in tensors)


def _atleast_args(tensors, n, name):
    if len(tensors) == 1:
        t = tensors[0]
        if isinstance(t, Tensor):
            return _atleast_one(t, n)
        return _atleast(_check_tensors(t, name), n)
    return _atleast(_check_tensors(tensors, name), n)


@register(method=False)
def atleast_1d(*tensors):
    """Each tensor viewed with at least 1 dim (a tuple for several tensors)."""
    return _atleast_args(tensors, 1, "atleast_1d")


@register(method=False)
def atleast_2d(*tensors):
    """Each tensor viewed with at least 2 dims (1-d tensors become rows)."""
    return _atleast_args(tensors, 2, "atleast_2d")


@register(method=False)
def atleast_3d(*tensors):
    """Each tensor viewed with at least 3 dims (``(n,) -> (1, n, 1)``, ``(m, n) -> (m, n, 1)``)."""
    return _atleast_args(tensors, 3, "atleast_3d")


# --------------------------------------------------------------------------------------------
# flip, fliplr, flipud, roll, rot90


_FLIP = engine.Op("flip", lambda x, dims: jnp.flip(x, dims) if dims else x, grad="FlipBackward0",
                  linear=True)


@register()
def flip(input, dims):
    """``input`` with the order of elements reversed along ``dims`` (a copy)."""
    from ._util import wrap_dims
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    dims = wrap_dims(dims, input.ndim)
    if input.ndim == 0:
        dims = ()
    out = dispatch(_FLIP, (input,), (tuple(sorted(dims)),))
    # empty_like(input): the input's layout
    out._stride = out._st.base_strides = _dense_strides(input)
    return out


@register()
def fliplr(input):
    """``input`` flipped left-right (along dim 1)."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@register()
def flipud(input):
    """``input`` flipped up-down (along dim 0)."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def _roll_impl(x, shifts, dims):
    if not dims:
        return jnp.roll(x.reshape(-1), shifts[0]).reshape(x.shape)
    return jnp.roll(x, shifts, dims)


_ROLL = engine.Op("roll", _roll_impl, grad="RollBackward0", linear=True)


@register()
def roll(input, shifts, dims=None):
    """``input`` with elements shifted cyclically by ``shifts`` along ``dims`` (flattened when
    ``dims`` is None)."""
    import operator
    shifts = (operator.index(shifts),) if not isinstance(shifts, (tuple, list)) else \
        tuple(operator.index(s) for s in shifts)
    dims = () if dims is None else ((dims,) if not isinstance(dims, (tuple, list)) else
                                    tuple(dims))
    if not shifts:
        raise RuntimeError("`shifts` required")
    if (not dims and len(shifts) != 1) or (dims and len(shifts) != len(dims)):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    dims = tuple(wrap_dim(d, input.ndim) for d in dims)
    if input.ndim == 0:
        return dispatch(_ROLL, (input,), ((0,), ()))
    return dispatch(_ROLL, (input,), (shifts, dims))


_ROT90 = engine.Op("rot90", lambda x, k, dims: jnp.rot90(x, k, dims), grad="Rot90Backward0",
                   linear=True)


@register()
def rot90(input, k=1, dims=(0, 1)):
    """``input`` rotated by 90 degrees ``k`` times in the plane of ``dims`` (from the first
    towards the second)."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    a, b = wrap_dim(dims[0], input.ndim), wrap_dim(dims[1], input.ndim)
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {a} and "
                           f"dim1 = {b}")
    k %= 4
    out = dispatch(_ROT90, (input,), (k, (a, b)))
    if k:
        # PyTorch flips (keeping the input's layout), then transposes for odd k (a view)
        from ._iter import contiguous_strides
        st = list(_dense_strides(input) or contiguous_strides(input._shape))
        if k % 2:
            st[a], st[b] = st[b], st[a]
        st = tuple(st)
        out._stride = out._st.base_strides = None if st == contiguous_strides(out._shape) else st
    return out


# --------------------------------------------------------------------------------------------
# broadcast_tensors, broadcast_shapes, meshgrid, cartesian_prod, combinations


@register(method=False)
def broadcast_tensors(*tensors):
    """The tensors expanded (as views) to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    from ._util import broadcast_shapes as _bs
    shape = ()
    for t in tensors:
        shape = _bs(shape, t._shape)
    from .view import expand
    return tuple(t if t._shape == shape else expand(t, *shape) for t in tensors)


@register(method=False)
def broadcast_shapes(*shapes):
    """The shape that tensors of the given shapes broadcast to (a ``torch.Size``)."""
    from .._size import Size
    shapes = tuple((s,) if isinstance(s, int) else s for s in shapes if s is not None)
    if not shapes:
        return Size([])
    for s in shapes:
        if not isinstance(s, (tuple, list)):
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a list "
                               f"of ints, got {s}")
    common = [1] * max(len(s) for s in shapes)
    for k, s in enumerate(shapes):
        for idx in range(-1, -1 - len(s), -1):
            if s[idx] == common[idx]:
                continue
            if common[idx] == 1:
                if s[idx] < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative length!")
                common[idx] = s[idx]
            if s[idx] == 1:
                continue
            if common[idx] != s[idx]:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {s[idx]} at "
                                   f"{idx}! Mismatching argument at index {k} had {s}; but "
                                   f"expected shape should be broadcastable to {common}")
    return Size(common)


_MESHGRID_WARNED = [False]


@register(method=False)
def meshgrid(*tensors, indexing=None):
    """Coordinate grids (expanded views) from 0-d/1-d tensors: ``indexing='ij'`` (matrix) or
    ``'xy'`` (Cartesian, first two dims swapped)."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing is None:
        if not _MESHGRID_WARNED[0]:
            _MESHGRID_WARNED[0] = True
            import warnings
            warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                          "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors[1:]:
        if t._dtype is not tensors[0]._dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
    if indexing not in ("xy", "ij"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f'received: {indexing}')
    from .view import expand
    # 'xy': the first two grids vary along dims 1 and 0 (and the grid shape swaps them)
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(axes) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for t, a in zip(tensors, axes):
        shape[a] = t.numel()
    grids = []
    for t, a in zip(tensors, axes):
        view_shape = tuple(-1 if j == a else 1 for j in range(len(tensors)))
        grids.append(expand(t.view(view_shape), *shape))
    return tuple(grids)


def _check_vector(t):
    if t.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape [{', '.join(map(str, t._shape))}]")


@register(method=False)
def cartesian_prod(*tensors):
    """All combinations of elements of the 1-d tensors, one per row (like itertools.product)."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        _check_vector(tensors[0])
        return tensors[0]
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        _check_vector(t)
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


@register(method=False)
def combinations(input, r=2, with_replacement=False):
    """All length-``r`` combinations of the elements of a 1-d tensor, one per row."""
    import itertools
    from .creation import host_tensor
    from .scatter import index_select
    _check_vector(input)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_empty((0,))
    n = input._shape[0]
    gen = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    idx = np.array(list(gen(range(n), r)), dtype=np.int64).reshape(-1, r)
    cols = [index_select(input, 0, host_tensor(np.ascontiguousarray(idx[:, j]), D.int64))
            for j in range(r)]
    return stack(cols, 1)
