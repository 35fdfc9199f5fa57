"""torch.save / torch.load in PyTorch's own zip format, both ways.

A checkpoint is a zip archive (stored, not compressed) holding ``<name>/data.pkl`` — a protocol-2
pickle whose tensors are ``torch._utils._rebuild_tensor_v2`` calls on persistent storage ids —
and the raw little-endian bytes of every storage in ``<name>/data/<key>``, plus PyTorch's
``byteorder``, ``version``, ``.format_version``, ``.storage_alignment`` and
``.data/serialization_id`` records.  jtorch writes the same global names PyTorch writes, so real
PyTorch's ``torch.load(f, weights_only=True)`` reads jtorch's files and jtorch reads PyTorch's,
without PyTorch installed.

Loading is safe by default (``weights_only=True``): a restricted unpickler accepts tensors,
storages, primitive containers and the globals allowed by ``add_safe_globals``; anything else
raises ``pickle.UnpicklingError`` before it can run.  Saving to a path is atomic.
"""
from __future__ import annotations

import collections
import contextlib
import io
import os
import pickle
import struct
import tempfile
import zipfile

import numpy as np

from . import _dtype as D
from ._device import device as _device_cls
from ._size import Size
from ._tensor import Tensor

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2
_ALIGN = 64

# dtype <-> the legacy storage class PyTorch names in its pickles
_STORAGE_NAMES = {
    D.float32: "FloatStorage", D.float64: "DoubleStorage", D.float16: "HalfStorage",
    D.bfloat16: "BFloat16Storage", D.int64: "LongStorage", D.int32: "IntStorage",
    D.int16: "ShortStorage", D.int8: "CharStorage", D.uint8: "ByteStorage",
    D.bool_: "BoolStorage", D.complex64: "ComplexFloatStorage",
    D.complex128: "ComplexDoubleStorage",
}
_STORAGE_DTYPES = {v: k for k, v in _STORAGE_NAMES.items()}


# --------------------------------------------------------------------------------------------
# saving


class _Global:
    """A reference to a PyTorch global (``torch._utils._rebuild_tensor_v2``) by name only."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def __call__(self, *args):  # pickle requires reduce functions to be callable
        raise TypeError(f"{self.module}.{self.name} is a name written into checkpoints")


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_ORDERED_DICT = collections.OrderedDict


class _StorageRef:
    """Placeholder pickled as a persistent id: one per storage in the file."""

    __slots__ = ("key", "dtype", "numel")

    def __init__(self, key, dtype, numel):
        self.key = key
        self.dtype = dtype
        self.numel = numel


def _flat_bytes(t):
    """The bytes of t's whole storage in memory order (the base value laid out by its strides),
    and the number of elements."""
    st = t._st
    value = st.value
    if type(value) is np.ndarray:
        base = value
    else:
        from ._engine.core import materialize
        base = np.asarray(materialize(value))
    base_strides = _base_strides(t)
    if base_strides is not None and base.ndim:
        order = sorted(range(base.ndim), key=lambda i: -base_strides[i])
        base = np.transpose(base, order)
    base = np.ascontiguousarray(base)
    if base.dtype.byteorder == ">":
        base = base.byteswap().newbyteorder()
    return base.tobytes(), base.size


def _base_strides(t):
    """Strides of the storage's base layout when it is not C-contiguous (clone of a
    transposed tensor, from_numpy of a transposed array), else None."""
    return t._st.base_strides


class _Pickler(pickle._Pickler):
    """Writes PyTorch's global names for tensors, dtypes, devices and sizes."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol, storages):
        super().__init__(file, protocol)
        self._storages = storages  # id(Storage) -> (_StorageRef, tensor)

    def save_global(self, obj, name=None):
        if isinstance(obj, _Global):
            self.write(pickle.GLOBAL + obj.module.encode("utf-8") + b"\n" +
                       obj.name.encode("utf-8") + b"\n")
            self.memoize(obj)
            return
        super().save_global(obj, name)

    dispatch[_Global] = save_global

    def _save_dtype(self, obj):
        self.save_global(_Global("torch", obj._name))

    dispatch[D.dtype] = _save_dtype

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            return ("storage", _Global("torch", _STORAGE_NAMES[obj.dtype]), obj.key, "cpu",
                    obj.numel)
        return None

    def reducer_override(self, obj):
        from .nn.parameter import Parameter
        if isinstance(obj, Tensor):
            if isinstance(obj, Parameter):
                return (_REBUILD_PARAMETER, (_plain(obj), obj.requires_grad, _ORDERED_DICT()))
            return self._reduce_tensor(obj)
        if isinstance(obj, _device_cls):
            return (_Global("torch", "device"), (str(obj),))
        if isinstance(obj, Size):
            return (_Global("torch", "Size"), (tuple(obj),))
        return NotImplemented

    def _reduce_tensor(self, t):
        if t._dtype not in _STORAGE_NAMES:
            raise RuntimeError(f"jtorch.save does not support tensors of dtype {t._dtype}")
        entry = self._storages.get(id(t._st))
        if entry is None:
            data, numel = _flat_bytes(t)
            ref = _StorageRef(str(len(self._storages)), t._dtype, numel)
            entry = self._storages[id(t._st)] = (ref, data, t._st)
        ref = entry[0]
        if ref.dtype is not t._dtype:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same data "
                               "as different types")
        return (_REBUILD_TENSOR, (ref, t._offset, tuple(t._shape), tuple(t.stride()),
                                  t._rg, _ORDERED_DICT()))


