"""torch.save / torch.load in PyTorch's own formats, both ways.

A checkpoint is a zip archive (stored, not compressed) holding ``<name>/data.pkl`` — a protocol-2
pickle whose tensors are ``torch._utils._rebuild_tensor_v2`` calls on persistent storage ids —
and the raw little-endian bytes of every storage in ``<name>/data/<key>``, plus PyTorch's
``byteorder``, ``version``, ``.format_version``, ``.storage_alignment`` and
``.data/serialization_id`` records.  jtorch writes the same global names PyTorch writes, so real
PyTorch's ``torch.load(f, weights_only=True)`` reads jtorch's files and jtorch reads PyTorch's,
without PyTorch installed.  PyTorch's pre-1.6 stream format is read and written too
(``_use_new_zipfile_serialization=False``); the pre-0.4 tar format is refused by name.

Loading is safe by default (``weights_only=True``): a restricted unpickler accepts tensors,
storages, primitive containers and the globals allowed by ``add_safe_globals``; anything else
raises ``pickle.UnpicklingError`` before it can run.  Saving to a path is atomic (a temporary
file in the same directory, fsynced, renamed over the target).

Differences from PyTorch: the weights-only unpickler is Python's own with every global resolved
through the allowlist (it accepts pickle opcodes PyTorch's interpreter does not, never a global it
refuses); ``mmap=True`` maps the file and copies each storage onto its device (the tensors do not
alias the file); ``pickle_module`` must be the standard ``pickle``; tensor subclasses, sparse,
quantized and nested tensors are not supported.

Storing a state_dict as safetensors (the JAX ecosystem's format) needs no jtorch API: with the
``safetensors`` package installed, ``safetensors.numpy.save_file({k: v.numpy() for k, v in
sd.items()}, path)`` and ``{k: torch.from_numpy(v) for k, v in
safetensors.numpy.load_file(path).items()}`` round-trip it (see tests/test_serialization.py).
"""
from __future__ import annotations

import contextlib
import io
import os
import pickle
import struct
import tempfile
import threading

import numpy as np

from ._serialization import archive as _archive
from ._serialization import legacy as _legacy
from ._serialization import unpickler as _unpickler
from ._serialization.pickler import Pickler as _Pickler

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "get_unsafe_globals_in_checkpoint", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2


# --------------------------------------------------------------------------------------------
# saving


def _zip_records(pickled, storages):
    yield "data.pkl", pickled
    yield ".format_version", b"1"
    yield ".storage_alignment", b"64"
    yield "byteorder", b"little"
    for ref in storages.values():
        yield f"data/{ref.key}", ref.data
    yield "version", b"3\n"
    yield ".data/serialization_id", str(int.from_bytes(os.urandom(16), "little")).zfill(40)[:40] \
        .encode()


def _write(fobj, name, pickled, storages, legacy, protocol):
    if legacy:
        _legacy.write_legacy(fobj, pickled, storages, protocol)
    else:
        _archive.write_archive(fobj, name, _zip_records(pickled, storages))


def _keep_old(path, tmp):
    """Give ``tmp`` the permissions a plain overwrite of ``path`` would have; return a second
    name (a hard link) for the old file at ``path``, or None.

    Replacing a large file frees its blocks inside ``rename`` (about 0.2 s per 100 MB on ext4
    once the file is on disk); with a second link the rename only moves names and the old
    blocks are freed by ``_unlink_later``, off the caller's path.
    """
    try:
        st = os.stat(path)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return None
    with contextlib.suppress(OSError):
        os.chmod(tmp, st.st_mode & 0o7777)
    if st.st_size < 1 << 24:
        return None
    old = tmp + ".old"
    try:
        os.link(path, old)
    except OSError:  # no hard links here (FAT, some network file systems)
        return None
    return old


def _unlink_later(path):
    # not a daemon: an exiting interpreter waits for it, so no stray link is left behind
    threading.Thread(target=_unlink_quietly, args=(path,), name="jtorch.save unlink").start()


