"""Dtype and device conversions: ``to``, ``type``, ``float()``/``long()``/..., ``type_as``."""
from __future__ import annotations

import jax.lax as lax

from .. import _dtype as D
from .._device import device as _device
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ._registry import register
from ._util import dtype_arg

__all__ = ["to", "convert"]


def _convert_impl(x, np_dtype):
    if x.dtype.kind == "c" and np_dtype.kind != "c":
        x = x.real
    return lax.convert_element_type(x, np_dtype)


CONVERT = engine.Op("to", _convert_impl, grad="ToCopyBackward0", linear=True)


def convert(x, dtype):
    """``x`` cast to ``dtype`` (a new tensor), or x itself when it already has that dtype."""
    if x._dtype is dtype:
        return x
    return dispatch(CONVERT, (x,), (dtype.np,))


def _copy(x):
    from .shape import clone
    return clone(x)


def _parse_to(args, kwargs):
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    other = None
    for a in args:
        if isinstance(a, Tensor):
            other = a
        elif isinstance(a, D.dtype) or (isinstance(a, type) and a in (float, int, bool, complex)):
            dtype = a
        elif isinstance(a, (str, _device, int)) and not isinstance(a, bool):
            device = a
        elif isinstance(a, bool):
            copy = a if dtype is not None or device is not None else copy
        elif a is None:
            continue
        else:
            raise TypeError(f"to() received an invalid combination of arguments - got "
                            f"({type(a).__name__}, ...)")
    if other is not None:
        device = other._device
        dtype = other._dtype
    return (None if device is None else _device(device)), dtype_arg(dtype), copy


@register(function=False)
def to(self, *args, **kwargs):
    """This tensor with another dtype and/or device (itself when nothing changes)."""
    device, dtype, copy = _parse_to(args, dict(kwargs))
    out = self
    if device is not None:
        from .._devices import move
        out = move(out, device)
    if dtype is not None and dtype is not out._dtype:
        out = convert(out, dtype)
    if copy and out is self:
        out = _copy(self)
    return out


def _cast_method(name, dtype):
    def f(self, memory_format=None):
        return convert(self, dtype)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``self.to({dtype})``"
    register(name, function=False)(f)
    return f


for _name, _dt in [("float", D.float32), ("double", D.float64), ("half", D.float16),
                   ("bfloat16", D.bfloat16), ("int", D.int32), ("long", D.int64),
                   ("short", D.int16), ("char", D.int8), ("byte", D.uint8), ("bool", D.bool_),
                   ("cfloat", D.complex64), ("cdouble", D.complex128)]:
    _cast_method(_name, _dt)


@register("type", function=False)
def type_(self, dtype=None, non_blocking=False, **kwargs):
    """The legacy type name ('torch.FloatTensor') or this tensor cast to ``dtype``."""
    if dtype is None:
        legacy = self._dtype._legacy
        prefix = "torch.cuda." if self._device.type == "cuda" else "torch."
        return prefix + legacy
    if isinstance(dtype, str):
        d = D.from_legacy_name(dtype)
        if d is None:
            raise ValueError(f"invalid type: '{dtype}'")
        out = convert(self, d)
        if dtype.startswith("torch.cuda.") and self._device.type != "cuda":
            out = out.cuda()
        return out
    return convert(self, dtype_arg(dtype))


@register(function=False)
def type_as(self, other):
    return convert(self, other._dtype)


@register(function=False)
def cpu(self, memory_format=None):
    return to(self, "cpu")


@register(function=False)
def cuda(self, device=None, non_blocking=False, memory_format=None):
    return to(self, _device("cuda", device) if isinstance(device, int) else (device or "cuda"))
