"""torch.linalg decompositions, solvers and norms against PyTorch: values (reconstructions
where a factor is defined only up to sign/phase), errors word for word, named-tuple results,
grad_fn names and gradients."""
import warnings

import numpy as np
import pytest

import jtorch
from oracle import check, check_grad, needs_torch


def _rng(seed):
    return np.random.default_rng(seed)


def gen(shape, seed=0, dtype="float32"):
    a = _rng(seed).standard_normal(shape)
    if dtype.startswith("complex"):
        a = a + 1j * _rng(seed + 100).standard_normal(shape)
    return a.astype(dtype)


def spd(n, batch=(), seed=0, dtype="float32"):
    a = gen(batch + (n, n), seed, "float64")
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(dtype)


def wellcond(n, batch=(), seed=0, dtype="float32"):
    return (gen(batch + (n, n), seed, "float64") + 3 * np.eye(n)).astype(dtype)


SING = np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)
NPD = np.array([[1.0, 2.0], [2.0, 1.0]], np.float32)


def env(lib):
    def t(a, **kw):
        return lib.tensor(a, **kw)

    return {"torch": lib, "t": t, "T": lib.ones, "Z": lib.zeros, "np": np, "gen": gen,
            "spd": spd, "wc": wellcond, "SING": SING, "NPD": NPD, "inf": float("inf"),
            "I": lambda *s: lib.ones(*s, dtype=lib.int64),
            "Dd": lambda *s: lib.ones(*s, dtype=lib.float64),
            "H": lambda *s: lib.ones(*s, dtype=lib.float16)}


