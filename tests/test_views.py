"""View semantics against PyTorch: views share storage with their base, in-place ops on the base
or on any view are seen through every other view, version counters, data_ptr, when reshape
copies, and view's errors."""
import warnings

import numpy as np
import pytest

import jtorch
from oracle import check, check_grad, needs_torch

# views of a fresh (non-view) 4 x 6 tensor ``b``
VIEWS = [
    "b.view(6, 4)", "b.view(-1)", "b.reshape(2, 12)", "b[1]", "b[:, 2]", "b[1:3, ::2]",
    "b[..., None]", "b[None, 1:, 1]", "b.select(1, 3)", "b.narrow(1, 2, 3)", "b.transpose(0, 1)",
    "b.permute(1, 0)", "b.t()", "b.T", "b.mT", "b.expand(2, 4, 6)", "b.unsqueeze(1)",
    "b.view(4, 1, 6).squeeze(1)", "b.diagonal()", "b.diagonal(2)", "b.unbind(0)[2]",
    "b.split(2, 1)[1]", "b.chunk(2, 0)[1]", "b.unfold(1, 2, 2)", "b.view(torch.int32)",
    "b.detach()", "b.flatten()", "b.unflatten(1, (2, 3))", "b.movedim(0, 1)", "b[...]",
    "b.t()[1:, ::3]", "b.view(2, 2, 6).permute(2, 0, 1)[1]", "b.tensor_split(3, 1)[2]",
    "b.swapaxes(0, 1).unsqueeze(0)", "b.view(torch.float16)", "b.view(torch.float64)",
]

BASE_OPS = [
    "b.add_(1)", "b.mul_(2)", "b.zero_()", "b.fill_(7)", "b.copy_(b.flip(0))", "b.clamp_(3, 9)",
    "b.masked_fill_(b < 3, 0)", "b.index_add_(0, torch.tensor([0, 0]), torch.ones(2, 6))",
    "b.scatter_(1, torch.tensor([[0], [1], [2], [3]]), -7.)", "b[1, 2] = -5", "b[b > 20] += 100",
    "b[:, [0, 5]] = torch.tensor([[1.], [2.], [3.], [4.]])", "b[2] = torch.arange(6.)",
    "b.data = torch.ones(4, 6)", "b.data.mul_(3)", "b.detach().sub_(1)",
    "b.index_put_((torch.tensor([3, 0]),), torch.tensor(9.))", "b.t()[0] = 11",
]

VIEW_OPS = [
    "v.add_(1)", "v.mul_(2)", "v.zero_()", "v.fill_(7)", "v.clamp_(2, 5)",
    "v.masked_fill_(v > 10, -1)", "v.copy_(v * 0 + 2)", "v[0] = -1", "v[v > 5] = 0",
    "v.neg_()", "v.data.add_(100)",
]


def _state(torch, env):
    b, v = env["b"], env["v"]
    shared = v.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
    return (b, v, b._version, v._version, v.data_ptr() - b.data_ptr() if shared else None,
            shared)


def _run(torch, view, op):
    env = {"torch": torch}
    exec("b = torch.zeros(4, 6) + torch.arange(24.).view(4, 6)", env)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(f"v = {view}", env)
        before = env["v"].data_ptr() - env["b"].data_ptr()
        exec(op, env)
    return _state(torch, env) + (before,)


# every view against the ops that exercise distinct write paths; every op against a few views
SOME_VIEWS = ["b.view(6, 4)", "b[:, 2]", "b.t()[1:, ::3]", "b.diagonal()", "b.view(torch.int32)"]
MAIN_BASE_OPS = ["b.add_(1)", "b.copy_(b.flip(0))", "b[1, 2] = -5", "b[b > 20] += 100",
                 "b.data = torch.ones(4, 6)", "b.index_add_(0, torch.tensor([0, 0]), torch.ones(2, 6))"]
