"""Random sampling: shapes, dtypes, errors (against PyTorch), statistics, ranges,
reproducibility and generators.  Values are not PyTorch's numbers; their distributions are."""
import math
import warnings

import numpy as np
import pytest

import jtorch
from oracle import check, needs_torch


def _meta(x):
    if isinstance(x, (tuple, list)):
        return type(x)(_meta(v) for v in x)
    if hasattr(x, "dtype") and hasattr(x, "shape"):
        return (tuple(x.shape), str(x.dtype), x.requires_grad,
                type(x.grad_fn).__name__ if x.grad_fn is not None else None)
    return x


def run_meta(expr):
    """Compare shape/dtype/requires_grad/grad_fn (or the error, word for word) with torch."""
    def fn(lib):
        env = {"torch": lib, "T": lib.ones, "I": lambda *s: lib.ones(*s, dtype=lib.int64)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _meta(eval(expr, env))
    check(fn, message=True)


FACTORY_EXPRS = [
    "torch.rand(2, 3)", "torch.rand((2, 3))", "torch.rand([2, 3])", "torch.rand(torch.Size([2]))",
    "torch.rand()", "torch.rand(())", "torch.rand(2, dtype=torch.int64)",
    "torch.rand(2, dtype=torch.float64)", "torch.rand(2, dtype=torch.float16)",
    "torch.rand(2, dtype=torch.complex64)", "torch.rand(2, dtype=torch.bool)", "torch.rand(-1)",
    "torch.rand(2, requires_grad=True)", "torch.rand(2, 3.0)", "torch.rand('a')",
    "torch.rand(2, 3, dtype=torch.bfloat16)", "torch.rand(torch.tensor(3))",
    "torch.rand(2, generator=5)", "torch.rand(0, 3)",
    "torch.randn(2, dtype=torch.int64)", "torch.randn(2, dtype=torch.complex64)", "torch.randn()",
    "torch.randn(2, generator=5)", "torch.randn(2, torch.tensor(3))", "torch.randn(4, 2, 3)",
    "torch.randn(2, dtype=torch.bfloat16)", "torch.randn((2, 3), requires_grad=True)",
    "torch.randint(5, (3,))", "torch.randint(2, 5, (3,))", "torch.randint(5, 5, (3,))",
    "torch.randint(6, 5, (3,))", "torch.randint(5)", "torch.randint(5, 3)",
    "torch.randint(5, (3,), dtype=torch.float32)", "torch.randint(5, (3,), dtype=torch.bool)",
    "torch.randint(5.5, (3,))", "torch.randint(-5, (3,))", "torch.randint(0, (3,))",
    "torch.randint(2**40, (3,))", "torch.randint(300, (3,), dtype=torch.uint8)",
    "torch.randint(-1, 5, (3,), dtype=torch.uint8)", "torch.randint(5, size=(3,))",
    "torch.randint(low=1, high=5, size=(3,))", "torch.randint(high=5, size=(3,))",
    "torch.randint(5, (3,), requires_grad=True)",
    "torch.randint(5, (3,), dtype=torch.float32, requires_grad=True)", "torch.randint(5, [3])",
    "torch.randint(5, torch.Size([3]))", "torch.randint(torch.tensor(3), (2,))",
    "torch.randint(3, (torch.tensor(2),))", "torch.randint(3, (2,), dtype=torch.int8)",
    "torch.randint(2, (4, 3), dtype=torch.bool)",
    "torch.randperm(5)", "torch.randperm(5, dtype=torch.float32)", "torch.randperm(-1)",
    "torch.randperm(0)", "torch.randperm(300, dtype=torch.uint8)",
    "torch.randperm(5, dtype=torch.bool)", "torch.randperm(5.0)",
    "torch.normal(torch.zeros(3), torch.ones(3))", "torch.normal(torch.zeros(3), 1.)",
    "torch.normal(0., torch.ones(3))", "torch.normal(0., 1., (3,))", "torch.normal(0, 1, (3,))",
    "torch.normal(0., 1., size=(3,))", "torch.normal(0., 1.)",
    "torch.normal(torch.zeros(3), torch.ones(4))",
    "torch.normal(torch.zeros(3), torch.tensor([-1., 1., 1.]))",
    "torch.normal(torch.zeros(3), -1.)", "torch.normal(0., -1., (3,))", "torch.normal(I(3), I(3))",
    "torch.normal(torch.zeros(3, dtype=torch.float64), torch.ones(3))",
    "torch.normal(torch.zeros(2, 1), torch.ones(3))", "torch.normal(torch.zeros(3), torch.ones(3, 2))",
    "torch.normal(0., 1., (3,), dtype=torch.float64)",
    "torch.normal(torch.zeros(3, requires_grad=True), 1.)",
    "torch.normal(torch.zeros(3), torch.ones(3, requires_grad=True))",
    "torch.normal(torch.zeros(3, requires_grad=True), torch.ones(3, requires_grad=True))",
    "torch.normal(0., torch.ones(3, requires_grad=True))",
    "torch.normal(0., 1., (3,), requires_grad=True)", "torch.normal(mean=torch.zeros(3))",
    "torch.normal(mean=torch.zeros(3), std=2.)",
    "torch.bernoulli(torch.full((3,), 0.5))", "torch.bernoulli(torch.full((3,), 0.5), 0.3)",
    "torch.bernoulli(torch.full((3,), 0.5), p=0.3)", "torch.bernoulli(torch.tensor([1.5, 0.]))",
    "torch.bernoulli(I(3))", "torch.bernoulli(torch.full((3,), 0.5, dtype=torch.float64))",
    "torch.bernoulli(torch.full((3,), 0.5, requires_grad=True))",
    "torch.bernoulli(torch.full((3,), 0.5, requires_grad=True), 0.5)",
    "torch.full((3,), 0.5).bernoulli()", "torch.full((3,), 0.5).bernoulli(0.2)",
    "torch.bernoulli(torch.full((3,), 0.5), 1.5)",
    "torch.multinomial(torch.ones(4), 2)", "torch.multinomial(torch.ones(2, 4), 2)",
    "torch.multinomial(torch.ones(4), 5)", "torch.multinomial(torch.ones(4), 5, True)",
    "torch.multinomial(torch.ones(4), 0)", "torch.multinomial(torch.ones(4), -1)",
    "torch.multinomial(-torch.ones(4), 1)", "torch.multinomial(torch.zeros(4), 1)",
    "torch.multinomial(torch.ones(2, 2, 2), 1)", "torch.multinomial(I(4), 1)",
    "torch.multinomial(torch.tensor([1., float('nan')]), 1)",
    "torch.multinomial(torch.tensor([1., float('inf')]), 1)",
    "torch.multinomial(torch.ones(4, dtype=torch.float64), 2)", "torch.multinomial(torch.ones(0), 1)",
    "torch.multinomial(torch.tensor([1., 0, 0, 0]), 2)", "torch.multinomial(torch.tensor(1.), 1)",
    "torch.multinomial(torch.ones(3), 2, replacement=True)", "T(3).multinomial(2)",
    "torch.poisson(torch.ones(3))", "torch.poisson(I(3))", "torch.poisson(torch.tensor([-1., 1.]))",
    "torch.poisson(torch.ones(3, requires_grad=True))",
    "torch.poisson(torch.ones(3, dtype=torch.float64))",
    "torch.rand_like(torch.ones(2))", "torch.rand_like(I(2))",
    "torch.rand_like(I(2), dtype=torch.float32)", "torch.randn_like(I(2))",
    "torch.randn_like(torch.ones(2), dtype=torch.float64)", "torch.randint_like(torch.ones(2), 5)",
    "torch.randint_like(torch.ones(2), 2, 5)", "torch.randint_like(I(2), 5)",
    "torch.randint_like(torch.ones(2), 5, 5)", "torch.randint_like(torch.ones(2), high=5)",
    "torch.rand_like(torch.ones(2), requires_grad=True)",
    "torch.randn_like(torch.ones(2, dtype=torch.float16))",
    "torch.rand_like(torch.ones(2, dtype=torch.bool))",
    "torch.rand(2, 3, out=torch.empty(2, 3))", "torch.randn(2, 3, out=torch.empty(2, 3))",
    "torch.randint(5, (3,), out=torch.empty(3, dtype=torch.int64))",
    "torch.randperm(3, out=torch.empty(3, dtype=torch.int64))",
    "torch.randint(3, (2,), generator=torch.Generator())",
    "torch.rand(2, generator=torch.Generator())",
    "torch.multinomial(T(3), 2, generator=torch.Generator())",
    "torch.bernoulli(T(3) * 0.5, generator=torch.Generator())",
    "torch.normal(torch.zeros(3), 1., generator=torch.Generator())",
    "torch.normal(2, 3, size=(2,), generator=torch.Generator())",
]


@needs_torch
@pytest.mark.parametrize("expr", FACTORY_EXPRS)
def test_factory_meta_and_errors(expr):
    run_meta(expr)


INPLACE_EXPRS = [
    "T(3).uniform_()", "T(3).uniform_(2, 1)", "T(3).uniform_(1, 1)", "I(3).uniform_()",
    "T(3).uniform_(-1, 1, generator=torch.Generator())", "T(3).uniform_(0, float('inf'))",
    "torch.ones(3, dtype=torch.float16).uniform_(0, 1e6)",
    "T(3).normal_()", "T(3).normal_(1, -1)", "T(3).normal_(1, 0)", "I(3).normal_()",
    "T(3).normal_(mean=2, std=3)",
    "T(3).random_()", "T(3).random_(5)", "T(3).random_(2, 5)", "T(3).random_(5, 2)",
    "I(3).random_(-3, 3)", "torch.ones(3, dtype=torch.uint8).random_(-1, 3)",
    "torch.ones(3, dtype=torch.uint8).random_(0, 300)", "torch.ones(3, dtype=torch.bool).random_()",
    "torch.ones(3, dtype=torch.bool).random_(0, 3)", "T(3).random_(0, 2**30)",
    "T(3).random_(to=5)", "T(3).random_(0, None)", "torch.ones(3, dtype=torch.float16).random_()",
    "I(3).random_(3, None)",
    "T(3).exponential_()", "T(3).exponential_(0)", "T(3).exponential_(-1)", "I(3).exponential_()",
    "T(3).exponential_(lambd=2)",
    "T(3).geometric_(0.5)", "T(3).geometric_(0)", "T(3).geometric_(1)", "T(3).geometric_(1.5)",
    "I(3).geometric_(0.5)", "torch.ones(3, dtype=torch.bool).geometric_(0.5)",
    "T(3).cauchy_()", "T(3).cauchy_(0, -1)", "T(3).cauchy_(0, 0)", "I(3).cauchy_()",
    "T(3).log_normal_()", "T(3).log_normal_(1, 0)", "T(3).log_normal_(1, -1)", "I(3).log_normal_()",
    "T(3).bernoulli_(0.2)", "T(3).bernoulli_(torch.full((3,), 0.2))", "I(3).bernoulli_(0.5)",
    "T(3).bernoulli_(1.5)", "T(3).bernoulli_(torch.tensor([1.5, 0, 0]))",
    "T(3).bernoulli_(torch.full((2,), 0.2))", "torch.ones(3, dtype=torch.bool).bernoulli_(0.5)",
    "T(3, requires_grad=True).uniform_()", "T(3, requires_grad=True).normal_()",
    "(T(3, requires_grad=True) * 1).uniform_()", "(T(3, requires_grad=True) * 1).normal_()",
    "(T(3, requires_grad=True) * 1).bernoulli_(0.3)",
    "(T(3, requires_grad=True) * 1).bernoulli_(torch.full((3,), 0.2))",
    "(T(3, requires_grad=True) * 1).random_()", "(T(3, requires_grad=True) * 1).random_(5)",
    "(T(3, requires_grad=True) * 1).random_(1, 5)",
    "(T(3, requires_grad=True) * 1).exponential_()", "(T(3, requires_grad=True) * 1).geometric_(0.5)",
    "(T(3, requires_grad=True) * 1).cauchy_()", "(T(3, requires_grad=True) * 1).log_normal_()",
    "T(3).random_(generator=torch.Generator())",
]


@needs_torch
@pytest.mark.parametrize("expr", INPLACE_EXPRS)
def test_inplace_meta_and_errors(expr):
    run_meta(expr)


def test_inplace_returns_self_and_grad_is_zero():
    x = jtorch.ones(4)
    assert x.uniform_() is x
    w = jtorch.ones(3, requires_grad=True)
    y = w * 2
    y.normal_()
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros(3, np.float32))


