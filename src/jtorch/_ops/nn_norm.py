"""nn.functional normalization: batch_norm, instance_norm, layer_norm, group_norm, rms_norm,
local_response_norm, normalize.

Each is one op.  batch/instance norm in training mode return the new running statistics as
extra outputs; the frontend writes them into the running buffers in place (as PyTorch's kernel
updates them), so a training step stays one program.  ``momentum`` is an op *input*, so the
cumulative average of ``momentum=None`` (1 / num_batches_tracked) needs no sync.
"""
from __future__ import annotations

import math

import jax
import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ._registry import register
from ._util import wrap_dim

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
           "local_response_norm", "normalize"]


def _cast(x, dt):
    return lax.convert_element_type(x, dt)


def _not_implemented(kernel, dt):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{D._short(dt)}'")


def _shape_str(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


# --------------------------------------------------------------------------------------------
# batch norm (also the engine of instance norm)


def _bn_prepare(sigs, static):
    training, has_w, has_b, has_running, eps = static
    (xs, xd) = sigs[0]
    if not xd.is_floating_point:
        raise _not_implemented("batch_norm", xd)
    c = xs[1] if len(xs) > 1 else 0
    names = (["weight"] if has_w else []) + (["bias"] if has_b else []) + \
        (["running_mean", "running_var"] if has_running else [])
    sizes = dict(zip(names, (_numel(s[0]) for s in sigs[1:])))
    # PyTorch checks the running statistics first
    for name in ("running_mean", "running_var", "weight", "bias"):
        if name in sizes and sizes[name] != c:
            raise RuntimeError(f"{name} should contain {c} elements not {sizes[name]}")
    return (training, has_w, has_b, has_running, eps, P.opmath(xd).np, xd.np, len(xs))


def _bn_impl(x, *rest):
    *arrs, training, has_w, has_b, has_running, eps, ct, rt, ndim = rest
    it = iter(arrs)
    w = next(it) if has_w else None
    b = next(it) if has_b else None
    rm = next(it) if has_running else None
    rv = next(it) if has_running else None
    momentum = next(it) if (training and has_running) else None
    xc = _cast(x, ct)
    axes = (0,) + tuple(range(2, ndim))
    bshape = (1, -1) + (1,) * (ndim - 2)
    if training:
        mean = jnp.mean(xc, axis=axes, keepdims=True)
        var = jnp.mean(jnp.square(xc - mean), axis=axes, keepdims=True)
    else:
        mean = _cast(rm, ct).reshape(bshape)
        var = _cast(rv, ct).reshape(bshape)
    y = (xc - mean) * lax.rsqrt(var + eps)
    if w is not None:
        y = y * _cast(w, ct).reshape(bshape)
    if b is not None:
        y = y + _cast(b, ct).reshape(bshape)
    y = _cast(y, rt)
    if not (training and has_running):
        return y
    n = x.size // x.shape[1]
    m = _cast(momentum, ct)
    mean_s = lax.stop_gradient(mean.reshape(-1))
    var_u = lax.stop_gradient(var.reshape(-1)) * (n / max(n - 1, 1) if n > 1 else jnp.nan)
    new_rm = (1 - m) * _cast(rm, ct) + m * mean_s
    new_rv = (1 - m) * _cast(rv, ct) + m * var_u
    return y, _cast(new_rm, rm.dtype), _cast(new_rv, rv.dtype)


_BATCH_NORM = engine.Op("batch_norm", _bn_impl, prepare=_bn_prepare,
                        grad="NativeBatchNormBackward0")


def _verify_batch_size(size):
    prod = size[0]
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{size}")


def _momentum_input(momentum):
    if isinstance(momentum, Tensor):
        return momentum
    return float(momentum)


def _update_running(running_mean, running_var, new_mean, new_var):
    # the running statistics are buffers updated in place, as PyTorch's kernel does
    with no_grad():
        running_mean.copy_(new_mean)
        running_var.copy_(new_var)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """Normalize each channel (dim 1) by the batch statistics (training) or the running ones.

    In training the running statistics (if given) are updated in place:
    ``running = (1 - momentum) * running + momentum * batch_stat`` (unbiased variance).
    """
    if training:
        _verify_batch_size(input.size())
    has_running = running_mean is not None and running_var is not None
    if not training and not has_running:
        if running_mean is None:
            raise RuntimeError("running_mean must be defined in evaluation mode")
        raise RuntimeError("running_var must be defined in evaluation mode")
    args = [input]
    if weight is not None:
        args.append(weight)
    if bias is not None:
        args.append(bias)
    if has_running:
        args += [running_mean, running_var]
        if training:
            args.append(_momentum_input(momentum))
    static = (bool(training), weight is not None, bias is not None, has_running, float(eps))
    out = dispatch(_BATCH_NORM, tuple(args), static)
    if training and has_running:
        out, new_mean, new_var = out
        _update_running(running_mean, running_var, new_mean, new_var)
    return out


def _in_prepare(sigs, static):
    use_input_stats, has_w, has_b, has_running, eps = static
    (xs, xd) = sigs[0]
    if not xd.is_floating_point:
        raise _not_implemented("batch_norm", xd)
    c = xs[1] if len(xs) > 1 else 0
    i = 1
    names = (["weight"] if has_w else []) + (["bias"] if has_b else []) + \
        (["running_mean", "running_var"] if has_running else [])
    for name in names:
        n = _numel(sigs[i][0])
        expected = c if name in ("weight", "bias") else c
        if n != expected:
            raise RuntimeError(f"{name} should contain {xs[0] * c} elements not {n * xs[0]}")
        i += 1
    return (use_input_stats, has_w, has_b, has_running, eps, P.opmath(xd).np, xd.np, len(xs))


def _in_impl(x, *rest):
    *arrs, use_stats, has_w, has_b, has_running, eps, ct, rt, ndim = rest
    it = iter(arrs)
    w = next(it) if has_w else None
    b = next(it) if has_b else None
    rm = next(it) if has_running else None
    rv = next(it) if has_running else None
    momentum = next(it) if (use_stats and has_running) else None
    xc = _cast(x, ct)
    axes = tuple(range(2, ndim))
    bshape = (1, -1) + (1,) * (ndim - 2)
    if use_stats:
        mean = jnp.mean(xc, axis=axes, keepdims=True)
        var = jnp.mean(jnp.square(xc - mean), axis=axes, keepdims=True)
    else:
        mean = _cast(rm, ct).reshape(bshape)
        var = _cast(rv, ct).reshape(bshape)
    y = (xc - mean) * lax.rsqrt(var + eps)
    if w is not None:
        y = y * _cast(w, ct).reshape(bshape)
    if b is not None:
        y = y + _cast(b, ct).reshape(bshape)
    y = _cast(y, rt)
    if not (use_stats and has_running):
        return y
    n = 1
    for s in x.shape[2:]:
        n *= s
    m = _cast(momentum, ct)
    # PyTorch runs batch norm on a (1, N*C, ...) view and averages the N running stats
    mean_s = lax.stop_gradient(jnp.mean(mean.reshape(x.shape[0], -1), axis=0))
    var_u = lax.stop_gradient(jnp.mean(var.reshape(x.shape[0], -1), axis=0)) * (n / (n - 1))
    new_rm = (1 - m) * _cast(rm, ct) + m * mean_s
    new_rv = (1 - m) * _cast(rv, ct) + m * var_u
    return y, _cast(new_rm, rm.dtype), _cast(new_rv, rv.dtype)


# PyTorch computes instance norm through a view of batch norm: the result's node is a view's
_INSTANCE_NORM = engine.Op("instance_norm", _in_impl, prepare=_in_prepare, grad="ViewBackward0")


def _verify_spatial_size(size):
    prod = 1
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{size}")


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-05):
    """Normalize each channel of each sample by its own statistics (over the spatial dims)."""
    if use_input_stats:
        _verify_spatial_size(input.size())
    has_running = running_mean is not None and running_var is not None
    if not use_input_stats and not has_running:
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    args = [input]
    if weight is not None:
        args.append(weight)
    if bias is not None:
        args.append(bias)
    if has_running:
        args += [running_mean, running_var]
        if use_input_stats:
            args.append(_momentum_input(momentum))
    static = (bool(use_input_stats), weight is not None, bias is not None, has_running,
              float(eps))
    out = dispatch(_INSTANCE_NORM, tuple(args), static)
    if use_input_stats and has_running:
        out, new_mean, new_var = out
        _update_running(running_mean, running_var, new_mean, new_var)
    return out