def run(expr, **kw):
    def fn(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = eval(expr, env(lib))
        if isinstance(r, tuple) and type(r).__module__ == "torch.return_types":
            return (type(r).__name__,) + tuple(r)
        return r
    return check(fn, **kw)


ERRORS = [
    "torch.linalg.inv(T(2, 3))", "torch.linalg.inv(T(3))", "torch.linalg.inv(I(2, 2))",
    "torch.linalg.inv(H(2, 2))", "torch.linalg.inv(t(SING))",
    "torch.linalg.inv(torch.stack([torch.eye(2), t(SING)]))", "torch.inverse(t(SING))",
    "torch.linalg.det(T(2, 3))", "torch.linalg.det(I(2, 2))", "torch.linalg.det(T(2))",
    "torch.det(H(2, 2))", "torch.linalg.slogdet(T(2, 3))", "torch.logdet(I(2, 2))",
    "torch.linalg.solve(t(SING), T(2))", "torch.linalg.solve(T(2, 2), T(3))",
    "torch.linalg.solve(T(2, 3), T(2))", "torch.linalg.solve(T(2, 2), Dd(2))",
    "torch.linalg.solve(T(2, 2), T(2, 2, 3))", "torch.linalg.solve(T(3, 2, 2), T(2))",
    "torch.linalg.solve(I(2, 2), I(2))", "torch.linalg.solve(torch.eye(2), T(2, 3), left=False)",
    "torch.linalg.cholesky(t(NPD))", "torch.linalg.cholesky(T(2, 3))",
    "torch.linalg.cholesky(torch.stack([torch.eye(2), t(NPD)]))", "torch.cholesky(t(NPD))",
    "torch.linalg.cholesky(I(2, 2))", "torch.linalg.cholesky(-torch.eye(3))",
    "torch.linalg.qr(T(3))", "torch.linalg.qr(T(2, 2), mode='bad')", "torch.linalg.qr(I(2, 2))",
    "torch.linalg.svd(T(3))", "torch.linalg.svd(I(2, 2))", "torch.linalg.eigh(T(2, 3))",
    "torch.linalg.eigh(T(2, 2), UPLO='X')", "torch.linalg.eig(T(2, 3))",
    "torch.linalg.eigvals(I(2, 2))", "torch.linalg.matrix_power(T(2, 3), 2)",
    "torch.linalg.matrix_power(I(2, 2), -1)", "torch.linalg.matrix_power(t(SING), -1)",
    "torch.linalg.matrix_power(T(2, 2), 2.5)", "torch.linalg.matrix_rank(I(2, 2))",
    "torch.linalg.pinv(I(2, 2))", "torch.linalg.pinv(T(2))", "torch.linalg.vector_norm(I(2))",
    "torch.linalg.vector_norm(T(2), 'fro')", "torch.linalg.matrix_norm(T(2))",
    "torch.linalg.matrix_norm(T(2, 2), 3)", "torch.linalg.matrix_norm(T(2, 2), 'bad')",
    "torch.linalg.norm(T(2, 2, 2), 'fro')", "torch.linalg.norm(T(2, 2), 3)",
    "torch.linalg.norm(T(2), 'fro')", "torch.linalg.norm(T(2, 2, 2), 2, dim=(0, 1, 2))",
    "torch.linalg.norm(I(2))", "torch.linalg.vector_norm(T(2), dtype=torch.int64)",
    "torch.linalg.vector_norm(T(0), -inf)", "torch.linalg.vector_norm(T(0), inf)",
    "torch.linalg.vector_norm(T(2, 0), inf, dim=1)", "torch.linalg.vector_norm(T(2, 0), inf, dim=0)",
    "torch.linalg.vector_norm(Dd(2), dtype=torch.float32)",
    "torch.linalg.matrix_norm(T(2, 2), dim=(0, 0))", "torch.linalg.matrix_norm(T(2, 2), dim=(0,))",
    "torch.linalg.matrix_norm(T(0, 2), 2)", "torch.linalg.matrix_norm(T(0, 2), -2)",
    "torch.linalg.matrix_norm(T(2, 0), -1)", "torch.linalg.matrix_norm(T(2, 0), 1)",
    "torch.linalg.solve_triangular(T(2, 2), T(2))", "torch.linalg.solve_triangular(T(2, 2), T(2, 2))",
    "torch.linalg.solve_triangular(T(2, 2), T(3, 2), upper=True)",
    "torch.linalg.lstsq(T(2, 2), T(3))", "torch.linalg.lstsq(T(3, 2), T(3, 1), driver='bad')",
    "torch.linalg.vander(torch.tensor(2.))", "torch.linalg.vander(I(3), N=2)",
    "torch.linalg.vander(T(3), N=0)", "torch.linalg.vander(torch.tensor([True, False]))",
    "torch.linalg.diagonal(T(2))", "torch.linalg.matrix_exp(T(2, 3))", "torch.svd(T(3))",
    "torch.vander(T(3), N=-1)", "torch.vander(T(3, 1))", "torch.vander(torch.tensor([1, 2]))",
    "torch.dist(T(2), I(2))", "torch.dist(I(2), I(2))", "torch.dist(T(2), T(3))",
    "torch.linalg.cond(torch.eye(2), 3)", "torch.linalg.cond(T(2, 3), 1)",
    "torch.linalg.tensorinv(T(6, 2, 3), ind=0)", "torch.linalg.tensorinv(T(6, 2, 2), ind=1)",
]


@needs_torch
@pytest.mark.parametrize("expr", ERRORS)
def test_errors(expr):
    run(expr, message=True)


VALUES = [
    "torch.linalg.inv(t(wc(3)))", "torch.linalg.inv(t(wc(3, (2,))))", "torch.inverse(t(wc(4)))",
    "torch.linalg.inv(Z(0, 0))", "torch.linalg.inv_ex(t(wc(3)))", "torch.linalg.inv_ex(t(SING)).info",
    "torch.linalg.inv(t(wc(3, dtype='float64')))", "torch.linalg.inv(t(wc(3, dtype='complex64')))",
    "torch.linalg.det(t(wc(3)))", "torch.det(t(wc(3, (2, 2))))", "torch.linalg.det(t(SING))",
    "torch.linalg.slogdet(t(wc(3)))", "torch.slogdet(t(-wc(3)))", "torch.linalg.slogdet(t(SING))",
    "torch.logdet(t(spd(3)))", "torch.logdet(t(-spd(3)))", "torch.logdet(t(SING))",
    "t(wc(3)).det()", "t(spd(3)).logdet()", "t(wc(3)).inverse()",
    "torch.linalg.solve(t(wc(3)), t(gen((3,), 1)))", "torch.linalg.solve(t(wc(3)), t(gen((3, 2), 1)))",
    "torch.linalg.solve(t(wc(3, (4,))), t(gen((3,), 1)))",
    "torch.linalg.solve(t(wc(3, (4,))), t(gen((4, 3), 1)))",
    "torch.linalg.solve(t(wc(3)), t(gen((2, 3), 1)), left=False)",
    "torch.linalg.solve_ex(t(wc(3)), t(gen((3, 2), 1)))",
    "torch.linalg.solve_triangular(t(np.triu(wc(3))), t(gen((3, 2), 1)), upper=True)",
    "torch.linalg.solve_triangular(t(wc(3)), t(gen((3, 2), 1)), upper=False)",
    "torch.linalg.solve_triangular(t(wc(3)), t(gen((2, 3), 1)), upper=False, left=False)",
    "torch.linalg.solve_triangular(t(wc(3)), t(gen((3, 2), 1)), upper=True, unitriangular=True)",
    "torch.linalg.cholesky(t(spd(4)))", "torch.linalg.cholesky(t(spd(3, (2,))), upper=True)",
    "torch.linalg.cholesky_ex(t(spd(3)))", "torch.linalg.cholesky_ex(t(NPD)).info",
    "torch.linalg.cholesky_ex(torch.stack([torch.eye(3), -torch.eye(3), torch.tensor(spd(3))])).info",
    "torch.linalg.cholesky(t(np.tril(spd(3)) + 5 * np.triu(np.ones((3, 3)), 1).astype('float32')))",
    "torch.cholesky(t(spd(3)))", "t(spd(3)).cholesky(upper=True)",
    "torch.cholesky_solve(t(gen((3, 2), 1)), torch.linalg.cholesky(t(spd(3))))",
    "torch.cholesky_solve(t(gen((3, 2), 1)), torch.linalg.cholesky(t(spd(3))).mT, upper=True)",
    "torch.cholesky_inverse(torch.linalg.cholesky(t(spd(3))))",
    "torch.linalg.qr(t(gen((4, 3))))", "torch.linalg.qr(t(gen((3, 4))))",
    "torch.linalg.qr(t(gen((4, 3))), mode='complete')", "torch.linalg.qr(t(gen((4, 3))), mode='r')",
    "torch.qr(t(gen((4, 3))))", "torch.linalg.qr(t(gen((2, 4, 3))))",
    "torch.linalg.svdvals(t(gen((4, 3))))", "torch.linalg.svdvals(t(gen((2, 3, 5))))",
    "torch.linalg.svd(t(gen((4, 3)))).S", "torch.svd(t(gen((4, 3)))).S",
    "torch.linalg.eigvalsh(t(spd(4)))", "torch.linalg.eigvalsh(t(gen((3, 3))), UPLO='U')",
    "torch.linalg.eigh(t(spd(4))).eigenvalues", "torch.linalg.eigvals(t(np.diag([3., 1., 2.]).astype('float32')))",
    "torch.linalg.matrix_power(t(wc(3)), 3)", "torch.linalg.matrix_power(t(wc(3)), 0)",
    "torch.linalg.matrix_power(t(wc(3)), 1)", "torch.linalg.matrix_power(t(wc(3)), -2)",
    "torch.matrix_power(I(2, 2) + 1, 5)", "t(wc(3, (2,))).matrix_power(4)",
    "torch.linalg.matrix_exp(t(gen((3, 3)) / 3))", "torch.matrix_exp(t(gen((2, 3, 3)) / 3))",
    "torch.linalg.pinv(t(gen((4, 3))))", "torch.linalg.pinv(t(gen((3, 4))))",
    "torch.linalg.pinv(t(SING))", "torch.linalg.pinv(t(spd(3)), hermitian=True)",
    "torch.linalg.pinv(t(gen((4, 3))), atol=0.5)", "torch.pinverse(t(gen((4, 3))))",
    "torch.linalg.matrix_rank(t(SING))", "torch.linalg.matrix_rank(t(gen((4, 3))))",
    "torch.linalg.matrix_rank(t(gen((2, 4, 3))), atol=1.0)",
    "torch.linalg.matrix_rank(t(spd(3)), hermitian=True)",
    "torch.linalg.lstsq(t(gen((4, 2))), t(gen((4, 3), 1)))",
    "torch.linalg.lstsq(t(gen((4, 2))), t(gen((4, 3), 1)), driver='gelsd')",
    "torch.linalg.lstsq(t(gen((4, 2))), t(gen((4, 3), 1)), driver='gels')",
    "torch.linalg.lstsq(t(gen((4, 2))), t(gen((4, 3), 1)), driver='gelss')",
    "torch.linalg.lstsq(t(gen((3, 2))), t(gen((3,), 1)))",
    "torch.linalg.lstsq(t(gen((2, 3))), t(gen((2, 1), 1)), driver='gelsd')",
    "torch.linalg.lstsq(t(gen((5, 4, 2))), t(gen((5, 4, 1), 1)), driver='gelsd')",
    "torch.linalg.lu_factor(t(gen((3, 3))))", "torch.linalg.lu_factor(t(gen((2, 4, 4))))",
    "torch.linalg.lu(t(gen((3, 3))))", "torch.linalg.lu(t(gen((4, 3))))", "torch.linalg.lu(t(gen((3, 4))))",
    "torch.linalg.lu_factor_ex(t(SING))",
    "torch.linalg.lu_solve(*torch.linalg.lu_factor(t(wc(3))), t(gen((3, 2), 1)))",
    "torch.linalg.lu_solve(*torch.linalg.lu_factor(t(wc(3))), t(gen((3, 2), 1)), adjoint=True)",
    "torch.linalg.lu_solve(*torch.linalg.lu_factor(t(wc(3))), t(gen((2, 3), 1)), left=False)",
    "torch.lu_solve(t(gen((3, 2), 1)), *torch.linalg.lu_factor(t(wc(3))))",
    "torch.lu_unpack(*torch.linalg.lu_factor(t(gen((3, 3)))))", "torch.lu(t(gen((3, 3))))",
    "torch.triangular_solve(t(gen((3, 2), 1)), t(np.triu(wc(3))))",
    "torch.triangular_solve(t(gen((3, 2), 1)), t(wc(3)), upper=False, transpose=True)",
    "torch.linalg.vector_norm(t(gen((3, 4))))", "torch.linalg.vector_norm(t(gen((3, 4))), 1, dim=1)",
    "torch.linalg.vector_norm(t(gen((3, 4))), inf, dim=(0, 1), keepdim=True)",
    "torch.linalg.vector_norm(t(gen((3, 4))), -inf, dim=0)", "torch.linalg.vector_norm(t(gen((3, 4))), 0)",
    "torch.linalg.vector_norm(t(gen((3, 4))), 3.5, dim=-1)", "torch.linalg.vector_norm(t(gen((3, 4))), -1)",
    "torch.linalg.vector_norm(t(gen((3, 4))), dtype=torch.float64)",
    "torch.linalg.vector_norm(t(gen((3, 4), dtype='complex64')))",
    "torch.linalg.vector_norm(t(gen((3, 4))).half())", "torch.linalg.vector_norm(Z(3))",
    "torch.linalg.matrix_norm(t(gen((3, 4))))", "torch.linalg.matrix_norm(t(gen((3, 4))), 'nuc')",
    "torch.linalg.matrix_norm(t(gen((3, 4))), 2)", "torch.linalg.matrix_norm(t(gen((3, 4))), -2)",
    "torch.linalg.matrix_norm(t(gen((3, 4))), 1)", "torch.linalg.matrix_norm(t(gen((3, 4))), -1)",
    "torch.linalg.matrix_norm(t(gen((3, 4))), inf)", "torch.linalg.matrix_norm(t(gen((3, 4))), -inf)",
    "torch.linalg.matrix_norm(t(gen((2, 3, 4))), 1, dim=(0, 2), keepdim=True)",
    "torch.linalg.matrix_norm(t(gen((2, 3, 4))), 'nuc', dim=(2, 0))",
    "torch.linalg.norm(t(gen((3, 4))))", "torch.linalg.norm(t(gen((2, 3, 4))))",
    "torch.linalg.norm(t(gen((3, 4))), 'fro')", "torch.linalg.norm(t(gen((3, 4))), 2)",
    "torch.linalg.norm(t(gen((4,))), 3)", "torch.linalg.norm(t(gen((3, 4))), dim=1)",
    "torch.linalg.norm(t(gen((3, 4))), inf, dim=(1, 0))", "torch.linalg.norm(t(gen((3, 4))), 1, dim=0, keepdim=True)",
    "torch.linalg.cond(t(wc(3)))", "torch.linalg.cond(t(wc(3)), -2)", "torch.linalg.cond(t(wc(3)), 'fro')",
    "torch.linalg.cond(t(wc(3)), 'nuc')", "torch.linalg.cond(t(wc(3)), 1)", "torch.linalg.cond(t(wc(3)), -inf)",
    "torch.linalg.cond(t(gen((2, 3))))", "torch.linalg.cond(t(SING), 'fro')",
    "torch.dist(t(gen((3, 4))), t(gen((4,), 1)))", "torch.dist(t(gen((3,))), t(gen((3,), 1)), 1)",
    "torch.dist(t(gen((3,))), t(gen((3,), 1)), inf)", "torch.dist(t(gen((3,))), t(gen((3,), 1)), 0)",
    "torch.dist(t(gen((3,))), t(gen((3,), 1)), 0.5)", "t(gen((3,))).dist(t(gen((3,), 1)), 3)",
    "torch.linalg.vander(t(gen((3,))))", "torch.linalg.vander(t(gen((2, 3))), N=4)",
    "torch.linalg.vander(torch.tensor([1, 2, 3]))", "torch.vander(t(gen((3,))))",
    "torch.vander(t(gen((3,))), N=2, increasing=True)", "torch.vander(t(gen((3,))), N=0)",
    "torch.linalg.diagonal(t(gen((2, 3, 3))))", "torch.linalg.diagonal(t(gen((3, 4))), offset=1)",
    "torch.linalg.tensorinv(t(gen((6, 2, 3)) + np.eye(6).reshape(6, 2, 3).astype('float32')), ind=1)",
    "torch.linalg.tensorsolve(t(gen((2, 3, 6)) + 3 * np.eye(6).reshape(2, 3, 6).astype('float32')), t(gen((2, 3), 1)))",
    "torch.linalg.matmul(t(gen((2, 3))), t(gen((3,), 1)))",
]


@needs_torch
@pytest.mark.parametrize("expr", VALUES)
def test_values(expr):
    run(expr, message=True, rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3), (5, 5)])