def _plain(p):
    from ._tensor import _alias
    return _alias(p)


def _pad_extra(offset, name_len):
    """A zip extra field padding the record's data to PyTorch's 64-byte alignment."""
    start = offset + 30 + name_len + 4
    pad = (-start) % _ALIGN
    return struct.pack("<HH", 0x4246, pad) + b"Z" * pad


def _write_archive(fobj, name, pickled, storages):
    with zipfile.ZipFile(fobj, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
        def record(rec, data):
            info = zipfile.ZipInfo(f"{name}/{rec}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            offset = fobj.tell() if fobj.seekable() else 0
            info.extra = _pad_extra(offset, len(info.filename.encode("utf-8")))
            z.writestr(info, data)

        record("data.pkl", pickled)
        record(".format_version", b"1")
        record(".storage_alignment", b"64")
        record("byteorder", b"little")
        for ref, data, _ in storages.values():
            record(f"data/{ref.key}", data)
        record("version", b"3\n")
        record(".data/serialization_id", str(int.from_bytes(os.urandom(16), "little")).zfill(40)
               .encode()[:40])


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """Save ``obj`` to ``f`` (a path or a binary file object) in PyTorch's zip format.

    Writing to a path is atomic: the old file stays intact if the save fails or is killed.
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("torch.save(_use_new_zipfile_serialization=False): the legacy "
                                  "format is not supported by jtorch")
    from ._engine.core import sync
    sync()
    storages = {}
    buf = io.BytesIO()
    _Pickler(buf, pickle_protocol, storages).dump(obj)
    pickled = buf.getvalue()
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        name = os.path.splitext(os.path.basename(path))[0] or "archive"
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".tmp-" + os.path.basename(path), dir=directory)
        try:
            with os.fdopen(fd, "wb") as fobj:
                _write_archive(fobj, name, pickled, storages)
                fobj.flush()
                os.fsync(fobj.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return
    if not hasattr(f, "write"):
        raise AttributeError(f"'{type(f).__name__}' object has no attribute 'write'")
    _write_archive(f, "archive", pickled, storages)


# --------------------------------------------------------------------------------------------
# loading


_safe_globals: dict = {}


def add_safe_globals(safe_globals):
    """Allow these globals (objects, or ``(object, "module.name")`` pairs) in weights-only
    loading."""
    for g in safe_globals:
        if isinstance(g, tuple):
            obj, name = g
        else:
            obj, name = g, f"{g.__module__}.{g.__qualname__}"
        _safe_globals[name] = obj


def get_safe_globals():
    return list(_safe_globals.values())


def clear_safe_globals():
    _safe_globals.clear()


@contextlib.contextmanager
def safe_globals(globals_list):
    """Context manager adding globals to the weights-only allowlist temporarily."""
    saved = dict(_safe_globals)
    add_safe_globals(globals_list)
    try:
        yield
    finally:
        _safe_globals.clear()
        _safe_globals.update(saved)


class _StorageMarker:
    def __init__(self, dtype):
        self.dtype = dtype


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    t = storage.view_as(storage_offset, tuple(size), tuple(stride))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    from .nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad)
    if state:
        p.__dict__.update(state)
    return p


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if new_type is not Tensor and not isinstance(ret, new_type):
        ret = ret.as_subclass(new_type) if hasattr(ret, "as_subclass") else ret
    if state:
        ret.__dict__.update(state if isinstance(state, dict) else state[0] or {})
    return ret


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _size(*args):
    return Size(*args)


# names the weights-only unpickler accepts (as PyTorch's), mapped to jtorch objects
def _allowed():
    import jtorch
    table = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.defaultdict": collections.defaultdict,
        "builtins.set": set, "builtins.frozenset": frozenset, "builtins.bytearray": bytearray,
        "builtins.slice": slice, "builtins.complex": complex,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.Size": Size,
        "torch.device": _device_cls,
        "torch.Tensor": Tensor,
        "torch.nn.parameter.Parameter": jtorch.nn.Parameter,
        "torch._utils._rebuild_device_tensor_from_numpy": _rebuild_from_numpy,
        "torch._utils._rebuild_device_tensor_from_cpu_tensor": _rebuild_from_cpu_tensor,
        "numpy.core.multiarray._reconstruct": _np_reconstruct(),
        "numpy._core.multiarray._reconstruct": _np_reconstruct(),
        "numpy.dtype": np.dtype, "numpy.ndarray": np.ndarray,
    }
    for d in D.ALL:
        table[f"torch.{d._name}"] = d
    for name, dt in _STORAGE_DTYPES.items():
        table[f"torch.{name}"] = _StorageMarker(dt)
    table["torch.UntypedStorage"] = _StorageMarker(D.uint8)
    return {k: v for k, v in table.items() if v is not None}


def _np_reconstruct():
    core = getattr(np, "_core", None)
    return core.multiarray._reconstruct if core is not None else None


def _rebuild_from_numpy(data, dtype, device, requires_grad):
    from ._ops.creation import host_tensor
    t = host_tensor(np.asarray(data), dtype if isinstance(dtype, D.dtype) else D.from_np(dtype))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_from_cpu_tensor(data, dtype, device, requires_grad):
    return data


class _LoadedStorage:
    """A storage read from an archive: tensors built on it are views of one base tensor."""

    def __init__(self, array, dtype):
        self.array = array  # 1-d numpy array of the storage's elements
        self.dtype = dtype
        self._base = None
        self._uses = 0

    def view_as(self, offset, size, stride):
        from ._ops.creation import host_tensor
        from ._ops.view import contiguous_strides
        a = self.array
        numel = int(np.prod(size)) if size else 1
        self._uses += 1
        if self._base is None and offset == 0 and numel == a.size and \
                tuple(stride) == contiguous_strides(size):
            # the common case: one dense tensor owning its storage
            t = host_tensor(a.reshape(size), self.dtype)
            self._base = t.reshape(-1)
            return t
        if self._base is None:
            self._base = host_tensor(a, self.dtype)
        return _as_strided_view(self._base, size, stride, offset)


def _as_strided_view(base, size, stride, offset):
    """A view of the 1-d ``base`` with PyTorch's (size, stride, storage_offset)."""
    from ._ops.view import AS_STRIDED, make_view
    return make_view(base, AS_STRIDED, (tuple(size), tuple(stride), offset))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, archive, prefix, map_location, weights_only):
        super().__init__(file)
        self._archive = archive
        self._prefix = prefix
        self._map_location = map_location
        self._weights_only = weights_only
        self._loaded = {}
        self._allowed = _allowed() if weights_only else None

    def find_class(self, module, name):
        full = f"{module}.{name}"
        if self._weights_only:
            obj = self._allowed.get(full)
            if obj is None:
                obj = _safe_globals.get(full)
            if obj is None:
                raise pickle.UnpicklingError(
                    "Weights only load failed. This file can still be loaded, to do so you have "
                    "two options, do those steps only if you trust the source of the checkpoint. "
                    "\n\t(1) In PyTorch 2.6, we changed the default value of the `weights_only` "
                    "argument in `torch.load` from `False` to `True`. Re-running `torch.load` with "
                    "`weights_only` set to `False` will likely succeed, but it can result in "
                    "arbitrary code execution. Do it only if you got the file from a trusted "
                    "source.\n\t(2) Alternatively, to load with `weights_only=True` please check "
                    "the recommended steps in the following error message.\n\tWeightsUnpickler "
                    f"error: Unsupported global: GLOBAL {full} was not an allowed global by "
                    "default. Please use `torch.serialization.add_safe_globals([" + name + "])` or "
                    "the `torch.serialization.safe_globals([" + name + "])` context manager to "
                    "allowlist this global if you trust this class/function.")
            return obj
        if module.startswith("torch"):
            obj = _allowed().get(full)
            if obj is not None:
                return obj
            try:
                return super().find_class("jtorch" + module[len("torch"):], name)
            except (ImportError, AttributeError):
                raise pickle.UnpicklingError(f"jtorch.load: {full} has no jtorch equivalent") \
                    from None
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise pickle.UnpicklingError(f"Unsupported persistent id {pid!r} in checkpoint")
        _, storage_type, key, location, numel = pid
        st = self._loaded.get(key)
        if st is not None:
            return st
        dtype = storage_type.dtype if isinstance(storage_type, _StorageMarker) else D.uint8
        _check_location(location, self._map_location)
        rec = f"{self._prefix}data/{key}"
        try:
            raw = self._archive.read(rec)
        except KeyError:
            raise RuntimeError(f"PytorchStreamReader failed locating file data/{key}: file not "
                               "found") from None
        arr = np.frombuffer(raw, dtype=dtype.np.newbyteorder("<")).astype(dtype.np, copy=False)
        if arr.size != numel and isinstance(storage_type, _StorageMarker):
            raise RuntimeError(f"checkpoint is corrupt: storage {key} has {arr.size} elements, "
                               f"expected {numel}")
        st = self._loaded[key] = _LoadedStorage(arr.copy(), dtype)
        return st


def _check_location(location, map_location):
    target = location
    if callable(map_location) and not isinstance(map_location, (_device_cls, str)):
        return
    if isinstance(map_location, dict):
        target = map_location.get(location, location)
    elif map_location is not None:
        target = str(map_location)
    if str(target).startswith("cuda"):
        from ._devices import cuda_available
        if not cuda_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                "is False. If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU.")


