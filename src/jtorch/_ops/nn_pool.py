"""Pooling: max / average / adaptive / Lp / fractional max pooling and max unpooling.

Every pooling op gathers its windows as a stack of strided slices (one per kernel offset, no
Python loop over elements) and reduces it: max pooling takes the first maximum of each window
(NaN counts as the maximum, as in PyTorch's kernels), so the gradient is routed to that element
exactly as PyTorch routes it, and the flat indices of ``return_indices`` come for free.  The
1-d functions run the 2-d ops on an unsqueezed input, as PyTorch does (their ``grad_fn`` is
``SqueezeBackward1``).  Interpolation and grid sampling live in ``nn_upsample.py``.
"""
from __future__ import annotations

import itertools
import math

import jax
import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from ._nnutil import concrete_numpy, fmt_shape, pair, single, triple
from ._registry import register

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "lp_pool1d", "lp_pool2d", "lp_pool3d",
           "max_unpool1d", "max_unpool2d", "max_unpool3d", "fractional_max_pool2d",
           "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]


# --------------------------------------------------------------------------------------------
# window helpers (inside op bodies)


def _lowest(dtype):
    if jnp.issubdtype(dtype, jnp.floating):
        return -jnp.inf
    return jnp.iinfo(dtype).min


def _windows(x, n, kernel, stride, padding, dilation, out, fill):
    """(B, C, *out, K): the K = prod(kernel) window elements of each output position."""
    spatial = x.shape[2:]
    pads = [(0, 0), (0, 0)]
    for i in range(n):
        need = (out[i] - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1
        pads.append((padding[i], max(need - spatial[i] - padding[i], 0)))
    xp = jnp.pad(x, pads, constant_values=fill)
    b, c = x.shape[:2]
    slices = []
    for offs in itertools.product(*[range(k) for k in kernel]):
        start = (0, 0) + tuple(o * d for o, d in zip(offs, dilation))
        limit = (b, c) + tuple(s + (o - 1) * st + 1 for s, o, st in zip(start[2:], out, stride))
        slices.append(lax.slice(xp, start, limit, (1, 1) + tuple(stride)))
    return jnp.stack(slices, axis=-1)


def _first_max(w):
    """Index along the last axis of the first maximum (NaN is the maximum), and the value."""
    if jnp.issubdtype(w.dtype, jnp.floating):
        k = jnp.argmax(jnp.where(jnp.isnan(w), jnp.inf, w), axis=-1)
        nan = jnp.isnan(w)
        k = jnp.where(jnp.any(nan, axis=-1), jnp.argmax(nan, axis=-1), k)
    else:
        k = jnp.argmax(w, axis=-1)
    v = jnp.take_along_axis(w, k[..., None], axis=-1)[..., 0]
    return k, v


def _batched(fn):
    """Run ``fn`` on a (B, C, ...) array; unbatched (C, ...) input gets a batch dim of 1."""

    def wrapped(x, *a, unbatched):
        if unbatched:
            out = fn(x[None], *a)
            return tuple(o[0] for o in out) if isinstance(out, tuple) else out[0]
        return fn(x, *a)

    return wrapped


# --------------------------------------------------------------------------------------------
# max pooling


def _max_pool_body(x, n, kernel, stride, padding, dilation, out):
    w = _windows(x, n, kernel, stride, padding, dilation, out, _lowest(x.dtype))
    k, v = _first_max(w)
    # flat index into the (unpadded) input's spatial dims
    spatial = x.shape[2:]
    idx = jnp.zeros(k.shape, jnp.int64)
    rest = k
    for i in reversed(range(n)):
        ki = rest % kernel[i]
        rest = rest // kernel[i]
        grid = lax.broadcasted_iota(jnp.int64, k.shape, 2 + i)
        pos = grid * stride[i] - padding[i] + ki * dilation[i]
        scale = int(np.prod(spatial[i + 1:], dtype=np.int64))
        idx = idx + pos * scale
    return v, idx


def _max_pool_impl(x, n, kernel, stride, padding, dilation, out, unbatched):
    return _batched(lambda a: _max_pool_body(a, n, kernel, stride, padding, dilation, out))(
        x, unbatched=unbatched)


def _pool_dtype_check(name):
    def prepare(sigs, static):
        dt = sigs[0][1]
        if dt is D.bool_ or dt.is_complex:
            raise NotImplementedError(f"\"{name}\" not implemented for '{D._short(dt)}'")
        return static

    return prepare


_MAX_POOL = {2: engine.Op("max_pool2d", _max_pool_impl, prepare=_pool_dtype_check("max_pool2d"),
                          grad="MaxPool2DWithIndicesBackward0"),
             3: engine.Op("max_pool3d", _max_pool_impl, prepare=_pool_dtype_check("max_pool3d"),
                          grad="MaxPool3DWithIndicesBackward0")}


def _out_size(size, k, p, s, d, ceil_mode):
    """PyTorch's pooling_output_shape."""
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _tuple(v, n, msg):
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(i) for i in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(msg)
    return v


def _pool_args(name, n, kernel_size, stride, padding, dilation):
    dims = {2: "two", 3: "three"}[n]
    kernel = _tuple(kernel_size, n, f"{name}: kernel_size must either be a single int, or a "
                                    f"tuple of {dims} ints")
    if stride is None or (not isinstance(stride, int) and len(stride) == 0):
        stride = kernel
    else:
        stride = _tuple(stride, n, f"{name}: stride must either be omitted, a single int, or a "
                                   f"tuple of {dims} ints")
    padding = _tuple(padding, n, f"{name}: padding must either be a single int, or a tuple of "
                                 f"{dims} ints")
    dilation = _tuple(dilation, n, f"{name}: dilation must be either a single int, or a tuple "
                                   f"of {dims} ints")
    return kernel, stride, padding, dilation


def _check_pool_shape(name, n, x, kernel, stride, padding, dilation, ceil_mode, kind):
    """PyTorch's pool{2,3}d shape checks; returns the output spatial sizes."""
    shape = x._shape
    if any(s == 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got "
                           + " ".join(f"k{a}: {k}" for a, k in zip("THW"[3 - n:], kernel)))
    if any(d <= 0 for d in dilation):
        names = ["dilationT", "dilationH", "dilationW"][3 - n:]
        raise RuntimeError("dilation should be greater than zero, but got "
                           + " ".join(f"{a}: {d}" for a, d in zip(names, dilation)))
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0:
            raise RuntimeError("pad must be non-negative")
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    nonzero = all(s != 0 for s in shape[1:])
    if not nonzero:
        raise RuntimeError(f"Expected {n + 1}D or {n + 2}D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{fmt_shape(shape)}")
    spatial = shape[-n:]
    out = tuple(_out_size(s, k, p, st, d, ceil_mode)
                for s, k, p, st, d in zip(spatial, kernel, padding, stride, dilation))
    if any(o < 1 for o in out):
        planes = shape[-n - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (planes,) + spatial))}). "
                           f"Calculated output size: ({'x'.join(map(str, (planes,) + out))}). "
                           "Output size is too small")
    return out


