"""Interpolation (``interpolate``/``upsample``: nearest, nearest-exact, linear, bilinear,
bicubic, trilinear, area) and spatial transformers (``grid_sample``, ``affine_grid``).

The resize kernels are separable: each spatial dim is resampled in turn, last dim first, with
source indices and weights computed as PyTorch's CPU kernels compute them (in the op math
type, float32 for float32 input) so the results agree to rounding.  Gathers, never loops over
elements.
"""
from __future__ import annotations

import math
import numbers
import warnings

import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from ._registry import register

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "grid_sample",
           "affine_grid"]


# --------------------------------------------------------------------------------------------
# index / weight tables (numpy, from static sizes)


def _scale_value(ft, scale, in_size, out_size):
    """compute_scales_value: 1 / scale_factor when given, else in / out."""
    if scale is not None and scale > 0:
        return ft(1.0 / scale)
    return ft(in_size) / ft(out_size)


def _area_scale(ft, in_size, out_size, align_corners, scale):
    if align_corners:
        return ft(in_size - 1) / ft(out_size - 1) if out_size > 1 else ft(0)
    return _scale_value(ft, scale, in_size, out_size)


def _source_index(ft, scale, out_size, align_corners, cubic):
    i = np.arange(out_size).astype(ft)
    if align_corners:
        return scale * i
    src = scale * (i + ft(0.5)) - ft(0.5)
    return src if cubic else np.where(src < 0, ft(0), src).astype(ft)


def _nearest_index(in_size, out_size, scale, exact):
    ft = np.float32
    s = _scale_value(ft, scale, in_size, out_size)
    i = np.arange(out_size).astype(ft)
    if exact:
        idx = np.floor((i + ft(0.5)) * s).astype(np.int64)
    elif out_size == in_size:
        return np.arange(out_size)
    elif out_size == 2 * in_size:
        return np.arange(out_size) >> 1
    else:
        idx = np.floor(i * s).astype(np.int64)
    return np.minimum(idx, in_size - 1)


def _linear_table(ft, in_size, out_size, align_corners, scale):
    s = _area_scale(ft, in_size, out_size, align_corners, scale)
    real = _source_index(ft, s, out_size, align_corners, False)
    i0 = real.astype(np.int64)
    offset = (i0 < in_size - 1).astype(np.int64)
    l1 = (real - i0.astype(ft)).astype(ft)
    l0 = (ft(1) - l1).astype(ft)
    return i0, i0 + offset, l0, l1


def _cubic_coeffs(ft, t):
    a = ft(-0.75)

    def conv1(x):
        return ((a + ft(2)) * x - (a + ft(3))) * x * x + ft(1)

    def conv2(x):
        return ((a * x - ft(5) * a) * x + ft(8) * a) * x - ft(4) * a

    x2 = ft(1) - t
    return [conv2(t + ft(1)), conv1(t), conv1(x2), conv2(x2 + ft(1))]


def _cubic_table(ft, in_size, out_size, align_corners, scale):
    s = _area_scale(ft, in_size, out_size, align_corners, scale)
    real = _source_index(ft, s, out_size, align_corners, True)
    base = np.floor(real)
    t = (real - base).astype(ft)
    base = base.astype(np.int64)
    idx = [np.clip(base - 1 + k, 0, in_size - 1) for k in range(4)]
    return idx, [c.astype(ft) for c in _cubic_coeffs(ft, t)]


def _take(x, idx, axis):
    return jnp.take(x, jnp.asarray(idx), axis=axis)


def _bcast(w, axis, ndim):
    shape = [1] * ndim
    shape[axis] = len(w)
    return jnp.reshape(jnp.asarray(w), shape)


# --------------------------------------------------------------------------------------------
# the resize op


def _upsample_impl(x, mode, out, align_corners, scales):
    n = len(out)
    dt = x.dtype
    if mode in ("nearest", "nearest-exact"):
        for i in reversed(range(n)):
            ax = x.ndim - n + i
            x = _take(x, _nearest_index(x.shape[ax], out[i], scales[i],
                                        mode == "nearest-exact"), ax)
        return x
    ft = np.float64 if dt == jnp.float64 else np.float32
    x = x.astype(ft)
    for i in reversed(range(n)):
        ax = x.ndim - n + i
        in_size = x.shape[ax]
        if mode == "bicubic":
            idx, coeffs = _cubic_table(ft, in_size, out[i], align_corners, scales[i])
            taps = [_take(x, ix, ax) * _bcast(c, ax, x.ndim) for ix, c in zip(idx, coeffs)]
            x = ((taps[0] + taps[1]) + taps[2]) + taps[3]
        else:
            i0, i1, l0, l1 = _linear_table(ft, in_size, out[i], align_corners, scales[i])
            x = _bcast(l0, ax, x.ndim) * _take(x, i0, ax) + _bcast(l1, ax, x.ndim) * _take(
                x, i1, ax)
    return x.astype(dt)


