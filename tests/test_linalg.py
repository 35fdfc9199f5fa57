"""Linear algebra products against PyTorch: matmul and friends, einsum, tensordot, kron, cross,
cdist, trace, multi_dot — values, dtypes, errors (word for word), grad_fn names, gradients."""
import warnings

import numpy as np
import pytest

import jtorch
from oracle import check, check_grad, needs_torch, TORCH


def _arr(shape, dtype="float32", seed=0):
    r = np.random.default_rng(seed + 7 * len(shape) + sum(shape))
    if dtype == "bool":
        return r.random(shape) > 0.5
    if dtype.startswith(("int", "uint")):
        return r.integers(0, 5, shape).astype(dtype)
    a = r.standard_normal(shape)
    if dtype.startswith("complex"):
        a = a + 1j * r.standard_normal(shape)
    return a.astype(dtype)


def _env(lib):
    def R(*shape, dtype="float32", seed=0):
        return lib.tensor(_arr(shape, dtype, seed))

    def Z(*shape, dtype="float32", seed=0):
        t = lib.tensor(_arr(shape, dtype, seed))
        return t.requires_grad_(True)

    return {"torch": lib, "R": R, "Z": Z, "I": lambda *s: R(*s, dtype="int64"),
            "Dd": lambda *s: R(*s, dtype="float64"), "B": lambda *s: R(*s, dtype="bool"),
            "H": lambda *s: R(*s, dtype="float16"), "C": lambda *s: R(*s, dtype="complex64"),
            "inf": float("inf"), "nan": float("nan")}


def run_expr(expr, **kw):
    def fn(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return eval(expr, _env(lib))
    return check(fn, **kw)


MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
    ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)),
    ((5, 2, 3), (1, 3, 4)), ((1, 5, 2, 3), (7, 1, 3, 4)), ((5, 1, 3), (3,)), ((0, 3), (3, 2)),
    ((2, 0), (0, 3)), ((0, 2, 3), (3, 4)), ((2, 3), (7, 5, 3, 4)), ((3,), (7, 5, 3, 4)),
    ((7, 5, 2, 3), (3,)), ((5, 1, 2, 3), (5, 3, 4)),
]


@needs_torch
@pytest.mark.parametrize("a,b", MATMUL_SHAPES)
def test_matmul_shapes(a, b):
    run_expr(f"R(*{a}) @ R(*{b}, seed=1)", rtol=1e-5, atol=1e-5)
    run_expr(f"torch.matmul(R(*{a}), R(*{b}, seed=1))", rtol=1e-5, atol=1e-5)


@needs_torch
@pytest.mark.parametrize("a,b", MATMUL_SHAPES)
@pytest.mark.parametrize("ga,gb", [(True, True), (True, False), (False, True)])
def test_matmul_grad_fn(a, b, ga, gb):
    def fn(lib):
        env = _env(lib)
        x = env["Z" if ga else "R"](*a)
        y = env["Z" if gb else "R"](*b, seed=1)
        r = x @ y
        return type(r.grad_fn).__name__
    check(fn)


@needs_torch
@pytest.mark.parametrize("a,b", [s for s in MATMUL_SHAPES if 0 not in s[0] + s[1]])
def test_matmul_grad(a, b):
    check_grad(lambda lib, x, y: lib.matmul(x, y), _arr(a), _arr(b, seed=1), rtol=1e-4,
               atol=1e-5)


def test_matmul_operator_types():
    x = jtorch.ones(2, 2)
    with pytest.raises(TypeError):
        x @ 2
    y = x
    x @= jtorch.ones(2, 2)  # PyTorch has no __imatmul__: x is rebound to a new tensor
    assert x is not y


