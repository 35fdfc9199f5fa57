"""Tensor creation: tensor/as_tensor/asarray/from_numpy, zeros/ones/full/empty (+ _like, new_*),
empty_strided, scalar_tensor, arange, linspace/logspace, eye, complex/polar, and the legacy
constructors ``torch.Tensor(...)`` / ``torch.FloatTensor(...)``.

Argument errors are PyTorch's (sizes as varargs or one sequence, negative sizes, dtype must be
a ``torch.dtype``, ``requires_grad`` only for floating/complex results).
"""
from __future__ import annotations

import math
import numbers
import operator
import warnings

import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .._classrepr import TorchClassRepr
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor, _alias, make
from ..autograd import grad_mode
from ._registry import register
from ._util import dtype_arg
from .tensor_data import infer_dtype, np_dtype_of, to_numpy

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty",
           "arange", "linspace", "logspace", "eye", "empty_strided", "scalar_tensor",
           "from_numpy_copy", "host_tensor", "parse_sizes", "infer_dtype"]


def _dev(device):
    if device is None:
        from .. import _default_device
        return _default_device.get()
    from .._devices import normalize
    return normalize(device)


def host_tensor(a: np.ndarray, dtype: D.dtype, device=None, requires_grad=False):
    """A tensor holding a copy of the numpy array ``a`` (already of ``dtype``'s numpy type)."""
    if engine.jax_forbidden() and device is None:
        # a forked DataLoader worker cannot run JAX: keep the copy in NumPy (engine.forbid_jax)
        t = numpy_backed(np.array(a), dtype)
        if requires_grad:
            t.requires_grad_(True)
        return t
    dev = _dev(device)
    with engine.x64(True):
        if dev.type == "cuda":  # straight from host memory to the device
            from .._devices import jax_device
            import jax
            value = jax.device_put(a, jax_device(dev))
        else:
            value = jnp.array(a)
    t = make(value, tuple(a.shape), dtype, dev)
    if requires_grad:
        _requires_grad(t)
    return t


def from_numpy_copy(a):
    a = np.asarray(a)
    return host_tensor(a, D.from_np(a.dtype))


# --------------------------------------------------------------------------------------------
# argument rules shared by the factories


def _tname(x):
    return "Tensor" if isinstance(x, Tensor) else type(x).__name__


def _is_int(x):
    if isinstance(x, bool):
        return False
    if isinstance(x, numbers.Integral):
        return True
    if isinstance(x, Tensor):
        return x.ndim == 0 and x._dtype.is_integral and x._dtype is not D.bool_
    return hasattr(x, "__index__") and not isinstance(x, (list, tuple, np.ndarray))


def parse_sizes(name, size, kw_size=None, pos=1, negative_msg=None):
    """Sizes given as varargs or as one list/tuple/Size, with PyTorch's messages."""
    if kw_size is not None:
        if size:
            raise TypeError(f"{name}() got multiple values for argument 'size'")
        size = (kw_size,)
    if not size:
        raise TypeError(f"{name}() missing 1 required positional arguments: \"size\"")
    if len(size) == 1 and not _is_int(size[0]):
        size = size[0]
        if not isinstance(size, (list, tuple)):
            raise TypeError(f"{name}(): argument 'size' (position {pos}) must be tuple of ints, "
                            f"not {_tname(size)}")
    elif len(size) > 1 and not _is_int(size[0]):
        raise TypeError(f"{name}() takes 1 positional argument but {len(size)} were given")
    out = []
    for i, s in enumerate(size):
        if not _is_int(s):
            raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos "
                            f"{i + 1} with error \"type must be tuple of ints,but got "
                            f"{_tname(s)}\"")
        out.append(operator.index(s))
    for s in out:
        if s < 0:
            raise RuntimeError(negative_msg or f"Trying to create tensor with negative dimension "
                               f"{s}: [{', '.join(map(str, out))}]")
    return tuple(out)


def dtype_kw(name, dtype):
    """``dtype=``: a torch.dtype (or Python's float/int/bool/complex, as PyTorch accepts)."""
    if dtype is None or isinstance(dtype, D.dtype):
        return dtype
    if dtype in (float, int, bool, complex):
        return dtype_arg(dtype)
    raise TypeError(f"{name}(): argument 'dtype' must be torch.dtype, not {_tname(dtype)}")


def _requires_grad(t):
    # the factories' wording ("Only Tensors of floating point and complex dtype ...")
    return t._set_requires_grad(True)