def _max_pool_nd(name, n, input, kernel_size, stride, padding, dilation, ceil_mode):
    kernel, stride, padding, dilation = _pool_args(name, n, kernel_size, stride, padding,
                                                   dilation)
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"non-empty {n + 1}D or {n + 2}D (batch mode) tensor expected for "
                           "input")
    out = _check_pool_shape(name, n, input, kernel, stride, padding, dilation, ceil_mode, "max")
    return dispatch(_MAX_POOL[n], (input,), (n, kernel, stride, padding, dilation, out,
                                             input.ndim == n + 1))


@register(method=False)
def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """2-d max pooling returning (values, flat indices into H * W)."""
    return _max_pool_nd("max_pool2d", 2, input, kernel_size, stride, padding, dilation,
                        ceil_mode)


@register(method=False)
def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """3-d max pooling returning (values, flat indices into D * H * W)."""
    return _max_pool_nd("max_pool3d", 3, input, kernel_size, stride, padding, dilation,
                        ceil_mode)


@register(method=False)
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-d max pooling over (N, C, H, W) or (C, H, W) input."""
    out = max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return out if return_indices else out[0]


@register(method=False)
def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-d max pooling over (N, C, D, H, W) or (C, D, H, W) input."""
    out = max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return out if return_indices else out[0]


def _one(v, name, what):
    if isinstance(v, int):
        return v
    v = tuple(v)
    if len(v) != 1:
        raise RuntimeError(f"{name}: {what}")
    return int(v[0])


def _check_1d(name, input):
    if input.ndim not in (2, 3) or any(s == 0 for s in input._shape[-2:]) and input.ndim == 2 \
            or input.ndim == 3 and any(s == 0 for s in input._shape[1:]):
        raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got:{fmt_shape(input._shape)}")


