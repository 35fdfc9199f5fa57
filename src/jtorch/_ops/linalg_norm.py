"""Norms and related: torch.linalg.vector_norm, matrix_norm, norm, cond; torch.dist;
torch.linalg.vander and torch.vander.

Gradients follow PyTorch's conventions where JAX's differ: the derivative of |x| at 0 is 0
(``sign(x) * x``), a norm of a zero vector has a zero gradient (not NaN), and the inf-norm
shares its gradient evenly among ties (as ``amax``).
"""
from __future__ import annotations

import math
import numbers
import operator

import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ._registry import register
from ._util import broadcast_shapes, wrap_dim, wrap_dims
from .linalg_decomp import check_matrix

__all__ = ["vector_norm", "matrix_norm", "norm", "cond", "dist", "linalg_vander", "vander"]

_short = D._short
_INF = math.inf


def _abs(x):
    """|x| whose derivative at 0 is 0 (PyTorch's sgn), also for complex x."""
    if jnp.iscomplexobj(x):
        zero = x == 0
        return jnp.where(zero, 0, jnp.abs(jnp.where(zero, 1, x)))
    return jnp.sign(x) * x


def vnorm(x, p, dims, keepdim):
    """The p-norm of ``x`` over ``dims`` (a pure function used by several ops)."""
    a = _abs(x)
    rdt = a.dtype
    if p == 2:
        s = jnp.sum(a * a, axis=dims, keepdims=keepdim)
        zero = s == 0
        return jnp.where(zero, 0, jnp.sqrt(jnp.where(zero, 1, s))).astype(rdt)
    if p == 1:
        return jnp.sum(a, axis=dims, keepdims=keepdim)
    if p == _INF:
        return jnp.max(a, axis=dims, keepdims=keepdim)
    if p == -_INF:
        return jnp.min(a, axis=dims, keepdims=keepdim)
    if p == 0:
        return jnp.sum(lax.stop_gradient(a != 0).astype(rdt), axis=dims, keepdims=keepdim)
    # |x|^p with a zero derivative at x = 0 (PyTorch masks those elements)
    nz = a != 0
    ap = jnp.where(nz, jnp.where(nz, a, 1) ** p, 0)
    s = jnp.sum(ap, axis=dims, keepdims=keepdim)
    zero = s == 0
    r = jnp.where(zero, 1, s) ** (1 / p)
    return jnp.where(zero, 0 if p > 0 else _INF, r).astype(rdt)


# --------------------------------------------------------------------------------------------
# vector_norm


def _vnorm_prepare(sigs, static):
    p, dims, keepdim, dtype = static
    shape, dt = sigs[0]
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_short(dt)}")
    if dtype is not None:
        if not (dtype.is_floating_point or dtype.is_complex):
            raise RuntimeError(f"linalg.vector_norm: dtype should be floating point or complex, "
                               f"but got {_short(dtype)}")
        if D.promote_types(dt, dtype) is not dtype:
            raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({_short(dt)}) should "
                               f"be convertible without narrowing to the specified dtype "
                               f"({_short(dtype)})")
        dt = dtype
    nd = len(shape)
    rd = tuple(range(nd)) if dims is None else wrap_dims(dims, nd)
    if p in (_INF, -_INF):
        name = "inf" if p > 0 else "-inf"
        if dims is None and any(s == 0 for s in shape):
            raise RuntimeError(f"linalg.vector_norm cannot compute the {name} norm on an empty "
                               "tensor because the operation does not have an identity")
        for d in rd:
            if shape[d] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {name} norm on the "
                                   f"dimension {d}because this dimension is empty and the "
                                   "operation does not have an identity")
    ct = P.opmath(dt)
    rt = dt.to_real()
    return (p, rd, keepdim, ct.np, rt.np)


def _vnorm_impl(x, p, dims, keepdim, ct, rt):
    return vnorm(x.astype(ct), p, dims, keepdim).astype(rt)


_VNORM = engine.Op("linalg_vector_norm", _vnorm_impl, prepare=_vnorm_prepare,
                   grad="LinalgVectorNormBackward0")