MATMUL_ERRORS = [
    "torch.tensor(1.) @ R(2, 2)", "R(2) @ torch.tensor(1.)", "R(2, 3) @ R(4, 5)", "R(3) @ R(4)",
    "R(2, 3) @ R(4)", "R(3) @ R(4, 5)", "R(5, 2, 3) @ R(4, 5)", "R(5, 2, 3) @ R(6, 3, 4)",
    "R(2, 3) @ Dd(3, 4)", "I(2, 3) @ R(3, 4)", "R(2, 3) @ R(5, 4, 6)", "R(3) @ R(5, 4, 6)",
    "R(5, 2, 3) @ R(5, 4, 4)", "R(5, 2, 3) @ R(4)", "R(5, 2, 3) @ Dd(3)", "R(5, 2, 3) @ Dd(3, 4)",
    "R(2, 3) @ Dd(5, 3, 4)", "R(3) @ Dd(5, 3, 4)", "R(5, 2, 3) @ Dd(5, 3, 4)", "R(3) @ Dd(3, 4)",
    "R(2, 3) @ Dd(3)", "R(3) @ Dd(3)", "B(2, 3) @ B(5, 3, 4)", "B(3) @ B(3, 4)", "B(3) @ B(3)",
    "B(2, 3) @ B(3)", "B(5, 2, 3) @ B(3, 4)", "R(7, 1, 2, 3) @ R(5, 4, 4)", "R(3, 2) @ R(2, 3, 4)",
    "Z(2, 3) @ R(5, 4, 6)", "Z(3) @ R(5, 4, 6)", "R(5, 3, 2).transpose(1, 2) @ R(4, 5)",
    "R(5, 2, 3) @ Z(4, 5)", "R(5, 2, 3) @ Z(4)",
]


@needs_torch
@pytest.mark.parametrize("expr", MATMUL_ERRORS)
def test_matmul_errors(expr):
    run_expr(expr, message=True)


@needs_torch
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64", "float16",
                                   "bfloat16", "float32", "float64", "complex64"])
@pytest.mark.parametrize("op", ["mm", "matmul", "bmm", "mv", "dot", "vdot", "b1"])
def test_product_dtypes(dtype, op):
    shapes = {"mm": ((2, 3), (3, 4)), "matmul": ((2, 2, 3), (3, 4)), "bmm": ((2, 2, 3), (2, 3, 4)),
              "mv": ((2, 3), (3,)), "dot": ((3,), (3,)), "vdot": ((3,), (3,)),
              "b1": ((3,), (2, 3, 4))}
    a, b = shapes[op]
    fn = "matmul" if op == "b1" else op

    def f(lib):
        dt = getattr(lib, dtype)
        if dtype == "bfloat16":
            x = lib.tensor(_arr(a)).to(dt)
            y = lib.tensor(_arr(b, seed=1)).to(dt)
        else:
            x = lib.tensor(_arr(a, dtype))
            y = lib.tensor(_arr(b, dtype, seed=1))
        return getattr(lib, fn)(x, y)

    tol = 1e-2 if dtype in ("float16", "bfloat16") else 1e-5
    check(f, rtol=tol, atol=tol)