def _finish(t, requires_grad, out, name):
    if requires_grad:
        _requires_grad(t)
    if out is not None:
        from ._inplace import write_out
        return write_out(out, t, name)
    return t


def _out_dtype(dtype, out, default):
    if dtype is not None:
        return dtype
    if out is not None:
        return out._dtype
    return default


# --------------------------------------------------------------------------------------------
# tensor / as_tensor / asarray / from_numpy


def _dense_numpy_strides(a):
    """PyTorch keeps a dense numpy array's memory layout (e.g. a transpose) in torch.tensor."""
    if a.ndim < 2 or a.flags.c_contiguous or not a.itemsize:
        return None
    st = [s // a.itemsize for s in a.strides]
    order = sorted(range(a.ndim), key=lambda i: (abs(st[i]), -i))
    out = [0] * a.ndim
    acc = 1
    for i in order:
        out[i] = acc
        acc *= max(a.shape[i], 1)
    from .view import contiguous_strides
    out = tuple(out)
    return None if out == contiguous_strides(tuple(a.shape)) else out


@register(method=False)
def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor with a copy of ``data`` (nested sequences, numpy arrays, numbers, tensors).

    Python ints give int64, floats the default dtype (float32), bools bool, complex numbers the
    default complex dtype; mixed data is promoted.
    """
    dtype = dtype_kw("tensor", dtype)
    strides = None
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
        src = data._numpy_view()
        dt = dtype or data._dtype
        a = np.array(src).astype(dt.np)
    elif isinstance(data, np.ndarray):
        src_dt = np_dtype_of(data)
        dt = dtype or src_dt
        a = np.array(data, dtype=dt.np)
        strides = _dense_numpy_strides(data)
    elif isinstance(data, np.generic):
        dt = dtype or np_dtype_of(np.asarray(data))
        a = np.asarray(data).astype(dt.np)
    else:
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        from .tensor_data import compute_sizes
        compute_sizes(data)
        dt = dtype or infer_dtype(data)
        a = to_numpy(data, dt)
    t = host_tensor(a, dt, device)
    if strides is not None:
        t._stride = t._st.base_strides = strides
    if requires_grad:
        _requires_grad(t)
    return t


@register(method=False)
def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=False,
                  requires_grad=False):
    """A 0-d tensor holding the number ``s`` (default dtype unless ``dtype=``)."""
    dt = dtype_kw("scalar_tensor", dtype) or D.get_default_dtype()
    if isinstance(s, Tensor):
        s = s.item()
    return tensor(s, dtype=dt, device=device, requires_grad=requires_grad)


@register(method=False)
def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a tensor or numpy array when no conversion is
    needed."""
    dtype = dtype_kw("as_tensor", dtype)
    if isinstance(data, Tensor):
        out = data
        if dtype is not None and dtype is not data._dtype:
            out = out.to(dtype)
        if device is not None:
            out = out.to(device)
        return out
    if isinstance(data, np.ndarray) and (dtype is None or dtype.np == data.dtype) and \
            device in (None, "cpu") and data.dtype != object:
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


@register(method=False)
def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """``obj`` as a tensor: shares memory with tensors and numpy arrays unless ``copy=True`` or
    a conversion is needed (``copy=False`` then raises)."""
    dtype = dtype_kw("asarray", dtype)
    if isinstance(obj, Tensor) or isinstance(obj, np.ndarray):
        src_dt = obj._dtype if isinstance(obj, Tensor) else np_dtype_of(obj)
        needs = dtype is not None and dtype is not src_dt
        if copy is False and needs:
            raise ValueError("can't alias tensor of dtype {} into dtype {}".format(src_dt, dtype))
        if copy or needs:
            t = tensor(obj if not isinstance(obj, Tensor) else obj.detach(), dtype=dtype,
                       device=device) if not isinstance(obj, Tensor) else \
                obj.detach().to(dtype or src_dt, copy=True)
        else:
            t = obj if isinstance(obj, Tensor) else from_numpy(obj)
    else:
        t = tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        _requires_grad(t)
    return t


@register(method=False)
def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray``: writes through either are seen by both."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtype = np_dtype_of(ndarray)
    if not ndarray.flags.writeable:
        warnings.warn(
            "The given NumPy array is not writable, and PyTorch does not support non-writable "
            "tensors. This means writing to this tensor will result in undefined behavior. You may "
            "want to copy the array to protect its data or make it writable before converting it "
            "to a tensor. This type of warning will be suppressed for the rest of this program.",
            UserWarning, stacklevel=2)
    return numpy_backed(ndarray, dtype)


def numpy_backed(a, dtype):
    """A tensor whose storage is the numpy array ``a`` itself (see _storage.py)."""
    t = make(a, tuple(a.shape), dtype)
    if a.ndim and not a.flags.c_contiguous and a.itemsize:
        t._stride = t._st.base_strides = tuple(s // a.itemsize for s in a.strides)
    return t


# --------------------------------------------------------------------------------------------
# constant factories


def _fill_impl(value, shape, np_dtype):
    return jnp.full(shape, value, np_dtype)


def _const_impl(shape, np_dtype, value):
    return jnp.full(shape, value, np_dtype)


_FULL = engine.Op("full", _fill_impl)
_CONST = engine.Op("zeros", _const_impl)


def dispatch_const(shape, dtype, dev, value):
    return dispatch(_CONST, (), (tuple(shape), dtype.np, value), device=dev)


def _const(name, size, kw_size, value, out, dtype, device, requires_grad, negative_msg=None):
    shape = parse_sizes(name, size, kw_size, negative_msg=negative_msg)
    dt = _out_dtype(dtype_kw(name, dtype), out, D.get_default_dtype())
    t = dispatch_const(shape, dt, _dev(device), value)
    return _finish(t, requires_grad, out, name)


@register(method=False)
def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, **kwargs):
    """A tensor of zeros of the given size (varargs or one sequence; default dtype float32)."""
    return _const("zeros", size, kwargs.pop("size", None), 0, out, dtype, device, requires_grad,
                  "zeros: Dimension size must be non-negative.")


@register(method=False)
def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, **kwargs):
    """A tensor of ones."""
    return _const("ones", size, kwargs.pop("size", None), 1, out, dtype, device, requires_grad)


