"""Binary pointwise functions and selection: maximum/minimum, fmax/fmin, hypot, logaddexp,
copysign, nextafter, atan2, xlogy, heaviside, clamp, where.

Several of these have derivative conventions that differ from JAX's at special points
(ties, zeros); the bodies carry PyTorch's, each noted where it is written.
"""
from __future__ import annotations

import math
import warnings

import jax
import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ._argparse import arg_error
from ._registry import register
from .pointwise import (_TS_SIGS, _cast, _shapes, binary, kernel_check, no_derivative,
                        not_implemented, number_or_tensor)
from .pointwise_math import abs_pt

__all__ = ["maximum", "minimum", "fmax", "fmin", "hypot", "logaddexp", "logaddexp2",
           "copysign", "nextafter", "atan2", "xlogy", "heaviside", "clamp", "clamp_min",
           "clamp_max", "where"]

_TT_SIGS = ("Tensor input, Tensor other, *, Tensor out = None",)


def _tensor_binary(name, op, sigs=_TT_SIGS, argnames=None):
    """Register ``torch.name(input, other)`` for an op that takes two tensors only."""

    def frontend(input, other):
        if not isinstance(input, Tensor) or not isinstance(other, Tensor):
            raise arg_error(name, sigs, (input, other))
        return dispatch(op, (input, other))

    frontend.__name__ = frontend.__qualname__ = name
    return frontend


def _no_complex(name, msg=None):
    def check(sigs, kd, static):
        if kd.is_complex:
            raise RuntimeError(msg or f"{name} not implemented for complex tensors.")
    return check


# --------------------------------------------------------------------------------------------
# maximum / minimum / fmax / fmin


def _select_jvp(pick):
    """maximum/minimum with PyTorch's gradient: ties split it 0.5 / 0.5 (as lax.max does) and
    where a NaN is involved (neither side picked) both inputs receive it."""

    @jax.custom_jvp
    def f(a, b):
        return pick(a, b)

    @f.defjvp
    def f_jvp(primals, tangents):
        (a, b), (ta, tb) = primals, tangents
        out = pick(a, b)
        wa = jnp.where(a == b, 0.5, jnp.where(out == b, 0.0, 1.0)).astype(out.dtype)
        wb = jnp.where(a == b, 0.5, jnp.where(out == a, 0.0, 1.0)).astype(out.dtype)
        return out, ta * wa + tb * wb

    def body(a, b):
        if jnp.issubdtype(a.dtype, jnp.inexact):
            return f(a, b)
        return pick(a, b)

    return body


# lax.max/min propagate NaN as PyTorch does
_MAXIMUM = binary("maximum", _select_jvp(jnp.maximum), grad="MaximumBackward0", opmath=False,
                  check=_no_complex("maximum"))
_MINIMUM = binary("minimum", _select_jvp(jnp.minimum), grad="MinimumBackward0", opmath=False,
                  check=_no_complex("minimum"))


def _isnan(x):
    return jnp.isnan(x) if jnp.issubdtype(x.dtype, jnp.inexact) else jnp.zeros(x.shape, bool)


# fmax ignores NaN; PyTorch gives a tie's whole gradient to ``input``
_FMAX = binary("fmax", lambda a, b: jnp.where((a >= b) | _isnan(b), a, b), grad="FmaxBackward0",
               opmath=False, check=_no_complex("fmax"))
_FMIN = binary("fmin", lambda a, b: jnp.where((a <= b) | _isnan(b), a, b), grad="FminBackward0",
               opmath=False, check=_no_complex("fmin"))


def _reg(name, op, doc, **kw):
    f = _tensor_binary(name, op)
    f.__doc__ = doc
    return register(name, out=True, **kw)(f)


maximum = _reg("maximum", _MAXIMUM, "Elementwise maximum (NaN propagates); ties split the "
               "gradient, as in PyTorch.")
minimum = _reg("minimum", _MINIMUM, "Elementwise minimum (NaN propagates); ties split the "
               "gradient, as in PyTorch.")
