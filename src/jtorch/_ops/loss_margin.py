"""nn.functional margin and embedding losses: margin ranking, hinge embedding, cosine
embedding, triplet (with p-norm or any distance), multi-class and multi-label margin, soft
margin, multi-label soft margin.

Each is one op; the hinge terms use PyTorch's gradient conventions (``clamp_min`` passes the
gradient at 0, the ``z > 0`` tests of the multi-margin kernels do not).
"""
from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp

from .. import _dtype as D
from .._dispatch import dispatch
from .._promotion import opmath, result_type_sigs
from ..autograd.grad_mode import is_grad_enabled
from ._nnutil import MEAN, NONE, ExpandedOps, concrete_numpy, fmt_shape, get_enum, reduction_arg
from ._registry import register
from ._util import broadcast_shapes
from .loss import _cant_cast, _not_implemented, cast, clamp_min0, log_sigmoid, pointwise_loss, \
    reduce

__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss",
           "triplet_margin_loss", "triplet_margin_with_distance_loss", "multi_margin_loss",
           "multilabel_margin_loss", "soft_margin_loss", "multilabel_soft_margin_loss"]

_GENERIC = ("", "MeanBackward0", "SumBackward0")


def _generic(none_name):
    return (none_name,) + _GENERIC[1:]


def _float_promoted(sigs, static=()):
    rt = result_type_sigs(tuple(sigs) + (float,))
    return rt


# --------------------------------------------------------------------------------------------
# p-norm with PyTorch's derivative conventions (0 where the norm is 0)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def pnorm(x, p, axis):
    """``||x||_p`` along ``axis`` with PyTorch's ``norm`` backward."""
    ax = jnp.abs(x)
    if p == math.inf:
        return jnp.max(ax, axis)
    if p == -math.inf:
        return jnp.min(ax, axis)
    if p == 0:
        return jnp.sum(x != 0, axis).astype(x.dtype)
    if p == 1:
        return jnp.sum(ax, axis)
    if p == 2:
        return jnp.sqrt(jnp.sum(x * x, axis))
    return jnp.sum(ax ** p, axis) ** (1.0 / p)


@pnorm.defjvp
def _pnorm_jvp(p, axis, primals, tangents):
    (x,), (t,) = primals, tangents
    n = pnorm(x, p, axis)
    ne = jnp.expand_dims(n, axis)
    zero = jnp.zeros_like(x)
    if p == 0:
        g = zero
    elif p == 1:
        g = jnp.sign(x)
    elif p == 2:
        g = jnp.where(ne == 0, zero, x / jnp.where(ne == 0, 1, ne))
    elif p in (math.inf, -math.inf):
        mask = jnp.abs(x) == ne
        g = jnp.sign(x) * mask / jnp.sum(mask, axis, keepdims=True)
    else:
        safe = jnp.where(ne == 0, 1, ne)
        g = jnp.where(ne == 0, zero, x * jnp.abs(x) ** (p - 2) / safe ** (p - 1))
    return n, jnp.sum(g * t, axis)


def _pairwise(x1, x2, p, eps):
    """PyTorch's pairwise_distance: ``norm(x1 - x2 + eps, p, dim=-1)``."""
    d = x1 - x2 + eps
    if d.ndim == 0:
        return pnorm(d[None], p, 0)
    return pnorm(d, p, d.ndim - 1)


def _pairwise_impl(a, b, p, eps, ct, rt):
    return cast(_pairwise(cast(a, ct), cast(b, ct), p, eps), rt)


def _pairwise_prepare(sigs, static):
    broadcast_shapes(sigs[0][0], sigs[1][0])
    rt = result_type_sigs(sigs)
    return static + (opmath(rt).np, rt.np)


_PAIRWISE = ExpandedOps("pairwise_distance", _pairwise_impl, _pairwise_prepare)["NormBackward1"]


@register("_pairwise_distance_p", function=False, method=False)
def pairwise_distance_p(x1, x2, p=2.0, eps=1e-6):
    """``torch.pairwise_distance`` as one op (the default distance of the triplet losses)."""
    return dispatch(_PAIRWISE, (x1, x2), (float(p), float(eps)))


# --------------------------------------------------------------------------------------------
# margin ranking, hinge embedding, soft margin


def _ranking_impl(x1, x2, t, red, margin, ct, rt):
    x1, x2, t = cast(x1, ct), cast(x2, ct), cast(t, ct)
    return cast(reduce(clamp_min0(-t * (x1 - x2) + margin), red), rt)


def _ranking_prepare(sigs, static):
    s = broadcast_shapes(sigs[0][0], sigs[1][0])
    broadcast_shapes(s, sigs[2][0])
    rt = result_type_sigs(sigs[:2])
    if rt is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    rt = _float_promoted(sigs)
    return static + (opmath(rt).np, rt.np)


