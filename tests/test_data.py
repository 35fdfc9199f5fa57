"""torch.utils.data: datasets, samplers and collation, against PyTorch."""
import collections
import warnings

import numpy as np
import pytest

import jtorch
from oracle import TORCH, assert_same, check, needs_torch, run

needs_random = pytest.mark.skipif(not hasattr(jtorch, "randperm"),
                                  reason="needs jtorch's random ops (randperm/randint/multinomial)")
needs_indexing = pytest.mark.skipif(not hasattr(jtorch.Tensor, "__getitem__"),
                                    reason="needs Tensor.__getitem__ (the indexing ops)")

Point = collections.namedtuple("Point", ["x", "y"])


def structure(x):
    """The container types of a (nested) result, tensors as 'Tensor'."""
    if isinstance(x, (jtorch.Tensor,)) or (TORCH is not None and isinstance(x, TORCH.Tensor)):
        return "Tensor"
    if isinstance(x, dict):
        return (type(x).__name__, {k: structure(v) for k, v in x.items()})
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [structure(v) for v in x])
    return type(x).__name__


def check_same(fn, message=True):
    """check() plus the same container types (list vs tuple, dict types, namedtuples)."""
    expected = run(fn, TORCH)
    actual = run(fn, jtorch)
    assert_same(expected, actual, message=message)
    assert structure(expected) == structure(actual)
    return actual


# --------------------------------------------------------------------------------------------
# datasets


class _Squares:
    """A map-style dataset built on either library's Dataset class."""

    @staticmethod
    def make(torch, n=5):
        class Squares(torch.utils.data.Dataset):
            def __len__(self):
                return n

            def __getitem__(self, i):
                return i * i

        return Squares()


def _stream(torch, n):
    class Stream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(n))

        def __len__(self):
            return n

    return Stream()


@needs_torch
def test_dataset_base_errors():
    check(lambda torch: torch.utils.data.Dataset()[0], message=True)
    check(lambda torch: len(torch.utils.data.Dataset()), message=True)


@needs_torch
def test_dataset_add():
    def fn(torch):
        a, b = _Squares.make(torch, 3), _Squares.make(torch, 2)
        c = a + b
        s = _stream(torch, 2) + _stream(torch, 3)
        return type(c).__name__, len(c), [c[i] for i in range(5)], type(s).__name__, list(s)
    check(fn)


@needs_torch
def test_tensor_dataset():
    def fn(torch):
        x = torch.arange(12.).reshape(6, 2)
        y = torch.arange(6)
        ds = torch.utils.data.TensorDataset(x, y)
        return len(ds), ds.tensors[0] is x, len(ds.tensors)
    check(fn)
    check(lambda torch: torch.utils.data.TensorDataset(torch.zeros(3), torch.zeros(4)),
          message=True)
    check(lambda torch: len(torch.utils.data.TensorDataset()), message=True)


@needs_torch
@needs_indexing
def test_tensor_dataset_getitem():
    def fn(torch):
        ds = torch.utils.data.TensorDataset(torch.arange(12.).reshape(6, 2), torch.arange(6))
        return ds[0], ds[-1], ds[2:4]
    check_same(fn)


@needs_torch
def test_stack_dataset():
    def fn(torch):
        a, b = _Squares.make(torch, 4), list("abcd")
        t = torch.utils.data.StackDataset(a, b)
        d = torch.utils.data.StackDataset(num=a, letter=b)
        return (len(t), t[1], t.__getitems__([0, 3]), len(d), d[2], d.__getitems__([1, 2]))
    check_same(fn)


@needs_torch
def test_stack_dataset_getitems_of_parts():
    def fn(torch):
        class Batched(torch.utils.data.Dataset):
            def __len__(self):
                return 3

            def __getitem__(self, i):
                return -i

            def __getitems__(self, idx):
                return [("batched", i) for i in idx]

        t = torch.utils.data.StackDataset(Batched(), [10, 11, 12])
        return t.__getitems__([2, 0])
    check_same(fn)


