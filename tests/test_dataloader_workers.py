"""DataLoader with worker processes: same batches as PyTorch, seeding, worker info, faults and
shutdown.  PyTorch's reference batches come from its single-process loader (it yields the same
batches with workers), so that the test process never forks PyTorch."""
import gc
import math
import multiprocessing
import os
import pickle
import random
import signal
import time

import numpy as np
import pytest

import jtorch
from jtorch.utils.data import DataLoader, Dataset, IterableDataset, TensorDataset
from jtorch.utils.data._utils.worker import _generate_state
from oracle import TORCH, assert_same, needs_torch, run
from test_data import structure


def no_children():
    gc.collect()
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return multiprocessing.active_children() == []


@pytest.fixture(autouse=True)
def _reaped():
    yield
    assert no_children(), "worker processes left behind"


def same_as_torch(fn, **worker_kwargs):
    """fn(torch, **loader_kwargs) under PyTorch with num_workers=0 and jtorch with workers."""
    expected = run(lambda torch: fn(torch), TORCH)
    actual = run(lambda torch: fn(torch, num_workers=2, **worker_kwargs), jtorch)
    assert_same(expected, actual, message=True)
    assert structure(expected) == structure(actual)
    return actual


def _samples(torch, kind):
    class Samples(torch.utils.data.Dataset):
        def __init__(self):
            self.data = torch.arange(30).reshape(10, 3) * 2  # a JAX-backed tensor in jtorch

        def __len__(self):
            return 10

        def __getitem__(self, i):
            if kind == "dict":
                return {"prompt": f"prompt {i}", "target": 10 * i, "w": float(i) / 4}
            if kind == "numpy":
                return np.full((2, 2), i, np.float32), np.int64(i)
            if kind == "new_tensor":
                return torch.tensor([i, i * i]), torch.from_numpy(np.arange(3.0) + i)
            if kind == "view":
                return self.data[i]  # a view of the parent's tensor
            if kind == "views":
                return self.data[i, 1:], self.data.t()[:, i]
            raise AssertionError(kind)

    return Samples()


@needs_torch
@pytest.mark.parametrize("kind", ["dict", "numpy", "new_tensor", "view", "views"])
def test_same_batches_as_torch(kind):
    same_as_torch(lambda torch, **kw: list(torch.utils.data.DataLoader(
        _samples(torch, kind), batch_size=3, **kw)))


@needs_torch
def test_tensor_dataset():
    def fn(torch, **kw):
        x = torch.from_numpy(np.arange(60, dtype=np.float32).reshape(20, 3)) * 2  # pending
        ds = torch.utils.data.TensorDataset(x, torch.arange(20))
        return list(torch.utils.data.DataLoader(ds, batch_size=6, **kw))
    same_as_torch(fn)


@needs_torch
def test_batch_size_none_and_collate_fn():
    same_as_torch(lambda torch, **kw: list(torch.utils.data.DataLoader(
        _samples(torch, "numpy"), batch_size=None, **kw)))
    same_as_torch(lambda torch, **kw: list(torch.utils.data.DataLoader(
        list(range(7)), batch_size=2, collate_fn=lambda b: tuple(b), **kw)))


class _WorkerFacts(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = jtorch.utils.data.get_worker_info()
        return {"id": info.id, "n": info.num_workers, "seed": info.seed, "i": i,
                "is_ds": info.dataset is not self and type(info.dataset) is _WorkerFacts,
                "torch_seed": jtorch.initial_seed(), "py": random.random(),
                "np": float(np.random.rand())}


def test_worker_info_and_seeds():
    assert jtorch.utils.data.get_worker_info() is None
    g = jtorch.Generator().manual_seed(3)
    loader = DataLoader(_WorkerFacts(), batch_size=2, num_workers=2, generator=g,
                        collate_fn=lambda b: b)
    batches = list(loader)
    facts = [s for b in batches for s in b]
    assert [f["i"] for f in facts] == list(range(8))
    # batches go to the workers round robin
    assert [b[0]["id"] for b in batches] == [0, 1, 0, 1]
    assert all(f["n"] == 2 for f in facts)
    base = facts[0]["seed"] - facts[0]["id"]
    for f in facts:
        assert f["seed"] == base + f["id"] == f["torch_seed"]
    first = {f["id"]: f for f in facts if f["i"] in (0, 2)}
    for wid, f in first.items():
        random.seed(base + wid)
        assert f["py"] == random.random()
        np.random.seed(_generate_state(base, wid))
        assert f["np"] == float(np.random.rand())
    assert first[0]["np"] != first[1]["np"]
    # the same generator state gives the same seeds
    g.manual_seed(3)
    assert [s["np"] for b in loader for s in b] == [f["np"] for f in facts]


@needs_torch
def test_numpy_seed_is_pytorchs():
    from torch.utils.data._utils.worker import _generate_state as torch_state
    for base, wid in [(0, 0), (12345, 1), (2 ** 63 - 1, 3), (987654321987, 7)]:
        assert _generate_state(base, wid) == torch_state(base, wid)


class _Range(IterableDataset):
    def __init__(self, start, end, split):
        self.start, self.end, self.split = start, end, split

    def __iter__(self):
        info = jtorch.utils.data.get_worker_info()
        if info is None or not self.split:
            return iter(range(self.start, self.end))
        per_worker = int(math.ceil((self.end - self.start) / float(info.num_workers)))
        start = self.start + info.id * per_worker
        return iter(range(start, min(start + per_worker, self.end)))


def test_iterable_dataset_split_by_worker_info():
    # PyTorch's documented results for this dataset (IterableDataset docstring)
    assert [t.item() for t in DataLoader(_Range(3, 7, True), num_workers=2)] == [3, 5, 4, 6]
    assert [t.item() for t in DataLoader(_Range(3, 7, False), num_workers=2)] == \
        [3, 3, 4, 4, 5, 5, 6, 6]
    assert [t.tolist() for t in DataLoader(_Range(0, 5, True), batch_size=2, num_workers=2)] == \
        [[0, 1], [3, 4], [2]]


def test_persistent_workers():
    loader = DataLoader(_samples(jtorch, "numpy"), batch_size=4, num_workers=2,
                        persistent_workers=True)
    first = [[t.tolist() for t in b] for b in loader]
    it = loader._iterator
    pids = [w.pid for w in it._workers]
    second = [[t.tolist() for t in b] for b in loader]
    assert first == second and len(first) == 3
    assert loader._iterator is it and [w.pid for w in it._workers] == pids
    assert all(w.is_alive() for w in it._workers)
    del loader, it
    assert no_children()


def test_in_order_false_yields_everything():
    out = [b.tolist() for b in DataLoader(list(range(10)), batch_size=2, num_workers=2,
                                          in_order=False)]
    assert sorted(out) == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]


