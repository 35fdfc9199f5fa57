"""Unary pointwise math: abs, neg, sign, exp/log, trigonometric, special functions, rounding.

Integer inputs of the transcendental functions give the default float dtype; float16 and
bfloat16 compute in float32 and round, as PyTorch's CPU kernels do.  Where PyTorch's derivative
convention differs from JAX's (abs and sign at 0, i0 at 0, logit outside its eps band) the body
carries PyTorch's derivative.
"""
from __future__ import annotations

import math
from functools import partial

import jax
import jax.lax as lax
import jax.numpy as jnp
import jax.scipy.special as jsp

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ._argparse import arg_error
from ._registry import register
from .pointwise import INT_TO_FLOAT_REAL, define_unary, kernel_check, not_implemented, unary

__all__ = ["abs", "neg", "sign", "sgn", "reciprocal", "sqrt", "rsqrt", "exp", "exp2", "expm1",
           "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
           "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "logit", "erf", "erfc",
           "erfinv", "lgamma", "digamma", "polygamma", "mvlgamma", "i0", "sinc", "floor",
           "ceil", "round", "trunc", "frac", "relu", "positive", "nan_to_num", "angle"]

def _sign_values(x):
    """PyTorch's sign: (0 < x) - (x < 0); 0 for NaN and for -0.0."""
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)


@jax.custom_jvp
def _abs_real(x):
    return jnp.abs(x)


@_abs_real.defjvp
def _abs_real_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    # PyTorch: d|x|/dx = sgn(x), which is 0 at x == 0 (JAX's abs has 1 there)
    return jnp.abs(x), _sign_values(x) * t


def abs_pt(x):
    """|x| with PyTorch's derivative (0 at 0); complex |z| is safe at 0 in JAX already."""
    if jnp.iscomplexobj(x) or not jnp.issubdtype(x.dtype, jnp.floating):
        return jnp.abs(x)
    return _abs_real(x)


# --------------------------------------------------------------------------------------------
# abs, neg, sign


def _neg_check(sigs, kd, static):
    if kd is D.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")


abs = define_unary("abs", abs_pt, P.COMPLEX_TO_FLOAT, "AbsBackward0",
                   check=kernel_check("abs_cpu", "b"), aliases=("absolute",),
                   doc="Elementwise absolute value (complex inputs give their magnitude).")
neg = define_unary("neg", lambda x: -x, P.DEFAULT, "NegBackward0", linear=True,
                   check=_neg_check, aliases=("negative",), doc="``-input``.")


def _sign_check(sigs, kd, static):
    if kd.is_complex:
        raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex "
                                  "numbers. Please use torch.sgn instead.")


def _sign(x):
    if x.dtype == jnp.bool_:
        return x
    return _sign_values(x)


def _sgn(x):
    if not jnp.iscomplexobj(x):
        return _sign(x)
    a = jnp.abs(x)
    zero = a == 0
    safe = jnp.where(zero, jnp.ones_like(a), a)
    return jnp.where(zero, jnp.zeros_like(x), x / safe.astype(x.dtype))


sign = define_unary("sign", _sign, P.DEFAULT, "SignBackward0", check=_sign_check,
                    doc="The sign of each element: -1, 0 or 1 (0 for NaN).")
sgn = define_unary("sgn", _sgn, P.DEFAULT, "SgnBackward0",
                   doc="``input / |input|`` for complex tensors (0 at 0), ``sign`` otherwise.")


# --------------------------------------------------------------------------------------------
# exponentials, logarithms, powers, trigonometric and hyperbolic functions


def _float_fn(name, fn, grad, saves=None, aliases=(), check=None, doc=None):
    return define_unary(name, fn, P.INT_TO_FLOAT, grad, saves=saves, aliases=aliases,
                        check=check, doc=doc)


reciprocal = _float_fn("reciprocal", lambda x: 1 / x, "ReciprocalBackward0", saves=("out",),
                       doc="``1 / input`` (integers give the default float dtype).")