_RANKING = ExpandedOps("margin_ranking_loss", _ranking_impl, _ranking_prepare)


@register(function=False, method=False)
def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """``max(0, -target * (input1 - input2) + margin)``: a ranking loss for pairs."""
    red = reduction_arg(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.size()}, input2: {input2.size()}, "
                           f"target: {target.size()} ")
    return dispatch(_RANKING[_generic("ClampMinBackward0")[red]], (input1, input2, target),
                    (red, float(margin)))


def _hinge_impl(x, t, red, margin, ct, rt):
    x, t = cast(x, ct), cast(t, ct)
    zeros = jnp.zeros_like(x)
    margin_clamp = clamp_min0(margin - x)
    out = jnp.where(t != 1, margin_clamp, zeros) + jnp.where(t != -1, x, zeros)
    return cast(reduce(out, red), rt)


def _hinge_prepare(sigs, static):
    red = static[0]
    broadcast_shapes(sigs[0][0], sigs[1][0])
    rt = result_type_sigs(sigs)
    if rt is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    dt = sigs[0][1]
    if not dt.is_floating_point and red == MEAN:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {D._short(dt)}")
    return static + (opmath(D.float32 if not dt.is_floating_point else dt).np, dt.np)


# PyTorch composes this loss from comparisons on ``target``: no gradient reaches it.
_HINGE = ExpandedOps("hinge_embedding_loss", _hinge_impl, _hinge_prepare, nondiff=(1,))


@register(function=False, method=False)
def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """``x`` where target is 1, ``max(0, margin - x)`` where target is -1."""
    red = reduction_arg(size_average, reduce, reduction)
    return dispatch(_HINGE[_generic("AddBackward0")[red]], (input, target), (red, float(margin)))


def _soft_margin_rule(sigs):
    dt = sigs[0][1]
    if dt is D.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")
    if not dt.is_floating_point:
        raise _cant_cast(D.get_default_dtype(), dt)
    return dt


_SOFT_MARGIN = pointwise_loss("soft_margin_loss", lambda x, t: jnp.log1p(jnp.exp(-t * x)),
                              "SoftMarginLossBackward0", _soft_margin_rule)


@register(function=False, method=False)
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``log(1 + exp(-target * input))``: a two-class logistic loss on labels +-1."""
    red = reduction_arg(size_average, reduce, reduction)
    if target.requires_grad and is_grad_enabled():
        # PyTorch's native kernel has no derivative for ``target``.
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect "
                           "to argument 'target'. This input cannot have requires_grad True.")
    return dispatch(_SOFT_MARGIN[red], (input, target), (red,))


# --------------------------------------------------------------------------------------------
# cosine embedding and triplet


def _cosine_impl(x1, x2, t, red, margin, ct, rt):
    x1, x2 = cast(x1, ct), cast(x2, ct)
    d = t.ndim
    eps = 1e-12
    prod = jnp.sum(x1 * x2, d)
    m1 = jnp.sum(x1 * x1, d) + eps
    m2 = jnp.sum(x2 * x2, d) + eps
    cos = prod / jnp.sqrt(m1 * m2)
    zeros = jnp.zeros_like(cos)
    out = jnp.where(t == 1, 1 - cos, zeros) + jnp.where(t == -1, clamp_min0(cos - margin), zeros)
    return cast(reduce(out, red), rt)


def _cosine_prepare(sigs, static):
    (s1, d1), (s2, d2), (st, _) = sigs
    if len(st) > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if len(st) == 1:
        if len(s1) != 2 or len(s2) != 2:
            raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with "
                               f"sizes {fmt_shape(s1)} and {fmt_shape(s2)}.")
    elif len(s1) != 1 or len(s2) != 1:
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {fmt_shape(s1)} and {fmt_shape(s2)}.")
    s = broadcast_shapes(s1, s2)
    broadcast_shapes(st, s[:len(st)])
    rt = result_type_sigs(sigs[:2])
    if not rt.is_floating_point:
        rt = D.get_default_dtype()
    return static + (opmath(rt).np, rt.np)


_COSINE = ExpandedOps("cosine_embedding_loss", _cosine_impl, _cosine_prepare, nondiff=(2,))


@register(function=False, method=False)
def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """``1 - cos(x1, x2)`` for target 1, ``max(0, cos(x1, x2) - margin)`` for target -1."""
    red = reduction_arg(size_average, reduce, reduction)
    return dispatch(_COSINE[_generic("AddBackward0")[red]], (input1, input2, target),
                    (red, float(margin)))


def _triplet_impl(a, pos, neg, red, margin, p, eps, swap, ct, rt):
    a, pos, neg = cast(a, ct), cast(pos, ct), cast(neg, ct)
    dpos = _pairwise(a, pos, p, eps)
    dneg = _pairwise(a, neg, p, eps)
    if swap:
        dneg = jnp.minimum(dneg, _pairwise(pos, neg, p, eps))
    return cast(reduce(clamp_min0(margin + dpos - dneg), red), rt)


def _triplet_prepare(sigs, static):
    s = broadcast_shapes(sigs[0][0], sigs[1][0])
    broadcast_shapes(s, sigs[2][0])
    rt = result_type_sigs(sigs)
    return static + (opmath(rt).np, rt.np)


_TRIPLET = ExpandedOps("triplet_margin_loss", _triplet_impl, _triplet_prepare)


def _check_triplet_dims(anchor, positive, negative):
    a, p, n = anchor.ndim, positive.ndim, negative.ndim
    if not (a == p and p == n):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a}D, positive {p}D, and "
                           f"negative {n}D inputs")


@register(function=False, method=False)
def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """``max(0, margin + d(a, p) - d(a, n))`` with the p-norm pairwise distance."""
    red = reduction_arg(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    return dispatch(_TRIPLET[_generic("ClampMinBackward0")[red]], (anchor, positive, negative),
                    (red, float(margin), float(p), float(eps), bool(swap)))


def _triplet_dist_impl(dpos, dneg, red, margin, ct, rt):
    dpos, dneg = cast(dpos, ct), cast(dneg, ct)
    return cast(reduce(clamp_min0(margin + dpos - dneg), red), rt)


_TRIPLET_DIST = ExpandedOps("triplet_margin_with_distance_loss", _triplet_dist_impl,
                            _pairwise_prepare)


@register(function=False, method=False)
def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """The triplet loss with any distance function (pairwise_distance by default)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    if distance_function is None:
        distance_function = pairwise_distance_p
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        from .pointwise import minimum
        dist_neg = minimum(dist_neg, distance_function(positive, negative))
    red = get_enum(reduction)
    return dispatch(_TRIPLET_DIST[_generic("ClampMinBackward0")[red]], (dist_pos, dist_neg),
                    (red, float(margin)))


