"""torch.linalg: matrix products, decompositions, solvers and norms.

Every function here is a frontend over the op table (``jtorch/_ops/linalg*.py``); this module
gives them their ``torch.linalg`` names and PyTorch's ``out=`` keyword.
"""
from __future__ import annotations

import functools

from ._ops import _inplace
from ._ops import linalg as _products
from ._ops import linalg_decomp as _decomp
from ._ops import linalg_lu as _lu
from ._ops import linalg_norm as _norms

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig",
           "eigh", "eigvals", "eigvalsh", "inv", "inv_ex", "lstsq", "lu", "lu_factor",
           "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm", "matrix_power",
           "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex",
           "solve_triangular", "svd", "svdvals", "tensorinv", "tensorsolve", "vander", "vecdot",
           "vector_norm"]

LinAlgError = _decomp.LinAlgError


def _out(fn, name):
    """Add PyTorch's ``out=`` keyword to a torch.linalg function."""

    @functools.wraps(fn)
    def f(*args, out=None, **kwargs):
        result = fn(*args, **kwargs)
        if out is None:
            return result
        return _inplace.write_out(out, result, "linalg_" + name)

    f.__name__ = f.__qualname__ = name
    return f


def _prod(shape):
    out = 1
    for s in shape:
        out *= s
    return out


def _tensorinv(A, ind=2):
    """The tensor ``X`` with ``tensordot(A, X, ind)`` the identity: ``inv`` of A folded into a
    square matrix at ``ind``."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    shape = A.shape
    left, right = shape[:ind], shape[ind:]
    if _prod(left) != _prod(right):
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {_prod(right)} != {_prod(left)}")
    return _decomp.inv(A.reshape(_prod(left), _prod(right))).reshape(tuple(right) + tuple(left))


def _tensorsolve(A, B, dims=None):
    """The tensor ``X`` with ``tensordot(A, X, X.ndim) == B``."""
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = A.movedim(dims, list(range(A.ndim - len(dims), A.ndim)))
    rest = A.shape[B.ndim:]
    if _prod(A.shape[:B.ndim]) != _prod(rest) or tuple(A.shape[:B.ndim]) != tuple(B.shape):
        raise RuntimeError(f"Expected self to satisfy the requirement "
                           f"prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]), but "
                           f"got {_prod(rest)} != "
                           f"{_prod(A.shape[:B.ndim])}")
    x = _decomp.solve(A.reshape(_prod(B.shape), _prod(rest)), B.reshape(-1))
    return x.reshape(tuple(rest))


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """A view of the diagonal(s) of ``A`` (of the last two dims by default)."""
    return A.diagonal(offset, dim1, dim2)


cholesky = _out(_decomp.linalg_cholesky, "cholesky")
cholesky_ex = _out(_decomp.cholesky_ex, "cholesky_ex")
cond = _out(_norms.cond, "cond")
cross = _out(_products.linalg_cross, "cross")
det = _out(_decomp.det, "det")
eig = _out(_decomp.eig, "eig")
eigh = _out(_decomp.eigh, "eigh")
eigvals = _out(_decomp.eigvals, "eigvals")
eigvalsh = _out(_decomp.eigvalsh, "eigvalsh")
inv = _out(_decomp.inv, "inv")
inv_ex = _out(_decomp.inv_ex, "inv_ex")
lstsq = _lu.lstsq
lu = _out(_lu.lu, "lu")
lu_factor = _out(_lu.lu_factor, "lu_factor")
lu_factor_ex = _out(_lu.lu_factor_ex, "lu_factor_ex")
lu_solve = _out(_lu.lu_solve, "lu_solve")
matmul = _out(_products.matmul, "matmul")
matrix_exp = _decomp.matrix_exp
matrix_norm = _out(_norms.matrix_norm, "matrix_norm")
matrix_power = _out(_decomp.matrix_power, "matrix_power")
matrix_rank = _out(_decomp.matrix_rank, "matrix_rank")
multi_dot = _out(_products.multi_dot, "multi_dot")
norm = _out(_norms.norm, "norm")
pinv = _out(_decomp.pinv, "pinv")
qr = _out(_decomp.linalg_qr, "qr")
slogdet = _out(_decomp.linalg_slogdet, "slogdet")
solve = _out(_decomp.solve, "solve")
solve_ex = _out(_decomp.solve_ex, "solve_ex")
solve_triangular = _out(_decomp.solve_triangular, "solve_triangular")
svd = _out(_decomp.linalg_svd, "svd")
svdvals = _out(_decomp.svdvals, "svdvals")
vander = _norms.linalg_vander
vecdot = _out(_products.vecdot, "vecdot")
vector_norm = _out(_norms.vector_norm, "vector_norm")
tensorinv = _out(_tensorinv, "tensorinv")
tensorsolve = _out(_tensorsolve, "tensorsolve")


from ._unsupported import module_getattr as _module_getattr  # noqa: E402

# torch.linalg.X that PyTorch has and jtorch lacks: UnsupportedError (jtorch._unsupported)
__getattr__ = _module_getattr("torch.linalg")