sqrt = _float_fn("sqrt", jnp.sqrt, "SqrtBackward0", saves=("out",))
rsqrt = _float_fn("rsqrt", lax.rsqrt, "RsqrtBackward0", saves=("out",))
exp = _float_fn("exp", jnp.exp, "ExpBackward0", saves=("out",))
exp2 = _float_fn("exp2", jnp.exp2, "Exp2Backward0", saves=("out",))
expm1 = _float_fn("expm1", jnp.expm1, "Expm1Backward0", saves=("out",))
log = _float_fn("log", jnp.log, "LogBackward0")
log2 = _float_fn("log2", jnp.log2, "Log2Backward0")
log10 = _float_fn("log10", jnp.log10, "Log10Backward0")
log1p = _float_fn("log1p", jnp.log1p, "Log1PBackward0")
sin = _float_fn("sin", jnp.sin, "SinBackward0")
cos = _float_fn("cos", jnp.cos, "CosBackward0")
tan = _float_fn("tan", jnp.tan, "TanBackward0", saves=("out",))
asin = _float_fn("asin", jnp.arcsin, "AsinBackward0", aliases=("arcsin",))
acos = _float_fn("acos", jnp.arccos, "AcosBackward0", aliases=("arccos",))
atan = _float_fn("atan", jnp.arctan, "AtanBackward0", aliases=("arctan",))
sinh = _float_fn("sinh", jnp.sinh, "SinhBackward0")
cosh = _float_fn("cosh", jnp.cosh, "CoshBackward0")
tanh = _float_fn("tanh", jnp.tanh, "TanhBackward0", saves=("out",))
asinh = _float_fn("asinh", jnp.arcsinh, "AsinhBackward0", aliases=("arcsinh",))
acosh = _float_fn("acosh", jnp.arccosh, "AcoshBackward0", aliases=("arccosh",))
atanh = _float_fn("atanh", jnp.arctanh, "AtanhBackward0", aliases=("arctanh",))
# lax.logistic's derivative is y * (1 - y): finite where 1 / (1 + exp(-x)) would give nan
sigmoid = _float_fn("sigmoid", lax.logistic, "SigmoidBackward0", saves=("out",),
                    doc="``1 / (1 + exp(-input))``.")
sinc = _float_fn("sinc", jnp.sinc, "SincBackward0",
                 doc="Normalised sinc: ``sin(pi x) / (pi x)``, 1 at 0.")


def _real_only(kernel):
    return kernel_check(kernel, "c")


erf = _float_fn("erf", lax.erf, "ErfBackward0", check=_real_only("erf_vml_cpu"))
erfc = _float_fn("erfc", lax.erfc, "ErfcBackward0", check=_real_only("erfc_vml_cpu"))
erfinv = _float_fn("erfinv", lax.erf_inv, "ErfinvBackward0",
                   check=_real_only("erfinv_vml_cpu"))
lgamma = _float_fn("lgamma", lax.lgamma, "LgammaBackward0", check=_real_only("lgamma_vml_cpu"))


def _digamma(x):
    # PyTorch: digamma(+-0) = -+inf (JAX gives nan)
    return jnp.where(x == 0, jnp.copysign(jnp.full_like(x, jnp.inf), -x), lax.digamma(x))


digamma = _float_fn("digamma", _digamma, "DigammaBackward0", check=_real_only("digamma"))


@jax.custom_jvp
def _i0(x):
    return jsp.i0(x)


@_i0.defjvp
def _i0_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    # d i0 / dx = i1(x); JAX's i0e * exp(|x|) would differentiate |x| as 1 at 0
    return jsp.i0(x), jsp.i1(x) * t


i0 = _float_fn("i0", _i0, "I0Backward0", check=_real_only("i0_vml_cpu"),
               doc="Modified Bessel function of the first kind, order 0.")


# --------------------------------------------------------------------------------------------
# logit, polygamma, mvlgamma


@jax.custom_jvp
def _logit_plain(x):
    return jnp.log(x / (1 - x))


@_logit_plain.defjvp
def _logit_plain_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    # PyTorch: grad / (x * (1 - x)), inf (not JAX's nan) at 0 and 1
    return _logit_plain(x), t / (x * (1 - x))


def _logit(x, eps):
    if eps is None:
        return _logit_plain(x)
    lo, hi = eps, 1 - eps
    outside = (x < lo) | (x > hi)
    xc = jnp.clip(x, lo, hi)
    # inside the band the gradient is grad / (x * (1 - x)) (edges included), outside 0
    xs = jnp.where(outside, lax.stop_gradient(xc), x)
    return _logit_plain(xs)


_LOGIT = unary("logit", _logit, P.INT_TO_FLOAT, grad="LogitBackward0",
               check=_real_only("logit_cpu"))


@register(inplace=True, out=True)
def logit(input, eps=None):
    """``log(p / (1 - p))``; with ``eps`` the input is first clamped to ``[eps, 1 - eps]``."""
    if not isinstance(input, Tensor):
        raise arg_error("logit", ("Tensor input, float? eps = None, *, Tensor out = None",),
                        (input,))
    return dispatch(_LOGIT, (input,), (None if eps is None else float(eps),))