N = 200_000


def _np(t):
    return np.asarray(t.numpy(), dtype=np.float64)


@pytest.mark.parametrize("name,make,mean,std", [
    ("rand", lambda: jtorch.rand(N), 0.5, math.sqrt(1 / 12)),
    ("randn", lambda: jtorch.randn(N), 0.0, 1.0),
    ("randn64", lambda: jtorch.randn(N, dtype=jtorch.float64), 0.0, 1.0),
    ("normal", lambda: jtorch.normal(2.0, 3.0, (N,)), 2.0, 3.0),
    ("normal_t", lambda: jtorch.normal(jtorch.full((N,), -1.0), 0.5), -1.0, 0.5),
    ("uniform_", lambda: jtorch.empty(N).uniform_(-2, 4), 1.0, 6 / math.sqrt(12)),
    ("normal_", lambda: jtorch.empty(N).normal_(1, 2), 1.0, 2.0),
    ("exponential_", lambda: jtorch.empty(N).exponential_(2.0), 0.5, 0.5),
    ("geometric_", lambda: jtorch.empty(N).geometric_(0.25), 4.0, math.sqrt(0.75) / 0.25),
    ("log_normal_", lambda: jtorch.empty(N).log_normal_(0.0, 0.5), math.exp(0.125),
     math.sqrt((math.exp(0.25) - 1) * math.exp(0.25))),
    ("bernoulli_", lambda: jtorch.empty(N).bernoulli_(0.3), 0.3, math.sqrt(0.21)),
    ("bernoulli", lambda: jtorch.bernoulli(jtorch.full((N,), 0.7)), 0.7, math.sqrt(0.21)),
    ("poisson", lambda: jtorch.poisson(jtorch.full((N,), 4.0)), 4.0, 2.0),
    ("randint", lambda: jtorch.randint(-3, 7, (N,)), 1.5, math.sqrt((10 ** 2 - 1) / 12)),
    ("random_", lambda: jtorch.empty(N).random_(10), 4.5, math.sqrt(99 / 12)),
    ("rand16", lambda: jtorch.rand(N, dtype=jtorch.float16), 0.5, math.sqrt(1 / 12)),
    ("randn_bf16", lambda: jtorch.randn(N, dtype=jtorch.bfloat16), 0.0, 1.0),
])
def test_statistics(name, make, mean, std):
    jtorch.manual_seed(1234)
    t = make()
    if t.dtype in (jtorch.float16, jtorch.bfloat16):
        t = t.float()
    a = _np(t)
    assert a.shape == (N,)
    assert abs(a.mean() - mean) < 5 * std / math.sqrt(N) + 1e-3 * abs(mean)
    assert abs(a.std() - std) < 0.02 * std


