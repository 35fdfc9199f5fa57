"""Pointwise ops: arithmetic, comparisons, logic, and elementwise math.

Every op is built by ``unary``/``binary``: PyTorch's promotion kind picks the compute and
result dtypes (16-bit floats compute in float32, as PyTorch's CPU kernels do), broadcasting is
checked with PyTorch's message, and the body is one ``jax.numpy`` expression.  Where JAX's
derivative convention differs from PyTorch's (relu at 0, clamp at its bounds) the body is
written so that JAX's derivative is PyTorch's.
"""
from __future__ import annotations

import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ._registry import register
from ._util import broadcast_shapes

__all__ = ["unary", "binary", "operand", "add", "sub", "mul", "div"]

_SCALARS = (int, float, bool, complex)


def _cast(x, dt):
    return lax.convert_element_type(x, dt)


def operand(x, name="other"):
    """A binary op's second operand: a Tensor or a Python number."""
    if isinstance(x, Tensor) or type(x) in _SCALARS:
        return x
    if isinstance(x, (np.bool_, np.number)):
        return x.item()
    if isinstance(x, np.ndarray):
        from .creation import from_numpy_copy
        return from_numpy_copy(x)
    if isinstance(x, (int, float, complex)):  # subclasses of Python numbers
        return type(x).__mro__[-2](x) if not isinstance(x, bool) else bool(x)
    raise TypeError(f"unsupported operand type for {name}: '{type(x).__name__}'")


def _shapes(sigs):
    out = ()
    for s in sigs:
        if type(s) is tuple:
            out = broadcast_shapes(out, s[0])
    return out


def _no_bool(name):
    def check(sigs, ct, rt, static):
        if rt is D.bool_:
            raise RuntimeError(f"{name}: Boolean tensors are not supported")
    return check


def binary(name, fn, kind=P.DEFAULT, grad=None, linear=False, saves=None, check=None,
           opmath=True):
    """An elementwise op of two operands (tensors or Python numbers)."""

    def prepare(sigs, static):
        _shapes(sigs)
        ct, rt = P.elementwise_dtypes(sigs, kind)
        if not opmath:
            ct = P.result_type_sigs(sigs)
        if check is not None:
            check(sigs, ct, rt, static)
        return (ct.np, rt.np) + static

    def impl(a, b, ct, rt, *static):
        return _cast(fn(_cast(a, ct), _cast(b, ct), *static), rt)

    return engine.Op(name, impl, prepare=prepare, grad=grad, linear=linear, saves=saves)


def unary(name, fn, kind=P.INT_TO_FLOAT, grad=None, linear=False, saves=None, check=None):
    """An elementwise op of one tensor."""

    def prepare(sigs, static):
        ct, rt = P.elementwise_dtypes(sigs, kind)
        if check is not None:
            check(sigs, ct, rt, static)
        return (ct.np, rt.np) + static

    def impl(a, ct, rt, *static):
        return _cast(fn(_cast(a, ct), *static), rt)

    return engine.Op(name, impl, prepare=prepare, grad=grad, linear=linear, saves=saves)


def _int_zero_check(name, other, input):
    """Integer division by zero raises in PyTorch (a sync point when the divisor is a tensor)."""
    if isinstance(other, Tensor):
        if not (other._dtype.is_integral and (not isinstance(input, Tensor) or
                                             input._dtype.is_integral)):
            return
        if bool((other == 0).any()):
            raise RuntimeError("ZeroDivisionError")
    elif type(other) in (int, bool) and other == 0 and isinstance(input, Tensor) and \
            input._dtype.is_integral:
        raise RuntimeError("ZeroDivisionError")


# --------------------------------------------------------------------------------------------
# arithmetic


def _alpha_check(sigs, ct, rt, static):
    if static and type(static[0]) is float and rt.is_integral:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if rt is D.bool_ and static and type(static[0]) is not bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")


_ADD = binary("add", lambda a, b, alpha=1: a + b * alpha if alpha != 1 else a + b,
              grad="AddBackward0", linear=True, check=_alpha_check)
