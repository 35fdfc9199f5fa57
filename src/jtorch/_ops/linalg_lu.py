"""torch.linalg.lstsq and the LU family: lu_factor(_ex), lu, lu_solve, and the older torch.lu,
torch.lu_solve, torch.lu_unpack.  Pivots are 1-based int32, as LAPACK's and PyTorch's."""
from __future__ import annotations

import jax
import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from ._registry import register
from ._util import broadcast_shapes
from .linalg import mm_precision
from .linalg_decomp import _is_vector_rhs, _lu_info, _mH, _mT, _solve_shapes, check_matrix, \
    raise_info
from .structseq import structseq

__all__ = ["lstsq", "lu_factor", "lu_factor_ex", "lu", "lu_solve", "torch_lu"]

_short = D._short


# --------------------------------------------------------------------------------------------
# lstsq


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _lstsq_prepare(sigs, static):
    rcond, driver, vector = static
    (sa, da), (sb, db) = sigs
    check_matrix("torch.linalg.lstsq", (sa, da), square=False)
    if vector:
        if sa[-2] != sb[-1]:
            raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-1)")
    elif sa[-2] != sb[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    if da is not db:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same "
                           f"dtype, but got input's dtype {_short(da)} and other's dtype "
                           f"{_short(db)}")
    batch = broadcast_shapes(sa[:-2], sb[:-1] if vector else sb[:-2])
    return (rcond, driver, vector, batch)


def _lstsq_impl(a, b, rcond, driver, vector, batch):
    m, n = a.shape[-2:]
    rdt = jnp.finfo(a.dtype).dtype
    a = jnp.broadcast_to(a, batch + a.shape[-2:])
    b = jnp.broadcast_to(b, batch + b.shape[-1:])[..., None] if vector else \
        jnp.broadcast_to(b, batch + b.shape[-2:])
    u, s, vh = jnp.linalg.svd(a, full_matrices=False)
    s = s.astype(rdt)
    smax = s[..., :1] if min(m, n) else jnp.zeros(s.shape[:-1] + (1,), rdt)
    rc = jnp.finfo(rdt).eps * max(m, n) if rcond is None else rcond
    keep = s > rc * smax
    sinv = jnp.where(keep, 1 / jnp.where(s == 0, 1, s), 0)
    x = jnp.matmul(_mH(vh) * sinv[..., None, :].astype(a.dtype),
                   jnp.matmul(_mH(u), b, precision=mm_precision()), precision=mm_precision())
    rank = jnp.sum(keep, axis=-1).astype(jnp.int64)
    if driver in ("gelsd", "gelss", "gels") and m > n:
        r = jnp.sum(jnp.abs(jnp.matmul(a, x, precision=mm_precision()) - b) ** 2, axis=-2).astype(rdt)
        # PyTorch returns residuals only when every matrix has full rank
        residuals = jnp.where(jnp.all(rank == n), r, jnp.nan) if n else r
    else:
        residuals = jnp.zeros((0,), rdt)
    if driver == "gels":
        rank = jnp.zeros((0,), jnp.int64)
    sv = s if driver in ("gelsd", "gelss") else jnp.zeros((0,), rdt)
    if vector:
        x = x[..., 0]
        if residuals.ndim > 1 or (residuals.shape and residuals.shape[0] != 0):
            residuals = residuals[..., 0]
    return x, residuals, rank, sv


_LSTSQ = engine.Op("linalg_lstsq", _lstsq_impl, prepare=_lstsq_prepare,
                   grad="LinalgLstsqBackward0")