_GRADS = {("nearest", 1): "UpsampleNearest1DBackward0", ("nearest", 2): "UpsampleNearest2DBackward0",
          ("nearest", 3): "UpsampleNearest3DBackward0",
          ("nearest-exact", 1): "UpsampleNearestExact1DBackward0",
          ("nearest-exact", 2): "UpsampleNearestExact2DBackward0",
          ("nearest-exact", 3): "UpsampleNearestExact3DBackward0",
          ("linear", 1): "UpsampleLinear1DBackward0", ("bilinear", 2): "UpsampleBilinear2DBackward0",
          ("bicubic", 2): "UpsampleBicubic2DBackward0",
          ("trilinear", 3): "UpsampleTrilinear3DBackward0"}
_KERNELS = {"nearest": "upsample_nearest{n}d", "nearest-exact": "_upsample_nearest_exact{n}d",
            "linear": "upsample_linear1d", "bilinear": "upsample_bilinear2d",
            "bicubic": "upsample_bicubic2d", "trilinear": "upsample_trilinear3d"}


def _upsample_prepare(sigs, static):
    mode, out = static[0], static[1]
    dt = sigs[0][1]
    n = len(out)
    if not dt.is_floating_point:
        kernel = _KERNELS[mode].format(n=n)
        if n == 2:
            kernel += "_channels_last"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D._short(dt)}'")
    return static


_UPSAMPLE = {k: engine.Op(k[0], _upsample_impl, prepare=_upsample_prepare, grad=g, linear=True)
             for k, g in _GRADS.items()}


# --------------------------------------------------------------------------------------------
# antialiased resize (bilinear / bicubic / lanczos, 4-D): a separable filter whose support
# widens with the downscaling factor, as PyTorch's CPU ``_upsample_*2d_aa`` kernels (PIL's)


def _aa_linear(x):
    x = np.abs(x)
    return np.where(x < 1, 1 - x, 0)


def _aa_cubic(x):
    a = -0.5  # Keys' kernel, as PIL (the non-antialiased bicubic uses -0.75)
    x = np.abs(x)
    return np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, ((a * x - 5 * a) * x + 8 * a) * x - 4 * a, 0))


def _aa_lanczos(x):
    def sinc(v):
        v = v * math.pi
        return np.where(v == 0, 1, np.sin(v) / np.where(v == 0, 1, v))
    return np.where((x >= -3) & (x < 3), sinc(x) * sinc(x / 3), 0)


_AA_FILTERS = {"bilinear": (2, _aa_linear), "bicubic": (4, _aa_cubic),
               "lanczos": (6, _aa_lanczos)}


def _aa_matrix(ft, in_size, out_size, align_corners, scale, mode):
    """(out_size, in_size) resampling weights: ``_compute_weights_aa`` of PyTorch's kernel."""
    interp, filt = _AA_FILTERS[mode]
    s = _area_scale(ft, in_size, out_size, align_corners, scale)
    support = ft(interp * 0.5) * s if s >= 1 else ft(interp * 0.5)
    invscale = ft(1) / s if s >= 1 else ft(1)
    max_size = int(math.ceil(support)) * 2 + 1
    w = np.zeros((out_size, in_size), ft)
    for i in range(out_size):
        center = s * (ft(i) + ft(0.5))
        xmin = max(int(center - support + ft(0.5)), 0)
        xsize = min(max(min(int(center + support + ft(0.5)), in_size) - xmin, 0), max_size)
        j = np.arange(xsize).astype(ft)
        ws = filt((j + ft(xmin) - center + ft(0.5)) * invscale).astype(ft)
        total = ws.sum(dtype=ft)
        if total != 0:
            ws = (ws / total).astype(ft)
        w[i, xmin:xmin + xsize] = ws
    return w


def _aa_impl(x, mode, out, align_corners, scales):
    ft = np.float64 if x.dtype == jnp.float64 else np.float32
    for i in reversed(range(2)):  # width first, as PyTorch
        ax = x.ndim - 2 + i
        w = jnp.asarray(_aa_matrix(ft, x.shape[ax], out[i], align_corners, scales[i], mode))
        x = jnp.moveaxis(jnp.tensordot(x, w, axes=((ax,), (1,)),
                                       precision=lax.Precision.HIGHEST), -1, ax)
    return x