@register(method=False)
def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kwargs):
    """An 'uninitialised' tensor: jtorch fills it with zeros."""
    return _const("empty", size, kwargs.pop("size", None), 0, out, dtype, device, requires_grad)


@register(method=False)
def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An 'uninitialised' tensor (zeros) reporting the given strides."""
    shape = parse_sizes("empty_strided", (size,))
    stride = tuple(operator.index(s) for s in stride)
    if len(stride) != len(shape):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality of "
                           f"strides ({len(stride)})")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"Storage size calculation overflowed with sizes="
                           f"[{', '.join(map(str, shape))}] and strides="
                           f"[{', '.join(map(str, stride))}]")
    dt = dtype_kw("empty_strided", dtype) or D.get_default_dtype()
    t = dispatch_const(shape, dt, _dev(device), 0)
    from .view import contiguous_strides
    if stride != contiguous_strides(shape):
        t._stride = t._st.base_strides = stride
    return _finish(t, requires_grad, None, "empty_strided")


def _fill_dtype(fill_value):
    if isinstance(fill_value, Tensor):
        return fill_value._dtype
    if isinstance(fill_value, bool):
        return D.bool_
    if isinstance(fill_value, numbers.Integral):
        return D.int64
    if isinstance(fill_value, complex):
        return D.default_complex()
    return D.get_default_dtype()


_CHECKED_NAMES = {D.uint8: "uint8_t", D.int8: "int8_t", D.int16: "int16_t", D.int32: "int",
                  D.int64: "int64_t"}


def _check_fill(value, dt):
    """PyTorch's checked conversion (c10::checked_convert) of a fill value into ``dt``."""
    from .linalg import cpp_name
    if isinstance(value, complex) and not dt.is_complex:
        if value.imag != 0:
            raise RuntimeError(f"value cannot be converted to type {cpp_name(dt)} without "
                               "overflow")
        value = value.real
    if isinstance(value, int) and not isinstance(value, bool) and \
            not -2 ** 63 <= value < 2 ** 64:
        raise OverflowError("int too big to convert")
    if not dt.is_integral or dt is D.bool_ or isinstance(value, bool):
        return
    info = np.iinfo(dt.np)
    mn, mx = int(info.min), int(info.max)
    if isinstance(value, float):
        ok = value != value or mn <= value <= mx or not math.isfinite(value)
        ok = ok and value == value and math.isfinite(value)
    else:
        # unsigned types take negative ints down to -max (two's complement wrap-around)
        ok = (-mx if mn == 0 else mn) <= value <= mx
    if not ok:
        raise RuntimeError(f"value cannot be converted to type "
                           f"{_CHECKED_NAMES.get(dt, cpp_name(dt))} without overflow")


