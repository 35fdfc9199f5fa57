"""More pointwise functions: deg2rad, rad2deg, gcd, lcm, ldexp, frexp, igamma, igammac."""
from __future__ import annotations

import math

import jax
import jax.lax as lax
import jax.numpy as jnp
import jax.scipy.special as jsp

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ..return_types import frexp as _frexp_t
from . import _inplace
from ._argparse import arg_error
from ._registry import register
from .pointwise import binary, define_unary, kernel_check

__all__ = ["deg2rad", "rad2deg", "gcd", "lcm", "ldexp", "frexp", "igamma", "igammac"]

_TT_SIGS = ("Tensor input, Tensor other, *, Tensor out = None",)


def _no_complex(name):
    def check(sigs, kd, static):
        if kd.is_complex:
            raise RuntimeError(f"{name} is not supported for complex tensors.")
    return check


deg2rad = define_unary("deg2rad", lambda x: x * (math.pi / 180), P.INT_TO_FLOAT,
                       "Deg2RadBackward0", linear=True, check=_no_complex("deg2rad"),
                       doc="Angles in degrees converted to radians.")
rad2deg = define_unary("rad2deg", lambda x: x * (180 / math.pi), P.INT_TO_FLOAT,
                       "Rad2DegBackward0", linear=True, check=_no_complex("rad2deg"),
                       doc="Angles in radians converted to degrees.")


def _two_tensors(name, op, doc):
    def frontend(input, other):
        if not isinstance(input, Tensor) or not isinstance(other, Tensor):
            raise arg_error(name, _TT_SIGS, (input, other))
        return dispatch(op, (input, other))

    frontend.__name__ = frontend.__qualname__ = name
    frontend.__doc__ = doc
    return register(name, inplace=True, out=True)(frontend)


def _lcm(a, b):
    g = jnp.gcd(a, b)
    safe = jnp.where(g == 0, jnp.ones_like(g), g)
    return jnp.where(g == 0, jnp.zeros_like(g), jnp.abs(a // safe * b))


_GCD = binary("gcd", jnp.gcd, check=kernel_check("gcd_cpu", "bfc"), opmath=False)
_LCM = binary("lcm", _lcm, check=kernel_check("lcm_cpu", "bfc"), opmath=False)
gcd = _two_tensors("gcd", _GCD, "Greatest common divisor of integer tensors (non-negative).")
lcm = _two_tensors("lcm", _LCM, "Least common multiple of integer tensors (non-negative).")


# ldexp: input * 2**other, in the floating promotion of both (as PyTorch's mul(self, pow(2, other)))
def _ldexp(a, b):
    p = jnp.exp(b * math.log(2.0)) if jnp.iscomplexobj(b) else jnp.exp2(b)
    return a * p


_LDEXP = binary("ldexp", _ldexp, P.INT_TO_FLOAT, grad="LdexpBackward0")


@register(out=True)
def ldexp(input, other):
    """``input * 2 ** other``."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise arg_error("ldexp", _TT_SIGS, (input, other))
    return dispatch(_LDEXP, (input, other))


@register("ldexp_", function=False)
def ldexp_(self, other):
    """In-place ``ldexp``; PyTorch names the op (not the result type) when it cannot cast."""
    _inplace.check_inplace(self)
    r = ldexp(self, other)
    if not D.can_cast(r.dtype, self.dtype):
        raise RuntimeError(f"ldexp can't be cast to the desired output type {D._short(self.dtype)}")
    return _inplace.apply_inplace(self, r)


# igamma / igammac: regularised incomplete gamma functions.  PyTorch has no derivative with
# respect to ``input`` (the shape parameter); the one with respect to ``other`` is JAX's.
def _no_grad_wrt_a(name):
    @jax.custom_vjp
    def ident(a):
        return a

    def fwd(a):
        return a, None

    def bwd(res, g):
        raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")

    ident.defvjp(fwd, bwd)
    return ident


def _igamma_body(fn, name):
    guard = _no_grad_wrt_a(name)

    def body(a, x, needs_grad_a):
        if needs_grad_a:
            a = guard(a)
        else:
            a = lax.stop_gradient(a)
        return fn(a, x)
    return body


def _igamma_op(name, fn, grad):
    return binary(name, _igamma_body(fn, name), grad=grad,
                  check=kernel_check(f"{name}_cpu", "bic"))


_IGAMMA = _igamma_op("igamma", jsp.gammainc, "IgammaBackward0")
_IGAMMAC = _igamma_op("igammac", jsp.gammaincc, "IgammacBackward0")


def _igamma_frontend(name, op, doc):
    def frontend(input, other):
        if not isinstance(input, Tensor) or not isinstance(other, Tensor):
            raise arg_error(name, _TT_SIGS, (input, other))
        # static flag: whether backward must raise for ``input`` (as PyTorch's does)
        return dispatch(op, (input, other), (bool(input.requires_grad),))

    frontend.__name__ = frontend.__qualname__ = name
    frontend.__doc__ = doc
    return register(name, inplace=True, out=True)(frontend)


igamma = _igamma_frontend("igamma", _IGAMMA,
                          "Regularised lower incomplete gamma function P(input, other).")
igammac = _igamma_frontend("igammac", _IGAMMAC,
                           "Regularised upper incomplete gamma function Q(input, other).")


# frexp: mantissa in [0.5, 1) and an int32 exponent with input == mantissa * 2 ** exponent
def _frexp_prepare(sigs, static):
    (shape, dt), = sigs
    if not dt.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    return ()


def _frexp_impl(x):
    _, e = jnp.frexp(lax.stop_gradient(x))
    # the mantissa as x * 2**-e so that its gradient is PyTorch's grad / 2**exponent (exact:
    # a power of two, applied in two halves so that subnormals' scales do not overflow; inf
    # and NaN have e == 0 and pass through)
    e = e.astype(jnp.int32)
    h = e // 2
    s1 = jnp.exp2(-h.astype(jnp.float32)).astype(x.dtype)
    s2 = jnp.exp2(-(e - h).astype(jnp.float32)).astype(x.dtype)
    return x * s1 * s2, e


_FREXP = engine.Op("frexp", _frexp_impl, prepare=_frexp_prepare, grad="FrexpBackward0")


@register(out=True)
def frexp(input):
    """Decompose ``input`` into ``(mantissa, exponent)`` with ``input = mantissa * 2**exponent``
    and ``0.5 <= |mantissa| < 1``."""
    if not isinstance(input, Tensor):
        raise arg_error("frexp", ("Tensor input, *, tuple of Tensors out = None",), (input,))
    m, e = dispatch(_FREXP, (input,))
    return _frexp_t((m, e))