def _trigamma(x):
    # PyTorch's calc_trigamma: reflection below 0.5, recurrence to x + 6, asymptotic series
    small = x < 0.5
    sin_pi_x = jnp.sin(jnp.pi * x)
    result = jnp.where(small, -(jnp.pi * jnp.pi) / (sin_pi_x * sin_pi_x), jnp.zeros_like(x))
    x = jnp.where(small, 1 - x, x)
    for _ in range(6):
        result = result + 1 / (x * x)
        x = x + 1
    ixx = 1 / (x * x)
    result = result + (1 + 1 / (2 * x) + ixx * (1. / 6 - ixx * (1. / 30 - ixx * (1. / 42)))) / x
    return jnp.where(small, -result, result)


def _zeta(s, q):
    # Cephes' zeta (as PyTorch uses) is +inf at non-positive integers q
    z = jsp.zeta(jnp.asarray(s, q.dtype), q)
    return jnp.where((q <= 0) & (q == jnp.floor(q)), jnp.inf, z)


@partial(jax.custom_jvp, nondiff_argnums=(1,))
def _polygamma(x, n):
    if n == 0:
        return _digamma(x)
    if n == 1:
        return _trigamma(x)
    sign = 1.0 if n % 2 else -1.0
    return sign * math.exp(math.lgamma(n + 1.0)) * _zeta(n + 1, x)


@_polygamma.defjvp
def _polygamma_jvp(n, primals, tangents):
    (x,), (t,) = primals, tangents
    # d/dx polygamma(n, x) = polygamma(n + 1, x)
    return _polygamma(x, n), _polygamma(x, n + 1) * t


def _polygamma_check(sigs, kd, static):
    if kd.is_complex:
        raise not_implemented({0: "digamma", 1: "trigamma"}.get(static[0], "polygamma"), kd)


_POLYGAMMA = unary("polygamma", _polygamma, P.INT_TO_FLOAT, grad="PolygammaBackward0",
                   check=_polygamma_check)
_POLYGAMMA_SIGS = ("int n, Tensor input, *, Tensor out = None",)


@register(out=True, method=False)
def polygamma(n, input):
    """The ``n``-th derivative of the digamma function."""
    if not isinstance(input, Tensor) or isinstance(n, bool) or not isinstance(n, int):
        raise arg_error("polygamma", _POLYGAMMA_SIGS, (n, input))
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return dispatch(_POLYGAMMA, (input,), (n,))


@register("polygamma", function=False, inplace=True)
def _polygamma_method(self, n):
    """``Tensor.polygamma(n)``: ``torch.polygamma(n, self)``."""
    return polygamma(n, self)


def _mvlgamma(x, p):
    js = jnp.arange(p, dtype=x.dtype) * 0.5
    terms = lax.lgamma(x[..., None] - js[::-1])
    return terms.sum(-1) + p * (p - 1) * math.log(math.pi) / 4


_MVLGAMMA = unary("mvlgamma", _mvlgamma, P.INT_TO_FLOAT, grad="MvlgammaBackward0",
                  check=_real_only("mvlgamma"))


@register(inplace=True, out=True)
def mvlgamma(input, p):
    """The multivariate log-gamma function of dimension ``p``."""
    if not isinstance(input, Tensor):
        raise arg_error("mvlgamma", ("Tensor input, int p, *, Tensor out = None",), (input, p))
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return dispatch(_MVLGAMMA, (input,), (int(p),))


# --------------------------------------------------------------------------------------------
# rounding


def _rounding_check(kernel, complex_msg=None):
    def check(sigs, kd, static):
        if kd is D.bool_:
            raise not_implemented(kernel, kd)
        if kd.is_complex:
            if complex_msg:
                raise NotImplementedError(complex_msg)
            raise not_implemented(kernel, kd)
    return check


def _keep_int(fn):
    def body(x, *static):
        return x if jnp.issubdtype(x.dtype, jnp.integer) else fn(x, *static)
    return body


def _rounding(name, fn, grad, kernel, complex_msg, aliases=()):
    return define_unary(name, _keep_int(fn), P.DEFAULT, grad, aliases=aliases,
                        check=_rounding_check(kernel, complex_msg),
                        doc=f"Elementwise ``{name}`` (integer tensors are returned unchanged).")


floor = _rounding("floor", jnp.floor, "FloorBackward0", "floor_vml_cpu",
                  "floor is not supported for complex inputs")
ceil = _rounding("ceil", jnp.ceil, "CeilBackward0", "ceil_vml_cpu",
                 "ceil is not supported for complex inputs")
trunc = _rounding("trunc", jnp.trunc, "TruncBackward0", "trunc_vml_cpu",
                  "trunc is not supported for complex inputs", aliases=("fix",))


