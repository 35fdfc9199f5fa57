"""torch.linalg decompositions and solvers: inv, det, slogdet, solve, solve_triangular,
cholesky, qr, svd, eig, eigh, matrix_power, matrix_exp, pinv, matrix_rank, and the older
torch.* spellings (torch.inverse, torch.svd returning V, torch.cholesky, torch.qr, ...).

Factorizations are LAPACK's on CPU (through XLA), so PyTorch's sign and ordering conventions
mostly carry over; where a factor is only defined up to sign or phase (singular and eigen
vectors) compare reconstructions, not factors.  Like PyTorch, the functions that report
numerical failure (``inv``, ``solve``, ``cholesky`` and what calls them) check the LAPACK-style
``info`` at once — a sync point — while their ``*_ex`` variants return ``info`` lazily.
``eig`` differentiates its eigenvalues only (JAX has no eigenvector derivative).
"""
from __future__ import annotations

import numbers
import operator
import warnings

import jax
import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .._dispatch import dispatch, dispatch_nograd
from .._engine import core as engine
from .._tensor import Tensor
from ._registry import register
from ._util import broadcast_shapes
from .linalg import mm_precision
from .structseq import structseq

__all__ = ["LinAlgError", "inv", "inv_ex", "det", "slogdet", "logdet", "solve", "solve_ex",
           "solve_triangular", "lstsq", "cholesky", "cholesky_ex", "qr", "svd", "svdvals", "eig",
           "eigvals", "eigh", "eigvalsh", "matrix_power", "matrix_exp", "pinv", "matrix_rank"]

_short = D._short


class _LinAlgError(RuntimeError):
    """Raised when a linear algebra routine fails numerically (torch.linalg.LinAlgError)."""


_LinAlgError.__module__ = "torch._C"
LinAlgError = _LinAlgError


# --------------------------------------------------------------------------------------------
# shared checks


def check_matrix(name, sig, square=True, low_precision=None, floating=True):
    """PyTorch's checks of a (batch of) matrix input ``A``."""
    shape, dt = sig
    if len(shape) < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if floating and not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_short(dt)}")
    if square and shape[-1] != shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{shape[-2]} by {shape[-1]} matrices")
    if dt in (D.float16, D.bfloat16):
        if low_precision is not None:
            raise low_precision
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {_short(dt)}")


def raise_info(name, info, message):
    """Raise PyTorch's LinAlgError when a LAPACK-style ``info`` tensor is non-zero (a sync)."""
    v = np.asarray(info._numpy_view())
    if not v.any():
        return
    flat = v.reshape(-1)
    idx = int(np.flatnonzero(flat)[0])
    prefix = f"(Batch element {idx}): " if v.ndim > 0 else ""
    raise _LinAlgError(f"{name}: {prefix}{message(int(flat[idx]))}")


def _mT(x):
    return jnp.swapaxes(x, -1, -2)


def _mH(x):
    return jnp.conj(_mT(x)) if jnp.iscomplexobj(x) else _mT(x)


def _lu_info(a):
    """LAPACK getrf's info: 1 + the first zero diagonal element of U (0 when none)."""
    n = a.shape[-1]
    if n == 0 or a.shape[-2] == 0:
        return jnp.zeros(a.shape[:-2], jnp.int32)
    lu, _, _ = lax.linalg.lu(lax.stop_gradient(a))
    d = jnp.diagonal(lu, axis1=-2, axis2=-1)
    zero = d == 0
    return jnp.where(zero.any(-1), jnp.argmax(zero, axis=-1) + 1, 0).astype(jnp.int32)


def _singular_msg(k):
    return (f"The diagonal element {k} is zero, the inversion could not be completed because "
            "the input matrix is singular.")


# --------------------------------------------------------------------------------------------
# inv, det, slogdet, logdet


def _inv_prepare(sigs, static):
    check_matrix("linalg.inv", sigs[0])
    return static


def _inv_impl(a):
    return jnp.linalg.inv(a), _lu_info(a)


