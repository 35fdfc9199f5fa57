"""More shape functions: hsplit/vsplit/dsplit, split_with_sizes and the ``unsafe_`` splits,
view_as_real/view_as_complex, the ``*_scatter`` functions (the out-of-place inverse of a view)
and the ``*_copy`` functions (a view's values as a new tensor)."""
from __future__ import annotations

import jax.numpy as jnp

from .. import _dtype as D
from .._tensor import Tensor
from ._argparse import arg_error
from ._registry import register
from .view import ViewOp, make_view

__all__ = ["hsplit", "vsplit", "dsplit", "split_with_sizes", "unsafe_split", "unsafe_chunk",
           "unsafe_split_with_sizes", "view_as_real", "view_as_complex", "diagonal_scatter",
           "select_scatter", "slice_scatter", "as_strided_scatter", "narrow_copy", "detach_copy"]


# --------------------------------------------------------------------------------------------
# hsplit / vsplit / dsplit


def _nsplit(name, input, sections, dim, min_dim):
    if input.ndim < min_dim:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dim} dimension, "
                           f"but got a tensor with {input.ndim} dimensions!")
    if isinstance(sections, int) and not isinstance(sections, bool):
        size = input._shape[dim]
        if sections == 0 or size % sections != 0:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {size} is not divisible by the "
                               f"split_size {sections}!")
    return input.tensor_split(sections, dim)


@register()
def hsplit(input, indices_or_sections):
    """Split along dim 1 (dim 0 for 1-d tensors) into equal sections or at indices."""
    return _nsplit("hsplit", input, indices_or_sections, 1 if input.ndim > 1 else 0, 1)


@register()
def vsplit(input, indices_or_sections):
    """Split along dim 0 into equal sections or at indices (at least 2-d input)."""
    return _nsplit("vsplit", input, indices_or_sections, 0, 2)


@register()
def dsplit(input, indices_or_sections):
    """Split along dim 2 into equal sections or at indices (at least 3-d input)."""
    return _nsplit("dsplit", input, indices_or_sections, 2, 3)


@register()
def split_with_sizes(input, split_sizes, dim=0):
    """Split into pieces of the given sizes along ``dim`` (views)."""
    return input.split(list(split_sizes), dim)


@register()
def unsafe_split(input, split_size, dim=0):
    """``split`` (jtorch's views are always safe to modify in place)."""
    return input.split(split_size, dim)


@register()
def unsafe_chunk(input, chunks, dim=0):
    """``chunk`` (jtorch's views are always safe to modify in place)."""
    return input.chunk(chunks, dim)


@register()
def unsafe_split_with_sizes(input, split_sizes, dim=0):
    """``split_with_sizes`` (jtorch's views are always safe to modify in place)."""
    return input.split(list(split_sizes), dim)


# --------------------------------------------------------------------------------------------
# view_as_real / view_as_complex: views whose element type differs from the storage's


def _as_real_impl(x):
    return jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1)


def _as_real_meta(shape, stride, offset):
    return shape + (2,), tuple(s * 2 for s in stride) + (1,), offset * 2


def _as_real_update(inp, v):
    return (v[..., 0] + 1j * v[..., 1]).astype(inp.dtype)


def _as_complex_impl(x):
    return jax_complex(x[..., 0], x[..., 1])


def jax_complex(re, im):
    ct = jnp.complex128 if re.dtype == jnp.float64 else jnp.complex64
    return re.astype(ct) + 1j * im.astype(ct)


