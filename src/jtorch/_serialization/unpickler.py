"""The unpicklers of ``jtorch.load``: weights-only (PyTorch's allowlist) and full.

Weights-only loading resolves every global through ``find_class`` against PyTorch's default
allowlist (tensors, storages, dtypes, Size, device, OrderedDict, Counter, set, complex, ...)
plus the user's ``add_safe_globals``; anything else raises ``pickle.UnpicklingError`` naming the
global before it can be called, so nothing in a malicious file runs.  PyTorch names in the file
resolve to jtorch objects; PyTorch itself is never imported.

Storages come from the archive as NumPy arrays and are placed on the device chosen by
``map_location`` (PyTorch's rules: None, a string, a device, a dict or a callable).
"""
from __future__ import annotations

import _compat_pickle
import collections
import pickle

import numpy as np

from .. import _dtype as D
from .._device import device as _device_cls
from .._size import Size
from .._tensor import Tensor
from .pickler import STORAGE_NAMES

__all__ = ["Unpickler", "user_globals", "weights_only_message", "BLOCKED_MODULES"]

BLOCKED_MODULES = ("sys", "os", "posix", "nt")

# the Python 2 names PyTorch's weights-only unpickler translates (torch._utils' tables; a full
# load translates every name Python's own unpickler does)
_WO_IMPORT_MAPPING = {
    "__builtin__": "builtins", "copy_reg": "copyreg", "Queue": "queue", "repr": "reprlib",
    "_abcoll": "collections.abc", "UserDict": "collections", "UserList": "collections",
    "UserString": "collections", "whichdb": "dbm", "StringIO": "io", "cStringIO": "io"}
_WO_NAME_MAPPING = {
    ("__builtin__", "xrange"): ("builtins", "range"),
    ("__builtin__", "reduce"): ("functools", "reduce"),
    ("__builtin__", "intern"): ("sys", "intern"),
    ("__builtin__", "unichr"): ("builtins", "chr"),
    ("__builtin__", "unicode"): ("builtins", "str"),
    ("__builtin__", "long"): ("builtins", "int"),
    ("itertools", "izip"): ("builtins", "zip"), ("itertools", "imap"): ("builtins", "map"),
    ("itertools", "ifilter"): ("builtins", "filter"),
    ("itertools", "ifilterfalse"): ("itertools", "filterfalse"),
    ("itertools", "izip_longest"): ("itertools", "zip_longest"),
    ("UserDict", "IterableUserDict"): ("collections", "UserDict"),
    ("UserList", "UserList"): ("collections", "UserList"),
    ("UserString", "UserString"): ("collections", "UserString"),
    ("__builtin__", "basestring"): ("builtins", "str"),
    ("exceptions", "StandardError"): ("builtins", "Exception"),
    ("UserDict", "UserDict"): ("collections", "UserDict")}

UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source.")
DOCS_MESSAGE = ("\n\nCheck the documentation of torch.load to learn more about types accepted by "
                "default with weights_only https://pytorch.org/docs/stable/generated/torch.load"
                ".html.")


def weights_only_message(message):
    """PyTorch's wrapping of a weights-only unpickler error (torch.load's _get_wo_message)."""
    if "was not an allowed global by default." in message:
        return ("Weights only load failed. This file can still be loaded, to do so you have two "
                "options, \033[1mdo those steps only if you trust the source of the checkpoint"
                f"\033[0m. \n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with "
                "`weights_only=True` please check the recommended steps in the following error "
                "message.\n\tWeightsUnpickler error: " + message + DOCS_MESSAGE)
    out = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
    if "is blocked" not in message:
        out += ("Please file an issue with the following so that we can make "
                "`weights_only=True` compatible with your use case: WeightsUnpickler error: ")
    return out + "\n\n" + message + DOCS_MESSAGE


# --------------------------------------------------------------------------------------------
# the user's allowlist (torch.serialization.add_safe_globals)

SAFE_GLOBALS: set = set()


def user_globals():
    out = {}
    for g in SAFE_GLOBALS:
        if isinstance(g, tuple):
            out[g[1]] = g[0]
        else:
            out[f"{g.__module__}.{g.__qualname__}"] = g
    return out