_INV = engine.Op("linalg_inv_ex", _inv_impl, prepare=_inv_prepare, grad="LinalgInvExBackward0",
                 saves=("out",))
_InvEx = structseq("linalg_inv_ex", ("inverse", "info"))


def inv_ex(A, *, check_errors=False):
    """Inverse of square matrices and LAPACK's ``info`` (0: success; k: U[k-1, k-1] == 0)."""
    r = _InvEx(dispatch(_INV, (A,)))
    if check_errors:
        raise_info("linalg.inv", r.info, _singular_msg)
    return r


@register(out=True, aliases=())
def inverse(input):
    """Inverse of square matrices (``torch.linalg.inv``); LinAlgError when singular."""
    return inv(input)


def inv(A):
    """``torch.linalg.inv``: inverse of square matrices; LinAlgError when one is singular."""
    out, info = dispatch(_INV, (A,))
    raise_info("linalg.inv", info, _singular_msg)
    return out


def _det_prepare(sigs, static):
    (name,) = static
    check_matrix(name, sigs[0], low_precision=NotImplementedError(
        f"\"lu_cpu\" not implemented for '{_short(sigs[0][1])}'"))
    return ()


_DET = engine.Op("linalg_det", lambda a: jnp.linalg.det(a), prepare=_det_prepare,
                 grad="LinalgDetBackward0")


@register(out=True)
def det(input):
    """Determinant of square matrices."""
    return dispatch(_DET, (input,), ("linalg.det",))


def _slogdet_impl(a):
    sign, logabs = jnp.linalg.slogdet(a)
    return sign.astype(a.dtype), logabs


_SLOGDET = engine.Op("linalg_slogdet", _slogdet_impl, prepare=_det_prepare,
                     grad="LinalgSlogdetBackward0")
_LinalgSlogdet = structseq("linalg_slogdet", ("sign", "logabsdet"))
_Slogdet = structseq("slogdet", ("sign", "logabsdet"))


def linalg_slogdet(A):
    """Sign (or phase) and log of the absolute value of the determinant."""
    return _LinalgSlogdet(dispatch(_SLOGDET, (A,), ("linalg.slogdet",)))


@register(out=True)
def slogdet(input):
    """Sign and log absolute determinant (``torch.return_types.slogdet``)."""
    return _Slogdet(dispatch(_SLOGDET, (input,), ("linalg.slogdet",)))


def _logdet_impl(a):
    sign, logabs = jnp.linalg.slogdet(a)
    if jnp.iscomplexobj(a):
        return jnp.log(sign) + logabs
    return jnp.where(sign < 0, jnp.nan, logabs).astype(a.dtype)


_LOGDET = engine.Op("logdet", _logdet_impl, prepare=_det_prepare, grad="WhereBackward0")


@register()
def logdet(input):
    """log(det(input)): nan for a negative determinant, -inf for a singular matrix."""
    return dispatch(_LOGDET, (input,), ("logdet",))


# --------------------------------------------------------------------------------------------
# solve, solve_triangular


def _is_vector_rhs(sa, sb):
    return len(sb) == 1 or (len(sb) == len(sa) - 1 and tuple(sb) == tuple(sa[:-1]))


def _solve_shapes(name, sa, sb, left, vector, da, db):
    eq = "AX = B" if left else "XA = B"
    if vector:
        rows, cols = (sb[-1], 1) if left else (1, sb[-1])
    else:
        rows, cols = sb[-2], sb[-1]
    n = sa[-1]
    if (left and rows != n) or (not left and cols != n):
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {eq} "
                           f"({sa[-2]}x{sa[-1]} and {rows}x{cols})")
    if da is not db:
        raise RuntimeError(f"{name}: Expected A and B to have the same dtype, but found A of "
                           f"type {_short(da)} and B of type {_short(db)} instead")
    batch_b = sb[:-1] if vector else sb[:-2]
    return broadcast_shapes(sa[:-2], batch_b)


