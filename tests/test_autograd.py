"""Autograd against PyTorch, in both engine modes (lazy and eager)."""
import warnings

import numpy as np
import pytest

import jtorch
from oracle import check, needs_torch

pytestmark = [needs_torch, pytest.mark.usefixtures("engine_mode")]


def _names(t):
    return type(t.grad_fn).__name__ if t.grad_fn is not None else None


def test_requires_grad_rules():
    check(lambda torch: torch.tensor([1, 2], requires_grad=True), message=True)
    check(lambda torch: torch.tensor([1, 2]).requires_grad_(), message=True)

    def f(torch):
        x = torch.tensor([1.0], requires_grad=True)
        y = x * 2
        return y.requires_grad_(False)
    check(f, message=True)

    def g(torch):
        x = torch.ones(2)
        x.requires_grad = True
        y = x + 1
        return x.is_leaf, y.is_leaf, y.requires_grad, x.requires_grad, _names(y)
    check(g)


def test_grad_fn_names_and_repr():
    def f(torch):
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        ys = [x + 1, x * 2, x - 1, x / 2, -x, x.exp(), x.relu(), x.sum(), x.mean(), x.sum(0),
              x.view(3, 1), x.clone(), x ** 2, x.sigmoid(), x.tanh(), x.sqrt(),
              x.unsqueeze(0), x.t(), x.expand(2, 3), x.reshape(1, 3), x.to(torch.float64)]
        return [(_names(y), repr(y)) for y in ys]
    check(f)


