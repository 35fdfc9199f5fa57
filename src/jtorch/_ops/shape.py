"""Shape ops that copy: clone, reshape-by-copy, cat, stack, ..."""
from __future__ import annotations

import jax.numpy as jnp

from .. import _layout
from .._dispatch import dispatch
from .._engine import core as engine
from .._promotion import result_type_sigs
from .._tensor import Tensor
from ._registry import register
from ._util import wrap_dim

__all__ = ["clone", "cat", "stack", "RESHAPE_COPY"]


def _identity(x):
    return x


CLONE = engine.Op("clone", _identity, grad="CloneBackward0", linear=True)
RESHAPE_COPY = engine.Op("reshape", lambda x, shape: jnp.reshape(x, shape),
                         grad="UnsafeViewBackward0", linear=True)


def _dense_strides(t):
    """Strides ``empty_like(t)`` gets under preserve_format: t's own if dense, else the
    contiguous layout in t's dimension order (innermost = smallest stride)."""
    from .view import contiguous_strides
    shape = t._shape
    stride = t.stride()
    if t.is_contiguous():
        return None
    order = sorted(range(len(shape)), key=lambda i: (stride[i], -i))
    # non-overlapping and dense: keep the strides as they are
    expected = 1
    dense = True
    for i in order:
        if shape[i] == 1:
            continue
        if stride[i] != expected:
            dense = False
            break
        expected *= shape[i]
    if dense:
        return stride
    out = [0] * len(shape)
    acc = 1
    for i in order:
        out[i] = acc
        acc *= max(shape[i], 1)
    out = tuple(out)
    return None if out == contiguous_strides(shape) else out


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
def cat(tensors, dim=0):
    """Concatenate tensors along an existing dim."""
    tensors = _check_tensors(tensors, "cat")
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
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