def _solve_prepare(sigs, static):
    left, vector = static
    (sa, da), (sb, db) = sigs
    check_matrix("linalg.solve", (sa, da))
    if not (db.is_floating_point or db.is_complex):
        raise RuntimeError(f"linalg.solve: Expected a floating point or complex tensor as "
                           f"input. Got {_short(db)}")
    batch = _solve_shapes("linalg.solve", sa, sb, left, vector, da, db)
    return (left, vector, batch)


def _solve_impl(a, b, left, vector, batch):
    n = a.shape[-1]
    # info has A's own batch shape (PyTorch factorizes A before broadcasting)
    info = _lu_info(a) if n else jnp.zeros(a.shape[:-2], jnp.int32)
    a = jnp.broadcast_to(a, batch + a.shape[-2:])
    if vector:
        b = jnp.broadcast_to(b, batch + b.shape[-1:])[..., None]
    else:
        b = jnp.broadcast_to(b, batch + b.shape[-2:])
    if left:
        x = jnp.linalg.solve(a, b)
    else:
        x = _mT(jnp.linalg.solve(_mT(a), _mT(b)))
    if vector:
        x = x[..., 0] if left else x[..., 0, :]
    return x, info


_SOLVE = engine.Op("linalg_solve_ex", _solve_impl, prepare=_solve_prepare,
                   grad="LinalgSolveExBackward0")
_SolveEx = structseq("linalg_solve_ex", ("result", "info"))


def solve_ex(A, B, *, left=True, check_errors=False):
    """Solution of ``A X = B`` (``X A = B`` with ``left=False``) and LAPACK's ``info``."""
    vector = _is_vector_rhs(A._shape, B._shape)
    r = _SolveEx(dispatch(_SOLVE, (A, B), (bool(left), vector)))
    if check_errors:
        raise_info("torch.linalg.solve", r.info,
                   lambda k: "The solver failed because the input matrix is singular.")
    return r


def solve(A, B, *, left=True):
    """Solution of ``A X = B`` (B a vector or a batch of matrices; broadcasting batch dims);
    LinAlgError when A is singular."""
    vector = _is_vector_rhs(A._shape, B._shape)
    x, info = dispatch(_SOLVE, (A, B), (bool(left), vector))
    raise_info("torch.linalg.solve", info,
               lambda k: "The solver failed because the input matrix is singular.")
    return x


def _solve_tri_prepare(sigs, static):
    upper, left, unit = static
    (sa, da), (sb, db) = sigs
    check_matrix("linalg.solve_triangular", (sa, da))
    if len(sb) < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 "
                           "dimensions.")
    batch = _solve_shapes("linalg.solve_triangular", sa, sb, left, False, da, db)
    return (upper, left, unit, batch)


def _solve_tri_impl(a, b, upper, left, unit, batch):
    a = jnp.broadcast_to(a, batch + a.shape[-2:])
    b = jnp.broadcast_to(b, batch + b.shape[-2:])
    return lax.linalg.triangular_solve(a, b, left_side=left, lower=not upper,
                                       unit_diagonal=unit)


_SOLVE_TRI = engine.Op("linalg_solve_triangular", _solve_tri_impl, prepare=_solve_tri_prepare,
                       grad="LinalgSolveTriangularBackward0")


def solve_triangular(A, B, *, upper=None, left=True, unitriangular=False):
    """Solution of a triangular system ``A X = B`` (``X A = B`` with ``left=False``)."""
    if upper is None:
        raise TypeError('linalg_solve_triangular() missing 1 required positional arguments: '
                        '"upper"')
    return dispatch(_SOLVE_TRI, (A, B), (bool(upper), bool(left), bool(unitriangular)))


_TriSolve = structseq("triangular_solve", ("solution", "cloned_coefficient"))