# --------------------------------------------------------------------------------------------
# rebuild functions: PyTorch's torch._utils names, building jtorch tensors


class StorageType:
    """What a storage class name in a pickle (``torch.FloatStorage``) resolves to."""

    def __init__(self, dtype, name):
        self.dtype = dtype
        self.name = name

    def __repr__(self):
        return f"StorageType(dtype={self.dtype})"


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    t = storage.view_as(storage_offset, tuple(size), tuple(stride))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    t = storage.view_as(storage_offset, tuple(size), tuple(stride), dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    from ..nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad)
    if state:
        p.__dict__.update(state)
    return p


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if new_type is not Tensor and isinstance(new_type, type) and not isinstance(ret, new_type):
        ret = ret.as_subclass(new_type)
    if state:
        if isinstance(state, tuple):
            state = state[0] or {}
        ret.__dict__.update(state)
    return ret


def _rebuild_device_tensor_from_numpy(data, dtype, device, requires_grad):
    from .._ops.creation import host_tensor
    dt = dtype if isinstance(dtype, D.dtype) else D.from_np(np.dtype(dtype))
    t = host_tensor(np.asarray(data, dtype=dt.np), dt)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_device_tensor_from_cpu_tensor(data, dtype, device, requires_grad):
    return data


def _rebuild_meta_tensor_no_storage(dtype, size, stride, requires_grad):
    import jtorch
    t = jtorch.empty_strided(tuple(size), tuple(stride), dtype=dtype, device="meta")
    if requires_grad:
        t.requires_grad_(True)
    return t


def _get_layout(name):
    import jtorch
    return getattr(jtorch, name.split(".")[-1])


def _unsupported(what):
    def rebuild(*args):
        raise NotImplementedError(f"torch.load: {what} are not supported by jtorch")
    return rebuild


def allowed_globals():
    """PyTorch's default weights-only allowlist, mapped to jtorch objects."""
    import jtorch
    table = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "builtins.set": set, "builtins.bytearray": bytearray, "builtins.complex": complex,
        "_codecs.encode": __import__("codecs").encode,  # bytes in protocol-2 pickles
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._utils._rebuild_device_tensor_from_numpy": _rebuild_device_tensor_from_numpy,
        "torch._utils._rebuild_device_tensor_from_cpu_tensor":
            _rebuild_device_tensor_from_cpu_tensor,
        "torch._utils._rebuild_meta_tensor_no_storage": _rebuild_meta_tensor_no_storage,
        "torch._utils._rebuild_qtensor": _unsupported("quantized tensors"),
        "torch._utils._rebuild_sparse_tensor": _unsupported("sparse tensors"),
        "torch._utils._rebuild_nested_tensor": _unsupported("nested tensors"),
        "torch._utils._rebuild_wrapper_subclass": _unsupported("tensor subclasses"),
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.serialization._get_layout": _get_layout,
        "torch.Size": Size,
        "torch.device": _device_cls,
        "torch.Tensor": Tensor,
        "torch.nn.parameter.Parameter": jtorch.nn.Parameter,
        "torch.storage.UntypedStorage": StorageType(D.uint8, "UntypedStorage"),
        "torch.UntypedStorage": StorageType(D.uint8, "UntypedStorage"),
    }
    for d in D.ALL:
        table[f"torch.{d._name}"] = d
    for dt, name in STORAGE_NAMES.items():
        if name != "UntypedStorage":
            table[f"torch.{name}"] = table[f"torch.cuda.{name}"] = StorageType(dt, name)
            tensor_name = name.replace("Storage", "Tensor")
            if hasattr(jtorch, tensor_name):
                table[f"torch.{tensor_name}"] = getattr(jtorch, tensor_name)
    return table