def test_next_functions():
    def f(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        w = torch.tensor([3.0, 4.0])
        y = x * w
        z = y.sum()
        nf = z.grad_fn.next_functions
        nf2 = y.grad_fn.next_functions
        return (type(nf[0][0]).__name__, nf[0][1], type(nf2[0][0]).__name__, nf2[1][0],
                nf2[0][0].variable is x)
    check(f)


def test_backward_basics():
    def f(torch):
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        g1 = x.grad.clone()
        y.backward()
        return g1, x.grad
    check(f)

    def nonscalar(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        (x * 3).backward()
    check(nonscalar, message=True)

    def with_gradient(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        (x * 3).backward(torch.tensor([1.0, 10.0]))
        return x.grad
    check(with_gradient)

    def bad_gradient_shape(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        (x * 3).backward(torch.tensor([1.0, 10.0, 3.0]))
    check(bad_gradient_shape, message=True)

    def twice(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        y.backward()
    check(twice, message=True)

    def linear_twice(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad
    check(linear_twice)

    def no_grad_root(torch):
        torch.tensor([1.0]).sum().backward()
    check(no_grad_root, message=True)


def test_nonleaf_grad_and_retain_grad():
    def f(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        h2 = x * 3
        h2.retain_grad()
        (h * h2).sum().backward()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            g = h.grad
        return g, len(w), h2.grad, h2.retains_grad, h.retains_grad, x.grad
    check(f)


def test_autograd_grad():
    def f(torch):
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x ** 3).sum()
        g, = torch.autograd.grad(y, x, create_graph=True)
        g2, = torch.autograd.grad(g.sum(), x)
        return g, g2, x.grad
    check(f)

    def unused(torch):
        x = torch.tensor([1.0], requires_grad=True)
        z = torch.tensor([1.0], requires_grad=True)
        return torch.autograd.grad((x * 2).sum(), [x, z])
    check(unused, message=True)

    def allow_unused(torch):
        x = torch.tensor([1.0], requires_grad=True)
        z = torch.tensor([1.0], requires_grad=True)
        return (torch.autograd.grad((x * 2).sum(), [x, z], allow_unused=True),
                torch.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True))
    check(allow_unused)

    def several(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        torch.autograd.backward([(x * 2).sum(), (x * x).sum()])
        return x.grad
    check(several)


def test_grad_modes():
    def f(torch):
        x = torch.tensor([1.0], requires_grad=True)
        with torch.no_grad():
            a = x * 2
            inner = torch.is_grad_enabled()
            with torch.enable_grad():
                b = x * 2
        with torch.set_grad_enabled(False):
            c = x * 2
        torch.set_grad_enabled(True)

        @torch.no_grad()
        def fn(t):
            return t * 2

        @torch.no_grad
        def fn2(t):
            return t * 2
        with torch.inference_mode():
            d = x * 2
            inf = torch.is_inference_mode_enabled()
        return (a.requires_grad, inner, b.requires_grad, c.requires_grad,
                fn(x).requires_grad, fn2(x).requires_grad, d.requires_grad, inf,
                torch.is_grad_enabled())
    check(f)


def test_detach_and_data():
    def f(torch):
        a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = a * 2
        d = b.detach()
        same = d.data_ptr() == b.data_ptr()
        d.zero_()
        c = a * 3
        c.detach_()
        e = a.data
        e.add_(1)
        return d.requires_grad, d.is_leaf, same, b, c.requires_grad, c.is_leaf, a, a._version
    check(f)

    def detach_view(torch):
        a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (a * 3).view(3).detach_()
    check(detach_view, message=True)


def test_version_counter_errors():
    def exp_saved(torch):
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x.exp()
        y.detach().zero_()
        y.sum().backward()
    check(exp_saved, message=True)

    def leaf_saved(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        b = x * x
        with torch.no_grad():
            x.add_(1)
        b.sum().backward()
    check(leaf_saved, message=True)

    def not_saved_ok(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        b = x + 1
        with torch.no_grad():
            x.add_(1)
        b.sum().backward()
        return x.grad
    check(not_saved_ok)


def test_inplace():
    def leaf(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        x.add_(1)
    check(leaf, message=True)

    def nonleaf(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.mul_(y)
        y.add_(x)
        y.sum().backward()
        return y, x.grad, _names(y)
    check(nonleaf)

    def on_view(torch):
        x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        y = x.clone()
        v = y.view(2, 2)[0] if hasattr(y, "__getitem__") else y.view(2, 2).select(0, 0)
        v.mul_(10)
        y.sum().backward()
        return y, x.grad, _names(y)
    check(on_view)

    def view_of_leaf(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        x.view(2).mul_(2)
    check(view_of_leaf, message=True)

    def under_no_grad(torch):
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
        return w, w.requires_grad, w.is_leaf, w.grad
    check(under_no_grad)


def test_hooks():
    def f(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        x.register_hook(lambda g: seen.append(g.clone()))
        y = x * 2
        y.register_hook(lambda g: g * 10)
        y.sum().backward()
        return x.grad, seen
    check(f)

    def remove(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        h = x.register_hook(lambda g: g * 100)
        h.remove()
        (x * 2).sum().backward()
        return x.grad
    check(remove)

    def no_grad_tensor(torch):
        torch.ones(2).register_hook(lambda g: g)
    check(no_grad_tensor, message=True)


def test_grad_accumulation_and_setter():
    def f(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        (x * 2).sum().backward()
        g = x.grad
        (x * 3).sum().backward()
        same = g is x.grad
        x.grad = None
        (x * 4).sum().backward()
        return same, g, x.grad
    check(f)

    def bad_grad(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        x.grad = torch.ones(3)
    check(bad_grad, message=True)


class _Funcs:
    @staticmethod
    def make(torch):
        class Square(torch.autograd.Function):
            @staticmethod
            def forward(ctx, inp, k):
                ctx.save_for_backward(inp)
                ctx.k = k
                return inp ** 2 * k

            @staticmethod
            def backward(ctx, grad_out):
                inp, = ctx.saved_tensors
                return 2 * inp * grad_out * ctx.k, None

        class TwoOut(torch.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                idx = torch.tensor([0, 1])
                ctx.mark_non_differentiable(idx)
                return a * b, a + b, idx

            @staticmethod
            def backward(ctx, g1, g2, g3):
                a, b = ctx.saved_tensors
                return g1 * b + g2, g1 * a + g2

        class Setup(torch.autograd.Function):
            @staticmethod
            def forward(x):
                return x * 3

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.needs = ctx.needs_input_grad

            @staticmethod
            def backward(ctx, g):
                return g * 3

        return Square, TwoOut, Setup


def test_function():
    def f(torch):
        Square, TwoOut, Setup = _Funcs.make(torch)
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        s = Square.apply(x, 2.0)
        s.sum().backward()
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = torch.tensor([3.0, 4.0], requires_grad=True)
        p, q, idx = TwoOut.apply(a, b)
        (p.sum() + q.sum()).backward()
        y = torch.tensor([1.0], requires_grad=True)
        z = Setup.apply(y)
        z.backward()
        return (s, _names(s), x.grad, p, q, idx.requires_grad, a.grad, b.grad, y.grad,
                type(s.grad_fn.next_functions[0][0]).__name__)
    check(f)

    def freed(torch):
        Square, _, _ = _Funcs.make(torch)
        x = torch.tensor([1.0], requires_grad=True)
        s = Square.apply(x, 1.0)
        s.backward()
        s.backward()
    check(freed, message=True)


def test_functional():
    from jtorch.autograd import functional as jF

    def f(torch):
        F = torch.autograd.functional
        v = torch.tensor([1.0, 2.0])
        w = torch.tensor([0.5, -1.0])
        return (F.jacobian(lambda t: t ** 2, v),
                F.hessian(lambda t: (t ** 3).sum(), v),
                F.vjp(lambda t: t ** 2, v, w),
                F.jvp(lambda t: t ** 2, v, w),
                F.hvp(lambda t: (t ** 3).sum(), v, w),
                F.vhp(lambda t: (t ** 3).sum(), v, w),
                F.jacobian(lambda a, b: a * b, (v, w)),
                F.jacobian(lambda t: (t.exp(), t * 3), v))
    check(f)
    assert jF is not None


def test_gradcheck():
    x = jtorch.tensor([1.0, 2.0, 3.0], dtype=jtorch.float64, requires_grad=True)
    assert jtorch.autograd.gradcheck(lambda t: (t * t).sin().sum(), (x,))
    assert jtorch.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (x,))


def test_training_step_is_one_cached_program():
    """Forward + backward + update of a repeated step is one compiled program after warm-up."""
    if jtorch.engine.EAGER or jtorch._engine.core.EAGER:
        pytest.skip("lazy mode only")
    rng = np.random.default_rng(0)
    w = jtorch.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    xs = [jtorch.tensor(rng.standard_normal(3).astype(np.float32)) for _ in range(8)]
    losses = []
    for x in xs:
        loss = ((w * x).sum(1) ** 2).mean()
        loss.backward()
        with jtorch.no_grad():
            w -= 0.1 * w.grad
            w.grad.zero_()
        losses.append(loss.item())
    jtorch.engine.reset_stats()
    for x in xs:
        loss = ((w * x).sum(1) ** 2).mean()
        loss.backward()
        with jtorch.no_grad():
            w -= 0.1 * w.grad
            w.grad.zero_()
        loss.item()
    s = jtorch.engine.stats()
    assert s["compiles"] == 0 and s["op_by_op"] == 0, s
    assert s["cache_hits"] == len(xs)


def test_repeated_backward_uses_fused_path_and_matches():
    """The second sight of a backward graph runs as one fused op: same gradients as torch."""
    def f(torch):
        x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        w = torch.tensor([[0.5, 1.0, -1.0], [2.0, 0.0, 1.5]], requires_grad=True)
        out = []
        for i in range(4):
            h = (w * x).sum(1).relu() + x.sum() * (i + 1)
            loss = (h * h).mean() + x.exp().sum()
            gx, gw = torch.autograd.grad(loss, [x, w])
            loss.backward()
            out += [gx, gw, x.grad.clone(), w.grad.clone()]
        return out
    check(f)
