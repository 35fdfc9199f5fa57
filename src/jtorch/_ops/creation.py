"""Tensor creation: tensor/as_tensor/from_numpy, zeros/ones/full/empty (+ _like, new_*), arange,
and the legacy constructors ``torch.Tensor(...)`` / ``torch.FloatTensor(...)``."""
from __future__ import annotations

import math
import numbers
import warnings

import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .._classrepr import TorchClassRepr
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor, make
from ..autograd import grad_mode
from ._registry import register
from ._util import dtype_arg, parse_size

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "arange",
           "from_numpy_copy", "host_tensor"]


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
    with engine.x64(True):
        value = jnp.array(a)
    t = make(value, tuple(a.shape), dtype, _dev(device))
    if requires_grad:
        t._set_requires_grad(True)
    return t


def from_numpy_copy(a):
    a = np.asarray(a)
    return host_tensor(a, D.from_np(a.dtype))


# --------------------------------------------------------------------------------------------
# dtype inference for torch.tensor(data)

def _leaf_dtype(x):
    if isinstance(x, bool):
        return D.bool_
    if isinstance(x, numbers.Integral) and not isinstance(x, np.integer):
        return D.int64
    if isinstance(x, float):
        return D.get_default_dtype()
    if isinstance(x, complex):
        return D.default_complex()
    if isinstance(x, (np.generic, np.ndarray)):
        return D.from_np(x.dtype)
    if isinstance(x, Tensor):
        return x._dtype
    if isinstance(x, numbers.Real):
        return D.get_default_dtype()
    raise TypeError(f"new(): invalid data type '{type(x).__name__}'")


def _walk(data, dim, shape, leaves):
    """Check that nested sequences are regular; collect leaf dtypes."""
    if isinstance(data, (list, tuple)):
        n = len(data)
        if len(shape) <= dim:
            shape.append(n)
        elif shape[dim] != n:
            raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {n})")
        for x in data:
            _walk(x, dim + 1, shape, leaves)
        return
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, (Tensor, np.ndarray)) and data.ndim > 0:
        sub = list(data.shape)
        for k, s in enumerate(sub):
            d = dim + k
            if len(shape) <= d:
                shape.append(s)
            elif shape[d] != s:
                raise ValueError(f"expected sequence of length {shape[d]} at dim {d} (got {s})")
    elif len(shape) > dim:
        raise TypeError("not a sequence")
    leaves.add(_leaf_dtype(data))


def _to_numpy(data, dtype):
    """Convert (nested) data to a numpy array of jtorch ``dtype``."""
    if isinstance(data, Tensor):
        return np.asarray(data._numpy_view()).astype(dtype.np)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _tensors_to_lists(data)
    try:
        return np.array(data, dtype=dtype.np)
    except OverflowError:
        raise RuntimeError("Overflow when unpacking long") from None


def _flat(data):
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def _tensors_to_lists(data):
    if isinstance(data, Tensor):
        return data._numpy_view()
    if isinstance(data, (list, tuple)):
        return [_tensors_to_lists(x) for x in data]
    return data


def infer_dtype(data) -> D.dtype:
    if isinstance(data, np.ndarray):
        return D.from_np(data.dtype)
    if isinstance(data, Tensor):
        return data._dtype
    leaves = set()
    _walk(data, 0, [], leaves)
    if not leaves:
        return D.get_default_dtype()
    out = None
    for d in leaves:
        out = d if out is None else D.promote_types(out, d)
    return out


@register(method=False)
def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor with a copy of ``data`` (nested lists, numpy arrays, numbers, tensors).

    Python ints give int64, floats the default dtype (float32), bools bool.
    """
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    dtype = dtype_arg(dtype)
    if dtype is None:
        dtype = infer_dtype(data)
    elif not isinstance(data, (np.ndarray, Tensor)):
        _walk(data, 0, [], set())
    a = _to_numpy(data, dtype)
    return host_tensor(a, dtype, device, requires_grad)


@register(method=False)
def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a tensor or numpy array when no conversion is
    needed."""
    dtype = dtype_arg(dtype)
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
def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray``: writes through either are seen by both."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtype = D.from_np(ndarray.dtype)
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
# factories


def _fill_impl(value, shape, np_dtype):
    return jnp.full(shape, value, np_dtype)


def _const_impl(shape, np_dtype, value):
    return jnp.full(shape, value, np_dtype)


_FULL = engine.Op("full", _fill_impl)
_CONST = engine.Op("zeros", _const_impl)


def _factory(size, dtype, device, requires_grad, value, default=None):
    dtype = dtype_arg(dtype) or default or D.get_default_dtype()
    dev = _dev(device)
    t = dispatch_const(size, dtype, dev, value)
    if requires_grad:
        t._set_requires_grad(True)
    return t