@register(out=True)
def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False):
    """Deprecated ``torch.triangular_solve(b, A)``: (solution of ``op(A) X = b``, A's copy)."""
    warnings.warn(
        "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular and "
        "will be removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its "
        "arguments reversed and does not return a copy of one of the inputs.\nX = "
        "torch.triangular_solve(B, A).solution\nshould be replaced with\nX = "
        "torch.linalg.solve_triangular(A, B).", UserWarning, stacklevel=2)
    a = A.mT if transpose else A
    up = (not upper) if transpose else upper
    x = dispatch(_SOLVE_TRI_OLD, (a, input), (bool(up), True, bool(unitriangular)))
    from .shape import clone
    return _TriSolve((x, clone(A)))


_SOLVE_TRI_OLD = engine.Op("triangular_solve", _solve_tri_impl, prepare=_solve_tri_prepare,
                           grad="TriangularSolveBackward0")


# --------------------------------------------------------------------------------------------
# cholesky


def _chol_info(a):
    """potrf's info: the order of the first leading minor that is not positive-definite,
    found by Gaussian elimination without pivoting (run only when the factorization failed)."""
    n = a.shape[-1]
    a = lax.stop_gradient(a)

    def step(k, carry):
        m, info = carry
        piv = m[..., k, k]
        bad = ~(jnp.real(piv) > 0)
        info = jnp.where((info == 0) & bad, k + 1, info)
        col = m[..., :, k]
        row = jnp.conj(col)
        safe = jnp.where(bad, 1, piv)
        m = m - col[..., :, None] * row[..., None, :] / safe[..., None, None]
        return m, info

    tril = jnp.tril(a)
    full = tril + jnp.conj(_mT(jnp.tril(a, -1)))
    _, info = lax.fori_loop(0, n, step, (full, jnp.zeros(a.shape[:-2], jnp.int32)))
    return info


def _chol_impl(a, upper):
    # the value reads the lower triangle only (as LAPACK's potrf); the gradient is PyTorch's
    # symmetric one
    L = lax.linalg.cholesky(hermitian_from(a), symmetrize_input=False)
    failed = jnp.isnan(L).any(axis=(-2, -1)) if a.shape[-1] else jnp.zeros(a.shape[:-2], bool)
    info = lax.cond(failed.any(), _chol_info, lambda x: jnp.zeros(x.shape[:-2], jnp.int32),
                    a) if a.shape[-1] else jnp.zeros(a.shape[:-2], jnp.int32)
    if upper:
        L = _mH(L)
    return L, info


def _chol_prepare(sigs, static):
    name, upper = static
    check_matrix(name, sigs[0])
    return (upper,)


_CHOL = engine.Op("linalg_cholesky_ex", _chol_impl, prepare=_chol_prepare,
                  grad="LinalgCholeskyExBackward0", saves=("out",))
_CHOL_OLD = engine.Op("cholesky", _chol_impl, prepare=_chol_prepare, grad="CholeskyBackward0",
                      saves=("out",))
_CholEx = structseq("linalg_cholesky_ex", ("L", "info"))


def _chol_msg(k):
    return (f"The factorization could not be completed because the input is not "
            f"positive-definite (the leading minor of order {k} is not positive-definite).")


def cholesky_ex(A, *, upper=False, check_errors=False):
    """Cholesky factor and LAPACK's ``info`` (k > 0: the leading minor of order k is not
    positive-definite)."""
    r = _CholEx(dispatch(_CHOL, (A,), ("linalg.cholesky", bool(upper))))
    if check_errors:
        raise_info("linalg.cholesky", r.info, _chol_msg)
    return r


def linalg_cholesky(A, *, upper=False):
    """Lower (or upper) Cholesky factor of Hermitian positive-definite matrices."""
    L, info = dispatch(_CHOL, (A,), ("linalg.cholesky", bool(upper)))
    raise_info("linalg.cholesky", info, _chol_msg)
    return L


@register(out=True)
def cholesky(input, upper=False):
    """Deprecated ``torch.cholesky`` (``torch.linalg.cholesky``)."""
    warnings.warn(
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
        "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = "
        "torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced "
        "with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results "
        "for all valid (symmetric positive definite) inputs.", UserWarning, stacklevel=2)
    L, info = dispatch(_CHOL_OLD, (input,), ("cholesky", bool(upper)))
    raise_info("cholesky", info, _chol_msg)
    return L


