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


# torch-level helpers and small tensor utilities (jtorch/_functions.py, _ops/tensor_query.py)
API = [
    "torch.pi, torch.e, torch.inf, torch.nan, torch.newaxis",
    "torch.device('float32')", "torch.ones(1).to('float32')", "torch.device('cud')",
    "torch.device('cuda:x')", "torch.device('foo:0')", "torch.arange(0, -5, 1)",
    "torch.is_nonzero(torch.tensor([1])), torch.is_nonzero(torch.tensor([0.])), "
    "torch.tensor([[2]]).is_nonzero()",
    "torch.is_nonzero(torch.tensor([1, 2]))", "torch.is_nonzero(torch.tensor([]))",
    "torch.is_same_size(torch.ones(2), torch.ones(2)), torch.ones(2).is_same_size(torch.ones(1, 2))",
    "torch.is_storage(torch.ones(1)), torch.is_storage(torch.ones(1).untyped_storage())",
    "torch.typename(torch.ones(1)), torch.typename(torch.ones(1, dtype=torch.int64)), "
    "torch.typename(3), torch.typename(torch.nn.Linear(1, 1)), torch.typename(torch.nn.Linear)",
    "torch.range(0, 4), torch.range(0, 1, 0.5), torch.range(0, 4, dtype=torch.int64), "
    "torch.range(1, 2, 0.3), torch.range(4, 0, -1)",
    "torch.range(4, 0)", "torch.range(0, 4, 0)",
    "torch.frombuffer(bytearray(b'\\x01\\x00\\x00\\x00\\x02\\x00\\x00\\x00'), dtype=torch.int32), "
    "torch.frombuffer(bytearray(8), dtype=torch.float32, count=1, offset=4)",
    "torch.frombuffer(bytearray(3), dtype=torch.float32)",
    "torch.frombuffer(bytearray(8), dtype=torch.float32, count=3)",
    "(lambda b: (lambda t: (t.add_(1), list(b)))(torch.frombuffer(b, dtype=torch.uint8)))"
    "(bytearray(b'\\x01\\x02'))",
    "torch.detach(torch.ones(2, requires_grad=True)), torch.fill(torch.ones(2), 3), "
    "torch.fill(torch.ones(2, dtype=torch.int32), 2.7), torch.zero_(torch.ones(2)), "
    "torch.relu_(torch.tensor([-1., 1])), torch.abs_(torch.tensor([-1., 1])), "
    "torch.fill_(torch.ones(2), 3), torch.clamp_(torch.arange(4.), 1, 2), "
    "torch.xlogy_(torch.ones(2), torch.ones(2) * 2)",
    "torch.set_num_threads(0)", "torch.set_deterministic_debug_mode('foo')",
    "torch.get_num_threads() > 0, torch.get_num_interop_threads() > 0",
    "torch.set_default_tensor_type('torch.LongTensor')",
    "torch.ones(2, dtype=torch.int8).new_empty_strided((2, 3), (1, 2)).stride(), "
    "torch.ones(2).new_empty_strided((2, 3), (1, 2)).dtype",
    "torch.ones(2, 3).sum_to_size(1, 3), torch.ones(2, 3).sum_to_size((2, 1)), "
    "torch.ones(2, 3).sum_to_size(3), torch.ones(2, 3, 4).sum_to_size(3, 1)",
    "torch.ones(2, 3).sum_to_size(4)", "torch.ones(2, 3).sum_to_size(1, 2, 3)",
    "torch.zeros(3, 4).fill_diagonal_(5), torch.zeros(7, 3).fill_diagonal_(5, wrap=True), "
    "torch.zeros(7, 3).fill_diagonal_(5), torch.zeros(2, 2, 2).fill_diagonal_(1), "
    "torch.zeros(9, 2).fill_diagonal_(1, wrap=True), "
    "torch.zeros(3, 3, dtype=torch.int64).fill_diagonal_(2.5)",
    "torch.zeros(3).fill_diagonal_(1)", "torch.zeros(2, 3, 2).fill_diagonal_(1)",
    "torch.ones(3).apply_(lambda x: x * 2), torch.arange(3).apply_(lambda x: x * 3), "
    "torch.ones(2, 2).map_(torch.tensor([1., 2.]), lambda a, b: a * b), "
    "torch.ones(2).map2_(torch.ones(2), torch.ones(2) * 3, lambda a, b, c: a + b + c)",
    "torch.ones(3, requires_grad=True).apply_(lambda x: x * 2)",
]


@needs_torch
@pytest.mark.parametrize("expr", API)
def test_api_helpers(expr):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda torch: eval(expr, {"torch": torch}), message=True)


@needs_torch
def test_settings_round_trip():
    def f(torch):
        torch.use_deterministic_algorithms(True, warn_only=True)
        a = (torch.are_deterministic_algorithms_enabled(),
             torch.is_deterministic_algorithms_warn_only_enabled(),
             torch.get_deterministic_debug_mode())
        torch.set_deterministic_debug_mode("error")
        b = torch.get_deterministic_debug_mode()
        torch.set_deterministic_debug_mode(0)
        torch.set_warn_always(True)
        c = torch.is_warn_always_enabled()
        torch.set_warn_always(False)
        n = torch.get_num_threads()
        torch.set_num_threads(1)
        d = torch.get_num_threads()
        torch.set_num_threads(n)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.set_default_tensor_type("torch.DoubleTensor")
            e = (torch.get_default_dtype(), torch.tensor([1.5]).dtype)
            torch.set_default_tensor_type(torch.FloatTensor)
        return a, b, c, d, e, torch.are_deterministic_algorithms_enabled()
    check(f)
