"""Core: dtypes, Size, device, promotion, engine modes, basic tensor protocol."""
import itertools
import pickle

import numpy as np
import pytest

import jtorch
from oracle import TORCH, check, needs_torch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64", "complex64", "complex128", "uint16", "uint32", "uint64"]


@needs_torch
@pytest.mark.parametrize("a,b", list(itertools.product(DTYPES, DTYPES)))
def test_promote_types(a, b):
    check(lambda torch: torch.promote_types(getattr(torch, a), getattr(torch, b)))


@needs_torch
@pytest.mark.parametrize("name", DTYPES)
def test_dtype_attributes(name):
    check(lambda torch: (repr(getattr(torch, name)), getattr(torch, name).is_floating_point,
                         getattr(torch, name).is_complex, getattr(torch, name).is_signed,
                         getattr(torch, name).itemsize))


@needs_torch
@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64"])
def test_finfo(name):
    check(lambda torch: repr(torch.finfo(getattr(torch, name))))


@needs_torch
@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    check(lambda torch: repr(torch.iinfo(getattr(torch, name))))


@needs_torch
def test_aliases():
    check(lambda torch: [repr(d) for d in (torch.float, torch.double, torch.half, torch.int,
                                            torch.long, torch.short, torch.cfloat, torch.cdouble,
                                            torch.bool)])


@needs_torch
def test_size():
    check(lambda torch: (repr(torch.Size([2, 3])), torch.Size([2, 3]).numel(),
                         repr(torch.Size([2, 3])[1:]), repr(torch.Size([2]) + (3,)),
                         repr((1,) + torch.Size([2])), isinstance(torch.Size([1]), tuple),
                         torch.Size([2, 3]) == (2, 3)))


@needs_torch
def test_device():
    check(lambda torch: (repr(torch.device("cpu")), str(torch.device("cuda:1")),
                         torch.device("cuda", 0).index, torch.device("cpu") == torch.device("cpu"),
                         torch.device("cpu") == "cpu", repr(torch.device("cuda:2"))))
    check(lambda torch: torch.device("foo"))
    check(lambda torch: torch.device("cuda:x"))


@needs_torch
@pytest.mark.parametrize("a,b", [
    ("torch.tensor([1, 2])", "2.5"), ("torch.tensor([1, 2])", "torch.tensor(2.5, dtype=torch.float64)"),
    ("torch.tensor([1., 2.], dtype=torch.float16)", "1e10"), ("torch.tensor([True])", "1"),
    ("torch.tensor([1], dtype=torch.uint8)", "torch.tensor([1], dtype=torch.int8)"),
    ("torch.tensor([1.])", "1j"), ("torch.tensor([1.], dtype=torch.float64)", "1j"),
    ("torch.tensor(1, dtype=torch.int32)", "torch.tensor([1], dtype=torch.uint8)"),
    ("torch.tensor([1], dtype=torch.int32)", "torch.tensor(1.0, dtype=torch.float64)"),
])
def test_result_type(a, b):
    check(lambda torch: torch.result_type(eval(a), eval(b)))


def test_version():
    assert isinstance(jtorch.__version__, str)


def test_pickle_dtype_size_device():
    for obj in (jtorch.float32, jtorch.Size([1, 2]), jtorch.device("cuda", 1)):
        assert pickle.loads(pickle.dumps(obj)) == obj


def test_engine_counts_and_sync():
    jtorch.engine.reset_stats()
    x = jtorch.arange(10.0)
    for _ in range(4):
        y = (x * 2 + 1).sum()
        y.item()
    s = jtorch.engine.stats()
    if not jtorch.engine.EAGER:
        assert s["syncs"] == 4
        assert s["op_by_op"] + s["compiles"] + s["cache_hits"] == 4
        assert s["cache_hits"] >= 1
    assert y.item() == 100.0


def test_graph_churn_warns_once_then_compiles_only_recurring_graphs(monkeypatch):
    from jtorch._engine import core
    if core.EAGER:
        pytest.skip("the eager engine compiles nothing")
    jtorch.engine.reset_stats()
    monkeypatch.setattr(core, "_COMPILE_WARN_AT", 3)
    xs = [jtorch.arange(float(n)) for n in range(1, 7)]  # a new shape: a new graph
    with pytest.warns(RuntimeWarning, match="compiled 3 different graphs") as rec:
        for x in xs[:5]:  # each graph runs twice: op by op, then compiled
            for _ in range(2):
                (x * 2 + x).sum().item()
    assert len([w for w in rec if "different graphs" in str(w.message)]) == 1
    s = jtorch.engine.stats()
    assert s["compiles"] == 3  # after the warning, twice is not enough to compile
    for _ in range(core._CHURN_SIGHTS + 1):
        (xs[5] * 2 + xs[5]).sum().item()
    assert jtorch.engine.stats()["compiles"] == 4


def test_pending_values_survive_unrelated_syncs():
    a = jtorch.arange(4.0) * 3
    b = a + 1
    del a
    assert b.tolist() == [1.0, 4.0, 7.0, 10.0]
    c = b * 2
    jtorch.sync()
    assert c.tolist() == [2.0, 8.0, 14.0, 20.0]


def test_numpy_sharing_both_ways():
    a = np.array([1.0, 2.0, 3.0])
    t = jtorch.from_numpy(a)
    a[0] = 10
    assert (t * 1).tolist() == [10.0, 2.0, 3.0]
    t.add_(1)
    assert a.tolist() == [11.0, 3.0, 4.0]
    u = jtorch.ones(2)
    n = u.numpy()
    u.mul_(3)
    assert n.tolist() == [3.0, 3.0]
    n[1] = 7
    assert u.tolist() == [3.0, 7.0]