@pytest.mark.parametrize("full", [True, False])
def test_svd_reconstructs(shape, full):
    a = gen(shape, 3)
    U, S, Vh = jtorch.linalg.svd(jtorch.tensor(a), full_matrices=full)
    k = S.shape[-1]
    rebuilt = jtorch.matmul(U.narrow(-1, 0, k) * S.unsqueeze(-2), Vh.narrow(-2, 0, k))
    np.testing.assert_allclose(rebuilt.numpy(), a, rtol=1e-4, atol=1e-5)
    m, n = shape[-2:]
    assert U.shape[-2:] == ((m, m) if full else (m, k)) and Vh.shape[-2:] == ((n, n) if full
                                                                             else (k, n))
    u, s, v = jtorch.svd(jtorch.tensor(a))
    np.testing.assert_allclose(jtorch.matmul(u * s.unsqueeze(-2), v.mT).numpy(), a, rtol=1e-4,
                               atol=1e-5)


def test_eig_eigh_reconstruct():
    a = gen((4, 4), 5)
    w, v = jtorch.linalg.eig(jtorch.tensor(a))
    assert w.dtype is jtorch.complex64 and v.dtype is jtorch.complex64
    lhs = a.astype(np.complex64) @ v.numpy()
    np.testing.assert_allclose(lhs, v.numpy() * w.numpy()[None, :], rtol=1e-4, atol=1e-4)
    s = spd(4, (2,), 6)
    w, v = jtorch.linalg.eigh(jtorch.tensor(s))
    rebuilt = (v.numpy() * w.numpy()[..., None, :]) @ np.swapaxes(v.numpy(), -1, -2)
    np.testing.assert_allclose(rebuilt, s, rtol=1e-4, atol=1e-4)


