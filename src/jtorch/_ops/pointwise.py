"""Pointwise ops: the shared factories, and arithmetic (add, sub, mul, div, pow, ...).

Every elementwise op is built by ``unary``/``binary``: PyTorch's promotion kind picks the
compute and result dtypes (16-bit floats compute in float32, as PyTorch's CPU kernels do),
broadcasting is checked with PyTorch's message, the dtypes PyTorch's kernel does not support
raise its ``NotImplementedError``, and the body is one ``jax.numpy`` expression.  Where JAX's
derivative convention differs from PyTorch's the body is written so that JAX's derivative is
PyTorch's.  The other pointwise families live in ``pointwise_math`` (unary math),
``pointwise_binary`` (maximum, clamp, where, ...), ``pointwise_logic`` (comparisons, bitwise,
predicates) and ``pointwise_complex`` (real, imag, conj).
"""
from __future__ import annotations

import jax
import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ._argparse import arg_error
from ._registry import register
from ._util import broadcast_shapes

__all__ = ["unary", "binary", "operand", "number_or_tensor", "kernel_check", "not_implemented",
           "add", "sub", "rsub", "mul", "div", "true_divide", "floor_divide", "remainder",
           "fmod", "pow", "float_power", "square", "addcmul", "addcdiv", "lerp"]

_SCALARS = (int, float, bool, complex)
# a promotion kind of our own: integers become the default float, complex its real dtype (angle)
INT_TO_FLOAT_REAL = "int_to_float_real"
_BAD = object()


def _cast(x, dt):
    return lax.convert_element_type(x, dt)


# --------------------------------------------------------------------------------------------
# arguments


def _coerce(x):
    """``x`` as a Tensor or a Python number (numpy scalars become numbers), else ``_BAD``."""
    if isinstance(x, Tensor) or type(x) in _SCALARS:
        return x
    if isinstance(x, (np.bool_, np.number)):
        return x.item()
    if isinstance(x, bool):
        return bool(x)
    if isinstance(x, (int, float, complex)) and not isinstance(x, np.ndarray):
        return type(x).__mro__[-2](x)  # a subclass of a Python number (IntEnum, ...)
    return _BAD


def number_or_tensor(x, fname, signatures, args, kwargs=None):
    """An operand that PyTorch accepts as a Tensor or a Number, or PyTorch's TypeError."""
    v = _coerce(x)
    if v is _BAD:
        raise arg_error(fname, signatures, args, kwargs)
    return v


def operand(x, name="other"):
    """A binary op's second operand: a Tensor or a Python number (numpy arrays become tensors)."""
    v = _coerce(x)
    if v is not _BAD:
        return v
    if isinstance(x, np.ndarray):
        from .creation import from_numpy_copy
        return from_numpy_copy(x)
    raise TypeError(f"unsupported operand type for {name}: '{type(x).__name__}'")


def _tensor_arg(x, fname, signatures, args, kwargs=None):
    if not isinstance(x, Tensor):
        raise arg_error(fname, signatures, args, kwargs)
    return x


# --------------------------------------------------------------------------------------------
# dtype support: PyTorch's kernels are compiled for some dtypes only


_GROUPS = {"b": lambda d: d is D.bool_,
           "i": lambda d: d._kind in "ui",
           "h": lambda d: d is D.float16 or d is D.bfloat16,
           "f": lambda d: d._kind == "f",
           "c": lambda d: d._kind == "c"}


def not_implemented(kernel, dt):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{D._short(dt)}'")


def kernel_check(kernel, unsupported):
    """A dtype check raising PyTorch's ``"kernel" not implemented for 'Dtype'``.

    ``unsupported`` is a string of groups: ``b`` bool, ``i`` integers, ``h`` float16/bfloat16,
    ``f`` all floats, ``c`` complex.
    """
    tests = [_GROUPS[g] for g in unsupported]

    def check(sigs, kd, static):
        for t in tests:
            if t(kd):
                raise not_implemented(kernel, kd)
    return check