def _chol_solve_prepare(sigs, static):
    (sb, db), (sl, dl) = sigs
    check_matrix("cholesky_solve", (sl, dl))
    if len(sb) < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {len(sb)} dimensions "
                           "instead")
    if db is not dl:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{_short(db)} and A of type {_short(dl)} instead.")
    batch = broadcast_shapes(sb[:-2], sl[:-2])
    return static + (batch,)


def _chol_solve_impl(b, L, upper, batch):
    L = jnp.broadcast_to(L, batch + L.shape[-2:])
    b = jnp.broadcast_to(b, batch + b.shape[-2:])
    if upper:
        L = _mH(L)
    y = lax.linalg.triangular_solve(L, b, left_side=True, lower=True)
    return lax.linalg.triangular_solve(L, y, left_side=True, lower=True, conjugate_a=True,
                                       transpose_a=True)


_CHOL_SOLVE = engine.Op("cholesky_solve", _chol_solve_impl, prepare=_chol_solve_prepare,
                        grad="CholeskySolveBackward0")


@register(out=True)
def cholesky_solve(input, input2, upper=False):
    """Solution of ``A X = B`` given A's Cholesky factor ``input2`` (``input`` is B)."""
    return dispatch(_CHOL_SOLVE, (input, input2), (bool(upper),))


def _chol_inverse_impl(L, upper):
    n = L.shape[-1]
    eye = jnp.broadcast_to(jnp.eye(n, dtype=L.dtype), L.shape)
    return _chol_solve_impl(eye, L, upper, L.shape[:-2])


def _chol_inverse_prepare(sigs, static):
    check_matrix("cholesky_inverse", sigs[0])
    return static


_CHOL_INVERSE = engine.Op("cholesky_inverse", _chol_inverse_impl, prepare=_chol_inverse_prepare,
                          grad="CholeskyInverseBackward0")


@register(out=True)
def cholesky_inverse(input, upper=False):
    """Inverse of ``A`` given its Cholesky factor."""
    return dispatch(_CHOL_INVERSE, (input,), (bool(upper),))


# --------------------------------------------------------------------------------------------
# qr, svd, eig, eigh


def _qr_prepare(sigs, static):
    check_matrix("linalg.qr", sigs[0], square=False)
    return static


def _qr_impl(a, mode):
    if mode == "r":
        r = jnp.linalg.qr(a, mode="r")
        return jnp.zeros((0,), a.dtype), r
    q, r = jnp.linalg.qr(a, mode=mode)
    return q, r


_QR = engine.Op("linalg_qr", _qr_impl, prepare=_qr_prepare, grad="LinalgQrBackward0")
_LinalgQR = structseq("linalg_qr", ("Q", "R"))
_QRT = structseq("qr", ("Q", "R"))


def _qr_mode(mode):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    return mode


def linalg_qr(A, mode="reduced"):
    """QR decomposition ``A = Q R`` (``mode``: 'reduced', 'complete' or 'r')."""
    return _LinalgQR(dispatch(_QR, (A,), (_qr_mode(mode),)))


@register(out=True)
def qr(input, some=True):
    """Deprecated ``torch.qr`` (``some=False`` is mode='complete')."""
    warnings.warn(
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string "
        "parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = "
        "torch.linalg.qr(A, 'reduced' if some else 'complete')", UserWarning, stacklevel=2)
    return _QRT(dispatch(_QR, (input,), ("reduced" if some else "complete",)))


def _svd_prepare(sigs, static):
    check_matrix("linalg.svd", sigs[0], square=False)
    return static


def _svd_impl(a, full_matrices):
    u, s, vh = jnp.linalg.svd(a, full_matrices=full_matrices)
    return u, s.astype(jnp.finfo(a.dtype).dtype), vh


