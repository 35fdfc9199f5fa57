"""Samplers (as ``torch.utils.data.sampler``): the order in which a DataLoader reads indices.

Random samplers draw from jtorch's generators (``torch.manual_seed`` or ``generator=``), so
runs are reproducible; the numbers differ from PyTorch's (JAX's PRNG), the structure of the
draws is PyTorch's.
"""
from __future__ import annotations

import itertools
from typing import Generic, Iterable, Iterator, Sized, TypeVar

import jtorch

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "SubsetRandomSampler", "WeightedRandomSampler"]

_T_co = TypeVar("_T_co", covariant=True)


def _random_int64(generator=None) -> int:
    """One non-negative int64 drawn from ``generator`` (the default generator if None): PyTorch's
    ``torch.empty((), dtype=torch.int64).random_(generator=generator).item()``."""
    from jtorch._random import next_key
    key = next_key(generator)._numpy_view()  # a fresh PRNG key: two uint32 of random bits
    return ((int(key[0]) << 32) | int(key[1])) & ((1 << 63) - 1)


class Sampler(Generic[_T_co]):
    """Base class of samplers: ``__iter__`` yields indices (or lists of indices: batches) of
    dataset elements; ``__len__`` (optional) is the number of items it yields."""

    def __iter__(self) -> Iterator[_T_co]:
        raise NotImplementedError

    # No default __len__: see PyTorch's NOTE [ Lack of Default `__len__` in Python Abstract
    # Base Classes ] -- list(sampler) must fall back to __iter__ when there is none.


class SequentialSampler(Sampler[int]):
    """Yields ``0, 1, ..., len(data_source) - 1``.

    Args:
        data_source (Sized): the dataset (anything with ``__len__``).
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """Yields indices in random order: a permutation of the dataset (repeated and cut to
    ``num_samples``), or ``num_samples`` independent draws with ``replacement=True``.

    Args:
        data_source (Sized): the dataset.
        replacement (bool): draw with replacement (default ``False``).
        num_samples (int): how many indices to yield (default ``len(data_source)``).
        generator (Generator): the generator to draw from; without one each iteration seeds a
            new generator from the default one.
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None, generator=None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        # the dataset size may change at runtime
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        if self.generator is None:
            generator = jtorch.Generator()
            generator.manual_seed(_random_int64())
        else:
            generator = self.generator
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from jtorch.randint(high=n, size=(32,), dtype=jtorch.int64,
                                          generator=generator).tolist()
            yield from jtorch.randint(high=n, size=(self.num_samples % 32,), dtype=jtorch.int64,
                                      generator=generator).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from jtorch.randperm(n, generator=generator).tolist()
            yield from jtorch.randperm(n, generator=generator).tolist()[:self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """Yields the given indices in random order (without replacement).

    Args:
        indices (sequence): the indices to sample from.
        generator (Generator): the generator to draw from.
    """

    def __init__(self, indices, generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in jtorch.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """Yields ``num_samples`` indices of ``[0, len(weights))`` drawn with probabilities
    proportional to ``weights``.

    Args:
        weights (sequence): the weights (need not sum to one).
        num_samples (int): how many indices to draw.
        replacement (bool): draw with replacement (default ``True``); without it an index is
            drawn at most once.
        generator (Generator): the generator to draw from.
    """

    def __init__(self, weights, num_samples: int, replacement: bool = True,
                 generator=None) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or \
                num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        weights_tensor = jtorch.as_tensor(weights, dtype=jtorch.double)
        if len(weights_tensor.shape) != 1:
            raise ValueError("weights should be a 1d sequence but given "
                             f"weights have shape {tuple(weights_tensor.shape)}")
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        rand_tensor = jtorch.multinomial(self.weights, self.num_samples, self.replacement,
                                         generator=self.generator)
        yield from iter(rand_tensor.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list]):
    """Groups the indices of ``sampler`` into lists of ``batch_size``.

    Args:
        sampler (Sampler or Iterable): the base sampler.
        batch_size (int): size of a mini-batch.
        drop_last (bool): drop the last batch if it is smaller than ``batch_size``.

    Example::

        >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    """

    def __init__(self, sampler: Sampler[int] | Iterable[int], batch_size: int,
                 drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got "
                             f"drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list]:
        sampler_iter = iter(self.sampler)
        if self.drop_last:
            args = [sampler_iter] * self.batch_size  # the same iterator batch_size times
            for batch_droplast in zip(*args):
                yield [*batch_droplast]
        else:
            batch = [*itertools.islice(sampler_iter, self.batch_size)]
            while batch:
                yield batch
                batch = [*itertools.islice(sampler_iter, self.batch_size)]

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
