"""nn.functional losses: regression and classification losses as fused ops.

Each loss is one op (``cross_entropy`` does log_softmax + nll in one body) so that a training
step stays a small program.  PyTorch composes several of them from smaller ATen ops, so the
``grad_fn`` name of the result depends on the arguments (``l1_loss`` ends in ``MeanBackward0``,
``AbsBackward0`` or ``SumBackward0``); ``ExpandedOps`` gives each variant PyTorch's name.

Gradients follow PyTorch's conventions where JAX's differ: ``|x|`` has gradient 0 at 0,
``clamp_min(x, 0)`` passes the gradient at 0, the hinge terms of the margin losses do not.
The margin losses (margin ranking, hinge embedding, cosine embedding, triplet, multi-margin,
multilabel margin, soft margin) live in ``loss_margin.py``.
"""
from __future__ import annotations

import math
import warnings

import jax
import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .._dispatch import dispatch
from .._promotion import opmath, result_type_sigs
from .._tensor import Tensor
from ._nnutil import (MEAN, NONE, SUM, ExpandedOps, concrete_numpy, fmt_shape, get_enum,
                      legacy_get_string, reduction_arg, torch_size)
from ._registry import register
from ._util import broadcast_shapes

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "poisson_nll_loss", "gaussian_nll_loss"]


# --------------------------------------------------------------------------------------------
# helpers used inside op bodies


def cast(x, dt):
    return lax.convert_element_type(x, dt)


def reduce(loss, red):
    """Apply reduction ``red`` (0 none, 1 mean, 2 sum) to an elementwise loss."""
    if red == MEAN:
        return jnp.mean(loss)
    if red == SUM:
        return jnp.sum(loss)
    return loss


@jax.custom_jvp
def pt_abs(x):
    """|x| whose derivative at 0 is 0, as PyTorch's ``abs`` backward (``sign(x)``)."""
    return jnp.abs(x)


@pt_abs.defjvp
def _pt_abs_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return jnp.abs(x), jnp.sign(x) * t


def clamp_min0(x):
    """max(x, 0) with PyTorch's clamp_min gradient: it passes where x >= 0."""
    return jnp.where(x >= 0, x, jnp.zeros_like(x))


def log_sigmoid(x):
    """PyTorch's log_sigmoid: ``min(x, 0) - log1p(exp(-|x|))``."""
    return jnp.minimum(x, 0) - jnp.log1p(jnp.exp(-jnp.abs(x)))


# --------------------------------------------------------------------------------------------
# shared argument handling


def _size_warning(input, target):
    if target._shape != input._shape:
        warnings.warn(f"Using a target size ({torch_size(target._shape)}) that is different to the "
                      f"input size ({torch_size(input._shape)}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.",
                      stacklevel=3)


def _not_implemented(kernel, dt):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{D._short(dt)}'")


def _cant_cast(rt, out):
    return RuntimeError(f"result type {D._short(rt)} can't be cast to the desired output type "
                        f"{D._short(out)}")


def _float_result(kernel):
    """Result dtype rule of the C++ regression losses: the promoted dtype, which must float."""

    def rule(sigs):
        rt = result_type_sigs(sigs[:2])
        if not rt.is_floating_point:
            raise _not_implemented(kernel, rt)
        return rt

    return rule


def _input_result(kernel):
    """Result dtype rule of losses whose output has the input's dtype (huber, soft margin)."""

    def rule(sigs):
        dt = sigs[0][1]
        rt = result_type_sigs(sigs[:2])
        if not dt.is_floating_point:
            if rt.is_floating_point or kernel is None:
                raise _cant_cast(D.float32 if not rt.is_floating_point else rt, dt)
            raise _not_implemented(kernel, dt)
        return dt

    return rule


def pointwise_loss(name, fn, grads, dtype_rule):
    """An elementwise loss ``fn(input, target, *params)`` followed by the reduction.

    ``grads`` maps the reduction enum to PyTorch's grad_fn name (a str: the same for all).
    """

    def prepare(sigs, static):
        red = static[0]
        broadcast_shapes(sigs[0][0], sigs[1][0])
        rt = dtype_rule(sigs)
        return (red, opmath(rt).np, rt.np) + static[1:]

    def impl(a, b, red, ct, rt, *params):
        return cast(reduce(fn(cast(a, ct), cast(b, ct), *params), red), rt)

    ops = ExpandedOps(name, impl, prepare)
    if isinstance(grads, str):
        grads = (grads, grads, grads)
    return tuple(ops[g] for g in grads)


