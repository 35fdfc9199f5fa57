"""nn.functional distances: cosine_similarity, pairwise_distance, pdist."""
from __future__ import annotations

import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch
from .._engine import core as engine
from ._registry import register
from ._util import broadcast_shapes, wrap_dim
from .nn_norm import vector_norm_body

__all__ = ["cosine_similarity", "pairwise_distance", "pdist"]


def _cast(x, dt):
    return lax.convert_element_type(x, dt)


def _cos_prepare(sigs, static):
    dim, eps = static
    (s1, d1), (s2, d2) = sigs
    shape = broadcast_shapes(s1, s2)
    rt = P.result_type_sigs(sigs)
    if not (rt.is_floating_point or rt.is_complex):
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{D._short(rt)}")
    dim = wrap_dim(dim, len(shape))
    return (dim, eps, P.opmath(rt).np, rt.np)


def _cos_impl(x1, x2, dim, eps, ct, rt):
    a = _cast(x1, ct)
    b = _cast(x2, ct)
    a, b = jnp.broadcast_arrays(a, b)
    if a.ndim == 0:
        a, b = a.reshape(1), b.reshape(1)
    n1 = vector_norm_body(a, 2, dim)
    n2 = vector_norm_body(b, 2, dim)
    # PyTorch clamps the norms to eps in place under no_grad: the value is clamped, the
    # gradient is the unclamped norm's
    n1 = n1 + lax.stop_gradient(jnp.maximum(n1, eps) - n1)
    n2 = n2 + lax.stop_gradient(jnp.maximum(n2, eps) - n2)
    out = jnp.sum((a / n1) * (b / n2), axis=dim)
    if x1.ndim == 0 and x2.ndim == 0:
        out = out.reshape(())
    return _cast(out, rt)


_COSINE = engine.Op("cosine_similarity", _cos_impl, prepare=_cos_prepare, grad="SumBackward1")


@register(method=False)
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim`` (broadcast)."""
    return dispatch(_COSINE, (x1, x2), (dim, float(eps)))


def _pd_prepare(sigs, static):
    p, eps, keepdim = static
    (s1, _), (s2, _) = sigs
    shape = broadcast_shapes(s1, s2)
    ct, rt = P.elementwise_dtypes(tuple(sigs) + (float,), P.INT_TO_FLOAT)
    return (p, eps, keepdim, len(shape), ct.np, rt.np)


def _pd_impl(x1, x2, p, eps, keepdim, ndim, ct, rt):
    d = _cast(x1, ct) - _cast(x2, ct) + eps
    if d.ndim == 0:
        return _cast(vector_norm_body(d.reshape(1), p, 0, keepdims=False), rt)
    return _cast(vector_norm_body(d, p, d.ndim - 1, keepdims=keepdim), rt)


_PAIRWISE = engine.Op("pairwise_distance", _pd_impl, prepare=_pd_prepare, grad="NormBackward1")


@register(method=False)
def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """p-norm of ``x1 - x2 + eps`` over the last dimension."""
    return dispatch(_PAIRWISE, (x1, x2), (float(p), float(eps), bool(keepdim)))


def _pdist_prepare(sigs, static):
    (p,) = static
    xs, xd = sigs[0]
    if len(xs) != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {len(xs)}D")
    if not xd.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return (p, P.opmath(xd).np, xd.np)


def _pdist_impl(x, p, ct, rt):
    n = x.shape[0]
    i, j = np.triu_indices(n, 1)
    xc = _cast(x, ct)
    d = jnp.take(xc, jnp.asarray(i), axis=0) - jnp.take(xc, jnp.asarray(j), axis=0)
    return _cast(vector_norm_body(d, p, 1, keepdims=False), rt)


_PDIST = engine.Op("pdist", _pdist_impl, prepare=_pdist_prepare, grad="PdistBackward0")


@register(method=False)
def pdist(input, p=2):
    """p-norm distances between every pair of rows (the upper triangle, row by row)."""
    return dispatch(_PDIST, (input,), (float(p),))
