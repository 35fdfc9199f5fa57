"""gather/scatter and the index_* ops against PyTorch: values, errors, gradients."""
import warnings

import numpy as np
import pytest

from oracle import check, check_grad, needs_torch

EXPRS = [
    # gather
    "torch.gather(x, 1, i)", "torch.gather(x, 0, torch.tensor([[1, 0, 1]]))",
    "torch.gather(x, 1, torch.tensor([[3]]))", "torch.gather(x, 1, torch.tensor([[-1]]))",
    "torch.gather(x, 1, torch.tensor([0]))", "torch.gather(x, 1, torch.tensor([[0, 1, 2, 0]]))",
    "torch.gather(x, 1, torch.tensor([[0], [1], [0]]))", "torch.gather(x, 1, i.int())",
    "torch.gather(x, 1, i.float())", "torch.gather(x, 2, i)",
    "torch.gather(torch.tensor(5.), 0, torch.tensor(0))",
    "torch.gather(torch.tensor(5.), 0, torch.tensor([0, 0]))",
    "torch.gather(x, 1, torch.zeros(2, 0, dtype=torch.long))", "torch.gather(x[0], 0, torch.tensor(1))",
    "x.gather(-1, i)", "x.t().gather(1, torch.tensor([[0], [1], [0]]))",
    "torch.gather(x, 0, torch.tensor([[0], [1], [1]]))", "torch.gather(torch.tensor(5.), 0, torch.tensor([1]))",
    # scatter
    "torch.scatter(x, 1, i, torch.full((2, 2), 9.))", "torch.scatter(x, 1, i, 9.)",
    "torch.scatter(x, 1, i, torch.tensor(9.))", "torch.scatter(x, 1, i, 9)", "x.long().scatter(1, i, 9.5)",
    "torch.scatter(x, 1, i, torch.full((1, 1), 9.))", "torch.scatter(x, 1, i, torch.full((2, 2), 9))",
    "torch.scatter(x, 1, torch.tensor([[5]]), 1.)", "torch.scatter(x, 1, i.int(), 1.)",
    "torch.scatter(x, 1, i.float(), 1.)", "torch.scatter(x, 1, torch.tensor([0, 1]), 1.)",
    "torch.scatter(x, 1, torch.tensor([[0, 1, 2, 0]]), 1.)",
    "torch.scatter(x, 1, torch.tensor([[0], [1], [0]]), 1.)",
    "torch.scatter(x, 1, torch.tensor([[0], [1]]), torch.ones(2))",
    "torch.scatter(x, 1, torch.tensor([[0, 1, 1]]), torch.ones(1, 2))",
    "torch.scatter(x, 1, torch.tensor([[-1]]), 1.)", "torch.scatter(x, 1, torch.zeros(0, dtype=torch.long), 1.)",
    "torch.scatter(x, 1, i, torch.full((2, 2), 2.), reduce='add')",
    "torch.scatter(x, 1, i, torch.full((2, 2), 2.), reduce='multiply')",
    "torch.scatter(x, 1, i, 2., reduce='multiply')", "torch.scatter(x, 1, i, 2., reduce='mean')",
    "torch.scatter(torch.tensor(5.), 0, torch.tensor(0), 2.)",
    "torch.scatter(torch.tensor(5.), 0, torch.tensor([0]), torch.tensor([2.]))",
    "x.clone().scatter_(1, i, 2., reduce='add')", "x.clone().scatter_(0, torch.tensor([[1, 1, 0]]), -1.)",
    "torch.scatter(x, 0, torch.tensor([[1, 0, 1], [0, 1, 0]]), torch.arange(10.).view(2, 5))",
    # scatter_add / scatter_reduce
    "torch.scatter_add(x, 1, i, torch.ones(2, 2))", "torch.scatter_add(x, 1, torch.tensor([[0, 0]]), torch.ones(2, 2))",
    "torch.scatter_add(x, 1, i, torch.ones(2, 2, dtype=torch.float64))", "torch.scatter_add(x, 1, i.int(), torch.ones(2, 2))",
    "torch.scatter_add(x.bool(), 1, torch.tensor([[1, 1]]), torch.tensor([[True, False]]))",
    "x.clone().scatter_add_(0, torch.tensor([[1, 1, 1]]), torch.ones(1, 3))",
    "torch.scatter_reduce(x, 1, i, torch.ones(2, 2) * 7, 'amax')",
    "torch.scatter_reduce(x, 1, i, torch.ones(2, 2) * 7, 'amin', include_self=False)",
    "torch.scatter_reduce(x, 1, torch.tensor([[0, 0]]), torch.tensor([[4., 5.]]), 'mean')",
    "torch.scatter_reduce(x, 1, torch.tensor([[0, 0]]), torch.tensor([[4., 5.]]), 'mean', include_self=False)",
    "torch.scatter_reduce(x.long(), 1, torch.tensor([[0, 0]]), torch.tensor([[4, 6]]), 'mean')",
    "torch.scatter_reduce(x.long(), 1, torch.tensor([[1, 1]]), torch.tensor([[-4, -3]]), 'mean', include_self=False)",
    "torch.scatter_reduce(x, 1, i, torch.ones(2, 2) * 3, 'prod')", "torch.scatter_reduce(x, 1, i, torch.ones(2, 2), 'foo')",
    "torch.scatter_reduce(x, 1, i, torch.ones(2, 2), 'sum', include_self=False)",
    "torch.scatter_reduce(x.long(), 0, torch.tensor([[1, 1, 1]]), torch.tensor([[-4, 9, 5]]), 'amax', include_self=False)",
    "torch.scatter_reduce(x, 1, torch.tensor([[7]]), torch.ones(2, 2), 'sum')",
    "torch.scatter_reduce(x.bool(), 1, torch.tensor([[1, 1]]), torch.tensor([[True, False]]), 'sum')",
    "x.clone().scatter_reduce_(1, torch.tensor([[2, 2]]), torch.tensor([[-3., 4.]]), 'prod', include_self=False)",
    # index_select
    "x.index_select(1, torch.tensor([2, 0, 2]))", "x.index_select(0, torch.tensor([[1]]))",
    "x.index_select(0, torch.tensor(1))", "x.index_select(0, torch.tensor([2]))",
    "x.index_select(0, torch.tensor([1.]))", "x.index_select(0, torch.tensor([1], dtype=torch.int32))",
    "torch.tensor(5.).index_select(0, torch.tensor([0]))", "torch.tensor(5.).index_select(0, torch.tensor(0))",
    "x.index_select(0, torch.tensor([-1]))", "x.index_select(0, torch.tensor([]).long())",
    "x.index_select(2, torch.tensor([0]))", "torch.index_select(torch.tensor(5.), 0, torch.tensor([1]))",
    "torch.tensor(5.).index_select(0, torch.tensor([0, 0]))", "x.t().index_select(0, torch.tensor([1, 1]))",
    # index_add
    "x.index_add(1, torch.tensor([0, 0]), torch.ones(2, 2))",
    "x.index_add(1, torch.tensor([0, 0]), torch.ones(2, 2), alpha=2)",
    "x.index_add(1, torch.tensor([0, 0]), torch.ones(2, 3))", "x.index_add(1, torch.tensor([0, 0]), torch.ones(1, 2))",
    "x.index_add(1, torch.tensor([0, 3]), torch.ones(2, 2))",
    "x.index_add(1, torch.tensor([0, 0]), torch.ones(2, 2, dtype=torch.long))",
    "x.index_add(0, torch.tensor([[0]]), torch.ones(1, 3))",
    "x.long().index_add(1, torch.tensor([0]), torch.full((2, 1), 3), alpha=2.5)",
    "x.index_add(1, torch.tensor([-1]), torch.ones(2, 1))", "x.index_add(1, torch.tensor([0.]), torch.ones(2, 1))",
    "x.index_add(1, torch.tensor([0]).int(), torch.ones(2, 1))", "x.index_add(1, torch.tensor(0), torch.ones(2, 1))",
    "x.index_add(1, torch.tensor(0), torch.ones(2))", "x.clone().index_add_(0, torch.tensor([1, 1]), torch.ones(2, 3))",
    # index_copy
    "x.index_copy(1, torch.tensor([2, 0]), torch.ones(2, 2) * 7)",
    "x.index_copy(1, torch.tensor([2, 0]), torch.ones(2, 3) * 7)",
    "x.index_copy(1, torch.tensor([2, 0]).int(), torch.ones(2, 2) * 7)",
    "x.index_copy(1, torch.tensor([-1]), torch.ones(2, 1))", "x.index_copy(1, torch.tensor([3]), torch.ones(2, 1))",
    "x.index_copy(1, torch.tensor([1]), torch.ones(2, 1).long())", "x.index_copy(1, torch.tensor([1]), torch.ones(3, 1))",
    "x.index_copy(1, torch.tensor([[1]]), torch.ones(2, 1))",
    "y.index_copy(1, torch.tensor([0]), torch.ones(2, 1, 5))", "y.index_copy(1, torch.tensor([0]), torch.ones(2, 1))",
    "y.index_copy(1, torch.tensor([0, 1]), torch.tensor(1.))", "x.clone().index_copy_(0, torch.tensor([1]), -x[:1])",
    # index_fill
    "x.index_fill(1, torch.tensor([2, 0]), -1)", "x.index_fill(1, torch.tensor([2, 0]), torch.tensor(-1.))",
    "x.index_fill(1, torch.tensor([2, 0]), torch.tensor([-1.]))", "x.index_fill(1, torch.tensor([5]), -1)",
    "x.index_fill(1, torch.tensor([-1]), -1)", "x.index_fill(1, torch.tensor([-4]), -1)",
    "x.index_fill(1, torch.tensor([1]).int(), -1)", "x.index_fill(1, torch.tensor([[1]]), -1)",
    "x.long().index_fill(1, torch.tensor([1]), 2.5)", "x.long().index_fill(1, torch.tensor([1]), torch.tensor(2.5))",
    "x.index_fill(1, torch.tensor([1]), torch.tensor(2, dtype=torch.float64))",
    "x.clone().index_fill_(0, torch.tensor([1, 1]), 3)",
    # index_reduce
    "x.index_reduce(1, torch.tensor([0, 0]), torch.ones(2, 2) * 3, 'prod')",
    "x.index_reduce(1, torch.tensor([0, 0]), torch.ones(2, 2) * 3, 'mean')",
    "x.index_reduce(1, torch.tensor([0, 0]), torch.ones(2, 2) * 3, 'amax', include_self=False)",
    "x.index_reduce(1, torch.tensor([0, 2]), torch.ones(2, 2) * 3, 'amin')",
    "x.index_reduce(1, torch.tensor([0, 0]), torch.ones(2, 2) * 3, 'sum')",
    "x.index_reduce(1, torch.tensor([3]), torch.ones(2, 1), 'prod')",
    "x.index_reduce(1, torch.tensor([-1]), torch.ones(2, 1), 'prod')",
    "x.index_reduce(1, torch.tensor([0]), torch.ones(2, 1).long(), 'prod')",
    "x.index_reduce(1, torch.tensor([0]).int(), torch.ones(2, 1), 'prod')",
    "x.index_reduce(1, torch.tensor([0, 1]), torch.ones(2, 1), 'prod')",
    "x.long().index_reduce(0, torch.tensor([1, 1]), torch.tensor([[1, 2, 3], [-7, 0, 9]]), 'mean', include_self=False)",
    # take_along_dim
    "torch.take_along_dim(x, torch.tensor([[0], [2]]), 1)", "torch.take_along_dim(x, torch.tensor([5, 0]))",
    "torch.take_along_dim(x, torch.tensor([[0, 1]]), 0)", "torch.take_along_dim(x, torch.tensor([[[0, 1]]]), 0)",
    "torch.take_along_dim(x, torch.tensor([[0], [2]]).float(), 1)", "torch.take_along_dim(x, torch.tensor([[-1]]), 1)",
    "torch.take_along_dim(x, torch.tensor([[0, 1, 1, 1]]), 1)", "torch.take_along_dim(x, torch.tensor([[0], [1]]).int(), 1)",
    "torch.take_along_dim(x, torch.tensor([6]))", "torch.take_along_dim(x, torch.tensor([[0], [1]]), 0)",
    "torch.take_along_dim(x.view(2, 3, 1), torch.tensor([[[0]], [[1]]]), 1)",
]


