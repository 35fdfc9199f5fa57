"""In-place view ops (t_, transpose_, squeeze_, unsqueeze_, as_strided_) and resize_."""
import numpy as np
import pytest

from oracle import check, needs_torch

pytestmark = needs_torch


def _meta(t):
    return (tuple(t.shape), t.stride(), t.storage_offset(), t.is_contiguous(), t.tolist(),
            type(t.grad_fn).__name__ if t.grad_fn is not None else None)


@pytest.mark.parametrize("expr", [
    "x.t_()", "x.transpose_(0, 1)", "x.swapaxes_(0, 1)", "x.unsqueeze_(1)",
    "x.unsqueeze_(0).squeeze_()", "x.unsqueeze_(0).squeeze_(0)", "x.as_strided_((2, 2), (1, 2))",
    "x.resize_(2, 2)", "x.resize_(10)", "x.resize_(3)", "x.resize_(0)",
])
@pytest.mark.parametrize("grad", [False, True])
def test_inplace_view_ops(expr, grad):
    def f(torch):
        x = torch.arange(6.0).view(2, 3)
        if grad:
            x = torch.ones(2, 3, requires_grad=True) * x
        if expr.startswith("x.resize_") and grad:
            return "skip"
        base = x
        out = eval(expr)
        assert out is x
        meta = _meta(x)
        if expr == "x.resize_(10)":  # the grown part is uninitialised memory in PyTorch
            meta = meta[:4] + (meta[4][:6],)
        return meta, x.data_ptr() == base.data_ptr()
    check(f)


def test_inplace_view_on_leaf_errors():
    check(lambda torch: torch.ones(2, 3, requires_grad=True).t_(), message=True)


def test_resize_numpy_shared_storage():
    def f(torch):
        t = torch.from_numpy(np.array([1, 2, 3]))
        t.resize_(5)
    check(f, message=True)


def test_transposed_in_place_then_write_reaches_base():
    def f(torch):
        z = torch.arange(6.0).view(2, 3)
        w = z.view(6)
        z.t_()
        z[0, 1] = 100.0 if hasattr(z, "__setitem__") else None
        return w, z, z.stride()
    check(f)


def test_gradient_through_t_():
    def f(torch):
        y = torch.ones(2, 3, requires_grad=True)
        z = y * 2
        z.t_()
        (z * torch.arange(2.0)).sum().backward()
        return y.grad
    check(f)
