"""Sorting and searching (sort, topk, kthvalue, unique, bincount, histc, histogram,
searchsorted, bucketize, isin) against PyTorch."""
import warnings

import numpy as np
import pytest

import jtorch
from oracle import TORCH, check, check_grad, needs_torch, run

_RNG = np.random.default_rng(1)
_NP = {
    "f32": _RNG.standard_normal((3, 5)).astype(np.float32),
    "f64": _RNG.standard_normal((4, 3)),
    "f16": _RNG.standard_normal((3, 4)).astype(np.float16),
    "bf16": _RNG.standard_normal((3, 4)).astype(np.float32),
    "i64": _RNG.integers(-3, 3, (3, 6)),
    "u8": _RNG.integers(0, 3, (4, 3)).astype(np.uint8),
    "bool": _RNG.random((3, 4)) > 0.5,
    "scalar": np.array(1.5, np.float32),
    "empty": np.zeros((0, 3), np.float32),
    "nan": np.array([[1.0, np.nan, 3.0, -1.0], [2.0, 0.5, np.nan, np.nan], [0.0, 4.0, 1.0, 2.0]],
                    np.float32),
    "c64": (_RNG.standard_normal((2, 3)) + 1j * _RNG.standard_normal((2, 3))).astype(np.complex64),
}
SAMPLES = list(_NP)
# samples with equal elements: where PyTorch does not promise an order among ties, only the
# values are compared
TIES = {"i64", "u8", "bool", "nan"}


def make(torch, name):
    a = _NP[name]
    if name == "bf16":
        return torch.tensor(a, dtype=torch.bfloat16)
    return torch.tensor(a)


def _values(r):
    return r[0] if isinstance(r, tuple) else r


# (id, fn(torch, x), deterministic among ties)
CASES = [
    ("sort", lambda torch, x: x.sort(), False),
    ("sort_stable", lambda torch, x: x.sort(stable=True), True),
    ("sort_desc_dim0", lambda torch, x: torch.sort(x, stable=True, dim=0, descending=True), True),
    ("sort_desc_kw", lambda torch, x: x.sort(dim=-1, descending=True, stable=True), True),
    ("argsort", lambda torch, x: x.argsort(stable=True), True),
    ("argsort_desc", lambda torch, x: torch.argsort(x, stable=True, dim=0, descending=True), True),
    ("msort", lambda torch, x: x.msort(), True),
    ("topk", lambda torch, x: x.topk(2), False),
    ("topk_smallest_dim0", lambda torch, x: torch.topk(x, 1, 0, largest=False), False),
    ("topk_0", lambda torch, x: x.topk(0), True),
    ("kthvalue", lambda torch, x: x.kthvalue(2), True),
    ("kthvalue_dim0_keep", lambda torch, x: torch.kthvalue(x, 1, 0, True), True),
]


@needs_torch
@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_sort_table(case, sample):
    _, fn, deterministic = next(c for c in CASES if c[0] == case)
    g = fn
    if sample in TIES and not deterministic:
        def g(torch, x):
            return _values(fn(torch, x))
    check(lambda torch: g(torch, make(torch, sample)), message=True)


@needs_torch
@pytest.mark.parametrize("n", [5, 17, 40])
def test_kthvalue_ties_match_quickselect(n):
    a = np.random.default_rng(n).integers(0, 3, (6, n)).astype(np.float32)
    a[0, ::3] = np.nan
    for k in (1, n // 2 + 1, n):
        check(lambda torch: torch.tensor(a).kthvalue(k, 1))


@needs_torch
def test_topk_indices_valid_with_ties():
    a = np.array([[3, 1, 3, 2, 1], [1, 1, 1, 1, 1]])
    r = jtorch.tensor(a).topk(3)
    v = np.take_along_axis(a, r.indices.numpy(), 1)
    np.testing.assert_array_equal(v, r.values.numpy())
    assert all(len(set(row)) == 3 for row in r.indices.numpy().tolist())


@needs_torch
@pytest.mark.parametrize("expr", [
    "x.sort(1)", "x.sort(dim=None)", "x.sort(stable=None)", "torch.tensor([1 + 1j]).sort()",
    "torch.tensor([1 + 1j]).argsort()", "torch.tensor(3.).sort()", "torch.tensor(3.).msort()",
    "x.topk(4)", "x.topk(-1)", "x.topk(1.5)", "torch.tensor(3.).topk(1)", "torch.tensor(3.).topk(0)",
    "torch.tensor(3.).topk(2)", "torch.tensor([True]).topk(1)", "torch.tensor([1 + 1j]).topk(1)",
    "x.topk(2, largest=False, sorted=False)", "x.kthvalue(0)", "x.kthvalue(4)",
    "x.kthvalue(1, dim=None)", "x.kthvalue(1.0)", "torch.tensor(3.).kthvalue(1)",
    "torch.tensor(3.).kthvalue(2)", "torch.tensor([]).kthvalue(1)", "torch.zeros(2, 0).kthvalue(1)",
    "torch.zeros(2, 0).kthvalue(1, 0)", "torch.zeros(0, 2).kthvalue(1, 1)",
    "torch.tensor([True]).kthvalue(1)", "torch.tensor([1 + 1j]).kthvalue(1)",
    "torch.tensor([3, 1, 2], dtype=torch.uint8).kthvalue(1)",
    "torch.sort(x, out=(torch.zeros(3), torch.zeros(3, dtype=torch.long)))",
    "type(torch.topk(x, 1, out=(torch.zeros(1), torch.zeros(1, dtype=torch.long)))).__name__",
    "repr(x.sort())",
])
def test_sort_args(expr):
    check_expr(expr)


def check_expr(expr, x=None):
    """Compare ``expr`` (``x`` a small float vector by default); messages too, except PyTorch's
    argument-parser listings of every overload."""
    def fn(torch):
        xx = torch.tensor([3., 1., 2.]) if x is None else torch.tensor(x)
        return eval(expr, {"torch": torch, "x": xx})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = run(fn, TORCH)
        check(fn, message="invalid combination" not in repr(expected))


@needs_torch
def test_sort_grad_fn_names():
    def fn(torch):
        x = torch.tensor([[1., 3., 2.], [2., 0., 5.]], requires_grad=True)
        outs = [x.sort()[0], x.msort(), x.topk(2)[0], x.kthvalue(2)[0]]
        return [type(o.grad_fn).__name__ for o in outs]
    check(fn)


GRADS = [
    ("sort", lambda t, x: x.sort(1, descending=True), _NP["f64"]),
    ("sort_nan", lambda t, x: x.sort(stable=True, dim=1), _NP["nan"].astype(np.float64)),
    ("msort", lambda t, x: x.msort(), _NP["f64"]),
    ("topk", lambda t, x: x.topk(2, dim=0), _NP["f64"]),
    ("kthvalue", lambda t, x: x.kthvalue(2, 1, keepdim=True), _NP["f64"]),
    ("kthvalue_ties", lambda t, x: x.kthvalue(2), np.array([3., 1, 3, 2, 1])),
]


@needs_torch
@pytest.mark.parametrize("name", [g[0] for g in GRADS])
def test_sort_grad(name):
    _, fn, a = next(g for g in GRADS if g[0] == name)
    check_grad(fn, np.array(a))