def _open_archive(f):
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            data = fh.read()
    else:
        if not hasattr(f, "read"):
            raise AttributeError(f"'{type(f).__name__}' object has no attribute 'read'")
        data = f.read()
    if not data:
        raise EOFError("Ran out of input")
    if data[:4] != b"PK\x03\x04":
        if data[:2] == b"\x80\x02" or data[:1] == b"\x80":
            raise RuntimeError("jtorch.load: this file is in PyTorch's legacy (pre-1.6) "
                               "serialization format, which jtorch does not read; re-save it with "
                               "torch.save in PyTorch >= 1.6")
        if len(data) > 262 and data[257:262] == b"ustar":
            raise RuntimeError("jtorch.load: this file is in PyTorch's legacy tar checkpoint "
                               "format, which jtorch does not read; re-save it with torch.save in "
                               "PyTorch >= 1.6")
        raise pickle.UnpicklingError(f"invalid load key, {data[:1]!r}.")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise RuntimeError("PytorchStreamReader failed reading zip archive: failed finding "
                           f"central directory (the checkpoint is truncated or corrupt: {e})") \
            from None


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None,
         **pickle_load_args):
    """Load an object saved with ``torch.save`` (by PyTorch or jtorch).

    ``weights_only=True`` (the default) refuses any global outside tensors, containers and the
    allowlist; pass ``weights_only=False`` only for files you trust.
    """
    if weights_only is None:
        weights_only = True
    archive = _open_archive(f)
    names = archive.namelist()
    pkl = next((n for n in names if n.endswith("/data.pkl") or n == "data.pkl"), None)
    if pkl is None:
        raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
    prefix = pkl[:-len("data.pkl")]
    try:
        data = archive.read(pkl)
    except (zipfile.BadZipFile, OSError) as e:
        raise RuntimeError(f"PytorchStreamReader failed reading file data.pkl: {e}") from None
    up = _Unpickler(io.BytesIO(data), archive, prefix, map_location, weights_only)
    try:
        result = up.load()
    except pickle.UnpicklingError:
        raise
    except (EOFError, struct.error) as e:
        raise pickle.UnpicklingError(f"checkpoint data.pkl is truncated or corrupt: {e}") \
            from None
    return _apply_map_location(result, map_location)


def _apply_map_location(obj, map_location):
    if map_location is None or not callable(map_location) or \
            isinstance(map_location, (_device_cls, str, dict)):
        return obj
    return obj