@register(method=False)
def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """1-d max pooling returning (values, indices): the 2-d op on an unsqueezed input."""
    _check_1d("max_pool1d", input)
    k = _one(kernel_size, "max_pool1d", "kernel_size must either be a single int, or a tuple "
                                        "of one int")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _one(stride, "max_pool1d", "stride must either be omitted, a single int, or a tuple of "
                                   "one int")
    p = _one(padding, "max_pool1d", "padding must be either be a single int, or a tuple of one "
                                    "int")
    d = _one(dilation, "max_pool1d", "dilation must be either a single int, or a tuple of one "
                                     "int")
    v, i = max_pool2d_with_indices(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d),
                                   ceil_mode)
    return v.squeeze(-2), i.squeeze(-2)


@register(method=False)
def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-d max pooling over (N, C, L) or (C, L) input."""
    out = max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return out if return_indices else out[0]


# --------------------------------------------------------------------------------------------
# average pooling


def _avg_divisor(spatial, kernel, stride, padding, out, count_include_pad, divisor_override):
    """The (static) divisor of each output position, as PyTorch's avg_pool kernels."""
    if divisor_override:
        return np.full(out, float(divisor_override))
    sizes_incl = []
    sizes_excl = []
    for size, k, s, p, o in zip(spatial, kernel, stride, padding, out):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, size + p)
        incl = end - start
        excl = np.minimum(end, size) - np.maximum(start, 0)
        sizes_incl.append(incl)
        sizes_excl.append(excl)
    parts = sizes_incl if count_include_pad else sizes_excl
    div = parts[0].astype(np.float64)
    for p in parts[1:]:
        div = np.multiply.outer(div, p)
    return div


def _avg_pool_body(x, n, kernel, stride, padding, out, count_include_pad, divisor_override):
    w = _windows(x, n, kernel, stride, padding, (1,) * n, out, 0)
    div = _avg_divisor(x.shape[2:], kernel, stride, padding, out, count_include_pad,
                       divisor_override)
    if jnp.issubdtype(x.dtype, jnp.integer):
        s = jnp.sum(w, axis=-1)
        return lax.div(s, jnp.broadcast_to(jnp.asarray(div.astype(np.int64), s.dtype), s.shape))
    acc = jnp.float32 if x.dtype in (jnp.float16, jnp.bfloat16) else x.dtype
    s = jnp.sum(w.astype(acc), axis=-1)
    return (s / jnp.asarray(div, acc)).astype(x.dtype)


def _avg_pool_impl(x, n, kernel, stride, padding, out, count_include_pad, divisor_override,
                   unbatched):
    return _batched(lambda a: _avg_pool_body(a, n, kernel, stride, padding, out,
                                             count_include_pad, divisor_override))(
        x, unbatched=unbatched)


_AVG_POOL = {2: engine.Op("avg_pool2d", _avg_pool_impl, prepare=_pool_dtype_check("avg_pool2d"),
                          grad="AvgPool2DBackward0", linear=True),
             3: engine.Op("avg_pool3d", _avg_pool_impl, prepare=_pool_dtype_check("avg_pool3d"),
                          grad="AvgPool3DBackward0", linear=True)}


def _avg_pool_nd(name, n, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                 divisor_override):
    kernel, stride, padding, _ = _pool_args(name, n, kernel_size, stride, padding, 1)
    if input.ndim not in (n + 1, n + 2):
        if n == 2 and input.ndim < 3:
            # PyTorch's avg_pool2d reads input.size(-3) before checking the rank
            if input.ndim == 0:
                raise IndexError("Dimension specified as -3 but tensor has no dimensions")
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-input.ndim}, {input.ndim - 1}], but got -3)")
        if n == 2 and input.ndim > n + 2:
            raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                               f"size for input, but got:{fmt_shape(input._shape)}")
        raise RuntimeError(f"non-empty {n + 1}D or {n + 2}D (batch mode) tensor expected for "
                           "input")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    out = _check_pool_shape(name, n, input, kernel, stride, padding, (1,) * n, ceil_mode, "avg")
    return dispatch(_AVG_POOL[n], (input,), (n, kernel, stride, padding, out,
                                             bool(count_include_pad), divisor_override,
                                             input.ndim == n + 1))