@register(method=False)
def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it)."""
    if _is_int(size):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{_tname(size)}")
    shape = parse_sizes("full", (size,))
    if isinstance(fill_value, Tensor):
        if fill_value.numel() != 1:
            raise RuntimeError(f"a Tensor with {fill_value.numel()} elements cannot be converted "
                               "to Scalar")
    elif not isinstance(fill_value, (numbers.Number, np.generic)):
        raise TypeError(f"full(): argument 'fill_value' (position 2) must be Number, not "
                        f"{_tname(fill_value)}")
    if isinstance(fill_value, np.generic):
        fill_value = fill_value.item()
    dt = _out_dtype(dtype_kw("full", dtype), out, _fill_dtype(fill_value))
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    _check_fill(fill_value, dt)
    if dt.is_integral and isinstance(fill_value, float) and dt is not D.bool_:
        fill_value = int(fill_value) if math.isfinite(fill_value) else fill_value
    if isinstance(fill_value, int) and dt.is_integral and dt is not D.bool_:
        bits = dt.itemsize * 8
        fill_value = (fill_value + 2 ** (bits - 1)) % 2 ** bits - 2 ** (bits - 1) \
            if dt.is_signed else fill_value % 2 ** bits
    t = dispatch(_FULL, (fill_value,), (tuple(shape), dt.np), device=_dev(device))
    return _finish(t, requires_grad, out, "full")


# --------------------------------------------------------------------------------------------
# *_like and Tensor.new_*


def _like(name, input, dtype, device):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{_tname(input)}")
    return (dtype_kw(name, dtype) or input._dtype), (device if device is not None
                                                      else input._device)


def _like_strides(t, input, memory_format):
    """``*_like`` keep a dense input's memory layout (preserve_format), as PyTorch."""
    from .. import _layout
    if memory_format in (None, _layout.preserve_format) and t._shape == input._shape:
        from .shape import _dense_strides
        t._stride = t._st.base_strides = _dense_strides(input)
    return t


def _const_like(name, input, value, dtype, device, requires_grad, memory_format):
    dt, dev = _like(name, input, dtype, device)
    t = dispatch_const(input._shape, dt, _dev(dev), value)
    _like_strides(t, input, memory_format)
    return _finish(t, requires_grad, None, name)


@register(method=False)
def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Zeros with ``input``'s shape, dtype and device (unless overridden)."""
    return _const_like("zeros_like", input, 0, dtype, device, requires_grad, memory_format)


@register(method=False)
def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Ones with ``input``'s shape, dtype and device (unless overridden)."""
    return _const_like("ones_like", input, 1, dtype, device, requires_grad, memory_format)


@register(method=False)
def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """An 'uninitialised' (zero) tensor like ``input``."""
    return _const_like("empty_like", input, 0, dtype, device, requires_grad, memory_format)


@register(method=False)
def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """``fill_value`` with ``input``'s shape, dtype and device (unless overridden)."""
    dt, dev = _like("full_like", input, dtype, device)
    t = full(input._shape, fill_value, dtype=dt, device=dev)
    _like_strides(t, input, memory_format)
    return _finish(t, requires_grad, None, "full_like")


def _new_const(name, self, size, value, dtype, device, requires_grad):
    dt = dtype_kw(name, dtype) or self._dtype
    dev = device if device is not None else self._device
    shape = parse_sizes(name, size)
    t = dispatch_const(shape, dt, _dev(dev), value)
    return _finish(t, requires_grad, None, name)


@register(function=False)
def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    """Zeros of ``size`` with this tensor's dtype and device (unless overridden)."""
    return _new_const("new_zeros", self, size, 0, dtype, device, requires_grad)


@register(function=False)
def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    """Ones of ``size`` with this tensor's dtype and device."""
    return _new_const("new_ones", self, size, 1, dtype, device, requires_grad)


@register(function=False)
def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    """An 'uninitialised' (zero) tensor of ``size`` with this tensor's dtype and device."""
    return _new_const("new_empty", self, size, 0, dtype, device, requires_grad)


