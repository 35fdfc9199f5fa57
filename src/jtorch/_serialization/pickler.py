"""The pickler of ``jtorch.save``: PyTorch's global names for tensors, dtypes, devices, sizes.

A tensor is written as PyTorch writes it: ``torch._utils._rebuild_tensor_v2(storage, offset,
size, stride, requires_grad, OrderedDict())`` where ``storage`` is a persistent id naming a
storage record; tensors that share a jtorch storage (views) share one record.  Classes defined
in jtorch (a whole module saved with ``torch.save(model)``) are written under PyTorch's names
(``torch.nn.modules.linear.Linear``), so either library can load the other's full pickles.
"""
from __future__ import annotations

import collections
import pickle
import types

import numpy as np

from .. import _dtype as D
from .._device import device as _device_cls
from .._size import Size
from .._tensor import Tensor

__all__ = ["STORAGE_NAMES", "Pickler", "StorageRef", "location_tag"]

# dtype <-> the legacy storage class PyTorch names in its pickles
STORAGE_NAMES = {
    D.float32: "FloatStorage", D.float64: "DoubleStorage", D.float16: "HalfStorage",
    D.bfloat16: "BFloat16Storage", D.int64: "LongStorage", D.int32: "IntStorage",
    D.int16: "ShortStorage", D.int8: "CharStorage", D.uint8: "ByteStorage",
    D.bool_: "BoolStorage", D.complex64: "ComplexFloatStorage",
    D.complex128: "ComplexDoubleStorage",
}
for _name in ("uint16", "uint32", "uint64"):  # PyTorch >= 2.3 writes these as UntypedStorage
    if hasattr(D, _name):
        STORAGE_NAMES.setdefault(getattr(D, _name), "UntypedStorage")


class Global:
    """A reference to a PyTorch global (``torch._utils._rebuild_tensor_v2``) by name only."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def __call__(self, *args):  # pickle requires reduce functions to be callable
        raise TypeError(f"{self.module}.{self.name} is a name written into checkpoints")


_REBUILD_TENSOR = Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_TENSOR_V3 = Global("torch._utils", "_rebuild_tensor_v3")
_REBUILD_PARAMETER = Global("torch._utils", "_rebuild_parameter")


class StorageRef:
    """One storage record of the file: its key, dtype, element count, bytes and location."""

    __slots__ = ("key", "dtype", "numel", "data", "location", "owner")

    def __init__(self, key, dtype, numel, data, location, owner):
        self.key = key
        self.dtype = dtype
        self.numel = numel
        self.data = data  # C-contiguous little-endian numpy array of the storage
        self.location = location
        self.owner = owner  # keeps the jtorch Storage alive so its id stays unique


def location_tag(device):
    """PyTorch's location string for a device: 'cpu', 'cuda:0', ..."""
    if device.type == "cuda":
        return f"cuda:{device.index or 0}"
    if device.type == "meta":
        return "meta"
    return "cpu"


def _storage_array(t):
    """t's whole storage as a C-contiguous little-endian numpy array in memory order (the base
    value laid out by its strides) — a view of the device buffer where possible."""
    st = t._st
    value = st.value
    if type(value) is np.ndarray:
        base = value
    else:
        from .._engine.core import materialize
        base = np.asarray(materialize(value))
    base_strides = st.base_strides
    if base_strides is not None and base.ndim:
        if min(base_strides) < 0:
            raise RuntimeError("torch.save: this tensor shares memory with a NumPy array with "
                               "negative strides, which has no PyTorch storage layout; save a "
                               "copy of it (tensor.clone())")
        span = 1 + sum((n - 1) * s for n, s in zip(base.shape, base_strides)) if base.size else 0
        if span != base.size:
            # a base with gaps (from_numpy of a strided NumPy view): the storage spans them, as
            # PyTorch's does, so the tensors' strides and offsets stay valid
            flat = np.zeros(span, base.dtype)
            np.lib.stride_tricks.as_strided(
                flat, base.shape, tuple(s * base.itemsize for s in base_strides))[...] = base
            base = flat
        else:
            # a permuted base (a clone of a transposed tensor): elements in stride order
            order = sorted(range(base.ndim), key=lambda i: -base_strides[i])
            base = np.transpose(base, order)
    base = np.ascontiguousarray(base)
    if base.dtype.byteorder == ">":
        base = base.byteswap().view(base.dtype.newbyteorder("<"))
    return base