# --------------------------------------------------------------------------------------------
# layer norm, group norm, rms norm


def _layer_norm_prepare(sigs, static):
    normalized_shape, eps, has_w, has_b = static
    xs, xd = sigs[0]
    ns = tuple(normalized_shape)
    if len(ns) == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    i = 1
    for name, present in (("weight", has_w), ("bias", has_b)):
        if present:
            s = sigs[i][0]
            if s != ns:
                raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                                   f"got {name} of shape {_shape_str(s)} and normalized_shape = "
                                   f"{_shape_str(ns)}")
            i += 1
    if len(xs) < len(ns) or xs[len(xs) - len(ns):] != ns:
        raise RuntimeError(f"Given normalized_shape={_shape_str(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size"
                           f"{_shape_str(xs)}")
    if not xd.is_floating_point:
        raise _not_implemented("LayerNormKernelImpl", xd)
    return (len(ns), eps, has_w, has_b, P.opmath(xd).np, xd.np)


def _layer_norm_impl(x, *rest):
    *arrs, nd, eps, has_w, has_b, ct, rt = rest
    axes = tuple(range(x.ndim - nd, x.ndim))
    xc = _cast(x, ct)
    mean = jnp.mean(xc, axis=axes, keepdims=True)
    var = jnp.mean(jnp.square(xc - mean), axis=axes, keepdims=True)
    y = (xc - mean) * lax.rsqrt(var + eps)
    it = iter(arrs)
    if has_w:
        y = y * _cast(next(it), ct)
    if has_b:
        y = y + _cast(next(it), ct)
    return _cast(y, rt)


