"""Comparisons, logical and bitwise ops, predicates (isnan, ...) and tensor equality tests
(equal, allclose, isclose).

Comparisons compute in the operands' common dtype (``int_tensor < 2.5`` compares in float32,
``uint8_tensor < -1`` wraps -1 to 255, as PyTorch does) and always give bool tensors.
"""
from __future__ import annotations

import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch_nograd
from .._engine import core as engine
from .._tensor import Tensor
from ._argparse import arg_error
from ._registry import register
from .pointwise import (_SCALARS, _TS_SIGS, _shapes, binary, define_unary, kernel_check,
                        not_implemented, number_or_tensor, unary)

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
           "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
           "bitwise_left_shift", "bitwise_right_shift", "isnan", "isinf", "isposinf",
           "isneginf", "isfinite", "isreal", "signbit", "equal", "allclose", "isclose"]


def _compare(name, fn, ordered, aliases=()):
    op = binary(name, fn, P.ALWAYS_BOOL, opmath=False,
                check=kernel_check(f"{name}_cpu", "c") if ordered else None)

    def frontend(input, other):
        if not isinstance(input, Tensor):
            raise arg_error(name, _TS_SIGS, (input, other))
        if type(other) not in _SCALARS and not isinstance(other, Tensor):
            other = number_or_tensor(other, name, _TS_SIGS, (input, other))
        return dispatch_nograd(op, (input, other))

    frontend.__name__ = frontend.__qualname__ = name
    frontend.__doc__ = f"Elementwise ``{name}`` comparison (a bool tensor)."
    return register(name, inplace=True, out=True, aliases=aliases)(frontend)


eq = _compare("eq", lambda a, b: a == b, False)
ne = _compare("ne", lambda a, b: a != b, False, aliases=("not_equal",))
lt = _compare("lt", lambda a, b: a < b, True, aliases=("less",))
le = _compare("le", lambda a, b: a <= b, True, aliases=("less_equal",))
gt = _compare("gt", lambda a, b: a > b, True, aliases=("greater",))
ge = _compare("ge", lambda a, b: a >= b, True, aliases=("greater_equal",))


# --------------------------------------------------------------------------------------------
# logical


def _truth(x):
    return x != 0 if x.dtype != jnp.bool_ else x


def _logical(name, fn):
    op = binary(name, lambda a, b: fn(_truth(a), _truth(b)), P.ALWAYS_BOOL, opmath=False)

    def frontend(input, other):
        if not isinstance(input, Tensor) or not isinstance(other, Tensor):
            raise arg_error(name, ("Tensor input, Tensor other, *, Tensor out = None",),
                            (input, other))
        return dispatch_nograd(op, (input, other))

    frontend.__name__ = frontend.__qualname__ = name
    frontend.__doc__ = f"Elementwise logical ``{name[8:]}`` (nonzero is True); a bool tensor."
    return register(name, inplace=True, out=True)(frontend)


logical_and = _logical("logical_and", jnp.logical_and)
logical_or = _logical("logical_or", jnp.logical_or)
logical_xor = _logical("logical_xor", jnp.logical_xor)
logical_not = define_unary("logical_not", lambda x: jnp.logical_not(_truth(x)), P.ALWAYS_BOOL,
                           doc="Elementwise logical not (zero is False); a bool tensor.")


# --------------------------------------------------------------------------------------------
# bitwise


_BITWISE_SIGS = ("Tensor input, Tensor other, *, Tensor out = None",
                 "Number self, Tensor other",
                 "Tensor input, Number other, *, Tensor out = None")


def _shift_left(a, b):
    a, b = jnp.broadcast_arrays(a, b.astype(a.dtype))
    return lax.shift_left(a, b)