def _combine_checks(*checks):
    checks = [c for c in checks if c is not None]
    if len(checks) == 1:
        return checks[0]

    def check(sigs, kd, static):
        for c in checks:
            c(sigs, kd, static)
    return check


def _shapes(sigs):
    out = ()
    for s in sigs:
        if type(s) is tuple:
            out = broadcast_shapes(out, s[0])
    return out


def kernel_dtypes(sigs, kind):
    """(kernel dtype, compute dtype, result dtype) of an elementwise op of promotion ``kind``.

    The kernel dtype is the one PyTorch's kernel is dispatched on (and names in its errors):
    the common dtype, made floating for ``INT_TO_FLOAT`` ops.
    """
    common = P.result_type_sigs(sigs)
    if kind in (P.INT_TO_FLOAT, INT_TO_FLOAT_REAL) and common.is_integral:
        kd = D.get_default_dtype()
    else:
        kd = common
    if kind == P.ALWAYS_BOOL:
        return kd, kd, D.bool_
    if kind == P.COMPLEX_TO_FLOAT:
        return kd, P.opmath(kd), kd.to_real()
    if kind == INT_TO_FLOAT_REAL:
        return kd, P.opmath(kd), kd.to_real()
    if kind == P.BOOL_TO_LONG and kd is D.bool_:
        return kd, D.int64, D.int64
    return kd, P.opmath(kd), kd


# --------------------------------------------------------------------------------------------
# factories


def binary(name, fn, kind=P.DEFAULT, grad=None, linear=False, saves=None, check=None,
           opmath=True, n_args=2):
    """An elementwise op of two operands (tensors or Python numbers).

    ``fn(a, b, *static)`` gets both operands cast to the compute dtype.  With ``n_args > 2``
    the inputs after the first two (e.g. ``alpha``) take no part in type promotion and reach
    ``fn(a, b, *extra, compute_dtype, *static)`` as they are.  ``check(sigs, kernel_dtype, static)`` raises PyTorch's dtype errors.  ``opmath=False``
    computes in the common dtype itself (comparisons, max/min: exact in any dtype).
    """

    def prepare(sigs, static):
        psigs = sigs[:2]
        _shapes(psigs)
        kd, ct, rt = kernel_dtypes(psigs, kind)
        if check is not None:
            check(sigs, kd, static)
        if not opmath:
            ct = kd
        return (ct.np, rt.np) + static

    def impl2(a, b, ct, rt, *static):
        return _cast(fn(_cast(a, ct), _cast(b, ct), *static), rt)

    def impl_extra(*args):
        k = n_args
        a, b = args[0], args[1]
        extra = args[2:k]
        ct, rt = args[k], args[k + 1]
        static = args[k + 2:]
        return _cast(fn(_cast(a, ct), _cast(b, ct), *extra, ct, *static), rt)

    return engine.Op(name, impl2 if n_args == 2 else impl_extra, prepare=prepare, grad=grad,
                     linear=linear, saves=saves)


def unary(name, fn, kind=P.INT_TO_FLOAT, grad=None, linear=False, saves=None, check=None):
    """An elementwise op of one tensor: ``fn(x, *static)`` gets x cast to the compute dtype."""

    def prepare(sigs, static):
        kd, ct, rt = kernel_dtypes(sigs, kind)
        if check is not None:
            check(sigs, kd, static)
        return (ct.np, rt.np) + static

    def impl(a, ct, rt, *static):
        return _cast(fn(_cast(a, ct), *static), rt)

    return engine.Op(name, impl, prepare=prepare, grad=grad, linear=linear, saves=saves)


_UNARY_SIG = ("Tensor input, *, Tensor out = None",)


def define_unary(name, fn, kind=P.INT_TO_FLOAT, grad=None, *, saves=None, check=None,
                 linear=False, inplace=True, out=True, aliases=(), doc=None, method=True):
    """Define and register a one-tensor op ``torch.name(input)`` (+ method, in-place, out=)."""
    op = unary(name, fn, kind, grad=grad, linear=linear, saves=saves, check=check)
    sigs = _UNARY_SIG if out else ("Tensor input",)

    def frontend(input):
        if not isinstance(input, Tensor):
            raise arg_error(name, sigs, (input,))
        return dispatch(op, (input,))

    frontend.__name__ = frontend.__qualname__ = name
    frontend.__doc__ = doc or f"Elementwise ``{name}`` of ``input``."
    frontend.op = op
    return register(name, inplace=inplace, out=out, aliases=aliases, method=method)(frontend)