@register(function=False, method=False)
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-d average pooling (``count_include_pad``, ``divisor_override``, ``ceil_mode``)."""
    return _avg_pool_nd("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                        count_include_pad, divisor_override)


@register(function=False, method=False)
def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """3-d average pooling."""
    return _avg_pool_nd("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                        count_include_pad, divisor_override)


def _check_2to3(name, input):
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor "
                           f"for argument #1 'self' (while checking arguments for {name})")


@register(method=False)
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-d average pooling: the 2-d op on an unsqueezed input."""
    _check_2to3("avg_pool1d", input)
    k = _one(kernel_size, "avg_pool1d", "kernel_size must either be a single int, or a tuple "
                                        "of one int")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _one(stride, "avg_pool1d", "stride must either be omitted, a single int, or a tuple of "
                                   "one int")
    p = _one(padding, "avg_pool1d", "padding must either be a single int, or a tuple of one int")
    out = avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad)
    return out.squeeze(-2)


# --------------------------------------------------------------------------------------------
# adaptive pooling: windows [floor(i * L / out), ceil((i + 1) * L / out))


def _adaptive_index(size, out):
    """(index (out, K), mask (out, K)) of the adaptive windows along one dim."""
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    k = int((end - start).max()) if out else 1
    idx = start[:, None] + np.arange(k)[None, :]
    mask = idx < end[:, None]
    return np.minimum(idx, size - 1), mask


def _adaptive_windows(x, n, out):
    """(B, C, *out, K) window elements and their (B, C, *out, K) validity mask."""
    spatial = x.shape[2:]
    idxs, masks = zip(*[_adaptive_index(s, o) for s, o in zip(spatial, out)])
    w = x
    for i in range(n):
        ax = 2 + 2 * i
        w = jnp.take(w, jnp.asarray(idxs[i].reshape(-1)), axis=ax)
        w = jnp.reshape(w, w.shape[:ax] + idxs[i].shape + w.shape[ax + 1:])
    # w: (B, C, o0, k0, o1, k1, ...) -> (B, C, o0, o1, ..., k0, k1, ...)
    perm = [0, 1] + [2 + 2 * i for i in range(n)] + [3 + 2 * i for i in range(n)]
    w = jnp.transpose(w, perm)
    w = jnp.reshape(w, w.shape[:2 + n] + (-1,))
    m = masks[0]
    for mk in masks[1:]:
        m = m[..., None, None] & mk  # (o0, k0, ..., oi, ki)
    mshape = []
    for i in range(n):
        mshape += [masks[i].shape[0], masks[i].shape[1]]
    m = np.reshape(m, mshape)
    m = np.transpose(m, [2 * i for i in range(n)] + [2 * i + 1 for i in range(n)])
    m = np.reshape(m, m.shape[:n] + (-1,))
    return w, m, idxs, masks


def _adaptive_avg_body(x, n, out):
    if any(o == 0 for o in out):
        return jnp.zeros(x.shape[:2] + tuple(out), x.dtype)
    acc = jnp.float32 if x.dtype in (jnp.float16, jnp.bfloat16) else x.dtype
    w, m, _, _ = _adaptive_windows(x.astype(acc), n, out)
    s = jnp.sum(jnp.where(jnp.asarray(m), w, jnp.zeros_like(w)), axis=-1)
    return (s / jnp.asarray(m.sum(-1), acc)).astype(x.dtype)


def _adaptive_avg_impl(x, n, out, unbatched):
    return _batched(lambda a: _adaptive_avg_body(a, n, out))(x, unbatched=unbatched)


def _adaptive_max_body(x, n, out):
    w, m, idxs, masks = _adaptive_windows(x, n, out)
    w = jnp.where(jnp.asarray(m), w, _lowest(x.dtype))
    k, v = _first_max(w)
    spatial = x.shape[2:]
    kernel = [mk.shape[1] for mk in masks]
    idx = jnp.zeros(k.shape, jnp.int64)
    rest = k
    for i in reversed(range(n)):
        ki = rest % kernel[i]
        rest = rest // kernel[i]
        grid = lax.broadcasted_iota(jnp.int64, k.shape, 2 + i)
        pos = jnp.asarray(idxs[i])[grid, ki]
        idx = idx + pos * int(np.prod(spatial[i + 1:], dtype=np.int64))
    return v, idx


def _adaptive_max_impl(x, n, out, unbatched):
    return _batched(lambda a: _adaptive_max_body(a, n, out))(x, unbatched=unbatched)


_ADAPTIVE_AVG = {n: engine.Op(f"adaptive_avg_pool{n}d", _adaptive_avg_impl,
                              prepare=_pool_dtype_check(f"adaptive_avg_pool{n}d"),
                              grad=f"AdaptiveAvgPool{n}DBackward0", linear=True) for n in (2, 3)}