def _ord(ord, name="linalg_vector_norm"):
    if isinstance(ord, Tensor):
        ord = ord.item()
    if isinstance(ord, bool) or not isinstance(ord, numbers.Number):
        raise TypeError(f"{name}(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    return float(ord)


def _dims_arg(dim):
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        return tuple(operator.index(d) for d in dim)
    return (operator.index(dim),)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The vector ``ord``-norm of ``x`` over ``dim`` (all elements by default)."""
    from .creation import dtype_kw
    return dispatch(_VNORM, (x,), (_ord(ord), _dims_arg(dim), bool(keepdim),
                                   dtype_kw("linalg_vector_norm", dtype)))


# --------------------------------------------------------------------------------------------
# matrix_norm


_MATRIX_ORDS = ("fro", "nuc", 2.0, -2.0, 1.0, -1.0, _INF, -_INF)


def _mnorm_prepare(sigs, static):
    ord, dims, keepdim, dtype = static
    shape, dt = sigs[0]
    check_matrix("linalg.matrix_norm", (shape, dt), square=False)
    if dtype is not None:
        dt = dtype
    nd = len(shape)
    d0, d1 = wrap_dim(dims[0], nd), wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dims[0]}, "
                           f"{dims[1]})")
    if ord not in ("fro", "nuc") and ord < 0:
        # amin over an empty dim has no identity (PyTorch's composite raises from amin)
        if ord == -2.0 and 0 in (shape[d0], shape[d1]):
            raise IndexError("amin(): Expected reduction dim -1 to have non-zero size.")
        reduced = d1 if ord == -1.0 else d0
        if ord != -2.0 and shape[reduced] == 0:
            raise IndexError(f"amin(): Expected reduction dim {0 if ord == -1.0 else 1} to "
                               "have non-zero size.")
    ct = P.opmath(dt)
    return (ord, (d0, d1), keepdim, ct.np, dt.to_real().np)


def _mnorm_impl(x, ord, dims, keepdim, ct, rt):
    x = x.astype(ct)
    d0, d1 = dims
    if ord == "fro":
        return vnorm(x, 2, dims, keepdim).astype(rt)
    if ord in ("nuc", 2.0, -2.0):
        m = jnp.moveaxis(x, (d0, d1), (-2, -1))
        s = jnp.linalg.svd(m, compute_uv=False).astype(jnp.finfo(ct).dtype)
        if s.shape[-1] == 0:
            r = jnp.zeros(s.shape[:-1], s.dtype)
        else:
            r = jnp.sum(s, -1) if ord == "nuc" else (jnp.max(s, -1) if ord == 2 else
                                                     jnp.min(s, -1))
    else:
        a = _abs(x)
        # 1: max over columns of the column sums; inf: max over rows of the row sums
        summed, reduced = (d0, d1) if abs(ord) == 1 else (d1, d0)
        sums = jnp.sum(a, axis=summed, keepdims=True)
        if sums.shape[reduced] == 0:
            r = jnp.zeros(sums.shape[:reduced] + (1,) + sums.shape[reduced + 1:], sums.dtype)
        else:
            r = jnp.max(sums, axis=reduced, keepdims=True) if ord > 0 else \
                jnp.min(sums, axis=reduced, keepdims=True)
        r = jnp.squeeze(r, (d0, d1))
    if keepdim:
        r = jnp.expand_dims(r, tuple(sorted((d0, d1))))
    return r.astype(rt)


_MNORM = {g: engine.Op("linalg_matrix_norm", _mnorm_impl, prepare=_mnorm_prepare, grad=g)
          for g in ("LinalgVectorNormBackward0", "SumBackward1", "AmaxBackward0",
                    "AminBackward0")}


def _matrix_ord(ord):
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        return ord
    if isinstance(ord, Tensor):
        ord = ord.item()
    o = float(ord)
    if o not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {_fmt(ord)} not supported.")
    return o


def _fmt(x):
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """Matrix norm over the two dims ``dim``: 'fro', 'nuc', 1, -1, 2, -2, inf, -inf."""
    from .creation import dtype_kw
    o = _matrix_ord(ord)
    if not isinstance(dim, (list, tuple)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(map(str, dim)) if isinstance(dim, (list, tuple)) else dim}")
    if o == "fro":
        grad = "LinalgVectorNormBackward0"
    elif o == "nuc":
        grad = "SumBackward1"
    else:
        grad = "AmaxBackward0" if o > 0 else "AminBackward0"
    return dispatch(_MNORM[grad], (A,), (o, tuple(operator.index(d) for d in dim),
                                         bool(keepdim), dtype_kw("linalg_matrix_norm", dtype)))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.norm``: a vector norm (1 dim, or a flattened input without ``ord``) or a
    matrix norm (2 dims, or a 2-D input with ``ord``)."""
    if dim is not None:
        dims = (dim,) if not isinstance(dim, (list, tuple)) else tuple(dim)
        if len(dims) == 1:
            if isinstance(ord, str):
                return matrix_norm(A, ord, dims, keepdim, dtype=dtype)
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got "
                           f"[{', '.join(map(str, dims))}]")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")
    if A.ndim == 1 and not isinstance(ord, str):
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