_RSUB = binary("rsub", lambda a, b, alpha=1: b - a * alpha if alpha != 1 else b - a,
               grad="RsubBackward1", linear=True, check=_alpha_check)
_MUL = binary("mul", lambda a, b: a * b, grad="MulBackward0")
_DIV = binary("div", lambda a, b: a / b, P.INT_TO_FLOAT, grad="DivBackward0")


def _floor_div(a, b):
    if jnp.issubdtype(a.dtype, jnp.integer):
        return jnp.floor_divide(a, b)
    return _py_floor_div(a, b)


def _py_floor_div(a, b):
    # PyTorch's div_floor for floats: mod-corrected division (as Python's // does)
    mod = jnp.fmod(a, b)
    div = (a - mod) / b
    div = jnp.where((mod != 0) & ((b < 0) != (mod < 0)), div - 1, div)
    floordiv = jnp.floor(div)
    floordiv = jnp.where(div - floordiv > 0.5, floordiv + 1, floordiv)
    floordiv = jnp.where(div != 0, floordiv, jnp.copysign(jnp.zeros_like(div), a / b))
    return jnp.where(b == 0, a / b, floordiv)


def _sub_bool_check(sigs, ct, rt, static):
    _alpha_check(sigs, ct, rt, static)
    if rt is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")


_SUB = binary("sub", lambda a, b, alpha=1: a - b * alpha if alpha != 1 else a - b,
              grad="SubBackward0", linear=True, check=_sub_bool_check)

_DIV_TRUNC = binary("div_trunc", lambda a, b: jnp.trunc(a / b) if jnp.issubdtype(
    a.dtype, jnp.inexact) else lax.div(a, b), grad="DivBackward1")
_DIV_FLOOR = binary("div_floor", _floor_div, grad="DivBackward1")
_REMAINDER = binary("remainder", lambda a, b: jnp.remainder(a, b), grad="RemainderBackward0")
_FMOD = binary("fmod", lambda a, b: jnp.fmod(a, b), grad="FmodBackward0")


@register(inplace=True, out=True)
def add(input, other, *, alpha=1):
    """``input + alpha * other`` with broadcasting and type promotion."""
    if type(other) not in _SCALARS and not isinstance(other, Tensor):
        other = operand(other)
    return dispatch(_ADD, (input, other), () if alpha == 1 else (alpha,))


@register(inplace=True, out=True, aliases=("subtract",))
def sub(input, other, *, alpha=1):
    """``input - alpha * other``."""
    if type(other) not in _SCALARS and not isinstance(other, Tensor):
        other = operand(other)
    return dispatch(_SUB, (input, other), () if alpha == 1 else (alpha,))


@register(method=False)
def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    return dispatch(_RSUB, (input, operand(other)), () if alpha == 1 else (alpha,))


@register(inplace=True, out=True, aliases=("multiply",))
def mul(input, other):
    """Elementwise product."""
    if type(other) not in _SCALARS and not isinstance(other, Tensor):
        other = operand(other)
    return dispatch(_MUL, (input, other))


@register(inplace=True, out=True, aliases=("divide",))
def div(input, other, *, rounding_mode=None):
    """Division: true division by default, ``'trunc'`` or ``'floor'`` rounding."""
    if type(other) not in _SCALARS and not isinstance(other, Tensor):
        other = operand(other)
    if rounding_mode is None:
        return dispatch(_DIV, (input, other))
    if rounding_mode == "trunc":
        _int_zero_check("div", other, input)
        return dispatch(_DIV_TRUNC, (input, other))
    if rounding_mode == "floor":
        _int_zero_check("div", other, input)
        return dispatch(_DIV_FLOOR, (input, other))
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                       f"found '{rounding_mode}'")


@register(inplace=True, out=True)
def true_divide(input, other):
    return div(input, other)


