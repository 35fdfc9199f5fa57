"""nn.functional.pad (constant / reflect / replicate / circular), pixel_shuffle,
pixel_unshuffle, channel_shuffle."""
from __future__ import annotations

import numbers

import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from ._registry import register

__all__ = ["pad", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle",
           "native_channel_shuffle"]


def _shape_str(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


# --------------------------------------------------------------------------------------------
# pad


def _constant_prepare(sigs, static):
    pads, value = static
    xs, xd = sigs[0]
    n = len(pads) // 2
    for i in range(n):
        d = len(xs) - 1 - i
        if xs[d] + pads[2 * i] + pads[2 * i + 1] < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    return (pads, value, xd.np)


def _constant_impl(x, pads, value, dt):
    cfg = [(0, 0, 0)] * x.ndim
    for i in range(len(pads) // 2):
        cfg[x.ndim - 1 - i] = (pads[2 * i], pads[2 * i + 1], 0)
    return lax.pad(x, jnp.asarray(value).astype(dt), cfg)


_CONSTANT_PAD = engine.Op("constant_pad_nd", _constant_impl, prepare=_constant_prepare,
                          grad="ConstantPadNdBackward0")


def _source_index(mode, n_out, size, left, right):
    """For each output position along a padded dim, the input position it copies."""
    j = np.arange(n_out) - left
    if mode == "reflect":
        j = np.abs(j)
        j = np.where(j >= size, 2 * (size - 1) - j, j)
    elif mode == "replicate":
        j = np.clip(j, 0, size - 1)
    else:  # circular: negative padding crops first, the wrap uses what is left
        lo = max(-left, 0)
        hi = size - max(-right, 0)
        j = np.mod(np.arange(n_out) - max(left, 0), hi - lo) + lo
    return j


def _gather_pad_impl(x, pads, mode):
    for i in range(len(pads) // 2):
        d = x.ndim - 1 - i
        size = x.shape[d]
        left, right = pads[2 * i], pads[2 * i + 1]
        idx = _source_index(mode, size + left + right, size, left, right)
        x = jnp.take(x, jnp.asarray(idx), axis=d)
    return x


def _gather_prepare(sigs, static):
    pads, mode = static
    xs, xd = sigs[0]
    k = len(pads) // 2
    if mode in ("reflect", "replicate"):
        if any(s == 0 for s in xs[1:]):
            raise RuntimeError(
                f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size "
                f"and other non-zero dimensions for input, but got: {_shape_str(xs)}")
    for i in range(k):
        d = len(xs) - 1 - i
        size, left, right = xs[d], pads[2 * i], pads[2 * i + 1]
        if mode == "reflect" and (left >= size or right >= size):
            raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({left}, "
                               f"{right}) at dimension {d} of input {_shape_str(xs)}")
        if mode == "circular" and (left > size or right > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if size + left + right < 1:
            raise RuntimeError(f"input (W: {size}) is too small. Calculated output W: "
                               f"{size + left + right}")
    return static


def _gather_op(mode, grad):
    return engine.Op(f"{mode}_pad", _gather_pad_impl, prepare=_gather_prepare, grad=grad)


_GATHER_PAD = {}
for _k in (1, 2, 3):
    _GATHER_PAD[("reflect", _k)] = _gather_op("reflect", f"ReflectionPad{_k}DBackward0")
    _GATHER_PAD[("replicate", _k)] = _gather_op("replicate", f"ReplicationPad{_k}DBackward0")
    # PyTorch builds circular padding from slice copies: its node is CopySlices
    _GATHER_PAD[("circular", _k)] = _gather_op("circular", "CopySlices")

_SUPPORTED = ("Supported combinations for non-constant padding:\n"
              "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
              "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
              "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _pad_ints(pad):
    out = []
    for i, p in enumerate(pad):
        if isinstance(p, bool) or not isinstance(p, numbers.Integral) and \
                not (hasattr(p, "__index__") and not isinstance(p, float)):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but found "
                            f"element of type {type(p).__name__} at pos {i}")
        out.append(int(p))
    return tuple(out)


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, ...)``.

    ``mode``: ``'constant'`` (any rank; negative padding crops), ``'reflect'``,
    ``'replicate'``, ``'circular'`` (the last 1-3 dims of a batched or unbatched input).
    """
    pads = _pad_ints(pad)
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pads) // 2 > input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pads)} and input of dimension "
                           f"{input.dim()}")
    if mode == "constant":
        v = 0 if value is None else value
        if input.dtype is D.bool_:
            v = bool(v)
        elif not (input.dtype.is_floating_point or input.dtype.is_complex):
            v = int(v)
        return dispatch(_CONSTANT_PAD, (input,), (pads, v))
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    k = len(pads) // 2
    if k not in (1, 2, 3) or input.dim() not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pads)} is not supported for "
                                  f"{input.dim()}D input tensor.\n{_SUPPORTED}")
    return dispatch(_GATHER_PAD[(mode, k)], (input,), (pads, mode))


# --------------------------------------------------------------------------------------------
# pixel shuffle, channel shuffle


def _pixel_shuffle_prepare(sigs, static):
    (r,) = static
    xs, _ = sigs[0]
    if len(xs) < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {len(xs)} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if xs[-3] % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)="
                           f"{xs[-3]} is not divisible by {r * r}")
    return static


def _pixel_shuffle_impl(x, r):
    *b, c, h, w = x.shape
    oc = c // (r * r)
    y = x.reshape(tuple(b) + (oc, r, r, h, w))
    n = len(b)
    y = jnp.transpose(y, tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2))
    return y.reshape(tuple(b) + (oc, h * r, w * r))


def _pixel_unshuffle_prepare(sigs, static):
    (r,) = static
    xs, _ = sigs[0]
    if len(xs) < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {len(xs)} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    if xs[-2] % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={xs[-2]} is not divisible by {r}")
    if xs[-1] % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={xs[-1]} is not divisible by {r}")
    return static


def _pixel_unshuffle_impl(x, r):
    *b, c, h, w = x.shape
    n = len(b)
    y = x.reshape(tuple(b) + (c, h // r, r, w // r, r))
    y = jnp.transpose(y, tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))
    return y.reshape(tuple(b) + (c * r * r, h // r, w // r))


_PIXEL_SHUFFLE = engine.Op("pixel_shuffle", _pixel_shuffle_impl, prepare=_pixel_shuffle_prepare,
                           grad="PixelShuffleBackward0", linear=True)
_PIXEL_UNSHUFFLE = engine.Op("pixel_unshuffle", _pixel_unshuffle_impl,
                             prepare=_pixel_unshuffle_prepare, grad="PixelUnshuffleBackward0",
                             linear=True)


@register(method=False)
def pixel_shuffle(input, upscale_factor):
    """(*, C*r^2, H, W) -> (*, C, H*r, W*r)."""
    return dispatch(_PIXEL_SHUFFLE, (input,), (int(upscale_factor),))


@register(method=False)
def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r^2, H, W)."""
    return dispatch(_PIXEL_UNSHUFFLE, (input,), (int(downscale_factor),))


def _channel_shuffle_prepare(sigs, static):
    (g,) = static
    xs, _ = sigs[0]
    if len(xs) <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {_shape_str(xs)}")
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{g}")
    if xs[1] % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {xs[1]} "
                           f"channels and {g} groups.")
    return static


def _channel_shuffle_impl(x, g):
    n, c = x.shape[:2]
    rest = x.shape[2:]
    y = x.reshape((n, g, c // g) + rest)
    return jnp.swapaxes(y, 1, 2).reshape(x.shape)


_CHANNEL_SHUFFLE = engine.Op("channel_shuffle", _channel_shuffle_impl,
                             prepare=_channel_shuffle_prepare, grad="ChannelShuffleBackward0",
                             linear=True)


@register(method=False)
def channel_shuffle(input, groups):
    """Interleave the channels of (N, C, *) input across ``groups`` groups."""
    return dispatch(_CHANNEL_SHUFFLE, (input,), (int(groups),))


@register(method=False)
def native_channel_shuffle(input, groups):
    """:func:`channel_shuffle` (PyTorch's native entry point)."""
    return dispatch(_CHANNEL_SHUFFLE, (input,), (int(groups),))


@register(method=False)
def constant_pad_nd(input, pad, value=0):
    """Pad with ``value`` (negative padding crops): ``F.pad``'s constant mode."""
    return globals()["pad"](input, pad, "constant", value)