_ADAPTIVE_MAX = {n: engine.Op(f"adaptive_max_pool{n}d", _adaptive_max_impl,
                              prepare=_pool_dtype_check(f"adaptive_max_pool{n}d"),
                              grad=f"AdaptiveMaxPool{n}DBackward0") for n in (2, 3)}


def _adaptive_size(name, n, input, output_size):
    if isinstance(output_size, int):
        out = (output_size,) * n
    else:
        out = tuple(output_size)
        if len(out) == 1 and n > 1:
            out = out * n
        if len(out) != n:
            raise RuntimeError(f"{name}: output_size must be {n}")
    spatial = input._shape[-n:]
    return tuple(s if o is None else int(o) for o, s in zip(out, spatial))


def _check_adaptive_input(name, n, input, sep=""):
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"{name}(): Expected {n + 1}D or {n + 2}D tensor, but got{sep} "
                           f"{fmt_shape(input._shape)}")
    for i in range(1, input.ndim):
        if input._shape[i] == 0 and not (input.ndim == n + 2 and i == 0):
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {fmt_shape(input._shape)} with "
                               f"dimension {i} being empty")


def _adaptive_avg_nd(name, n, input, output_size):
    _check_adaptive_input(name, n, input)
    out = _adaptive_size(name, n, input, output_size)
    if not (input._dtype.is_floating_point or input._dtype.is_complex):
        raise NotImplementedError(f"\"{name}\" not implemented for '{D._short(input._dtype)}'")
    if all(o == 1 for o in out) and n == 2:
        # PyTorch takes the mean over the spatial dims for a 1x1 output
        return input.mean((-1, -2), keepdim=True)
    return dispatch(_ADAPTIVE_AVG[n], (input,), (n, out, input.ndim == n + 1))


@register(function=False, method=False)
def adaptive_avg_pool2d(input, output_size):
    """2-d adaptive average pooling to ``output_size`` (None keeps the input size)."""
    return _adaptive_avg_nd("adaptive_avg_pool2d", 2, input, output_size)


@register(function=False, method=False)
def adaptive_avg_pool3d(input, output_size):
    """3-d adaptive average pooling."""
    return _adaptive_avg_nd("adaptive_avg_pool3d", 3, input, output_size)


@register(method=False)
def adaptive_avg_pool1d(input, output_size):
    """1-d adaptive average pooling (the 2-d op on an unsqueezed input)."""
    _check_2to3("adaptive_avg_pool1d", input)
    o = _one(output_size, "adaptive_avg_pool1d", "output_size must be 1")
    return _adaptive_avg_nd("adaptive_avg_pool2d", 2, input.unsqueeze(-2), (1, o)).squeeze(-2)


def _adaptive_max_nd(name, n, input, output_size):
    _check_adaptive_input(name, n, input, ":")
    out = _adaptive_size(name, n, input, output_size)
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"{name}\" not implemented for '{D._short(input._dtype)}'")
    return dispatch(_ADAPTIVE_MAX[n], (input,), (n, out, input.ndim == n + 1))


@register(function=False, method=False)
def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max_nd("adaptive_max_pool2d", 2, input, output_size)


@register(function=False, method=False)
def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max_nd("adaptive_max_pool3d", 3, input, output_size)


@register(function=False, method=False)
def adaptive_max_pool2d(input, output_size, return_indices=False):
    """2-d adaptive max pooling (``return_indices`` gives flat indices into H * W)."""
    out = adaptive_max_pool2d_with_indices(input, output_size)
    return out if return_indices else out[0]


@register(function=False, method=False)
def adaptive_max_pool3d(input, output_size, return_indices=False):
    """3-d adaptive max pooling."""
    out = adaptive_max_pool3d_with_indices(input, output_size)
    return out if return_indices else out[0]


@register(function=False, method=False)
def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    _check_2to3("adaptive_max_pool1d", input)
    o = _one(output_size, "adaptive_max_pool1d", "output_size must be 1")
    v, i = _adaptive_max_nd("adaptive_max_pool2d", 2, input.unsqueeze(-2), (1, o))
    return v.squeeze(-2), i.squeeze(-2)


@register("adaptive_max_pool1d", method=False)
def _adaptive_max_pool1d_torch(input, output_size):
    """``torch.adaptive_max_pool1d``: (values, indices)."""
    return adaptive_max_pool1d_with_indices(input, output_size)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """1-d adaptive max pooling."""
    out = adaptive_max_pool1d_with_indices(input, output_size)
    return out if return_indices else out[0]


# --------------------------------------------------------------------------------------------
# Lp pooling