def _svdvals_impl(a):
    return jnp.linalg.svd(a, compute_uv=False).astype(jnp.finfo(a.dtype).dtype)


_SVD = engine.Op("linalg_svd", _svd_impl, prepare=_svd_prepare, grad="LinalgSvdBackward0")
_SVDVALS = engine.Op("linalg_svdvals", _svdvals_impl, prepare=_svd_prepare,
                     grad="LinalgSvdBackward0")
_LinalgSVD = structseq("linalg_svd", ("U", "S", "Vh"))
_SVDT = structseq("svd", ("U", "S", "V"))


def linalg_svd(A, full_matrices=True, *, driver=None):
    """Singular value decomposition ``A = U diag(S) Vh`` (singular values descending)."""
    return _LinalgSVD(dispatch(_SVD, (A,), (bool(full_matrices),)))


def svdvals(A, *, driver=None):
    """Singular values of ``A``, descending."""
    return dispatch(_SVDVALS, (A,))


@register(out=True)
def svd(input, some=True, compute_uv=True):
    """The older ``torch.svd``: returns ``V`` (not ``Vh``); ``compute_uv=False`` gives zero
    U and V."""
    if input.ndim < 2:
        raise RuntimeError(f"linalg.svd: input should have at least 2 dimensions, but has "
                           f"{input.ndim} dimensions instead")
    if not compute_uv:
        from .creation import zeros
        m, n = input._shape[-2:]
        s = svdvals(input)
        batch = input._shape[:-2]
        return _SVDT((zeros(batch + (m, m), dtype=input._dtype),
                      s, zeros(batch + (n, n), dtype=input._dtype)))
    u, s, vh = dispatch(_SVD, (input,), (not some,))
    return _SVDT((u, s, vh.mH if input._dtype.is_complex else vh.mT))


def _eig_prepare(sigs, static):
    (shape, dt) = sigs[0]
    name = static[0]
    check_matrix(name, sigs[0], floating=False)
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"Unknown Complex ScalarType for {_short(dt)}")
    return static[1:]


def _complex_of(dt):
    return jnp.complex128 if dt in (jnp.float64, jnp.complex128) else jnp.complex64


def _eig_impl(a):
    w, v = jnp.linalg.eig(a)
    ct = _complex_of(a.dtype)
    return w.astype(ct), v.astype(ct)


def _eigvals_impl(a):
    return jnp.linalg.eigvals(a).astype(_complex_of(a.dtype))


_EIG = engine.Op("linalg_eig", _eig_impl, prepare=_eig_prepare, grad="LinalgEigBackward0")
_EIGVALS = engine.Op("linalg_eigvals", _eigvals_impl, prepare=_eig_prepare,
                     grad="LinalgEigBackward0")
_LinalgEig = structseq("linalg_eig", ("eigenvalues", "eigenvectors"))


def eig(A):
    """Eigenvalues and eigenvectors of a square matrix (complex results)."""
    return _LinalgEig(dispatch(_EIG, (A,), ("linalg.eig",)))


def eigvals(A):
    """Eigenvalues of a square matrix (complex)."""
    return dispatch(_EIGVALS, (A,), ("linalg.eigvals",))


def _eigh_prepare(sigs, static):
    name, uplo = static
    check_matrix(name, sigs[0])
    return (uplo,)


def hermitian_from(a, lower=True):
    """The Hermitian matrix LAPACK reads from one triangle of ``a``, differentiated as PyTorch
    does: the gradient is the Hermitian part, shared by both triangles."""
    tri = jnp.tril(a) if lower else jnp.triu(a)
    other = jnp.tril(a, -1) if lower else jnp.triu(a, 1)
    val = tri + jnp.conj(_mT(other))
    sym = (a + _mH(a)) / 2
    return lax.stop_gradient(val) + (sym - lax.stop_gradient(sym))


def _eigh_input(a, uplo):
    return hermitian_from(a, uplo == "L")


