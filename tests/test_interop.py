"""JAX interop: arrays without copies, DLPack, tensors as pytrees, modules as pure JAX
functions (jit/grad/vmap/Optax), and JAX functions inside jtorch models."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jtorch
from oracle import TORCH, needs_torch


def _np(t):
    return np.asarray(t.detach().numpy())


# --------------------------------------------------------------------------------------------
# arrays


def test_jax_returns_the_value_without_copy():
    t = jtorch.arange(6.0).reshape(2, 3) * 2
    a = t.jax()
    assert isinstance(a, jax.Array)
    assert a.dtype == jnp.float32 and a.shape == (2, 3)
    assert t.jax() is a  # the same array: the tensor's value itself
    assert jtorch.interop.to_jax(t) is a
    np.testing.assert_array_equal(np.asarray(a), _np(t))


def test_from_jax_shares_the_array():
    a = jnp.arange(4, dtype=jnp.float32)
    t = jtorch.from_jax(a)
    assert t.dtype == jtorch.float32 and t.shape == (4,) and t.device == jtorch.device("cpu")
    assert t.jax() is a
    t.add_(1)  # JAX arrays are immutable: the tensor gets a new value, the array stays
    np.testing.assert_array_equal(np.asarray(a), [0, 1, 2, 3])
    np.testing.assert_array_equal(_np(t), [1, 2, 3, 4])


@pytest.mark.parametrize("dt,jt", [(jnp.int64, "int64"), (jnp.bool_, "bool"),
                                   (jnp.bfloat16, "bfloat16"), (jnp.float64, "float64"),
                                   (jnp.uint8, "uint8")])
def test_from_jax_dtypes(dt, jt):
    with jax.enable_x64(True):
        a = jnp.zeros((2,), dtype=dt)
    t = jtorch.from_jax(a)
    assert t.dtype == getattr(jtorch, jt)


def test_from_jax_requires_grad_and_errors():
    t = jtorch.from_jax(jnp.ones(3), requires_grad=True)
    assert t.requires_grad and t.is_leaf
    (t * 2).sum().backward()
    np.testing.assert_array_equal(_np(t.grad), [2, 2, 2])
    with pytest.raises(TypeError, match="expected a jax.Array"):
        jtorch.from_jax(np.ones(3))
    with pytest.raises(NotImplementedError, match="meta"):
        jtorch.empty(2, device="meta").jax()


def test_jax_of_view_and_grad_tensor():
    x = jtorch.arange(6.0, requires_grad=True)
    v = (x * 1).reshape(2, 3)[:, 1]
    np.testing.assert_array_equal(np.asarray(v.jax()), [1, 4])


# --------------------------------------------------------------------------------------------
# DLPack


def test_dlpack_numpy_roundtrip():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = jtorch.from_dlpack(a)
    assert t.dtype == jtorch.float32 and t.shape == (2, 3)
    np.testing.assert_array_equal(_np(t), a)
    np.testing.assert_array_equal(np.from_dlpack(t), a)
    assert t.__dlpack_device__() == (1, 0)
    c = jtorch.utils.dlpack.to_dlpack(t)
    t2 = jtorch.utils.dlpack.from_dlpack(c)
    np.testing.assert_array_equal(_np(t2), a)
    assert jtorch.from_dlpack(t) is t


def test_dlpack_requires_grad_error():
    x = jtorch.ones(2, requires_grad=True)
    with pytest.raises(BufferError, match="Can't export tensors that require gradient"):
        x.__dlpack__()


@needs_torch
def test_dlpack_with_pytorch_both_ways():
    t = TORCH.arange(5, dtype=TORCH.int64)
    j = jtorch.from_dlpack(t)
    assert j.dtype == jtorch.int64
    np.testing.assert_array_equal(_np(j), t.numpy())
    j2 = jtorch.utils.dlpack.from_dlpack(TORCH.utils.dlpack.to_dlpack(t * 2))
    np.testing.assert_array_equal(_np(j2), (t * 2).numpy())
    back = TORCH.from_dlpack(jtorch.arange(3.0) + 1)
    assert back.dtype == TORCH.float32
    np.testing.assert_array_equal(back.numpy(), [1, 2, 3])
    x = jtorch.ones(1, requires_grad=True)
    with pytest.raises(BufferError) as a:
        x.__dlpack__()
    with pytest.raises(BufferError) as b:
        TORCH.ones(1, requires_grad=True).__dlpack__()
    assert str(a.value) == str(b.value)


# --------------------------------------------------------------------------------------------
# pytrees


def test_tensor_is_a_pytree_node():
    t = jtorch.tensor([1.0, 2.0])
    leaves, tree = jax.tree_util.tree_flatten({"w": t, "n": 3})
    assert any(isinstance(v, jax.Array) for v in leaves)
    doubled = jax.tree_util.tree_map(lambda a: a * 2, {"w": t})
    assert isinstance(doubled["w"], jtorch.Tensor)
    np.testing.assert_array_equal(_np(doubled["w"]), [2, 4])
    cast = jax.tree_util.tree_map(lambda a: a.astype(jnp.bfloat16), t)
    assert cast.dtype == jtorch.bfloat16


def test_parameter_pytree_keeps_class_and_requires_grad():
    p = jtorch.nn.Parameter(jtorch.ones(2))
    q = jax.tree_util.tree_map(lambda a: a + 1, p)
    assert isinstance(q, jtorch.nn.Parameter) and q.requires_grad


def test_jax_jit_over_jtorch_code():
    @jax.jit
    def f(t):
        return (t.sin() * 2 + t.sum()).relu()

    x = jtorch.tensor([0.5, -1.0, 2.0])
    out = f(x)
    assert isinstance(out, jtorch.Tensor)
    np.testing.assert_allclose(_np(out), _np((x.sin() * 2 + x.sum()).relu()), rtol=1e-6)


def test_jax_grad_over_jtorch_code():
    g = jax.grad(lambda a: (jtorch.from_jax(a) ** 3).sum().jax())(jnp.array([1.0, 2.0]))
    np.testing.assert_allclose(np.asarray(g), [3.0, 12.0])


# --------------------------------------------------------------------------------------------
# jax_function


def test_jax_function_forward_and_grad():
    f = jtorch.jax_function(lambda x, y: jnp.sin(x) * y)
    x = jtorch.tensor([1.0, 2.0], requires_grad=True)
    y = jtorch.tensor([3.0, -1.0], requires_grad=True)
    out = f(x, y)
    assert type(out.grad_fn).__name__ == "JaxFunctionBackward"
    out.sum().backward()
    np.testing.assert_allclose(_np(x.grad), np.cos([1.0, 2.0]) * [3.0, -1.0], rtol=1e-6)
    np.testing.assert_allclose(_np(y.grad), np.sin([1.0, 2.0]), rtol=1e-6)


def test_jax_function_options_tuples_and_numbers():
    @jtorch.jax_function
    def split(x, scale, *, axis=0):
        return jnp.cumsum(x, axis=axis) * scale, jnp.max(x, axis=axis)

    x = jtorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    a, b = split(x, 2.0, axis=1)
    np.testing.assert_array_equal(_np(a), [[2, 6], [6, 14]])
    np.testing.assert_array_equal(_np(b), [2, 4])
    with pytest.raises(TypeError, match="positional arguments must be"):
        split(x, "a")
    bad = jtorch.jax_function(lambda x: {"a": x})
    with pytest.raises(RuntimeError, match="must return an array"):
        bad(x)


def test_jax_function_inside_model_trains_and_compiles():
    jtorch.manual_seed(0)
    swish = jtorch.jax_function(lambda x: x * jax.nn.sigmoid(x), name="swish")

    class Net(jtorch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = jtorch.nn.Linear(2, 8)
            self.b = jtorch.nn.Linear(8, 1)

        def forward(self, x):
            return self.b(swish(self.a(x)))

    net = Net()
    x = jtorch.tensor(np.random.default_rng(0).standard_normal((4, 2)).astype(np.float32))
    ref = net.b(jtorch.nn.functional.silu(net.a(x)))
    np.testing.assert_allclose(_np(net(x)), _np(ref), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(jtorch.compile(net)(x)), _np(ref), rtol=1e-5, atol=1e-6)
    net(x).sum().backward()
    g1 = _np(net.a.weight.grad)
    net.zero_grad()
    net.b(jtorch.nn.functional.silu(net.a(x))).sum().backward()
    np.testing.assert_allclose(g1, _np(net.a.weight.grad), rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------------------------
# modules as pure functions


def _mlp(dropout=0.0):
    jtorch.manual_seed(0)
    layers = [jtorch.nn.Linear(3, 8), jtorch.nn.Tanh()]
    if dropout:
        layers.append(jtorch.nn.Dropout(dropout))
    return jtorch.nn.Sequential(*layers, jtorch.nn.Linear(8, 2))


def test_functional_module_matches_module_and_jits():
    m = _mlp()
    params, apply = jtorch.interop.functional_module(m)
    assert list(params) == [k for k, _ in m.named_parameters()]
    x = jnp.asarray(np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32))
    out = apply(params, x)
    assert isinstance(out, jax.Array)
    ref = _np(m(jtorch.from_jax(x)))
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(jax.jit(apply)(params, x)), ref, rtol=1e-5, atol=1e-6)
    batched = jax.vmap(apply, in_axes=(None, 0))(params, x[:, None, :])
    np.testing.assert_allclose(np.asarray(batched)[:, 0], ref, rtol=1e-5, atol=1e-6)


def test_functional_module_grad_matches_autograd():
    m = _mlp()
    params, apply = jtorch.interop.functional_module(m)
    x = np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32)
    g = jax.jit(jax.grad(lambda p: jnp.mean(apply(p, x) ** 2)))(params)
    (m(jtorch.tensor(x)) ** 2).mean().backward()
    for k, p in m.named_parameters():
        np.testing.assert_allclose(np.asarray(g[k]), _np(p.grad), rtol=1e-5, atol=1e-6)


def test_functional_module_optax_loop_and_load_params():
    optax = pytest.importorskip("optax")
    m = _mlp()
    params, apply = jtorch.interop.functional_module(m)
    rng = np.random.default_rng(3)
    x = jnp.asarray(rng.standard_normal((32, 3)).astype(np.float32))
    y = jnp.asarray(rng.standard_normal((32, 2)).astype(np.float32))
    opt = optax.adam(1e-2)
    state = opt.init(params)

    @jax.jit
    def step(params, state):
        loss, g = jax.value_and_grad(lambda p: jnp.mean((apply(p, x) - y) ** 2))(params)
        upd, state = opt.update(g, state)
        return optax.apply_updates(params, upd), state, loss

    losses = []
    for _ in range(20):
        params, state, loss = step(params, state)
        losses.append(float(loss))
    assert losses[-1] < losses[0]
    jtorch.interop.load_params(m, params)
    np.testing.assert_allclose(_np(m(jtorch.from_jax(x))), np.asarray(apply(params, x)),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(KeyError):
        jtorch.interop.load_params(m, {"nope": x})


def test_functional_module_rng_and_buffers():
    m = _mlp(dropout=0.5)
    params, apply = jtorch.interop.functional_module(m)
    x = jnp.ones((4, 3))
    with pytest.raises(RuntimeError, match="pass rng="):
        apply(params, x)
    with pytest.raises(RuntimeError, match="enable_x64"):
        jax.jit(apply)(params, x, rng=jax.random.PRNGKey(0))
    with jax.enable_x64(True):  # see docs/interop.md: JAX lowers under the caller's setting
        a = jax.jit(apply)(params, x, rng=jax.random.PRNGKey(0))
        b = jax.jit(apply)(params, x, rng=jax.random.PRNGKey(1))
    assert not np.allclose(np.asarray(a), np.asarray(b))
    c = apply(params, x, rng=jax.random.PRNGKey(0))  # outside jit: no constraint
    np.testing.assert_allclose(np.asarray(c), np.asarray(a), rtol=1e-5)
    m.eval()
    np.testing.assert_allclose(np.asarray(apply(params, x)), _np(m(jtorch.from_jax(x))),
                               rtol=1e-5)

    bn = jtorch.nn.BatchNorm1d(3)
    bparams, bapply = jtorch.interop.functional_module(bn)
    with pytest.raises(RuntimeError, match="updates its buffers"):
        bapply(bparams, x)
    bufs = jtorch.interop.module_buffers(bn)
    xs = jnp.asarray(np.random.default_rng(4).standard_normal((8, 3)).astype(np.float32))
    out, new = jax.jit(bapply)(bparams, xs, buffers=bufs)
    ref = bn(jtorch.from_jax(xs))
    np.testing.assert_allclose(np.asarray(out), _np(ref), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(new["running_mean"]), _np(bn.running_mean), rtol=1e-6)
    assert int(new["num_batches_tracked"]) == 1
    # the module was not changed by apply (only by the eager reference call)
    assert bn.num_batches_tracked.item() == 1


def test_functional_module_checks_shapes():
    m = _mlp()
    params, apply = jtorch.interop.functional_module(m)
    bad = dict(params)
    bad["0.weight"] = jnp.zeros((2, 2))
    with pytest.raises(ValueError, match="expects an array of shape"):
        apply(bad, jnp.ones((1, 3)))
    with pytest.raises(KeyError):
        apply({}, jnp.ones((1, 3)))


def test_example_script_runs(capsys):
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).resolve().parents[1] / "examples" / "jax_interop.py"
    spec = importlib.util.spec_from_file_location("jax_interop_example", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(["--quick", "--steps", "4", "--log-every", "2", "--plot", ""])
    out = capsys.readouterr().out
    assert "final accuracy" in out and "JaxFunctionBackward" in out
