"""Fetchers: read one batch (or one sample) from a dataset and collate it.

Shared by single-process loading and the worker processes.  Besides PyTorch's two fetchers
this module has the TensorDataset fast path: a batch of a ``TensorDataset`` (possibly behind
``Subset`` s, e.g. from ``random_split``) collated by ``default_collate`` is one NumPy
indexing of each tensor and one transfer, instead of one indexing op per sample and a stack.
The result is what PyTorch returns: ``[x_batch, y_batch, ...]``.
"""
from __future__ import annotations

import numpy as np

from jtorch._tensor import Tensor

__all__ = ["_BaseDatasetFetcher", "_IterableDatasetFetcher", "_MapDatasetFetcher",
           "TensorColumns", "tensor_columns"]


class _BaseDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index):
        raise NotImplementedError


class _IterableDatasetFetcher(_BaseDatasetFetcher):
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


class _MapDatasetFetcher(_BaseDatasetFetcher):
    def __init__(self, dataset, auto_collation, collate_fn, drop_last, columns=None):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        if columns is None and auto_collation:
            columns = tensor_columns(dataset, collate_fn)
        self.columns = columns

    def fetch(self, possibly_batched_index):
        if self.auto_collation:
            if self.columns is not None:
                batch = self.columns.fetch(possibly_batched_index)
                if batch is not None:
                    return batch
            if hasattr(self.dataset, "__getitems__") and self.dataset.__getitems__:
                data = self.dataset.__getitems__(possibly_batched_index)
            else:
                data = [self.dataset[idx] for idx in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)


# --------------------------------------------------------------------------------------------
# the TensorDataset fast path


class TensorColumns:
    """The tensors of a TensorDataset, read with NumPy, and the Subset index maps above it."""

    def __init__(self, tensors, maps):
        self.tensors = tensors
        self.maps = maps  # index arrays, outermost Subset first

    def prime(self):
        """Compute the tensors' host values now (before forking workers that cannot)."""
        for t in self.tensors:
            t._numpy_view()
        return self

    def fetch(self, indices):
        """``default_collate([dataset[i] for i in indices])``, or None to take the slow path
        (unusual indices, or an out-of-range one: the slow path raises PyTorch's error)."""
        n = len(indices)
        if n == 0:
            return None
        for i in indices:
            if type(i) is not int:
                if not isinstance(i, (int, np.integer)) or isinstance(i, bool):
                    return None
        idx = np.fromiter(indices, dtype=np.int64, count=n)
        for m in self.maps:
            size = len(m)
            if idx.min() < -size or idx.max() >= size:
                return None
            idx = m[idx]
        size = self.tensors[0]._shape[0]
        if idx.min() < -size or idx.max() >= size:
            return None
        from .collate import empty_aligned, host_tensor
        batch = []
        for t in self.tensors:
            a = np.asarray(t._numpy_view())
            out = empty_aligned((n,) + a.shape[1:], a.dtype)
            np.take(a, idx, axis=0, out=out)
            batch.append(host_tensor(out, t._dtype))
        return batch


def tensor_columns(dataset, collate_fn):
    """A ``TensorColumns`` for ``dataset`` if batches of it can take the fast path, else None:
    ``default_collate`` batches of a plain TensorDataset of CPU tensors that do not require
    grad, possibly behind plain Subsets with integer indices."""
    from ..dataset import Subset, TensorDataset
    from .collate import default_collate
    if collate_fn is not default_collate:
        return None
    maps = []
    ds = dataset
    while type(ds).__getitem__ is Subset.__getitem__ and \
            type(ds).__getitems__ is Subset.__getitems__ and isinstance(ds, Subset):
        m = ds.indices
        try:
            m = np.asarray(m._numpy_view() if isinstance(m, Tensor) else m)
        except Exception:  # noqa: BLE001  (indices NumPy cannot read: take the slow path)
            return None
        if m.ndim != 1 or m.dtype.kind not in "iu" or m.dtype == np.bool_:
            return None
        maps.append(m.astype(np.int64, copy=False))
        ds = ds.dataset
    if not isinstance(ds, TensorDataset) or type(ds).__getitem__ is not TensorDataset.__getitem__ \
            or hasattr(ds, "__getitems__"):
        return None
    tensors = ds.tensors
    if not tensors or not all(isinstance(t, Tensor) and t._device.type == "cpu" and not t._rg
                              and t.dim() > 0 for t in tensors):
        return None
    return TensorColumns(tuple(tensors), maps)