@register(function=False)
def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    """``fill_value`` of ``size`` with this tensor's dtype and device (unless overridden)."""
    dt = dtype_kw("new_full", dtype) or self._dtype
    dev = device if device is not None else self._device
    return full(size, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


@register(function=False)
def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    """A copy of ``data`` with this tensor's dtype and device (unless overridden)."""
    dt = dtype_kw("new_tensor", dtype) or self._dtype
    dev = device if device is not None else self._device
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
    return tensor(data, dtype=dt, device=dev, requires_grad=requires_grad)


@register(function=False)
def new(self, *args, **kwargs):
    """Legacy ``Tensor.new(*sizes)`` / ``Tensor.new(data)``: this tensor's dtype and device."""
    if "device" not in kwargs and self._device.type != "cpu":
        kwargs["device"] = self._device
    return legacy_tensor_new(Tensor, args, kwargs, self._dtype, typed=True)


# --------------------------------------------------------------------------------------------
# ranges: arange, linspace, logspace; eye


def _arange_impl(n, np_dtype, start, step, integral):
    if integral:
        return (start + jnp.arange(n, dtype=jnp.int64) * step).astype(np_dtype)
    return (start + jnp.arange(n, dtype=jnp.float64) * step).astype(np_dtype)


_ARANGE = engine.Op("arange", _arange_impl)


def _num(x, name, fn="arange"):
    if isinstance(x, Tensor):
        return x.item()
    if isinstance(x, np.generic):
        return x.item()
    if not isinstance(x, numbers.Number):
        raise TypeError(f"{fn}(): argument '{name}' must be Number, not {type(x).__name__}")
    return x


@register(method=False)
def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 for integer arguments."""
    if end is None:
        start, end = 0, start
    start, end, step = _num(start, "start"), _num(end, "end"), _num(step, "step")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    for v in (start, end):
        if isinstance(v, float) and not math.isfinite(v):
            raise RuntimeError("unsupported range: " + f"{start} -> {end}")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    all_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    dtype = _out_dtype(dtype_kw("arange", dtype), out,
                       D.int64 if all_int else D.get_default_dtype())
    if all_int:
        n = max(0, -(-(end - start) // step))
    else:
        n = max(0, math.ceil((end - start) / step))
    integral = dtype.is_integral and all_int
    t = dispatch(_ARANGE, (), (n, dtype.np, start, step, integral), device=_dev(device))
    return _finish(t, requires_grad, out, "arange")


def _space_impl(start, end, base, steps, np_dtype, log):
    """PyTorch's linspace kernel: start and end are first converted to the result dtype; the
    first half counts up from start, the second half down from end (so both ends are exact);
    integer results step in float64 and truncate."""
    dt = jnp.dtype(np_dtype)
    integral = not jnp.issubdtype(dt, jnp.inexact)
    ct = jnp.float64 if integral or log else dt
    s = jnp.asarray(start)
    e = jnp.asarray(end)
    s, e = s.astype(dt).astype(ct), e.astype(dt).astype(ct)
    if steps == 1:
        v = jnp.reshape(s, (1,))
    else:
        step = (e - s) / (steps - 1)
        i = jnp.arange(steps)
        half = steps // 2
        v = jnp.where(i < half, s + step * i.astype(ct), e - step * (steps - 1 - i).astype(ct))
    if log:
        v = jnp.power(jnp.asarray(base).astype(ct), v)
    return v.astype(dt)


_SPACE = engine.Op("linspace", _space_impl)

_SPACE_SIG = "(Tensor start, Tensor end, int steps, {base}*, Tensor out = None, " \
             "torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, " \
             "bool pin_memory = False, bool requires_grad = False)"


def _space(name, start, end, steps, base, out, dtype, device, requires_grad, log):
    if steps is None or not _is_int(steps):
        from .random import _invalid
        args = tuple(a for a in (start, end, steps) if a is not None)
        b = "float base = 10.0, " if log else ""
        sigs = [_SPACE_SIG.format(base=b).replace("Tensor start", a).replace("Tensor end", e)
                for a, e in (("Tensor start", "Tensor end"), ("Number start", "Tensor end"),
                             ("Tensor start", "Number end"), ("Number start", "Number end"))]
        raise _invalid(name, args, {}, sigs)
    for v, n in ((start, "start"), (end, "end")):
        if isinstance(v, Tensor) and v.ndim != 0:
            raise RuntimeError(f"{name} only supports 0-dimensional start and end tensors, but "
                               f"got {n} with {v.ndim} dimension(s).")
    steps = operator.index(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start, end = _num(start, "start", name), _num(end, "end", name)
    default = D.default_complex() if isinstance(start, complex) or isinstance(end, complex) \
        else D.get_default_dtype()
    dt = _out_dtype(dtype_kw(name, dtype), out, default)
    if dt is D.bool_:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
    t = dispatch(_SPACE, (start, end, float(base)), (steps, dt.np, log), device=_dev(device))
    return _finish(t, requires_grad, out, name)


@register(method=False)
def linspace(start, end, steps=None, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` (both included)."""
    return _space("linspace", start, end, steps, 10.0, out, dtype, device, requires_grad, False)


@register(method=False)
def logspace(start, end, steps=None, base=10.0, *, out=None, dtype=None, layout=None,
             device=None, requires_grad=False, pin_memory=False):
    """``base ** linspace(start, end, steps)``."""
    return _space("logspace", start, end, steps, base, out, dtype, device, requires_grad, True)


def _eye_impl(n, m, np_dtype):
    return jnp.eye(n, m, dtype=np_dtype)


_EYE = engine.Op("eye", _eye_impl)

_EYE_SIG = ("(int n, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
            "torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
            "(int n, int m, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = "
            "None, torch.device device = None, bool pin_memory = False, bool requires_grad = "
            "False)")


@register(method=False)
def eye(n=None, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    """The n x m (default n x n) identity matrix."""
    if n is None or not _is_int(n) or (m is not None and not _is_int(m)):
        from .random import _invalid
        args = tuple(a for a in (n, m) if a is not None)
        if len(args) == 1 and n is not None:
            raise TypeError(f"eye(): argument 'n' (position 1) must be int, not {_tname(n)}")
        raise _invalid("eye", args, {}, _EYE_SIG)
    n = operator.index(n)
    m = n if m is None else operator.index(m)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    dt = _out_dtype(dtype_kw("eye", dtype), out, D.get_default_dtype())
    t = dispatch(_EYE, (), (n, m, dt.np), device=_dev(device))
    return _finish(t, requires_grad, out, "eye")


# --------------------------------------------------------------------------------------------
# complex, polar


def _complex_prepare(sigs, static):
    (s1, d1), (s2, d2) = sigs
    from ._util import broadcast_shapes
    if d1 not in (D.float16, D.float32, D.float64) or d2 not in (D.float16, D.float32,
                                                                D.float64):
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{D._short(d1)} and {D._short(d2)}")
    if d1 is not d2:
        raise RuntimeError(f"Expected object of scalar type {D._short(d1)} but got scalar type "
                           f"{D._short(d2)} for second argument")
    broadcast_shapes(s1, s2)
    if d1 is D.float16:
        raise NotImplementedError("torch.complex / torch.polar of float16 tensors (complex32) "
                                  "is not supported by jtorch")
    return static


def _complex_impl(re, im):
    shape = jnp.broadcast_shapes(re.shape, im.shape)
    return lax.complex(jnp.broadcast_to(re, shape), jnp.broadcast_to(im, shape))


def _polar_impl(r, theta):
    return _complex_impl(r * jnp.cos(theta), r * jnp.sin(theta))


_COMPLEX = engine.Op("complex", _complex_impl, prepare=_complex_prepare, grad="ComplexBackward0",
                     linear=True)
_POLAR = engine.Op("polar", _polar_impl, prepare=_complex_prepare, grad="PolarBackward0")


@register("complex", method=False, out=True)
def complex_tensor(real, imag):
    """The complex tensor ``real + imag * 1j`` (float -> complex64, double -> complex128)."""
    for v, n, p in ((real, "real", 1), (imag, "imag", 2)):
        if not isinstance(v, Tensor):
            raise TypeError(f"complex(): argument '{n}' (position {p}) must be Tensor, not "
                            f"{_tname(v)}")
    return dispatch(_COMPLEX, (real, imag))


@register(method=False, out=True)
def polar(abs, angle):
    """The complex tensor ``abs * (cos(angle) + 1j * sin(angle))``."""
    for v, n, p in ((abs, "abs", 1), (angle, "angle", 2)):
        if not isinstance(v, Tensor):
            raise TypeError(f"polar(): argument '{n}' (position {p}) must be Tensor, not "
                            f"{_tname(v)}")
    return dispatch(_POLAR, (abs, angle))


# --------------------------------------------------------------------------------------------
# legacy constructors

_NEW_SIGS = (" * (*, torch.device device = None)\n{bad}"
             " * (torch.Storage storage)\n"
             " * (Tensor other)\n"
             " * (tuple of ints size, *, torch.device device = None)\n{kw}"
             " * (object data, *, torch.device device = None)\n{kw}")


def _new_invalid(args, kwargs):
    def desc(x):
        if isinstance(x, list) and x and all(not isinstance(v, list) for v in x):
            return f"list of [{', '.join(type(v).__name__ for v in x)}]"
        return _tname(x)

    got = [_tname(a) for a in args] + [
        f"{k}={'torch.dtype' if isinstance(v, D.dtype) else _tname(v)}" for k, v in kwargs.items()]
    bad = kw = ""
    if kwargs:
        kw = ("      didn't match because some of the keywords were incorrect: "
              f"{', '.join(kwargs)}\n")
    else:
        bad = ("      didn't match because some of the arguments have invalid types: (" +
               ", ".join(f"!{desc(a)}!" for a in args) + ")\n")
    return TypeError(f"new() received an invalid combination of arguments - got "
                     f"({', '.join(got)}), but expected one of:\n" +
                     _NEW_SIGS.format(bad=bad, kw=kw))


def _options(dt):
    from .linalg import cpp_name
    return (f"TensorOptions(dtype={cpp_name(dt)}, device=cpu, layout=Strided, requires_grad=false "
            "(default), pinned_memory=false (default), memory_format=(nullopt))")


def legacy_tensor_new(cls, args, kwargs, dtype=None, typed=None):
    """torch.Tensor(*sizes) / torch.Tensor(data) / torch.Tensor(tensor) / torch.Tensor()
    (the default dtype; torch.FloatTensor & co. their own)."""
    if typed is None:
        typed = dtype is not None
    dtype = dtype or D.get_default_dtype()
    kwargs = dict(kwargs)
    device = kwargs.pop("device", None)
    if kwargs:
        raise _new_invalid(args, kwargs)
    if not args:
        t = zeros(0, dtype=dtype, device=device)
    elif len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]
        if typed and src._dtype is not dtype:
            raise TypeError(f"expected {_options(dtype)} (got {_options(src._dtype)})")
        t = _alias(src)
        t._rg = False
        return t
    elif _is_int(args[0]) or (len(args) == 1 and isinstance(args[0], _size_types())):
        if len(args) > 1 or _is_int(args[0]):
            shape = parse_sizes("new", args)
        else:
            shape = tuple(args[0])
        t = zeros(shape, dtype=dtype, device=device)
    elif len(args) == 1:
        data = args[0]
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        if not isinstance(data, np.ndarray) and not _is_seq(data):
            raise TypeError(f"new(): data must be a sequence (got {_tname(data)})")
        t = tensor(data, dtype=dtype, device=device)
    else:
        raise _new_invalid(args, kwargs)
    if cls is not Tensor:
        t.__class__ = cls
    return t


def _is_seq(x):
    from .tensor_data import _is_seq as f
    return f(x)


def _size_types():
    from .._size import Size
    return (Size,)


def _legacy_class(name, dtype):
    def __new__(cls, *args, **kwargs):
        return legacy_tensor_new(Tensor, args, kwargs, dtype)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._dtype is dtype

    meta = type(name + "Meta", (TorchClassRepr,), {"__instancecheck__": __instancecheck__})
    c = meta(name, (), {"__new__": __new__, "dtype": dtype,
                        "__doc__": f"Legacy constructor for {dtype} tensors."})
    c.__module__ = "jtorch"
    return c


LEGACY = {d._legacy: _legacy_class(d._legacy, d) for d in D.ALL if d._legacy}


# --------------------------------------------------------------------------------------------
# copies used by the Python protocol (deepcopy, pickle)


def deepcopy_tensor(t, memo):
    with grad_mode.no_grad():
        new = t.clone()
    if t._fn is None:
        new = _alias(new, type(t))
        new._rg = t._rg
    if t._grad is not None:
        new._grad = t._grad.__deepcopy__(memo)
    new.__dict__.update({k: v for k, v in t.__dict__.items()})
    return new


def rebuild_tensor(array, dtype_name, requires_grad):
    t = host_tensor(np.asarray(array), D._dtype_by_name(dtype_name))
    if requires_grad:
        t._set_requires_grad(True)
    return t