@needs_torch
@pytest.mark.parametrize("case", ["both", "size", "size_kw", "none", "getitems_size"])
def test_stack_dataset_errors(case):
    def fn(torch):
        S = torch.utils.data.StackDataset
        if case == "both":
            return S([1], a=[1])
        if case == "size":
            return S([1, 2], [1])
        if case == "size_kw":
            return S(a=[1, 2], b=[1])
        if case == "none":
            return S()

        class Short(torch.utils.data.Dataset):
            def __len__(self):
                return 2

            def __getitems__(self, idx):
                return [0]

        return S(Short(), [1, 2]).__getitems__([0, 1])
    check(fn, message=True)


@needs_torch
def test_concat_dataset():
    def fn(torch):
        c = torch.utils.data.ConcatDataset([range(3), range(10, 12), [7]])
        return len(c), c.cumulative_sizes, [c[i] for i in range(len(c))], c[-1], c[-6]
    check(fn)


@needs_torch
@pytest.mark.parametrize("case", ["empty", "iterable", "neg", "past_end"])
def test_concat_dataset_errors(case):
    def fn(torch):
        if case == "empty":
            return torch.utils.data.ConcatDataset([])
        if case == "iterable":
            return torch.utils.data.ConcatDataset([range(2), _stream(torch, 2)])
        c = torch.utils.data.ConcatDataset([range(3), range(2)])
        return c[-6] if case == "neg" else c[5]
    check(fn, message=True)


def test_concat_dataset_cummulative_sizes_warns():
    c = jtorch.utils.data.ConcatDataset([range(3), range(2)])
    with pytest.warns(FutureWarning, match="`cummulative_sizes` attribute is renamed"):
        assert c.cummulative_sizes == [3, 5]


@needs_torch
def test_chain_dataset():
    def fn(torch):
        ch = torch.utils.data.ChainDataset([_stream(torch, 2), _stream(torch, 3)])
        return list(ch), len(ch)
    check(fn)
    check(lambda torch: list(torch.utils.data.ChainDataset([_stream(torch, 1), [1, 2]])),
          message=True)
    check(lambda torch: len(torch.utils.data.ChainDataset([_stream(torch, 1), [1, 2]])),
          message=True)


@needs_torch
def test_subset():
    def fn(torch):
        s = torch.utils.data.Subset(list(range(10, 20)), [3, 1, 4, 1, 5])
        return len(s), s[0], s[-1], s.__getitems__([0, 2]), s.indices
    check_same(fn)


@needs_torch
def test_subset_uses_parent_getitems():
    def fn(torch):
        class Batched(torch.utils.data.Dataset):
            def __getitem__(self, i):
                return i

            def __getitems__(self, idx):
                return ["b%d" % i for i in idx]

        s = torch.utils.data.Subset(Batched(), [5, 6, 7])
        return s.__getitems__([2, 0]), s[1]
    check_same(fn)


@needs_torch
def test_subset_subclass_must_override_getitems():
    def fn(torch):
        class Mine(torch.utils.data.Subset):
            def __getitem__(self, idx):
                return 0

        return Mine([1, 2], [0])
    check(fn, message=True)


@needs_torch
@pytest.mark.parametrize("lengths", [[3, 3], [1.5, -0.5], [0.5, 0.6]])
def test_random_split_errors(lengths):
    check(lambda torch: torch.utils.data.random_split(range(10), lengths), message=True)


@needs_random
# few distinct n: each is a permutation program of its own to compile
@pytest.mark.parametrize("n,lengths", [(10, [3, 7]), (10, [0.33, 0.33, 0.34]), (11, [0.5, 0.5]),
                                       (10, [0.3, 0.3, 0.4]), (10, [10])])
def test_random_split(n, lengths):
    parts = jtorch.utils.data.random_split(range(n), lengths,
                                           generator=jtorch.Generator().manual_seed(42))
    if TORCH is not None:
        ref = TORCH.utils.data.random_split(range(n), lengths)
        assert [len(p) for p in parts] == [len(p) for p in ref]
    assert all(type(p) is jtorch.utils.data.Subset for p in parts)
    got = sorted(i for p in parts for i in p)
    assert got == list(range(n))
    again = jtorch.utils.data.random_split(range(n), lengths,
                                           generator=jtorch.Generator().manual_seed(42))
    assert [p.indices for p in parts] == [p.indices for p in again]


@needs_random
def test_random_split_zero_length_warns():
    with pytest.warns(UserWarning, match="Length of split at index 2 is 0. This might result "
                                         "in an empty dataset."):
        parts = jtorch.utils.data.random_split(range(3), [0.1, 0.9, 0.0])
    assert [len(p) for p in parts] == [1, 2, 0]


