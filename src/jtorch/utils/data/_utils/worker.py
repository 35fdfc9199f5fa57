"""The DataLoader worker process: seeding, ``get_worker_info`` and the fetch loop.

A worker started with ``fork`` (PyTorch's default on Linux) is a copy of a process whose JAX
runtime is running, without that runtime's threads: JAX must not be called there.  The loop
therefore first calls ``jtorch._engine.core.forbid_jax`` (a JAX call raises a RuntimeError
naming the cause instead of hanging), and collation in workers works in NumPy.  Batches go to
the main process pickled; tensors arrive there as one array transfer each.  Workers started
with ``spawn`` or ``forkserver`` are fresh interpreters where jtorch runs normally (on CPU).
"""
from __future__ import annotations

import functools
import os
import queue
import random
from dataclasses import dataclass

from . import HAS_NUMPY, ExceptionWrapper

__all__ = ["WorkerInfo", "get_worker_info"]

# Seconds an idle worker waits for work before checking whether it should exit.
_POLL_INTERVAL = 0.1

FORK_MESSAGE = (
    "jtorch cannot run tensor operations in a DataLoader worker process started with 'fork': "
    "JAX is multithreaded and does not work in a forked child. Keep the per-sample work of "
    "the dataset and collate_fn in NumPy/Python (torch.tensor, torch.from_numpy and views of "
    "existing tensors are fine), use num_workers=0, or pass multiprocessing_context='spawn' "
    "(or 'forkserver') to the DataLoader."
)


class ManagerWatchdog:
    """Tells a worker whether the process that started it is still alive."""

    def __init__(self):
        self.manager_pid = os.getppid()
        self.manager_dead = False

    def is_alive(self):
        if not self.manager_dead:
            self.manager_dead = os.getppid() != self.manager_pid
        return not self.manager_dead


_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    """Information about the current DataLoader worker process.

    Attributes:
        id: the current worker id (0 to num_workers - 1).
        num_workers: the total number of workers.
        seed: the random seed set for this worker (``base_seed + id``).
        dataset: the copy of the dataset object in this process.
    """

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str | None = "multiprocessing"


def get_worker_info():
    """The :class:`WorkerInfo` of the current DataLoader worker process; None in the main
    process.  Useful in an ``IterableDataset``'s ``__iter__`` or a ``worker_init_fn`` to give
    each worker its own share of the data."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers when a new epoch starts."""

    seed: int | None = None


def _generate_state(base_seed, worker_id):
    """NumPy's seed for a worker: PyTorch's hash of (base_seed, worker_id) into 4 words (a
    SeedSequence-like mix, so that workers' NumPy streams differ)."""
    INIT_A = 0x43B0D7E5
    MULT_A = 0x931E8875
    INIT_B = 0x8B51F9DD
    MULT_B = 0x58F38DED
    MIX_MULT_L = 0xCA01F9DD
    MIX_MULT_R = 0x4973F715
    XSHIFT = 4 * 8 // 2
    MASK32 = 0xFFFFFFFF

    entropy = [worker_id, base_seed & MASK32, base_seed >> 32, 0]
    pool = [0] * 4
    hash_const_a = INIT_A

    def hash_(value):
        nonlocal hash_const_a
        value = (value ^ hash_const_a) & MASK32
        hash_const_a = (hash_const_a * MULT_A) & MASK32
        value = (value * hash_const_a) & MASK32
        return (value ^ (value >> XSHIFT)) & MASK32

    def mix(x, y):
        result = ((MIX_MULT_L * x) & MASK32) - ((MIX_MULT_R * y) & MASK32)
        result &= MASK32
        return (result ^ (result >> XSHIFT)) & MASK32

    for i in range(len(pool)):
        pool[i] = hash_(entropy[i])
    for i_src in range(len(pool)):
        for i_dst in range(len(pool)):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash_(pool[i_src]))

    hash_const_b = INIT_B
    state = []
    for i_dst in range(4):
        data_val = pool[i_dst]
        data_val = (data_val ^ hash_const_b) & MASK32
        hash_const_b = (hash_const_b * MULT_B) & MASK32
        data_val = (data_val * hash_const_b) & MASK32
        data_val = (data_val ^ (data_val >> XSHIFT)) & MASK32
        state.append(data_val)
    return state


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                 persistent_workers, shared_seed, forked):
    """Body of a worker process: seed, then fetch the batches asked for until told to stop.

    ``forked``: started with 'fork', so JAX is off limits here (the main process computed every
    pending value before forking, so reading existing tensors needs no JAX).
    """
    try:
        import jtorch
        from jtorch._engine import core as engine
        if forked:
            engine.forbid_jax(FORK_MESSAGE)
        # batches leave through the result queue: send tensors' host arrays without a copy
        from multiprocessing.reduction import ForkingPickler
        ForkingPickler.register(jtorch.Tensor, _reduce_tensor)
        seed = base_seed + worker_id
        random.seed(seed)
        jtorch.manual_seed(seed)
        if HAS_NUMPY:
            import numpy as np
            np.random.seed(_generate_state(base_seed, worker_id))

        global _worker_info
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)

        from ..dataloader import _DatasetKind

        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                  collate_fn, drop_last)
        except Exception:  # noqa: BLE001  (reported with the first batch asked for)
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        # a batch that cannot be pickled fails in the queue's feeder thread: report it to the
        # main process as that batch's error instead of leaving the main process waiting
        data_queue._on_queue_feeder_error = functools.partial(_unpicklable, data_queue, worker_id)
        iteration_end = False
        watchdog = ManagerWatchdog()
        while watchdog.is_alive():
            try:
                r = index_queue.get(timeout=_POLL_INTERVAL)
            except queue.Empty:
                if done_event.is_set():
                    # shutting down, and the final None may never come (the main process's
                    # queue can be finalized first when its iterator is garbage collected)
                    break
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                      collate_fn, drop_last)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data = init_exception
                init_exception = None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:  # noqa: BLE001  (re-raised in the main process)
                    if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, idx, index, r  # do not keep the last batch alive while waiting
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()


def _unpicklable(data_queue, worker_id, e, obj):
    """Feeder-thread hook: ``obj = (idx, batch)`` could not be pickled; send the error."""
    try:
        raise e
    except Exception:  # noqa: BLE001
        wrapper = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
    idx = obj[0] if isinstance(obj, tuple) and obj else None
    data_queue.put((idx, wrapper))


def _reduce_tensor(t):
    """Pickle a tensor for the main process as its host array (the main process rebuilds it
    with one transfer), without the copy ``Tensor.__reduce_ex__`` makes."""
    from .collate import rebuild_tensor
    return rebuild_tensor, (t._numpy_view(), t._dtype._name, t._rg)
