"""DataLoader in the main process (num_workers=0), against PyTorch."""
import collections
import warnings

import numpy as np
import pytest

import jtorch
from oracle import TORCH, assert_same, check, needs_torch, run
from test_data import check_same, needs_indexing, needs_random, structure

Point = collections.namedtuple("Point", ["x", "y"])


def DL(torch):
    return torch.utils.data.DataLoader


def _map_dataset(torch, n=7, kind="dict"):
    """A map-style dataset of PyTorch's usual sample shapes."""

    class Samples(torch.utils.data.Dataset):
        def __len__(self):
            return n

        def __getitem__(self, i):
            if kind == "dict":
                return {"prompt": f"prompt {i}", "target": 10 * i}
            if kind == "tuple":
                return np.full((2, 3), i, np.float32), i, float(i) / 2
            if kind == "namedtuple":
                return Point(np.int64(i), [i, -i])
            if kind == "tensor":
                return torch.tensor([i, i * i])
            if kind == "host_tensor":
                return torch.from_numpy(np.arange(4.0) * i)
            raise AssertionError(kind)

    return Samples()


def _tensor_dataset(torch, n=10):
    x = torch.from_numpy(np.arange(n * 3, dtype=np.float64).reshape(n, 3)).float()
    y = torch.from_numpy(np.arange(n) % 3)
    return torch.utils.data.TensorDataset(x, y)


def _stream(torch, n):
    class Stream(torch.utils.data.IterableDataset):
        def __init__(self):
            self.n = n

        def __iter__(self):
            for i in range(self.n):
                yield torch.tensor([i, i * i])

        def __len__(self):
            return self.n

    return Stream()


# --------------------------------------------------------------------------------------------
# what an epoch yields


@needs_torch
@pytest.mark.parametrize("kind", ["dict", "tuple", "namedtuple", "tensor", "host_tensor"])
@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (3, False), (3, True), (10, False)])
def test_map_dataset_batches(kind, batch_size, drop_last):
    check_same(lambda torch: list(DL(torch)(_map_dataset(torch, kind=kind),
                                            batch_size=batch_size, drop_last=drop_last)))


@needs_torch
@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (4, False), (4, True), (64, False)])
def test_tensor_dataset_batches(batch_size, drop_last):
    check_same(lambda torch: list(DL(torch)(_tensor_dataset(torch), batch_size=batch_size,
                                            drop_last=drop_last)))


@needs_torch
@needs_indexing
def test_tensor_dataset_views_and_dtypes():
    def fn(torch):
        base = torch.arange(40).reshape(10, 4)
        ds = torch.utils.data.TensorDataset(base[:, 1:3], base.t()[0:1].t().to(torch.float64),
                                            torch.ones(10, dtype=torch.bool))
        return list(DL(torch)(ds, batch_size=4))
    check_same(fn)


@needs_torch
def test_tensor_dataset_behind_subsets():
    def fn(torch):
        S = torch.utils.data.Subset
        ds = S(S(_tensor_dataset(torch), [9, 8, 7, 6, 5, 4, 0]), [0, 2, 4, -1])
        return list(DL(torch)(ds, batch_size=3))
    check_same(fn)


@needs_torch
def test_tensor_dataset_custom_sampler_indices():
    check_same(lambda torch: list(DL(torch)(_tensor_dataset(torch), sampler=[3, -1, 0, 3],
                                            batch_size=2)))


@needs_torch
@needs_indexing
@pytest.mark.parametrize("sampler", [[10], [-11], [1, 12]])
def test_tensor_dataset_index_errors(sampler):
    check(lambda torch: list(DL(torch)(_tensor_dataset(torch), sampler=sampler, batch_size=2)),
          message=True)


def test_tensor_dataset_fast_path():
    """A TensorDataset batch is one NumPy indexing per tensor: no per-sample ops."""
    ds = _tensor_dataset(jtorch, 100)
    loader = jtorch.utils.data.DataLoader(ds, batch_size=64)
    jtorch.sync()
    jtorch.engine.reset_stats()
    x, y = next(iter(loader))
    assert jtorch.engine.stats()["ops_recorded"] <= 2  # the base-seed draw, nothing per sample
    np.testing.assert_array_equal(x.numpy(), np.arange(300, dtype=np.float32).reshape(100, 3)[:64])
    np.testing.assert_array_equal(y.numpy(), np.arange(64) % 3)


def test_tensor_dataset_sees_in_place_updates():
    x = jtorch.zeros(4, 2)
    loader = jtorch.utils.data.DataLoader(jtorch.utils.data.TensorDataset(x), batch_size=4)
    assert next(iter(loader))[0].sum().item() == 0
    x.add_(1)
    assert next(iter(loader))[0].sum().item() == 8


