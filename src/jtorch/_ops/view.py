"""View ops: results that share storage with their input.

A view op has a value rule (``impl``, written so that it also works on NumPy arrays: a storage
shared with NumPy is read through NumPy views), a metadata rule (``meta``: PyTorch's sizes,
strides and storage offset, and PyTorch's errors), and an ``update`` rule writing a new value of
the view back into its input (in-place ops).  A view tensor keeps the chain of (op, static)
pairs that reads it from its storage's value.
"""
from __future__ import annotations

import operator
from weakref import ref as _weakref

import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .. import _dispatch
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor, _tnew
from ..autograd import grad_mode
from ..autograd.graph import record
from ._registry import register
from ._util import wrap_dim

__all__ = ["ViewOp", "make_view", "read_chain", "read_chain_numpy", "write_chain", "READ",
           "WRITE", "compute_stride"]


def _xp(x):
    return np if isinstance(x, np.ndarray) else jnp


def _iota_update(impl):
    """Write-back for any view that selects elements: scatter through an index map."""

    def update(inp, v, *static):
        idx = impl(jnp.arange(inp.size).reshape(inp.shape), *static)
        return inp.reshape(-1).at[idx.reshape(-1)].set(v.reshape(-1)).reshape(inp.shape)

    return update


class ViewOp(engine.Op):
    __slots__ = ()

    def __init__(self, name, impl, meta, update=None, grad=None, dtype_rule=None):
        super().__init__(name, impl, grad=grad, linear=True, meta=meta,
                         update=update or _iota_update(impl))


def make_view(x, op, static, dtype=None):
    """A view of ``x`` through ``op(static)``: shares x's storage and version counter."""
    shape, stride, offset = op.meta(x._shape, x.stride(), x._offset, *static)
    t = _tnew(Tensor)
    t._st = x._st
    view = x._view
    t._view = ((op, static),) if view is None else view + ((op, static),)
    t._vc = None
    t._vver = -1
    t._shape = shape
    t._dtype = dtype or x._dtype
    t._stride = stride
    t._offset = offset
    t._device = x._device
    t._rg = False
    t._fn = None
    t._out_nr = 0
    t._ver = x._ver
    t._grad = None
    t._base_ = x._base_ if x._base_ is not None else x
    t._ag = None
    if grad_mode.state.enabled and (t._dtype.is_floating_point or t._dtype.is_complex):
        if x._rg:
            plan = engine.get_plan(op, static, ((x._shape, x._dtype),))
            record(op, plan, (x,), (None,), t)
        # an in-place op on the storage later re-derives this view's history (_inplace)
        vs = x._st.views
        if vs is None:
            vs = x._st.views = []
        elif len(vs) > 64:
            vs[:] = [r for r in vs if r() is not None]
        vs.append(_weakref(t))
        if t._rg and getattr(x, "_jt_multi", None) is not None:
            t._jt_multi = (0, _node_name(op.grad))
    if _dispatch.forward_ad_hook is not None:  # forward-mode AD: the view of x's tangent
        from ..autograd.forward_ad import propagate_view
        propagate_view(op, static, x, t)
    return t


def _node_name(grad):
    import re
    return re.sub(r"Backward\d+$", "", grad)


# --------------------------------------------------------------------------------------------
# reading and writing through a chain


def _read_impl(base, *chain):
    for op, static in chain:
        base = op.impl(base, *static)
    return base


def _write_impl(base, v, *chain):
    if any(op.update is _no_update for op, _ in chain) and \
            not any(op is VIEW_DTYPE for op, _ in chain):
        return _write_by_index(base, v, chain)
    vals = [base]
    for op, static in chain[:-1]:
        vals.append(op.impl(vals[-1], *static))
    for (op, static), inp in zip(reversed(chain), reversed(vals)):
        v = op.update(inp, v.astype(op.impl(inp, *static).dtype), *static)
    return v


def _write_by_index(base, v, chain):
    """Write through a chain with an expand (several view elements alias one base element):
    scatter through the index map the chain reads, as memory would be written."""
    idx = _read_impl(jnp.arange(base.size).reshape(base.shape), *chain)
    flat = base.reshape(-1).at[idx.reshape(-1)].set(v.astype(base.dtype).reshape(-1))
    return flat.reshape(base.shape)


READ = engine.Op("view_read", _read_impl, grad="AsStridedBackward0", linear=True)
WRITE = engine.Op("view_write", _write_impl, grad="CopySlices", linear=True)


def _sig(r):
    shape, dt = engine.shape_dtype(r)
    return (tuple(shape), D.from_np(dt))