def test_prefetch():
    it = iter(DataLoader(list(range(40)), batch_size=2, num_workers=2, prefetch_factor=3))
    assert it._tasks_outstanding == 6
    assert next(it).tolist() == [0, 1]
    assert len(it._task_info) == 6  # sent and not yet returned: 3 per worker
    del it


def test_iterate_twice_and_early_break():
    loader = DataLoader(list(range(10)), batch_size=3, num_workers=2)
    for b in loader:
        break
    assert no_children()
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    it = iter(loader)
    next(it)
    del it
    assert no_children()


# --------------------------------------------------------------------------------------------
# faults


class _Failing(Dataset):
    def __init__(self, exc):
        self.exc = exc

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise self.exc
        return i


@pytest.mark.parametrize("exc", [ValueError("bad index 5"), KeyError("k")])
def test_worker_exception_is_reraised(exc):
    with pytest.raises(type(exc)) as info:
        list(DataLoader(_Failing(exc), batch_size=2, num_workers=2))
    msg = str(info.value) if not isinstance(exc, KeyError) else info.value.args[0]
    assert msg.startswith(f"Caught {type(exc).__name__} in DataLoader worker process 0.\n"
                          "Original Traceback (most recent call last):\n")
    assert "in __getitem__" in msg
    assert msg.rstrip().endswith(f"{type(exc).__name__}: {exc}")
    del info


def test_worker_init_fn_exception():
    def init(worker_id):
        if worker_id == 1:
            raise RuntimeError("init failed")

    with pytest.raises(RuntimeError, match="Caught RuntimeError in DataLoader worker process 1"):
        list(DataLoader(list(range(8)), num_workers=2, worker_init_fn=init))


def test_worker_init_fn_runs_in_each_worker():
    def init(worker_id):
        info = jtorch.utils.data.get_worker_info()
        info.dataset.append(("init", worker_id))

    out = [b for b in DataLoader([0, 1, 2, 3], num_workers=2, worker_init_fn=init,
                                 batch_size=None, sampler=[4, 4])]
    assert out == [["init", 0], ["init", 1]]


class _Suicide(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


def test_killed_worker_raises_quickly():
    t = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited "
                                           r"unexpectedly") as info:
        list(DataLoader(_Suicide(), num_workers=2))
    assert time.monotonic() - t < 5
    cause = info.value.__cause__
    assert isinstance(cause, RuntimeError)
    assert str(cause).startswith("DataLoader worker (pid ") and \
        str(cause).endswith(") is killed by signal: Killed. ")
    del info


class _Slow(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(3)
        return i


def test_timeout():
    t = time.monotonic()
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.3 seconds$"):
        list(DataLoader(_Slow(), num_workers=1, timeout=0.3))
    assert time.monotonic() - t < 3


class _JaxInWorker(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return jtorch.tensor([float(i)]) * 2


def test_tensor_ops_in_forked_worker_raise():
    loader = DataLoader(_JaxInWorker(), num_workers=1, multiprocessing_context="fork")
    with pytest.raises(RuntimeError, match="Caught RuntimeError in DataLoader worker process 0"
                       ) as info:
        list(loader)
    assert "multiprocessing_context='spawn'" in str(info.value)
    del info


def test_unpicklable_batch_raises():
    loader = DataLoader(list(range(4)), num_workers=1, collate_fn=lambda b: (lambda: b))
    with pytest.raises(Exception, match="Caught .* in DataLoader worker process 0"):
        list(loader)


def test_spawn_workers_run_jtorch():
    from _spawn_dataset import JaxInWorker  # the worker imports only jtorch, not the oracle
    loader = DataLoader(JaxInWorker(), batch_size=2, num_workers=1,
                        multiprocessing_context="spawn")
    assert [b.tolist() for b in loader] == [[[0.0], [2.0]], [[4.0], [6.0]]]


def test_unpicklable_worker_arguments_with_spawn():
    loader = DataLoader(list(range(4)), num_workers=1, multiprocessing_context="spawn",
                        worker_init_fn=lambda wid: None)
    with pytest.warns(UserWarning, match="Got pickle error when attempting to start a worker"):
        with pytest.raises((AttributeError, TypeError, pickle.PicklingError)):
            iter(loader)