fmax = _reg("fmax", _FMAX, "Elementwise maximum ignoring NaN (NaN only where both are NaN).")
fmin = _reg("fmin", _FMIN, "Elementwise minimum ignoring NaN (NaN only where both are NaN).")


# --------------------------------------------------------------------------------------------
# hypot, logaddexp, logaddexp2, atan2, nextafter


@jax.custom_jvp
def _hypot(a, b):
    return jnp.hypot(a, b)


@_hypot.defjvp
def _hypot_jvp(primals, tangents):
    (a, b), (ta, tb) = primals, tangents
    h = jnp.hypot(a, b)
    # PyTorch: grad * input / result (NaN at the origin)
    return h, (a * ta + b * tb) / h


@jax.custom_jvp
def _logaddexp_real(a, b):
    m = jnp.maximum(a, b)
    r = m + jnp.log1p(jnp.exp(-jnp.abs(a - b)))
    return jnp.where(jnp.isinf(a) & (a == b), a, r)


@_logaddexp_real.defjvp
def _logaddexp_jvp(primals, tangents):
    (a, b), (ta, tb) = primals, tangents
    # PyTorch: d/da = 1 / (1 + exp(b - a)): 0.5 at ties (JAX's max/abs would give 0 or 1)
    return _logaddexp_real(a, b), ta / (1 + jnp.exp(b - a)) + tb / (1 + jnp.exp(a - b))


def _logaddexp(a, b):
    if not jnp.iscomplexobj(a):
        return _logaddexp_real(a, b)
    swap = jnp.real(b) < jnp.real(a)
    lo, hi = jnp.where(swap, b, a), jnp.where(swap, a, b)
    return jnp.log1p(jnp.exp(lo - hi)) + hi


_LN2 = math.log(2.0)


@jax.custom_jvp
def _logaddexp2(a, b):
    m = jnp.maximum(a, b)
    r = m + jnp.log1p(jnp.exp2(-jnp.abs(a - b))) / _LN2
    return jnp.where(jnp.isinf(a) & (a == b), a, r)


@_logaddexp2.defjvp
def _logaddexp2_jvp(primals, tangents):
    (a, b), (ta, tb) = primals, tangents
    return _logaddexp2(a, b), ta / (1 + jnp.exp2(b - a)) + tb / (1 + jnp.exp2(a - b))


@jax.custom_jvp
def _atan2(a, b):
    return jnp.arctan2(a, b)


@_atan2.defjvp
def _atan2_jvp(primals, tangents):
    (a, b), (ta, tb) = primals, tangents
    d = a * a + b * b
    # PyTorch's gradient is 0 (not NaN) at the origin
    r = jnp.where(d == 0, jnp.zeros_like(d), 1 / jnp.where(d == 0, jnp.ones_like(d), d))
    return jnp.arctan2(a, b), (b * ta - a * tb) * r


@jax.custom_jvp
def _nextafter(a, b):
    return jnp.nextafter(a, b)


@_nextafter.defjvp
def _nextafter_jvp(primals, tangents):
    (a, b), (ta, tb) = primals, tangents
    # PyTorch passes the gradient to ``input`` where it moves (input != other), none to other
    return jnp.nextafter(a, b), jnp.where(a != b, ta, jnp.zeros_like(ta))


_HYPOT = binary("hypot", _hypot, grad="HypotBackward0", check=kernel_check("hypot_cpu", "bic"))
_LOGADDEXP = binary("logaddexp", _logaddexp, grad="LogaddexpBackward0",
                    check=kernel_check("logaddexp_cpu", "bi"))
_LOGADDEXP2 = binary("logaddexp2", _logaddexp2, grad="Logaddexp2Backward0",
                     check=kernel_check("logaddexp2_cpu", "bic"))
_ATAN2 = binary("atan2", _atan2, P.INT_TO_FLOAT, grad="Atan2Backward0",
                check=kernel_check("atan2_cpu", "c"))
# nextafter works in the operands' own dtype (no float32 upcast for float16)
_NEXTAFTER = binary("nextafter", _nextafter, grad="NextafterBackward0", opmath=False,
                    check=kernel_check("nextafter_cpu", "bic"))