def read_chain(value, chain):
    plan = engine.get_plan(READ, chain, (_sig(value),))
    return engine.apply(plan, (value,))


def read_chain_numpy(value, chain):
    for op, static in chain:
        value = op.impl(value, *static)
    return value


def write_chain(base, chain, v):
    plan = engine.get_plan(WRITE, chain, (_sig(base), _sig(v)))
    return engine.apply(plan, (base, v))


def relative_chain(view, base):
    chain = view._view
    prefix = base._view or ()
    if chain[:len(prefix)] != prefix:
        raise NotImplementedError("in-place op on a view whose base is itself an alias of a view")
    return chain[len(prefix):]


# --------------------------------------------------------------------------------------------
# stride rules


def contiguous_strides(shape):
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def compute_stride(oldshape, oldstride, newshape):
    """Strides for viewing (oldshape, oldstride) as newshape, or None if that needs a copy."""
    numel = 1
    for s in oldshape:
        numel *= s
    if numel == 0:
        return tuple(oldstride) if tuple(oldshape) == tuple(newshape) else \
            contiguous_strides(newshape)
    if not oldshape:
        oldshape, oldstride = (1,), (1,)
    newstride = [0] * len(newshape)
    view_d = len(newshape) - 1
    chunk_base_stride = oldstride[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(oldshape) - 1, -1, -1):
        tensor_numel *= oldshape[tensor_d]
        if tensor_d == 0 or (oldshape[tensor_d - 1] != 1 and
                             oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or newshape[view_d] == 1):
                newstride[view_d] = view_numel * chunk_base_stride
                view_numel *= newshape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = oldstride[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(newstride)


def infer_size(shape, numel):
    """Resolve one -1 in ``shape`` for a tensor of ``numel`` elements (PyTorch's errors)."""
    newsize = 1
    infer = None
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s >= 0:
            newsize *= s
        else:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape "
                               f"[{', '.join(map(str, shape))}]")
    if numel == newsize or (infer is not None and newsize > 0 and numel % newsize == 0):
        if infer is not None:
            if newsize == 0:
                raise RuntimeError(f"cannot reshape tensor of 0 elements into shape "
                                   f"[{', '.join(map(str, shape))}] because the unspecified "
                                   "dimension size -1 can be any value and is ambiguous")
            shape = tuple(shape[:infer]) + (numel // newsize,) + tuple(shape[infer + 1:])
        return tuple(shape)
    raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size "
                       f"{numel}")


# --------------------------------------------------------------------------------------------
# the view ops


def _reshape_impl(x, shape):
    return x.reshape(shape)


def _reshape_meta(shape, stride, offset, newshape):
    st = compute_stride(shape, stride, newshape)
    if st is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    return newshape, st, offset


RESHAPE = ViewOp("view", _reshape_impl, _reshape_meta,
                 update=lambda inp, v, shape: v.reshape(inp.shape), grad="ViewBackward0")


def _permute_impl(x, perm):
    return x.transpose(perm)


def _permute_meta(shape, stride, offset, perm):
    return tuple(shape[p] for p in perm), tuple(stride[p] for p in perm), offset


def _permute_update(inp, v, perm):
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return v.transpose(inv)


PERMUTE = ViewOp("permute", _permute_impl, _permute_meta, update=_permute_update,
                 grad="PermuteBackward0")
TRANSPOSE = ViewOp("transpose", _permute_impl, _permute_meta, update=_permute_update,
                   grad="TransposeBackward0")
T_OP = ViewOp("t", _permute_impl, _permute_meta, update=_permute_update, grad="TBackward0")


def _expand_impl(x, shape):
    return _xp(x).broadcast_to(x, shape)


def _expand_meta(shape, stride, offset, newshape):
    n_new = len(newshape) - len(shape)
    out_stride = []
    for i, size in enumerate(newshape):
        j = i - n_new
        if j < 0:
            out_stride.append(0)
        elif shape[j] == size:
            out_stride.append(stride[j])
        else:
            out_stride.append(0)
    return tuple(newshape), tuple(out_stride), offset


def _no_update(inp, v, *static):
    raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                       "refers to a single memory location. Please clone() the tensor before "
                       "performing the operation.")


EXPAND = ViewOp("expand", _expand_impl, _expand_meta, update=_no_update, grad="ExpandBackward0")


def _slice_impl(x, dim, start, stop, step):
    return x[(slice(None),) * dim + (slice(start, stop, step),)]