def globals_in_pickle(data):
    """The ``module.name`` of every GLOBAL opcode in a pickle, as weights-only loading names
    them (Python 2 names translated), found without unpickling."""
    import pickletools
    found = set()
    for op, arg, _ in pickletools.genops(data):
        if op.name == "GLOBAL":
            module, name = arg.split(" ", 1)
            if (module, name) in _WO_NAME_MAPPING:
                module, name = _WO_NAME_MAPPING[(module, name)]
            elif module in _WO_IMPORT_MAPPING:
                module = _WO_IMPORT_MAPPING[module]
            found.add(f"{module}.{name}")
    return found


# --------------------------------------------------------------------------------------------
# storages and map_location


class MappedStorage:
    """The storage a ``map_location`` callable receives (PyTorch passes an UntypedStorage on
    the CPU); ``.cuda()``, ``.cpu()``, ``.to(device)`` choose where it is loaded."""

    def __init__(self, nbytes, device="cpu"):
        self._nbytes = nbytes
        self.device = _device_cls(device)

    def nbytes(self):
        return self._nbytes

    size = nbytes
    __len__ = nbytes

    def cpu(self):
        return MappedStorage(self._nbytes, "cpu")

    def cuda(self, device=None, non_blocking=False):
        if device is None:
            device = "cuda"
        elif isinstance(device, int):
            device = f"cuda:{device}"
        return MappedStorage(self._nbytes, device)

    def to(self, *, device, non_blocking=False):
        return MappedStorage(self._nbytes, device)

    def __repr__(self):
        return f"MappedStorage(nbytes={self._nbytes}, device={self.device})"


def restore_device(location):
    """The device for PyTorch's location tag (torch.serialization.default_restore_location)."""
    loc = str(location)
    if loc == "cpu":
        return _device_cls("cpu")
    if loc.startswith("cuda"):
        from .._devices import cuda_available
        if not cuda_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                "is False. If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU.")
        dev = _device_cls(loc)
        import jtorch
        count = jtorch.cuda.device_count()
        if (dev.index or 0) >= count:
            raise RuntimeError(
                f"Attempting to deserialize object on CUDA device {dev.index} but "
                f"torch.cuda.device_count() is {count}. Please use torch.load with map_location "
                "to map your storages to an existing device.")
        return dev
    if loc == "meta":
        return _device_cls("meta")
    raise RuntimeError("don't know how to restore data location of torch.storage.UntypedStorage "
                       f"(tagged with {loc})")


def target_device(location, nbytes, map_location):
    """Where a storage saved at ``location`` goes under ``map_location``."""
    if map_location is None:
        return restore_device(location)
    if isinstance(map_location, dict):
        return restore_device(map_location.get(location, location))
    if isinstance(map_location, (str, bytes)):
        if isinstance(map_location, bytes):
            map_location = map_location.decode()
        return restore_device(map_location)
    if isinstance(map_location, _device_cls):
        return restore_device(str(map_location))
    result = map_location(MappedStorage(nbytes), location)
    if result is None:
        return restore_device(location)
    if isinstance(result, MappedStorage):
        return restore_device(str(result.device))
    raise TypeError("map_location must return a storage (the one it was given, or that "
                    f"storage moved with .cpu(), .cuda() or .to()), not {type(result).__name__}")