@register(inplace=True, out=True)
def floor_divide(input, other):
    """``input // other`` rounded toward negative infinity."""
    other = operand(other)
    _int_zero_check("floor_divide", other, input)
    return dispatch(_DIV_FLOOR, (input, other))


@register(inplace=True, out=True)
def remainder(input, other):
    """Python's modulus: the result has the sign of the divisor."""
    other = operand(other)
    _int_zero_check("remainder", other, input)
    return dispatch(_REMAINDER, (input, other))


@register(inplace=True, out=True)
def fmod(input, other):
    """C's fmod: the result has the sign of the dividend."""
    other = operand(other)
    _int_zero_check("fmod", other, input)
    return dispatch(_FMOD, (input, other))


# pow: a Python-number exponent is static so that x**2 is x*x and x**0.5 is sqrt(x), as in
# PyTorch's CPU kernel


def _pow_scalar_impl(x, ct, rt, e):
    x = _cast(x, ct)
    if e == 2:
        r = x * x
    elif e == 3:
        r = x * x * x
    elif e == 0.5:
        r = jnp.sqrt(x)
    elif e == -0.5:
        r = lax.rsqrt(x)
    elif e == -1:
        r = 1 / x
    elif e == -2:
        r = 1 / (x * x)
    elif type(e) is int or (type(e) is bool):
        r = lax.integer_pow(x, int(e)) if int(e) >= 0 else jnp.power(x, int(e))
    else:
        r = jnp.power(x, _cast(e, ct))
    return _cast(r, rt)


def _pow_scalar_prepare(sigs, static):
    (e,) = static
    ct, rt = P.elementwise_dtypes(sigs + (type(e),), P.DEFAULT)
    if rt.is_integral and type(e) is int and e < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return (ct.np, rt.np, e)


_POW_SCALAR = engine.Op("pow", _pow_scalar_impl, prepare=_pow_scalar_prepare,
                        grad="PowBackward0")


_POW = binary("pow", lambda a, b: jnp.power(a, b), grad="PowBackward1")


@register(inplace=True, out=True)
def pow(input, exponent):
    """``input ** exponent`` elementwise."""
    if not isinstance(input, Tensor):
        return dispatch(_POW, (operand(input, "self"), exponent))
    if type(exponent) in _SCALARS or isinstance(exponent, (np.number, np.bool_)):
        e = operand(exponent)
        if isinstance(e, bool):
            e = int(e)
        return dispatch(_POW_SCALAR, (input,), (e,))
    exponent = operand(exponent)
    if input._dtype.is_integral and exponent._dtype.is_integral and bool((exponent < 0).any()):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return dispatch(_POW, (input, exponent))


# --------------------------------------------------------------------------------------------
# unary math

def _neg_check(sigs, ct, rt, static):
    if rt is D.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")


_NEG = unary("neg", lambda x: -x, P.DEFAULT, grad="NegBackward0", linear=True, check=_neg_check)


def _abs_check(sigs, ct, rt, static):
    if rt is D.bool_:
        raise RuntimeError("abs() is not supported for bool tensors")


_ABS = unary("abs", jnp.abs, P.COMPLEX_TO_FLOAT, grad="AbsBackward0", check=_abs_check)


@register(inplace=True, out=True, aliases=("negative",))
def neg(input):
    """``-input``."""
    return dispatch(_NEG, (input,))


@register(inplace=True, out=True, aliases=("absolute",))
def abs(input):
    """Elementwise absolute value."""
    return dispatch(_ABS, (input,))


def _float_unary(name, fn, grad, saves=None):
    """Register a math function that maps integers to the default float dtype."""
    op = unary(name, fn, P.INT_TO_FLOAT, grad=grad, saves=saves)

    def frontend(input):
        return dispatch(op, (input,))

    frontend.__name__ = frontend.__qualname__ = name
    frontend.__doc__ = f"Elementwise ``{name}``."
    register(name, inplace=True, out=True)(frontend)
    return frontend