def test_complex_randn_statistics():
    jtorch.manual_seed(0)
    z = jtorch.randn(N, dtype=jtorch.complex64).numpy()
    assert abs(np.var(z.real) - 0.5) < 0.01 and abs(np.var(z.imag) - 0.5) < 0.01
    u = jtorch.rand(N, dtype=jtorch.complex64).numpy()
    assert 0 <= u.real.min() and u.real.max() < 1 and 0 <= u.imag.min() and u.imag.max() < 1


def test_cauchy_median():
    jtorch.manual_seed(0)
    a = _np(jtorch.empty(N).cauchy_(3.0, 2.0))
    assert abs(np.median(a) - 3.0) < 0.05
    assert abs(np.percentile(a, 75) - 5.0) < 0.1  # median + sigma


def test_ranges():
    jtorch.manual_seed(0)
    for dt in (jtorch.float16, jtorch.bfloat16, jtorch.float32, jtorch.float64):
        u = jtorch.rand(20_000, dtype=dt).float().numpy()
        assert u.min() >= 0 and u.max() < 1
        v = jtorch.empty(20_000, dtype=dt).uniform_(2, 3).float().numpy()
        assert v.min() >= 2 and v.max() < 3
    r = jtorch.randint(-3, 7, (10_000,)).numpy()
    assert r.min() == -3 and r.max() == 6 and r.dtype == np.int64
    r = jtorch.randint(250, 256, (1000,), dtype=jtorch.uint8).numpy()
    assert r.min() == 250 and r.max() == 255
    b = jtorch.randint(0, 2, (1000,), dtype=jtorch.bool).numpy()
    assert b.dtype == np.bool_ and b.any() and not b.all()
    f = jtorch.empty(10_000).random_().numpy()
    assert f.min() >= 0 and f.max() <= 2 ** 24 and (f == np.round(f)).all()
    i8 = jtorch.empty(10_000, dtype=jtorch.int8).random_().numpy()
    assert i8.min() >= 0 and i8.max() <= 127
    g = jtorch.empty(10_000).geometric_(0.9).numpy()
    assert g.min() >= 1 and (g == np.round(g)).all()
    e = jtorch.empty(10_000).exponential_().numpy()
    assert e.min() >= 0
    p = jtorch.randperm(100).numpy()
    assert sorted(p.tolist()) == list(range(100))
    ln = jtorch.empty(1000).log_normal_().numpy()
    assert ln.min() > 0
    assert set(np.unique(jtorch.bernoulli(jtorch.full((1000,), 0.5)).numpy())) == {0.0, 1.0}