@needs_torch
def test_tensor_dataset_requires_grad():
    def fn(torch):
        w = torch.ones(4, 2, requires_grad=True)
        (b,) = next(iter(DL(torch)(torch.utils.data.TensorDataset(w * 2), batch_size=2)))
        return b, type(b.grad_fn).__name__
    if hasattr(jtorch.Tensor, "__getitem__"):
        check(fn)


@needs_torch
def test_batch_size_none():
    check_same(lambda torch: list(DL(torch)(_map_dataset(torch, kind="tuple"), batch_size=None)))
    check_same(lambda torch: list(DL(torch)([np.arange(3), {"a": np.float32(1.5)}],
                                            batch_size=None)))


@needs_torch
def test_list_dataset():
    check_same(lambda torch: list(DL(torch)([{"text": "a", "label": 1},
                                             {"text": "b", "label": 0}], batch_size=2)))


@needs_torch
def test_batch_sampler_option():
    check_same(lambda torch: list(DL(torch)(_map_dataset(torch, kind="dict"),
                                            batch_sampler=[[0, 1], [6], [2, 3, 4]])))


@needs_torch
def test_sampler_option():
    check_same(lambda torch: list(DL(torch)(_map_dataset(torch, kind="tensor"),
                                            sampler=[6, 0, 3], batch_size=2)))


@needs_torch
def test_custom_collate_fn():
    check_same(lambda torch: list(DL(torch)(list(range(7)), batch_size=3,
                                            collate_fn=lambda b: (len(b), sum(b)))))


@needs_torch
def test_dataset_with_getitems():
    def fn(torch):
        class Batched(torch.utils.data.Dataset):
            def __len__(self):
                return 5

            def __getitem__(self, i):
                raise AssertionError("__getitems__ must be used")

            def __getitems__(self, idx):
                return [{"i": i} for i in idx]

        return list(DL(torch)(Batched(), batch_size=2))
    check_same(fn)


@needs_torch
@pytest.mark.parametrize("batch_size,drop_last", [(2, False), (2, True), (None, False)])
def test_iterable_dataset(batch_size, drop_last):
    check_same(lambda torch: list(DL(torch)(_stream(torch, 5), batch_size=batch_size,
                                            drop_last=drop_last)))


@needs_torch
def test_iterable_dataset_len_warning():
    def fn(torch):
        class Liar(torch.utils.data.IterableDataset):
            def __iter__(self):
                return iter(range(5))

            def __len__(self):
                return 2

        loader = DL(torch)(Liar(), batch_size=1)
        n = len(loader)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = list(loader)
        msgs = [str(x.message).replace("torch.utils", "X").split(" object at ")[0] for x in w]
        return n, len(out), len(msgs), msgs[0]
    check(fn)


# --------------------------------------------------------------------------------------------
# attributes and lengths


@needs_torch
def test_attributes():
    def fn(torch):
        ds = _map_dataset(torch)
        loader = DL(torch)(ds, batch_size=3)
        return (loader.dataset is ds, loader.batch_size, loader.drop_last, len(loader),
                type(loader.sampler).__name__, type(loader.batch_sampler).__name__,
                loader.num_workers, loader.prefetch_factor, loader.timeout, loader.pin_memory,
                loader.persistent_workers, loader.collate_fn.__name__, loader.generator,
                loader.multiprocessing_context, loader.in_order)
    check(fn)


@needs_torch
def test_lengths():
    def fn(torch):
        ds = _map_dataset(torch, n=10)
        return [len(DL(torch)(ds)), len(DL(torch)(ds, batch_size=3)),
                len(DL(torch)(ds, batch_size=3, drop_last=True)),
                len(DL(torch)(ds, batch_size=None)), len(DL(torch)(_stream(torch, 5),
                                                                  batch_size=2)),
                len(DL(torch)(_stream(torch, 5), batch_size=2, drop_last=True)),
                len(DL(torch)(ds, batch_sampler=[[1, 2], [3]]))]
    check(fn)


@needs_torch
def test_shuffle_sampler_types():
    def fn(torch):
        ds = _map_dataset(torch, n=10)
        return [type(DL(torch)(ds, shuffle=s).sampler).__name__ for s in (True, False, None)] + \
            [type(DL(torch)(_stream(torch, 2)).sampler).__name__,
             DL(torch)(ds, batch_size=None).batch_sampler]
    check(fn)


@needs_torch
@pytest.mark.parametrize("attr", ["batch_size", "batch_sampler", "sampler", "drop_last",
                                  "dataset", "persistent_workers"])
def test_frozen_attributes(attr):
    def fn(torch):
        loader = DL(torch)(_map_dataset(torch))
        setattr(loader, attr, None)
    check(fn, message=True)


# --------------------------------------------------------------------------------------------
# option errors

