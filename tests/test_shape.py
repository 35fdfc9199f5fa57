"""Shape ops against PyTorch: values, dtypes, strides, views vs copies, errors, gradients."""
import warnings

import numpy as np
import pytest

from oracle import check, check_grad, needs_torch


def _env(torch):
    return {"torch": torch, "x": torch.arange(6.0).view(2, 3), "v": torch.arange(3.0),
            "s": torch.tensor(5.0), "y": torch.arange(24).view(2, 3, 4),
            "i": torch.arange(6).view(2, 3)}


def _describe(r):
    if hasattr(r, "stride") and hasattr(r, "_base"):
        return (r, r.stride(), r.storage_offset(), r.is_contiguous(), r._base is not None)
    if isinstance(r, (tuple, list)):
        return type(r).__name__, [_describe(e) for e in r]
    return r


def _run(torch, expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _describe(eval(expr, _env(torch)))


COPIES = [
    # repeat / tile / repeat_interleave
    "x.repeat(2, 1)", "x.repeat(2)", "x.repeat(1, 2, 2)", "x.repeat((2, 1))", "x.repeat(-1, 2)",
    "x.repeat(0, 2)", "v.repeat(2, 2)", "s.repeat(2)", "s.repeat(())", "x.repeat()",
    "x.repeat(torch.Size([1, 2]))", "torch.tile(x, (2,))", "torch.tile(x, (2, 1, 2))", "x.tile(2, 2)",
    "torch.tile(v, ())", "torch.tile(x, (2, -1))", "i.repeat(2, 1)",
    "torch.repeat_interleave(v, 2)", "torch.repeat_interleave(x, 2)", "torch.repeat_interleave(x, 2, dim=0)",
    "torch.repeat_interleave(x, torch.tensor([1, 2]), dim=0)", "torch.repeat_interleave(x, torch.tensor([1, 2]), dim=1)",
    "torch.repeat_interleave(x, torch.tensor([1, 2, 0]), dim=1)",
    "torch.repeat_interleave(x, torch.tensor([1, 2]), dim=0, output_size=3)",
    "torch.repeat_interleave(x, torch.tensor([1, 2]), dim=0, output_size=4)",
    "torch.repeat_interleave(torch.tensor([1, 2, 3]))", "torch.repeat_interleave(x, -1)",
    "torch.repeat_interleave(x, torch.tensor([-1, 2]), dim=0)", "torch.repeat_interleave(x, torch.tensor([[1, 2]]), dim=0)",
    "torch.repeat_interleave(x, torch.tensor(2), dim=0)", "torch.repeat_interleave(x, torch.tensor([2]), dim=1)",
    "torch.repeat_interleave(x, torch.tensor([1., 2.]), dim=0)", "x.repeat_interleave(2, dim=-1)",
    "torch.repeat_interleave(s, 3)", "torch.repeat_interleave(s, 3, dim=0)",
    "torch.repeat_interleave(torch.tensor([[1, 2]]))", "torch.repeat_interleave(torch.tensor([1., 2.]))",
    "torch.repeat_interleave(torch.tensor([1, -2]))", "torch.repeat_interleave(i, torch.tensor([0, 3]), dim=0)",
    # stacks
    "torch.vstack([v, v])", "torch.vstack([x, v])", "torch.hstack([v, v])", "torch.hstack([x, x])",
    "torch.dstack([v, v])", "torch.dstack([x, x])", "torch.column_stack([v, v])", "torch.column_stack([x, v[:2]])",
    "torch.row_stack([v, v])", "torch.vstack([])", "torch.hstack([torch.tensor(1.), torch.tensor(2.)])",
    "torch.vstack([torch.tensor(1.), torch.tensor(2.)])", "torch.vstack([v, torch.arange(3)])",
    "torch.column_stack([torch.tensor(1.), torch.tensor(2.)])", "torch.hstack([])", "torch.dstack([])",
    "torch.column_stack([])", "torch.vstack(v)", "torch.vstack((x, x), out=torch.empty(4, 3))",
    "torch.hstack([x, v])",
    # flips / roll / rot90
    "torch.flip(x, (0,))", "torch.flip(x, [0, 1])", "x.flip(-1)", "torch.flip(x, (0, 0))", "torch.flip(x, ())",
    "x.fliplr()", "x.flipud()", "v.fliplr()", "s.flipud()", "torch.flip(s, (0,))", "x.flip(2)", "x.t().flip(0)",
    "torch.roll(x, 1)", "torch.roll(x, 1, 0)", "torch.roll(x, (1, -1), (0, 1))", "torch.roll(x, (1, 2), 0)",
    "torch.roll(x, 7, 1)", "torch.roll(x, -7, -1)", "torch.roll(s, 1)", "torch.roll(x, [], [])",
    "torch.roll(x, (1, 2))", "torch.roll(x, 1, (0, 1))", "torch.roll(x, 1, 2)", "torch.roll(x, 1, [])",
    "torch.rot90(x)", "torch.rot90(x, 2)", "torch.rot90(x, -1)", "torch.rot90(x, 1, (1, 0))",
    "torch.rot90(x, 1, (0,))", "torch.rot90(x, 1, (0, 0))", "torch.rot90(v)", "torch.rot90(x, 5, [0, 1])",
    "torch.rot90(x, 1, (0, 2))", "torch.rot90(y, 1, (0, 2))", "torch.rot90(y, 3, (2, 1))", "torch.rot90(x, 0)",
    # diag family
    "torch.diag(v)", "torch.diag(v, 1)", "torch.diag(v, -2)", "torch.diag(x)", "torch.diag(x, 1)",
    "torch.diag(x, -1)", "torch.diag(x, 5)", "torch.diag(s)", "torch.diag(torch.zeros(2, 2, 2))",
    "torch.diag_embed(v)", "torch.diag_embed(x)", "torch.diag_embed(x, 1)", "torch.diag_embed(x, -1, 0, 2)",
    "torch.diag_embed(x, 0, 0, 0)", "torch.diag_embed(s)", "torch.diag_embed(x, 0, 0, 3)",
    "torch.diag_embed(y, 2, 1, 0)", "torch.diagflat(v)", "torch.diagflat(x, 1)", "torch.diagflat(s)",
    "torch.diagflat(i, -2)", "torch.diag(i.t())",
    "torch.triu(x)", "torch.triu(x, 1)", "torch.tril(x, -1)", "torch.tril(x, 5)", "torch.triu(v)",
    "torch.tril(y, 1)", "x.triu(-1)", "x.clone().tril_(0)", "torch.tril(v)", "torch.triu(y.transpose(1, 2), 1)",
    "torch.tril_indices(3, 3)", "torch.tril_indices(3, 4, 1)", "torch.triu_indices(3, 3)",
    "torch.triu_indices(4, 3, -1)", "torch.tril_indices(3, 3, dtype=torch.int32)", "torch.tril_indices(0, 3)",
    "torch.tril_indices(-1, 3)", "torch.tril_indices(3, 3, dtype=torch.float32)", "torch.tril_indices(3, -1)",
    "torch.triu_indices(-2, 3)", "torch.triu_indices(3, 5, 7)",
    "torch.block_diag(x, v)", "torch.block_diag(s, x)", "torch.block_diag()", "torch.block_diag(x, torch.arange(2))",
    "torch.block_diag(torch.zeros(2, 2, 2))", "torch.block_diag(torch.tensor(5, dtype=torch.int32), "
    "torch.tensor([1.5], dtype=torch.float64))", "torch.block_diag(i, i)",
    # atleast / broadcast / meshgrid / cartesian_prod / combinations
    "torch.atleast_1d(s)", "torch.atleast_1d(v)", "torch.atleast_2d(v)", "torch.atleast_3d(v)",
    "torch.atleast_3d(x)", "torch.atleast_2d(s)", "torch.atleast_3d(s)", "torch.atleast_1d(v, x)",
    "torch.atleast_1d((v, x))", "torch.atleast_1d()", "torch.atleast_3d(y)", "torch.atleast_2d([v, s])",
    "torch.broadcast_tensors(x, v)", "torch.broadcast_tensors(x, torch.zeros(2))", "torch.broadcast_tensors(v)",
    "torch.broadcast_tensors(s, x, v[:1])", "torch.broadcast_shapes((2, 1), (3,))",
    "torch.broadcast_shapes((2, 1), (3, 2))", "torch.broadcast_shapes(2, (3, 1))", "torch.broadcast_shapes()",
    "torch.broadcast_shapes(torch.Size([4, 1]), [1, 5], (1,))",
    "torch.cartesian_prod(v, torch.tensor([4., 5.]))", "torch.cartesian_prod(v)",
    "torch.cartesian_prod(v, torch.tensor([4, 5]))", "torch.cartesian_prod(x)", "torch.cartesian_prod()",
    "torch.cartesian_prod(v, v, v[:2])",
    "torch.meshgrid(v, torch.tensor([4., 5.]), indexing='ij')", "torch.meshgrid(v, torch.tensor([4., 5.]), indexing='xy')",
    "torch.meshgrid([v, v], indexing='ij')", "torch.meshgrid(v, indexing='foo')",
    "torch.meshgrid(s, v, indexing='ij')", "torch.meshgrid(v, torch.tensor([4, 5]), indexing='ij')",
    "torch.meshgrid(v, indexing='xy')", "torch.meshgrid(v, v[:2], s, indexing='xy')", "torch.meshgrid(indexing='ij')",
    "torch.combinations(v)", "torch.combinations(v, 3)", "torch.combinations(v, with_replacement=True)",
    "torch.combinations(v, 0)", "torch.combinations(x)", "torch.combinations(v, 4)", "torch.combinations(v, -1)",
    "torch.combinations(torch.arange(4), 2, True)",
]


@needs_torch
@pytest.mark.parametrize("expr", COPIES)
def test_shape_copies(expr):
    check(lambda torch: _run(torch, expr), message=True)


@needs_torch
def test_meshgrid_warning():
    def f(torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            torch.meshgrid(torch.arange(2), torch.arange(3))
        return [str(m.message).split(" (Triggered")[0] for m in w][:1]
    check(f)


A = np.arange(12, dtype=np.float32).reshape(3, 4) / 3 - 1
V = np.array([1.0, -2.0, 3.0], np.float32)
GRADS = [
    ("a.repeat(2, 1, 3)", A), ("torch.tile(a, (2,))", A), ("a.repeat_interleave(2, dim=1)", A),
    ("torch.repeat_interleave(a, torch.tensor([2, 0, 1]), dim=0)", A),
    ("torch.vstack([a, a[0]])", A), ("torch.hstack([a, a])", A), ("torch.dstack([a, a])", A),
    ("torch.column_stack([a[:, 0], a])", A), ("torch.flip(a, (0, 1))", A), ("a.fliplr()", A),
    ("torch.roll(a, (1, -3), (0, 1))", A), ("torch.roll(a, 5)", A), ("torch.rot90(a, 1)", A),
    ("torch.rot90(a, 3, (1, 0))", A), ("torch.diag(a, 1)", A), ("torch.diag(v, -1)", V),
    ("torch.diag_embed(a, 1, 0, 2)", A), ("torch.diagflat(a, -1)", A), ("torch.triu(a, 1)", A),
    ("torch.tril(a, -1)", A), ("torch.block_diag(a, a[0], a[1, 1])", A),
    ("torch.atleast_3d(v)", V), ("torch.broadcast_tensors(a, v[:1])", A),
    ("torch.meshgrid(v, v[:2], indexing='xy')", V), ("torch.cartesian_prod(v, v)", V),
    ("torch.combinations(v, 2, True)", V), ("torch.cat([a, a * 2], 1)", A),
    ("torch.stack([a, a], 2)", A), ("torch.split(a, 3, 1)", A), ("torch.chunk(a, 2, 0)", A),
    ("torch.unbind(a, 1)", A), ("a.narrow(1, 1, 2)", A), ("a.unfold(1, 2, 1)", A),
    ("a.diagonal(1)", A), ("a.t().reshape(-1)", A), ("a.unflatten(1, (2, 2))", A),
    ("a.movedim(0, 1).expand(2, 4, 3)", A), ("a.tensor_split([1, 3], 1)", A),
]


@needs_torch
@pytest.mark.parametrize("expr,data", GRADS, ids=[g[0] for g in GRADS])
def test_grads(expr, data):
    def fn(torch, a):
        return eval(expr, {"torch": torch, "a": a, "v": a})
    check_grad(fn, data)


@needs_torch
def test_grad_fn_names():
    def f(torch):
        v = torch.arange(3.0).requires_grad_()
        x = torch.arange(6.0).view(2, 3).requires_grad_()
        s = torch.tensor(5.0, requires_grad=True)
        outs = [torch.diag(v), torch.diagflat(x), torch.diag_embed(v), torch.cartesian_prod(v, v),
                torch.combinations(v), torch.atleast_1d(s), torch.atleast_3d(s),
                torch.atleast_3d(v), torch.roll(x, 1), torch.flip(s, (0,)),
                torch.repeat_interleave(v, 2), torch.repeat_interleave(v, torch.tensor([1, 0, 2])),
                torch.tile(v, ()), v.repeat(2, 2), torch.vstack([v, v]), torch.block_diag(s),
                torch.broadcast_tensors(v, x)[0], torch.meshgrid(v, v, indexing="ij")[0],
                torch.rot90(x, 0), torch.diag(x), torch.tril(x), torch.triu(x)]
        return [type(o.grad_fn).__name__ for o in outs] + [
            torch.broadcast_tensors(v, x)[1] is x, torch.atleast_1d(v) is v,
            torch.cartesian_prod(v) is v]
    check(f)


# --------------------------------------------------------------------------------------------
# the view/shape ops that already existed: cat/stack/split/.../view/reshape


EXISTING = [
    "torch.cat([x, x])", "torch.cat([x, x], 1)", "torch.cat([x, x], -1)", "torch.cat([x, v])",
    "torch.cat([x, torch.zeros(0)])", "torch.cat([torch.zeros(0), torch.zeros(0)])", "torch.cat([])",
    "torch.cat([s, s])", "torch.cat([x, i])", "torch.cat(x)", "torch.cat([x, 1])", "torch.cat([x, x], 2)",
    "torch.cat([x, torch.zeros(2, 2)], 1)", "torch.cat([x, torch.zeros(3, 3)], 1)", "torch.cat((x, x), dim=0)",
    "torch.concat([x, x])", "torch.concatenate([x, x], 1)", "torch.cat([x.t(), x.t()])",
    "torch.stack([x, x])", "torch.stack([x, x], 2)", "torch.stack([x, x], -1)", "torch.stack([x, v])",
    "torch.stack([])", "torch.stack([s, s])", "torch.stack([x, i])", "torch.stack([x, x], 3)",
    "torch.split(x, 2, 1)", "torch.split(x, [1, 2], 1)", "torch.split(x, [1, 1], 1)", "torch.split(x, 0, 1)",
    "torch.split(torch.zeros(0, 2), 0)", "x.split(1)", "torch.split(x, 5)", "torch.split(y, 3, 2)",
    "torch.chunk(x, 2, 1)", "torch.chunk(x, 3, 1)", "torch.chunk(x, 4, 1)", "torch.chunk(x, 0)",
    "torch.chunk(torch.arange(5), 3)", "torch.chunk(torch.arange(6), 4)", "torch.chunk(torch.zeros(0), 2)",
    "torch.unbind(x)", "torch.unbind(x, 1)", "torch.unbind(s)", "x.unbind(-1)",
    "x.narrow(1, 1, 2)", "x.narrow(0, -1, 1)", "x.narrow(1, 2, 2)", "x.narrow(1, 4, 0)", "s.narrow(0, 0, 1)",
    "x.narrow(1, 1, -1)", "x.narrow(1, -4, 1)", "x.narrow(1, 3, 0)",
    "x.select(1, 2)", "x.select(0, -1)", "x.select(1, 3)", "s.select(0, 0)", "torch.select(y, 2, 1)",
    "x.expand(2, 2, 3)", "x.expand(-1, 3)", "v.expand(2, 3)", "x.expand(3)", "x.expand(3, 3)",
    "x.expand(-1, -1, 3)", "s.expand(2)", "x.expand(torch.Size([2, 2, 3]))", "v.expand_as(x)",
    "y.permute(2, 0, 1)", "y.permute(2, 0)", "y.permute(0, 0, 1)", "y.permute((1, 2, 0))",
    "y.permute(-1, 0, 1)", "y.permute(0, 1, 3)", "s.permute()",
    "x.transpose(0, 1)", "y.transpose(0, -1)", "x.transpose(0, 2)", "torch.swapaxes(y, 1, 2)",
    "torch.swapdims(y, 0, 1)", "x.t()", "v.t()", "s.t()", "y.t()",
    "torch.movedim(y, 0, 2)", "torch.movedim(y, (0, 1), (2, 0))", "torch.movedim(y, 0, (1, 2))",
    "torch.moveaxis(y, -1, 0)", "torch.movedim(y, (0, 0), (1, 2))",
    "x.squeeze()", "x.view(1, 2, 1, 3).squeeze()", "x.view(1, 2, 1, 3).squeeze(0)",
    "x.view(1, 2, 1, 3).squeeze(1)", "x.view(1, 2, 1, 3).squeeze((0, 2))", "x.squeeze(2)",
    "s.squeeze()", "s.squeeze(0)", "x.view(1, 2, 1, 3).squeeze(-2)",
    "x.unsqueeze(0)", "x.unsqueeze(2)", "x.unsqueeze(-1)", "x.unsqueeze(3)", "s.unsqueeze(0)",
    "x.t().unsqueeze(1)", "x[:, 1:].unsqueeze(1)",
    "y.flatten()", "y.flatten(1)", "y.flatten(0, 1)", "y.flatten(2, 1)", "s.flatten()",
    "y.transpose(0, 1).flatten()", "y.flatten(1, 1)", "torch.flatten(y, -2, -1)",
    "y.unflatten(2, (2, 2))", "y.unflatten(-1, (2, -1))", "y.unflatten(1, (2, 2))", "y.unflatten(1, ())",
    "y.transpose(1, 2).unflatten(1, (2, 2))",
    "x.view(3, 2)", "x.view(-1)", "x.view(-1, 2)", "x.view(4, -1)", "x.view(-1, -1)", "x.view(6, 1, 1)",
    "x.t().view(6)", "x.t().view(3, 2)", "x.view(torch.int32)[0]", "x.view(torch.float16).T",
    "x.view(torch.float64)", "x.view(torch.uint8).shape", "x.t().view(torch.float16)", "s.view(torch.float16)",
    "x.view((3, 2))", "x.view(torch.Size([3, 2]))", "s.view(1, 1)", "s.view(-1)", "x.view(0, -1)",
    "x.view(-2, 3)", "x[:, :2].view(4)", "x[:, :2].view(2, 2, 1)", "x[:1].view(3)", "x.view_as(v.repeat(2))",
    "x.reshape(3, 2)", "x.t().reshape(6)", "x.t().reshape(3, 2)", "x.reshape(-1)", "x[:, ::2].reshape(4)",
    "x[:, ::2].reshape(2, 2)", "x.reshape(5)", "torch.reshape(x, (3, -1))", "x.reshape_as(v.repeat(2))",
    "x.expand(2, 2, 3).reshape(4, 3)", "x.expand(2, 2, 3).reshape(2, 6)", "x.unsqueeze(1).expand(2, 4, 3).reshape(8, 3)",
    "x.unfold(1, 2, 1)", "x.unfold(0, 2, 1)", "x.unfold(1, 3, 2)", "x.unfold(1, 4, 1)", "x.unfold(1, 2, 0)",
    "s.unfold(0, 1, 1)", "x.t().unfold(0, 2, 2)", "torch.arange(10.).unfold(0, 3, 3)",
    "y.diagonal()", "y.diagonal(1)", "y.diagonal(-1, 1, 2)", "y.diagonal(0, 2, 0)", "y.diagonal(5)",
    "y.diagonal(0, 1, 1)", "torch.diagonal(x, -5)", "x.diagonal(offset=2)",
    "x.contiguous()", "x.t().contiguous()", "x.t().clone()", "y.permute(2, 0, 1).clone()",
    "x[:, ::2].clone()", "x.expand(2, 2, 3).clone()", "x.t().contiguous().t()",
    "y.permute(2, 0, 1).contiguous()", "x.unsqueeze(1).clone()", "x.tensor_split(2, 1)",
    "x.tensor_split([1, 2], 1)", "x.tensor_split(torch.tensor([1, 5]), 1)", "x.tensor_split(4, 1)",
    "torch.ravel(x.t())", "x.adjoint()", "x.T", "x.mT", "y.mT", "x.H", "y.mH", "v.T",
]


@needs_torch
@pytest.mark.parametrize("expr", EXISTING)
def test_existing_shape_ops(expr):
    check(lambda torch: _run(torch, expr), message=True)


# hsplit/vsplit/dsplit, split_with_sizes, view_as_real/complex, *_scatter, *_copy
# (_ops/shape_extra.py); the tuple results carry strides and view-ness via _describe
EXTRA = [
    "torch.hsplit(torch.arange(5), 2)", "torch.hsplit(torch.tensor(1), 1)",
    "torch.vsplit(torch.arange(4), 2)", "torch.dsplit(x, 2)",
    "torch.hsplit(x, [1])", "torch.hsplit(y, 2)", "torch.vsplit(y, [1])", "torch.dsplit(y, 2)",
    "torch.arange(6).hsplit(3)", "x.split_with_sizes([1, 2], dim=1)",
    "torch.split_with_sizes(x, [1, 1])", "x.split_with_sizes([1, 1, 1], 1)",
    # unsafe_split/unsafe_chunk: same values; PyTorch's pieces share storage but report
    # ``_base is None``, jtorch's are ordinary views
    "[p.clone() for p in torch.unsafe_split(x, 2, 1)]",
    "[p.clone() for p in torch.unsafe_chunk(x, 2, 1)]",
    "[p.clone() for p in x.unsafe_split_with_sizes([2, 1], 1)]",
    "torch.view_as_real(torch.tensor([1+2j, 3j]))", "torch.view_as_real(torch.tensor(1j))",
    "torch.view_as_real(torch.tensor([[1+2j, 3j]]).t())", "torch.view_as_real(x)",
    "torch.view_as_complex(torch.tensor([[1., 2.], [3, 4]]))",
    "torch.view_as_complex(torch.ones(2, 2, dtype=torch.float64))",
    "torch.view_as_complex(v)", "torch.view_as_complex(i.view(3, 2))",
    "torch.view_as_complex(torch.ones(2, 2).t())", "torch.view_as_complex(torch.ones(3, 3)[:, :2])",
    "torch.view_as_complex(torch.ones(5)[1:].view(2, 2))",
    "(lambda z: (lambda r: (r.mul_(2), z, z._version))(torch.view_as_real(z)))(torch.tensor([1+2j, 3j]))",
    "(lambda a: (lambda c: (c.mul_(1j), a))(torch.view_as_complex(a)))(torch.tensor([[1., 2.], [3, 4]]))",
    "(lambda a: (lambda c: (a.add_(1), c))(torch.view_as_complex(a)))(torch.tensor([[1., 2.], [3, 4]]))",
    "torch.diagonal_scatter(torch.zeros(3, 3), torch.ones(3))",
    "torch.diagonal_scatter(torch.zeros(3, 3), torch.ones(2), 1)",
    "torch.diagonal_scatter(torch.zeros(3, 3), torch.ones(2))",
    "torch.select_scatter(torch.zeros(2, 2), torch.ones(2), 0, 0)",
    "torch.select_scatter(torch.zeros(2, 2), torch.ones(3), 0, 0)",
    "torch.slice_scatter(torch.zeros(4, 4), torch.ones(1, 4), start=3)",
    "torch.slice_scatter(torch.zeros(4, 6), torch.ones(4, 2), dim=1, start=1, end=5, step=2)",
    "torch.as_strided_scatter(torch.zeros(3, 3), torch.ones(2), (2,), (1,))",
    "torch.narrow_copy(x, 1, 1, 2)", "x.narrow_copy(0, 0, 1)",
    "torch.concatenate([x, x], axis=1)", "torch.cat([x, x], axis=1)",
    "torch.view_copy(x, (3, 2))", "torch.t_copy(x)", "torch.permute_copy(y, (2, 0, 1))",
    "torch.expand_copy(v, (2, 3))", "torch.transpose_copy(x, 0, 1)",
    "torch.squeeze_copy(x[None])", "torch.unsqueeze_copy(v, 0)", "torch.diagonal_copy(x)",
    "torch.select_copy(x, 1, 0)", "torch.detach_copy(x)", "torch.unbind_copy(x)",
    "torch.split_copy(v, 2)", "torch.split_with_sizes_copy(v, [1, 2])",
    "torch.unfold_copy(v, 0, 2, 1)", "torch.as_strided_copy(v, (2, 2), (1, 1))",
    "torch.view_as_real_copy(torch.tensor([1j]))", "torch.view_as_complex_copy(x[:, :2])",
]


@needs_torch
@pytest.mark.parametrize("expr", EXTRA)
def test_shape_extra(expr):
    check(lambda torch: _run(torch, expr), message=True)