# --------------------------------------------------------------------------------------------
# multi-class and multi-label margin


def _frames(shape):
    """(nframe, dim) of the multi-margin kernels for input ``shape`` (0-, 1- or 2-d)."""
    if len(shape) <= 1:
        return 1, (1 if not shape else shape[0])
    return shape[0], shape[1]


def _check_nonempty(shape):
    nd = len(shape)
    if not ((nd == 2 and shape[1] != 0) or (nd == 1 and shape[0] != 0) or nd == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {fmt_shape(shape)}")


def _multi_margin_impl(*a):
    *arrays, red, p, margin, has_w, ct, rt = a
    x, t = arrays[0], arrays[1]
    shape, tshape = x.shape, t.shape
    nframe, dim = _frames(shape)
    x = jnp.reshape(cast(x, ct), (nframe, dim))
    t = jnp.reshape(t, (nframe,)).astype(jnp.int64)
    oob = (t < 0) | (t >= dim)
    ts = jnp.where(oob, 0, t)
    xy = jnp.take_along_axis(x, ts[:, None], 1)
    z = margin - xy + x
    h = jnp.where(z > 0, z, jnp.zeros_like(z))  # PyTorch adds a term only where z > 0
    if p == 2:
        h = h * h
    if has_w:
        h = h * cast(arrays[2], ct)[ts][:, None]
    h = jnp.where(jnp.arange(dim)[None, :] == ts[:, None], jnp.zeros_like(h), h)
    loss = jnp.sum(h, 1) / dim
    loss = jnp.where(oob, jnp.nan, loss)
    if red == NONE:
        out = loss if len(shape) == 2 else jnp.reshape(loss, tshape)
    else:
        out = reduce(loss, red)
    return cast(out, rt)


def _multi_margin_prepare(sigs, static):
    red, p, margin, has_w = static
    shape, dt = sigs[0]
    _check_nonempty(shape)
    nframe, dim = _frames(shape)
    tshape = sigs[1][0]
    if not (len(tshape) <= 1 and _numel(tshape) == nframe):
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the "
                           f"number of input samples (batch size). Expected target size "
                           f"[{nframe}], but got {fmt_shape(tshape)}. Input has shape "
                           f"{fmt_shape(shape)}.")
    if has_w:
        wshape = sigs[2][0]
        if not (len(wshape) <= 1 and _numel(wshape) == dim):
            raise RuntimeError(f"inconsistent weight size, expected {dim} but got "
                               f"{fmt_shape(wshape)}")
    if not dt.is_floating_point:
        raise _not_implemented("multi_margin_loss_cpu_kernel", dt)
    return static + (opmath(dt).np, dt.np)


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


