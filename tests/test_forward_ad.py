"""torch.autograd.forward_ad compared with PyTorch: tangents of ops, views, modules, in-place
copies, integer outputs, errors, and the level's lifetime."""
from __future__ import annotations

import numpy as np
import pytest

import jtorch
from oracle import check, needs_torch

pytestmark = needs_torch

X = [0.5, -1.0, 2.0, 0.25]
T = [1.0, 0.5, -2.0, 3.0]


def _dual(torch, fn, x=X, t=T):
    fw = torch.autograd.forward_ad
    with fw.dual_level():
        d = fw.make_dual(torch.tensor(x), torch.tensor(t))
        out = fn(torch, d)
        outs = out if isinstance(out, tuple) else (out,)
        res = []
        for o in outs:
            p, tg = fw.unpack_dual(o)
            res.append((p.detach(), None if tg is None else tg.detach()))
        return res


FNS = {
    "mul_sin": lambda torch, d: (d * d).sin(),
    "exp_sum": lambda torch, d: d.exp().sum(),
    "div_scalar": lambda torch, d: 3.0 / (d + 4),
    "softmax": lambda torch, d: d.softmax(0),
    "log_softmax": lambda torch, d: torch.nn.functional.log_softmax(d, 0),
    "relu": lambda torch, d: d.relu(),
    "tanh_pow": lambda torch, d: d.tanh() ** 3,
    "matmul": lambda torch, d: d.reshape(2, 2) @ d.reshape(2, 2),
    "view_slice": lambda torch, d: d[1:3] * 2,
    "transpose_view": lambda torch, d: d.reshape(2, 2).t(),
    "cat": lambda torch, d: torch.cat([d, d * 2]),
    "where": lambda torch, d: torch.where(d > 0, d, d * d),
    "norm": lambda torch, d: d.norm(),
    "cumsum": lambda torch, d: d.cumsum(0),
    "max_tuple": lambda torch, d: d.reshape(2, 2).max(1),
    "sort": lambda torch, d: d.sort(),
    "argmax_int": lambda torch, d: d.argmax(),
    "mse": lambda torch, d: torch.nn.functional.mse_loss(d, torch.zeros(4)),
    "plain": lambda torch, d: torch.ones(2) * 3,
}


@pytest.mark.parametrize("name", list(FNS))
def test_tangent(name):
    check(lambda torch: _dual(torch, FNS[name]), rtol=1e-5, atol=1e-6)


def test_module_and_copy_():
    def f(torch):
        fw = torch.autograd.forward_ad
        lin = torch.nn.Linear(4, 2)
        with torch.no_grad():
            lin.weight.copy_(torch.arange(8.0).reshape(2, 4) / 8)
            lin.bias.zero_()
        with fw.dual_level():
            d = fw.make_dual(torch.tensor(X), torch.tensor(T))
            out = lin(d)
            z = torch.zeros(4)
            z.copy_(d)
            return (fw.unpack_dual(out).tangent.detach(), fw.unpack_dual(z).tangent,
                    fw.unpack_dual(d.detach()).tangent)
    check(f, rtol=1e-5, atol=1e-6)


def test_unpack_and_level_lifetime():
    def f(torch):
        fw = torch.autograd.forward_ad
        x = torch.tensor(X)
        with fw.dual_level() as level:
            d = fw.make_dual(x, torch.tensor(T))
            u = fw.unpack_dual(d)
            plain = fw.unpack_dual(x)
            res = [level, type(u).__name__, u._fields, plain.tangent, u.primal, u.tangent,
                   d.requires_grad]
        res.append(fw.unpack_dual(d).tangent)
        return res
    check(f)


@pytest.mark.parametrize("case", ["no_level", "nested", "size", "int_primal", "twice",
                                  "exit_none"])
def test_errors(case):
    def f(torch):
        fw = torch.autograd.forward_ad
        x = torch.tensor(X)
        if case == "no_level":
            return fw.make_dual(x, x)
        if case == "exit_none":
            return fw.exit_dual_level()
        with fw.dual_level():
            if case == "nested":
                fw.enter_dual_level()
            elif case == "size":
                fw.make_dual(x, torch.ones(3))
            elif case == "int_primal":
                fw.make_dual(torch.tensor([1, 2]), torch.tensor([1, 2]))
            else:
                fw.make_dual(fw.make_dual(x, x), x)
    check(f, message=True)


def test_compiled_and_jax_function_ops():
    import jax.numpy as jnp
    fw = jtorch.autograd.forward_ad
    x, t = jtorch.tensor(X), jtorch.tensor(T)
    cf = jtorch.compile(lambda q: (q.exp() * 2).sum())
    sq = jtorch.jax_function(lambda a: jnp.sin(a) * a)
    with fw.dual_level():
        d = fw.make_dual(x, t)
        a = fw.unpack_dual(cf(d)).tangent
        b = fw.unpack_dual(sq(d)).tangent
    xs, ts = np.array(X, np.float32), np.array(T, np.float32)
    np.testing.assert_allclose(a.item(), float((np.exp(xs) * 2 * ts).sum()), rtol=1e-5)
    np.testing.assert_allclose(b.numpy(), (np.cos(xs) * xs + np.sin(xs)) * ts, rtol=1e-5)


def test_reverse_over_forward():
    def f(torch):
        fw = torch.autograd.forward_ad
        x = torch.tensor(X, requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(x, torch.tensor(T))
            tg = fw.unpack_dual((d ** 3).sum()).tangent
        tg.backward()
        return tg.detach(), x.grad
    check(f, rtol=1e-5)


@pytest.mark.parametrize("with_jvp", [False, True])
def test_custom_function_jvp(with_jvp):
    def f(torch):
        class Sq(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                ctx.x = x
                return x * x

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g

        class SqJvp(Sq):
            @staticmethod
            def jvp(ctx, t):
                return 2 * ctx.x * t

        fw = torch.autograd.forward_ad
        with fw.dual_level():
            d = fw.make_dual(torch.tensor(X), torch.tensor(T))
            out = (SqJvp if with_jvp else Sq).apply(d)
            return fw.unpack_dual(out).tangent
    check(f, message=True)