def _round_decimals(x, decimals):
    if decimals < 0:
        p = float(10 ** -decimals)
        return jnp.round(x / p) * p
    p = float(10 ** decimals)
    return jnp.round(x * p) / p


_ROUND = unary("round", _keep_int(jnp.round), P.DEFAULT, grad="RoundBackward0",
               check=_rounding_check("round_vml_cpu"))
_ROUND_DECIMALS = unary("round", _round_decimals, P.DEFAULT, grad="RoundBackward1",
                        check=kernel_check("round_cpu", "bic"))


@register(inplace=True, out=True)
def round(input, *, decimals=None):
    """Round half to even; with ``decimals``, to that many decimal places."""
    if not isinstance(input, Tensor):
        raise arg_error("round", ("Tensor input, *, Tensor out = None",
                                  "Tensor input, *, int decimals, Tensor out = None"), (input,))
    if decimals is None:
        return dispatch(_ROUND, (input,))
    return dispatch(_ROUND_DECIMALS, (input,), (int(decimals),))


frac = define_unary("frac", lambda x: x - jnp.trunc(x), P.DEFAULT, "FracBackward0",
                    check=kernel_check("frac_cpu", "bic"),
                    doc="The fractional part ``input - trunc(input)``.")


# --------------------------------------------------------------------------------------------
# relu, positive, nan_to_num, angle


def _relu_check(sigs, kd, static):
    if kd is D.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    if kd.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")


def _relu(x):
    # clamp_min(x, 0): NaN and -0.0 pass through; PyTorch's gradient is 0 where the result is
    # <= 0 and passes through elsewhere (NaN included)
    clamped = jnp.where(x < 0, jnp.zeros_like(x), x)
    return jnp.where(x <= 0, lax.stop_gradient(clamped), x)


relu = define_unary("relu", _relu, P.DEFAULT,
                    "ReluBackward0", saves=("out",), check=_relu_check, out=False,
                    doc="``max(input, 0)``; its gradient at 0 is 0, as in PyTorch.")


@register()
def positive(input):
    """``+input``: the tensor itself."""
    if not isinstance(input, Tensor):
        raise arg_error("positive", ("Tensor input",), (input,))
    if input._dtype is D.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _nan_to_num_real(x, nan, posinf, neginf):
    info = jnp.finfo(x.dtype)
    pos = info.max if posinf is None else posinf
    ng = info.min if neginf is None else neginf
    x = jnp.where(jnp.isnan(x), jnp.asarray(nan, x.dtype), x)
    x = jnp.where(x == jnp.inf, jnp.asarray(pos, x.dtype), x)
    return jnp.where(x == -jnp.inf, jnp.asarray(ng, x.dtype), x)


def _nan_to_num(x, rt, nan, posinf, neginf):
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        return x
    if jnp.iscomplexobj(x):
        re = _nan_to_num_real(jnp.real(x).astype(rt), nan, posinf, neginf)
        im = _nan_to_num_real(jnp.imag(x).astype(rt), nan, posinf, neginf)
        return lax.complex(re, im)
    # the replacement values are those of the result dtype (float16's max for float16)
    return _nan_to_num_real(x.astype(rt), nan, posinf, neginf)


def _nan_to_num_prepare(sigs, static):
    dt = sigs[0][1]
    return (dt.to_real().np,) + static


_NAN_TO_NUM = engine.Op(
    "nan_to_num", _nan_to_num, prepare=_nan_to_num_prepare, grad="NanToNumBackward0")


@register(inplace=True, out=True)
def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """Replace NaN, +inf and -inf by ``nan``, ``posinf`` (default: the dtype's max) and
    ``neginf`` (default: the dtype's lowest value)."""
    if not isinstance(input, Tensor):
        raise arg_error("nan_to_num", ("Tensor input, float? nan = None, float? posinf = None, "
                                       "float? neginf = None, *, Tensor out = None",), (input,))
    return dispatch(_NAN_TO_NUM, (input,), (float(nan) if nan is not None else 0.0,
                                             None if posinf is None else float(posinf),
                                             None if neginf is None else float(neginf)))


def _angle(x):
    if jnp.iscomplexobj(x):
        return jnp.angle(x)
    # real input: pi for negatives, 0 otherwise (NaN stays NaN); its gradient is 0
    return lax.stop_gradient(jnp.where(jnp.isnan(x), x, jnp.where(x < 0, jnp.pi, 0).astype(
        x.dtype)))


angle = define_unary("angle", _angle, INT_TO_FLOAT_REAL, "AngleBackward0",
                     doc="The argument of each element (pi for negative reals, else 0).")