MAIN_VIEW_OPS = ["v.add_(1)", "v.fill_(7)", "v[0] = -1", "v[v > 5] = 0", "v.data.add_(100)"]
PAIRS_BASE = [(v, o) for v in VIEWS for o in MAIN_BASE_OPS] + \
    [(v, o) for v in SOME_VIEWS for o in BASE_OPS if o not in MAIN_BASE_OPS]
PAIRS_VIEW = [(v, o) for v in VIEWS for o in MAIN_VIEW_OPS] + \
    [(v, o) for v in SOME_VIEWS for o in VIEW_OPS if o not in MAIN_VIEW_OPS]


@needs_torch
@pytest.mark.parametrize("view,op", PAIRS_BASE)
def test_inplace_on_base_is_seen_by_view(view, op):
    check(lambda torch: _run(torch, view, op), message=True)


@needs_torch
@pytest.mark.parametrize("view,op", PAIRS_VIEW)
def test_inplace_on_view_is_seen_by_base(view, op):
    check(lambda torch: _run(torch, view, op), message=True)


@needs_torch
@pytest.mark.parametrize("view", VIEWS)
def test_view_of_view_sees_sibling_writes(view):
    def f(torch):
        env = {"torch": torch}
        exec("b = torch.zeros(4, 6) + torch.arange(24.).view(4, 6)", env)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(f"v = {view}", env)
        v = env["v"]
        w = v.reshape(-1) if v.is_contiguous() else v.unsqueeze(0)
        sibling = env["b"][1:3]
        sibling.add_(1000)
        return _state(torch, env) + (w, w._version)
    check(f, message=True)


RESHAPES = [
    "b.reshape(24)", "b.t().reshape(24)", "b.t().reshape(6, 4)", "b[:, ::2].reshape(12)",
    "b[:, :3].reshape(4, 3)", "b[:, :3].reshape(12)", "b[:, :3].reshape(2, 2, 3)",
    "b[1:3].reshape(12)", "b.expand(2, 4, 6).reshape(8, 6)", "b.expand(2, 4, 6).reshape(2, 24)",
    "b.view(4, 1, 6).expand(4, 3, 6).reshape(12, 6)", "b.view(4, 1, 6).expand(4, 3, 6).reshape(4, 18)",
    "b.unsqueeze(0).expand(3, 4, 6).reshape(3, 4, 6)", "b.permute(1, 0).reshape(3, 2, 4)",
    "b.view(2, 2, 6).transpose(0, 1).reshape(2, 12)", "b.view(2, 2, 6).transpose(0, 1).reshape(4, 6)",
    "b.view(2, 2, 6).transpose(0, 1).reshape(2, 2, 3, 2)", "b[::2].reshape(2, 6)", "b[::2].reshape(12)",
    "b.diagonal().reshape(2, 2)", "b[0:0].reshape(0, 3)", "b.flatten(0, 1)", "b.t().flatten()",
    "b.unfold(1, 2, 2).reshape(4, 6)", "b.unfold(1, 2, 1).reshape(-1)", "torch.reshape(b.T, (-1,))",
    "b[:, 1].reshape(2, 2)", "b[:, 1:2].reshape(4)", "b[1:2, :].t().reshape(6)",
]


@needs_torch
@pytest.mark.parametrize("expr", RESHAPES)
def test_reshape_copies_when_pytorch_does(expr):
    def f(torch):
        b = torch.zeros(4, 6) + torch.arange(24.0).view(4, 6)
        r = eval(expr, {"torch": torch, "b": b})
        shares = r.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
        return (r, r.stride(), r.storage_offset(), shares, r._base is b,
                r.data_ptr() == b.data_ptr(), r.is_contiguous())
    check(f)