PRODUCT_EXPRS = [
    "torch.mm(R(2, 3), R(3, 4))", "torch.mm(R(2, 3), R(3))", "torch.mm(R(3), R(3, 4))",
    "torch.mm(R(2, 3), R(4, 5))", "torch.mm(B(2, 2), B(2, 2))", "torch.mm(R(2, 3), Dd(3, 4))",
    "torch.mm(I(2, 3), R(3, 4))", "torch.mm(C(2, 3), C(3, 4))",
    "torch.bmm(R(2, 2, 3), R(2, 3, 4))", "torch.bmm(R(2, 3), R(4, 5))",
    "torch.bmm(R(2, 2, 3), R(2, 4))", "torch.bmm(R(2, 2, 3), R(3, 4, 5))",
    "torch.bmm(R(2, 2, 3), R(2, 4, 5))", "torch.bmm(R(2, 2, 3), Dd(2, 3, 4))",
    "torch.bmm(B(1, 2, 2), B(1, 2, 2))",
    "torch.mv(R(2, 3), R(3))", "torch.mv(R(2, 3), R(4))", "torch.mv(R(3), R(3))",
    "torch.mv(R(2, 3), Dd(3))", "torch.mv(Dd(2, 3), R(3))", "torch.mv(B(2, 2), B(2))",
    "torch.dot(R(3), R(3))", "torch.dot(R(3), R(4))", "torch.dot(R(3, 1), R(3))",
    "torch.dot(R(3), Dd(3))", "torch.dot(B(2), B(2))", "torch.vdot(C(3), C(3, seed=2))",
    "torch.vdot(R(3), Dd(3))", "torch.dot(C(3), C(3, seed=2))",
    "torch.inner(R(3), R(3))", "torch.inner(R(2, 3), R(4, 3))", "torch.inner(R(2, 3), R(4))",
    "torch.inner(torch.tensor(2.), R(4, 3))", "torch.inner(torch.tensor(2), R(3))",
    "torch.inner(R(3), Dd(3))", "torch.inner(I(2, 3), R(3))", "torch.inner(R(2, 5, 3), R(4, 3))",
    "torch.outer(R(3), R(2))", "torch.ger(R(3), R(2))", "torch.outer(R(2, 3), R(4))",
    "torch.outer(R(2), R(2, 3))", "torch.outer(I(3), R(2))", "torch.outer(B(3), B(2))",
    "R(3).outer(R(2))", "R(3).ger(R(2))",
    "torch.kron(R(2, 3), R(3, 2))", "torch.kron(R(2, 3), R(3))", "torch.kron(I(2), R(2))",
    "torch.kron(torch.tensor(2.), R(2))", "torch.kron(R(2, 1, 2), R(3, 2))",
    "torch.tensordot(R(2, 3), R(3, 4), dims=1)", "torch.tensordot(R(2, 3, 4), R(3, 4, 5))",
    "torch.tensordot(R(2, 3), R(4, 4), dims=1)", "torch.tensordot(R(2, 3), R(3, 4), dims=([1], [1]))",
    "torch.tensordot(R(2, 3), Dd(3, 2), 1)", "torch.tensordot(R(2, 3), R(3, 2), -1)",
    "torch.tensordot(R(2, 3), R(3, 2), 3)", "torch.tensordot(R(2, 3), R(3, 2), ([0], [0, 1]))",
    "torch.tensordot(I(2, 3), I(3, 2), 1)", "torch.tensordot(R(2, 3), R(3, 2), 0)",
    "torch.tensordot(R(2, 3), R(3, 2), [[1], [0]])", "torch.tensordot(R(2, 3), R(3, 2), torch.tensor(1))",
    "torch.tensordot(R(2, 3), R(3, 2), (1, 0))", "torch.tensordot(R(2, 3, 4), R(4, 3), ([1, 2], [1, 0]))",
    "torch.tensordot(R(2, 3, 4), R(4, 3), ([-1, -2], [0, 1]))",
    "torch.trace(R(3, 3))", "torch.trace(R(2, 4))", "torch.trace(R(3))", "torch.trace(R(2, 2, 2))",
    "torch.trace(I(3, 3))", "torch.trace(B(2, 2))", "torch.trace(H(2, 2))",
    "torch.trace(R(3, 3).to(torch.int32))", "R(3, 3).trace()",
]


@needs_torch
@pytest.mark.parametrize("expr", PRODUCT_EXPRS)
def test_products(expr):
    run_expr(expr, message=True, rtol=1e-5, atol=1e-5)


