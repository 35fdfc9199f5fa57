"""Storage: the shared, mutable home of an immutable array.

A tensor is a view onto a storage.  The storage holds the value of its *base* tensor (a
``jax.Array``, a ``Pending`` value of the engine, or a ``numpy.ndarray`` while the storage is
shared with NumPy through ``from_numpy``/``Tensor.numpy()``); a view holds the chain of view
ops that reads it from that value.  An in-place op replaces the storage's value by a
functionally updated one and bumps ``version``, so every view of the storage sees the change.
"""
from __future__ import annotations

import itertools

import numpy as np

from ._engine import core as engine

__all__ = ["Storage", "UntypedStorage"]

_next_ptr = itertools.count(1)


_SMALL = 1 << 16


class Storage:
    __slots__ = ("value", "version", "_ptr", "_snap", "_snapkey", "base_strides", "views",
                 "__weakref__")

    def __init__(self, value):
        self.value = value
        self.version = 0
        self.views = None  # weak refs to views that may carry autograd history (see _inplace)
        self._ptr = 0
        self._snap = None
        # strides of the base value's memory layout when it is not C-contiguous (a clone of a
        # transposed tensor keeps its layout, as in PyTorch); None for contiguous
        self.base_strides = None
        if type(value) is engine.Pending:
            engine.register(self)

    def snapshot(self):
        """A jax array equal to the numpy array this storage shares with the user.

        The user may change the numpy array at any time, so the cached copy is revalidated
        against it on every use (a byte comparison: cheap next to copying it again).
        """
        a = self.value
        snap = self._snap
        if snap is not None:
            key = self._snapkey
            if key is not None:
                if a.tobytes() == key:
                    return snap
            elif np.array_equal(a, np.asarray(snap), equal_nan=a.dtype.kind in "fc"):
                return snap
        import jax
        import jax.numpy as jnp
        # a concrete copy even inside a JAX trace (a traced one would leak into the cache)
        with engine.x64(True), jax.ensure_compile_time_eval():
            snap = self._snap = jnp.array(a)
        self._snapkey = a.tobytes() if a.nbytes <= _SMALL else None
        return snap

    def set(self, value):
        """Replace the whole value (in-place update of the base)."""
        if type(self.value) is np.ndarray:
            # shared with NumPy: write through so the user's array sees the change
            np.copyto(self.value, np.asarray(engine.materialize(value)), casting="unsafe")
            self._snap = None
        else:
            self.value = value
            if type(value) is engine.Pending:
                engine.register(self)
        self.version += 1

    def data_ptr(self) -> int:
        """A stable fake address: equal for tensors sharing this storage, distinct otherwise."""
        p = self._ptr
        if not p:
            # 64-byte aligned, spaced so that offsets inside one storage never collide
            p = self._ptr = next(_next_ptr) << 40
        return p

    @property
    def nbytes(self) -> int:
        shape, dt = engine.shape_dtype(self.value)
        n = 1
        for s in shape:
            n *= s
        return n * np.dtype(dt).itemsize

    @property
    def is_numpy(self) -> bool:
        return type(self.value) is np.ndarray


class UntypedStorage:
    """What ``Tensor.untyped_storage()`` returns: the bytes behind a tensor."""

    def __init__(self, storage: Storage, device):
        self._storage = storage
        self.device = device

    def data_ptr(self) -> int:
        return self._storage.data_ptr()

    def nbytes(self) -> int:
        return self._storage.nbytes

    def size(self) -> int:
        return self._storage.nbytes

    def __len__(self):
        return self._storage.nbytes

    def resizable(self) -> bool:
        return False

    def __eq__(self, other):
        return isinstance(other, UntypedStorage) and other._storage is self._storage

    def __hash__(self):
        return id(self._storage)