_LAYER_NORM = engine.Op("layer_norm", _layer_norm_impl, prepare=_layer_norm_prepare,
                        grad="NativeLayerNormBackward0")


def _norm_shape(normalized_shape):
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalize over the last ``len(normalized_shape)`` dims (biased variance)."""
    args = (input,) + tuple(t for t in (weight, bias) if t is not None)
    static = (_norm_shape(normalized_shape), float(eps), weight is not None, bias is not None)
    return dispatch(_LAYER_NORM, args, static)


def _group_norm_prepare(sigs, static):
    num_groups, eps, has_w, has_b = static
    xs, xd = sigs[0]
    if len(xs) < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{len(xs)}")
    c = xs[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {_shape_str(xs)} and "
                           f"num_groups={num_groups}")
    i = 1
    for name, present in (("weight", has_w), ("bias", has_b)):
        if present:
            s = sigs[i][0]
            if len(s) != 1 or s[0] != c:
                raise RuntimeError(f"Expected {name} to be a vector of size equal to the number "
                                   f"of channels in input, but got {name} of shape "
                                   f"{_shape_str(s)} and input of shape {_shape_str(xs)}")
            i += 1
    if not xd.is_floating_point:
        raise _not_implemented("GroupNormKernelImpl", xd)
    return (num_groups, eps, has_w, has_b, P.opmath(xd).np, xd.np)


def _group_norm_impl(x, *rest):
    *arrs, g, eps, has_w, has_b, ct, rt = rest
    n, c = x.shape[:2]
    xc = _cast(x, ct).reshape((n, g, -1))
    mean = jnp.mean(xc, axis=2, keepdims=True)
    var = jnp.mean(jnp.square(xc - mean), axis=2, keepdims=True)
    y = ((xc - mean) * lax.rsqrt(var + eps)).reshape(x.shape)
    bshape = (1, c) + (1,) * (x.ndim - 2)
    it = iter(arrs)
    if has_w:
        y = y * _cast(next(it), ct).reshape(bshape)
    if has_b:
        y = y + _cast(next(it), ct).reshape(bshape)
    return _cast(y, rt)


_GROUP_NORM = engine.Op("group_norm", _group_norm_impl, prepare=_group_norm_prepare,
                        grad="NativeGroupNormBackward0")


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalize over groups of channels (and the spatial dims) of each sample."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    args = (input,) + tuple(t for t in (weight, bias) if t is not None)
    return dispatch(_GROUP_NORM, args, (int(num_groups), float(eps), weight is not None,
                                        bias is not None))


def _rms_prepare(sigs, static):
    normalized_shape, eps, has_w = static
    xs, xd = sigs[0]
    ns = tuple(normalized_shape)
    if len(xs) < len(ns) or xs[len(xs) - len(ns):] != ns:
        raise RuntimeError(f"Given normalized_shape={_shape_str(ns)}, expected input with shape "
                           f"[*{', '.join(map(str, ns))}], but got input of size"
                           f"{_shape_str(xs)}")
    if has_w and sigs[1][0] != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {_shape_str(sigs[1][0])} and normalized_shape = "
                           f"{_shape_str(ns)}")
    if not xd.is_floating_point:
        raise RuntimeError(f"rms_norm only supports floating point dtypes, got {xd}")
    if eps is None:
        eps = float(D.finfo(xd).eps)
    return (len(ns), eps, has_w, P.opmath(xd).np, xd.np)


def _rms_impl(x, *rest):
    *arrs, nd, eps, has_w, ct, rt = rest
    axes = tuple(range(x.ndim - nd, x.ndim))
    xc = _cast(x, ct)
    y = xc * lax.rsqrt(jnp.mean(jnp.square(xc), axis=axes, keepdims=True) + eps)
    if has_w:
        y = y * _cast(arrs[0], ct)
    return _cast(y, rt)


_RMS_NORM = engine.Op("rms_norm", _rms_impl, prepare=_rms_prepare, grad="MulBackward0")


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``x / sqrt(mean(x^2) + eps) * weight`` over the last dims (``eps`` defaults to the
    dtype's machine epsilon)."""
    args = (input,) if weight is None else (input, weight)
    static = (_norm_shape(normalized_shape), None if eps is None else float(eps),
              weight is not None)
    return dispatch(_RMS_NORM, args, static)