def _slice_meta(shape, stride, offset, dim, start, stop, step):
    n = max(0, (stop - start + step - 1) // step)
    shape = shape[:dim] + (n,) + shape[dim + 1:]
    new_stride = stride[:dim] + (stride[dim] * step,) + stride[dim + 1:]
    return shape, new_stride, offset + start * stride[dim]


def _slice_update(inp, v, dim, start, stop, step):
    return inp.at[(slice(None),) * dim + (slice(start, stop, step),)].set(v)


SLICE = ViewOp("slice", _slice_impl, _slice_meta, update=_slice_update, grad="SliceBackward0")


def _select_impl(x, dim, index):
    return x[(slice(None),) * dim + (index,)]


def _select_meta(shape, stride, offset, dim, index):
    return shape[:dim] + shape[dim + 1:], stride[:dim] + stride[dim + 1:], \
        offset + index * stride[dim]


def _select_update(inp, v, dim, index):
    return inp.at[(slice(None),) * dim + (index,)].set(v)


SELECT = ViewOp("select", _select_impl, _select_meta, update=_select_update,
                grad="SelectBackward0")


def _squeeze_impl(x, dims):
    return x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))


def _squeeze_meta(shape, stride, offset, dims):
    keep = [i for i in range(len(shape)) if i not in dims]
    return tuple(shape[i] for i in keep), tuple(stride[i] for i in keep), offset


SQUEEZE = ViewOp("squeeze", _squeeze_impl, _squeeze_meta,
                 update=lambda inp, v, dims: v.reshape(inp.shape), grad="SqueezeBackward1")


def _unsqueeze_impl(x, dim):
    return x.reshape(x.shape[:dim] + (1,) + x.shape[dim:])


def _unsqueeze_meta(shape, stride, offset, dim):
    new_stride = 1 if dim >= len(shape) else shape[dim] * stride[dim]
    return shape[:dim] + (1,) + shape[dim:], stride[:dim] + (new_stride,) + stride[dim:], offset


UNSQUEEZE = ViewOp("unsqueeze", _unsqueeze_impl, _unsqueeze_meta,
                   update=lambda inp, v, dim: v.reshape(inp.shape), grad="UnsqueezeBackward0")


def _diagonal_impl(x, offset, dim1, dim2):
    return _xp(x).diagonal(x, offset, dim1, dim2)


def _diagonal_meta(shape, stride, st_offset, offset, dim1, dim2):
    if offset >= 0:
        n = max(0, min(shape[dim1], shape[dim2] - offset))
        st_offset += offset * stride[dim2] if n else 0
    else:
        n = max(0, min(shape[dim1] + offset, shape[dim2]))
        st_offset -= offset * stride[dim1] if n else 0
    keep = [i for i in range(len(shape)) if i not in (dim1, dim2)]
    return (tuple(shape[i] for i in keep) + (n,),
            tuple(stride[i] for i in keep) + (stride[dim1] + stride[dim2],), st_offset)


DIAGONAL = ViewOp("diagonal", _diagonal_impl, _diagonal_meta, grad="DiagonalBackward0")


def _unfold_impl(x, dim, size, step):
    xp = _xp(x)
    if x.ndim == 0:  # a 0-d tensor unfolds into its single window (size 0 or 1)
        return x.reshape(1)[:size]
    n = (x.shape[dim] - size) // step + 1
    idx = (np.arange(n)[:, None] * step + np.arange(size)[None, :])
    out = xp.take(x, idx.reshape(-1), axis=dim)
    out = out.reshape(x.shape[:dim] + (n, size) + x.shape[dim + 1:])
    return xp.moveaxis(out, dim + 1, -1)


def _unfold_meta(shape, stride, offset, dim, size, step):
    n = (shape[dim] - size) // step + 1 if shape else 1
    if not shape:
        return (size,), (1,), offset
    new_shape = shape[:dim] + (n,) + shape[dim + 1:] + (size,)
    new_stride = stride[:dim] + (stride[dim] * step,) + stride[dim + 1:] + (stride[dim],)
    return new_shape, new_stride, offset


UNFOLD = ViewOp("unfold", _unfold_impl, _unfold_meta, grad="UnfoldBackward0")


