"""PyTorch's pre-1.6 checkpoint format (``_use_new_zipfile_serialization=False``).

The file is a stream of pickles: a magic number, the protocol version (1001), a dict of
system information, the object (tensors as persistent ids naming storages), the sorted list
of storage keys, then each storage as an 8-byte little-endian element count and its raw bytes.
Reading needs every storage's dtype before its bytes can be sized, and the dtypes are inside the
object's pickle: a first pass over that pickle replaces every global by an inert stand-in
(nothing in the file runs) to collect the storages; the real unpickling follows.

The older tar format (PyTorch < 0.4) is refused with an error naming it.
"""
from __future__ import annotations

import io
import pickle
import struct
import sys

import numpy as np

from .unpickler import UNSAFE_MESSAGE, StorageType, allowed_globals

__all__ = ["MAGIC_NUMBER", "PROTOCOL_VERSION", "is_tar", "read_legacy", "write_legacy"]

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001


def is_tar(data):
    return len(data) > 262 and bytes(data[257:262]) == b"ustar"


def refuse_tar(weights_only):
    if weights_only:
        raise RuntimeError("Cannot use ``weights_only=True`` with files saved in the legacy .tar "
                           "format. " + UNSAFE_MESSAGE)
    raise NotImplementedError("torch.load: checkpoints in PyTorch's legacy .tar format (written "
                              "by PyTorch < 0.4) are not supported by jtorch; load the file "
                              "with PyTorch and torch.save it again")


class _Inert:
    """Stands in for every global during the first pass: calling, building or filling it does
    nothing, so no code from the file runs."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass

    def append(self, x):
        pass

    def extend(self, xs):
        pass

    def __setitem__(self, k, v):
        pass

    def __call__(self, *args, **kwargs):
        return _Inert()


class _ScanUnpickler(pickle.Unpickler):
    """First pass: records each storage's (dtype, numel) by key."""

    def __init__(self, file, check):
        super().__init__(file)
        self._check = check  # the real unpickler's find_class under weights_only, else None
        self.storages = {}
        self._types = {k: v for k, v in allowed_globals().items()
                       if isinstance(v, StorageType)}

    def find_class(self, module, name):
        if self._check is not None:
            self._check(module, name)  # refuse what the real pass would refuse, as early
        return self._types.get(f"{module}.{name}", _Inert)

    def persistent_load(self, pid):
        if isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage" and \
                isinstance(pid[1], StorageType):
            self.storages.setdefault(pid[2], (pid[1].dtype, pid[4]))
        return _Inert()


class _PlainUnpickler(pickle.Unpickler):
    """For the header pickles and the key list: no globals at all."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"Unsupported global: GLOBAL {module}.{name} in the header "
                                     "of a legacy checkpoint")


def read_legacy(data, make_unpickler, check=None):
    """Load a legacy checkpoint from ``data``; ``make_unpickler(file, storage_array)`` builds
    the real unpickler; ``check(module, name)`` raises for a global it must not see."""
    f = io.BytesIO(data)
    magic = _PlainUnpickler(f).load()
    if magic != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    protocol = _PlainUnpickler(f).load()
    if protocol != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {protocol}")
    _PlainUnpickler(f).load()  # sys_info
    start = f.tell()
    scan = _ScanUnpickler(f, check)
    scan.load()
    keys = _PlainUnpickler(f).load()
    arrays = {}
    for key in keys:
        if key not in scan.storages:
            raise RuntimeError(f"storage key {key!r} not found in deserialized_objects")
        dtype, _ = scan.storages[key]
        head = f.read(8)
        if len(head) < 8:
            raise RuntimeError(f"unexpected EOF, expected {8 - len(head)} more bytes. The file "
                               "might be corrupted.")
        (numel,) = struct.unpack("<q", head)
        raw = f.read(numel * dtype.itemsize)
        if len(raw) < numel * dtype.itemsize:
            raise RuntimeError(f"unexpected EOF, expected {numel * dtype.itemsize - len(raw)} "
                               "more bytes. The file might be corrupted.")
        arrays[key] = np.frombuffer(raw, dtype.np)

    def storage_array(key, dtype, numel):
        try:
            return arrays[key]
        except KeyError:
            raise RuntimeError(f"storage {key!r} of the checkpoint has no data") from None

    f.seek(start)
    return make_unpickler(f, storage_array).load()


def write_legacy(f, pickled, storages, protocol):
    """Write the legacy stream: header pickles, the object's pickle, keys, storages."""
    sys_info = {"protocol_version": PROTOCOL_VERSION, "little_endian": sys.byteorder == "little",
                "type_sizes": {"short": struct.calcsize("=h"), "int": struct.calcsize("=i"),
                               "long": struct.calcsize("=l")}}
    for header in (MAGIC_NUMBER, PROTOCOL_VERSION, sys_info):
        pickle.dump(header, f, protocol=protocol)
    f.write(pickled)
    refs = sorted(storages.values(), key=lambda r: r.key)
    pickle.dump([r.key for r in refs], f, protocol=protocol)
    for r in refs:
        f.write(struct.pack("<q", r.numel))
        f.write(memoryview(r.data.reshape(-1).view(np.uint8)))