VIEW_ERRORS = [
    "b.t().view(24)", "b[:, ::2].view(12)", "b.t().view(2, 12)", "b.expand(2, 4, 6).view(48)",
    "b.view(5, 5)", "b.view(-1, -1)", "b.view(7, -1)", "b.view(0, -1)", "b[:, :3].view(12)",
    "b.t().view(6, 2, 2)", "b.t().view(3, 2, 4)", "b.t().view(6, 4, 1)", "b.t().view(1, 6, 4)",
    "b.t().view(torch.float16)", "b.t().view(torch.float64)", "b[:, :3].view(torch.float64)",
    "torch.tensor(1.).view(torch.float16)", "b.expand(2, 4, 6).add_(1)", "b.expand(2, 4, 6)[0].mul_(2)",
    "b.view(4, 6, 1).expand(4, 6, 2).fill_(0)", "b.unfold(1, 2, 1).zero_()",
]


@needs_torch
@pytest.mark.parametrize("expr", VIEW_ERRORS)
def test_view_errors(expr):
    def f(torch):
        b = torch.zeros(4, 6) + torch.arange(24.0).view(4, 6)
        r = eval(expr, {"torch": torch, "b": b})
        return r, r.stride()
    check(f, message=True)


@needs_torch
def test_detach_and_data_version_counters():
    def f(torch):
        x = torch.arange(4.0)
        d = x.detach()
        dd = x.data
        d.add_(1)
        out = [x._version, d._version, dd._version]
        dd.add_(1)
        out += [x._version, d._version, dd._version, x]
        x.add_(1)
        out += [x._version, d._version, dd._version, d, dd]
        return out
    check(f)


@needs_torch
def test_contiguous_returns_self_or_copy():
    def f(torch):
        b = torch.zeros(4, 6) + torch.arange(24.0).view(4, 6)
        out = []
        for v in (b, b.t(), b[:, ::2], b[1:3], b.expand(2, 4, 6), b.unsqueeze(1), b.view(4, 1, 6).permute(1, 0, 2)):
            c = v.contiguous()
            out.append((c is v, c.data_ptr() == v.data_ptr(), c.stride(), v.clone().stride()))
        return out
    check(f)


# --------------------------------------------------------------------------------------------
# autograd through in-place ops on views


INPLACE_GRAD = [
    "y = a * 1; y[1].mul_(2)", "y = a * 1; y[:, 0] = 5", "y = a * 1; y.t()[1:].add_(a.t()[1:])",
    "y = a * 1; v = y.view(-1); v[3] = v[4] + 2", "y = a * 1; y.diagonal().mul_(3)",
    "y = a.clone(); y[y > 0] = 0", "y = a.clone(); y[[0, 2]] += a[[1, 1]]",
    "y = a * 1; y.narrow(1, 1, 2).copy_(a[:, :2] ** 2)", "y = a * 1; y.t().select(0, 1).zero_()",
    "y = a * 1; y.masked_fill_(a < 0, 0.5)", "y = a.clone(); y.tensor_split(3, 1)[2].clamp_(-0.5, 0.5)",
    "y = a * 1; v = y[1]; y.mul_(2); y = v * 1", "y = a * 1; v = y[:, 1:]; w = y.t(); v.mul_(2); y = w * 1",
]


MULTI_VIEW = [
    "y.unbind(0)[1].zero_()", "y.split(2)[1].zero_()", "y.split([2, 4])[1].zero_()",
    "y.chunk(2)[1].zero_()", "y.tensor_split(2)[1].zero_()", "y.view(2, 3).unbind(1)[0][0] = 5",
    "y.split(2)[0][1] = 5", "y.view(2, 3).unbind(0)[1].view(3).zero_()", "y.split(2)[0][1:].add_(1)",
    "b.split(2)[1].zero_()",
]


@needs_torch
@pytest.mark.parametrize("stmt", MULTI_VIEW)
def test_inplace_on_multi_output_views(stmt):
    def f(torch):
        env = {"torch": torch, "y": torch.arange(6.0, requires_grad=True) * 1,
               "b": torch.arange(6.0)}
        exec(stmt, env)
        with torch.no_grad():
            exec(stmt, env)
        return env["y"], env["b"]
    check(f, message=True)


