"""torch.compile: compiled calls equal eager ones (functions, modules, decorators), trace once
per signature, fall back with one warning, share state with the original module, and let
gradients and buffer updates through."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import jtorch
from oracle import TORCH, assert_same, needs_torch


@pytest.fixture(autouse=True)
def _fresh():
    jtorch._dynamo.reset()
    yield
    jtorch._dynamo.reset()


def _same(a, b):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def _x(*shape, seed=0):
    return jtorch.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def _no_warnings():
    return warnings.catch_warnings(record=True)


# --------------------------------------------------------------------------------------------
# equal results


def f_poly(x, y):
    return (x * y).sin() + x.exp().sum(dim=0) - y.relu()


def test_function_equals_eager():
    x, y = _x(3, 4), _x(3, 4, seed=1)
    cf = jtorch.compile(f_poly)
    _same(cf(x, y), f_poly(x, y))
    _same(cf(x, y), f_poly(x, y))


def test_decorator_forms():
    @jtorch.compile
    def a(x):
        return x.tanh() * 2

    @jtorch.compile(fullgraph=True, mode="reduce-overhead")
    def b(x):
        return x.tanh() * 2

    x = _x(5)
    _same(a(x), x.tanh() * 2)
    _same(b(x), x.tanh() * 2)
    assert a.__name__ == "a"


def test_module_equals_eager_and_shares_parameters():
    jtorch.manual_seed(0)
    m = jtorch.nn.Sequential(jtorch.nn.Linear(4, 8), jtorch.nn.ReLU(), jtorch.nn.Linear(8, 2))
    cm = jtorch.compile(m)
    assert type(cm).__name__ == "OptimizedModule"
    assert cm._orig_mod is m
    x = _x(3, 4)
    _same(cm(x), m(x))
    # same parameter objects: an update through one is seen by the other
    assert [id(p) for p in cm.parameters()] == [id(p) for p in m.parameters()]
    assert list(cm.state_dict()) == ["_orig_mod." + k for k in m.state_dict()]
    with jtorch.no_grad():
        m[0].weight.mul_(2)
    _same(cm(x), m(x))
    assert cm.training is m.training
    with pytest.raises(TypeError, match="'OptimizedModule' object is not subscriptable"):
        cm[0]  # as in PyTorch: only attribute access goes to the original module


@needs_torch
def test_results_match_torch_compile_free_eager():
    def f(torch):
        m = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh())
        with torch.no_grad():
            m[0].weight.copy_(torch.arange(12.0).reshape(3, 4).sin())
            m[0].bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
        x = torch.arange(8.0).reshape(2, 4) / 8
        return torch.compile(m)(x) if torch is jtorch else m(x)
    assert_same(f(TORCH), f(jtorch), rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------------------------
# tracing and retracing


def test_no_retrace_same_signature_and_retrace_new_shape():
    cf = jtorch.compile(f_poly)
    x, y = _x(3, 4), _x(3, 4, seed=1)
    cf(x, y)
    assert cf.traces == 1
    cf(_x(3, 4, seed=2), _x(3, 4, seed=3))
    assert cf.traces == 1
    out = cf(_x(2, 5), _x(2, 5, seed=1))  # new shape: new trace, right result
    assert cf.traces == 2
    _same(out, f_poly(_x(2, 5), _x(2, 5, seed=1)))
    cf(x.double(), y.double())  # new dtype
    assert cf.traces == 3


def test_python_scalar_argument_is_part_of_the_key():
    cf = jtorch.compile(lambda x, k: x * k)
    x = _x(3)
    _same(cf(x, 2.0), x * 2.0)
    _same(cf(x, 3.0), x * 3.0)
    assert cf.traces == 2
    cf(x, 3.0)
    assert cf.traces == 2


def test_dynamic_true_accepted_and_correct():
    cf = jtorch.compile(lambda x: x.cumsum(0) * 2, dynamic=True)
    for n in (3, 4, 5):
        x = _x(n)
        _same(cf(x), x.cumsum(0) * 2)
    assert cf.traces == 3  # shapes are always specialised (XLA): one trace per shape


def test_second_call_does_no_python_work():
    class Counter:
        n = 0

    calls = Counter()

    def f(x):
        calls.n += 1  # a Python side effect: happens when traced, not on every call
        return x + 1

    cf = jtorch.compile(f)
    x = _x(3)
    cf(x)
    cf(x)
    _same(cf(x), x + 1)
    assert calls.n == 1


def test_reset_forgets_programs():
    cf = jtorch.compile(f_poly)
    x, y = _x(3, 4), _x(3, 4, seed=1)
    cf(x, y)
    jtorch._dynamo.reset()
    cf(x, y)
    assert cf.traces == 2
    jtorch.compiler.reset()
    cf(x, y)
    assert cf.traces == 3


def test_recompile_limit_falls_back_with_warning():
    cf = jtorch.compile(lambda x: x * 2)
    old = jtorch._dynamo.config.recompile_limit
    jtorch._dynamo.config.recompile_limit = 2
    try:
        cf(_x(1))
        cf(_x(2))
        with pytest.warns(UserWarning, match="recompile_limit"):
            out = cf(_x(3))
        _same(out, _x(3) * 2)
        assert cf.traces == 2
    finally:
        jtorch._dynamo.config.recompile_limit = old


# --------------------------------------------------------------------------------------------
# fallback


def f_branch(x):
    if x.sum() > 0:
        return x * 2
    return x - 1


def f_print(x):
    print("inside")
    return x + 1


def f_nonzero(x):
    return x[x > 0].sum() + x.nonzero().shape[0]


@pytest.mark.parametrize("fn", [f_branch, f_print, f_nonzero])
def test_fallback_warns_once_and_is_correct(fn, capsys):
    cf = jtorch.compile(fn)
    x = _x(6)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        a = cf(x)
        b = cf(x)
        c = cf(-x)
    msgs = [str(m.message) for m in w if "torch.compile" in str(m.message)]
    assert len(msgs) == 1, msgs
    assert "cannot be traced" in msgs[0]
    _same(a, fn(x))
    _same(b, fn(x))
    _same(c, fn(-x))


def test_fullgraph_raises_unsupported():
    cf = jtorch.compile(f_branch, fullgraph=True)
    with pytest.raises(jtorch._dynamo.exc.Unsupported):
        cf(_x(3))


def test_graph_break_and_disable():
    @jtorch.compiler.disable
    def helper(x):
        return x + 1

    def f(x):
        return helper(x) * 2

    cf = jtorch.compile(f)
    x = _x(3)
    with pytest.warns(UserWarning, match="torch.compiler.disable"):
        _same(cf(x), (x + 1) * 2)
    assert jtorch.compiler.is_compiling() is False


def test_is_compiling_inside_trace():
    seen = []

    def f(x):
        seen.append(jtorch.compiler.is_compiling())
        return x + 1

    jtorch.compile(f)(_x(2))
    assert seen == [True]


def test_invalid_backend_and_mode():
    with pytest.raises(jtorch._dynamo.exc.InvalidBackend, match="Invalid backend: 'nope'"):
        jtorch.compile(f_poly, backend="nope")
    with pytest.raises(RuntimeError, match="Unrecognized mode=fast"):
        jtorch.compile(f_poly, mode="fast")
    assert "inductor" in jtorch._dynamo.list_backends()


@needs_torch
def test_invalid_backend_message_matches_torch():
    def f(torch):
        return torch.compile(lambda x: x, backend="nope")
    for lib in (TORCH, jtorch):
        with pytest.raises(Exception) as e:
            f(lib)
        if lib is TORCH:
            expected = (type(e.value).__name__, str(e.value).splitlines()[0])
    assert (type(e.value).__name__, str(e.value).splitlines()[0]) == expected


# --------------------------------------------------------------------------------------------
# modules: training flag, gradients, buffers


def test_training_flag_is_part_of_the_key():
    jtorch.manual_seed(0)
    m = jtorch.nn.Sequential(jtorch.nn.Linear(4, 4), jtorch.nn.Dropout(0.5))
    cm = jtorch.compile(m)
    x = _x(8, 4)
    m.eval()
    _same(cm(x), m(x))
    m.train()
    out = cm(x)
    assert (out == 0).any().item()  # dropout active in training mode
    m.eval()
    _same(cm(x), m(x))
    assert cm._compiled.traces == 2


def test_gradients_match_eager():
    jtorch.manual_seed(0)
    m = jtorch.nn.Sequential(jtorch.nn.Linear(4, 8), jtorch.nn.GELU(), jtorch.nn.Linear(8, 1))
    cm = jtorch.compile(m)
    x = _x(5, 4)
    xe = x.clone().requires_grad_()
    m(xe).square().mean().backward()
    eager = [p.grad.clone() for p in m.parameters()]
    gx_e = xe.grad.clone()
    m.zero_grad()
    xc = x.clone().requires_grad_()
    out = cm(xc)
    assert type(out.grad_fn).__name__ == "CompiledFunctionBackward"
    out.square().mean().backward()
    for p, g in zip(m.parameters(), eager):
        _same(p.grad, g)
    _same(xc.grad, gx_e)


def test_training_loop_matches_eager():
    def train(compiled):
        jtorch.manual_seed(0)
        m = jtorch.nn.Sequential(jtorch.nn.Linear(3, 6), jtorch.nn.Tanh(), jtorch.nn.Linear(6, 1))
        step_model = jtorch.compile(m) if compiled else m
        opt = jtorch.optim.SGD(m.parameters(), lr=0.1)
        x, y = _x(16, 3), _x(16, 1, seed=5)
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = jtorch.nn.functional.mse_loss(step_model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses
    np.testing.assert_allclose(train(True), train(False), rtol=1e-5)


def test_batchnorm_running_stats_written_back():
    jtorch.manual_seed(0)
    a = jtorch.nn.BatchNorm1d(3)
    b = jtorch.nn.BatchNorm1d(3)
    ca = jtorch.compile(a)
    for seed in range(3):
        x = _x(8, 3, seed=seed)
        _same(ca(x), b(x))
    _same(a.running_mean, b.running_mean)
    _same(a.running_var, b.running_var)
    assert a.num_batches_tracked.item() == 3
    assert ca._compiled.traces == 1
    a.eval()
    b.eval()
    x = _x(4, 3, seed=9)
    _same(ca(x), b(x))


def test_argument_mutation_written_back():
    def f(x):
        x.add_(1)
        return x * 2

    cf = jtorch.compile(f)
    x = _x(3)
    x0 = x.clone()
    out = cf(x)
    _same(x, x0 + 1)
    _same(out, (x0 + 1) * 2)


def test_closure_tensor_and_randomness():
    w = _x(3)
    cf = jtorch.compile(lambda x: x * w)
    x = _x(3, seed=1)
    _same(cf(x), x * w)
    with jtorch.no_grad():
        w.mul_(3)  # state is an input of the program, not a baked constant
    _same(cf(x), x * w)
    jtorch.manual_seed(1)
    r = jtorch.compile(lambda x: x + jtorch.rand(3))
    a, b = r(x), r(x)
    assert not jtorch.equal(a, b)  # fresh random numbers on every call


def test_nested_compile_and_outputs_structure():
    inner = jtorch.compile(lambda x: x * 3)

    @jtorch.compile
    def outer(x):
        return {"a": inner(x) + 1, "n": 7, "t": (x, x.sum())}

    x = _x(4)
    out = outer(x)
    assert out["n"] == 7
    _same(out["a"], x * 3 + 1)
    _same(out["t"][1], x.sum())


def test_set_stance_force_eager():
    cf = jtorch.compile(lambda x: x + 1)
    jtorch.compiler.set_stance("force_eager")
    try:
        cf(_x(2))
        assert cf.traces == 0
    finally:
        jtorch.compiler.set_stance("default")
    cf(_x(2))
    assert cf.traces == 1


def test_compiled_method_decorator():
    class M(jtorch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = jtorch.nn.Linear(2, 2)

        @jtorch.compile
        def forward(self, x):
            return self.lin(x).relu()

    jtorch.manual_seed(0)
    m = M()
    x = _x(3, 2)
    out = m(x)
    _same(out, m.lin(x).relu())