def _unlink_quietly(path):
    with contextlib.suppress(OSError):
        os.unlink(path)


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """Save ``obj`` to ``f`` (a path or a binary file object) in PyTorch's zip format.

    Tensors sharing a storage (views) are saved once and load as views of one storage again.
    Writing to a path is atomic: the old file stays intact if the save fails or is killed.
    """
    if pickle_module is not pickle:
        raise NotImplementedError("torch.save(pickle_module=...): jtorch writes with the "
                                  "standard pickle module only")
    from ._engine.core import sync
    sync()
    storages = {}
    buf = io.BytesIO()
    # pickle first: an object that cannot be pickled fails before any file is touched
    _Pickler(buf, pickle_protocol, storages, legacy=not _use_new_zipfile_serialization).dump(obj)
    pickled = buf.getvalue()
    legacy = not _use_new_zipfile_serialization
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        name = os.path.splitext(os.path.basename(path))[0] or "archive"
        directory = os.path.dirname(os.path.abspath(path))
        parent = os.path.dirname(path)
        if parent and not os.path.isdir(parent):
            raise RuntimeError(f"Parent directory {parent} does not exist.")
        try:
            if os.path.isdir(path):
                raise IsADirectoryError(21, "Is a directory")
            fd, tmp = tempfile.mkstemp(prefix=".tmp-" + os.path.basename(path), dir=directory)
        except OSError as e:  # PyTorch's file writer reports it so
            raise RuntimeError("[enforce fail at inline_container.cc:747] . open file failed "
                               f"with strerror: {e.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as fobj:
                _write(fobj, name, pickled, storages, legacy, pickle_protocol)
                fobj.flush()
                os.fsync(fobj.fileno())
            old = _keep_old(path, tmp)
            try:
                os.replace(tmp, path)
            finally:
                if old is not None:
                    _unlink_later(old)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return
    if not hasattr(f, "write"):
        raise AttributeError(f"'{type(f).__name__}' object has no attribute 'write'")
    _write(f, "archive", pickled, storages, legacy, pickle_protocol)


# --------------------------------------------------------------------------------------------
# the weights-only allowlist


def add_safe_globals(safe_globals):
    """Mark globals (classes, functions, or ``(object, "module.name")`` pairs) as safe for
    ``weights_only=True`` loading."""
    for g in safe_globals:
        if isinstance(g, tuple) and (len(g) != 2 or not isinstance(g[1], str)):
            raise ValueError("Expected tuple of length 2 (global, str of callable full path), "
                             f"but got tuple of length: {len(g)}")
    _unpickler.SAFE_GLOBALS.update(safe_globals)


def get_safe_globals():
    """The globals added with ``add_safe_globals``."""
    return list(_unpickler.SAFE_GLOBALS)


def clear_safe_globals():
    """Remove every global added with ``add_safe_globals``."""
    _unpickler.SAFE_GLOBALS.clear()


class safe_globals:
    """Context manager: ``add_safe_globals(globals_list)`` for the duration of the block."""

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _unpickler.SAFE_GLOBALS.difference_update(self.safe_globals)


def get_unsafe_globals_in_checkpoint(f):
    """The ``module.name`` strings of the globals in a checkpoint's pickle that weights-only
    loading would refuse (read statically: nothing in the file runs)."""
    data = _archive.open_source(f, False)
    if bytes(data[:4]) != b"PK\x03\x04":
        raise ValueError("Expected input to be a checkpoint returned by torch.save")
    found = _unpickler.globals_in_pickle(_archive.Archive(data).read("data.pkl"))
    safe = set(_unpickler.allowed_globals()) | set(_unpickler.user_globals())
    return list(found - safe)


# --------------------------------------------------------------------------------------------
# loading


def _zip_load(data, make_unpickler):
    arch = _archive.Archive(data)
    big = arch.has("byteorder") and arch.read("byteorder").strip() == b"big"

    def storage_array(key, dtype, numel):
        rec = f"data/{key}"
        if not big:
            return arch.array(rec, dtype.np, numel)
        # a big-endian file: swap each component's bytes (complex has two per element)
        comp = dtype.itemsize // 2 if dtype.is_complex else dtype.itemsize
        raw = arch.array(rec, np.dtype(np.uint8), numel * dtype.itemsize)
        return np.ascontiguousarray(raw.reshape(-1, comp)[:, ::-1]).view(dtype.np).reshape(-1)

    pickled = arch.read("data.pkl")
    return make_unpickler(io.BytesIO(pickled), storage_array).load()


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Load an object saved with ``torch.save`` (by PyTorch or jtorch).

    ``weights_only=True`` (the default) refuses any global outside tensors, containers and the
    allowlist; pass ``weights_only=False`` only for files you trust.  ``map_location`` (a
    string, device, dict or callable) chooses the device of each storage.  ``mmap=True``
    memory-maps the file (``f`` must be a path) and copies each storage from the map.
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified")
    if pickle_module is not None and pickle_module is not pickle:
        raise NotImplementedError("torch.load(pickle_module=...): jtorch reads with the "
                                  "standard pickle module only")
    pickle_load_args.setdefault("encoding", "utf-8")
    if mmap and not isinstance(f, (str, os.PathLike)):
        raise ValueError("f must be a file path in order to use the mmap argument")
    data = _archive.open_source(f, bool(mmap))
    if not len(data):  # an empty file: PyTorch's two unpicklers word it differently
        raise EOFError() if weights_only else EOFError("Ran out of input")

    def make_unpickler(file, storage_array, legacy=False):
        return _unpickler.Unpickler(file, storage_array, map_location, weights_only,
                                    legacy=legacy, **pickle_load_args)

    try:
        if bytes(data[:4]) == b"PK\x03\x04":
            return _zip_load(data, make_unpickler)
        if mmap:
            name = f"{f}, " if isinstance(f, str) else ""
            raise RuntimeError("mmap can only be used with files saved with "
                               f"`torch.save({name}_use_new_zipfile_serialization=True), please "
                               "torch.save your checkpoint with this option in order to use "
                               "mmap.")
        if _legacy.is_tar(data):
            _legacy.refuse_tar(weights_only)
        check = make_unpickler(io.BytesIO(), None, True).find_class if weights_only else None
        return _legacy.read_legacy(
            data, lambda file, storage_array: make_unpickler(file, storage_array, True), check)
    except pickle.UnpicklingError as e:
        if weights_only:
            msg = str(e)
            if msg.startswith("invalid load key, ") and bytes(data[:1]) != b"\x80":
                # not a pickle at all: worded as PyTorch's own unpickler words it
                msg = f"Unsupported operand {bytes(data[:1])[0]}"
            raise pickle.UnpicklingError(_unpickler.weights_only_message(msg)) from None
        raise
    except (EOFError, struct.error):  # a pickle cut short: say so, not "Ran out of input"
        raise pickle.UnpicklingError("the checkpoint is truncated or corrupt: its pickle data "
                                     "ends early") from None
