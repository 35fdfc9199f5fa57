"""Kernels of torch.nn.utils: gradient clipping over all gradients at once, weight norm,
spectral norm, and the orthogonal maps of ``parametrizations.orthogonal``.

Clipping is one op over every gradient (their norms, the total norm and the scaled gradients),
written back into the ``.grad`` tensors in place, so an optimizer step with clipping stays one
program and never syncs.
"""
from __future__ import annotations

import math

import jax
import jax.lax as lax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch, dispatch_nograd
from .._engine import core as engine
from . import _inplace
from ._registry import register
from ._util import wrap_dim
from .linalg import mm_precision
from .nn_norm import vector_norm_body

__all__ = ["total_norm", "clip_by_total_norm", "clip_grad_norm", "clip_values",
           "weight_norm_interface", "norm_except_dim", "spectral_power_iteration",
           "spectral_normalize", "orthogonal_map", "make_orthogonal", "householder_right_inverse"]



def _cast(x, dt):
    return lax.convert_element_type(x, dt)


def _flat_norm(g, p):
    return vector_norm_body(g.reshape(-1), p, 0, keepdims=False)


def _norms_dtype(sigs):
    # the total norm has the promoted dtype of the per-gradient norms (PyTorch stacks them)
    return P.result_type_sigs(tuple((s[0][:0], s[1]) for s in sigs))


# --------------------------------------------------------------------------------------------
# gradient clipping


def _total_norm_value(grads, p, ct):
    norms = jnp.stack([_cast(_flat_norm(_cast(g, P.opmath(D.from_np(g.dtype)).np), p), ct)
                       for g in grads])
    return _flat_norm(norms, p)


def _total_prepare(sigs, static):
    rt = _norms_dtype(sigs)
    return static + (rt.np,)


def _total_impl(*a):
    *grads, p, rt = a
    return _total_norm_value(grads, p, rt)


_TOTAL_NORM = engine.Op("total_norm", _total_impl, prepare=_total_prepare)


def _scale_impl(total, max_norm, *grads):
    coef = jnp.minimum(max_norm / (total + 1e-6), 1.0)
    return tuple(_cast(g * _cast(coef, g.dtype), g.dtype) for g in grads)


_SCALE = engine.Op("clip_grads_with_norm_", _scale_impl)


def _clip_norm_impl(*a):
    *grads, max_norm, p, rt = a
    total = _total_norm_value(grads, p, rt)
    coef = jnp.minimum(max_norm / (total + 1e-6), 1.0)
    return (total,) + tuple(_cast(g * _cast(coef, g.dtype), g.dtype) for g in grads)


def _clip_norm_prepare(sigs, static):
    rt = _norms_dtype(sigs[:-1])
    return static + (rt.np,)


_CLIP_NORM = engine.Op("clip_grad_norm_", _clip_norm_impl, prepare=_clip_norm_prepare)


def total_norm(tensors, norm_type):
    """The ``norm_type`` norm of the norms of ``tensors`` (a 0-d tensor)."""
    return dispatch_nograd(_TOTAL_NORM, tuple(tensors), (float(norm_type),))


def _write_back(tensors, values):
    # in place into the gradient tensors (their identity and aliases are kept)
    for t, v in zip(tensors, values):
        _inplace.assign(t, v)


def clip_by_total_norm(grads, max_norm, total):
    """Scale ``grads`` in place by min(1, max_norm / (total + 1e-6))."""
    out = dispatch_nograd(_SCALE, (total, float(max_norm)) + tuple(grads))
    _write_back(grads, out)


def clip_grad_norm(grads, max_norm, norm_type):
    """Clip ``grads`` in place to total norm ``max_norm``; returns the total norm (one op)."""
    out = dispatch_nograd(_CLIP_NORM, tuple(grads) + (float(max_norm),), (float(norm_type),))
    _write_back(grads, out[1:])
    return out[0]


def _clip_values_impl(*a):
    *grads, lo, hi = a
    return tuple(jnp.clip(g, _cast(lo, g.dtype), _cast(hi, g.dtype)) for g in grads)


_CLIP_VALUES = engine.Op("clip_grad_value_", _clip_values_impl)


def clip_values(grads, clip_value):
    """Clamp ``grads`` in place to [-clip_value, clip_value]."""
    out = dispatch_nograd(_CLIP_VALUES, tuple(grads) + (-float(clip_value), float(clip_value)))
    if not isinstance(out, tuple):
        out = (out,)
    _write_back(grads, out)


# --------------------------------------------------------------------------------------------
# weight norm


def _norm_except_dim_body(v, p, dim):
    if dim == -1:
        return vector_norm_body(v.reshape(-1), p, 0, keepdims=False)
    axes = tuple(i for i in range(v.ndim) if i != dim)
    return vector_norm_body(v, p, axes, keepdims=True)


def _ned_prepare(sigs, static):
    p, dim = static
    shape, dt = sigs[0]
    if dim != -1:
        dim = wrap_dim(dim, len(shape))
    return (p, dim, P.opmath(dt).np, dt.np)


