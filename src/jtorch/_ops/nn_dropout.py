"""nn.functional dropout family: dropout, dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout.

The mask comes from a fresh PRNG key *tensor* (``jtorch._random.next_key()``) passed to the op
as an input, and ``p`` is an input too, so a training step with dropout is one cached program
whatever the key and rate.  As in PyTorch's ``_dropout``: ``p == 0`` or eval mode returns the
input itself, ``p == 1`` multiplies by zero, feature dropout draws one mask value per
(batch, channel).  Random streams differ from PyTorch's; the distribution is the same.
"""
from __future__ import annotations

import warnings

import jax
import jax.lax as lax
import jax.numpy as jnp

from .. import _promotion as P
from .. import _random
from .._dispatch import dispatch
from .._engine import core as engine
from . import _inplace
from ._registry import register

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]

# alpha dropout keeps SELU's self-normalisation: dropped units take -scale*alpha
_ALPHA = 1.7580993408473766


def _cast(x, dt):
    return lax.convert_element_type(x, dt)


def _dropout_impl(x, key, p, ct, rt, feature, alpha):
    xc = _cast(x, ct)
    shape = x.shape[:2] + (1,) * (x.ndim - 2) if feature else x.shape
    keep = jax.random.bernoulli(key, 1 - p, shape).astype(ct)
    if alpha:
        a = 1 / jnp.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        b = (keep - 1) * (_ALPHA * a) + _ALPHA * a * p
        return _cast(xc * (keep * a) + b, rt)
    scale = jnp.where(p < 1, 1 / (1 - p), 0).astype(ct)
    return _cast(xc * (keep * scale), rt)


def _dropout_prepare(sigs, static):
    shape, dt = sigs[0]
    feature, alpha = static
    if feature and len(shape) < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    ct, rt = P.elementwise_dtypes(sigs[:1], P.DEFAULT)
    return (ct.np, rt.np, feature, alpha)


# the backward needs only the mask (from the key), not the input: in-place dropout is fine
_DROPOUT = engine.Op("dropout", _dropout_impl, prepare=_dropout_prepare, grad="MulBackward0",
                     nondiff=(1,), saves=())
_ALPHA_DROPOUT = engine.Op("alpha_dropout", _dropout_impl, prepare=_dropout_prepare,
                           grad="AddBackward0", nondiff=(1,), saves=())


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply(input, p, training, inplace, feature, alpha):
    """PyTorch's ``_dropout<feature, alpha>`` (aten/src/ATen/native/Dropout.cpp)."""
    if p == 0 or not training or input.numel() == 0:
        return input
    if feature and input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if p == 1:
        out = input.mul(0.0)
    else:
        op = _ALPHA_DROPOUT if alpha else _DROPOUT
        out = dispatch(op, (input, _random.next_key(None, input._device), float(p)), (feature, alpha))
    if inplace:
        _inplace.check_inplace(input)
        return _inplace.apply_inplace(input, out)
    return out


@register(method=False)
def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``."""
    _check_p(p)
    return _apply(input, p, training, inplace, False, False)


@register(method=False)
def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps zero mean and unit variance (for SELU networks)."""
    _check_p(p)
    return _apply(input, p, training, inplace, False, True)


@register(method=False)
def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels."""
    _check_p(p)
    return _apply(input, p, training, inplace, True, True)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) input with probability ``p``."""
    _check_p(p)
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _feature_inplace(input, p, training, inplace, nd == 2)


def _feature_inplace(input, p, training, inplace, unbatched):
    x = input.unsqueeze(0) if unbatched else input
    out = _apply(x, p, training, False, True, False)
    if out is x:
        return input
    if unbatched:
        out = out.squeeze(0)
    if inplace:
        _inplace.check_inplace(input)
        return _inplace.apply_inplace(input, out)
    return out


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) or (C, H, W) input with probability ``p``."""
    _check_p(p)
    nd = input.dim()
    if nd not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _feature_inplace(input, p, training, inplace, False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability ``p``."""
    _check_p(p)
    nd = input.dim()
    if nd not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    return _feature_inplace(input, p, training, inplace, nd != 5)