def _lp_body(x, n, p, kernel, stride, out):
    s = _avg_pool_body(x ** p, n, kernel, stride, (0,) * n, out, True, None)
    v = jnp.sign(s) * jnp.maximum(jnp.abs(s), 0) * float(np.prod(kernel))
    return v ** (1.0 / p)


def _lp_impl(x, n, p, kernel, stride, out, unbatched, one_d):
    if one_d:  # lp_pool1d: the 2-d body on (N, C, 1, L), the pow last as in PyTorch
        return _lp_impl(x[..., None, :], n, p, kernel, stride, out, unbatched, False)[..., 0, :]
    return _batched(lambda a: _lp_body(a, n, p, kernel, stride, out))(x, unbatched=unbatched)


_LP = {n: engine.Op(f"lp_pool{n}d", _lp_impl, grad="PowBackward0") for n in (2, 3)}


def _lp_pool_nd(n, input, norm_type, kernel_size, stride, ceil_mode, name, one_d=False):
    if isinstance(norm_type, (int, float)) and math.isinf(norm_type):
        mp = {2: max_pool2d, 3: max_pool3d}[n]
        if norm_type > 0:
            return mp(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return -mp(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    kernel, stride_t, _, _ = _pool_args(name, n, kernel_size, stride, 0, 1)
    x = input.unsqueeze(-2) if one_d else input
    if x.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"non-empty {n + 1}D or {n + 2}D (batch mode) tensor expected for "
                           "input")
    out = _check_pool_shape(name, n, x, kernel, stride_t, (0,) * n, (1,) * n, ceil_mode, "avg")
    return dispatch(_LP[n], (input,), (n, float(norm_type), kernel, stride_t, out,
                                       x.ndim == n + 1, one_d))


@register(function=False, method=False)
def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-d power-average pooling: ``(sum x ** p) ** (1 / p)`` over each window."""
    return _lp_pool_nd(2, input, norm_type, kernel_size, stride, ceil_mode, "avg_pool2d")


@register(function=False, method=False)
def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-d power-average pooling."""
    return _lp_pool_nd(3, input, norm_type, kernel_size, stride, ceil_mode, "avg_pool3d")


@register(function=False, method=False)
def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """1-d power-average pooling."""
    _check_2to3("avg_pool1d", input)
    if isinstance(norm_type, (int, float)) and math.isinf(norm_type):
        if norm_type > 0:
            return max_pool1d(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return -max_pool1d(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    k = _one(kernel_size, "lp_pool1d", "kernel_size must be a single int")
    s = k if stride is None else _one(stride, "lp_pool1d", "stride must be a single int")
    return _lp_pool_nd(2, input, norm_type, (1, k), (1, s), ceil_mode, "avg_pool2d", True)


# --------------------------------------------------------------------------------------------
# max unpooling


@jax.custom_vjp
def _scatter_set(flat, i, v):
    """flat[b, c, i] = v (duplicates: one write wins, as PyTorch's kernel)."""
    bi = lax.broadcasted_iota(jnp.int64, i.shape, 0)
    ci = lax.broadcasted_iota(jnp.int64, i.shape, 1)
    return flat.at[bi, ci, i].set(v, mode="drop")


def _scatter_set_fwd(flat, i, v):
    return _scatter_set(flat, i, v), i


def _scatter_set_bwd(i, g):
    # PyTorch's max_unpool backward gathers the gradient at every index, duplicates included
    gv = jnp.take_along_axis(g, jnp.clip(i, 0, g.shape[-1] - 1), axis=2)
    return None, None, gv


_scatter_set.defvjp(_scatter_set_fwd, _scatter_set_bwd)


def _unpool_impl(x, idx, n, out, unbatched):
    def body(x, idx):
        b, c = x.shape[:2]
        size = int(np.prod(out))
        flat = jnp.zeros((b, c, size), x.dtype)
        i = jnp.reshape(idx, (b, c, -1))
        v = jnp.reshape(x, (b, c, -1))
        return jnp.reshape(_scatter_set(flat, i, v), (b, c) + tuple(out))

    if unbatched:
        return body(x[None], idx[None])[0]
    return body(x, idx)


_UNPOOL = {n: engine.Op(f"max_unpool{n}d", _unpool_impl, grad=f"MaxUnpool{n}DBackward0",
                        nondiff=(1,)) for n in (2, 3)}


def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    input_size = input._shape
    default_size = []
    for d in range(len(kernel_size)):
        default_size.append((input_size[-len(kernel_size) + d] - 1) * stride[d] + kernel_size[d]
                            - 2 * padding[d])
    if output_size is None:
        ret = default_size
    else:
        if len(output_size) == len(kernel_size) + 2:
            output_size = output_size[2:]
        if len(output_size) != len(kernel_size):
            raise ValueError(f"output_size should be a sequence containing {len(kernel_size)} or "
                             f"{len(kernel_size) + 2} elements, but it has a length of "
                             f"'{len(output_size)}'")
        for d in range(len(kernel_size)):
            min_size = default_size[d] - stride[d]
            max_size = default_size[d] + stride[d]
            if not (min_size < output_size[d] < max_size):
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between '
                                 f'{min_size} and {max_size})')
        ret = output_size
    for d in range(len(kernel_size)):
        if ret[d] < 0:
            raise ValueError(f"max_unpooling: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{d}]={ret[d]}")
    return [int(r) for r in ret]


def _max_unpool_nd(n, input, indices, kernel_size, stride, padding, output_size):
    tup = {1: single, 2: pair, 3: triple}[n]
    kernel = tup(kernel_size)
    stride = tup(stride) if stride is not None else kernel
    padding = tup(padding)
    out = _unpool_output_size(input, kernel, stride, padding, output_size)
    if indices._dtype is not D.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{D._short(indices._dtype)}")
    if indices._shape != input._shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({fmt_shape(input._shape)}) but got indices tensor with shape: "
                           f"{fmt_shape(indices._shape)}")
    if n == 1:
        out = out + [1]
        input, indices = input.unsqueeze(-1), indices.unsqueeze(-1)
        nn = 2
    else:
        nn = n
    if input.ndim not in (nn + 1, nn + 2):
        raise RuntimeError(f"Input to max_unpooling{nn}d should be a {nn + 1}d or {nn + 2}d "
                           f"Tensor, but got a tensor with {input.ndim} dimensions.")
    size = int(np.prod(out))
    idx = concrete_numpy(indices)
    if idx is not None and idx.size and ((idx < 0) | (idx >= size)).any():
        bad = int(idx[(idx < 0) | (idx >= size)].flat[0])
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, out))})")
    res = dispatch(_UNPOOL[nn], (input, indices), (nn, tuple(out), input.ndim == nn + 1))
    return res.squeeze(-1) if n == 1 else res


