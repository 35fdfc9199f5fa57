"""DistributedSampler (as ``torch.utils.data.distributed``): each of ``num_replicas``
processes reads its own share of the dataset."""
from __future__ import annotations

import importlib
import math
from typing import Iterator, TypeVar

import jtorch

from .sampler import Sampler

__all__ = ["DistributedSampler"]

_T_co = TypeVar("_T_co", covariant=True)


def _dist():
    """``jtorch.distributed`` if it exists and is available, else None."""
    try:
        dist = importlib.import_module("jtorch.distributed")
    except ImportError:
        return None
    return dist if dist.is_available() else None


class DistributedSampler(Sampler[_T_co]):
    """Restricts loading to the share of the dataset of one process (``rank``) among
    ``num_replicas``: indices ``rank, rank + num_replicas, ...`` of the (shuffled, padded or
    trimmed) index list.

    Args:
        dataset: the dataset (of constant size).
        num_replicas (int, optional): number of processes; default the world size of the
            current process group.
        rank (int, optional): this process's rank; default the rank in the current group.
        shuffle (bool): shuffle the indices (default ``True``) with a generator seeded with
            ``seed + epoch``.
        seed (int): the shuffle seed, the same in every process (default ``0``).
        drop_last (bool): drop the tail so that every replica gets the same number of samples
            (default ``False``: repeat the first indices to pad instead).

    Call :meth:`set_epoch` at the start of every epoch (before creating the DataLoader
    iterator) to get a different order each epoch.
    """

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None:
            dist = _dist()
            if dist is None:
                raise RuntimeError("Requires distributed package to be available")
            num_replicas = dist.get_world_size()
        if rank is None:
            dist = _dist()
            if dist is None:
                raise RuntimeError("Requires distributed package to be available")
            rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if self.drop_last and len(self.dataset) % self.num_replicas != 0:
            # the nearest length that splits evenly, so that every rank gets as many samples
            self.num_samples = math.ceil((len(self.dataset) - self.num_replicas)
                                         / self.num_replicas)
        else:
            self.num_samples = math.ceil(len(self.dataset) / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[_T_co]:
        if self.shuffle:
            # deterministic in (seed, epoch): every replica computes the same permutation
            g = jtorch.Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = jtorch.randperm(len(self.dataset), generator=g).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if not self.drop_last:
            padding_size = self.total_size - len(indices)
            if padding_size <= len(indices):
                indices += indices[:padding_size]
            else:
                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]
        else:
            indices = indices[:self.total_size]
        if len(indices) != self.total_size:
            raise AssertionError(f"Number of indices ({len(indices)}) does not match "
                                 f"total_size ({self.total_size})")
        indices = indices[self.rank:self.total_size:self.num_replicas]
        if len(indices) != self.num_samples:
            raise AssertionError(f"Number of subsampled indices ({len(indices)}) does not "
                                 f"match num_samples ({self.num_samples})")
        return iter(indices)

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch: with ``shuffle=True`` each epoch gets its own order."""
        self.epoch = epoch