ADD_EXPRS = [
    "torch.addmm(R(2, 4), R(2, 3), R(3, 4))", "torch.addmm(R(4), R(2, 3), R(3, 4))",
    "torch.addmm(R(2, 4), R(2, 3), R(3, 4), beta=0.5, alpha=2)",
    "torch.addmm(R(2, 4) * nan, R(2, 3), R(3, 4), beta=0)",
    "torch.addmm(I(2, 2), I(2, 2), I(2, 2), beta=1.5, alpha=2.7)",
    "torch.addmm(I(2, 2), I(2, 2), I(2, 2), beta=1j)", "torch.addmm(R(2, 2), R(2, 2), R(2, 2), beta=1j)",
    "torch.addmm(R(2, 2), R(2, 2), R(2, 2), beta=True)",
    "torch.addmm(R(2, 2), R(2, 2), R(2, 2), beta=torch.tensor(2.))",
    "torch.addmm(R(2, 4), R(2, 3), R(4, 4))", "torch.addmm(R(3, 4), R(2, 3), R(3, 4))",
    "torch.addmm(Dd(2, 2), R(2, 2), R(2, 2))", "torch.addmm(I(2, 2), R(2, 2), R(2, 2))",
    "torch.addmm(R(2, 2, 2), R(2, 2), R(2, 2))", "torch.addmm(R(2, 2), R(2), R(2, 2))",
    "torch.addmm(R(2, 2), R(2, 2), R(2))",
    "torch.addmv(R(2), R(2, 3), R(3))", "torch.addmv(R(1), R(2, 3), R(3), beta=2, alpha=0.5)",
    "torch.addmv(R(3), R(2, 3), R(3))", "torch.addmv(R(2, 2), R(2, 2), R(2))",
    "torch.addmv(Dd(2), R(2, 2), R(2))", "torch.addmv(R(2) * nan, R(2, 2), R(2), beta=0)",
    "torch.addr(R(2, 3), R(2), R(3))", "torch.addr(R(2, 2), R(2), R(3))",
    "torch.addr(R(2, 2), R(2, 1), R(2))", "torch.addr(I(2, 2), R(2), R(2))",
    "torch.addr(R(2, 2), I(2), I(2))", "torch.addr(B(2, 2), B(2), B(2))",
    "torch.addr(B(2, 2), B(2), B(2), beta=2)", "torch.addr(B(2, 2), B(2), B(2), beta=0)",
    "torch.addr(B(2, 2), B(2), B(2), beta=0.5)", "torch.addr(R(2, 2), B(2), B(2), beta=True)",
    "torch.addr(I(2, 2), I(2), I(2), beta=0.5)", "torch.addr(I(2, 2), I(2), I(2), beta=3, alpha=2)",
    "torch.addr(B(2, 2), B(2), B(2), alpha=False)", "torch.addr(R(3), R(2), R(3), alpha=2)",
    "torch.baddbmm(R(5, 2, 4), R(5, 2, 3), R(5, 3, 4))", "torch.baddbmm(R(2, 4), R(5, 2, 3), R(5, 3, 4))",
    "torch.baddbmm(R(2, 2, 4), R(2, 2, 3), R(2, 3, 5))", "torch.baddbmm(R(1, 2, 2), R(2, 2), R(1, 2, 2))",
    "torch.baddbmm(Dd(1, 2, 2), R(1, 2, 2), R(1, 2, 2))",
    "torch.baddbmm(R(5, 2, 4), R(5, 2, 3), R(5, 3, 4), beta=0.5, alpha=-1)",
    "torch.addbmm(R(2, 4), R(5, 2, 3), R(5, 3, 4))", "torch.addbmm(R(4), R(5, 2, 3), R(5, 3, 4), alpha=3)",
    "torch.addbmm(R(2, 4), R(2, 2, 3), R(2, 3, 5))", "torch.addbmm(R(2, 2), R(2, 2), R(1, 2, 2))",
    "torch.addbmm(Dd(2, 2), R(1, 2, 2), R(1, 2, 2))", "torch.addbmm(R(2, 2), R(1, 2, 2), R(2, 2, 2))",
    "R(2, 4).addmm(R(2, 3), R(3, 4))", "R(2, 4).addmm_(R(2, 3), R(3, 4), beta=2)",
    "R(2).addmv_(R(2, 3), R(3))", "R(2, 3).addr_(R(2), R(3))",
    "R(2, 4).addbmm_(R(5, 2, 3), R(5, 3, 4))", "R(5, 2, 4).baddbmm_(R(5, 2, 3), R(5, 3, 4))",
    "R(4).addmm_(R(2, 3), R(3, 4))",
]


@needs_torch
@pytest.mark.parametrize("expr", ADD_EXPRS)
def test_add_products(expr):
    run_expr(expr, message=True, rtol=1e-5, atol=1e-5)