def _aa_prepare(sigs, static):
    dt = sigs[0][1]
    if dt not in (D.float32, D.float64):
        if dt is D.uint8:
            raise NotImplementedError("F.interpolate(antialias=True) on uint8 images is not "
                                      "supported by jtorch")
        raise NotImplementedError(f"\"compute_index_ranges_weights\" not implemented for "
                                  f"'{D._short(dt)}'")
    return static


_UPSAMPLE_AA = {m: engine.Op(f"upsample_{m}2d_aa", _aa_impl, prepare=_aa_prepare, grad=g,
                             linear=True)
                for m, g in (("bilinear", "UpsampleBilinear2DAaBackward0"),
                             ("bicubic", "UpsampleBicubic2DAaBackward0"),
                             ("lanczos", "UpsampleLanczos2DAaBackward0"))}


def _check_sizes(in_sizes, out_sizes):
    names = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}[len(in_sizes)]
    if any(s <= 0 for s in in_sizes) or any(s <= 0 for s in out_sizes):
        fi = ", ".join(f"{a}: {s}" for a, s in zip(names, in_sizes))
        fo = ", ".join(f"{a}: {s}" for a, s in zip(names, out_sizes))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({fi}) output ({fo})")


def _is_integer(x):
    return isinstance(x, numbers.Integral) or (hasattr(x, "__index__") and not isinstance(
        x, float) and not getattr(x, "is_floating_point", lambda: False)())


@register(function=False, method=False)
def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize ``input`` (N, C, *spatial) to ``size`` or by ``scale_factor`` with ``mode``."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    elif size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(f"Input and output must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of "
                                 f"{list(input.shape[2:])} and output size of {size}. Please "
                                 "provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                                 "size in (o1, o2, ...,oK) format.")
            if not all(_is_integer(x) for x in size):
                raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] "
                                f"or Tuple[int, int, int], but got size with types "
                                f"{[type(x) for x in size]}")
            output_size = [int(s) for s in size]
        else:
            output_size = [int(size) for _ in range(dim)]
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(f"Input and scale_factor must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of "
                                 f"{list(input.shape[2:])} and scale_factor of shape "
                                 f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, "
                                 "...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = [float(s) for s in scale_factor]
        else:
            scale_factors = [float(scale_factor) for _ in range(dim)]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor is not None and recompute_scale_factor:
        output_size = [math.floor(input.size(i + 2) * scale_factors[i]) for i in range(dim)]
        scale_factors = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes "
                         "and requires a 4-D tensor as input")
    valid = {("nearest", 3), ("nearest", 4), ("nearest", 5), ("nearest-exact", 3),
             ("nearest-exact", 4), ("nearest-exact", 5), ("linear", 3), ("bilinear", 4),
             ("trilinear", 5), ("bicubic", 4)}
    if mode == "area" and input.dim() in (3, 4, 5):
        from .nn_pool import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
        fn = {3: adaptive_avg_pool1d, 4: adaptive_avg_pool2d, 5: adaptive_avg_pool3d}
        return fn[input.dim()](input, output_size)
    if mode == "lanczos" and input.dim() == 4:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    elif (mode, input.dim()) not in valid:
        wrong = {("bilinear", 3): "Got 3D input, but bilinear mode needs 4D input",
                 ("trilinear", 3): "Got 3D input, but trilinear mode needs 5D input",
                 ("linear", 4): "Got 4D input, but linear mode needs 3D input",
                 ("trilinear", 4): "Got 4D input, but trilinear mode needs 5D input",
                 ("linear", 5): "Got 5D input, but linear mode needs 3D input",
                 ("bilinear", 5): "Got 5D input, but bilinear mode needs 4D input"}
        msg = wrong.get((mode, input.dim()))
        if msg is None:
            msg = (f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                   "for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | "
                   f"area | nearest-exact (got {mode})")
        raise NotImplementedError(msg)
    in_sizes = tuple(input._shape[2:])
    if output_size is None:
        output_size = [int(math.floor(s * f)) for s, f in zip(in_sizes, scale_factors)]
        scales = tuple(scale_factors)
    else:
        scales = (None,) * dim
    _check_sizes(in_sizes, output_size)
    if antialias:
        return dispatch(_UPSAMPLE_AA[mode], (input,),
                        (mode, tuple(output_size), bool(align_corners), scales))
    return dispatch(_UPSAMPLE[(mode, dim)], (input,),
                    (mode, tuple(output_size), bool(align_corners) if align_corners is not None
                     else None, scales))