def _as_complex_meta(shape, stride, offset):
    return shape[:-1], tuple(s // 2 for s in stride[:-1]), offset // 2


def _as_complex_update(inp, v):
    return jnp.stack([jnp.real(v), jnp.imag(v)], axis=-1).astype(inp.dtype)


_VIEW_AS_REAL = ViewOp("view_as_real", _as_real_impl, _as_real_meta, update=_as_real_update,
                       grad="ViewAsRealBackward0")
_VIEW_AS_COMPLEX = ViewOp("view_as_complex", _as_complex_impl, _as_complex_meta,
                          update=_as_complex_update, grad="ViewAsComplexBackward0")


@register(method=False)
def view_as_real(input):
    """A real view of a complex tensor with a trailing dimension of 2 (real, imaginary)."""
    if not isinstance(input, Tensor):
        raise arg_error("view_as_real", ("Tensor input",), (input,))
    if not input._dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return make_view(input, _VIEW_AS_REAL, (), dtype=input._dtype.to_real())


@register(method=False)
def view_as_complex(input):
    """A complex view of a real tensor whose last dimension (size 2, stride 1) holds the real
    and imaginary parts."""
    if not isinstance(input, Tensor):
        raise arg_error("view_as_complex", ("Tensor input",), (input,))
    dt = input._dtype
    if dt not in (D.float32, D.float64):
        if dt is D.float16:
            raise NotImplementedError("view_as_complex: complex32 (ComplexHalf) is not "
                                      "supported by jtorch")
        raise RuntimeError("view_as_complex is only supported for half, float and double "
                           f"tensors, but got a tensor of scalar type: {D._short(dt)}")
    if not input._shape or input._shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    stride = input.stride()
    if stride[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in stride[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if input.storage_offset() % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return make_view(input, _VIEW_AS_COMPLEX, (), dtype=dt.to_complex())


# --------------------------------------------------------------------------------------------
# *_scatter: ``input`` with one view of it replaced by ``src`` (out of place)


def _embed(input, view_fn, src):
    out = input.clone()
    v = view_fn(out)
    if tuple(v.shape) != tuple(src.shape):
        raise RuntimeError("expected src to have a size equal to the slice of self. src size = "
                           f"[{', '.join(map(str, src.shape))}], slice size = "
                           f"[{', '.join(map(str, v.shape))}]")
    v.copy_(src)
    return out


@register()
def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """``input`` with its diagonal (as ``torch.diagonal`` picks it) replaced by ``src``."""
    return _embed(input, lambda t: t.diagonal(offset, dim1, dim2), src)


@register()
def select_scatter(input, src, dim, index):
    """``input`` with ``input.select(dim, index)`` replaced by ``src``."""
    return _embed(input, lambda t: t.select(dim, index), src)


@register()
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """``input`` with the slice ``start:end:step`` of ``dim`` replaced by ``src``."""
    def view(t):
        idx = [slice(None)] * t.ndim
        idx[dim] = slice(start, end, step)
        return t[tuple(idx)]
    return _embed(input, view, src)


@register()
def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """``input`` with the elements ``as_strided(size, stride, storage_offset)`` reads replaced
    by ``src``."""
    return _embed(input, lambda t: t.as_strided(size, stride, storage_offset), src)


@register()
def narrow_copy(input, dim, start, length):
    """``narrow`` as a new tensor (not a view)."""
    return input.narrow(dim, start, length).clone()


# --------------------------------------------------------------------------------------------
# torch.X_copy: the view op's result as a new tensor


def _copy_fn(view_name):
    def f(input, *args, **kwargs):
        r = getattr(input, view_name)(*args, **kwargs) if hasattr(Tensor, view_name) else \
            globals()[view_name](input, *args, **kwargs)
        if isinstance(r, (tuple, list)):
            return tuple(x.clone() for x in r)
        return r.clone(memory_format=_contiguous_format())

    f.__name__ = f.__qualname__ = view_name + "_copy"
    f.__doc__ = f"``torch.{view_name}`` returning a new tensor rather than a view."
    return f


def _contiguous_format():
    from .._layout import contiguous_format
    return contiguous_format


@register(method=False)
def detach_copy(input):
    """A copy of ``input``'s values (PyTorch's functional detach keeps the graph)."""
    return input.clone()


for _n in ("view", "t", "permute", "transpose", "expand", "squeeze", "unsqueeze", "diagonal",
           "select", "unbind", "split", "split_with_sizes", "unfold", "as_strided",
           "view_as_real", "view_as_complex"):
    _f = _copy_fn(_n)
    globals()[_f.__name__] = _f
    register(_f.__name__, method=False)(_f)
    __all__.append(_f.__name__)