@register(function=False, method=False)
def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d: values placed at their indices, zeros elsewhere."""
    return _max_unpool_nd(1, input, indices, kernel_size, stride, padding, output_size)


@register(function=False, method=False)
def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d."""
    return _max_unpool_nd(2, input, indices, kernel_size, stride, padding, output_size)


@register(function=False, method=False)
def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool3d."""
    return _max_unpool_nd(3, input, indices, kernel_size, stride, padding, output_size)


# --------------------------------------------------------------------------------------------
# fractional max pooling


def _frac_starts(sample, in_size, out_size, k):
    """PyTorch's generate_intervals: the window starts along one dim for each sample."""
    if out_size == 1:
        return jnp.full(sample.shape + (1,), in_size - k, jnp.int64)
    alpha = (in_size - k) / (out_size - 1)
    i = jnp.arange(out_size - 1, dtype=sample.dtype)
    starts = (jnp.floor((i + sample[..., None]) * alpha) -
              jnp.floor(sample[..., None] * alpha)).astype(jnp.int64)
    last = jnp.full(sample.shape + (1,), in_size - k, jnp.int64)
    return jnp.concatenate([starts, last], axis=-1)


def _frac_body(x, samples, n, kernel, out):
    """x (B, C, *spatial), samples (B, C, n) in the input dtype."""
    b, c = x.shape[:2]
    spatial = x.shape[2:]
    w = x
    all_idx = []
    for i in range(n):
        # dims are sampled in reverse order: samples[..., 0] is the last (width) dim
        st = _frac_starts(samples[..., n - 1 - i], spatial[i], out[i], kernel[i])  # (B, C, o)
        idx = st[..., None] + jnp.arange(kernel[i])  # (B, C, o, k)
        all_idx.append(idx)
        ax = 2 + 2 * i
        flat = jnp.reshape(idx, (b, c, -1))
        shape = [b, c] + [1] * (w.ndim - 2)
        shape[ax] = flat.shape[-1]
        gather_idx = jnp.reshape(flat, shape)
        gather_idx = jnp.broadcast_to(gather_idx, w.shape[:ax] + (flat.shape[-1],) +
                                      w.shape[ax + 1:])
        w = jnp.take_along_axis(w, gather_idx, axis=ax)
        w = jnp.reshape(w, w.shape[:ax] + (out[i], kernel[i]) + w.shape[ax + 1:])
    perm = [0, 1] + [2 + 2 * i for i in range(n)] + [3 + 2 * i for i in range(n)]
    w = jnp.transpose(w, perm)
    w = jnp.reshape(w, w.shape[:2 + n] + (-1,))
    k, v = _first_max(w)
    idx = jnp.zeros(k.shape, jnp.int64)
    rest = k
    for i in reversed(range(n)):
        ki = rest % kernel[i]
        rest = rest // kernel[i]
        grid = lax.broadcasted_iota(jnp.int64, k.shape, 2 + i)
        # position of window element ki of output grid along dim i, per (b, c)
        pos_all = all_idx[i]  # (B, C, o_i, k_i)
        bi = lax.broadcasted_iota(jnp.int64, k.shape, 0)
        ci = lax.broadcasted_iota(jnp.int64, k.shape, 1)
        pos = pos_all[bi, ci, grid, ki]
        idx = idx + pos * int(np.prod(spatial[i + 1:], dtype=np.int64))
    return v, idx