# --------------------------------------------------------------------------------------------
# samplers


@needs_torch
def test_sequential_sampler():
    check(lambda torch: (list(torch.utils.data.SequentialSampler(range(4))),
                         len(torch.utils.data.SequentialSampler([1, 2]))))


@needs_torch
@pytest.mark.parametrize("kwargs", [dict(replacement=1), dict(num_samples=0),
                                    dict(num_samples=2.0), dict(num_samples=-1)])
def test_random_sampler_errors(kwargs):
    check(lambda torch: torch.utils.data.RandomSampler(range(4), **kwargs), message=True)


@needs_torch
@pytest.mark.parametrize("kwargs", [dict(), dict(num_samples=3), dict(replacement=True),
                                    dict(replacement=True, num_samples=70)])
def test_random_sampler_len(kwargs):
    check(lambda torch: (len(torch.utils.data.RandomSampler(range(10), **kwargs)),
                         torch.utils.data.RandomSampler(range(10), **kwargs).num_samples))


@needs_random
def test_random_sampler_permutation_and_seeding():
    S = jtorch.utils.data.RandomSampler
    jtorch.manual_seed(0)
    a = list(S(range(20)))
    b = list(S(range(20)))
    assert sorted(a) == list(range(20)) and a != b  # a fresh permutation each epoch
    jtorch.manual_seed(0)
    assert list(S(range(20))) == a  # reproducible from the global seed
    g1, g2 = jtorch.Generator().manual_seed(3), jtorch.Generator().manual_seed(3)
    assert list(S(range(20), generator=g1)) == list(S(range(20), generator=g2))


@needs_random
def test_random_sampler_num_samples_without_replacement():
    out = list(jtorch.utils.data.RandomSampler(range(5), num_samples=12))
    assert len(out) == 12
    assert sorted(out[:5]) == list(range(5)) and sorted(out[5:10]) == list(range(5))
    assert len(set(out[10:])) == 2


@needs_random
def test_random_sampler_replacement():
    out = list(jtorch.utils.data.RandomSampler(range(4), replacement=True, num_samples=70))
    assert len(out) == 70 and set(out) <= set(range(4)) and len(set(out)) == 4
    assert all(type(i) is int for i in out)


@needs_random
def test_subset_random_sampler():
    s = jtorch.utils.data.SubsetRandomSampler([10, 20, 30, 40],
                                              generator=jtorch.Generator().manual_seed(1))
    out = list(s)
    assert sorted(out) == [10, 20, 30, 40] and len(s) == 4


@needs_torch
@pytest.mark.parametrize("args", [([1.0, 2.0], 0), ([1.0, 2.0], True), ([1.0, 2.0], 2.5),
                                  ([1.0, 2.0], 2, 1), ([[1.0, 2.0]], 2)])
def test_weighted_random_sampler_errors(args):
    check(lambda torch: torch.utils.data.WeightedRandomSampler(*args), message=True)


@needs_torch
def test_weighted_random_sampler_attributes():
    check(lambda torch: (torch.utils.data.WeightedRandomSampler([1, 2, 3], 5).weights,
                         len(torch.utils.data.WeightedRandomSampler([1, 2, 3], 5))))


@needs_random
def test_weighted_random_sampler_draws():
    W = jtorch.utils.data.WeightedRandomSampler
    out = list(W([0.0, 1.0, 0.0, 3.0], 200, generator=jtorch.Generator().manual_seed(0)))
    assert len(out) == 200 and set(out) == {1, 3}
    assert 100 < out.count(3) < 190
    no_rep = list(W([1.0, 1.0, 1.0, 5.0, 0.0], 4, replacement=False))
    assert sorted(no_rep) == [0, 1, 2, 3]


@needs_torch
@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("n,batch_size", [(10, 3), (9, 3), (2, 5), (0, 2)])
def test_batch_sampler(n, batch_size, drop_last):
    def fn(torch):
        b = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)),
                                          batch_size, drop_last)
        return list(b), len(b)
    check_same(fn)


@needs_torch
@pytest.mark.parametrize("args", [(0, False), (True, False), (2.0, False), (2, 1)])
def test_batch_sampler_errors(args):
    check(lambda torch: torch.utils.data.BatchSampler(range(4), *args), message=True)