GRAD_CASES = [
    ("mm", lambda t, a, b: t.mm(a, b), [(2, 3), (3, 4)]),
    ("bmm", lambda t, a, b: t.bmm(a, b), [(2, 2, 3), (2, 3, 4)]),
    ("mv", lambda t, a, b: t.mv(a, b), [(2, 3), (3,)]),
    ("dot", lambda t, a, b: t.dot(a, b), [(3,), (3,)]),
    ("vdot", lambda t, a, b: t.vdot(a, b), [(3,), (3,)]),
    ("inner", lambda t, a, b: t.inner(a, b), [(2, 3), (4, 3)]),
    ("outer", lambda t, a, b: t.outer(a, b), [(3,), (2,)]),
    ("kron", lambda t, a, b: t.kron(a, b), [(2, 3), (3, 2)]),
    ("tensordot", lambda t, a, b: t.tensordot(a, b, dims=([1, 0], [0, 2])), [(3, 2, 4), (2, 5, 3)]),
    ("addmm", lambda t, c, a, b: t.addmm(c, a, b, beta=0.5, alpha=2), [(4,), (2, 3), (3, 4)]),
    ("addmv", lambda t, c, a, b: t.addmv(c, a, b, beta=0.5, alpha=2), [(2,), (2, 3), (3,)]),
    ("addr", lambda t, c, a, b: t.addr(c, a, b, beta=0.5, alpha=2), [(2, 3), (2,), (3,)]),
    ("addbmm", lambda t, c, a, b: t.addbmm(c, a, b, beta=0.5, alpha=2), [(2, 4), (5, 2, 3), (5, 3, 4)]),
    ("baddbmm", lambda t, c, a, b: t.baddbmm(c, a, b, alpha=2), [(1, 2, 4), (5, 2, 3), (5, 3, 4)]),
    ("trace", lambda t, a: t.trace(a), [(3, 4)]),
    ("cross", lambda t, a, b: t.cross(a, b, dim=0), [(3, 2), (3, 1)]),
    ("lcross", lambda t, a, b: t.linalg.cross(a, b), [(2, 3), (2, 3)]),
    ("cdist2", lambda t, a, b: t.cdist(a, b), [(4, 3), (5, 3)]),
    ("cdist2mm", lambda t, a, b: t.cdist(a, b), [(30, 3), (5, 3)]),
    ("cdist1", lambda t, a, b: t.cdist(a, b, p=1), [(4, 3), (5, 3)]),
    ("cdist3", lambda t, a, b: t.cdist(a, b, p=3), [(2, 4, 3), (1, 5, 3)]),
    ("cdist05", lambda t, a, b: t.cdist(a, b, p=0.5), [(4, 3), (5, 3)]),
    ("cdistinf", lambda t, a, b: t.cdist(a, b, p=float("inf")), [(4, 3), (5, 3)]),
    ("multi_dot", lambda t, a, b, c: t.linalg.multi_dot([a, b, c]), [(3,), (3, 4), (4, 2)]),
    ("vecdot", lambda t, a, b: t.linalg.vecdot(a, b, dim=0), [(3, 2), (3, 1)]),
    ("einsum", lambda t, a, b: t.einsum("bij,bjk->bik", a, b), [(2, 2, 3), (2, 3, 4)]),
    ("einsum_diag", lambda t, a: t.einsum("ii->i", a), [(3, 3)]),
    ("einsum_sum", lambda t, a: t.einsum("ij->j", a), [(3, 2)]),
    ("einsum_ell", lambda t, a, b: t.einsum("...ij,...j->...i", a, b), [(2, 3, 4), (1, 4)]),
]