def _eigh(a, uplo):
    v, w = lax.linalg.eigh(_eigh_input(a, uplo), lower=True, symmetrize_input=False)
    return w.astype(jnp.finfo(a.dtype).dtype), v


def _eigh_impl(a, uplo):
    return _eigh(a, uplo)


def _eigvalsh_impl(a, uplo):
    return _eigh(a, uplo)[0]


_EIGH = engine.Op("linalg_eigh", _eigh_impl, prepare=_eigh_prepare, grad="LinalgEighBackward0")
_EIGVALSH = engine.Op("linalg_eigvalsh", _eigvalsh_impl, prepare=_eigh_prepare,
                      grad="LinalgEighBackward0")
_LinalgEigh = structseq("linalg_eigh", ("eigenvalues", "eigenvectors"))


def _uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO


def eigh(A, UPLO="L"):
    """Eigenvalues (ascending) and eigenvectors of Hermitian matrices (reading one triangle)."""
    return _LinalgEigh(dispatch(_EIGH, (A,), ("linalg.eigh", _uplo(UPLO))))


def eigvalsh(A, UPLO="L"):
    """Eigenvalues (ascending) of Hermitian matrices."""
    return dispatch(_EIGVALSH, (A,), ("linalg.eigvalsh", _uplo(UPLO)))


# --------------------------------------------------------------------------------------------
# matrix_power, matrix_exp, pinv, matrix_rank


def _mpow_prepare(sigs, static):
    (n,) = static
    shape, dt = sigs[0]
    if len(shape) < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if shape[-1] != shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {shape[-2]} by {shape[-1]} matrices")
    if n < 0:
        check_matrix("linalg.inv", sigs[0])
    elif dt is D.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    return (n,)


def _mpow_impl(a, n):
    if n == 0:
        return jnp.broadcast_to(jnp.eye(a.shape[-1], dtype=a.dtype), a.shape)
    if n < 0:
        a = jnp.linalg.inv(a)
        n = -n
    ct = jnp.float32 if a.dtype in (jnp.float16, jnp.bfloat16) else a.dtype
    x = a.astype(ct)
    result = None
    while n:
        if n & 1:
            result = x if result is None else jnp.matmul(result, x, precision=mm_precision())
        n >>= 1
        if n:
            x = jnp.matmul(x, x, precision=mm_precision())
    return result.astype(a.dtype)


_MPOW = {g: engine.Op("linalg_matrix_power", _mpow_impl, prepare=_mpow_prepare, grad=g)
         for g in ("MmBackward0", "CopyBackwards", "CloneBackward0")}


@register(out=True)
def matrix_power(input, n):
    """``input`` to the integer power ``n`` (negative: of the inverse)."""
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    n = operator.index(n)
    grad = "CopyBackwards" if n == 0 else ("CloneBackward0" if n == 1 else "MmBackward0")
    if n < 0 and input.ndim >= 2:
        check = dispatch_nograd(_INV, (input.detach(),))[1] if (
            input._dtype.is_floating_point or input._dtype.is_complex) else None
        if check is not None:
            raise_info("linalg.inv", check, _singular_msg)
    return dispatch(_MPOW[grad], (input,), (n,))


def _expm_prepare(sigs, static):
    check_matrix("linalg.matrix_exp", sigs[0])
    return static


def _expm_impl(a):
    if a.shape[-1] == 0:
        return a
    return jax.scipy.linalg.expm(a)


_EXPM = engine.Op("linalg_matrix_exp", _expm_impl, prepare=_expm_prepare,
                  grad="LinalgMatrixExpBackward0")


@register()
def matrix_exp(input):
    """Matrix exponential of square matrices."""
    return dispatch(_EXPM, (input,))


def _pinv_prepare(sigs, static):
    shape, dt = sigs[0]
    if len(shape) < 2 or not (dt.is_floating_point or dt.is_complex) or \
            dt in (D.float16, D.bfloat16):
        raise RuntimeError(f"linalg.pinv({_short(dt)}{{[{', '.join(map(str, shape))}]}}): "
                           "expected a tensor with 2 or more dimensions of float, double, cfloat "
                           "or cdouble types")
    return static