def _torch_name(module):
    """PyTorch's module path for a jtorch module path ('jtorch.nn.x' -> 'torch.nn.x')."""
    if module == "jtorch" or module.startswith("jtorch."):
        return module[1:]
    return module


class Pickler(pickle._Pickler):
    """Writes PyTorch's global names for tensors, dtypes, devices, sizes and jtorch classes.

    ``storages`` collects one ``StorageRef`` per distinct storage (by identity), in order.
    ``legacy`` writes the pre-1.6 persistent id (with its trailing view metadata).
    """

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol, storages, legacy=False):
        super().__init__(file, protocol)
        self._storages = storages  # id(Storage) -> StorageRef
        self._legacy = legacy

    def save_global(self, obj, name=None):
        if isinstance(obj, Global):
            module, name = obj.module, obj.name
        else:
            module = getattr(obj, "__module__", None)
            if module is None or not (module == "jtorch" or module.startswith("jtorch.")):
                return super().save_global(obj, name)
            name = name or getattr(obj, "__qualname__", None) or obj.__name__
            module = _torch_name(module)
        self.write(pickle.GLOBAL + module.encode("utf-8") + b"\n" + name.encode("utf-8") +
                   b"\n")
        self.memoize(obj)

    # classes reach save_global through the base class's save_type; functions need this
    dispatch[Global] = save_global
    dispatch[types.FunctionType] = save_global

    def _save_dtype(self, obj):
        self.save_global(Global("torch", obj._name))

    dispatch[D.dtype] = _save_dtype

    def persistent_id(self, obj):
        if isinstance(obj, StorageRef):
            name = STORAGE_NAMES[obj.dtype]
            if name == "UntypedStorage":  # counted in bytes, typed by _rebuild_tensor_v3
                pid = ("storage", Global("torch.storage", name), obj.key, obj.location,
                       obj.numel * obj.dtype.itemsize)
            else:
                pid = ("storage", Global("torch", name), obj.key, obj.location, obj.numel)
            return pid + (None,) if self._legacy else pid
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            from ..nn.parameter import Parameter
            if isinstance(obj, Parameter):
                from .._tensor import _alias
                return (_REBUILD_PARAMETER, (_alias(obj), obj.requires_grad,
                                             collections.OrderedDict()))
            return self._reduce_tensor(obj)
        if isinstance(obj, _device_cls):
            return (Global("torch", "device"), (str(obj),))
        if isinstance(obj, Size):
            return (Global("torch", "Size"), (tuple(obj),))
        return NotImplemented

    def _reduce_tensor(self, t):
        if t._dtype not in STORAGE_NAMES:
            raise RuntimeError(f"jtorch.save does not support tensors of dtype {t._dtype}")
        if t.is_meta:
            raise NotImplementedError("torch.save of a tensor on the meta device is not "
                                      "supported by jtorch")
        ref = self._storages.get(id(t._st))
        if ref is None:
            data = _storage_array(t)
            ref = StorageRef(str(len(self._storages)), t._dtype, data.size, data,
                             location_tag(t.device), t._st)
            self._storages[id(t._st)] = ref
        if ref.dtype is not t._dtype:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same data "
                               "as different types")
        args = (ref, t._offset, tuple(t._shape), tuple(t.stride()), t._rg,
                collections.OrderedDict())
        if STORAGE_NAMES[t._dtype] == "UntypedStorage":
            return (_REBUILD_TENSOR_V3, args + (t._dtype,))
        return (_REBUILD_TENSOR, args)