@needs_torch
@pytest.mark.parametrize("expr", EXPRS)
def test_scatter_family(expr):
    def f(torch):
        x = torch.arange(6.0).view(2, 3)
        env = {"torch": torch, "x": x, "i": torch.tensor([[0, 2], [1, 0]]),
               "y": torch.arange(24.0).view(2, 3, 4)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = eval(expr, env)
        return r, r.stride(), x
    check(f, message=True)


A = np.array([[1.0, -2.0, 0.0, 3.0], [0.0, 5.0, -1.0, 2.0], [4.0, 4.0, 0.5, -3.0]], np.float32)
S = np.array([[2.0, 0.0, 3.0], [-1.0, 4.0, 4.0], [0.0, 0.0, 1.5]], np.float32)
IDX = [[0, 0, 3], [1, 2, 1], [3, 3, 3]]

GRADS = [
    lambda torch, a: torch.gather(a, 1, torch.tensor(IDX)),
    lambda torch, a: torch.gather(a, 0, torch.tensor([[2, 0, 0, 1]])),
    lambda torch, a, s: torch.scatter(a, 1, torch.tensor(IDX), s),
    lambda torch, a: torch.scatter(a, 1, torch.tensor(IDX), 2.5),
    lambda torch, a, s: torch.scatter_add(a, 1, torch.tensor(IDX), s),
    lambda torch, a: torch.index_select(a, 1, torch.tensor([3, 0, 3])),
    lambda torch, a, s: a.index_add(1, torch.tensor([3, 0, 3]), s, alpha=-2),
    lambda torch, a, s: a.index_copy(1, torch.tensor([3, 0, 3]), s),
    lambda torch, a: a.index_fill(1, torch.tensor([3, 0, 3]), -1.0),
    lambda torch, a, v: a.index_fill(1, torch.tensor([3, 0, 3]), v.sum()),
    lambda torch, a: torch.take_along_dim(a, torch.tensor([[0], [3], [-1]]), 1),
    lambda torch, a: torch.take_along_dim(a, torch.tensor([11, 0, 0])),
]


@needs_torch
@pytest.mark.parametrize("k", range(len(GRADS)))
def test_grads(k):
    fn = GRADS[k]
    n = fn.__code__.co_argcount - 1
    check_grad(fn, *(A, S)[:n])


@needs_torch
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_grads(reduce, include_self):
    check_grad(lambda torch, a, s: torch.scatter_reduce(
        a, 1, torch.tensor(IDX), s, reduce, include_self=include_self), A, S)


@needs_torch
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_grads(reduce, include_self):
    def fn(torch, a, s):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return a.index_reduce(1, torch.tensor([3, 0, 3]), s, reduce,
                                  include_self=include_self)
    check_grad(fn, A, S)


@needs_torch
def test_grad_fn_names():
    def f(torch):
        x = torch.arange(6.0).view(2, 3).requires_grad_()
        i = torch.tensor([[0]])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs = [torch.take_along_dim(x, torch.tensor([[0], [2]]), 1),
                    torch.scatter(x, 1, i, 2.0, reduce="multiply"), torch.scatter(x, 1, i, 2.0),
                    torch.scatter(x, 1, i, torch.ones(1, 1)), torch.scatter_add(x, 1, i, x),
                    torch.scatter_reduce(x, 1, i, torch.ones(1, 1), "amax"),
                    x.index_add(1, torch.tensor([0]), torch.ones(2, 1)),
                    x.index_fill(1, torch.tensor([0]), 1),
                    x.index_fill(1, torch.tensor([0]), torch.tensor(1.0)),
                    x.index_copy(1, torch.tensor([0]), torch.ones(2, 1)),
                    x.index_select(1, torch.tensor([0])), x.gather(1, i),
                    x.index_reduce(1, torch.tensor([0]), torch.ones(2, 1), "prod")]
        return [type(o.grad_fn).__name__ for o in outs]
    check(f)


@needs_torch
def test_warn_once():
    def f(torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            x = torch.zeros(3)
            x.index_reduce(0, torch.tensor([0]), torch.ones(1), "amax")
            x.index_reduce(0, torch.tensor([0]), torch.ones(1), "amax")
        return len([m for m in w if "beta" in str(m.message)]) <= 1
    check(f)