def _view_dtype_impl(x, np_dtype):
    if isinstance(x, np.ndarray):
        return x.view(np_dtype)
    import jax.lax as lax
    src = x.dtype.itemsize
    dst = np.dtype(np_dtype).itemsize
    if src == dst:
        return lax.bitcast_convert_type(x, np_dtype)
    if src > dst:
        out = lax.bitcast_convert_type(x, np_dtype)  # (..., n) -> (..., n, src // dst)
        return out.reshape(x.shape[:-1] + (x.shape[-1] * (src // dst),))
    k = dst // src
    y = x.reshape(x.shape[:-1] + (x.shape[-1] // k, k))
    return lax.bitcast_convert_type(y, np_dtype)


def _view_dtype_meta(shape, stride, offset, np_dtype, src_size):
    dst = np.dtype(np_dtype).itemsize
    if dst == src_size:
        return shape, stride, offset
    if not shape:
        raise RuntimeError("self.dim() cannot be 0 to view Float as Half (different element "
                           "sizes)")
    if dst < src_size:
        k = src_size // dst
        return (shape[:-1] + (shape[-1] * k,), tuple(s * k for s in stride[:-1]) + (1,),
                offset * k)
    k = dst // src_size
    return shape[:-1] + (shape[-1] // k,), tuple(s // k for s in stride[:-1]) + (1,), offset // k


def _view_dtype_update(inp, v, np_dtype, src_size):
    return _view_dtype_impl(v, inp.dtype)


VIEW_DTYPE = ViewOp("view_dtype", lambda x, np_dtype, src: _view_dtype_impl(x, np_dtype),
                    _view_dtype_meta, update=_view_dtype_update, grad="ViewBackward0")


def _as_strided_impl(x, size, stride, offset):
    if isinstance(x, np.ndarray):
        flat = np.ascontiguousarray(x).reshape(-1)
        return np.lib.stride_tricks.as_strided(
            flat[offset:], size, tuple(s * flat.itemsize for s in stride), writeable=False)
    idx = offset
    for k, (n, st) in enumerate(zip(size, stride)):
        idx = idx + jnp.arange(n).reshape((1,) * k + (n,) + (1,) * (len(size) - k - 1)) * st
    return x.reshape(-1)[jnp.broadcast_to(idx, size) if size else idx]


def _as_strided_meta(shape, stride, offset, size, new_stride, storage_offset):
    return tuple(size), tuple(new_stride), storage_offset


# reads (size, stride, offset) from its input taken as the flat storage (a contiguous 1-d base)
AS_STRIDED = ViewOp("as_strided", _as_strided_impl, _as_strided_meta,
                    grad="AsStridedBackward0")


# --------------------------------------------------------------------------------------------
# frontends


def _ints(args, name="size"):
    from ._util import parse_size_allow_neg
    return parse_size_allow_neg(args, name)


@register(function=False)
def view(self, *shape):
    """A view of this tensor with a different shape (no copy); see ``reshape``."""
    if len(shape) == 1 and isinstance(shape[0], (D.dtype, type)) or \
            (len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, Tensor)) and
             not hasattr(shape[0], "__index__")):
        return _view_as_dtype(self, shape[0])
    if not shape:
        raise TypeError("view() received an invalid combination of arguments - got (), but "
                        "expected one of:\n * (torch.dtype dtype)\n * (tuple of ints size)\n")
    newshape = infer_size(_ints(shape), self.numel())
    return make_view(self, RESHAPE, (newshape,))


def _view_as_dtype(self, dtype):
    from ._util import dtype_arg
    dtype = dtype_arg(dtype)
    src = self._dtype.itemsize
    dst = dtype.itemsize
    if src != dst:
        if self.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to view {D._short(self._dtype)} as "
                               f"{D._short(dtype)} (different element sizes)")
        if self.stride(-1) != 1:
            raise RuntimeError("self.stride(-1) must be 1 to view "
                               f"{D._short(self._dtype)} as {D._short(dtype)} (different element "
                               "sizes), but got " + str(self.stride(-1)))
        if dst > src and (self._shape[-1] * src) % dst:
            raise RuntimeError(f"self.size(-1) must be divisible by {dst // src} to view "
                               f"{D._short(self._dtype)} as {D._short(dtype)} (different element "
                               f"sizes), but got {self._shape[-1]}")
    return make_view(self, VIEW_DTYPE, (dtype.np, src), dtype=dtype)


@register(function=False)
def view_as(self, other):
    return view(self, tuple(other.shape))


def _reshape_copy(x, newshape):
    from .shape import RESHAPE_COPY
    return dispatch(RESHAPE_COPY, (x,), (newshape,))


@register()
def reshape(input, *shape):
    """This tensor with a new shape: a view when the layout allows, else a copy."""
    newshape = infer_size(_ints(shape, "shape"), input.numel())
    if compute_stride(input._shape, input.stride(), newshape) is not None:
        return make_view(input, RESHAPE, (newshape,))
    return _reshape_copy(input, newshape)


@register(function=False)
def reshape_as(self, other):
    return reshape(self, *other.shape)


@register()
def flatten(input, start_dim=0, end_dim=-1):
    """Flatten dims ``start_dim`` .. ``end_dim`` into one."""
    nd = input.ndim
    if nd == 0:
        return reshape(input, 1)
    s = wrap_dim(start_dim, nd)
    e = wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input._shape
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


@register()
def unflatten(input, dim, sizes):
    d = wrap_dim(dim, input.ndim)
    sizes = tuple(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = input._shape[d]
    try:
        sizes = infer_size(sizes, n)
    except RuntimeError:
        prod = 1
        for s in sizes:
            prod *= s
        raise RuntimeError(f"unflatten: Provided sizes [{', '.join(map(str, sizes))}] don't "
                           f"multiply up to the size of dim {dim} ({n}) in the input tensor") \
            from None
    return view(input, *(input._shape[:d] + sizes + input._shape[d + 1:])) \
        if compute_stride(input._shape, input.stride(),
                          input._shape[:d] + sizes + input._shape[d + 1:]) is not None \
        else reshape(input, input._shape[:d] + sizes + input._shape[d + 1:])


@register()
def ravel(input):
    """The elements as a 1-d tensor: a view of ``input.contiguous()``."""
    return view(contiguous(input), -1)


@register()
def permute(input, *dims):
    """A view with the dimensions reordered."""
    nd = input.ndim
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = _ints(dims, "dims")
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    perm = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(perm)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return make_view(input, PERMUTE, (perm,))


@register(aliases=("swapaxes", "swapdims"))
def transpose(input, dim0, dim1):
    """A view with dims ``dim0`` and ``dim1`` swapped."""
    nd = input.ndim
    a = wrap_dim(dim0, nd)
    b = wrap_dim(dim1, nd)
    perm = list(range(nd))
    perm[a], perm[b] = perm[b], perm[a]
    return make_view(input, TRANSPOSE, (tuple(perm),))


@register()
def t(input):
    """Transpose of a tensor with at most 2 dims."""
    nd = input.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    perm = (1, 0) if nd == 2 else tuple(range(nd))
    return make_view(input, T_OP, (perm,))


@register()
def adjoint(input):
    return transpose(input, -2, -1).conj() if input._dtype.is_complex else transpose(input, -2, -1)


@register(aliases=("moveaxis",))
def movedim(input, source, destination):
    nd = input.ndim
    if isinstance(source, int) != isinstance(destination, int):
        _movedim_type_error(source, destination)
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src = tuple(wrap_dim(s, nd) for s in src)
    dst = tuple(wrap_dim(d, nd) for d in dst)
    for name, ds, given in (("source", src, source), ("destination", dst, destination)):
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"movedim: repeated dim in `{name}` "
                               f"([{', '.join(map(str, given))}])")
    order = [i for i in range(nd) if i not in src]
    perm = [None] * nd
    for s, d in zip(src, dst):
        perm[d] = s
    it = iter(order)
    perm = tuple(p if p is not None else next(it) for p in perm)
    return make_view(input, PERMUTE, (perm,))


def _movedim_type_error(source, destination):
    def sig(v):
        return "int" if isinstance(v, int) else type(v).__name__

    def mark(v, want_int):
        if isinstance(v, int):
            return "int" if want_int else "!int!"
        return f"!tuple of ({', '.join(type(e).__name__ for e in v)})!"

    raise TypeError(
        f"movedim() received an invalid combination of arguments - got (Tensor, {sig(source)}, "
        f"{sig(destination)}), but expected one of:\n"
        f" * (Tensor input, int source, int destination)\n"
        f"      didn't match because some of the arguments have invalid types: (Tensor, "
        f"{mark(source, True)}, {mark(destination, True)})\n"
        f" * (Tensor input, tuple of ints source, tuple of ints destination)\n"
        f"      didn't match because some of the arguments have invalid types: (Tensor, "
        f"{mark(source, False)}, {mark(destination, False)})\n")


@register()
def expand(input, *sizes):
    """A view broadcasting singleton dims to ``sizes`` (-1 keeps a size); no copy."""
    sizes = _ints(sizes)
    shape = input._shape
    nd = len(shape)
    if len(sizes) < nd:
        raise RuntimeError(f"expand(torch.{input._dtype._legacy or 'Tensor'}{{[{', '.join(map(str, shape))}]}}, size=[{', '.join(map(str, sizes))}]): the number of sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({nd})")
    n_new = len(sizes) - nd
    out = []
    for i, s in enumerate(sizes):
        j = i - n_new
        if j < 0:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   "leading, non-existing dimension " + str(i))
            out.append(s)
            continue
        cur = shape[j]
        if s == -1:
            s = cur
        if cur != s and cur != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, sizes))}].  "
                f"Tensor sizes: [{', '.join(map(str, shape))}]")
        out.append(s)
    return make_view(input, EXPAND, (tuple(out),))