# --------------------------------------------------------------------------------------------
# errors for zero division and custom derivative conventions


def int_zero_check(result, other):
    """Integer division by zero raises in PyTorch: a sync point when the divisor is a tensor.

    Called after the op's dtype checks (``result`` is the op's result), as PyTorch's kernel
    checks the divisor's values only for integer dtypes.
    """
    if not result._dtype.is_integral:
        return result
    if isinstance(other, Tensor):
        from .pointwise_logic import any_true
        zero = any_true(eq_zero(other))
    else:
        zero = other == 0
    if zero:
        raise RuntimeError("ZeroDivisionError")
    return result


def eq_zero(t):
    from .pointwise_logic import eq
    return eq(t, 0)


def no_derivative(fn, opname):
    """``fn`` whose derivative raises PyTorch's "derivative for aten::X is not implemented"."""

    @jax.custom_vjp
    def f(*args):
        return fn(*args)

    def fwd(*args):
        return fn(*args), None

    def bwd(res, g):
        raise RuntimeError(f"derivative for aten::{opname} is not implemented")

    f.defvjp(fwd, bwd)
    return f


# --------------------------------------------------------------------------------------------
# add / sub / mul / div


def _alpha_check(sigs, kd, static):
    """PyTorch's alpha_check on the result dtype (sigs[2] is alpha's type)."""
    if len(sigs) < 3:
        return
    at = sigs[2]
    if at is bool and kd is not D.bool_:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if not (kd.is_floating_point or kd.is_complex) and at not in (int, bool):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if not kd.is_complex and at is complex:
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a complex "
                           "number.")


def _dtype_of(sig):
    return sig[1] if type(sig) is tuple else P.scalar_dtype(sig)


def _sub_check(sigs, kd, static):
    a, b = _dtype_of(sigs[0]), _dtype_of(sigs[1])
    if a is D.bool_ and b is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if a is D.bool_ or b is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    _alpha_check(sigs, kd, static)


def _scaled(b, alpha, ct):
    return b * _cast(alpha, ct)


_ADD = binary("add", lambda a, b: a + b, grad="AddBackward0", linear=True)
_ADD_ALPHA = binary("add", lambda a, b, alpha, ct: a + _scaled(b, alpha, ct),
                    grad="AddBackward0", linear=True, check=_alpha_check, n_args=3)
_SUB = binary("sub", lambda a, b: a - b, grad="SubBackward0", linear=True, check=_sub_check)
_SUB_ALPHA = binary("sub", lambda a, b, alpha, ct: a - _scaled(b, alpha, ct),
                    grad="SubBackward0", linear=True, check=_sub_check, n_args=3)
_RSUB = binary("rsub", lambda a, b, alpha, ct: b - _scaled(a, alpha, ct), grad="RsubBackward1",
               linear=True, check=_sub_check, n_args=3)
_MUL = binary("mul", lambda a, b: a * b, grad="MulBackward0")
_DIV = binary("div", lambda a, b: a / b, P.INT_TO_FLOAT, grad="DivBackward0")

_ADD_SIGS = ("Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None",)
_MUL_SIGS = ("Tensor input, Tensor other, *, Tensor out = None",)
_DIV_SIGS = ("Tensor input, Tensor other, *, Tensor out = None",
             "Tensor input, Tensor other, *, str? rounding_mode, Tensor out = None")


def _alpha(alpha, fname, input, other):
    a = _coerce(alpha)
    if a is _BAD or isinstance(a, Tensor):
        raise arg_error(fname, _ADD_SIGS, (input, other), {"alpha": alpha})
    return a


