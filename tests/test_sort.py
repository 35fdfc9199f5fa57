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


# kthvalue's quickselect loop takes XLA a while to compile: fewer samples (errors are cheap)
_KTH_SAMPLES = ["f32", "i64", "scalar", "empty", "nan", "bool", "c64"]
TABLE = [(c, s) for c, *_ in CASES for s in (_KTH_SAMPLES if c.startswith("kth") else SAMPLES)]


@needs_torch
@pytest.mark.parametrize("case,sample", TABLE)
def test_sort_table(case, sample):
    _, fn, deterministic = next(c for c in CASES if c[0] == case)
    g = fn
    if sample in TIES and not deterministic:
        def g(torch, x):
            return _values(fn(torch, x))
    check(lambda torch: g(torch, make(torch, sample)), message=True)


@needs_torch
@pytest.mark.parametrize("n", [7, 40])
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
    ("kthvalue_ties", lambda t, x: x.kthvalue(2), np.array([3., 1, 3, 2, 1])),
]


@needs_torch
@pytest.mark.parametrize("name", [g[0] for g in GRADS])
def test_sort_grad(name):
    _, fn, a = next(g for g in GRADS if g[0] == name)
    check_grad(fn, np.array(a))


# --------------------------------------------------------------------------------------------
# unique, bincount, histc, histogram, searchsorted, bucketize, isin