def _ned_impl(v, p, dim, ct, rt):
    return _cast(_norm_except_dim_body(_cast(v, ct), p, dim), rt)


_NORM_EXCEPT_DIM = engine.Op("norm_except_dim", _ned_impl, prepare=_ned_prepare,
                             grad="NormBackward1")


@register(method=False)
def norm_except_dim(v, pow=2, dim=0):
    """The ``pow``-norm of ``v`` over every dim but ``dim`` (kept with size 1)."""
    return dispatch(_NORM_EXCEPT_DIM, (v,), (float(pow), int(dim)))


def _wn_impl(v, g, dim, ct, rt):
    vc = _cast(v, ct)
    return _cast(vc * (_cast(g, ct) / _norm_except_dim_body(vc, 2.0, dim)), rt)


def _wn_prepare(sigs, static):
    (dim,) = static
    shape, dt = sigs[0]
    if dim != -1:
        dim = wrap_dim(dim, len(shape))
    return (dim, P.opmath(dt).np, dt.np)


_WEIGHT_NORM = engine.Op("_weight_norm", _wn_impl, prepare=_wn_prepare,
                         grad="WeightNormInterfaceBackward0")
_WEIGHT_NORM_ALL = engine.Op("_weight_norm", _wn_impl, prepare=_wn_prepare, grad="MulBackward0")


@register("_weight_norm", method=False)
def weight_norm_interface(v, g, dim=0):
    """``v * g / ||v||`` with the norm over every dim but ``dim`` (-1: over all)."""
    op = _WEIGHT_NORM_ALL if dim == -1 else _WEIGHT_NORM
    return dispatch(op, (v, g), (int(dim),))


# --------------------------------------------------------------------------------------------
# spectral norm


def _to_matrix(w, dim):
    if dim != 0:
        w = jnp.moveaxis(w, dim, 0)
    return w.reshape(w.shape[0], -1)


def _normalize_vec(x, eps):
    n = vector_norm_body(x, 2.0, 0)
    return x / jnp.where(n < eps, eps, n)


def _power_impl(w, u, v, dim, n_iter, eps, v_first):
    m = _to_matrix(w, dim)
    for _ in range(n_iter):
        if v_first:  # the old hook API updates v then u
            v = _normalize_vec(jnp.matmul(m.T, u, precision=mm_precision()), eps)
            u = _normalize_vec(jnp.matmul(m, v, precision=mm_precision()), eps)
        else:
            u = _normalize_vec(jnp.matmul(m, v, precision=mm_precision()), eps)
            v = _normalize_vec(jnp.matmul(m.T, u, precision=mm_precision()), eps)
    return u, v


_POWER = engine.Op("spectral_power_iteration", _power_impl)


def spectral_power_iteration(weight, u, v, dim, n_iter, eps, v_first=False):
    """``n_iter`` power-method steps on ``weight`` as a matrix (rows: ``dim``): new (u, v)."""
    return dispatch_nograd(_POWER, (weight, u, v), (int(dim), int(n_iter), float(eps),
                                                    bool(v_first)))


def _sn_impl(w, u, v, dim):
    m = _to_matrix(w, dim)
    sigma = jnp.dot(u, jnp.matmul(m, v, precision=mm_precision()), precision=mm_precision())
    return w / sigma


_SPECTRAL = engine.Op("spectral_normalize", _sn_impl, grad="DivBackward0", nondiff=(1, 2))


def spectral_normalize(weight, u, v, dim):
    """``weight / (u . W v)`` with W the matrix view of ``weight``."""
    return dispatch(_SPECTRAL, (weight, u, v), (int(dim),))


# --------------------------------------------------------------------------------------------
# orthogonal maps


def _orth_impl(x, *rest):
    *base, kind, transposed = rest
    if transposed:
        x = jnp.swapaxes(x, -1, -2)
    n, k = x.shape[-2], x.shape[-1]
    if kind in ("matrix_exp", "cayley"):
        x = jnp.tril(x)
        if n != k:
            x = jnp.concatenate([x, jnp.zeros(x.shape[:-2] + (n, n - k), x.dtype)], axis=-1)
        a = x - jnp.conj(jnp.swapaxes(x, -1, -2))
        if kind == "matrix_exp":
            q = jsl.expm(a) if a.ndim == 2 else jax.vmap(jsl.expm)(
                a.reshape((-1, n, n))).reshape(a.shape)
        else:
            eye = jnp.eye(n, dtype=a.dtype)
            q = jnp.linalg.solve(eye - 0.5 * a, eye + 0.5 * a)
        if n != k:
            q = q[..., :k]
    else:
        a = jnp.tril(x, -1)
        tau = 2.0 / (1.0 + jnp.sum(a * a, axis=-2))
        q = _householder_product(a, tau)
        q = q * jnp.diagonal(x, axis1=-2, axis2=-1).astype(jnp.int32).astype(x.dtype)[..., None,
                                                                                      :]
    if base:
        q = jnp.matmul(base[0], q, precision=mm_precision())
    if transposed:
        q = jnp.swapaxes(q, -1, -2)
    return q