@register(function=False, method=False)
def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of ``interpolate``."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


@register(function=False, method=False)
def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(mode='nearest')``."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


@register(function=False, method=False)
def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(mode='bilinear', align_corners=True)``."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# --------------------------------------------------------------------------------------------
# grid_sample and affine_grid


def _clip(x, hi):
    """clip to [0, hi] with PyTorch's gradient (it passes on the boundary, 0 outside)."""
    return jnp.where(x < 0, jnp.zeros_like(x), jnp.where(x > hi, jnp.full_like(x, hi), x))


def _reflect(x, twice_low, twice_high):
    if twice_low == twice_high:
        return jnp.zeros_like(x)
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    x = jnp.abs(x - lo)
    extra = jnp.fmod(x, span)
    flips = jnp.floor(x / span)
    return jnp.where(jnp.fmod(flips, 2) == 0, extra + lo, span - extra + lo)


def _source(coord, size, padding_mode, align_corners):
    """grid_sampler_compute_source_index: unnormalize, then apply the padding mode."""
    if align_corners:
        c = (coord + 1) / 2 * (size - 1)
    else:
        c = ((coord + 1) * size - 1) / 2
    if padding_mode == 1:  # border
        c = _clip(c, size - 1)
    elif padding_mode == 2:  # reflection
        if align_corners:
            c = _reflect(c, 0, 2 * (size - 1))
        else:
            c = _reflect(c, -1, 2 * size - 1)
        c = _clip(c, size - 1)
    return c


def _gather(flat, idx_list, sizes, valid):
    """Values of flat (N, C, prod(sizes)) at integer coordinates (N, *out) (0 where invalid)."""
    lin = jnp.zeros(idx_list[0].shape, jnp.int64)
    for ix, s in zip(idx_list, sizes):
        lin = lin * s + jnp.clip(ix, 0, s - 1).astype(jnp.int64)
    n, c = flat.shape[:2]
    g = jnp.take_along_axis(flat, jnp.reshape(lin, (n, 1, -1)), axis=2)
    g = jnp.reshape(g, (n, c) + lin.shape[1:])
    return jnp.where(valid[:, None], g, jnp.zeros_like(g))


def _grid_sample_impl(x, grid, mode, padding_mode, align_corners):
    dt = x.dtype
    ct = jnp.float32 if dt in (jnp.float16, jnp.bfloat16) else dt
    x, grid = x.astype(ct), grid.astype(ct)
    n = x.ndim - 2
    sizes = x.shape[2:]
    flat = jnp.reshape(x, x.shape[:2] + (-1,))
    # grid's last dim is (x, y[, z]): reversed relative to the spatial dims (.., H, W)
    coords = [_source(grid[..., n - 1 - i], sizes[i], padding_mode, align_corners)
              for i in range(n)]

    def inb(ix, s):
        return (ix >= 0) & (ix <= s - 1)

    if mode == 1:  # nearest: round half to even, as nearbyint
        idx = [jnp.round(c) for c in coords]
        valid = jnp.ones(idx[0].shape, bool)
        for ix, s in zip(idx, sizes):
            valid = valid & inb(ix, s)
        return _gather(flat, idx, sizes, valid).astype(dt)
    if mode == 0:  # (bi/tri)linear
        lo = [jnp.floor(c) for c in coords]
        out = 0
        for corner in range(2 ** n):
            idx = []
            w = 1
            valid = jnp.ones(lo[0].shape, bool)
            for i in range(n):
                hi_bit = (corner >> (n - 1 - i)) & 1
                ix = lo[i] + hi_bit
                w = w * (coords[i] - lo[i] if hi_bit else lo[i] + 1 - coords[i])
                idx.append(ix)
                valid = valid & inb(ix, sizes[i])
            out = out + _gather(flat, idx, sizes, valid) * w[:, None]
        return out.astype(dt)
    # bicubic (2-d): taps at floor - 1 .. floor + 2; padding applies to each tap
    if align_corners:
        cx = (grid[..., 0] + 1) / 2 * (sizes[1] - 1)
        cy = (grid[..., 1] + 1) / 2 * (sizes[0] - 1)
    else:
        cx = ((grid[..., 0] + 1) * sizes[1] - 1) / 2
        cy = ((grid[..., 1] + 1) * sizes[0] - 1) / 2
    ix_f, iy_f = jnp.floor(cx), jnp.floor(cy)
    tx, ty = cx - ix_f, cy - iy_f
    wx = _cubic_jnp(tx)
    wy = _cubic_jnp(ty)
    out = 0
    for j in range(4):
        row = 0
        for i in range(4):
            px = _tap(ix_f - 1 + i, sizes[1], padding_mode, align_corners)
            py = _tap(iy_f - 1 + j, sizes[0], padding_mode, align_corners)
            valid = inb(px, sizes[1]) & inb(py, sizes[0])
            row = row + _gather(flat, [py, px], sizes, valid) * wx[i][:, None]
        out = out + row * wy[j][:, None]
    return out.astype(dt)