@register(function=False)
def expand_as(self, other):
    return expand(self, *other.shape)


@register()
def broadcast_to(input, size):
    return expand(input, *size)


@register()
def squeeze(input, dim=None):
    """Remove dims of size 1 (all of them, or those in ``dim``)."""
    shape = input._shape
    nd = len(shape)
    dims = _squeeze_dims(shape, dim)
    # squeeze(), squeeze(dim), squeeze(dims): SqueezeBackward0/1/2 as PyTorch names them
    op = _renamed(SQUEEZE, "SqueezeBackward" + str(0 if dim is None else
                                                   2 if isinstance(dim, (tuple, list)) else 1))
    return make_view(input, op, (dims,))


def _squeeze_dims(shape, dim):
    nd = len(shape)
    if dim is None:
        return tuple(i for i, s in enumerate(shape) if s == 1)
    ds = dim if isinstance(dim, (tuple, list)) else (dim,)
    return tuple(i for i in (wrap_dim(d, nd) for d in ds) if nd and shape[i] == 1)


_RENAMED = {}


def _renamed(op, grad):
    """``op`` recorded under another grad_fn name (PyTorch names overloads and in-place forms
    of one view differently: SqueezeBackward0..5, TransposeBackward0/1)."""
    if op.grad == grad:
        return op
    key = (op, grad)
    r = _RENAMED.get(key)
    if r is None:
        r = _RENAMED[key] = ViewOp(op.name, op.impl, op.meta, update=op.update, grad=grad)
    return r