hypot = _reg("hypot", _HYPOT, "``sqrt(input**2 + other**2)`` without overflow.", inplace=True)
logaddexp = _reg("logaddexp", _LOGADDEXP, "``log(exp(input) + exp(other))``, computed stably.")
logaddexp2 = _reg("logaddexp2", _LOGADDEXP2, "``log2(2**input + 2**other)``, computed stably.")
atan2 = _reg("atan2", _ATAN2, "The angle of the point ``(other, input)``; quadrant-aware.",
             inplace=True, aliases=("arctan2",))
nextafter = _reg("nextafter", _NEXTAFTER, "The next representable value after ``input`` "
                 "towards ``other``.", inplace=True)


# --------------------------------------------------------------------------------------------
# copysign, xlogy, heaviside


def _copysign(a, b):
    m = abs_pt(a)  # PyTorch's gradient for input is 0 at input == 0
    return jnp.where(jnp.signbit(b), -m, m)


_COPYSIGN = binary("copysign", _copysign, P.INT_TO_FLOAT, grad="CopysignBackward0",
                   check=kernel_check("copysign_cpu", "c"))
_COPYSIGN_SCALAR = binary("copysign", _copysign, P.INT_TO_FLOAT, grad="CopysignBackward1",
                          check=kernel_check("copysign_cpu", "c"))


@register(inplace=True, out=True)
def copysign(input, other):
    """``|input|`` with the sign of ``other`` (a tensor or a number)."""
    if not isinstance(input, Tensor):
        raise arg_error("copysign", _TS_SIGS, (input, other))
    if isinstance(other, Tensor):
        return dispatch(_COPYSIGN, (input, other))
    other = number_or_tensor(other, "copysign", _TS_SIGS, (input, other))
    return dispatch(_COPYSIGN_SCALAR, (input, other))


@jax.custom_jvp
def _xlogy(x, y):
    zero = x == 0
    r = jnp.where(zero, jnp.zeros_like(x), x * jnp.log(jnp.where(zero, jnp.ones_like(y), y)))
    return jnp.where(jnp.isnan(y), y, r)


@_xlogy.defjvp
def _xlogy_jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    # PyTorch: d/dx = log(y), but 0 where x == 0 and y <= 0; d/dy = x / y
    dx = jnp.where((x == 0) & (y <= 0), jnp.zeros_like(y), jnp.log(y))
    return _xlogy(x, y), dx * tx + x / y * ty


def _xlogy_op(grad):
    return binary("xlogy", _xlogy, P.INT_TO_FLOAT, grad=grad,
                  check=kernel_check("xlogy_cpu", "c"))


_XLOGY = _xlogy_op("XlogyBackward0")
_XLOGY_SELF_SCALAR = _xlogy_op("XlogyBackward1")
_XLOGY_OTHER_SCALAR = _xlogy_op("XlogyBackward2")
_XLOGY_SIGS = ("Tensor input, Tensor other, *, Tensor out = None",
               "Number self, Tensor other, *, Tensor out = None",
               "Tensor input, Number other, *, Tensor out = None")


@register(inplace=True, out=True)
def xlogy(input, other):
    """``input * log(other)``, 0 where ``input`` is 0 (NaN where ``other`` is NaN)."""
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        return dispatch(_XLOGY, (input, other))
    if isinstance(input, Tensor):
        other = number_or_tensor(other, "xlogy", _XLOGY_SIGS, (input, other))
        return dispatch(_XLOGY_OTHER_SCALAR, (input, other))
    if isinstance(other, Tensor):
        input = number_or_tensor(input, "xlogy", _XLOGY_SIGS, (input, other))
        return dispatch(_XLOGY_SELF_SCALAR, (input, other))
    raise arg_error("xlogy", _XLOGY_SIGS, (input, other))


def _heaviside_check(sigs, kd, static):
    if sigs[0][1].is_complex or sigs[1][1].is_complex:
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if sigs[0][1] is not sigs[1][1]:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")


def _heaviside(x, v):
    return jnp.where(x == 0, v, (x > 0).astype(x.dtype))