@needs_torch
@pytest.mark.parametrize("n,replicas,drop_last", [(10, 3, False), (10, 3, True), (9, 3, False),
                                                  (2, 5, False), (11, 4, True)])
def test_distributed_sampler_unshuffled(n, replicas, drop_last):
    def fn(torch):
        out = []
        for rank in range(replicas):
            s = torch.utils.data.DistributedSampler(range(n), num_replicas=replicas, rank=rank,
                                                    shuffle=False, drop_last=drop_last)
            out.append((list(s), len(s), s.num_samples, s.total_size))
        return out
    check(fn)


@needs_torch
@pytest.mark.parametrize("rank", [3, -1])
def test_distributed_sampler_bad_rank(rank):
    check(lambda torch: torch.utils.data.DistributedSampler(range(4), num_replicas=3, rank=rank),
          message=True)


@needs_random
def test_distributed_sampler_shuffled():
    D = jtorch.utils.data.DistributedSampler
    parts = [list(D(range(10), num_replicas=2, rank=r, seed=5)) for r in range(2)]
    assert sorted(parts[0] + parts[1]) == list(range(10))
    assert parts == [list(D(range(10), num_replicas=2, rank=r, seed=5)) for r in range(2)]
    s = D(range(10), num_replicas=2, rank=0, seed=5)
    s.set_epoch(1)
    assert s.epoch == 1 and list(s) != parts[0]


# --------------------------------------------------------------------------------------------
# collation

COLLATE_CASES = {
    "ints": lambda torch: [0, 1, 2, 3],
    "bools": lambda torch: [True, False],
    "floats": lambda torch: [1.5, 2.0],
    "int_then_float": lambda torch: [1, 2.5],
    "float_then_int": lambda torch: [1.5, 2],
    "np_float32": lambda torch: [np.float32(1), np.float32(2.5)],
    "np_int32": lambda torch: [np.int32(1), np.int32(2)],
    "np_bool": lambda torch: [np.bool_(True), np.bool_(False)],
    "np_float64": lambda torch: [np.float64(1.5)],
    "np_arrays": lambda torch: [np.array([1, 2]), np.array([3, 4])],
    "np_0d": lambda torch: [np.array(3.5), np.array(1.0)],
    "np_float32_arrays": lambda torch: [np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)],
    "np_mixed_dtypes": lambda torch: [np.array([1, 2], np.int32), np.array([1.5, 2], np.float32)],
    "np_bool_arrays": lambda torch: [np.array([True]), np.array([False])],
    "np_views": lambda torch: [np.arange(12.0).reshape(3, 4)[:, 1], np.arange(3.0)],
    "tensors": lambda torch: [torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])],
    "tensors_0d": lambda torch: [torch.tensor(1), torch.tensor(2)],
    "tensors_promote": lambda torch: [torch.tensor([1]), torch.tensor([1.5])],
    "tensors_int32_uint8": lambda torch: [torch.tensor([1], dtype=torch.int32),
                                          torch.tensor([2], dtype=torch.uint8)],
    "host_tensors": lambda torch: [torch.from_numpy(np.arange(3.0)),
                                   torch.from_numpy(np.arange(3.0) + 1)],
    "host_and_device": lambda torch: [torch.from_numpy(np.arange(3.0)), torch.ones(3) * 2],
    "strings": lambda torch: ["a", "b"],
    "bytes": lambda torch: [b"a", b"b"],
    "tuples": lambda torch: [(1, "a", b"x"), (2, "b", b"y")],
    "lists": lambda torch: [[1, 2.0], [3, 4.0]],
    "namedtuples": lambda torch: [Point(1, 2.0), Point(3, 4.0)],
    "dicts": lambda torch: [{"a": 1, "b": [1.0, 2.0]}, {"a": 2, "b": [3.0, 4.0]}],
    "ordered_dicts": lambda torch: [collections.OrderedDict(x=1, y="u"),
                                    collections.OrderedDict(x=2, y="v")],
    "nested": lambda torch: [{"t": torch.tensor([1, 2]), "p": Point(np.float32(1), [1, 2])},
                             {"t": torch.tensor([3, 4]), "p": Point(np.float32(2), [3, 4])}],
    "tensor_tuples": lambda torch: [(torch.tensor([1.0]), 0), (torch.tensor([2.0]), 1)],
    "tensor_size_mismatch": lambda torch: [torch.zeros(3), torch.zeros(2)],
    "host_size_mismatch": lambda torch: [torch.from_numpy(np.zeros((2, 3))),
                                         torch.from_numpy(np.zeros((2, 2)))],
    "np_size_mismatch": lambda torch: [np.zeros(3), np.zeros(2)],
    "unequal_lists": lambda torch: [[1, 2], [3]],
    "none": lambda torch: [None, None],
    "object": lambda torch: [object()],
    "np_strings": lambda torch: [np.array(["a"]), np.array(["b"])],
    "np_str_scalars": lambda torch: [np.str_("a"), np.str_("b")],
}