@needs_torch
@pytest.mark.parametrize("stmt", INPLACE_GRAD)
def test_inplace_on_views_grad(stmt):
    a = np.arange(12, dtype=np.float32).reshape(3, 4) / 4 - 1

    def fn(torch, a):
        env = {"torch": torch, "a": a}
        exec(stmt, env)
        return env["y"]
    check_grad(fn, a)


@needs_torch
def test_inplace_on_view_grad_fns():
    def f(torch):
        a = torch.arange(6.0, requires_grad=True)
        y = a * 1
        v = y.view(2, 3)
        v[0].mul_(2)
        names = [type(y.grad_fn).__name__, type(v.grad_fn).__name__, y._version, v._version]
        try:
            a.view(2, 3)[0].mul_(2)
        except RuntimeError as e:
            names.append(str(e))
        try:
            a[0] = 1
        except RuntimeError as e:
            names.append(str(e))
        with torch.no_grad():
            a[0] = 1
        names.append(a._version)
        return names
    check(f)


def test_numpy_shared_storage_views():
    a = np.arange(6.0).reshape(2, 3)
    t = jtorch.from_numpy(a)
    col = t[:, 1]
    a[0, 1] = 100.0
    assert col.tolist() == [100.0, 4.0]
    col.mul_(2)
    assert a[:, 1].tolist() == [200.0, 8.0]
    t[t > 5] = -1.0
    assert a.tolist() == [[0.0, -1.0, 2.0], [3.0, -1.0, 5.0]]


def test_view_reads_recomputed_after_compiled_syncs():
    # a view's cached read left pending by a compiled sync is recorded again later; calls
    # without arguments (zeros, arange) must not be merged when that happens
    for _ in range(3):
        b = jtorch.zeros(4, 6) + jtorch.arange(24.0).view(4, 6)
        v = b.permute(1, 0)
        v.data.add_(100)
        b = jtorch.zeros(4, 6) + jtorch.arange(24.0).view(4, 6)
        v = b.T
        v.add_(1)
        jtorch.sync()
        assert v[1].tolist() == [2.0, 8.0, 14.0, 20.0]
        assert b[0].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


INPLACE_VIEW_OPS = [
    "x.transpose_(0, 1)", "x.t_()", "x.view(1, 6).squeeze_()", "x.view(1, 6).squeeze_(0)",
    "x.view(1, 6, 1).squeeze_((0, 2))", "x.unsqueeze_(1)", "x.swapaxes_(0, 1)", "x.swapdims_(0, 1)",
    "x.transpose_(0, 5)", "x.view(2, 3, 1).t_()", "x.unsqueeze_(-1).squeeze_(1)",
    "x.squeeze()", "x.view(1, 6).squeeze(0)", "x.view(1, 6, 1).squeeze((0, 2))",
]


@needs_torch
@pytest.mark.parametrize("expr", INPLACE_VIEW_OPS)
@pytest.mark.parametrize("grad", [False, True])
def test_inplace_view_ops(expr, grad):
    def f(torch):
        a = torch.arange(6.0, requires_grad=grad)
        x = (a * 1).view(2, 3)
        other = x[1]
        r = eval(expr, {"torch": torch, "x": x})
        r.mul_(2)
        out = [r is x or r._base is x._base, r, r.stride(), r._version, other,
               type(r.grad_fn).__name__ if r.grad_fn is not None else None]
        if grad:
            (r * torch.arange(r.numel()).view(r.shape)).sum().backward()
            out.append(a.grad)
        return out
    check(f, message=True)


@needs_torch
def test_inplace_view_op_on_base_and_leaf():
    def f(torch):
        b = torch.arange(6.0)
        b2 = b.view(2, 3)
        b.unsqueeze_(0)
        b[0, 1] = 100
        out = [b.shape, b.stride(), b._version, b2]
        leaf = torch.zeros(2, 3, requires_grad=True)
        try:
            leaf.t_()
        except RuntimeError as e:
            out.append(str(e))
        return out
    check(f)