OPTION_ERRORS = {
    "workers_negative": dict(num_workers=-1),
    "timeout_negative": dict(timeout=-1),
    "prefetch_without_workers": dict(prefetch_factor=2),
    "prefetch_negative": dict(num_workers=1, prefetch_factor=-1),
    "persistent_without_workers": dict(persistent_workers=True),
    "sampler_and_shuffle": dict(sampler=[0, 1], shuffle=True),
    "batch_sampler_and_batch_size": dict(batch_sampler=[[0]], batch_size=2),
    "batch_sampler_and_shuffle": dict(batch_sampler=[[0]], shuffle=True),
    "batch_sampler_and_sampler": dict(batch_sampler=[[0]], sampler=[0]),
    "batch_sampler_and_drop_last": dict(batch_sampler=[[0]], drop_last=True),
    "no_batching_and_drop_last": dict(batch_size=None, drop_last=True),
    "context_without_workers": dict(multiprocessing_context="fork"),
    "bad_context_name": dict(num_workers=1, multiprocessing_context="thread"),
    "bad_context_type": dict(num_workers=1, multiprocessing_context=3),
    "batch_size_zero": dict(batch_size=0),
    "batch_size_float": dict(batch_size=2.0),
}


@needs_torch
@pytest.mark.parametrize("case", sorted(OPTION_ERRORS))
def test_option_errors(case):
    kwargs = OPTION_ERRORS[case]
    check(lambda torch: DL(torch)(_map_dataset(torch), **kwargs), message=True)


@needs_torch
@pytest.mark.parametrize("kwargs", [dict(shuffle=True), dict(sampler=[0]),
                                    dict(batch_sampler=[[0]])])
def test_iterable_dataset_option_errors(kwargs):
    def fn(torch):
        ds = _stream(torch, 3)
        msg = None
        try:
            DL(torch)(ds, **kwargs)
        except ValueError as e:
            msg = str(e).split("=")[0]  # the rest names the object
        return msg
    check(fn)


@needs_torch
def test_timeout_without_workers():
    check(lambda torch: iter(DL(torch)(_map_dataset(torch), timeout=1)), message=True)


def test_pin_memory_warns_without_accelerator():
    if jtorch.cuda.is_available():
        pytest.skip("an accelerator is present")
    loader = jtorch.utils.data.DataLoader(list(range(4)), batch_size=2, pin_memory=True)
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no "
                                         "accelerator is found"):
        out = list(loader)
    assert [b.tolist() for b in out] == [[0, 1], [2, 3]]


def test_worker_number_warning():
    with pytest.warns(UserWarning, match="This DataLoader will create 1000 worker processes"):
        jtorch.utils.data.DataLoader(list(range(4)), num_workers=1000)


def test_iterator_cannot_be_pickled():
    import pickle
    with pytest.raises(NotImplementedError):
        pickle.dumps(iter(jtorch.utils.data.DataLoader(list(range(4)))))


# --------------------------------------------------------------------------------------------
# shuffling, seeding and syncing


@needs_random
def test_shuffle_is_a_permutation_and_reproducible():
    ds = list(range(20))
    jtorch.manual_seed(0)
    a = [b.item() for b in jtorch.utils.data.DataLoader(ds, shuffle=True)]
    b = [b.item() for b in jtorch.utils.data.DataLoader(ds, shuffle=True)]
    assert sorted(a) == ds and a != b
    jtorch.manual_seed(0)
    assert [b.item() for b in jtorch.utils.data.DataLoader(ds, shuffle=True)] == a
    g = jtorch.Generator().manual_seed(7)
    c = [b.tolist() for b in jtorch.utils.data.DataLoader(ds, batch_size=5, shuffle=True,
                                                           generator=g)]
    g.manual_seed(7)
    assert [b.tolist() for b in jtorch.utils.data.DataLoader(ds, batch_size=5, shuffle=True,
                                                              generator=g)] == c


def test_base_seed_draws_from_the_generator():
    g = jtorch.Generator().manual_seed(1)
    loader = jtorch.utils.data.DataLoader(list(range(3)), generator=g)
    s1 = iter(loader)._base_seed
    s2 = iter(loader)._base_seed
    g.manual_seed(1)
    assert iter(loader)._base_seed == s1 and s1 != s2 and 0 <= s1 < 2 ** 63


def test_next_is_a_sync_point():
    loader = jtorch.utils.data.DataLoader(list(range(4)), batch_size=2)
    it = iter(loader)
    from jtorch._engine import core
    if core.EAGER:
        pytest.skip("nothing is pending in eager mode")
    w = jtorch.ones(3) * 2  # pending work of "the previous step"
    assert core._W.plans
    next(it)
    assert not core._W.plans  # the window was run by __next__
    assert w.tolist() == [2.0, 2.0, 2.0]


def test_iterate_twice():
    loader = jtorch.utils.data.DataLoader(_tensor_dataset(jtorch), batch_size=4)
    first = [[t.tolist() for t in b] for b in loader]
    assert first == [[t.tolist() for t in b] for b in loader]
    assert len(first) == 3