@register(inplace=True, out=True)
def add(input, other, *, alpha=1):
    """``input + alpha * other`` with broadcasting and type promotion."""
    if type(other) not in _SCALARS and not isinstance(other, Tensor):
        other = number_or_tensor(other, "add", _ADD_SIGS, (input, other))
    if alpha == 1 and type(alpha) is int:
        return dispatch(_ADD, (input, other))
    return dispatch(_ADD_ALPHA, (input, other, _alpha(alpha, "add", input, other)))


@register(inplace=True, out=True, aliases=("subtract",))
def sub(input, other, *, alpha=1):
    """``input - alpha * other``."""
    if type(other) not in _SCALARS and not isinstance(other, Tensor):
        other = number_or_tensor(other, "sub", _ADD_SIGS, (input, other))
    if alpha == 1 and type(alpha) is int:
        return dispatch(_SUB, (input, other))
    return dispatch(_SUB_ALPHA, (input, other, _alpha(alpha, "sub", input, other)))


_RSUB_SIGS = ("Tensor input, Tensor other, *, Number alpha = 1",
              "Tensor input, Number other, Number alpha = 1")


@register(method=False)
def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    if not isinstance(input, Tensor):
        raise arg_error("rsub", _RSUB_SIGS, (input, other))
    other = number_or_tensor(other, "rsub", _RSUB_SIGS, (input, other))
    return dispatch(_RSUB, (input, other, _alpha(alpha, "rsub", input, other)))


@register(inplace=True, out=True, aliases=("multiply",))
def mul(input, other):
    """Elementwise product."""
    if type(other) not in _SCALARS and not isinstance(other, Tensor):
        other = number_or_tensor(other, "mul", _MUL_SIGS, (input, other))
    return dispatch(_MUL, (input, other))


def _floor_div(a, b):
    if jnp.issubdtype(a.dtype, jnp.integer):
        return jnp.floor_divide(a, b)
    # PyTorch's div_floor for floats: mod-corrected division (as Python's // does)
    mod = jnp.fmod(a, b)
    div = (a - mod) / b
    div = jnp.where((mod != 0) & ((b < 0) != (mod < 0)), div - 1, div)
    floordiv = jnp.floor(div)
    floordiv = jnp.where(div - floordiv > 0.5, floordiv + 1, floordiv)
    floordiv = jnp.where(div != 0, floordiv, jnp.copysign(jnp.zeros_like(div), a / b))
    return jnp.where(b == 0, a / b, floordiv)


def _trunc_div(a, b):
    if jnp.issubdtype(a.dtype, jnp.integer):
        return lax.div(*jnp.broadcast_arrays(a, b))
    return jnp.trunc(a / b)


_DIV_TRUNC = binary("div_trunc", _trunc_div, grad="DivBackward2",
                    check=kernel_check("div_trunc_cpu", "bc"))
_DIV_FLOOR = binary("div_floor", _floor_div, grad="DivBackward2",
                    check=kernel_check("div_floor_cpu", "bc"))
_FLOOR_DIVIDE = binary("floor_divide", no_derivative(_floor_div, "floor_divide"),
                       grad="NotImplemented", check=kernel_check("div_floor_cpu", "bc"))


@register(inplace=True, out=True, aliases=("divide",))
def div(input, other, *, rounding_mode=None):
    """Division: true division by default, ``'trunc'`` or ``'floor'`` rounding."""
    if type(other) not in _SCALARS and not isinstance(other, Tensor):
        other = number_or_tensor(other, "div", _DIV_SIGS, (input, other))
    if rounding_mode is None:
        return dispatch(_DIV, (input, other))
    if rounding_mode == "trunc":
        return int_zero_check(dispatch(_DIV_TRUNC, (input, other)), other)
    if rounding_mode == "floor":
        return int_zero_check(dispatch(_DIV_FLOOR, (input, other)), other)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                       f"found '{rounding_mode}'")


@register(inplace=True, out=True)
def true_divide(input, other):
    """``input / other`` (true division); an alias of ``div``."""
    if type(other) not in _SCALARS and not isinstance(other, Tensor):
        other = number_or_tensor(other, "true_divide", _MUL_SIGS, (input, other))
    return dispatch(_DIV, (input, other))


