"""Collation: merging a list of samples into a batch (``torch.utils.data._utils.collate``).

``default_collate`` stacks tensors, numpy arrays and numbers into tensors with a new leading
batch dimension and recurses into dicts, lists, tuples and namedtuples; ``default_convert``
only turns numpy arrays into tensors.  ``collate`` with a ``collate_fn_map`` lets users extend
both, as in PyTorch.

jtorch specifics (same results as PyTorch, different route):

* Samples whose values already live in host memory (NumPy-backed tensors such as
  ``torch.from_numpy(a)``, numpy arrays) are stacked with NumPy and become one tensor with one
  transfer, instead of one transfer per sample plus a stack op.
* In a DataLoader worker process everything is stacked with NumPy: a worker forked from a
  process running JAX must not call JAX (see ``jtorch._engine.core.forbid_jax``), and the
  batch goes to the main process as host memory anyway.
"""
from __future__ import annotations

import collections
import contextlib
import copy
import re
from typing import Callable

import jax
import numpy as np

import jtorch as torch
from jtorch import _dtype as D
from jtorch._engine import core as engine
from jtorch._ops.creation import host_tensor as copy_to_tensor, numpy_backed
from jtorch._tensor import Tensor, make

from . import worker as _worker

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map",
           "collate_tensor_fn", "collate_numpy_array_fn", "collate_numpy_scalar_fn",
           "collate_float_fn", "collate_int_fn", "collate_str_fn"]

np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, "
    "dicts or lists; found {}"
)


def _in_worker() -> bool:
    return _worker._worker_info is not None


def host_tensor(a: np.ndarray, dtype=None) -> Tensor:
    """A tensor taking over ``a``, a numpy array built for this batch that nothing else
    references or changes.

    In the main process: one transfer into a JAX array, which on CPU uses ``a``'s memory as it
    is when ``a`` is 64-byte aligned (``empty_aligned``): no copy at all.  In a worker: the array
    itself (the batch is pickled to the main process, which adopts it on arrival).
    """
    dtype = D.from_np(a.dtype) if dtype is None else dtype
    if a.dtype != dtype.np:
        a = a.astype(dtype.np)
    if _in_worker():
        return numpy_backed(np.ascontiguousarray(a), dtype)
    return _adopt(a, dtype)


def rebuild_tensor(array, dtype_name, requires_grad):
    """Unpickle a tensor sent by a worker (see ``worker._reduce_tensor``): adopt the array."""
    t = _adopt(array, D._dtype_by_name(dtype_name))
    if requires_grad:
        t.requires_grad_(True)
    return t


_ALIGN = 64  # what XLA's CPU client needs to use host memory without copying it
_ALIAS_MIN_BYTES = 1 << 15  # below this a copy costs less than aliasing


def empty_aligned(shape, np_dtype) -> np.ndarray:
    """``np.empty(shape, np_dtype)`` whose data starts on a 64-byte boundary."""
    np_dtype = np.dtype(np_dtype)
    n = int(np.prod(shape, dtype=np.int64)) * np_dtype.itemsize
    buf = np.empty(n + _ALIGN, np.uint8)
    off = -buf.ctypes.data % _ALIGN
    return buf[off:off + n].view(np_dtype).reshape(shape)


def _adopt(a: np.ndarray, dtype) -> Tensor:
    """A tensor with the values of ``a``, which the caller gives up.

    Large arrays: ``jax.device_put(..., may_alias=True)`` keeps an aligned host array as the
    CPU buffer (a 38 MB batch: ~20 us instead of ~30 ms for a copy); an unaligned one is first
    copied into an aligned buffer (NumPy copies faster than XLA does from unaligned memory).
    Small arrays: the ordinary copy, whose fixed cost is lower.  This is the single transfer
    of a batch, hence its own path beside the copying ``torch.tensor`` one.
    """
    if a.nbytes < _ALIAS_MIN_BYTES:
        return copy_to_tensor(a, dtype)
    if not a.flags.c_contiguous or a.ctypes.data % _ALIGN:
        b = empty_aligned(a.shape, a.dtype)
        b[...] = a
        a = b
    with engine.x64(True):
        value = jax.device_put(a, may_alias=True)
    return make(value, tuple(a.shape), dtype)


def _is_host(t: Tensor) -> bool:
    """True if ``t``'s values are in host memory (no JAX work to read them)."""
    return type(t._st.value) is np.ndarray and not t._rg