def test_bernoulli_extremes_and_tensor_p():
    p = jtorch.tensor([0.0, 1.0, 0.0, 1.0])
    np.testing.assert_array_equal(jtorch.bernoulli(p).numpy(), [0, 1, 0, 1])
    x = jtorch.empty(2, 4).bernoulli_(p)
    np.testing.assert_array_equal(x.numpy(), [[0, 1, 0, 1]] * 2)
    assert jtorch.empty(5, dtype=jtorch.int64).bernoulli_(1.0).tolist() == [1] * 5


def test_multinomial_distribution():
    jtorch.manual_seed(0)
    probs = jtorch.tensor([1.0, 2.0, 7.0])  # unnormalised
    s = jtorch.multinomial(probs, 30_000, replacement=True).numpy()
    freq = np.bincount(s, minlength=3) / s.size
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.7], atol=0.015)
    # without replacement: distinct indices, zero-probability categories never chosen first
    w = jtorch.multinomial(jtorch.tensor([[0.0, 1.0, 1.0, 0.0]] * 50), 2).numpy()
    assert (np.sort(w, axis=1) == [1, 2]).all()
    rows = jtorch.multinomial(jtorch.ones(20, 6), 6).numpy()
    assert (np.sort(rows, axis=1) == np.arange(6)).all()