@needs_torch
@pytest.mark.parametrize("name,fn,shapes", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_product_grads(name, fn, shapes):
    arrs = [_arr(s, seed=i) for i, s in enumerate(shapes)]
    check_grad(fn, *arrs, rtol=1e-4, atol=1e-5)


@needs_torch
@pytest.mark.parametrize("name,fn,shapes", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_product_grad_fn_names(name, fn, shapes):
    def f(lib):
        ts = [lib.tensor(_arr(s, seed=i)).requires_grad_(True) for i, s in enumerate(shapes)]
        r = fn(lib, *ts)
        return type(r.grad_fn).__name__
    check(f)


CROSS_CDIST = [
    "torch.cross(R(2, 3), R(2, 3), dim=1)", "torch.cross(R(3, 2), R(3, 2))",
    "torch.cross(R(2, 3), R(3))", "torch.cross(R(4, 3), R(1, 3), dim=-1)",
    "torch.cross(R(2, 3), Dd(2, 3), dim=1)", "torch.cross(I(2, 3), I(2, 3), dim=1)",
    "torch.cross(R(2, 2), R(2, 2))", "torch.cross(R(3, 2), R(3, 2), dim=1)",
    "torch.cross(R(3), R(4))", "torch.linalg.cross(R(2, 3), R(2, 3))",
    "torch.linalg.cross(R(3, 2), R(3, 2))", "torch.linalg.cross(R(2, 3), R(2, 3), dim=5)",
    "torch.linalg.cross(R(3, 2), R(3, 2), dim=0)", "R(2, 3).cross(R(2, 3), dim=1)",
    "torch.cdist(R(4, 3), R(5, 3))", "torch.cdist(R(4, 3), R(5, 3), p=1)",
    "torch.cdist(R(4, 3), R(5, 3), p=0)", "torch.cdist(R(4, 3), R(5, 3), p=inf)",
    "torch.cdist(R(4, 3), R(5, 3), p=3)", "torch.cdist(R(30, 3), R(5, 3))",
    "torch.cdist(R(4, 3), R(5, 3), compute_mode='use_mm_for_euclid_dist')",
    "torch.cdist(R(40, 3), R(5, 3), compute_mode='donot_use_mm_for_euclid_dist')",
    "torch.cdist(R(2, 4, 3), R(5, 3))", "torch.cdist(R(2, 1, 4, 3), R(3, 5, 3))",
    "torch.cdist(R(3), R(3))", "torch.cdist(R(2, 3), R(2, 4))", "torch.cdist(R(2, 3), R(2, 3), p=-1)",
    "torch.cdist(I(2, 3), R(2, 3))", "torch.cdist(R(2, 3), R(2, 3), compute_mode='bad')",
    "torch.cdist(R(2, 3), Dd(2, 3))", "torch.cdist(R(3, 2, 3), R(2, 2, 3))",
    "torch.cdist(R(2, 3), H(2, 3))", "torch.cdist(H(2, 3), H(2, 3))", "torch.cdist(R(0, 3), R(2, 3))",
    "torch.cdist(R(2, 0), R(2, 0))", "torch.cdist(Dd(4, 3), Dd(5, 3))",
    "torch.cdist(torch.tensor([[0., 0.], [3., 4.]]), torch.tensor([[0., 0.], [3., 0.]]))",
]


@needs_torch
@pytest.mark.parametrize("expr", CROSS_CDIST)
def test_cross_cdist(expr):
    run_expr(expr, message=True, rtol=1e-5, atol=1e-5)


def test_cross_warns_without_dim():
    with pytest.warns(UserWarning, match="without specifying the dim arg is deprecated"):
        jtorch.cross(jtorch.ones(3), jtorch.ones(3))


@needs_torch
def test_cdist_zero_distance_grad():
    x = np.array([[0., 0.], [1., 2.]], np.float32)
    check_grad(lambda t, a, b: t.cdist(a, b), x, x.copy())
    check_grad(lambda t, a, b: t.cdist(a, b, p=1), x, x.copy())


EINSUM_EXPRS = [
    "torch.einsum('ij,jk->ik', R(2, 3), R(3, 4))", "torch.einsum('ii', R(3, 3))",
    "torch.einsum('ij->ji', R(2, 3))", "torch.einsum('ij->j', R(2, 3))",
    "torch.einsum('i,i->', R(2), R(2, seed=1))", "torch.einsum('i,j->ij', I(2), I(3))",
    "torch.einsum('bij,bjk->bik', R(2, 2, 3), R(2, 3, 2))",
    "torch.einsum('bij,bjk->bik', [R(2, 2, 3), R(2, 3, 2)])",
    "torch.einsum('ij,jk', R(2, 3))", "torch.einsum('i', R(2), R(2))", "torch.einsum('i1', R(2, 2))",
    "torch.einsum('i.j', R(2, 2))", "torch.einsum('...i...', R(2, 2))",
    "torch.einsum('ij->i.', R(2, 2))", "torch.einsum('ij->......', R(2, 2))",
    "torch.einsum('ijk->i', R(2, 2))", "torch.einsum('...ijk->i', R(2, 2))",
    "torch.einsum('...i,...i->...', R(2, 3), R(4, 3))", "torch.einsum('...i,...i->...', R(2, 3), R(1, 3))",
    "torch.einsum('i,i', B(2), B(2))", "torch.einsum('i,i', I(2), I(2))",
    "torch.einsum('ij,jk->ik', R(2, 1), R(3, 4))", "torch.einsum('ij,jk->ik', R(2, 3), R(1, 4))",
    "torch.einsum('ba', R(2, 3))", "torch.einsum('Ba', R(2, 3))", "torch.einsum('aB', R(2, 3))",
    "torch.einsum('...ij', R(5, 2, 3))", "torch.einsum('ij...', R(2, 3, 5))",
    "torch.einsum('i j , j k -> i k', R(2, 3), R(3, 4))",
    "torch.einsum(R(2, 3), [0, 1], R(3, 4), [1, 2], [0, 2])", "torch.einsum(R(2, 3), [0, 1], R(3, 4), [1, 2])",
    "torch.einsum(R(2, 3), [Ellipsis, 1], R(3, 4), [1, 2])",
    "torch.einsum('ij-k', R(2, 3))", "torch.einsum('ij->k', R(2, 3))", "torch.einsum('i->ii', R(2))",
    "torch.einsum('ii->i', R(2, 3))", "torch.einsum('i,i', R(2), Dd(2))", "torch.einsum('ii', H(2, 2))",
    "torch.einsum('ij,kl->', R(2, 3), R(4, 5))", "torch.einsum('iij', R(3, 3, 2))",
    "torch.einsum(1, R(2))", "torch.einsum('i')", "torch.einsum()", "torch.einsum('ij', [R(2, 3)])",
    "torch.einsum('ij', (R(2, 3),))", "torch.einsum('i,i->i', R(3), R(1))", "torch.einsum('ii->i', R(1, 3))",
    "torch.einsum('ij,jk,kl->il', R(2, 3), R(3, 4), R(4, 5))", "torch.einsum('...ii->...i', R(4, 3, 3))",
    "torch.einsum('bn,anm,bm->ba', R(2, 3), R(4, 3, 5), R(2, 5))", "torch.einsum('ij->', R(2, 3))",
    "torch.einsum('i...->...', R(2, 3, 4))", "torch.einsum('...', R(2, 3))",
    "torch.einsum('ij,ij->ij', R(2, 3), R(2, 3, seed=1))",
]


@needs_torch
@pytest.mark.parametrize("expr", EINSUM_EXPRS)
def test_einsum(expr):
    run_expr(expr, message=True, rtol=1e-5, atol=1e-5)


@needs_torch
def test_einsum_transpose_is_view():
    a = jtorch.arange(6.0).view(2, 3)
    t = jtorch.einsum("ij->ji", a)
    assert t.data_ptr() == a.data_ptr() and t.stride() == (1, 3)


MULTI = [
    "torch.linalg.multi_dot([R(2, 3), R(3, 4), R(4, 5)])", "torch.linalg.multi_dot([R(3), R(3)])",
    "torch.linalg.multi_dot([R(2)])", "torch.linalg.multi_dot([R(3), R(3, 2), R(2)])",
    "torch.linalg.multi_dot([R(3, 2, 2), R(2, 2)])", "torch.linalg.multi_dot([R(2, 3), R(4, 2)])",
    "torch.linalg.multi_dot([R(2, 3), Dd(3, 2)])", "torch.linalg.multi_dot([R(2, 3), R(3, 2, 2)])",
    "torch.linalg.multi_dot([R(2, 3), R(3, 2, 2), R(2)])", "torch.linalg.multi_dot([R(3), R(4, 2)])",
    "torch.linalg.multi_dot([R(2, 3), R(4)])", "torch.linalg.multi_dot([I(2, 3), I(3, 2)])",
    "torch.chain_matmul(R(2, 3), R(3, 4), R(4, 5))", "torch.chain_matmul(R(2, 3))",
    "torch.chain_matmul()", "torch.chain_matmul(R(2, 3), R(4))",
    "torch.linalg.vecdot(R(2, 3), R(3))", "torch.linalg.vecdot(R(2, 3), Dd(3))",
    "torch.linalg.vecdot(R(2, 3), R(2))", "torch.linalg.vecdot(I(2, 3), I(3))",
    "torch.linalg.vecdot(C(2, 3), C(3, seed=1))", "torch.linalg.vecdot(R(3, 2), R(3, 1), dim=0)",
    "torch.linalg.matmul(R(2, 3), R(3))", "torch.linalg.matmul(R(2, 3), R(3, 2))",
]


@needs_torch
@pytest.mark.parametrize("expr", MULTI)
def test_multi_dot_vecdot(expr):
    run_expr(expr, message=True, rtol=1e-5, atol=1e-5)


@needs_torch
def test_out_and_methods():
    def f(lib):
        m1 = lib.tensor([[1, 2], [3, 4]])
        m2 = lib.tensor([[2], [3]])
        m3 = lib.zeros(2, 1, dtype=lib.long)
        lib.matmul(m1, m2, out=m3)
        o = lib.empty(2, 2)
        lib.mm(lib.ones(2, 3), lib.ones(3, 2), out=o)
        return m3, o, m1.matmul(m2), m1.mm(m1), lib.ones(2, 3).mv(lib.ones(3))
    check(f)