def _stack_host(batch) -> Tensor:
    """``torch.stack(batch, 0)`` computed with NumPy (same checks, promotion and result)."""
    first = batch[0]
    shape = first._shape
    dtype = first._dtype
    for i, t in enumerate(batch):
        if t._shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t._shape)} at entry {i}")
        if t._dtype is not dtype:
            dtype = D.promote_types(dtype, t._dtype)
    out = empty_aligned((len(batch),) + tuple(shape), dtype.np)
    np.stack([t._numpy_view() for t in batch], out=out, casting="unsafe")
    return host_tensor(out, dtype)


def _numbers(batch, kind, np_dtype):
    """``batch`` (Python numbers, all exactly of type ``kind``) as a numpy array, or None."""
    for x in batch:
        if type(x) is not kind:
            return None
    try:
        return np.array(batch, dtype=np_dtype)
    except OverflowError:  # torch.tensor raises PyTorch's error for it
        return None


def default_convert(data):
    """Convert each NumPy array in ``data`` into a tensor (recursing into containers).

    Used as ``collate_fn`` when automatic batching is off (``batch_size=None``).  Tensors and
    other objects are returned unchanged; numpy arrays of strings or objects stay arrays.
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and \
                np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return torch.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:  # the mapping type cannot be built from a dict
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]  # a list, as PyTorch (backward compatibility)
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:  # the sequence type cannot be built from a list
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None):
    """Collate a batch, dispatching on the type of its first element.

    ``collate_fn_map`` maps element types to functions ``fn(batch, *, collate_fn_map)``; an
    element whose exact type is not a key uses the first key it is an instance of.  Mappings,
    namedtuples and sequences are collated field by field.
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                              for key in elem})
                return clone
            return elem_type({key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                              for key in elem})
        except TypeError:
            return {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                    for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            # a list, as PyTorch (backward compatibility)
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = collate(samples, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(samples, collate_fn_map=collate_fn_map)
                              for samples in transposed])
        except TypeError:
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack tensors along a new first dimension (``torch.stack(batch, 0)``)."""
    if _in_worker() or all(_is_host(t) for t in batch):
        return _stack_host(batch)
    return torch.stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """Stack numpy arrays into one tensor (arrays of strings/objects are an error)."""
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([torch.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    """numpy scalars -> a 1-D tensor of their dtype."""
    dt = getattr(batch[0], "dtype", None)
    if dt is not None and dt.kind in "biufc" and all(getattr(b, "dtype", None) == dt
                                                     for b in batch):
        return host_tensor(np.array(batch, dtype=dt))  # one transfer
    return torch.as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    """Python floats -> a float64 tensor (as PyTorch, not the default dtype)."""
    a = _numbers(batch, float, np.float64)
    if a is not None:
        return host_tensor(a)
    return torch.tensor(batch, dtype=torch.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    """Python ints -> an int64 tensor (bools -> bool; an int first with floats -> float32)."""
    a = _numbers(batch, int, np.int64)
    if a is None:
        a = _numbers(batch, bool, np.bool_)
    if a is not None:
        return host_tensor(a)
    return torch.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    """Strings and bytes are left as they are (the batch itself)."""
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {Tensor: collate_tensor_fn}
with contextlib.suppress(ImportError):
    default_collate_fn_map[np.ndarray] = collate_numpy_array_fn
    # numpy scalars (not string scalars)
    default_collate_fn_map[(np.bool_, np.number, np.object_)] = collate_numpy_scalar_fn
default_collate_fn_map[float] = collate_float_fn
default_collate_fn_map[int] = collate_int_fn
default_collate_fn_map[str] = collate_str_fn
default_collate_fn_map[bytes] = collate_str_fn


def default_collate(batch):
    """Merge a list of samples into a batch with a new leading batch dimension.

    Tensor -> Tensor (stacked), numpy array -> Tensor, float -> float64 Tensor, int -> int64
    Tensor, str/bytes -> unchanged, ``Mapping[K, V_i]`` -> ``Mapping[K, default_collate(V)]``,
    namedtuple -> namedtuple of collated fields, sequence -> list/sequence of collated fields
    (tuples give lists).  This is ``DataLoader``'s ``collate_fn`` when batching is on.

    Example::

        >>> default_collate([0, 1, 2, 3])
        tensor([0, 1, 2, 3])
        >>> default_collate([{"A": 0, "B": 1}, {"A": 100, "B": 100}])
        {'A': tensor([  0, 100]), 'B': tensor([  1, 100])}
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