def dispatch_const(shape, dtype, dev, value):
    return dispatch(_CONST, (), (tuple(shape), dtype.np, value), device=dev)


@register(method=False, out=True)
def zeros(*size, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of zeros of the given size (default dtype float32)."""
    return _factory(parse_size(size), dtype, device, requires_grad, 0)


@register(method=False, out=True)
def ones(*size, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of ones."""
    return _factory(parse_size(size), dtype, device, requires_grad, 1)


@register(method=False, out=True)
def empty(*size, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    """An 'uninitialised' tensor: jtorch fills it with zeros."""
    return _factory(parse_size(size), dtype, device, requires_grad, 0)


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


@register(method=False, out=True)
def full(size, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it)."""
    size = parse_size((size,))
    dtype = dtype_arg(dtype) or _fill_dtype(fill_value)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if isinstance(fill_value, (np.generic,)):
        fill_value = fill_value.item()
    t = dispatch(_FULL, (fill_value,), (tuple(size), dtype.np), device=_dev(device))
    if requires_grad:
        t._set_requires_grad(True)
    return t


def _like(input, dtype, device):
    return (dtype_arg(dtype) or input._dtype), (device if device is not None else input._device)


@register(method=False)
def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    dtype, device = _like(input, dtype, device)
    return _factory(input._shape, dtype, device, requires_grad, 0)


@register(method=False)
def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    dtype, device = _like(input, dtype, device)
    return _factory(input._shape, dtype, device, requires_grad, 1)


@register(method=False)
def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    dtype, device = _like(input, dtype, device)
    return _factory(input._shape, dtype, device, requires_grad, 0)


@register(method=False)
def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    dtype, device = _like(input, dtype, device)
    return full(input._shape, fill_value, dtype=dtype, device=device,
                requires_grad=requires_grad)


@register(function=False)
def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    dtype, device = _like(self, dtype, device)
    return _factory(parse_size(size), dtype, device, requires_grad, 0)


@register(function=False)
def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    dtype, device = _like(self, dtype, device)
    return _factory(parse_size(size), dtype, device, requires_grad, 1)


@register(function=False)
def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    dtype, device = _like(self, dtype, device)
    return _factory(parse_size(size), dtype, device, requires_grad, 0)


@register(function=False)
def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    dtype, device = _like(self, dtype, device)
    return full(size, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)


@register(function=False)
def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    dtype, device = _like(self, dtype, device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
    return tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


def _arange_impl(n, np_dtype, start, step, integral):
    if integral:
        return (start + jnp.arange(n, dtype=jnp.int64) * step).astype(np_dtype)
    return (start + jnp.arange(n, dtype=jnp.float64) * step).astype(np_dtype)


_ARANGE = engine.Op("arange", _arange_impl)


def _num(x, name):
    if isinstance(x, Tensor):
        return x.item()
    if isinstance(x, np.generic):
        return x.item()
    if not isinstance(x, numbers.Number):
        raise TypeError(f"arange(): argument '{name}' must be Number, not {type(x).__name__}")
    return x


@register(method=False, out=True)
def arange(start=0, end=None, step=1, *, dtype=None, layout=None, device=None,
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
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    all_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    dtype = dtype_arg(dtype) or (D.int64 if all_int else D.get_default_dtype())
    if all_int:
        n = max(0, -(-(end - start) // step))
    else:
        n = max(0, math.ceil((end - start) / step))
    integral = dtype.is_integral and all_int
    t = dispatch(_ARANGE, (), (n, dtype.np, start, step, integral), device=_dev(device))
    if requires_grad:
        t._set_requires_grad(True)
    return t


# --------------------------------------------------------------------------------------------
# legacy constructors


def legacy_tensor_new(cls, args, kwargs, dtype=None):
    """torch.Tensor(*sizes) / torch.Tensor(data) / torch.Tensor() (float32 by default)."""
    dtype = dtype or D.get_default_dtype()
    device = kwargs.pop("device", None)
    if kwargs:
        raise TypeError(f"new() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if not args:
        t = zeros(0, dtype=dtype, device=device)
    elif len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]
        if src._dtype is not dtype:
            raise TypeError(f"expected {D._dtype_by_name(dtype._name)} (got {src._dtype})")
        return src
    elif all(isinstance(a, numbers.Integral) for a in args) or (
            len(args) == 1 and isinstance(args[0], tuple(_size_types()))):
        t = zeros(*args, dtype=dtype, device=device)
    elif len(args) == 1:
        t = tensor(args[0], dtype=dtype, device=device)
    else:
        raise TypeError("new(): invalid arguments")
    if cls is not Tensor:
        t.__class__ = cls
    return t


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
    from .._tensor import _alias
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