def _cutoff(s_max, atol, rtol, m, n, dt):
    eps = jnp.finfo(dt).eps
    if rtol is None:
        rtol = 0.0 if (atol is not None and atol > 0) else eps * max(m, n)
    atol = 0.0 if atol is None else atol
    return jnp.maximum(atol, rtol * s_max)


def _pinv_impl(a, atol, rtol, hermitian):
    m, n = a.shape[-2:]
    rdt = jnp.finfo(a.dtype).dtype
    if hermitian:
        w, v = _eigh(a, "L")
        smax = jnp.max(jnp.abs(w), axis=-1, keepdims=True) if n else jnp.zeros(w.shape[:-1] +
                                                                              (1,), rdt)
        cut = _cutoff(smax, atol, rtol, m, n, rdt)
        winv = jnp.where(jnp.abs(w) > cut, 1 / jnp.where(w == 0, 1, w), 0)
        return jnp.matmul(v * winv[..., None, :].astype(v.dtype), _mH(v), precision=mm_precision())
    u, s, vh = jnp.linalg.svd(a, full_matrices=False)
    s = s.astype(rdt)
    smax = s[..., :1] if min(m, n) else jnp.zeros(s.shape[:-1] + (1,), rdt)
    cut = _cutoff(smax, atol, rtol, m, n, rdt)
    sinv = jnp.where(s > cut, 1 / jnp.where(s == 0, 1, s), 0)
    return jnp.matmul(_mH(vh) * sinv[..., None, :].astype(a.dtype), _mH(u), precision=mm_precision())


_PINV = engine.Op("linalg_pinv", _pinv_impl, prepare=_pinv_prepare, grad="LinalgPinvBackward0")


def _tol(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        if x.numel() != 1:
            raise NotImplementedError("torch.linalg.pinv / matrix_rank with tensor atol/rtol of "
                                      "more than one element is not supported by jtorch")
        return float(x.item())
    return float(x)


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """Moore-Penrose pseudo-inverse (singular values below max(atol, rtol * s_max) dropped)."""
    return dispatch(_PINV, (A,), (_tol(atol), _tol(rtol), bool(hermitian)))


@register()
def pinverse(input, rcond=1e-15):
    """``torch.linalg.pinv(input, rtol=rcond)``."""
    return pinv(input, rtol=rcond)


def _rank_prepare(sigs, static):
    shape, dt = sigs[0]
    if dt not in (D.float32, D.float64, D.complex64, D.complex128):
        raise RuntimeError("This function doesn't handle types other than float and double")
    check_matrix("linalg.matrix_rank", sigs[0], square=False)
    return static


def _rank_impl(a, atol, rtol, hermitian):
    m, n = a.shape[-2:]
    rdt = jnp.finfo(a.dtype).dtype
    if hermitian:
        s = jnp.abs(_eigh(a, "L")[0])
        smax = jnp.max(s, axis=-1, keepdims=True) if n else jnp.zeros(s.shape[:-1] + (1,), rdt)
    else:
        s = jnp.linalg.svd(a, compute_uv=False).astype(rdt)
        smax = s[..., :1] if min(m, n) else jnp.zeros(s.shape[:-1] + (1,), rdt)
    cut = _cutoff(smax, atol, rtol, m, n, rdt)
    return jnp.sum(s > cut, axis=-1).astype(jnp.int64)


_RANK = engine.Op("linalg_matrix_rank", _rank_impl, prepare=_rank_prepare)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None):
    """Numerical rank: singular values above max(atol, rtol * s_max)."""
    if tol is not None:
        atol, rtol = tol, 0.0
    return dispatch_nograd(_RANK, (A,), (_tol(atol), _tol(rtol), bool(hermitian)))


from . import linalg_lu as _lu  # noqa: E402,F401  (lstsq and the LU family)