_TS_SIGS = ("Tensor input, Tensor other, *, Tensor out = None",
            "Tensor input, Number other, *, Tensor out = None")


@register(inplace=True, out=True)
def floor_divide(input, other):
    """``input // other`` rounded toward negative infinity."""
    if type(other) not in _SCALARS and not isinstance(other, Tensor):
        other = number_or_tensor(other, "floor_divide", _TS_SIGS, (input, other))
    return int_zero_check(dispatch(_FLOOR_DIVIDE, (input, other)), other)


_REMAINDER = binary("remainder", jnp.remainder, grad="RemainderBackward1",
                    check=kernel_check("remainder_cpu", "bc"))
_REMAINDER_SCALAR = binary("remainder", jnp.remainder, grad="RemainderBackward0",
                           check=kernel_check("remainder_cpu", "bc"))
_RREMAINDER = binary("remainder", no_derivative(jnp.remainder, "remainder"),
                     grad="NotImplemented", check=kernel_check("remainder_cpu", "bc"))
_FMOD = binary("fmod", jnp.fmod, grad="FmodBackward1", check=kernel_check("fmod_cpu", "bc"))
_FMOD_SCALAR = binary("fmod", jnp.fmod, grad="FmodBackward0",
                      check=kernel_check("fmod_cpu", "bc"))
_REMAINDER_SIGS = ("Tensor input, Tensor other, *, Tensor out = None",
                   "Number self, Tensor other",
                   "Tensor input, Number other, *, Tensor out = None")


@register(inplace=True, out=True)
def remainder(input, other):
    """Python's modulus: the result has the sign of the divisor."""
    if not isinstance(input, Tensor):
        if not isinstance(other, Tensor):
            raise arg_error("remainder", _REMAINDER_SIGS, (input, other))
        input = number_or_tensor(input, "remainder", _REMAINDER_SIGS, (input, other))
        return int_zero_check(dispatch(_RREMAINDER, (input, other)), other)
    if isinstance(other, Tensor):
        return int_zero_check(dispatch(_REMAINDER, (input, other)), other)
    other = number_or_tensor(other, "remainder", _REMAINDER_SIGS, (input, other))
    return int_zero_check(dispatch(_REMAINDER_SCALAR, (input, other)), other)


@register(inplace=True, out=True)
def fmod(input, other):
    """C's fmod: the result has the sign of the dividend."""
    if not isinstance(input, Tensor):
        raise arg_error("fmod", _TS_SIGS, (input, other))
    if isinstance(other, Tensor):
        return int_zero_check(dispatch(_FMOD, (input, other)), other)
    other = number_or_tensor(other, "fmod", _TS_SIGS, (input, other))
    return int_zero_check(dispatch(_FMOD_SCALAR, (input, other)), other)


# --------------------------------------------------------------------------------------------
# pow: PyTorch's CPU kernel computes x**2 as x*x, x**0.5 as sqrt(x), ...; those exponents are
# static (part of the plan), any other Python-number exponent is a dynamic input


_SPECIAL_EXPONENTS = {0: jnp.ones_like, 2: lambda x: x * x, 3: lambda x: x * x * x, 0.5: jnp.sqrt,
                      -0.5: lax.rsqrt, -1: lambda x: 1 / x, -2: lambda x: 1 / (x * x)}


def _int_pow(b, e):
    """Integer power with PyTorch's rules for negative exponents (1, -1 or 0; no error)."""
    e = e.astype(b.dtype) if hasattr(e, "astype") else jnp.asarray(e, b.dtype)
    b, e = jnp.broadcast_arrays(b, e)
    ae = jnp.where(e < 0, 0, e)
    bits = jnp.iinfo(b.dtype).bits

    def body(i, carry):
        acc, base, ee = carry
        acc = jnp.where((ee & 1) == 1, acc * base, acc)
        return acc, base * base, ee >> 1

    r, _, _ = lax.fori_loop(0, bits, body, (jnp.ones_like(b), b, ae))
    if jnp.issubdtype(b.dtype, jnp.unsignedinteger):
        return r
    neg = jnp.where(b == 1, 1, jnp.where(b == -1, jnp.where((e & 1) == 1, -1, 1), 0))
    return jnp.where(e < 0, neg.astype(b.dtype), r)