def _frac_impl(x, samples, n, kernel, out, unbatched, from_key):
    if from_key:
        shape = ((1,) if unbatched else (x.shape[0],)) + (x.shape[-n - 1], n)
        samples = jax.random.uniform(samples, shape, dtype=x.dtype)
    samples = samples.astype(x.dtype)
    if unbatched:
        v, i = _frac_body(x[None], samples, n, kernel, out)
        return v[0], i[0]
    return _frac_body(x, samples, n, kernel, out)


_FRAC = {n: engine.Op(f"fractional_max_pool{n}d", _frac_impl,
                      grad=f"FractionalMaxPool{n}DBackward0", nondiff=(1,)) for n in (2, 3)}


def _fractional_nd(n, input, kernel_size, output_size, output_ratio, _random_samples):
    name = f"fractional_max_pool{n}d"
    tup = pair if n == 2 else triple
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if len(output_ratio) > n:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of "
                             "Ints.")
        ratio = tup(output_ratio)
        output_size = [int(input.size(-n + i) * ratio[i]) for i in range(n)]
    kernel = tup(kernel_size)
    out = tuple(int(o) for o in tup(output_size))
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"{name}(): Expected {n + 1}D or {n + 2}D tensor, but got: "
                           f"{fmt_shape(input._shape)}")
    names = ["height", "width"] if n == 2 else ["time", "height", "width"]
    for i in range(n):
        size = input._shape[-n + i]
        if out[i] + kernel[i] - 1 > size:
            raise RuntimeError(f"{name}(): pool {names[i]} {kernel[i]} too large relative to "
                               f"input {names[i]} {size}")
    unbatched = input.ndim == n + 1
    if _random_samples is None:
        from .._random import next_key
        return dispatch(_FRAC[n], (input, next_key()), (n, kernel, out, unbatched, True))
    rs = _random_samples._shape
    nb = 1 if unbatched else input._shape[0]
    if len(rs) != 3:
        raise RuntimeError(f"Expect _random values to have 3 dimensions, but got {len(rs)}")
    if rs[0] != nb or rs[1] != input._shape[-n - 1] or rs[2] != n:
        if rs[2] != n:
            raise RuntimeError(f"Expect _random_samples.size(2) equals to {n}; got {rs[2]}.")
        raise RuntimeError(f"Expect _random_samples to have the batch size {nb} and channels "
                           f"{input._shape[-n - 1]}")
    return dispatch(_FRAC[n], (input, _random_samples), (n, kernel, out, unbatched, False))


@register(function=False, method=False)
def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional_nd(2, input, kernel_size, output_size, output_ratio, _random_samples)


@register(function=False, method=False)
def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional_nd(3, input, kernel_size, output_size, output_ratio, _random_samples)


@register(function=False, method=False)
def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Fractional max pooling with pseudo-random window placement (jtorch's RNG stream)."""
    out = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio,
                                             return_indices, _random_samples)
    return out if return_indices else out[0]


@register(function=False, method=False)
def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """3-d fractional max pooling."""
    out = fractional_max_pool3d_with_indices(input, kernel_size, output_size, output_ratio,
                                             return_indices, _random_samples)
    return out if return_indices else out[0]


# interpolation and grid sampling
from .nn_upsample import *  # noqa: E402,F401,F403
from .nn_upsample import __all__ as _upsample_all  # noqa: E402

__all__ += _upsample_all