@register()
def unsqueeze(input, dim):
    """A view with a size-1 dim inserted at ``dim``."""
    d = wrap_dim(dim, input.ndim + 1)
    return make_view(input, UNSQUEEZE, (d,))


@register()
def select(input, dim, index):
    """The slice at ``index`` along ``dim``, with that dim removed (a view)."""
    nd = input.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, nd)
    n = input._shape[d]
    index = operator.index(index)
    if index < -n or index >= n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"[{', '.join(map(str, input._shape))}] at dimension {d}")
    if index < 0:
        index += n
    return make_view(input, SELECT, (d, index))


def slice_view(input, dim, start, stop, step):
    """``input[..., start:stop:step]`` along ``dim`` with Python's clamping (a view)."""
    if step <= 0:
        raise ValueError("step must be greater than zero")
    n = input._shape[dim]
    start = 0 if start is None else operator.index(start)
    stop = n if stop is None else operator.index(stop)
    if start < 0:
        start = max(start + n, 0)
    if stop < 0:
        stop = max(stop + n, 0)
    start = min(start, n)
    stop = min(max(stop, start), n)
    return make_view(input, SLICE, (dim, start, stop, step))


@register()
def narrow(input, dim, start, length):
    """The ``length`` elements from ``start`` along ``dim`` (a view)."""
    nd = input.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, nd)
    n = input._shape[d]
    start = operator.index(start)
    if start < -n or start > n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return make_view(input, SLICE, (d, start, start + length, 1))