@jax.custom_jvp
def _pow_inexact(a, b):
    return jnp.power(a, b)


@_pow_inexact.defjvp
def _pow_inexact_jvp(primals, tangents):
    (a, b), (ta, tb) = primals, tangents
    r = jnp.power(a, b)
    zero = jnp.zeros_like(r)
    # PyTorch: no gradient for the base where exponent == 0, none for the exponent where
    # base == 0 and exponent >= 0 (JAX's formulas give NaN there)
    da = jnp.where(b == 0, zero, b * jnp.power(a, b - 1))
    db = jnp.where((a == 0) & (jnp.real(b) >= 0), zero, r * jnp.log(a.astype(r.dtype)))
    return r, da * ta + db * tb


def _pow(a, b):
    if jnp.issubdtype(a.dtype, jnp.integer):
        return _int_pow(a, b)
    if jnp.issubdtype(a.dtype, jnp.bool_):
        return a | (b == 0)
    r = _pow_inexact(a, b)
    if jnp.iscomplexobj(r):
        # std::pow(0, b) is 0 for Re(b) > 0 (JAX's exp(b * log(0)) is NaN)
        zero = (a == 0) & (jnp.real(b) > 0)
        r = jnp.where(zero, jnp.zeros_like(r), r)
    return r


def _pow_check(sigs, kd, static):
    # bool ** bool-scalar is allowed (PyTorch's tensor-scalar kernel); a bool exponent tensor not
    if kd is D.bool_ and type(sigs[1]) is tuple:
        raise not_implemented("pow", kd)


def _pow_static_impl(x, ct, rt, e):
    xc = _cast(x, ct)
    if jnp.issubdtype(ct, jnp.integer) or ct == np.bool_:
        r = lax.integer_pow(xc, e) if e >= 0 else _pow(xc, e)
    else:
        r = _SPECIAL_EXPONENTS[e](xc)
    return _cast(r, rt)


def _pow_static_prepare(sigs, static):
    kd, ct, rt = kernel_dtypes((sigs[0], type(static[0])), P.DEFAULT)
    return (ct.np, rt.np) + static


def _pow_dynamic_impl(x, e, ct, rt):
    return _cast(_pow(_cast(x, ct), _cast(e, ct)), rt)


def _pow_dynamic_prepare(sigs, static):
    kd, ct, rt = kernel_dtypes(sigs, P.DEFAULT)
    return (ct.np, rt.np)


_POW_STATIC = engine.Op("pow", _pow_static_impl, prepare=_pow_static_prepare,
                        grad="PowBackward0")
_POW_SCALAR = engine.Op("pow", _pow_dynamic_impl, prepare=_pow_dynamic_prepare,
                        grad="PowBackward0")
_POW = binary("pow", _pow, grad="PowBackward1", check=_pow_check)
_RPOW = binary("pow", _pow, grad="PowBackward2", check=_pow_check)
_POW_SIGS = ("Tensor input, Tensor exponent, *, Tensor out = None",
             "Number self, Tensor exponent, *, Tensor out = None",
             "Tensor input, Number exponent, *, Tensor out = None")


def _pow_tensor_scalar(input, e):
    if type(e) is int and e < 0 and input._dtype.is_integral:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if type(e) is not complex and e in _SPECIAL_EXPONENTS:
        return dispatch(_POW_STATIC, (input,), (e,))
    return dispatch(_POW_SCALAR, (input, e))


@register(inplace=True, out=True)
def pow(input, exponent):
    """``input ** exponent`` elementwise (tensor or number base and exponent)."""
    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor):
            raise arg_error("pow", _POW_SIGS, (input, exponent))
        base = number_or_tensor(input, "pow", _POW_SIGS, (input, exponent))
        return dispatch(_RPOW, (base, exponent))
    if isinstance(exponent, Tensor):
        return dispatch(_POW, (input, exponent))
    e = number_or_tensor(exponent, "pow", _POW_SIGS, (input, exponent))
    return _pow_tensor_scalar(input, e)


