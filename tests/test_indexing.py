"""Indexing against PyTorch: x[index], x[index] = v, index_put, nonzero, masked_*, take, put."""
import warnings

import numpy as np
import pytest

import jtorch
from oracle import check, check_grad, needs_torch


def _env(torch):
    x = torch.arange(12).view(3, 4)
    x3 = torch.arange(24).view(2, 3, 4)
    return {"torch": torch, "np": np, "x": x, "x3": x3, "xt": x3.transpose(0, 2),
            "y": torch.tensor(5.0), "xf": torch.arange(12.0).view(3, 4)}


def _eval(torch, expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(expr, _env(torch))


def _layout(r):
    return (r, r.stride(), r.storage_offset(), r._base is not None, r.is_contiguous())


GETITEM = [
    # basic: views
    "x[1]", "x[-1]", "x[1:3]", "x[::2]", "x[1::2]", "x[None]", "x[...]", "x[..., 1]", "x[()]",
    "x[(None,)]", "x[:]", "x[0:3]", "x[:, :]", "x[1:1]", "x[5:]", "x[-100:100]", "x[(0, 1)]",
    "x[np.int64(1)]", "x[np.array(1)]", "x[1:torch.tensor(3)]", "x[torch.tensor(1):]",
    "x[torch.tensor(1)]", "x[torch.tensor(1, dtype=torch.int32)]", "x[...,...]",
    "x3[None, ..., None]", "x3[1:, None, ::2, ..., None]", "x3[..., 1, None]", "x3[:, None, 1]",
    "xt[1]", "xt[:, 1:, ::2]", "xt[..., 0]", "y[None]", "y[...]", "y[()]",
    "x[[torch.tensor(0), torch.tensor(1)]]", "x[[0, slice(1, 3)]]",
    # advanced: copies
    "x[True]", "x[False]", "x[torch.tensor([1])]", "x[[0, 2]]", "x[[[0, 1], [1, 0]]]",
    "x[[0, [1]]]", "x[[0, 1], [1, 2]]", "x[torch.tensor([True, False, True])]", "x[x > 5]",
    "x[:, [0, 1]]", "x[[0, 1], :, None]", "x[None, [0, 1], None, [1, 2]]",
    "x[[0, 1], None, [1, 2]]", "x[torch.tensor(True)]", "x[torch.tensor(False)]",
    "x[torch.tensor(1, dtype=torch.uint8)]", "x[torch.tensor([[0]]), torch.tensor([0, 1, 2])]",
    "x[torch.tensor([0]), torch.tensor([0, 1, 2])]", "x[[0, 1], 1]", "x[[0, 1], 1:3]",
    "x[0, [0, 1]]", "x[torch.tensor([0, 1], dtype=torch.int32)]", "x[[True, False, True]]",
    "x[[]]", "x[np.array([[0, 1], [1, 0]])]", "x[np.array([0, 1], dtype=np.int32)]",
    "x[np.array([True, False, True])]", "x[[0.5, 1]]", "x[range(2)]", "x[[1, True]]",
    "x3[:, [0, 1]]", "x3[[0, 1], :, [0, 1]]", "x3[:, :, [0, 1]]", "x3[..., [0, 1]]",
    "x3[:, [[0, 1], [1, 2]]]", "xt[[0, 1]]", "xt[:, [0, 1]]", "xt[:, :, [0, 1]]",
    "x3[x3 > 5]", "x3[torch.tensor([[True, False, True], [True, True, True]])]",
    "x3[:, :, torch.tensor([True, False, True, False])]", "x3[:, 0:2, [1, 2]]",
    "x3[[1, 0]][:, None]", "x3[1:, torch.tensor([1])]", "x3[torch.tensor([-1, -2])]",
    "x3.transpose(1, 2)[x3.transpose(1, 2) > 5]", "y[True]", "y[y > 1]", "y[y > 10]",
    "x[torch.tensor([[0, 1], [2, 0]])]", "x3[[0, 1], [[1], [2]]]", "x3[0][[1, 0]]",
    "x[torch.tensor([], dtype=torch.int64)]", "x[:, torch.tensor([], dtype=torch.bool)[:0]]",
    # errors
    "x[5]", "x[:, 5]", "x[:, -5]", "x[::-1]", "x[torch.tensor([True, False])]", "x[1, 2, 3]",
    "x[torch.tensor([1.0])]", "x[1.0]", "x['a']", "x[slice(None, None, 0)]", "x[torch.tensor(5)]",
    "x[[5]]", "x[torch.tensor([0, 1]), torch.tensor([0, 1, 2])]", "x[:, 1, [0, 1]]",
    "x[torch.tensor([0, 1], dtype=torch.int16)]", "x[torch.tensor([0, 1], dtype=torch.uint8)]",
    "x[[True, False]]", "x3[:, [5]]", "x3[:, :, [5]]", "x3[0, 5]", "x3[1, :, 7]",
    "x3[[0, 1], [5, 0]]", "x3[0, 'a']", "x3[{}]", "x3[0, 1.5]", "x3[object()]",
    "x3[:, torch.tensor([[True, False, True], [True, True, True]])]",
    "x3[torch.tensor([[True, False, True]])]", "x3[[0], [0], [0], [0]]",
    "x3[torch.tensor([-3])]", "y[0]", "y[[0]]", "y[:]", "x[np.float64(1)]",
    "x[torch.tensor(1.0)]", "x[None, 5]", "x[..., 7]",
]


@needs_torch
@pytest.mark.parametrize("expr", GETITEM)
def test_getitem(expr):
    check(lambda torch: _layout(_eval(torch, expr)), message=True)


@needs_torch
def test_getitem_warnings():
    for expr in ["x[[0, [1]]]", "x[torch.tensor([1, 0, 1], dtype=torch.uint8)]"]:
        def f(torch):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                eval(expr, _env(torch))
            return [str(m.message).split(" (Triggered")[0] for m in w]
        check(f)


SETITEM = [
    "x[0] = 7", "x[0] = 2.7", "x[0] = torch.tensor([[1, 2, 3, 4]])", "x[0] = torch.tensor([1, 2])",
    "x[0] = torch.tensor([[[1, 2, 3, 4]], [[1, 2, 3, 4]]])", "x[x > 2] = 0", "x[x > 2] += 10",
    "x[:, [0, 2]] = torch.tensor([[9], [8], [7]])", "x[:, [0, 2]] = torch.tensor([9, 8, 7])",
    "xf[0] = 1j", "xf[0] = torch.tensor(1j)", "xf[xf > 7] = torch.tensor([1., 2., 3., 4.])",
    "xf[xf > 7] = torch.tensor([1., 2.])", "xf[5] = 1", "xf[[5]] = 1", "x[...] = 3",
    "x[None] = 3", "x[True] = 4", "x[False] = 4", "x[1:, 2:] = 0", "x[::2, 1] = -1",
    "x[[0, 0]] = torch.tensor([[1, 2, 3, 4], [1, 2, 3, 4]])", "xf[[0, 1]] = torch.tensor([1, 2])",
    "x[0] = 'a'", "x[0] = None", "x[0] = [1, 2, 3, 4]", "x[0] = np.array([1, 2, 3, 4])",
    "xf[0] = np.float64(2.5)", "x[0] = np.int64(3)", "x[0] = np.bool_(True)",
    "x[0, 1] = 10 ** 20", "y[...] = 1", "y[None] = 2", "y[True] = 3", "y[0] = 1",
    "x[torch.tensor(1)] = 5", "x[[1, 2], [0, 3]] = torch.tensor([-1, -2])",
    "xf[:, torch.tensor([True, False, True, False])] = 0.5", "x3[1, :, [0, 3]] = 0",
    "x3[..., 1] = torch.tensor([7, 8, 9])", "xt[0, 1] = 100", "xt[xt > 20] = 0",
    "x[idx] = torch.ones(1, 1, 4, dtype=torch.int64)", "x[idx] = torch.ones(2, 1, 4, dtype=torch.int64)",
    "xf[idx, 1] = torch.tensor(5, dtype=torch.float64)", "xf[1] = torch.tensor(5, dtype=torch.int64)",
]


@needs_torch
@pytest.mark.parametrize("stmt", SETITEM)
def test_setitem(stmt):
    def f(torch):
        env = _env(torch)
        env["idx"] = torch.tensor([1])
        base = env["x3"]
        view = env["xt"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(stmt, env)
        return (env["x"], env["x"]._version, env["xf"], env["y"], base, view, base._version)
    check(f, message=True)


@needs_torch
@pytest.mark.parametrize("dtype,value", [
    (dt, v) for dt in ["uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
                       "float32", "float64", "bool", "complex64"]
    for v in [10 ** 6, -10 ** 6, 1e300, 1j, -1, 3.7, -3.7, float("inf"), True]])
def test_setitem_scalar_casts(dtype, value):
    def f(torch):
        x = torch.zeros(2, dtype=getattr(torch, dtype))
        x[0] = value
        x[[1]] = value
        return x
    check(f, message=True)


AUTOGRAD = [
    "x.requires_grad_(); x[0] = 1", "x.requires_grad_(); x[x > 2] = 1",
    "x.requires_grad_(); x[...] = 1", "x.requires_grad_(); x[False] = 1",
    "x.requires_grad_()\nwith torch.no_grad(): x[0] = 1",
    "y = x.requires_grad_() * 1; y[0] = 1", "y = x.requires_grad_() * 1; y[[0]] = 1",
    "y = x.requires_grad_() * 1; y[y > 2] = 1", "y = x.requires_grad_() * 1; y[:, [0]] = 1",
    "y = x.requires_grad_() * 1; y[0, [0]] = 1", "y = x.requires_grad_() * 1; y[[0], 0] = 1",
    "y = x.requires_grad_() * 1; y[None, [0], 0] = 1",
    "y = x.requires_grad_() * 1; y[1] = w", "y = x.requires_grad_() * 1; y[[1, 0]] = w",
    "y = x * 1; y[0] = w", "y = x * 1; y[y > 3] = w.sum()",
    "y = x.requires_grad_() * 1; v = y[0]; y[0, 1] = 10",
    "y = x.requires_grad_().view(3, 2) * 1; y[:, 1] = w[:3]",
]


@needs_torch
@pytest.mark.parametrize("stmt", AUTOGRAD)
def test_setitem_autograd(stmt):
    def f(torch):
        env = {"torch": torch, "x": torch.arange(6.0).view(2, 3),
               "w": torch.tensor([10., 20., 30.], requires_grad=True)}
        exec(stmt, env)
        y = env.get("y", env["x"])
        out = [y, y._version, type(y.grad_fn).__name__ if y.grad_fn is not None else None]
        if y.requires_grad:
            (y * torch.arange(1.0, 7.0).view(y.shape)).sum().backward()
            out += [env["x"].grad, env["w"].grad]
        return out
    check(f, message=True)


GRAD = [
    ("a[1]", (3, 4)), ("a[:, 1:3]", (3, 4)), ("a[[0, 0, 2]]", (3, 4)), ("a[a > 0]", (3, 4)),
    ("a[[0, 1], [1, 1]]", (3, 4)), ("a[None, ..., 1]", (3, 4)), ("a[:, [2, 2, 0]]", (3, 4)),
    ("a[torch.tensor([[0, 1], [1, 0]])]", (3, 4)), ("a[..., [0, 1], :]", (2, 3, 4)),
    ("a[[0, 1], :, [1, 1]]", (2, 3, 4)),
]


@needs_torch
@pytest.mark.parametrize("expr,shape", GRAD)
def test_getitem_grad(expr, shape):
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    check_grad(lambda torch, a: eval(expr, {"torch": torch, "a": a}), a)


@needs_torch
def test_getitem_grad_fn_names():
    def f(torch):
        y = torch.arange(3.0, requires_grad=True) * 1
        return [type(e.grad_fn).__name__ for e in
                (y[...], y[()], y[None], y[:], y[True], y[[0]], y[y > 0], y[1])]
    check(f)


INDEX_PUT = [
    "x.index_put_((torch.tensor([0, 1]),), torch.tensor([1, 2]))",
    "x.index_put((torch.tensor([0, 1]),), torch.tensor([1., 2]), accumulate=True)",
    "x.index_put_((torch.tensor([0, 0]),), torch.tensor([1., 2]), accumulate=True)",
    "x.index_put_([torch.tensor([0, 0])], torch.tensor(1.), accumulate=True)",
    "m.index_put_((None, torch.tensor([0, 2])), torch.tensor(1.))",
    "m.index_put_((torch.tensor([0, 2]),), torch.tensor(1.))",
    "m.index_put_((torch.tensor([True, False]),), torch.tensor(1.))",
    "m.index_put_((torch.tensor([0, 1]),), torch.tensor([1., 2]))",
    "m.index_put_((torch.tensor([0., 1]),), torch.tensor([1., 2]))",
    "m.index_put_(torch.tensor([0, 1]), torch.tensor([1., 2]))",
    "m.index_put_((torch.tensor([0, 1]), torch.tensor([0, 1]), torch.tensor([0, 1])), "
    "torch.tensor([1., 2]))",
    "torch.index_put(m, (torch.tensor([1]),), torch.ones(1, 3), True)",
    "torch.index_put(m, (torch.tensor([1]),), torch.ones(1, 1, 3))",
    "torch.index_put(m, (torch.tensor([1, 0]), torch.tensor([2])), torch.tensor([5., 6.]))",
    "x.index_put_((torch.tensor([3]),), torch.tensor(1.))",
    "x.index_put_((torch.tensor([-3]),), torch.tensor(1.), accumulate=True)",
]


@needs_torch
@pytest.mark.parametrize("expr", INDEX_PUT)
def test_index_put(expr):
    def f(torch):
        x, m = torch.zeros(3), torch.zeros(2, 3)
        r = eval(expr, {"torch": torch, "x": x, "m": m})
        return (r, x, m, x._version, m._version)
    check(f, message=True)


@needs_torch
@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_grad(accumulate):
    a = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    v = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    check_grad(lambda torch, a, v: torch.index_put(
        a, (torch.tensor([0, 0, 1]), torch.tensor([1, 1, 2])), v, accumulate), a, v)


MASKED = [
    "x.masked_fill(x > 2, 1)", "x.masked_fill(x > 2, torch.tensor(1))",
    "x.masked_fill(x > 2, torch.tensor([1.]))", "x.masked_fill((x > 2).long(), 1.)",
    "x.masked_fill((x > 2).to(torch.uint8), 1.)",
    "x.masked_fill(torch.tensor([True, False, True]), 1.)",
    "x.masked_fill(torch.tensor([[[True, False, True]]]), 1.)",
    "x.clone().masked_fill_(torch.tensor([[[True, False, True]]]), 1.)",
    "x.clone().masked_fill_(torch.tensor([True, False, True]), -1.)",
    "x.long().masked_fill(x > 2, 2.7)", "x.long().masked_fill(x > 2, 1e30)",
    "x.long().masked_fill(x > 2, torch.tensor(2.7))", "x.masked_fill(x > 2, 1j)",
    "torch.masked_fill(x, x < 1, float('nan'))", "x.bool().masked_fill(x > 2, 0)",
    "torch.masked_select(x, x > 2)", "torch.masked_select(x, torch.tensor([True, False, True]))",
    "torch.masked_select(x, torch.tensor([1, 0, 1]))", "x.masked_select(x > 100)",
    "torch.masked_select(x[0], torch.tensor([[True], [False]]))",
    "torch.nonzero(x)", "torch.nonzero(torch.tensor(5.))", "torch.nonzero(torch.tensor(0.))",
    "torch.nonzero(torch.tensor(5.), as_tuple=True)", "torch.nonzero(x, as_tuple=True)",
    "torch.argwhere(x)", "x.nonzero().stride()", "torch.zeros(2, 3).nonzero().shape",
    "torch.tensor([0, 3, 0, 1]).nonzero()", "x[0].nonzero(as_tuple=True)",
    "torch.take(x, torch.tensor([[0, 5], [-1, 2]]))", "torch.take(x, torch.tensor([6]))",
    "torch.take(x, torch.tensor([-7]))", "torch.take(x, torch.tensor([1.]))",
    "x.clone().put_(torch.tensor([0, 5]), torch.tensor([9., 8.]))",
    "x.clone().put_(torch.tensor([0, 0]), torch.tensor([9., 8.]), accumulate=True)",
    "x.clone().put_(torch.tensor([0, 7]), torch.tensor([9., 8.]))",
    "x.clone().put_(torch.tensor([0, 1]), torch.tensor([9., 8., 7]))",
    "x.clone().put_(torch.tensor([0, 1]), torch.tensor([9, 8]))",
    "x.put(torch.tensor([[0], [1]]), torch.tensor([9., 8.]))",
    "x.masked_scatter(x > 2, torch.arange(10.))", "x.masked_scatter(x > 2, torch.arange(2.))",
    "x.masked_scatter(torch.tensor([True, False, True]), torch.arange(10.))",
    "x.masked_scatter(x > 2, torch.arange(10))", "x.clone().masked_scatter_(x > 2, -torch.ones(3))",
    "x.masked_scatter(x > 2, torch.arange(10.).view(2, 5))",
]


@needs_torch
@pytest.mark.parametrize("expr", MASKED)
def test_masked_take_put_nonzero(expr):
    def f(torch):
        x = torch.arange(6.0).view(2, 3)
        return eval(expr, {"torch": torch, "x": x})
    check(f, message=True)


@needs_torch
def test_masked_grads():
    a = np.arange(6.0, dtype=np.float32).reshape(2, 3) - 2
    m = a > 0
    check_grad(lambda torch, a: a.masked_fill(torch.tensor(m), 0.5), a)
    check_grad(lambda torch, a, v: a.masked_fill(torch.tensor(m), v), a,
               np.array(3.0, np.float32))
    check_grad(lambda torch, a: torch.masked_select(a, torch.tensor(m)), a)
    check_grad(lambda torch, a, s: a.masked_scatter(torch.tensor(m), s), a,
               np.arange(8.0, dtype=np.float32))
    check_grad(lambda torch, a: torch.take(a, torch.tensor([[0, 5], [5, 2]])), a)
    for acc in (False, True):
        check_grad(lambda torch, a, s: a.put(torch.tensor([0, 0, 4]), s, accumulate=acc), a,
                   np.array([1.0, 2.0, 3.0], np.float32))

    def names(torch):
        y = torch.arange(6.0, requires_grad=True).view(2, 3)
        mm = torch.tensor(m)
        return [type(t.grad_fn).__name__ for t in (
            y.masked_fill(mm, 1), y.masked_fill(mm, torch.tensor(1.)), y.masked_select(mm),
            y.masked_scatter(mm, torch.ones(6)), y.take(torch.tensor([0])),
            y.put(torch.tensor([0]), torch.tensor([1.])),
            y.index_put((torch.tensor([0]),), torch.tensor(1.)))]
    check(names)


def test_views_share_after_setitem():
    x = jtorch.arange(12.0).view(3, 4)
    row = x[1]
    col = x[:, 2]
    x[1, 2] = -1.0
    assert row.tolist() == [4.0, 5.0, -1.0, 7.0]
    assert col.tolist() == [2.0, -1.0, 10.0]
    col[0] = 100.0
    assert x[0, 2].item() == 100.0
    x[x > 50] += 1
    assert row[2].item() == -1.0 and col[0].item() == 101.0
    assert x._version == row._version == col._version == 3