# --------------------------------------------------------------------------------------------
# cond


def _cond_prepare(sigs, static):
    (p,) = static
    shape, dt = sigs[0]
    name = "linalg.cond" if p in (None, 2.0, -2.0) else f"linalg.cond(ord={_fmt(p)})"
    check_matrix(name, sigs[0], square=p not in (None, 2.0, -2.0))
    return (p, P.opmath(dt).np, dt.to_real().np)


def _cond_impl(a, p, ct, rt):
    a = a.astype(ct)
    if p in (None, 2.0, -2.0):
        s = jnp.linalg.svd(a, compute_uv=False)
        r = s[..., 0] / s[..., -1] if p != -2.0 else s[..., -1] / s[..., 0]
        return r.astype(rt)
    inv = jnp.linalg.inv(a)
    dims = (a.ndim - 2, a.ndim - 1)
    r = _mnorm_impl(a, p, dims, False, ct, rt) * _mnorm_impl(inv, p, dims, False, ct, rt)
    return jnp.where(jnp.isnan(r), jnp.inf, r).astype(rt)


_COND = {g: engine.Op("linalg_cond", _cond_impl, prepare=_cond_prepare, grad=g)
         for g in ("SqueezeBackward1", "NanToNumBackward0", "DivBackward0")}


def cond(A, p=None):
    """Condition number of ``A`` in the ``p`` norm (default: the 2-norm, via singular values)."""
    if p is not None and not isinstance(p, str):
        if isinstance(p, Tensor):
            p = p.item()
        p = float(p)
        if p not in _MATRIX_ORDS:
            raise RuntimeError(f"linalg.cond got an invalid norm type: {_fmt(p)}")
    elif isinstance(p, str) and p not in ("fro", "nuc"):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    grad = "SqueezeBackward1" if p in (None, 2.0) else (
        "DivBackward0" if p == -2.0 else "NanToNumBackward0")
    return dispatch(_COND[grad], (A,), (p,))


# --------------------------------------------------------------------------------------------
# dist


def _dist_prepare(sigs, static):
    (p,) = static
    (s1, d1), (s2, d2) = sigs
    shape = broadcast_shapes(s1, s2)
    rt = P.result_type_sigs(sigs)
    if not (rt.is_floating_point or rt.is_complex):
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{_short(rt)} instead.")
    return (p, tuple(range(len(shape))), P.opmath(rt).np, rt.to_real().np)


def _dist_impl(a, b, p, dims, ct, rt):
    return vnorm(a.astype(ct) - b.astype(ct), p, dims, False).astype(rt)


_DIST = engine.Op("dist", _dist_impl, prepare=_dist_prepare, grad="DistBackward0")


@register()
def dist(input, other, p=2):
    """The p-norm of ``input - other`` (broadcast)."""
    return dispatch(_DIST, (input, other), (_ord(p, "dist"),))


# --------------------------------------------------------------------------------------------
# vander


def _vander_prepare(sigs, static):
    n, increasing, linalg = static
    shape, dt = sigs[0]
    rt = D.int64 if dt.is_integral else dt
    if linalg and dt is D.bool_:
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, "
                           "but got Bool")
    return (n, increasing, rt.np)


def _vander_impl(x, n, increasing, rt):
    x = x.astype(rt)
    if n == 0:
        return jnp.zeros(x.shape + (0,), rt)
    cols = [jnp.ones_like(x)]
    for _ in range(n - 1):
        cols.append(cols[-1] * x)
    v = jnp.stack(cols, axis=-1)
    return v if increasing else v[..., ::-1]


_LVANDER = engine.Op("linalg_vander", _vander_impl, prepare=_vander_prepare, grad="CatBackward0")
_VANDER = {g: engine.Op("vander", _vander_impl, prepare=_vander_prepare, grad=g)
           for g in ("FlipBackward0", "CopySlices")}


def linalg_vander(x, *, N=None):
    """``torch.linalg.vander``: powers x**0 .. x**(N-1) along a new last dim."""
    n = x._shape[-1] if (N is None and x.ndim) else (1 if N is None else operator.index(N))
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    return dispatch(_LVANDER, (x,), (n, True, True))


@register(method=False)
def vander(x, N=None, increasing=False):
    """Vandermonde matrix of a 1-D tensor (decreasing powers unless ``increasing``)."""
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._shape[0] if N is None else operator.index(N)
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    return dispatch(_VANDER["CopySlices" if increasing else "FlipBackward0"], (x,),
                    (n, bool(increasing), False))