exp = _float_unary("exp", jnp.exp, "ExpBackward0", saves=("out",))
log = _float_unary("log", jnp.log, "LogBackward0")
sqrt = _float_unary("sqrt", jnp.sqrt, "SqrtBackward0", saves=("out",))
rsqrt = _float_unary("rsqrt", lax.rsqrt, "RsqrtBackward0", saves=("out",))
sin = _float_unary("sin", jnp.sin, "SinBackward0")
cos = _float_unary("cos", jnp.cos, "CosBackward0")
tanh = _float_unary("tanh", jnp.tanh, "TanhBackward0", saves=("out",))
sigmoid = _float_unary("sigmoid", lambda x: 1 / (1 + jnp.exp(-x)), "SigmoidBackward0",
                       saves=("out",))


def _relu_check(sigs, ct, rt, static):
    if rt is D.bool_:
        raise RuntimeError("\"clamp_min_scalar_cpu\" not implemented for 'Bool'")


_RELU = unary("relu", lambda x: jnp.where(x > 0, x, jnp.zeros_like(x)), P.DEFAULT,
              grad="ReluBackward0", saves=("out",), check=_relu_check)


@register(inplace=True)
def relu(input):
    """max(input, 0); its gradient at 0 is 0, as in PyTorch."""
    return dispatch(_RELU, (input,))


# --------------------------------------------------------------------------------------------
# comparisons and logic

def _compare(name, fn):
    op = binary(name, fn, P.ALWAYS_BOOL, opmath=False)

    def frontend(input, other):
        if type(other) not in _SCALARS and not isinstance(other, Tensor):
            other = operand(other)
        return dispatch(op, (input, other))

    frontend.__name__ = frontend.__qualname__ = name
    frontend.__doc__ = f"Elementwise ``{name}`` comparison (a bool tensor)."
    return frontend


eq = register("eq", inplace=True, out=True)(_compare("eq", lambda a, b: a == b))
ne = register("ne", inplace=True, out=True, aliases=("not_equal",))(
    _compare("ne", lambda a, b: a != b))
lt = register("lt", inplace=True, out=True, aliases=("less",))(_compare("lt", lambda a, b: a < b))
le = register("le", inplace=True, out=True, aliases=("less_equal",))(
    _compare("le", lambda a, b: a <= b))
gt = register("gt", inplace=True, out=True, aliases=("greater",))(
    _compare("gt", lambda a, b: a > b))
ge = register("ge", inplace=True, out=True, aliases=("greater_equal",))(
    _compare("ge", lambda a, b: a >= b))

_LOGICAL_NOT = unary("logical_not", jnp.logical_not, P.ALWAYS_BOOL)


@register(inplace=True, out=True)
def logical_not(input):
    return dispatch(_LOGICAL_NOT, (input,))


logical_and = register("logical_and", inplace=True, out=True)(
    _compare("logical_and", jnp.logical_and))
logical_or = register("logical_or", inplace=True, out=True)(_compare("logical_or", jnp.logical_or))
logical_xor = register("logical_xor", inplace=True, out=True)(
    _compare("logical_xor", jnp.logical_xor))


def _bitwise_check(name):
    def check(sigs, ct, rt, static):
        if rt.is_floating_point or rt.is_complex:
            raise RuntimeError(f"\"{name}_cpu\" not implemented for '{D._short(rt)}'")
    return check


def _bitwise(name, fn, kernel):
    op = binary(name, fn, P.DEFAULT, check=_bitwise_check(kernel), opmath=False)

    def frontend(input, other):
        return dispatch(op, (input, operand(other)))

    frontend.__name__ = frontend.__qualname__ = name
    frontend.__doc__ = f"Elementwise ``{name}`` of integer or bool tensors."
    return register(name, inplace=True, out=True)(frontend)