class LoadedStorage:
    """A storage read from a checkpoint: the tensors built on it are views of one base."""

    def __init__(self, array, dtype, device):
        self.array = array  # 1-d numpy array of the storage's elements (may view the file)
        self.dtype = dtype
        self.device = device
        self._base = None

    def _tensor(self, a, dtype):
        from .. import _default_device
        from .._ops.creation import host_tensor
        dev = self.device
        if dev.type == "meta":
            import jtorch
            return jtorch.empty(a.shape, dtype=dtype, device="meta")
        if dev.type == "cpu" and _default_device.get().type == "cpu":
            dev = None  # host_tensor's own path (NumPy inside forked DataLoader workers)
        return host_tensor(a, dtype, device=dev)

    def view_as(self, offset, size, stride, dtype=None):
        from .._ops.view import AS_STRIDED, contiguous_strides, make_view
        if dtype is not None and dtype is not self.dtype:  # an untyped storage, typed by v3
            if self._base is not None:
                raise NotImplementedError("torch.load: tensors of different dtypes viewing one "
                                          "storage are not supported by jtorch")
            self.array = self.array.view(dtype.np)
            self.dtype = dtype
        n = self.numel
        numel = int(np.prod(size)) if size else 1
        last = offset + sum((s - 1) * st for s, st in zip(size, stride))
        if offset < 0 or (numel and last >= n):
            item = self.dtype.itemsize
            raise RuntimeError(
                f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                f"{offset}, and itemsize {item} requiring a storage size of {(last + 1) * item} "
                f"are out of bounds for storage of size {n * item}")
        if self._base is None and offset == 0 and numel == n and \
                tuple(stride) == contiguous_strides(size):
            # the common case: one dense tensor owning its storage
            t = self._tensor(self.array.reshape(size), self.dtype)
            self._base = t.reshape(-1)
            self.array = None  # the file's bytes are no longer needed
            return t
        if self._base is None:
            self._base = self._tensor(self.array, self.dtype)
            self.array = None
        return make_view(self._base, AS_STRIDED, (tuple(size), tuple(stride), offset))

    @property
    def numel(self):
        if self.array is not None:
            return self.array.size
        return self._base.numel()


class Unpickler(pickle.Unpickler):
    """Unpickles ``data.pkl``; ``storage_array(key, dtype, numel)`` reads a storage's data."""

    def __init__(self, file, storage_array, map_location, weights_only, legacy=False,
                 **kwargs):
        super().__init__(file, **kwargs)
        self._storage_array = storage_array
        self._map_location = map_location
        self._weights_only = weights_only
        self._legacy = legacy
        self._loaded = {}
        self._allowed = allowed_globals()

    def find_class(self, module, name):
        # Python 2 names in protocol-2 pickles (__builtin__.set)
        names, imports = (_WO_NAME_MAPPING, _WO_IMPORT_MAPPING) if self._weights_only else \
            (_compat_pickle.NAME_MAPPING, _compat_pickle.IMPORT_MAPPING)
        if (module, name) in names:
            module, name = names[(module, name)]
        elif module in imports:
            module = imports[module]
        full = f"{module}.{name}"
        if self._weights_only:
            if module in BLOCKED_MODULES:
                raise pickle.UnpicklingError(f"Trying to load unsupported GLOBAL {full} whose "
                                             f"module {module} is blocked.")
            obj = self._allowed.get(full)
            if obj is None:
                obj = user_globals().get(full)
            if obj is None:
                shown = full[len("builtins."):] if module == "builtins" else full
                raise pickle.UnpicklingError(
                    f"Unsupported global: GLOBAL {shown} was not an allowed global by default. "
                    f"Please use `torch.serialization.add_safe_globals([{shown}])` or the "
                    f"`torch.serialization.safe_globals([{shown}])` context manager to allowlist "
                    "this global if you trust this class/function.")
            return obj
        if module == "torch" or module.startswith("torch."):
            obj = self._allowed.get(full)
            if obj is not None:
                return obj
            try:
                return super().find_class("j" + module, name)
            except (ImportError, AttributeError):
                raise pickle.UnpicklingError(f"jtorch.load: {full} has no jtorch equivalent") \
                    from None
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid:
            raise pickle.UnpicklingError(f"Unsupported persistent id {pid!r} in checkpoint")
        if pid[0] == "module" and self._legacy and not self._weights_only:
            return pid[1]  # a legacy full pickle names a module's class this way
        if pid[0] != "storage" or len(pid) not in (5, 6):
            raise pickle.UnpicklingError(f"Unsupported persistent id {pid!r} in checkpoint")
        storage_type, key, location, numel = pid[1:5]
        st = self._loaded.get(key)
        if st is not None:
            return st
        if not isinstance(storage_type, StorageType):
            raise pickle.UnpicklingError(f"checkpoint names {storage_type!r} as a storage type")
        dtype = storage_type.dtype
        device = target_device(location, numel * dtype.itemsize, self._map_location)
        array = self._storage_array(key, dtype, numel)
        st = self._loaded[key] = LoadedStorage(array, dtype, device)
        return st