_Lstsq = structseq("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of ``A X = B`` (solution, residuals, rank, singular_values as
    PyTorch's default CPU driver 'gelsy' and the others report them).

    Differences from PyTorch: every driver is computed through an SVD (same solution); when a
    matrix of a batch is rank-deficient the residuals are NaN instead of empty.
    """
    if driver is None:
        driver = "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, "
                           "gelsd, gelss)")
    vector = _is_vector_rhs(A._shape, B._shape)
    x, res, rank, sv = dispatch(_LSTSQ, (A, B), (None if rcond is None else float(rcond),
                                                 driver, vector))
    return _Lstsq((x, res, rank, sv.detach()))  # PyTorch's singular_values carry no grad_fn


# --------------------------------------------------------------------------------------------
# lu


def _lu_prepare(sigs, static):
    check_matrix(static[0], sigs[0], square=False)
    return static[1:]


def _lu_factor_impl(a, pivot):
    lu, piv, _ = lax.linalg.lu(a)
    k = min(a.shape[-2:])
    info = _lu_info(a) if k else jnp.zeros(a.shape[:-2], jnp.int32)
    return lu, (piv[..., :k] + 1).astype(jnp.int32), info


def _lu_impl(a, pivot):
    m, n = a.shape[-2:]
    k = min(m, n)
    lu, _, perm = lax.linalg.lu(a)
    L = jnp.tril(lu[..., :, :k], -1) + jnp.eye(m, k, dtype=a.dtype)
    U = jnp.triu(lu[..., :k, :])
    P = jnp.swapaxes(jax.nn.one_hot(perm, m, dtype=a.dtype), -1, -2)
    return P, L, U


_LU_FACTOR = engine.Op("linalg_lu_factor_ex", _lu_factor_impl, prepare=_lu_prepare,
                       grad="LinalgLuFactorExBackward0")
_LU = engine.Op("linalg_lu", _lu_impl, prepare=_lu_prepare, grad="LinalgLuBackward0")
_LuFactor = structseq("linalg_lu_factor", ("LU", "pivots"))
_LuFactorEx = structseq("linalg_lu_factor_ex", ("LU", "pivots", "info"))
_Lu = structseq("linalg_lu", ("P", "L", "U"))


def _no_pivot(pivot):
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def lu_factor_ex(A, *, pivot=True, check_errors=False):
    """Packed LU factorization with partial pivoting (1-based pivots) and LAPACK's info."""
    _no_pivot(pivot)
    r = _LuFactorEx(dispatch(_LU_FACTOR, (A,), ("linalg.lu_factor", True)))
    if check_errors:
        raise_info("torch.linalg.lu_factor", r.info, lambda k: (
            f"U[{k},{k}] is zero and using it on lu_solve would result in a division by zero. "
            "If you still want to perform the factorization, consider calling linalg.lu(A, "
            "pivot) or linalg.lu_factor_ex(A, pivot)"))
    return r


def lu_factor(A, *, pivot=True):
    """Packed LU factorization ``(LU, pivots)`` (pivots 1-based, int32)."""
    r = lu_factor_ex(A, pivot=pivot, check_errors=True)
    return _LuFactor((r.LU, r.pivots))


def lu(A, *, pivot=True):
    """LU decomposition with partial pivoting: ``A = P L U``."""
    _no_pivot(pivot)
    P, L, U = dispatch(_LU, (A,), ("linalg.lu", True))
    return _Lu((P.detach(), L, U))  # the permutation carries no grad_fn in PyTorch


def _lu_solve_prepare(sigs, static):
    left, adjoint = static
    (sl, dl), (sp, dp), (sb, db) = sigs
    check_matrix("linalg.lu_solve", (sl, dl))
    if dp is not D.int32:
        raise RuntimeError(f"linalg.lu_solve: Expected pivots to be integers. Got {_short(dp)}")
    batch = _solve_shapes("linalg.lu_solve", sl, sb, left, False, dl, db)
    return (left, adjoint, batch)


def _lu_solve_impl(LU, piv, b, left, adjoint, batch):
    n = LU.shape[-1]
    LU = jnp.broadcast_to(LU, batch + LU.shape[-2:])
    piv = jnp.broadcast_to(piv, batch + piv.shape[-1:]) - 1
    b = jnp.broadcast_to(b, batch + b.shape[-2:])
    perm = lax.linalg.lu_pivots_to_permutation(piv, n)
    L = jnp.tril(LU, -1) + jnp.eye(n, dtype=LU.dtype)
    U = jnp.triu(LU)
    P = jnp.swapaxes(jax.nn.one_hot(perm, n, dtype=LU.dtype), -1, -2)

    def solve_left(rhs, adj):
        if not adj:  # A = P L U: x = U^-1 L^-1 P^T rhs
            y = jnp.matmul(_mT(P), rhs, precision=mm_precision())
            y = lax.linalg.triangular_solve(L, y, left_side=True, lower=True, unit_diagonal=True)
            return lax.linalg.triangular_solve(U, y, left_side=True, lower=False)
        # A^H = U^H L^H P^T: x = P L^-H U^-H rhs
        y = lax.linalg.triangular_solve(U, rhs, left_side=True, lower=False, transpose_a=True,
                                        conjugate_a=True)
        y = lax.linalg.triangular_solve(L, y, left_side=True, lower=True, transpose_a=True,
                                        conjugate_a=True, unit_diagonal=True)
        return jnp.matmul(P, y, precision=mm_precision())

    if left:
        return solve_left(b, adjoint)
    # X A = B  <=>  A^H X^H = B^H
    return _mH(solve_left(_mH(b), not adjoint))


_LU_SOLVE = engine.Op("linalg_lu_solve", _lu_solve_impl, prepare=_lu_solve_prepare,
                      grad="LinalgLuSolveBackward0", nondiff=(1,))


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """Solution of ``A X = B`` from ``lu_factor``'s output."""
    return dispatch(_LU_SOLVE, (LU, pivots, B), (bool(left), bool(adjoint)))


# --------------------------------------------------------------------------------------------
# the older torch.lu / torch.lu_solve / torch.lu_unpack


@register(method=True, function=True)
def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """(P, L, U) from ``torch.linalg.lu_factor``'s packed output."""
    return _Unpack(dispatch(_LU_UNPACK, (LU_data, LU_pivots)))


def _lu_unpack_impl(LU, piv):
    m, n = LU.shape[-2:]
    k = min(m, n)
    perm = lax.linalg.lu_pivots_to_permutation(piv - 1, m)
    L = jnp.tril(LU[..., :, :k], -1) + jnp.eye(m, k, dtype=LU.dtype)
    U = jnp.triu(LU[..., :k, :])
    P = jnp.swapaxes(jax.nn.one_hot(perm, m, dtype=LU.dtype), -1, -2)
    return P, L, U


_LU_UNPACK = engine.Op("lu_unpack", _lu_unpack_impl, grad="LuUnpackBackward0", nondiff=(1,))
_Unpack = structseq("lu_unpack", ("P", "L", "U"))


@register("lu")
def torch_lu(A, pivot=True, get_infos=False, out=None):
    """Deprecated ``torch.lu`` / ``Tensor.lu``: (LU, pivots[, infos])."""
    _no_pivot(pivot)
    r = lu_factor_ex(A, pivot=pivot, check_errors=not get_infos)
    return (r.LU, r.pivots, r.info) if get_infos else (r.LU, r.pivots)


@register("lu_solve")
def lu_solve_old(input, LU_data, LU_pivots):
    """Deprecated ``torch.lu_solve(b, LU_data, LU_pivots)``."""
    return lu_solve(LU_data, LU_pivots, input)