@needs_torch
@pytest.mark.parametrize("case", sorted(COLLATE_CASES))
def test_default_collate(case):
    make = COLLATE_CASES[case]
    if case == "object":
        # the message names the class, which is the same object in both libraries
        check(lambda torch: torch.utils.data.default_collate(make(torch)), message=False)
        return
    check_same(lambda torch: torch.utils.data.default_collate(make(torch)))


CONVERT_CASES = {
    "int": lambda torch: 0,
    "np_array": lambda torch: np.array([0, 1]),
    "np_scalar": lambda torch: np.float32(2.5),
    "np_strings": lambda torch: np.array(["a", "b"]),
    "namedtuple": lambda torch: Point(np.array(0), np.array(1.5)),
    "list": lambda torch: [np.array([0, 1]), np.array([2, 3])],
    "tuple": lambda torch: (np.array([0, 1]), "s"),
    "dict": lambda torch: {"a": np.array([1.0]), "b": "text", "c": [np.int64(3)]},
    "tensor": lambda torch: torch.tensor([1, 2]),
    "str": lambda torch: "abc",
    "range": lambda torch: range(3),
}


@needs_torch
@pytest.mark.parametrize("case", sorted(CONVERT_CASES))
def test_default_convert(case):
    make = CONVERT_CASES[case]
    if case == "np_strings":  # returned as it is
        a = make(jtorch)
        assert jtorch.utils.data.default_convert(a) is a
        return
    check_same(lambda torch: torch.utils.data.default_convert(make(torch)))


@needs_torch
def test_collate_with_custom_map():
    def fn(torch):
        from importlib import import_module
        C = import_module(torch.__name__ + ".utils.data._utils.collate")

        def collate_str(batch, *, collate_fn_map=None):
            return "+".join(batch)

        fmap = dict(C.default_collate_fn_map)
        fmap[str] = collate_str
        return C.collate([("a", 1), ("b", 2)], collate_fn_map=fmap), \
            C.collate([1, 2], collate_fn_map={int: lambda b, collate_fn_map: sum(b)})
    check_same(fn)


def test_collate_host_tensors_one_transfer():
    """NumPy-backed samples are stacked in NumPy: the batch is a single new JAX-backed tensor."""
    batch = [jtorch.from_numpy(np.full((2, 2), i, np.float32)) for i in range(4)]
    jtorch.engine.reset_stats()
    out = jtorch.utils.data.default_collate(batch)
    assert jtorch.engine.stats()["ops_recorded"] == 0
    assert type(out._st.value) is not np.ndarray
    np.testing.assert_array_equal(out.numpy(), np.stack([b.numpy() for b in batch]))


def test_collate_keeps_autograd():
    a = jtorch.tensor([1.0, 2.0], requires_grad=True)
    out = jtorch.utils.data.default_collate([a, a * 2])
    assert out.requires_grad and type(out.grad_fn).__name__ == "StackBackward0"


def test_default_collate_in_worker_is_numpy_backed(monkeypatch):
    """Inside a worker, collation builds NumPy-backed tensors (no JAX work)."""
    from jtorch.utils.data._utils import worker
    monkeypatch.setattr(worker, "_worker_info", worker.WorkerInfo(0, 1, 0, None))
    out = jtorch.utils.data.default_collate([(jtorch.tensor([1, 2]), 1.5),
                                             (jtorch.tensor([3, 4]), 2.5)])
    assert type(out[0]._st.value) is np.ndarray
    assert out[0].tolist() == [[1, 2], [3, 4]] and out[1].dtype is jtorch.float64