_HEAVISIDE = binary("heaviside", no_derivative(_heaviside, "heaviside"), grad="NotImplemented",
                    check=_heaviside_check, opmath=False)


@register(inplace=True, out=True)
def heaviside(input, values):
    """The Heaviside step: 0 for negatives, 1 for positives, ``values`` at 0."""
    if not isinstance(input, Tensor) or not isinstance(values, Tensor):
        raise arg_error("heaviside", ("Tensor input, Tensor values, *, Tensor out = None",),
                        (input, values))
    return dispatch(_HEAVISIDE, (input, values))


# --------------------------------------------------------------------------------------------
# clamp


def _clamp_prepare(sigs, static):
    _shapes(sigs)
    rt = P.result_type_sigs(sigs)
    has_min, has_max, name = static
    tensors = any(type(s) is tuple for s in sigs[1:])
    if rt.is_complex:
        # clamp_min/clamp_max with a tensor bound run maximum/minimum (as clamp does with one
        # tensor bound on a real input)
        if tensors and not (has_min and has_max) and (name != "clamp" or
                                                      not sigs[0][1].is_complex):
            raise not_implemented("maximum_cpu" if has_min else "minimum_cpu", rt)
        raise NotImplementedError("clamp is not supported for complex types")
    if rt is D.bool_ and not tensors:
        kernel = "clamp" if has_min and has_max else "clamp_min" if has_min else "clamp_max"
        raise not_implemented(f"{kernel}_scalar_cpu", rt)
    return (P.opmath(rt).np, rt.np, has_min, has_max)


def _clamp_impl(*args):
    *arrs, ct, rt, has_min, has_max = args
    x = _cast(arrs[0], ct)
    lo = _cast(arrs[1], ct) if has_min else None
    hi = _cast(arrs[1 + has_min], ct) if has_max else None
    # PyTorch's gradients: input where lo <= x <= hi; min where x < min < max; max where
    # x > max or max < min; NaN input keeps no gradient; a NaN bound makes the result NaN
    inside = jnp.ones(x.shape, bool)
    if lo is not None:
        inside = inside & (x >= lo)
    if hi is not None:
        inside = inside & (x <= hi)
    other = lax.stop_gradient(x)
    if lo is not None:
        lo_b = jnp.broadcast_to(lo, jnp.broadcast_shapes(x.shape, lo.shape))
        if hi is not None:
            lo_b = jnp.where(lo_b < hi, lo_b, lax.stop_gradient(lo_b))
        other = jnp.where(x < lo, lo_b, other)
    if hi is not None:
        above = x > hi
        if lo is not None:
            above = above | (hi < lo)
        other = jnp.where(above, hi, other)
    r = jnp.where(inside, x, other)
    if jnp.issubdtype(ct, jnp.floating):
        if lo is not None:
            r = jnp.where(jnp.isnan(lo), lo, r)
        if hi is not None:
            r = jnp.where(jnp.isnan(hi), hi, r)
    return _cast(r, rt)


_CLAMP_OPS = {}


def _clamp_op(grad):
    op = _CLAMP_OPS.get(grad)
    if op is None:
        op = _CLAMP_OPS[grad] = engine.Op("clamp", _clamp_impl, prepare=_clamp_prepare,
                                          grad=grad)
    return op


_CLAMP_SIGS = ("Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None",
               "Tensor input, Number min = None, Number max = None, *, Tensor out = None")


def _bound(x):
    if x is None or isinstance(x, Tensor):
        return x
    from .pointwise import _BAD, _coerce
    v = _coerce(x)
    return None if v is _BAD else v