@register(inplace=True, out=True)
def square(input):
    """``input ** 2`` (bool tensors give int64, as ``pow(input, 2)`` does)."""
    if not isinstance(input, Tensor):
        raise arg_error("square", _UNARY_SIG, (input,))
    return dispatch(_POW_STATIC, (input,), (2,))


def _float_power_dtype(input, exponent):
    c = any((x._dtype.is_complex if isinstance(x, Tensor) else type(x) is complex)
            for x in (input, exponent))
    return D.complex128 if c else D.float64


def _to(x, dt):
    if isinstance(x, Tensor):
        return x if x._dtype is dt else x.to(dt)
    return complex(x) if dt.is_complex else float(x)


@register(out=False)
def float_power(input, exponent, *, out=None):
    """``input ** exponent`` computed in double precision (float64 or complex128)."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise arg_error("float_power", _POW_SIGS, (input, exponent))
    if not isinstance(input, Tensor):
        input = number_or_tensor(input, "float_power", _POW_SIGS, (input, exponent))
    if not isinstance(exponent, Tensor):
        exponent = number_or_tensor(exponent, "float_power", _POW_SIGS, (input, exponent))
    dt = _float_power_dtype(input, exponent)
    if out is not None and out._dtype is not dt:
        raise RuntimeError(f"the output given to float_power has dtype {D._short(out._dtype)} but "
                           f"the operation's result requires dtype {D._short(dt)}")
    result = pow(_to(input, dt), _to(exponent, dt))
    if out is None:
        return result
    from ._inplace import write_out
    return write_out(out, result, "float_power")


@register("float_power_", function=False)
def _float_power_(self, exponent):
    """In-place ``float_power``: only for float64/complex128 tensors."""
    dt = _float_power_dtype(self, exponent)
    if self._dtype is not dt:
        raise RuntimeError(f"the base given to float_power_ has dtype {D._short(self._dtype)} "
                           f"but the operation's result requires dtype {D._short(dt)}")
    from . import _inplace
    _inplace.check_inplace(self)
    return _inplace.apply_inplace(self, float_power(self, exponent))


# --------------------------------------------------------------------------------------------
# addcmul / addcdiv / lerp


def _addc_prepare(kernel, integer_error):
    def prepare(sigs, static):
        tsigs = sigs[:3]
        _shapes(tsigs)
        kd, ct, rt = kernel_dtypes(tsigs, P.DEFAULT)
        if integer_error and all(_dtype_of(s).is_integral for s in tsigs[1:3]):
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  release "
                "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
                "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
                ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) "
                "for float inputs. The future addcdiv behavior is just the latter implementation: "
                "(input + value * tensor1 / tensor2), for all dtypes.")
        if kd is D.bool_:
            raise not_implemented(kernel, kd)
        if sigs[3] is complex and not kd.is_complex:
            raise RuntimeError(f"value cannot be converted to type {_ctype(kd)} without overflow")
        return (ct.np, rt.np)
    return prepare


def _ctype(dt):
    """The C++ type PyTorch names in "value cannot be converted to type X" errors."""
    return {D.float64: "double", D.int64: "int64_t", D.int32: "int", D.uint8: "uint8_t",
            D.int8: "int8_t", D.int16: "int16_t", D.float16: "at::Half",
            D.bfloat16: "at::BFloat16"}.get(dt, "float")


def _addcmul_impl(a, t1, t2, v, ct, rt):
    a, t1, t2 = _cast(a, ct), _cast(t1, ct), _cast(t2, ct)
    return _cast(a + _cast(v, ct) * t1 * t2, rt)


def _addcdiv_impl(a, t1, t2, v, ct, rt):
    a, t1, t2 = _cast(a, ct), _cast(t1, ct), _cast(t2, ct)
    return _cast(a + _cast(v, ct) * (t1 / t2), rt)


_ADDCMUL = engine.Op("addcmul", _addcmul_impl, prepare=_addc_prepare("addcmul_cpu_out", False),
                     grad="AddcmulBackward0")
_ADDCDIV = engine.Op("addcdiv", _addcdiv_impl, prepare=_addc_prepare("addcdiv_cpu", True),
                     grad="AddcdivBackward0")


def _addc(op, name, input, tensor1, tensor2, value):
    sigs = (f"Tensor input, Tensor tensor1, Tensor tensor2, *, Number value = 1, "
            f"Tensor out = None",)
    for x in (input, tensor1, tensor2):
        if not isinstance(x, Tensor):
            raise arg_error(name, sigs, (input, tensor1, tensor2))
    v = _coerce(value)
    if v is _BAD or isinstance(v, Tensor):
        raise arg_error(name, sigs, (input, tensor1, tensor2), {"value": value})
    return dispatch(op, (input, tensor1, tensor2, v))


@register(inplace=True, out=True)
def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2``."""
    return _addc(_ADDCMUL, "addcmul", input, tensor1, tensor2, value)