def _shift_right(a, b):
    a, b = jnp.broadcast_arrays(a, b.astype(a.dtype))
    if jnp.issubdtype(a.dtype, jnp.signedinteger):
        # PyTorch: a shift by >= bits (or a negative one) keeps the sign bits only
        bits = jnp.iinfo(a.dtype).bits
        b = jnp.where((b < 0) | (b >= bits), bits - 1, b)
        return lax.shift_right_arithmetic(a, b)
    return lax.shift_right_logical(a, b)


def _bitwise(name, fn, kernel, unsupported="fhc"):
    op = binary(name, fn, P.DEFAULT, check=kernel_check(kernel, unsupported), opmath=False)

    def frontend(input, other):
        if not isinstance(input, Tensor):
            if not isinstance(other, Tensor):
                raise arg_error(name, _BITWISE_SIGS, (input, other))
            input = number_or_tensor(input, name, _BITWISE_SIGS, (input, other))
        elif type(other) not in _SCALARS and not isinstance(other, Tensor):
            other = number_or_tensor(other, name, _BITWISE_SIGS, (input, other))
        return dispatch_nograd(op, (input, other))

    frontend.__name__ = frontend.__qualname__ = name
    frontend.__doc__ = f"Elementwise ``{name}`` of integer or bool tensors."
    return register(name, inplace=True, out=True)(frontend)


bitwise_and = _bitwise("bitwise_and", jnp.bitwise_and, "bitwise_and_cpu")
bitwise_or = _bitwise("bitwise_or", jnp.bitwise_or, "bitwise_or_cpu")
bitwise_xor = _bitwise("bitwise_xor", jnp.bitwise_xor, "bitwise_xor_cpu")
bitwise_left_shift = _bitwise("bitwise_left_shift", _shift_left, "lshift_cpu", "bfhc")
bitwise_right_shift = _bitwise("bitwise_right_shift", _shift_right, "rshift_cpu", "bfhc")
bitwise_not = define_unary("bitwise_not", jnp.invert, P.DEFAULT,
                           check=kernel_check("bitwise_not_cpu", "fhc"),
                           doc="Elementwise bitwise not (logical not for bool tensors).")


# --------------------------------------------------------------------------------------------
# predicates


def _inexact(x):
    return jnp.issubdtype(x.dtype, jnp.inexact)


def _predicate(name, fn, out=False, check=None):
    return define_unary(name, fn, P.ALWAYS_BOOL, check=check, out=out, inplace=False,
                        doc=f"Elementwise ``{name}`` (a bool tensor).")


def _falses(x):
    return jnp.zeros(x.shape, bool)


def _no_complex(msg):
    def check(sigs, kd, static):
        if kd.is_complex:
            raise RuntimeError(msg)
    return check


def _signbit_check(sigs, kd, static):
    if kd.is_complex:
        raise NotImplementedError("signbit is not implemented for complex tensors.")


def _signbit(x):
    if jnp.issubdtype(x.dtype, jnp.floating):
        return jnp.signbit(x)
    if jnp.issubdtype(x.dtype, jnp.signedinteger):
        return x < 0
    return _falses(x)


isnan = _predicate("isnan", lambda x: jnp.isnan(x) if _inexact(x) else _falses(x))
isinf = _predicate("isinf", lambda x: jnp.isinf(x) if _inexact(x) else _falses(x))
isfinite = _predicate("isfinite", lambda x: jnp.isfinite(x) if _inexact(x) else ~_falses(x))
isposinf = _predicate("isposinf", lambda x: x == jnp.inf if _inexact(x) else _falses(x),
                      out=True, check=_no_complex("isposinf does not support complex inputs."))
isneginf = _predicate("isneginf", lambda x: x == -jnp.inf if _inexact(x) else _falses(x),
                      out=True, check=_no_complex("isneginf does not support complex inputs."))
isreal = _predicate("isreal", lambda x: jnp.imag(x) == 0 if jnp.iscomplexobj(x)
                    else ~_falses(x))
signbit = _predicate("signbit", _signbit, out=True, check=_signbit_check)