def _clamp(name, grads, input, min, max):
    lo, hi = _bound(min), _bound(max)
    tensors = [b for b in (min, max) if b is not None]
    kinds = {isinstance(b, Tensor) for b in tensors}
    bad = (not isinstance(input, Tensor) or len(kinds) > 1 or
           (min is not None and lo is None) or (max is not None and hi is None))
    if bad:
        if name == "clamp":
            kw = {k: v for k, v in (("min", min), ("max", max)) if v is not None}
            raise arg_error(name, _CLAMP_SIGS, (input,), kw)
        which = name[len("clamp_"):]
        raise arg_error(name, (f"Tensor input, Tensor {which}, *, Tensor out = None",
                               f"Tensor input, Number {which}, *, Tensor out = None"),
                        (input, min if which == "min" else max))
    if lo is None and hi is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    grad = grads[1] if True in kinds else grads[0]
    args = [input] + [b for b in (lo, hi) if b is not None]
    return dispatch(_clamp_op(grad), tuple(args), (lo is not None, hi is not None, name))


@register(inplace=True, out=True, aliases=("clip",))
def clamp(input, min=None, max=None):
    """Clamp into ``[min, max]`` (numbers or tensors); the gradient passes where
    ``min <= input <= max``, as in PyTorch."""
    return _clamp("clamp", ("ClampBackward1", "ClampBackward0"), input, min, max)


@register(inplace=True, out=True)
def clamp_min(input, min):
    """``max(input, min)`` with clamp's gradient convention."""
    if min is None:
        raise arg_error("clamp_min", ("Tensor input, Tensor min, *, Tensor out = None",
                                      "Tensor input, Number min, *, Tensor out = None"),
                        (input, min))
    return _clamp("clamp_min", ("ClampMinBackward0", "ClampMinBackward1"), input, min, None)


@register(inplace=True, out=True)
def clamp_max(input, max):
    """``min(input, max)`` with clamp's gradient convention."""
    if max is None:
        raise arg_error("clamp_max", ("Tensor input, Tensor max, *, Tensor out = None",
                                      "Tensor input, Number max, *, Tensor out = None"),
                        (input, max))
    return _clamp("clamp_max", ("ClampMaxBackward0", "ClampMaxBackward1"), input, None, max)


# --------------------------------------------------------------------------------------------
# where


def _where_prepare(sigs, static):
    _shapes(sigs)
    cond = sigs[0]
    if cond[1] is not D.bool_ and cond[1] is not D.uint8:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {D._short(cond[1])}")
    rt = P.result_type_sigs(sigs[1:])
    return (rt.np,)


def _where_impl(c, a, b, rt):
    return jnp.where(c.astype(bool), _cast(a, rt), _cast(b, rt))


_WHERE = engine.Op("where", _where_impl, prepare=_where_prepare, grad="WhereBackward0",
                   nondiff=(0,))
_WHERE_SIGS = ("Tensor condition",
               "Tensor condition, Tensor input, Tensor other, *, Tensor out = None",
               "Tensor condition, Number self, Tensor other",
               "Tensor condition, Tensor input, Number other",
               "Tensor condition, Number self, Number other")
_NO_VALUE = object()


@register(out=True, method=False)
def where(condition, input=_NO_VALUE, other=_NO_VALUE):
    """``input`` where ``condition`` holds, else ``other`` (broadcast; tensors or numbers).

    ``where(condition)`` is ``nonzero(condition, as_tuple=True)``.
    """
    if input is _NO_VALUE and other is _NO_VALUE:
        if not isinstance(condition, Tensor):
            raise arg_error("where", _WHERE_SIGS, (condition,))
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    args = (condition,) + tuple(a for a in (input, other) if a is not _NO_VALUE)
    if input is _NO_VALUE or other is _NO_VALUE or not isinstance(condition, Tensor):
        raise arg_error("where", _WHERE_SIGS, args)
    from .pointwise import _BAD, _coerce
    a, b = _coerce(input), _coerce(other)
    if a is _BAD or b is _BAD:
        raise arg_error("where", _WHERE_SIGS, args)
    if condition._dtype is D.uint8:
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and "
                      "will be removed in a future version of PyTorch. Use a boolean condition "
                      "instead. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/"
                      "native/TensorCompare.cpp:621.)", UserWarning, stacklevel=2)
    return dispatch(_WHERE, (condition, a, b))


@register("where", function=False)
def _where_method(self, condition, y):
    """``Tensor.where(condition, y)``: ``torch.where(condition, self, y)``."""
    return where(condition, self, y)
