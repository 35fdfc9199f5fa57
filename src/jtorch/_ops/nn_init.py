"""The kernels of ``torch.nn.init``: each initialiser draws its values in one op.

PyTorch's initialisers are chains of in-place tensor methods (``uniform_``, rejection loops for
``trunc_normal_``, a QR for ``orthogonal_``, a randperm per column for ``sparse_``); here each is
one pure function of a PRNG key *tensor* (an input, so programs are not specialised to a key)
and the target's shape and dtype, whose result ``nn.init`` copies into the tensor.  Values
follow the same distributions as PyTorch's, not the same random streams.
"""
from __future__ import annotations

import jax
import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .. import _random
from .._dispatch import dispatch_nograd
from .._engine import core as engine

__all__ = ["init_uniform", "init_normal", "init_trunc_normal", "init_eye", "init_dirac",
           "init_orthogonal", "init_sparse"]


def _compute(dt):
    """Sample in float32 at least (16-bit floats are rounded once at the end)."""
    return jnp.float32 if jnp.dtype(dt).itemsize < 4 else dt


def _prepare(sigs, static):
    return static


def _uniform_impl(key, lo, hi, shape, dt):
    ct = _compute(dt)
    return lax.convert_element_type(jax.random.uniform(key, shape, ct, lo, hi), dt)


def _normal_impl(key, mean, std, shape, dt):
    ct = _compute(dt)
    return lax.convert_element_type(jax.random.normal(key, shape, ct) * std + mean, dt)


def _trunc_normal_impl(key, mean, std, a, b, shape, dt):
    ct = _compute(dt)
    z = jax.random.truncated_normal(key, (a - mean) / std, (b - mean) / std, shape, ct)
    return lax.convert_element_type(jnp.clip(z * std + mean, a, b), dt)


def _eye_impl(shape, dt):
    return jnp.eye(shape[0], shape[1], dtype=dt)


def _dirac_impl(shape, dt, groups):
    out = jnp.zeros(shape, dt)
    per_group = shape[0] // groups
    centre = tuple(s // 2 for s in shape[2:])
    for g in range(groups):
        for d in range(min(per_group, shape[1])):
            out = out.at[(g * per_group + d, d) + centre].set(1)
    return out


def _orthogonal_impl(key, gain, shape, dt):
    rows = shape[0]
    cols = 1
    for s in shape[1:]:
        cols *= s
    ct = _compute(dt)
    flat = jax.random.normal(key, (rows, cols), ct)
    if rows < cols:
        flat = flat.T
    q, r = jnp.linalg.qr(flat)
    # make Q uniform over the orthogonal group (Mezzadri, math-ph/0609050), as PyTorch does
    q = q * jnp.sign(jnp.diagonal(r))
    if rows < cols:
        q = q.T
    return lax.convert_element_type((q * gain).reshape(shape), dt)


def _sparse_impl(key, std, shape, dt, num_zeros):
    rows, cols = shape
    ct = _compute(dt)
    k1, k2 = jax.random.split(key)
    values = jax.random.normal(k1, shape, ct) * std
    # each column zeroes ``num_zeros`` distinct random rows (a random permutation's prefix)
    ranks = jnp.argsort(jnp.argsort(jax.random.uniform(k2, shape), axis=0), axis=0)
    return lax.convert_element_type(jnp.where(ranks < num_zeros, 0, values), dt)


_UNIFORM = engine.Op("init_uniform", _uniform_impl, prepare=_prepare)
_NORMAL = engine.Op("init_normal", _normal_impl, prepare=_prepare)
_TRUNC_NORMAL = engine.Op("init_trunc_normal", _trunc_normal_impl, prepare=_prepare)
_EYE = engine.Op("init_eye", _eye_impl, prepare=_prepare)
_DIRAC = engine.Op("init_dirac", _dirac_impl, prepare=_prepare)
_ORTHOGONAL = engine.Op("init_orthogonal", _orthogonal_impl, prepare=_prepare)
_SPARSE = engine.Op("init_sparse", _sparse_impl, prepare=_prepare)


def _shape_dtype(t):
    return (tuple(t.shape), t.dtype.np)


def _floating(t, kernel):
    if not t.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D._short(t.dtype)}'")


def init_uniform(t, a, b, generator):
    """Values from U(a, b) with ``t``'s shape and dtype."""
    _floating(t, "check_uniform_bounds")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={a:g} > to={b:g}")
    key = _random.next_key(generator, t.device)
    return dispatch_nograd(_UNIFORM, (key, float(a), float(b)), _shape_dtype(t), t.device)


def init_normal(t, mean, std, generator):
    """Values from N(mean, std^2) with ``t``'s shape and dtype."""
    _floating(t, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    key = _random.next_key(generator, t.device)
    return dispatch_nograd(_NORMAL, (key, float(mean), float(std)), _shape_dtype(t), t.device)


def init_trunc_normal(t, mean, std, a, b, generator):
    """Values from N(mean, std^2) truncated to [a, b]."""
    _floating(t, "normal_kernel_cpu")
    key = _random.next_key(generator, t.device)
    return dispatch_nograd(_TRUNC_NORMAL, (key, float(mean), float(std), float(a), float(b)),
                           _shape_dtype(t), t.device)


def init_eye(t):
    return dispatch_nograd(_EYE, (), _shape_dtype(t), t.device)


def init_dirac(t, groups):
    return dispatch_nograd(_DIRAC, (), _shape_dtype(t) + (groups,), t.device)


def init_orthogonal(t, gain, generator):
    _floating(t, "normal_kernel_cpu")
    key = _random.next_key(generator, t.device)
    return dispatch_nograd(_ORTHOGONAL, (key, float(gain)), _shape_dtype(t), t.device)


def init_sparse(t, std, num_zeros, generator):
    _floating(t, "normal_kernel_cpu")
    key = _random.next_key(generator, t.device)
    return dispatch_nograd(_SPARSE, (key, float(std)), _shape_dtype(t) + (num_zeros,), t.device)