# --------------------------------------------------------------------------------------------
# equal, isclose, allclose


def _equal_impl(a, b, ct):
    return jnp.all(a.astype(ct) == b.astype(ct))


def _equal_prepare(sigs, static):
    return (P.result_type_sigs(sigs).np,)


_EQUAL = engine.Op("equal", _equal_impl, prepare=_equal_prepare)


@register()
def equal(input, other):
    """True if the tensors have the same shape and elements (a Python bool; a sync point)."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise arg_error("equal", ("Tensor input, Tensor other",), (input, other))
    if input._shape != other._shape:
        return False
    return bool(dispatch_nograd(_EQUAL, (input, other)).item())


def _isclose_impl(a, b, sdt, so, mdt, mo, edt, eo, cdt, rtol, atol, equal_nan):
    close = a == b
    if equal_nan and _inexact(a):
        close = close | (jnp.isnan(a) & jnp.isnan(b))
    if rtol == 0 and atol == 0:
        return close
    # PyTorch's tensor arithmetic step by step, each result rounded to its tensor's dtype:
    # allowed = atol + (rtol * other).abs(); actual = (input - other).abs()
    a, b = a.astype(sdt), b.astype(sdt)
    allowed = jnp.abs((rtol * b.astype(mo)).astype(mdt)).astype(edt)
    allowed = (atol + allowed.astype(eo)).astype(edt)
    actual = jnp.abs((a.astype(so) - b.astype(so)).astype(sdt))
    fin = jnp.isfinite(actual) if _inexact(actual) else jnp.ones(actual.shape, bool)
    return close | (fin & (actual.astype(cdt) <= allowed.astype(cdt)))


def _isclose_prepare(sigs, static):
    _shapes(sigs)
    a, b = sigs[0][1], sigs[1][1]
    if a is not b:
        raise RuntimeError(f"{D._short(a)} did not match {D._short(b)}")
    sdt = D.get_default_dtype() if a is D.bool_ else a      # bool inputs become floats
    mdt = D.get_default_dtype() if sdt.is_integral else sdt  # rtol * other
    edt = mdt.to_real()
    cdt = D.promote_types(sdt.to_real(), edt)
    dts = (sdt, P.opmath(sdt), mdt, P.opmath(mdt), edt, P.opmath(edt), cdt)
    return tuple(d.np for d in dts) + static


_ISCLOSE = engine.Op("isclose", _isclose_impl, prepare=_isclose_prepare)


def _tolerances(rtol, atol):
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol:g}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol:g}")
    return float(rtol), float(atol)


@register()
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (a bool tensor)."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise arg_error("isclose", ("Tensor input, Tensor other, float rtol = 1e-05, "
                                    "float atol = 1e-08, bool equal_nan = False",),
                        (input, other))
    rtol, atol = _tolerances(rtol, atol)
    return dispatch_nograd(_ISCLOSE, (input, other), (rtol, atol, bool(equal_nan)))


@register()
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if ``isclose`` holds for every element (a Python bool; a sync point)."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise arg_error("allclose", ("Tensor input, Tensor other, float rtol = 1e-05, "
                                     "float atol = 1e-08, bool equal_nan = False",),
                        (input, other))
    rtol, atol = _tolerances(rtol, atol)
    close = dispatch_nograd(_ISCLOSE, (input, other), (rtol, atol, bool(equal_nan)))
    return all_true(close)


_ALL = unary("all", lambda x: jnp.all(x), P.ALWAYS_BOOL)


_ANY = unary("any", lambda x: jnp.any(x), P.ALWAYS_BOOL)


def any_true(t):
    """Whether some element of ``t`` is nonzero (a Python bool; a sync point)."""
    return bool(dispatch_nograd(_ANY, (t,)).item())


def all_true(t):
    """Whether every element of ``t`` is nonzero (a Python bool; a sync point)."""
    return bool(dispatch_nograd(_ALL, (t,)).item())