@register()
def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal of dims ``dim1``/``dim2`` (moved to the last dim)."""
    nd = input.ndim
    d1 = wrap_dim(dim1, nd)
    d2 = wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return make_view(input, DIAGONAL, (offset, d1, d2))


@register(function=False)
def unfold(self, dimension, size, step):
    """A view of all windows of ``size`` elements along ``dimension``, ``step`` apart."""
    nd = self.ndim
    d = wrap_dim(dimension, nd)
    n = self._shape[d] if nd else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return make_view(self, UNFOLD, (d, size, step))


@register()
def unbind(input, dim=0):
    """All slices along ``dim`` as a tuple of views."""
    if input.ndim == 0 and dim in (0, -1):
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, input.ndim)
    return _multi_output(tuple(select(input, d, i) for i in range(input._shape[d])), "Unbind")


@register()
def split(tensor, split_size_or_sections, dim=0):
    """Views of consecutive chunks of ``split_size`` (or the given sizes) along ``dim``."""
    d = wrap_dim(dim, tensor.ndim)
    n = tensor._shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [operator.index(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got split_sizes="
                               f"[{', '.join(map(str, sizes))}]")
    else:
        size = operator.index(split_size_or_sections)
        if size <= 0 and not (size == 0 and n == 0):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        sizes = [min(size, n - i) for i in range(0, n, size)] if n else [0]
    out = []
    start = 0
    for s in sizes:
        out.append(make_view(tensor, SLICE, (d, start, start + s, 1)))
        start += s
    name = "SplitWithSizes" if isinstance(split_size_or_sections, (list, tuple)) else "Split"
    return _multi_output(tuple(out), name)


def _multi_output(views, name):
    """PyTorch forbids in-place ops (with autograd) on the views a multi-output view function
    returns, and on views of them: mark them (checked by _inplace.check_inplace)."""
    for i, t in enumerate(views):
        if t._rg:
            t._jt_multi = (i, name)
    return views


@register()
def chunk(input, chunks, dim=0):
    """Split into ``chunks`` views of (almost) equal size along ``dim``."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = wrap_dim(dim, input.ndim)
    n = input._shape[d]
    size = -(-n // chunks) if n else 0
    if size == 0:
        return tuple(make_view(input, SLICE, (d, 0, 0, 1)) for _ in range(chunks)) \
            if n == 0 else ()
    return split(input, size, d)


@register()
def tensor_split(input, indices_or_sections, dim=0):
    d = wrap_dim(dim, input.ndim)
    n = input._shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        bounds = []
        start = 0
        for i in range(k):
            size = q + (1 if i < r else 0)
            bounds.append((start, start + size))
            start += size
    else:
        idx = [operator.index(i) for i in indices_or_sections]
        pts = [0] + idx + [n]
        bounds = [(min(max(a, 0), n), min(max(b, 0), n)) for a, b in zip(pts[:-1], pts[1:])]
        bounds = [(a, max(a, b)) for a, b in bounds]
    return tuple(make_view(input, SLICE, (d, a, b, 1)) for a, b in bounds)


@register()
def as_strided(input, size, stride, storage_offset=None):
    """A view with explicit sizes and strides over this tensor's storage."""
    from .._tensor import _alias
    st = input._st
    base_shape = engine.shape_dtype(st.value)[0] if type(st.value) is not np.ndarray \
        else st.value.shape
    if getattr(st, "base_strides", None) is not None:
        raise NotImplementedError("Tensor.as_strided on a storage with a non-contiguous base "
                                  "layout")
    n = 1
    for d in base_shape:
        n *= d
    size = tuple(int(s) for s in size)
    stride = tuple(int(s) for s in stride)
    offset = input._offset if storage_offset is None else int(storage_offset)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    need = offset + sum((s - 1) * st_ for s, st_ in zip(size, stride)) + 1 if all(size) else 0
    if need > n:
        raise RuntimeError(f"setStorage: sizes [{', '.join(map(str, size))}], strides "
                           f"[{', '.join(map(str, stride))}], storage offset {offset}, and itemsize "
                           f"{input._dtype.itemsize} requiring a storage size of "
                           f"{need * input._dtype.itemsize} are out of bounds for storage of size "
                           f"{n * input._dtype.itemsize}")
    if input._view is None and input._offset == 0 and input.is_contiguous():
        # a base tensor: its flattened value is the storage, so autograd can follow
        flat = make_view(input, RESHAPE, ((n,),)) if input.ndim != 1 else input
        return make_view(flat, AS_STRIDED, (size, stride, offset))
    if input._rg and grad_mode.state.enabled:
        raise NotImplementedError("Tensor.as_strided on a view of a tensor that requires grad")
    base = _alias(input)
    base._view = None
    base._shape = tuple(base_shape)
    base._stride = None
    base._offset = 0
    base._base_ = input._base_ if input._base_ is not None else input
    flat = make_view(base, RESHAPE, ((n,),)) if len(base_shape) != 1 else base
    return make_view(flat, AS_STRIDED, (size, stride, offset))


@register(function=False)
def contiguous(self, memory_format=None):
    """This tensor if already contiguous, else a contiguous copy."""
    if self.is_contiguous():
        return self
    from .shape import clone
    return clone(self, memory_format=None, _contiguous=True)


# --------------------------------------------------------------------------------------------
# alias


def _alias_meta(shape, stride, offset):
    return shape, stride, offset


ALIAS = ViewOp("alias", lambda x: x, _alias_meta, update=lambda inp, v: v,
               grad="AliasBackward0")


def alias(input):
    """A view of the whole tensor (``x[...]``): same sizes, strides and storage."""
    return make_view(input, ALIAS, ())


# --------------------------------------------------------------------------------------------
# in-place view ops: the tensor itself takes the new sizes and strides (same storage)


def _inplace_view(self, op, static, grad, src=None):
    """``self`` becomes the view ``op(static)`` of ``src`` (default: itself), recorded with
    the in-place op's grad_fn name; same storage, version bumped."""
    from . import _inplace
    _inplace.check_inplace(self)
    v = make_view(self if src is None else src, _renamed(op, grad), static)
    self._view = v._view
    self._shape, self._stride, self._offset = v._shape, v._stride, v._offset
    self._vc, self._vver = None, -1
    if v._rg:
        self._fn, self._out_nr, self._rg = v._fn, v._out_nr, True
    self._ver[0] += 1
    return self


@register("transpose_", function=False, aliases=("swapaxes_", "swapdims_"))
def transpose_inplace(self, dim0, dim1):
    """In-place :meth:`transpose`: this tensor's dims ``dim0`` and ``dim1`` swap; returns
    self."""
    nd = self.ndim
    a, b = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    perm = list(range(nd))
    perm[a], perm[b] = perm[b], perm[a]
    return _inplace_view(self, TRANSPOSE, (tuple(perm),), "TransposeBackward1")


@register("t_", function=False)
def t_inplace(self):
    """In-place :meth:`t`."""
    nd = self.ndim
    if nd > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {nd}D")
    perm = (1, 0) if nd == 2 else tuple(range(nd))
    return _inplace_view(self, T_OP, (perm,), "TBackward1")


@register("squeeze_", function=False)
def squeeze_inplace(self, dim=None):
    """In-place :meth:`squeeze`."""
    n = 3 if dim is None else 5 if isinstance(dim, (tuple, list)) else 4
    return _inplace_view(self, SQUEEZE, (_squeeze_dims(self._shape, dim),),
                         f"SqueezeBackward{n}")


@register("unsqueeze_", function=False)
def unsqueeze_inplace(self, dim):
    """In-place :meth:`unsqueeze`."""
    return _inplace_view(self, UNSQUEEZE, (wrap_dim(dim, self.ndim + 1),), "UnsqueezeBackward1")


@register("as_strided_", function=False)
def as_strided_(self, size, stride, storage_offset=None):
    """In-place :meth:`as_strided`."""
    static = as_strided(self, size, stride, storage_offset)._view[-1][1]
    # as_strided addresses the storage: under autograd record it on the flat tensor
    src = _flat_of(self) if self._rg and grad_mode.state.enabled else None
    return _inplace_view(self, AS_STRIDED, static, "AsStridedBackward1", src)


def _flat_of(t):
    n = 1
    for d in t._shape:
        n *= d
    return make_view(t, RESHAPE, ((n,),)) if t.ndim != 1 else t


@register("resize_", function=False)
def resize_(self, *sizes, memory_format=None):
    """Give this tensor new sizes (contiguous), keeping its data in memory order; growing past
    the storage reallocates it."""
    from ._util import parse_size
    from ._inplace import check_inplace
    from .._tensor import _assign_storage
    check_inplace(self)
    size = parse_size(sizes)
    st = self._st
    if type(st.value) is np.ndarray:
        if size == self._shape:
            return self
        raise RuntimeError("Trying to resize storage that is not resizable")
    n = 1
    for s in size:
        n *= s
    base_shape = engine.shape_dtype(st.value)[0]
    total = 1
    for s in base_shape:
        total *= s
    if self._offset + n <= total and st.base_strides is None:
        v = as_strided(self, size, contiguous_strides(size), self._offset)
        self._view = v._view
        self._shape = v._shape
        self._stride = v._stride
        self._offset = v._offset
        self._vc = None
        self._vver = -1
        return self
    # grow: a new storage holding the old elements (in memory order) followed by zeros
    from .creation import zeros
    from .shape import cat
    with grad_mode.no_grad():
        if st.base_strides is None and total > self._offset:
            # the storage's elements from this tensor's offset on, in memory order
            flat = as_strided(self, (total - self._offset,), (1,), self._offset).clone()
        else:
            flat = self.contiguous().reshape(-1) if self.numel() else None
        pad = zeros(n - (flat.numel() if flat is not None else 0), dtype=self._dtype)
        new = (cat([flat, pad]) if flat is not None else pad).reshape(size)
    ver = self._ver
    _assign_storage(self, new)
    self._view = None
    self._base_ = None
    self._ver = ver
    ver[0] += 1
    return self


@register("resize_as_", function=False)
def resize_as_(self, the_template, memory_format=None):
    return resize_(self, *the_template.shape)