def _tap(c, size, padding_mode, align_corners):
    if padding_mode == 1:
        return _clip(c, size - 1)
    if padding_mode == 2:
        c = _reflect(c, 0, 2 * (size - 1)) if align_corners else _reflect(c, -1, 2 * size - 1)
        return _clip(c, size - 1)
    return c


def _cubic_jnp(t):
    a = -0.75

    def conv1(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def conv2(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [conv2(t + 1), conv1(t), conv1(1 - t), conv2(2 - t)]


def _grid_prepare(sigs, static):
    (xs, xd), (gs, gd) = sigs
    if xd is not gd:
        raise RuntimeError(f"expected scalar type {D._short(xd)} but found {D._short(gd)}")
    return static


_GRID = {2: engine.Op("grid_sampler_2d", _grid_sample_impl, prepare=_grid_prepare,
                      grad="GridSampler2DBackward0"),
         3: engine.Op("grid_sampler_3d", _grid_sample_impl, prepare=_grid_prepare,
                      grad="GridSampler3DBackward0")}


def _fmt(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


@register(function=False, method=False)
def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` at the normalized (x, y[, z]) locations of ``grid``."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    mode_enum = {"bilinear": 0, "nearest": 1, "bicubic": 2}[mode]
    pad_enum = {"zeros": 0, "border": 1, "reflection": 2}[padding_mode]
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for "
                      "details.", stacklevel=2)
        align_corners = False
    n = input.ndim - 2
    if grid._shape[-1] != input.ndim - 2 or grid.ndim != input.ndim:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in last "
                           f"dimension, but got grid with sizes {_fmt(grid._shape)}")
    if input.ndim not in (4, 5):
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number "
                           f"of dimensions, but got input with sizes {_fmt(input._shape)} and "
                           f"grid with sizes {_fmt(grid._shape)}")
    if input._shape[0] != grid._shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {_fmt(input._shape)} and grid with sizes "
                           f"{_fmt(grid._shape)}")
    if mode_enum == 2 and n != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    return dispatch(_GRID[n], (input, grid), (mode_enum, pad_enum, bool(align_corners)))


def _affine_impl(theta, size, align_corners):
    n = len(size) - 2
    spatial = size[2:]
    ct = theta.dtype

    def lin(s):
        if s <= 1:
            return jnp.zeros((s,), ct)
        v = jnp.linspace(-1, 1, s, dtype=ct)
        return v if align_corners else v * (s - 1) / s

    # base grid (..., n + 1): coordinates (x, y[, z]) reversed from the spatial order, then 1
    axes = [lin(s) for s in spatial]
    mesh = jnp.meshgrid(*axes, indexing="ij")
    base = jnp.stack([mesh[n - 1 - i] for i in range(n)] + [jnp.ones(spatial, ct)], axis=-1)
    flat = jnp.reshape(base, (1, -1, n + 1))
    out = jnp.matmul(flat, jnp.swapaxes(theta, 1, 2), precision=lax.Precision.HIGHEST)
    return jnp.reshape(out, (size[0],) + tuple(spatial) + (n,))


_AFFINE = engine.Op("affine_grid_generator", _affine_impl, grad="AffineGridGeneratorBackward0",
                    linear=True)


@register(function=False, method=False)
def affine_grid(theta, size, align_corners=None):
    """The sampling grid of the affine maps ``theta`` (N, 2, 3) or (N, 3, 4) for ``size``."""
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for "
                      "details.", stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {theta.shape}.")
        spatial_size = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{size}. Got {theta.shape}.")
        spatial_size = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if align_corners and min(spatial_size) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids "
                      "when align_corners=True. This is not an intended use case of affine_grid. "
                      "See the documentation of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    return dispatch(_AFFINE, (theta,), (size, bool(align_corners)))