SEARCH_EXPRS = [
    # unique / unique_consecutive
    "torch.tensor([3, 1, 2, 1, 3]).unique()", "torch.tensor([3., 1, 2, 1, 3, 5, 4, 5]).unique(sorted=False)",
    "torch.unique(torch.tensor([3, 1, 2, 1, 3]), return_inverse=True)",
    "torch.unique(torch.tensor([3, 1, 2, 1, 3]), return_counts=True)",
    "torch.unique(torch.tensor([[3, 1], [2, 1]]), return_inverse=True, return_counts=True)",
    "torch.unique(torch.tensor([[3, 1], [2, 1], [3, 1]]), dim=0, return_inverse=True, return_counts=True)",
    "torch.unique(torch.tensor([[3, 1], [2, 1], [3, 1]]), dim=1, return_inverse=True, return_counts=True)",
    "torch.unique(torch.tensor([[[3, 1], [2, 1]], [[3, 1], [2, 0]]]), dim=-1)",
    "torch.unique(torch.tensor([]), return_inverse=True, return_counts=True)",
    "torch.unique(torch.zeros(0, 2), dim=0, return_inverse=True, return_counts=True)",
    "torch.unique(torch.zeros(2, 0), dim=0)", "torch.unique(torch.zeros(2, 0), dim=1)",
    "torch.unique(torch.tensor(3.))", "torch.unique(torch.tensor(3.), return_inverse=True)",
    "torch.unique(torch.tensor(3.), dim=0)", "torch.unique(torch.tensor([True, False, True]))",
    "torch.unique(torch.tensor([1., float('nan'), 1, float('nan')]), return_inverse=True, return_counts=True)",
    "torch.unique(torch.tensor([[1., float('nan')], [1, float('nan')]]), dim=0)",
    "torch.unique(torch.tensor([2, 1, 2], dtype=torch.float16))",
    "torch.unique(torch.tensor([2, 1, 2], dtype=torch.bfloat16), return_counts=True)",
    "torch.tensor([1 + 1j, 1 + 1j]).unique()", "torch.tensor([1, 1, 2]).unique(dim=2)",
    "torch.tensor([1, 1, 2, 2, 3, 1, 1, 2]).unique_consecutive()",
    "torch.unique_consecutive(torch.tensor([1, 1, 2, 2, 3, 1, 1, 2]), return_inverse=True, return_counts=True)",
    "torch.unique_consecutive(torch.tensor([[1, 1], [1, 1], [2, 3]]), return_inverse=True, return_counts=True, dim=0)",
    "torch.unique_consecutive(torch.tensor([[1, 1], [1, 1], [2, 3]]), return_counts=True)",
    "torch.unique_consecutive(torch.tensor(3), return_counts=True)",
    "torch.unique_consecutive(torch.tensor([]), return_counts=True, return_inverse=True)",
    "torch.unique_consecutive(torch.tensor([1., float('nan'), float('nan')]), return_counts=True)",
    "torch.unique_consecutive(torch.tensor([1 + 1j]))",
    # bincount
    "torch.tensor([1, 1, 3]).bincount()", "torch.tensor([1, 1, 3]).bincount(minlength=6)",
    "torch.tensor([1, 1, 3]).bincount(minlength=2)", "torch.tensor([1, 1, 3]).bincount(torch.tensor([0.5, 1., 2.]))",
    "torch.tensor([1, 1, 3]).bincount(torch.tensor([0.5, 1., 2.], dtype=torch.float64))",
    "torch.tensor([1, 1, 3]).bincount(torch.tensor([1, 2, 3]))",
    "torch.tensor([1, 1, 3]).bincount(torch.tensor([1, 2, 3], dtype=torch.float16))",
    "torch.tensor([1, 1, 3]).bincount(torch.tensor([True, False, True]))",
    "torch.tensor([1, 1, 3]).bincount(torch.tensor([1., 2]))",
    "torch.tensor([1, 1, 3], dtype=torch.uint8).bincount()", "torch.tensor([1, 1, 3], dtype=torch.int32).bincount()",
    "torch.tensor([1, -1, 3]).bincount()", "torch.tensor([1., 1, 3]).bincount()",
    "torch.tensor([[1, 1, 3]]).bincount()", "torch.tensor([], dtype=torch.long).bincount()",
    "torch.tensor([], dtype=torch.long).bincount(minlength=3)",
    "torch.tensor([], dtype=torch.long).bincount(torch.tensor([]))",
    "torch.tensor([1, 1, 3]).bincount(minlength=-1)", "torch.tensor(3).bincount()",
    "torch.tensor([True, False]).bincount()",
    # histc
    "torch.histc(torch.tensor([1., 2, 1]), bins=4, min=0, max=3)", "torch.tensor([1., 2, 1, 2.5, 3]).histc(bins=4)",
    "torch.tensor([1., 1, 1]).histc(bins=4)", "torch.tensor([1., 2, 1, 5]).histc(bins=4, min=0, max=3)",
    "torch.tensor([1., 2, 1, 5]).histc(bins=0)", "torch.tensor([1., 2, 1, 5]).histc(bins=4, min=3, max=1)",
    "torch.tensor([1., 2, 1, 5]).histc(bins=4, min=3, max=3)", "torch.tensor([1, 2, 1, 5]).histc(bins=4)",
    "torch.tensor([1., 2, 1, 5], dtype=torch.float64).histc(bins=4)",
    "torch.tensor([1., 2, 1, 5], dtype=torch.float16).histc(bins=4)",
    "torch.tensor([1., 2, float('nan'), 5]).histc(bins=4)",
    "torch.tensor([1., 2, float('nan'), 5]).histc(bins=4, min=0, max=5)",
    "torch.tensor([1., 2, float('inf'), 5]).histc(bins=4)", "torch.tensor([]).histc(bins=4)",
    "torch.tensor([[1., 2], [1, 5]]).histc(bins=3)", "torch.tensor(2.).histc(bins=3)",
    "torch.tensor([0., 1, 2, 3]).histc(bins=3, min=0, max=3)",
    "torch.tensor([0.1, 0.2, 0.3, 0.7]).histc(bins=10, min=0, max=1)",
    "torch.histc(torch.arange(101.) / 100, bins=7)",
    # histogram
    "torch.histogram(torch.tensor([1., 2, 1]), bins=4, range=(0., 3.))",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=4)",
    "torch.histogram(torch.tensor([1., 2, 1]), 4, range=(0, 3), density=True)",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=torch.tensor([0., 1, 2.5, 3]))",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=torch.tensor([0., 1, 2.5, 3]), weight=torch.tensor([1., 2, 4]))",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=torch.tensor([0., 1, 2.5, 3]), weight=torch.tensor([1., 2, 4]), density=True)",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=torch.tensor([3., 1, 2.5, 0]))",
    "torch.histogram(torch.tensor([1, 2, 1]), bins=4)",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=torch.tensor([0., 1, 2.5, 3], dtype=torch.float64))",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=0)", "torch.histogram(torch.tensor([1., 2, 1]), bins=3, range=(2., 1.))",
    "torch.histogram(torch.tensor([1., 1, 1]), bins=3)", "torch.histogram(torch.tensor([[1., 2], [1, 5]]), bins=3)",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=4, weight=torch.tensor([1., 2]))",
    "torch.histogram(torch.tensor([]), bins=4)", "torch.histogram(torch.tensor([1., float('nan')]), bins=4)",
    "torch.histogram(torch.tensor([1., 2, 1], dtype=torch.float64), bins=2)",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=torch.tensor([0.]))",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=torch.tensor([[0., 1]]))",
    "torch.tensor([1., 2, 1]).histogram(2)", "torch.histc(torch.tensor([1., 2, 1]), bins=2.5)",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=4, weight=torch.tensor([1, 2, 3]))",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=4, weight=torch.tensor([1., 2, 3]).double())",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=4, range=(0., float('inf')))",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=2.5)", "torch.histogram((torch.arange(97.) / 32 - 1) ** 3, bins=9)",
    # searchsorted / bucketize
    "torch.searchsorted(torch.tensor([1, 3, 5, 7]), torch.tensor([3, 6, 9]))",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7]), torch.tensor([3, 6, 9]), right=True)",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7]), torch.tensor([3, 6, 9]), side='right')",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7]), torch.tensor([3, 6, 9]), side='left', right=True)",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7]), torch.tensor([3, 6, 9]), side='bad')",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7]), 5)", "torch.searchsorted(torch.tensor([1, 3, 5, 7]), 5.5)",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7]), torch.tensor(5))",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7]), torch.tensor([3.5, 6]))",
    "torch.searchsorted(torch.tensor([1., 3, 5, 7]), torch.tensor([3, 6]), out_int32=True)",
    "torch.searchsorted(torch.tensor([[1, 3, 5, 7], [2, 4, 6, 8]]), torch.tensor([[3, 6, 9], [3, 6, 9]]))",
    "torch.searchsorted(torch.tensor([[1, 3, 5, 7], [2, 4, 6, 8]]), torch.tensor([3, 6, 9]))",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7]), torch.tensor([[3, 6], [9, 0]]))",
    "torch.searchsorted(torch.tensor([5, 3, 1, 7]), torch.tensor([3, 6, 9]), sorter=torch.tensor([2, 1, 0, 3]))",
    "torch.searchsorted(torch.tensor([5, 3, 1, 7]), torch.tensor([3, 6, 9]), sorter=torch.tensor([2, 1, 0]))",
    "torch.searchsorted(torch.tensor([5, 3, 1, 7]), torch.tensor([3, 6, 9]), sorter=torch.tensor([2., 1, 0, 3]))",
    "torch.searchsorted(torch.tensor([1., 3, float('nan')]), torch.tensor([float('nan'), 2, 4]))",
    "torch.searchsorted(torch.tensor([1., 3, 5]), torch.tensor([float('nan'), 2, 4]), right=True)",
    "torch.searchsorted(torch.tensor(1.), torch.tensor([1.]))", "torch.searchsorted(torch.tensor([]), torch.tensor([1.]))",
    "torch.searchsorted(torch.tensor([1., 3]), torch.tensor([]))",
    "torch.searchsorted(torch.tensor([True, False]), torch.tensor([True]))",
    "torch.searchsorted(torch.tensor([1, 3], dtype=torch.uint8), torch.tensor([2], dtype=torch.int8))",
    "torch.searchsorted(torch.tensor([1., 3], dtype=torch.float16), torch.tensor([2.]))",
    "torch.searchsorted(torch.arange(0., 50.), torch.tensor([-1., 0, 0.5, 13, 49, 49.5, 60]))",
    "torch.bucketize(torch.tensor([3, 6, 9]), torch.tensor([1, 3, 5, 7]))",
    "torch.bucketize(torch.tensor([3, 6, 9]), torch.tensor([1, 3, 5, 7]), right=True)",
    "torch.bucketize(torch.tensor([[3, 6], [9, 0]]), torch.tensor([1, 3, 5, 7]), out_int32=True)",
    "torch.bucketize(3, torch.tensor([1, 3, 5, 7]))", "torch.bucketize(3.5, torch.tensor([1, 3, 5, 7]))",
    "torch.bucketize(torch.tensor(3), torch.tensor([1, 3, 5, 7]))",
    "torch.bucketize(torch.tensor([3]), torch.tensor([[1, 3, 5, 7]]))",
    # isin
    "torch.isin(torch.tensor([1, 2, 3, 4]), torch.tensor([2, 4, 6]))",
    "torch.isin(torch.tensor([[1, 2], [3, 4]]), torch.tensor([2, 4, 6]), invert=True)",
    "torch.isin(torch.tensor([1, 2, 3, 4]), 2)", "torch.isin(3, torch.tensor([2, 3]))", "torch.isin(3, 3)",
    "torch.isin(torch.tensor([1., 2, float('nan')]), torch.tensor([float('nan'), 2.]))",
    "torch.isin(torch.tensor([1, 2, 3]), torch.tensor([2.5, 3.0]))",
    "torch.isin(torch.tensor([1, 2, 3]), torch.tensor([True]))",
    "torch.isin(torch.tensor([1, 2, 3]), torch.tensor([[1], [3]]), assume_unique=True)",
    "torch.isin(torch.tensor([1 + 1j]), torch.tensor([1 + 1j]))", "torch.isin(torch.tensor([]), torch.tensor([1.]))",
    "torch.isin(torch.tensor(2), torch.tensor([2]))",
    "torch.isin(torch.tensor([1, 2, 3]), torch.tensor([], dtype=torch.long))",
    "torch.isin(torch.tensor([1, 2, 3], dtype=torch.uint8), torch.tensor([-1, 2], dtype=torch.int8))",
]