# --------------------------------------------------------------------------------------------
# regression losses

_MSE = pointwise_loss("mse_loss", lambda a, b: (a - b) * (a - b), "MseLossBackward0",
                      _float_result("mse_cpu"))


def _l1_rule(sigs):
    rt = result_type_sigs(sigs[:2])
    if rt is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if not rt.is_floating_point:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {D._short(rt)}")
    return rt


_L1 = pointwise_loss("l1_loss", lambda a, b: pt_abs(a - b),
                     ("AbsBackward0", "MeanBackward0", "SumBackward0"), _l1_rule)


def _smooth_l1(a, b, beta):
    d = a - b
    ad = jnp.abs(d)
    return jnp.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)


_SMOOTH_L1 = pointwise_loss("smooth_l1_loss", _smooth_l1, "SmoothL1LossBackward0",
                            _float_result("smooth_l1_cpu"))


def _huber(a, b, delta):
    d = a - b
    ad = jnp.abs(d)
    return jnp.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))


def _huber_rule(sigs):
    dt = sigs[0][1]
    if not dt.is_floating_point:
        rt = result_type_sigs(sigs[:2])
        if rt.is_floating_point:
            raise _cant_cast(rt, dt)
        raise _not_implemented("huber_cpu", dt)
    return dt


_HUBER = pointwise_loss("huber_loss", _huber, "HuberLossBackward0", _huber_rule)


def _regression(ops, input, target, size_average, reduce, reduction, weight, extra=(),
                ratio_mean=True):
    _size_warning(input, target)
    red = reduction_arg(size_average, reduce, reduction)
    if weight is None:
        return dispatch(ops[red], (input, target), (red,) + extra)
    if weight._shape != input._shape:
        raise ValueError("Weights and input must have the same size.")
    loss = dispatch(ops[NONE], (input, target), (NONE,) + extra) * weight
    if red == NONE:
        return loss
    if red == SUM:
        return loss.sum()
    return loss.sum() / weight.sum() if ratio_mean else loss.mean()


@register(function=False, method=False)
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error between ``input`` and ``target`` (``weight=`` scales each term)."""
    return _regression(_MSE, input, target, size_average, reduce, reduction, weight)


@register(function=False, method=False)
def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error between ``input`` and ``target``."""
    return _regression(_L1, input, target, size_average, reduce, reduction, weight)


