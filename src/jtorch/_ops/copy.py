"""In-place filling and copying: ``copy_``, ``fill_``, ``zero_``."""
from __future__ import annotations

import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from . import _inplace
from ._registry import register
from ._util import broadcast_shapes

__all__ = ["copy_", "fill_", "zero_"]


def _copy_impl(dst, src, np_dtype):
    src = src.real if src.dtype.kind == "c" and np_dtype.kind != "c" else src
    return jnp.broadcast_to(lax.convert_element_type(src, np_dtype), dst.shape)


# the result depends only on src: the destination's old value gets a zero gradient (as in
# PyTorch), which keeps a destination that requires grad in the graph
_COPY = engine.Op("copy_", _copy_impl, grad="CopyBackwards", linear=True)


@register(function=False)
def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast) into this tensor in place; returns self."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    _inplace.check_inplace(self)
    shape = broadcast_shapes(self._shape, src._shape)
    if shape != self._shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, self._shape))}] doesn't "
                           f"match the broadcast shape [{', '.join(map(str, shape))}]")
    _inplace.check_overlap(self)
    result = dispatch(_COPY, (self, src), (self._dtype.np,))
    _inplace.assign(self, result)
    return self


def _fill_impl(dst, value, np_dtype):
    return jnp.full(dst.shape, value, np_dtype)


# fill_.Scalar / fill_.Tensor: the destination gets a zero gradient, a tensor value the sum
_FILL = engine.Op("fill_", _fill_impl, grad="FillBackward2", linear=True)
_FILL_T = engine.Op("fill_", _fill_impl, grad="FillBackward3", linear=True)


@register(function=False)
def fill_(self, value):
    """Fill this tensor with ``value`` in place; returns self."""
    _inplace.check_inplace(self)
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
    elif not isinstance(value, (bool, int, float, complex)):
        from .pointwise import operand
        value = operand(value, "value")
    _inplace.check_overlap(self)
    op = _FILL_T if isinstance(value, Tensor) else _FILL
    result = dispatch(op, (self, value), (self._dtype.np,))
    _inplace.assign(self, result)
    return self


@register(function=False)
def zero_(self):
    """Fill this tensor with zeros in place; returns self."""
    return fill_(self, False if self._dtype is D.bool_ else 0)