def test_reproducible_with_manual_seed():
    jtorch.manual_seed(42)
    a = [jtorch.rand(3), jtorch.randn(2, 2), jtorch.randint(0, 100, (4,)), jtorch.randperm(5),
         jtorch.empty(3).normal_(), jtorch.multinomial(jtorch.ones(5), 3)]
    jtorch.manual_seed(42)
    b = [jtorch.rand(3), jtorch.randn(2, 2), jtorch.randint(0, 100, (4,)), jtorch.randperm(5),
         jtorch.empty(3).normal_(), jtorch.multinomial(jtorch.ones(5), 3)]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.numpy(), y.numpy())


def test_two_draws_differ():
    jtorch.manual_seed(0)
    assert not np.array_equal(jtorch.rand(8).numpy(), jtorch.rand(8).numpy())
    assert not np.array_equal(jtorch.randn(8).numpy(), jtorch.randn(8).numpy())
    x = jtorch.empty(8)
    first = x.uniform_().numpy().copy()
    assert not np.array_equal(first, x.uniform_().numpy())


def test_generator_objects():
    g1 = jtorch.Generator().manual_seed(7)
    g2 = jtorch.Generator().manual_seed(7)
    np.testing.assert_array_equal(jtorch.rand(4, generator=g1).numpy(),
                                  jtorch.rand(4, generator=g2).numpy())
    # the default generator is untouched by explicit generators
    jtorch.manual_seed(3)
    a = jtorch.rand(4).numpy()
    jtorch.manual_seed(3)
    jtorch.rand(4, generator=jtorch.Generator())
    np.testing.assert_array_equal(a, jtorch.rand(4).numpy())
    # get_state / set_state replays a stream
    g = jtorch.Generator().manual_seed(5)
    state = g.get_state()
    x = jtorch.randn(3, generator=g).numpy()
    g.set_state(state)
    np.testing.assert_array_equal(x, jtorch.randn(3, generator=g).numpy())
    np.testing.assert_array_equal(jtorch.empty(3).normal_(generator=g.set_state(state)).numpy(), x)


def test_sampling_loop_hits_program_cache():
    """Keys are inputs: the same sampling step is one cached program, not a recompile."""
    from jtorch import engine
    jtorch.manual_seed(0)
    w = jtorch.ones(8)

    def step():
        return float((w * jtorch.rand(8) + jtorch.randn(8)).sum().item())

    vals = [step() for _ in range(4)]
    before = engine.stats()["compiles"]
    vals += [step() for _ in range(4)]
    assert engine.stats()["compiles"] == before
    assert len(set(vals)) == len(vals)


def test_normal_gradients():
    m = jtorch.zeros(5, requires_grad=True)
    s = jtorch.full((5,), 2.0, requires_grad=True)
    y = jtorch.normal(m, s)
    y.sum().backward()
    # PyTorch's normal is not reparameterised: zero gradients to mean and std
    np.testing.assert_array_equal(m.grad.numpy(), np.zeros(5, np.float32))
    np.testing.assert_array_equal(s.grad.numpy(), np.zeros(5, np.float32))
    p = jtorch.full((3,), 0.5, requires_grad=True)
    jtorch.bernoulli(p).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), np.zeros(3, np.float32))