@register(inplace=True, out=True)
def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2``."""
    return _addc(_ADDCDIV, "addcdiv", input, tensor1, tensor2, value)


def _lerp_body(a, b, w):
    # PyTorch's lerp: the formula that is exact at the nearer end point
    small = jnp.abs(w) < 0.5
    return jnp.where(small, a + w * (b - a), b - (b - a) * (1 - w))


def _lerp_prepare(sigs, static):
    _shapes([s for s in sigs if type(s) is tuple])
    dt = sigs[0][1]
    for name, s in (("end", sigs[1]), ("weight", sigs[2])):
        if type(s) is tuple and s[1] is not dt:
            raise RuntimeError(f"expected dtype {_np_name(dt)} for `{name}` but got dtype "
                               f"{_np_name(s[1])}")
    if type(sigs[2]) is not tuple:
        if dt.is_integral:
            raise not_implemented("lerp_kernel_scalar", dt)
        if sigs[2] is complex and not dt.is_complex:
            raise RuntimeError(f"value cannot be converted to type {_ctype(dt)} without overflow")
    elif dt.is_integral:
        raise not_implemented("lerp_kernel_tensor", dt)
    ct = P.opmath(dt)
    return (ct.np, dt.np)


def _np_name(dt):
    return {D.float32: "float", D.float64: "double", D.float16: "c10::Half",
            D.bfloat16: "c10::BFloat16", D.complex64: "c10::complex<float>",
            D.complex128: "c10::complex<double>", D.int64: "long int", D.int32: "int",
            D.uint8: "unsigned char", D.bool_: "bool", D.int8: "signed char",
            D.int16: "short int"}.get(dt, dt._name)


def _lerp_impl(a, b, w, ct, rt):
    return _cast(_lerp_body(_cast(a, ct), _cast(b, ct), _cast(w, ct)), rt)


_LERP = engine.Op("lerp", _lerp_impl, prepare=_lerp_prepare, grad="LerpBackward0")
_LERP_T = engine.Op("lerp", _lerp_impl, prepare=_lerp_prepare, grad="LerpBackward1")
_LERP_SIGS = ("Tensor input, Tensor end, Tensor weight, *, Tensor out = None",
              "Tensor input, Tensor end, Number weight, *, Tensor out = None")


@register(inplace=True, out=True)
def lerp(input, end, weight):
    """Linear interpolation ``input + weight * (end - input)`` (scalar or tensor weight)."""
    if not isinstance(input, Tensor) or not isinstance(end, Tensor):
        raise arg_error("lerp", _LERP_SIGS, (input, end, weight))
    if isinstance(weight, Tensor):
        return dispatch(_LERP_T, (input, end, weight))
    w = number_or_tensor(weight, "lerp", _LERP_SIGS, (input, end, weight))
    return dispatch(_LERP, (input, end, w))


# --------------------------------------------------------------------------------------------
# the whole pointwise family, importable from this module (``from .pointwise import relu``)

from .pointwise_math import *  # noqa: E402,F401,F403
from .pointwise_binary import *  # noqa: E402,F401,F403
from .pointwise_logic import *  # noqa: E402,F401,F403
from .pointwise_complex import *  # noqa: E402,F401,F403