def _householder_product(a, tau):
    """The first k columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^H (LAPACK's orgqr), written
    with differentiable ops (JAX has no derivative for its householder_product)."""
    n, k = a.shape[-2], a.shape[-1]
    rows = jnp.arange(n)
    q = jnp.broadcast_to(jnp.eye(n, dtype=a.dtype), a.shape[:-2] + (n, n))
    for i in range(k):
        v = jnp.where(rows > i, a[..., :, i], jnp.where(rows == i, 1, 0).astype(a.dtype))
        qv = jnp.einsum("...ij,...j->...i", q, v, precision=mm_precision())
        q = q - tau[..., i, None, None] * qv[..., :, None] * jnp.conj(v)[..., None, :]
    return q[..., :k]


def _orth_op(grad):
    return engine.Op("orthogonal", _orth_impl, grad=grad)


_ORTH = {g: _orth_op(g) for g in ("TransposeBackward0", "MmBackward0", "MulBackward0",
                                  "SliceBackward0", "LinalgMatrixExpBackward0",
                                  "LinalgSolveExBackward0", "BmmBackward0",
                                  "UnsafeViewBackward0")}


def orthogonal_map(x, base, kind, transposed):
    """The orthogonal matrix parametrized by ``x`` (``base @ map(x)`` with trivialization)."""
    if transposed:
        grad = "TransposeBackward0"
    elif base is not None:
        grad = "MmBackward0" if x.dim() == 2 else "UnsafeViewBackward0"
    elif kind == "householder":
        grad = "MulBackward0"
    elif x.size(-2) != x.size(-1):
        grad = "SliceBackward0"
    else:
        grad = "LinalgMatrixExpBackward0" if kind == "matrix_exp" else "LinalgSolveExBackward0"
    args = (x,) if base is None else (x, base)
    return dispatch(_ORTH[grad], args, (kind, bool(transposed)))


def _make_orth_impl(a):
    q, r = jnp.linalg.qr(a)
    # QR with the sign convention of geqrf + householder_product: diag(R) sign folded into Q
    d = jnp.diagonal(r, axis1=-2, axis2=-1)
    s = jnp.where(d == 0, 1, jnp.sign(d))
    return q * s[..., None, :]


_MAKE_ORTH = engine.Op("make_orthogonal", _make_orth_impl)


def make_orthogonal(a):
    """The Q factor of ``a`` with a positive R diagonal (an orthogonal matrix near ``a``)."""
    return dispatch_nograd(_MAKE_ORTH, (a,))


def _geqrf(a):
    """LAPACK's geqrf (Householder QR in compact form: R above the diagonal, the Householder
    vectors below, and their scalars tau), for one matrix."""
    m, n = a.shape
    taus = []
    for i in range(min(m, n)):
        alpha = a[i, i]
        x = a[i + 1:, i]
        xnorm = jnp.sqrt(jnp.sum(x * x))
        beta = -jnp.where(alpha >= 0, 1.0, -1.0).astype(a.dtype) * jnp.sqrt(alpha * alpha +
                                                                          xnorm * xnorm)
        trivial = xnorm == 0
        tau = jnp.where(trivial, 0.0, (beta - alpha) / jnp.where(trivial, 1.0, beta))
        scale = jnp.where(trivial, 0.0, 1.0 / jnp.where(trivial, 1.0, alpha - beta))
        v = jnp.concatenate([jnp.ones((1,), a.dtype), x * scale])
        a = a.at[i + 1:, i].set(x * scale)
        a = a.at[i, i].set(jnp.where(trivial, alpha, beta))
        if i + 1 < n:
            block = a[i:, i + 1:]
            a = a.at[i:, i + 1:].set(block - tau * jnp.outer(v, v @ block))
        taus.append(tau.astype(a.dtype))
    return a, jnp.stack(taus)


def _hh_inverse_impl(q):
    if q.ndim > 2:
        flat = q.reshape((-1,) + q.shape[-2:])
        a, tau = jax.vmap(_geqrf)(flat)
        a, tau = a.reshape(q.shape), tau.reshape(q.shape[:-2] + tau.shape[-1:])
    else:
        a, tau = _geqrf(q)
    d = jnp.diagonal(a, axis1=-2, axis2=-1)
    d = jnp.sign(d)
    d = jnp.where(tau == 0.0, -d, d)
    idx = jnp.arange(min(q.shape[-2], q.shape[-1]))
    return a.at[..., idx, idx].set(d)


_HH_INVERSE = engine.Op("householder_right_inverse", _hh_inverse_impl)


def householder_right_inverse(q):
    """geqrf(q) with the diagonal replaced by signs (right inverse of the Householder map)."""
    return dispatch_nograd(_HH_INVERSE, (q,))


del math