# --------------------------------------------------------------------------------------------
# local response norm, normalize


def _lrn_prepare(sigs, static):
    xs, xd = sigs[0]
    if not xd.is_floating_point:
        raise _not_implemented("avg_pool2d", xd)
    return static + (P.opmath(xd).np, xd.np)


def _lrn_impl(x, size, alpha, beta, k, ct, rt):
    xc = _cast(x, ct)
    sq = jnp.square(xc)
    # sum over a channel window [c - size//2, c + (size-1)//2], zero padded, divided by size
    pad = [(0, 0)] * x.ndim
    pad[1] = (size // 2, (size - 1) // 2)
    sq = jnp.pad(sq, pad)
    c = x.shape[1]
    s = sq[:, 0:c]
    for i in range(1, size):
        s = s + sq[:, i:i + c]
    div = jnp.power(s / size * alpha + k, beta)
    return _cast(xc / div, rt)


_LRN = engine.Op("local_response_norm", _lrn_impl, prepare=_lrn_prepare, grad="DivBackward0")


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalize each element by the sum of squares over ``size`` neighbouring channels."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if input.numel() == 0:
        return input
    return dispatch(_LRN, (input,), (int(size), float(alpha), float(beta), float(k)))


def _cross_map_scale(sq, size):
    # the legacy running window of torch.nn._functions.CrossMapLRN2d, off-by-one included
    c = sq.shape[1]
    pre_pad = int((size - 1) / 2 + 1)
    cur = sum(sq[:, i] for i in range(min(pre_pad, c)))
    scales = [cur]
    for ch in range(1, c):
        if ch < c - pre_pad + 1:
            cur = cur + sq[:, ch + pre_pad - 1]
        if ch > pre_pad:
            cur = cur - sq[:, ch - pre_pad]
        scales.append(cur)
    return jnp.stack(scales, axis=1)


def _cross_map_fwd(x, size, alpha, beta, k):
    scale = _cross_map_scale(jnp.square(x), size) * (alpha / size) + k
    out = x * jnp.power(scale, -beta)
    return out, (x, out, scale)


def _cross_map_bwd(size, alpha, beta, k, res, g):
    x, out, scale = res
    c = x.shape[1]
    ratio = g * out / scale
    ipp = int(size - (size - 1) / 2)
    padded = jnp.pad(ratio, [(0, 0), (ipp, size - 1 - ipp)] + [(0, 0)] * (x.ndim - 2))
    accum = sum(padded[:, i:i + c] for i in range(size))
    gx = jnp.power(scale, -beta) * g - (2 * alpha * beta / size) * x * accum
    return (gx,)


def _cross_map_fwd_rule(x, size, alpha, beta, k):
    out, res = _cross_map_fwd(x, size, alpha, beta, k)
    return out, res


_cross_map_lrn = jax.custom_vjp(lambda x, size, alpha, beta, k: _cross_map_fwd(
    x, size, alpha, beta, k)[0], nondiff_argnums=(1, 2, 3, 4))
_cross_map_lrn.defvjp(_cross_map_fwd_rule, _cross_map_bwd)


def _cross_map_impl(x, size, alpha, beta, k, ct, rt):
    return _cast(_cross_map_lrn(_cast(x, ct), size, alpha, beta, k), rt)


# the legacy CrossMapLRN2d layer: its own window and backward formula (PyTorch's Function)
_CROSS_MAP_LRN = engine.Op("cross_map_lrn2d", _cross_map_impl, prepare=_lrn_prepare,
                           grad="CrossMapLRN2dBackward")


def cross_map_lrn2d(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """CrossMapLRN2d's forward: local response normalization of 4-D input."""
    if input.dim() != 4:
        raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
    return dispatch(_CROSS_MAP_LRN, (input,), (int(size), float(alpha), float(beta), float(k)))


def vector_norm_body(x, p, axis, keepdims=True):
    """PyTorch's vector norm with its subgradient conventions (0 at a zero vector)."""
    if p == 2:
        s = jnp.sum(jnp.square(x), axis=axis, keepdims=keepdims)
        zero = s == 0
        return jnp.where(zero, jnp.zeros_like(s), jnp.sqrt(jnp.where(zero, jnp.ones_like(s), s)))
    a = x * jnp.sign(x)  # |x| whose derivative at 0 is 0, as PyTorch's norm backward
    if p == math.inf:
        return jnp.max(a, axis=axis, keepdims=keepdims)
    if p == -math.inf:
        return jnp.min(a, axis=axis, keepdims=keepdims)
    if p == 0:
        return jnp.sum((a != 0).astype(x.dtype), axis=axis, keepdims=keepdims)
    if p == 1:
        return jnp.sum(a, axis=axis, keepdims=keepdims)
    s = jnp.sum(jnp.power(a, p), axis=axis, keepdims=keepdims)
    zero = s == 0
    return jnp.where(zero, jnp.zeros_like(s), jnp.power(jnp.where(zero, jnp.ones_like(s), s),
                                                        1.0 / p))


def _normalize_prepare(sigs, static):
    xs, xd = sigs[0]
    p, dim, eps = static
    if not (xd.is_floating_point or xd.is_complex):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {D._short(xd)}")
    dim = wrap_dim(dim, len(xs))
    return (p, dim, eps, P.opmath(xd).np, xd.np)


def _normalize_impl(x, p, dim, eps, ct, rt):
    xc = _cast(x, ct)
    if x.ndim == 0:
        n = jnp.abs(xc)
    else:
        n = vector_norm_body(xc, p, dim)
    # clamp_min: the gradient passes where the norm is >= eps, as PyTorch's clamp
    return _cast(xc / jnp.where(n < eps, jnp.asarray(eps, n.dtype), n), rt)


_NORMALIZE = engine.Op("normalize", _normalize_impl, prepare=_normalize_prepare,
                       grad="DivBackward0")


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``."""
    result = dispatch(_NORMALIZE, (input,), (float(p), dim, float(eps)))
    if out is not None:
        from ._inplace import write_out
        return write_out(out, result, "normalize")
    return result


# torch-level entry points (PyTorch's ATen signatures)


@register("layer_norm", method=False)
def _torch_layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05,
                      cudnn_enable=True):
    return layer_norm(input, normalized_shape, weight, bias, eps)


@register("group_norm", method=False)
def _torch_group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return group_norm(input, num_groups, weight, bias, eps)


@register("batch_norm", method=False)
def _torch_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
                      cudnn_enabled=True):
    return batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


@register("instance_norm", method=False)
def _torch_instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                         momentum, eps, cudnn_enabled=True):
    return instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                         momentum, eps)


@register("rms_norm", method=False)
def _torch_rms_norm(input, normalized_shape, weight=None, eps=None):
    return rms_norm(input, normalized_shape, weight, eps)