@needs_torch
@pytest.mark.parametrize("expr", SEARCH_EXPRS)
def test_search(expr):
    check_expr(expr)


@needs_torch
def test_search_random():
    rng = np.random.default_rng(7)
    a = rng.integers(0, 6, (40,))
    f = rng.standard_normal(200).astype(np.float32)
    check(lambda torch: torch.unique(torch.tensor(a), return_inverse=True, return_counts=True))
    check(lambda torch: torch.tensor(a).bincount(torch.tensor(f[:40])))
    check(lambda torch: torch.tensor(f).histc(bins=13))
    check(lambda torch: torch.histogram(torch.tensor(f), bins=11, density=True))
    check(lambda torch: torch.searchsorted(torch.tensor(np.sort(f[:50])), torch.tensor(f[50:])))
    check(lambda torch: torch.isin(torch.tensor(a), torch.tensor(a[:5])))


@needs_torch
def test_unique_grad_fn():
    def fn(torch):
        x = torch.tensor([1., 2., 1.], requires_grad=True)
        u = torch.unique(x)
        names = (type(u.grad_fn).__name__, type(torch.unique_consecutive(x).grad_fn).__name__,
                 u.requires_grad)
        try:
            u.sum().backward()
        except NotImplementedError as e:
            return names, str(e)
    check(fn)