def test_qr_reconstructs():
    for shape, mode in [((4, 3), "reduced"), ((3, 4), "reduced"), ((4, 3), "complete")]:
        a = gen(shape, 2)
        q, r = jtorch.linalg.qr(jtorch.tensor(a), mode=mode)
        np.testing.assert_allclose((q @ r).numpy(), a, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(np.tril(r.numpy(), -1), 0, atol=1e-6)


def test_named_tuples_print_like_pytorch():
    r = jtorch.linalg.slogdet(jtorch.eye(2) * 2)
    assert repr(r) == ("torch.return_types.linalg_slogdet(\nsign=tensor(1.),\n"
                       "logabsdet=tensor(1.3863))")
    assert r.sign is r[0] and type(r).__module__ == "torch.return_types"
    sign, logabsdet = r
    assert logabsdet.item() == pytest.approx(np.log(4))


def test_linalg_error_type():
    with pytest.raises(jtorch.linalg.LinAlgError):
        jtorch.linalg.inv(jtorch.zeros(2, 2))
    assert issubclass(jtorch.linalg.LinAlgError, RuntimeError)


def test_ex_variants_do_not_sync():
    from jtorch import engine
    a = jtorch.ones(3, 3) * 2 + jtorch.eye(3)  # pending
    before = engine.stats()["syncs"]
    r = jtorch.linalg.inv_ex(a)
    c = jtorch.linalg.cholesky_ex(a)
    assert engine.stats()["syncs"] == before
    assert r.info.item() == 0 and c.info.item() == 0


GRADS = [
    ("inv", lambda t, a: t.linalg.inv(a), [wellcond(3)]),
    ("inv_batch", lambda t, a: t.inverse(a), [wellcond(3, (2,))]),
    ("det", lambda t, a: t.linalg.det(a), [wellcond(3)]),
    ("slogdet", lambda t, a: t.linalg.slogdet(a).logabsdet, [wellcond(3)]),
    ("logdet", lambda t, a: t.logdet(a), [spd(3)]),
    ("solve", lambda t, a, b: t.linalg.solve(a, b), [wellcond(3), gen((3, 2), 1)]),
    ("solve_vec", lambda t, a, b: t.linalg.solve(a, b), [wellcond(3, (2,)), gen((3,), 1)]),
    ("solve_right", lambda t, a, b: t.linalg.solve(a, b, left=False), [wellcond(3), gen((2, 3), 1)]),
    ("solve_tri", lambda t, a, b: t.linalg.solve_triangular(a, b, upper=True),
     [np.triu(wellcond(3)), gen((3, 2), 1)]),
    ("solve_tri_left", lambda t, a, b: t.linalg.solve_triangular(a, b, upper=False, left=False),
     [np.tril(wellcond(3)), gen((2, 3), 1)]),
    ("cholesky", lambda t, a: t.linalg.cholesky(a), [spd(3)]),
    ("cholesky_upper", lambda t, a: t.linalg.cholesky(a, upper=True), [spd(3, (2,))]),
    ("cholesky_solve", lambda t, b, a: t.cholesky_solve(b, t.linalg.cholesky(a)),
     [gen((3, 2), 1), spd(3)]),
    ("cholesky_inverse", lambda t, a: t.cholesky_inverse(t.linalg.cholesky(a)), [spd(3)]),
    ("qr", lambda t, a: t.linalg.qr(a), [gen((4, 3))]),
    ("svdvals", lambda t, a: t.linalg.svdvals(a), [gen((4, 3))]),
    ("svd_S", lambda t, a: t.linalg.svd(a, full_matrices=False).S, [gen((3, 4))]),
    ("eigvalsh", lambda t, a: t.linalg.eigvalsh(a), [spd(4)]),
    ("eigh_values", lambda t, a: t.linalg.eigh(a).eigenvalues, [spd(3)]),
    ("matrix_power", lambda t, a: t.linalg.matrix_power(a, 3), [gen((3, 3))]),
    ("matrix_power_neg", lambda t, a: t.linalg.matrix_power(a, -2), [wellcond(3)]),
    ("matrix_exp", lambda t, a: t.linalg.matrix_exp(a), [gen((3, 3)) / 3]),
    ("pinv", lambda t, a: t.linalg.pinv(a), [gen((4, 3))]),
    ("lstsq", lambda t, a, b: t.linalg.lstsq(a, b).solution, [gen((4, 3)), gen((4, 2), 1)]),
    ("lu_factor", lambda t, a: t.linalg.lu_factor(a).LU, [gen((3, 3))]),
    ("lu", lambda t, a: t.linalg.lu(a)[1:], [gen((3, 3))]),
    ("lu_solve", lambda t, a, b: t.linalg.lu_solve(*t.linalg.lu_factor(a), b),
     [wellcond(3), gen((3, 2), 1)]),
    ("vnorm2", lambda t, a: t.linalg.vector_norm(a), [gen((3, 4))]),
    ("vnorm1", lambda t, a: t.linalg.vector_norm(a, 1, dim=0), [gen((3, 4))]),
    ("vnorminf", lambda t, a: t.linalg.vector_norm(a, float("inf"), dim=1), [gen((3, 4))]),
    ("vnorm3", lambda t, a: t.linalg.vector_norm(a, 3), [gen((3, 4))]),
    ("vnorm05", lambda t, a: t.linalg.vector_norm(a, 0.5), [gen((3, 4))]),
    ("vnorm_zero", lambda t, a: t.linalg.vector_norm(a, dim=1), [np.array([[0., 0.], [3., 4.]],
                                                                           np.float32)]),
    ("vnorm1_zero", lambda t, a: t.linalg.vector_norm(a, 1), [np.array([0., 1., -2.], np.float32)]),
    ("mnorm_fro", lambda t, a: t.linalg.matrix_norm(a), [gen((3, 4))]),
    ("mnorm_nuc", lambda t, a: t.linalg.matrix_norm(a, "nuc"), [gen((3, 4))]),
    ("mnorm_2", lambda t, a: t.linalg.matrix_norm(a, 2), [gen((3, 4))]),
    ("mnorm_1", lambda t, a: t.linalg.matrix_norm(a, 1), [gen((3, 4))]),
    ("mnorm_inf", lambda t, a: t.linalg.matrix_norm(a, float("-inf")), [gen((3, 4))]),
    ("cond", lambda t, a: t.linalg.cond(a), [wellcond(3)]),
    ("dist", lambda t, a, b: t.dist(a, b), [gen((3, 4)), gen((4,), 1)]),
    ("dist1", lambda t, a, b: t.dist(a, b, 1), [gen((3, 4)), gen((4,), 1)]),
    ("vander", lambda t, a: t.linalg.vander(a), [gen((3,))]),
    ("eigvals", lambda t, a: t.linalg.eigvals(a).abs(), [spd(3)]),
]


@needs_torch
@pytest.mark.parametrize("name,fn,arrays", GRADS, ids=[g[0] for g in GRADS])
def test_grads(name, fn, arrays):
    check_grad(fn, *[np.asarray(a, np.float32) for a in arrays], rtol=2e-3, atol=2e-4)


@needs_torch
@pytest.mark.parametrize("name,fn,arrays", GRADS, ids=[g[0] for g in GRADS])
def test_grad_fn_names(name, fn, arrays):
    def f(lib):
        ts = [lib.tensor(np.asarray(a, np.float32)).requires_grad_(True) for a in arrays]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fn(lib, *ts)
        rs = r if isinstance(r, tuple) else (r,)
        return [type(x.grad_fn).__name__ if x.grad_fn is not None else None for x in rs]
    check(f)
