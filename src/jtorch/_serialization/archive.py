"""PyTorch's zip container, stored (uncompressed) records aligned to 64 bytes.

Writing streams every storage straight from its NumPy buffer into the archive (no ``bytes``
copy); reading locates each record's data in the file and hands out NumPy views of it (of a
memory map when the checkpoint is a path), so a storage is copied once, onto its device.
"""
from __future__ import annotations

import io
import mmap
import os
import struct
import zipfile
import zlib

import numpy as np

__all__ = ["write_archive", "Archive", "open_source", "CORRUPT_HINT"]

ALIGN = 64
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")  # PK\3\4 ... name length, extra length
_ZIP64_EXTRA = 20  # the zip64 extra field zipfile appends to a large record's local header

CORRUPT_HINT = (" This is an internal miniz error. If you are seeing this error, there is a high "
                "likelihood that your checkpoint file is corrupted. This can happen if the "
                "checkpoint was not saved properly, was transferred incorrectly, or the file was "
                "modified after saving.")


def _as_bytes_view(data):
    """A flat byte memoryview of bytes or of a C-contiguous NumPy array (any dtype)."""
    if isinstance(data, np.ndarray):
        return memoryview(data.reshape(-1).view(np.uint8))
    return memoryview(data)


def write_archive(fobj, name, records):
    """Write ``records`` (``(record_name, bytes or ndarray)``) as PyTorch's archive ``name/``.

    Each record's data starts on a 64-byte boundary (PyTorch pads with a ``FB`` extra field),
    so PyTorch can memory-map the storages of a jtorch checkpoint.
    """
    with zipfile.ZipFile(fobj, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
        for rec, data in records:
            view = _as_bytes_view(data)
            info = zipfile.ZipInfo(f"{name}/{rec}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = view.nbytes
            zip64 = view.nbytes * 1.05 > zipfile.ZIP64_LIMIT  # zipfile's own rule
            start = (z.fp.tell() if z._seekable else 0) + _LOCAL_HEADER.size + \
                len(info.filename.encode("utf-8")) + 4 + (_ZIP64_EXTRA if zip64 else 0)
            pad = (-start) % ALIGN
            info.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad
            with z.open(info, "w", force_zip64=zip64) as w:
                w.write(view)


def open_source(f, use_mmap):
    """The checkpoint's bytes: a read-only memory map of a path (or its contents when it cannot
    be mapped), or what is left to read of a file object."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size and (use_mmap or size > 1 << 20):
                try:
                    return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
                except (OSError, ValueError):  # not mappable (a pipe, a special file)
                    pass
            return fh.read()
    if not hasattr(f, "read"):
        raise AttributeError(f"'{type(f).__name__}' object has no attribute 'read'")
    return f.read()


class Archive:
    """A checkpoint's zip archive over a buffer (bytes or mmap), records read without copies."""

    def __init__(self, buf):
        self.buf = buf
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(buf) if isinstance(buf, bytes) else buf)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise RuntimeError("PytorchStreamReader failed reading zip archive: failed finding "
                               "central directory." + CORRUPT_HINT) from None
        names = self.zip.namelist()
        pkl = next((n for n in names if n.endswith("/data.pkl") or n == "data.pkl"), None)
        if pkl is None:
            raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not "
                               "found")
        self.prefix = pkl[:-len("data.pkl")]

    def has(self, rec):
        try:
            self.zip.getinfo(self.prefix + rec)
            return True
        except KeyError:
            return False

    def _span(self, rec):
        """(offset, size) of a record's data in the buffer."""
        try:
            info = self.zip.getinfo(self.prefix + rec)
        except KeyError:
            raise RuntimeError(f"PytorchStreamReader failed locating file {rec}: file not "
                               "found") from None
        if info.compress_type != zipfile.ZIP_STORED:
            return None, info
        head = bytes(self.buf[info.header_offset:info.header_offset + _LOCAL_HEADER.size])
        if len(head) < _LOCAL_HEADER.size or head[:4] != b"PK\x03\x04":
            raise RuntimeError(f"PytorchStreamReader failed reading file {rec}: invalid header "
                               "or archive is corrupted." + CORRUPT_HINT)
        fields = _LOCAL_HEADER.unpack(head)
        start = info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1]
        if start + info.file_size > len(self.buf):
            raise RuntimeError(f"PytorchStreamReader failed reading file {rec}: the record "
                               "ends past the end of the file (the checkpoint is truncated)." +
                               CORRUPT_HINT)
        return start, info

    def read(self, rec):
        """A record's bytes."""
        start, info = self._span(rec)
        if start is None:
            return self._inflate(rec, info)
        return bytes(self.buf[start:start + info.file_size])

    def _inflate(self, rec, info):
        """A compressed record (PyTorch never writes one; a re-zipped checkpoint may)."""
        try:
            return self.zip.read(info)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as e:
            raise RuntimeError(f"PytorchStreamReader failed reading file {rec}: {e}." +
                               CORRUPT_HINT) from None

    def array(self, rec, np_dtype, count):
        """A read-only 1-d NumPy view of ``count`` elements of a record (no copy)."""
        start, info = self._span(rec)
        nbytes = count * np_dtype.itemsize
        if info.file_size < nbytes:
            raise RuntimeError(f"PytorchStreamReader failed reading file {rec}: the record holds "
                               f"{info.file_size} bytes, expected {nbytes}." + CORRUPT_HINT)
        if start is None:
            return np.frombuffer(self._inflate(rec, info), np_dtype, count)
        return np.frombuffer(self.buf, np_dtype, count, start)