_MULTI_MARGIN = ExpandedOps("multi_margin_loss", _multi_margin_impl, _multi_margin_prepare,
                            nondiff=(1, 2))["MultiMarginLossBackward0"]


@register(function=False, method=False)
def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Multi-class hinge loss: ``sum_i max(0, margin - x[y] + x[i])^p / C``."""
    red = reduction_arg(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    nframe, dim = _frames(input._shape)
    t = concrete_numpy(target)
    if t is not None and t.size and ((t < 0) | (t >= dim)).any():
        raise RuntimeError("target out of range")
    inputs = (input, target) if weight is None else (input, target, weight)
    return dispatch(_MULTI_MARGIN, inputs, (red, int(p), float(margin), weight is not None))


def _multilabel_impl(x, t, red, ct, rt):
    shape = x.shape
    nframe, dim = _frames(shape)
    x = jnp.reshape(cast(x, ct), (nframe, dim))
    t = jnp.reshape(t, (nframe, dim)).astype(jnp.int64)
    # the targets of a sample are its entries before the first -1
    valid = jnp.cumprod(t >= 0, axis=1).astype(bool)
    ts = jnp.where(valid, t, 0)
    is_target = jnp.any((ts[:, :, None] == jnp.arange(dim)[None, None, :]) & valid[:, :, None],
                        axis=1)
    xy = jnp.take_along_axis(x, ts, 1)  # (n, j)
    z = 1 - xy[:, :, None] + x[:, None, :]  # (n, j, i)
    mask = valid[:, :, None] & ~is_target[:, None, :] & (z > 0)
    loss = jnp.sum(jnp.where(mask, z, jnp.zeros_like(z)), axis=(1, 2)) / dim
    if red == NONE:
        out = loss if len(shape) == 2 else jnp.reshape(loss, ())
    else:
        out = reduce(loss, red)
    return cast(out, rt)


def _multilabel_prepare(sigs, static):
    shape, dt = sigs[0]
    tshape, tdt = sigs[1]
    _check_nonempty(shape)
    nframe, dim = _frames(shape)
    if len(shape) <= 1:
        ok = len(tshape) <= 1 and _numel(tshape) == dim
    else:
        ok = len(tshape) == 2 and tshape[0] == nframe and tshape[1] == dim
    if not ok:
        raise RuntimeError(f"inconsistent target size: {fmt_shape(tshape)} for input of size: "
                           f"{fmt_shape(shape)}")
    if not dt.is_floating_point:
        raise _not_implemented("multilabel_margin_loss_forward_out_frame", dt)
    return static + (opmath(dt).np, dt.np)


_MULTILABEL = ExpandedOps("multilabel_margin_loss", _multilabel_impl, _multilabel_prepare,
                          nondiff=(1,))["MultilabelMarginLossBackward0"]


@register(function=False, method=False)
def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss; ``target`` lists class indices, ended by -1."""
    red = reduction_arg(size_average, reduce, reduction)
    t = concrete_numpy(target)
    if t is not None and t.size and input.ndim and ((t < -1) | (t >= input._shape[-1])).any():
        raise RuntimeError("argument #2 'target' is out of range")
    return dispatch(_MULTILABEL, (input, target), (red,))


def _mlsm_impl(*a):
    *arrays, red, has_w, ct, rt = a
    x, t = cast(arrays[0], ct), cast(arrays[1], ct)
    loss = -(t * log_sigmoid(x) + (1 - t) * log_sigmoid(-x))
    if has_w:
        loss = loss * cast(arrays[2], ct)
    c = x.shape[-1] if x.ndim else 1
    loss = jnp.sum(loss, axis=x.ndim - 1) / c if x.ndim else loss / c
    return cast(reduce(loss, red), rt)


def _mlsm_prepare(sigs, static):
    dt = sigs[0][1]
    if not dt.is_floating_point:
        raise _not_implemented("log_sigmoid_cpu", dt)
    s = broadcast_shapes(sigs[0][0], sigs[1][0])
    if len(sigs) > 2:
        broadcast_shapes(s, sigs[2][0])
    rt = result_type_sigs(sigs)
    return static + (opmath(rt).np, rt.np)


_MLSM = ExpandedOps("multilabel_soft_margin_loss", _mlsm_impl, _mlsm_prepare)


@register(function=False, method=False)
def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """One-versus-all logistic loss averaged over the classes of each sample."""
    if size_average is not None or reduce is not None:
        from ._nnutil import legacy_get_string
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    red = get_enum(reduction)
    inputs = (input, target) if weight is None else (input, target, weight)
    return dispatch(_MLSM[_generic("DivBackward0")[red]], inputs, (red, weight is not None))