bitwise_and = _bitwise("bitwise_and", jnp.bitwise_and, "bitwise_and")
bitwise_or = _bitwise("bitwise_or", jnp.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise("bitwise_xor", jnp.bitwise_xor, "bitwise_xor")

_BITWISE_NOT = unary("bitwise_not", jnp.invert, P.DEFAULT, check=_bitwise_check("bitwise_not"))


@register(inplace=True, out=True)
def bitwise_not(input):
    return dispatch(_BITWISE_NOT, (input,))


# --------------------------------------------------------------------------------------------
# selection


def _where_prepare(sigs, static):
    shapes = _shapes(sigs)  # noqa: F841  (broadcast check)
    cond = sigs[0]
    if type(cond) is tuple and cond[1] is not D.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {D._short(cond[1])}")
    rt = P.result_type_sigs(sigs[1:])
    return (rt.np,)


def _where_impl(c, a, b, rt):
    return jnp.where(c, _cast(a, rt), _cast(b, rt))


_WHERE = engine.Op("where", _where_impl, prepare=_where_prepare, grad="WhereBackward0",
                   nondiff=(0,))


@register(out=True)
def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other`` (broadcast); 1-arg: nonzero()."""
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    return dispatch(_WHERE, (condition, operand(input, "input"), operand(other)))


def _clamp_prepare(sigs, static):
    _shapes(sigs)
    has_min, has_max = static
    rt = P.result_type_sigs(sigs)
    if rt is D.bool_:
        raise RuntimeError("\"clamp_scalar_cpu\" not implemented for 'Bool'")
    return (P.opmath(rt).np, rt.np, has_min, has_max)


def _clamp_impl(*a):
    *arrs, ct, rt, has_min, has_max = a
    x = _cast(arrs[0], ct)
    i = 1
    if has_min:
        lo = _cast(arrs[i], ct)
        i += 1
        x = jnp.where(x < lo, lo, x)
    if has_max:
        hi = _cast(arrs[i], ct)
        x = jnp.where(x > hi, hi, x)
    return _cast(x, rt)


_CLAMP = engine.Op("clamp", _clamp_impl, prepare=_clamp_prepare, grad="ClampBackward1")


@register(inplace=True, out=True, aliases=("clip",))
def clamp(input, min=None, max=None):
    """Clamp into [min, max]; the gradient passes where min <= input <= max."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    args = [input]
    if min is not None:
        args.append(operand(min, "min"))
    if max is not None:
        args.append(operand(max, "max"))
    return dispatch(_CLAMP, tuple(args), (min is not None, max is not None))


@register(inplace=True, out=True)
def clamp_min(input, min):
    return clamp(input, min=min)


@register(inplace=True, out=True)
def clamp_max(input, max):
    return clamp(input, max=max)


_MAXIMUM = binary("maximum", jnp.maximum, grad="MaximumBackward0", opmath=False)
_MINIMUM = binary("minimum", jnp.minimum, grad="MinimumBackward0", opmath=False)


@register(out=True)
def maximum(input, other):
    """Elementwise maximum (NaN propagates); ties split the gradient, as in PyTorch."""
    return dispatch(_MAXIMUM, (input, other))


@register(out=True)
def minimum(input, other):
    """Elementwise minimum (NaN propagates)."""
    return dispatch(_MINIMUM, (input, other))


# --------------------------------------------------------------------------------------------
# predicates

def _predicate(name, fn):
    op = unary(name, fn, P.ALWAYS_BOOL)

    def frontend(input):
        return dispatch(op, (input,))

    frontend.__name__ = frontend.__qualname__ = name
    frontend.__doc__ = f"Elementwise ``{name}`` (a bool tensor)."
    return register(name)(frontend)


isnan = _predicate("isnan", jnp.isnan)
isinf = _predicate("isinf", jnp.isinf)
isfinite = _predicate("isfinite", jnp.isfinite)


_RECIPROCAL = unary("reciprocal", lambda x: 1 / x, P.INT_TO_FLOAT, grad="ReciprocalBackward0",
                    saves=("out",))


@register(inplace=True, out=True)
def reciprocal(input):
    """``1 / input`` (integers give the default float dtype)."""
    return dispatch(_RECIPROCAL, (input,))


@register()
def positive(input):
    """``+input``: the tensor itself."""
    if input._dtype is D.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input