@register(function=False, method=False)
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Huber-like loss: quadratic below ``beta``, linear above (``beta=0`` is l1_loss)."""
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return _regression(_L1, input, target, size_average, reduce, reduction, None)
    return _regression(_SMOOTH_L1, input, target, size_average, reduce, reduction, None,
                       (float(beta),))


@register(function=False, method=False)
def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Huber loss: quadratic below ``delta``, ``delta``-scaled linear above."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _regression(_HUBER, input, target, None, None, reduction, weight, (float(delta),),
                       ratio_mean=False)


# --------------------------------------------------------------------------------------------
# negative log likelihood and cross entropy


def _nll_terms(logp, target, weight, ignore_index, cdim):
    """Per-sample ``-w[t] * logp[t]`` and ``w[t]`` (0 where ignored; NaN where out of range)."""
    n_classes = logp.shape[cdim]
    t = target.astype(jnp.int64)
    valid = t != ignore_index
    oob = valid & ((t < 0) | (t >= n_classes))
    safe = jnp.where(valid & ~oob, t, 0)
    picked = jnp.take_along_axis(logp, jnp.expand_dims(safe, cdim), axis=cdim)
    picked = jnp.squeeze(picked, cdim)
    w = weight[safe] if weight is not None else jnp.ones_like(picked)
    w = jnp.where(valid, w, jnp.zeros_like(w))
    loss = jnp.where(valid, -picked * w, jnp.zeros_like(picked))
    # an out-of-range class index is an error in PyTorch; here it poisons the loss
    loss = jnp.where(oob, jnp.nan, loss)
    return loss, w


def cascade_sum(v):
    """Sum a 1-d array in the order of PyTorch's CPU nll_loss kernel (a cascade of partial
    sums, 16 terms per level), so that the loss agrees with PyTorch to the last bit.

    The kernel adds term ``b`` to level 0 and, whenever ``b % 16**j == 0``, flushes level j
    into level j + 1; the result is the sum of the levels' leftovers, level 0 first.  Each
    level is a group-of-16 running sum (16 vector adds), not a loop over elements.
    """
    n = v.shape[0]
    leftovers = []
    level = v
    while n > 0:
        k = (n - 1) // 16  # full groups after the first single-element group
        full = level[1:1 + 16 * k]
        groups = jnp.reshape(full, (k, 16)) if k else jnp.zeros((0, 16), v.dtype)
        acc = jnp.zeros((k,), v.dtype)
        for c in range(16):
            acc = acc + groups[:, c]
        flushed = jnp.concatenate([level[:1], acc]) if n else level[:0]
        rest = level[1 + 16 * k:]
        part = jnp.zeros((), v.dtype)
        for i in range(rest.shape[0]):
            part = part + rest[i]
        leftovers.append(part)
        level = flushed
        n = level.shape[0]
        if n == 1:
            leftovers.append(level[0])
            break
    out = jnp.zeros((), v.dtype)
    for part in leftovers:
        out = out + part
    return out


def _nll_reduce(loss, w, red, ordered=False):
    if red == NONE:
        return loss
    if ordered and loss.ndim == 1:
        total = cascade_sum(loss)
        return total / cascade_sum(w) if red == MEAN else total
    if red == MEAN:
        return jnp.sum(loss) / jnp.sum(w)
    return jnp.sum(loss)


def _class_impl(*a):
    """cross_entropy / nll_loss with class indices (log_softmax first when ``logits``)."""
    *arrays, red, has_w, ignore_index, ls, logits, unbatched, ct, rt = a
    x, t = arrays[0], arrays[1]
    w = cast(arrays[2], ct) if has_w else None
    x = cast(x, ct)
    if unbatched:
        x = x[None]
        t = jnp.reshape(t, (1,))
    cdim = 1
    logp = jax.nn.log_softmax(x, axis=cdim) if logits else x
    loss, wt = _nll_terms(logp, t, w, ignore_index, cdim)
    out = _nll_reduce(loss, wt, red, ordered=x.ndim == 2)
    if ls > 0:
        n_classes = x.shape[cdim]
        if w is not None:
            wshape = [1] * x.ndim
            wshape[cdim] = n_classes
            smooth = -jnp.sum(logp * jnp.reshape(w, wshape), axis=cdim)
        else:
            smooth = -jnp.sum(logp, axis=cdim)
        valid = t != ignore_index
        smooth = jnp.where(valid, smooth, jnp.zeros_like(smooth))
        if red == MEAN:
            smooth = jnp.sum(smooth) / (jnp.sum(wt) if w is not None else jnp.sum(valid))
        elif red == SUM:
            smooth = jnp.sum(smooth)
        out = (1 - ls) * out + smooth * (ls / n_classes)
    if unbatched and red == NONE:
        out = jnp.reshape(out, ())
    return cast(out, rt)


def _prob_impl(*a):
    """cross_entropy with class probabilities (soft targets), as PyTorch's prob-target path."""
    *arrays, red, has_w, ls, cdim, ct, rt = a
    x, t = cast(arrays[0], ct), cast(arrays[1], ct)
    logp = jax.nn.log_softmax(x, axis=cdim)
    n_classes = x.shape[cdim]
    if ls > 0:
        t = t * (1 - ls) + ls / n_classes
    terms = logp * t
    if has_w:
        wshape = [1] * x.ndim
        wshape[cdim] = n_classes
        terms = terms * jnp.reshape(cast(arrays[2], ct), wshape)
    if red == MEAN:
        out = -jnp.sum(terms) / (x.size // n_classes) if x.size else jnp.sum(terms) * jnp.nan
    elif red == SUM:
        out = -jnp.sum(terms)
    else:
        out = -jnp.sum(terms, axis=cdim)
    return cast(out, rt)


def _class_prepare(sigs, static):
    red, has_w, ignore_index, ls, logits, unbatched = static
    rt = sigs[0][1]
    if has_w and sigs[2][1] is not rt:
        raise RuntimeError(f"expected scalar type {D._short(rt)} but found "
                           f"{D._short(sigs[2][1])}")
    return static + (opmath(rt).np, rt.np)


def _prob_prepare(sigs, static):
    rt = result_type_sigs(sigs[:2])
    return static + (opmath(rt).np, rt.np)


_CLASS = ExpandedOps("nll_loss", _class_impl, _class_prepare, nondiff=(1, 2))
_PROB = ExpandedOps("cross_entropy", _prob_impl, _prob_prepare, nondiff=(2,))


def _check_target_dtype(target):
    if target._dtype not in (D.int64, D.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{D._short(target._dtype)}")


def _check_weight(weight, n_classes, prefix=""):
    if weight is not None and (weight.ndim != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {n_classes} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"{fmt_shape(weight._shape)}")


def _check_classes(target, n_classes, ignore_index):
    """PyTorch's ``Target 5 is out of bounds.`` when the targets are already computed."""
    t = concrete_numpy(target)
    if t is None or t.size == 0:
        return
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds.")


def _nll_nd(input, target, weight, red, ignore_index, ls, logits):
    """PyTorch's nll_loss_nd: shape checks, then one op (with log_softmax when ``logits``)."""
    nd = input.ndim
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd != 1 and (target.ndim == 0 or input._shape[0] != target._shape[0]):
        tb = target._shape[0] if target.ndim else 0
        raise ValueError(f"Expected input batch_size ({input._shape[0]}) to match target "
                         f"batch_size ({tb}).")
    if nd == 1 and target.ndim == 1 and target._shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                         f"{target._shape[0]}")
    n_classes = input._shape[0 if nd == 1 else 1]
    if nd <= 2:
        if target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        _check_weight(weight, n_classes)
        grad = "NllLossBackward0"
    else:
        expected = (input._shape[0],) + input._shape[2:]
        if nd == 4:
            if target.ndim != 3:
                raise RuntimeError("only batches of spatial targets supported (3D tensors) but "
                                   f"got targets of dimension: {target.ndim}")
            if target._shape != expected:
                raise RuntimeError(f"size mismatch (got input: {fmt_shape(input._shape)} , "
                                   f"target: {fmt_shape(target._shape)}")
        elif target._shape[1:] != input._shape[2:]:
            raise RuntimeError(f"Expected target size {fmt_shape(expected)}, got "
                               f"{fmt_shape(target._shape)}")
        if weight is not None and weight.numel() != n_classes:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        grad = "NllLoss2DBackward0" if nd == 4 or red != NONE else "ViewBackward0"
    _check_target_dtype(target)
    if ls > 0:
        grad = "AddBackward0"
    _check_classes(target, n_classes, ignore_index)
    unbatched = nd == 1
    inputs = (input, target) if weight is None else (input, target, weight)
    return dispatch(_CLASS[grad], inputs,
                    (red, weight is not None, int(ignore_index), float(ls), logits, unbatched))


def _check_float_input(input, kernel):
    if not input._dtype.is_floating_point:
        raise _not_implemented(kernel, input._dtype)


@register(function=False, method=False)
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross entropy between logits ``input`` and class indices or class probabilities.

    One op computes log_softmax and the negative log likelihood (with ``weight``,
    ``ignore_index`` and ``label_smoothing``), over dim 1 (dim 0 for unbatched input).
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    red = get_enum(reduction)
    if input._shape == target._shape:
        if not target._dtype.is_floating_point:
            raise RuntimeError(f"Expected floating point type for target with class "
                               f"probabilities, got {D._short(target._dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        cdim = 0 if input.ndim == 1 else 1
        n_classes = input._shape[cdim] if input.ndim else 1
        if input.ndim == 0:
            raise ValueError("Expected 1 or more dimensions (got 0)")
        _check_weight(weight, n_classes, "cross_entropy: ")
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{_fmt_float(label_smoothing)}")
        _check_float_input(input, "log_softmax_lastdim_kernel_impl"
                           if cdim == input.ndim - 1 else "log_softmax_kernel_impl")
        grad = "DivBackward1" if red == MEAN else "NegBackward0"
        inputs = (input, target) if weight is None else (input, target, weight)
        return dispatch(_PROB[grad], inputs,
                        (red, weight is not None, float(max(label_smoothing, 0.0)), cdim))
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{_fmt_float(label_smoothing)}")
    if input.ndim >= 1:
        cdim = 0 if input.ndim == 1 else 1
        _check_float_input(input, "log_softmax_lastdim_kernel_impl"
                           if cdim == input.ndim - 1 else "log_softmax_kernel_impl")
    return _nll_nd(input, target, weight, red, ignore_index, max(label_smoothing, 0.0), True)


def _fmt_float(v):
    """A float as C++ ``operator<<`` prints it (``1.5``, ``2``)."""
    return f"{v:g}"


@register(function=False, method=False)
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log likelihood of log-probabilities ``input`` at class indices ``target``."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    red = get_enum(reduction)
    if input.ndim >= 1 and not input._dtype.is_floating_point:
        raise _not_implemented("nll_loss_out_frame" if input.ndim <= 2 else "nll_loss2d_forward_out_frame",
                               input._dtype)
    return _nll_nd(input, target, weight, red, ignore_index, 0.0, False)


# --------------------------------------------------------------------------------------------
# binary cross entropy


@jax.custom_vjp
def _bce(x, t, w):
    """PyTorch's binary_cross_entropy: logs clamped at -100; its own backward formula."""
    log_x = jnp.maximum(jnp.log(x), -100.0)
    log_1mx = jnp.maximum(jnp.log1p(-x), -100.0)
    return -w * (t * log_x + (1 - t) * log_1mx)


def _bce_fwd(x, t, w):
    return _bce(x, t, w), (x, t, w)


def _bce_bwd(res, g):
    x, t, w = res
    eps = 1e-12
    gx = g * w * (x - t) / jnp.maximum((1 - x) * x, eps)
    # d/dt: -w * logit(x), unclamped as in PyTorch
    gt = g * w * (jnp.log1p(-x) - jnp.log(x))
    gw = -g * (t * jnp.maximum(jnp.log(x), -100.0) + (1 - t) * jnp.maximum(jnp.log1p(-x), -100.0))
    return gx, gt, gw


_bce.defvjp(_bce_fwd, _bce_bwd)


def _bce_impl(*a):
    *arrays, red, has_w, ct, rt = a
    x, t = cast(arrays[0], ct), cast(arrays[1], ct)
    w = cast(arrays[2], ct) if has_w else jnp.ones((), ct)
    w = jnp.broadcast_to(w, x.shape)
    x = jnp.where((x < 0) | (x > 1), jnp.nan, x)  # PyTorch raises; the loss is poisoned here
    return cast(reduce(_bce(x, t, w), red), rt)


def _bce_prepare(sigs, static):
    red, has_w = static
    dx, dt = sigs[0][1], sigs[1][1]
    if dx is not dt:
        raise RuntimeError(f"Found dtype {D._short(dt)} but expected {D._short(dx)}")
    if not dx.is_floating_point:
        raise _not_implemented("binary_cross_entropy", dx)
    return static + (opmath(dx).np, dx.np)


_BCE = ExpandedOps("binary_cross_entropy", _bce_impl, _bce_prepare)["BinaryCrossEntropyBackward0"]


@register(function=False, method=False)
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Binary cross entropy between probabilities ``input`` and ``target`` (log clamped at
    -100, as PyTorch)."""
    red = reduction_arg(size_average, reduce, reduction)
    if target._shape != input._shape:
        raise ValueError(f"Using a target size ({torch_size(target._shape)}) that is different to "
                         f"the input size ({torch_size(input._shape)}) is deprecated. Please ensure "
                         "they have the same size.")
    x = concrete_numpy(input)
    if x is not None and x.size and input._dtype.is_floating_point and \
            ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    if weight is not None:
        weight = weight.expand(broadcast_shapes(target._shape, weight._shape))
        return dispatch(_BCE, (input, target, weight), (red, True))
    return dispatch(_BCE, (input, target), (red, False))


def _bcel_impl(*a):
    *arrays, red, has_w, has_pw, ct, rt = a
    x, t = cast(arrays[0], ct), cast(arrays[1], ct)
    i = 2
    w = pw = None
    if has_w:
        w = cast(arrays[i], ct)
        i += 1
    if has_pw:
        pw = cast(arrays[i], ct)
    # PyTorch: (1 - t) * x - (log_weight * log_sigmoid(x)), log_weight = (pw - 1) * t + 1
    if pw is not None:
        lw = (pw - 1) * t + 1
        loss = (1 - t) * x - lw * log_sigmoid(x)
    else:
        loss = (1 - t) * x - log_sigmoid(x)
    if w is not None:
        loss = loss * w
    return cast(reduce(loss, red), rt)


def _bcel_prepare(sigs, static):
    dx = sigs[0][1]
    if not dx.is_floating_point:
        raise _not_implemented("log_sigmoid_cpu", dx)
    rt = result_type_sigs(sigs)
    if not sigs[1][1].is_floating_point and not any(
            type(s) is tuple and s[1].is_floating_point for s in sigs[2:]):
        raise _cant_cast(dx, sigs[1][1])
    shape = sigs[0][0]
    for s in sigs[1:]:
        shape = broadcast_shapes(shape, s[0])
    if shape != sigs[0][0]:
        broadcast_shapes(sigs[0][0], shape)
    return static + (opmath(rt).np, rt.np)


_BCEL = ExpandedOps("binary_cross_entropy_with_logits", _bcel_impl,
                    _bcel_prepare)["BinaryCrossEntropyWithLogitsBackward0"]


@register(function=False, method=False)
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + binary cross entropy in one numerically stable op (``pos_weight`` weighs the
    positive term)."""
    red = reduction_arg(size_average, reduce, reduction)
    if target._shape != input._shape:
        raise ValueError(f"Target size ({torch_size(target._shape)}) must be the same as input "
                         f"size ({torch_size(input._shape)})")
    inputs = [input, target]
    if weight is not None:
        inputs.append(weight)
    if pos_weight is not None:
        inputs.append(pos_weight)
    return dispatch(_BCEL, tuple(inputs), (red, weight is not None, pos_weight is not None))


# --------------------------------------------------------------------------------------------
# KL divergence, Poisson and Gaussian NLL


@jax.custom_jvp
def _xlogy(x, y):
    """x * log(y), 0 where x == 0; PyTorch's derivatives (``x / y`` for y, NaN at 0/0)."""
    return jnp.where(x == 0, jnp.zeros_like(x), x * jnp.log(jnp.where(x == 0, 1, y)))


@_xlogy.defjvp
def _xlogy_jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    dx = jnp.where(x == 0, jnp.zeros_like(x), jnp.log(jnp.where(x == 0, 1, y)))
    return _xlogy(x, y), dx * tx + (x / y) * ty


def _kl_impl(x, t, red, log_target, batch, ct, rt):
    x, t = cast(x, ct), cast(t, ct)
    if log_target:
        loss = jnp.exp(t) * (t - x)
    else:
        loss = _xlogy(t, t) - t * x
    out = reduce(loss, red)
    if batch:
        out = out / batch
    return cast(out, rt)


def _kl_prepare(sigs, static):
    d0, d1 = sigs[0][1], sigs[1][1]
    if not (d0.is_floating_point or d0.is_complex) or not (d1.is_floating_point or d1.is_complex):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    broadcast_shapes(sigs[0][0], sigs[1][0])
    rt = result_type_sigs(sigs)
    return static + (opmath(rt).np, rt.np)


_KL = ExpandedOps("kl_div", _kl_impl, _kl_prepare)


@register(function=False, method=False)
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence of ``target`` from log-probabilities ``input``
    (``'batchmean'`` divides the sum by the batch size)."""
    batch = 0
    if size_average is not None or reduce is not None:
        red = get_enum(legacy_get_string(size_average, reduce))
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                          "support size.'batchmean' divides only by the batch size, and aligns with "
                          "the KL div math definition.'mean' will be changed to behave the same as "
                          "'batchmean' in the next major release.", stacklevel=2)
        if reduction == "batchmean":
            red = SUM
            if input.ndim != 0:
                batch = input._shape[0]
        else:
            red = get_enum(reduction)
    if batch:
        grad = "DivBackward0"
    else:
        grad = ("MulBackward0" if log_target else "SubBackward0", "MeanBackward0",
                "SumBackward0")[red]
    return dispatch(_KL[grad], (input, target), (red, bool(log_target), batch))


def _poisson_impl(x, t, red, log_input, full, eps, ct, rt):
    x, t = cast(x, ct), cast(t, ct)
    if log_input:
        loss = jnp.exp(x) - t * x
    else:
        loss = x - t * jnp.log(x + eps)
    if full:
        safe = jnp.where(t <= 1, 1, t)
        stirling = safe * jnp.log(safe) - safe + 0.5 * jnp.log(2 * math.pi * safe)
        loss = loss + jnp.where(t <= 1, jnp.zeros_like(stirling), stirling)
    return cast(reduce(loss, red), rt)


def _poisson_prepare(sigs, static):
    rt = result_type_sigs(sigs)
    if rt is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    if not rt.is_floating_point:
        rt = D.get_default_dtype()
    broadcast_shapes(sigs[0][0], sigs[1][0])
    return static + (opmath(rt).np, rt.np)


_POISSON = ExpandedOps("poisson_nll_loss", _poisson_impl, _poisson_prepare)


@register(function=False, method=False)
def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Negative log likelihood of a Poisson distribution with mean ``input`` (or its log)."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    red = get_enum(reduction)
    grad = ("AddBackward0" if full else "SubBackward0", "MeanBackward0", "SumBackward0")[red]
    return dispatch(_POISSON[grad], (input, target), (red, bool(log_input), bool(full),
                                                      float(eps)))


def _gaussian_impl(x, t, v, red, full, eps, ct, rt):
    x, t, v = cast(x, ct), cast(t, ct), cast(v, ct)
    # PyTorch clamps a clone of var in place under no_grad: the gradient flows as if unclamped
    v = v + lax.stop_gradient(jnp.maximum(v, eps) - v)
    loss = 0.5 * (jnp.log(v) + (x - t) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return cast(reduce(loss, red), rt)


def _gaussian_prepare(sigs, static):
    shape = broadcast_shapes(broadcast_shapes(sigs[0][0], sigs[1][0]), sigs[2][0])  # noqa: F841
    rt = result_type_sigs(sigs)
    if not rt.is_floating_point:
        rt = D.get_default_dtype()
    return static + (opmath(rt).np, rt.np)


_GAUSSIAN = ExpandedOps("gaussian_nll_loss", _gaussian_impl, _gaussian_prepare)


@register(function=False, method=False)
def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log likelihood of a Gaussian with mean ``input`` and variance ``var``.

    ``var`` may hold one variance per element, one per sample (one dim fewer, or last dim 1), or
    be a float.  Negative variances raise ValueError (a sync point, as in PyTorch).
    """
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        from .creation import ones_like
        var = ones_like(input) * var
    else:
        v = concrete_numpy(var)
        if v is None:
            v = var._numpy_view()
        if (v < 0).any():
            raise ValueError("var has negative entry/entries")
    if var._shape != input._shape:
        if input._shape[:-1] == var._shape:
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(
                y for x, y in zip(input._shape, var._shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    red = get_enum(reduction)
    grad = ("AddBackward0" if full else "MulBackward0", "MeanBackward0", "SumBackward0")[red]
    return dispatch(_GAUSSIAN[grad], (input, target, var), (red, bool(full), float(eps)))


# the other loss families, re-exported so that nn.functional finds every loss here
from .loss_margin import *  # noqa: E402,F401,F403
from .loss_margin import __all__ as _margin_all  # noqa: E402
from .loss_ctc import *  # noqa: E402,F401,F403
from .loss_ctc import __all__ as _ctc_all  # noqa: E402

__all__ += _margin_all + _ctc_all
