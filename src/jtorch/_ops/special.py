"""Elementwise special functions only ``torch.special`` exposes: entr, erfcx, i0e, i1, i1e,
ndtr, ndtri, log_ndtr, xlog1py, zeta, spherical_bessel_j0.  Registered in the op
table without ``torch.X``/``Tensor.X`` surfaces; ``jtorch.special`` exposes them."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp

from .. import _promotion as P
from .._dispatch import dispatch, dispatch_nograd
from .._tensor import Tensor
from ._argparse import arg_error
from ._registry import register
from .pointwise import binary, kernel_check, number_or_tensor, unary

__all__ = ["entr", "erfcx", "i0e", "i1", "i1e", "ndtr", "ndtri", "log_ndtr", "xlog1py", "zeta",
           "spherical_bessel_j0"]


def _entr(x):
    # -x log x; 0 at 0, -inf for negatives (PyTorch), NaN stays NaN
    safe = jnp.where(x > 0, x, jnp.ones_like(x))
    v = jnp.where(x > 0, -x * jnp.log(safe), jnp.where(x == 0, jnp.zeros_like(x), -jnp.inf))
    return jnp.where(jnp.isnan(x), x, v)


def _erfcx(x):
    # exp(x**2) * erfc(x) in double precision (exp(x**2) overflows float32 from x ~ 9.4), and
    # the asymptotic series past x = 26 where it overflows float64 too
    xd = x.astype(jnp.float64)
    big = xd > 26
    xs = jnp.where(big, jnp.zeros_like(xd), xd)
    small = jnp.exp(xs * xs) * jsp.erfc(xs)
    xb = jnp.where(big, xd, jnp.ones_like(xd))
    inv = 1 / (2 * xb * xb)
    asym = (1 - inv + 3 * inv ** 2 - 15 * inv ** 3) / (xb * jnp.sqrt(jnp.pi))
    return jnp.where(big, asym, small).astype(x.dtype)


def _spherical_j0(x):
    safe = jnp.where(x == 0, jnp.ones_like(x), x)
    return jnp.where(x == 0, jnp.ones_like(x), jnp.sin(safe) / safe)


_FLOAT_ONLY = "bc"  # PyTorch's special kernels: no bool/complex


def _no_derivative(fn, name):
    """``fn`` whose backward raises PyTorch's NotImplementedError for ``name``."""

    @jax.custom_vjp
    def f(*args):
        return fn(*args)

    def fwd(*args):
        return fn(*args), None

    def bwd(res, g):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented.")

    f.defvjp(fwd, bwd)
    return f


def _define(name, fn, grad=None, differentiable=True, kernel=None):
    op = unary(name, fn, P.INT_TO_FLOAT, grad=grad,
               check=kernel_check(kernel or f"{name}_cpu", _FLOAT_ONLY))
    run = dispatch if differentiable else dispatch_nograd

    def frontend(input):
        if not isinstance(input, Tensor):
            raise arg_error(f"special_{name}", ("Tensor input, *, Tensor out = None",), (input,))
        return run(op, (input,))

    frontend.__name__ = frontend.__qualname__ = name
    frontend.__doc__ = f"Elementwise ``{name}`` (``torch.special.{name}``)."
    return register(name, function=False, method=False, out=True, family="special")(frontend)


entr = _define("entr", _entr, "SpecialEntrBackward0")
erfcx = _define("erfcx", _erfcx, "SpecialErfcxBackward0")
i0e = _define("i0e", jsp.i0e, "SpecialI0EBackward0")
i1 = _define("i1", jsp.i1, "SpecialI1Backward0")
i1e = _define("i1e", jsp.i1e, "SpecialI1EBackward0")
ndtr = _define("ndtr", jsp.ndtr, "MulBackward1")  # PyTorch composes it: the node is a mul
ndtri = _define("ndtri", jsp.ndtri, "SpecialNdtriBackward0")
log_ndtr = _define("log_ndtr", jsp.log_ndtr, "SpecialLogNdtrBackward0")
# PyTorch's results of these carry no autograd history
spherical_bessel_j0 = _define("spherical_bessel_j0", _spherical_j0, differentiable=False)


@jax.custom_jvp
def _xlog1py(x, y):
    zero = (x == 0) & ~jnp.isnan(y)
    r = x * jnp.log1p(jnp.where(zero, jnp.zeros_like(y), y))
    return jnp.where(zero, jnp.zeros_like(r), r)


@_xlog1py.defjvp
def _xlog1py_jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    # PyTorch: d/dx = log1p(y) (also where x == 0), d/dy = x / (1 + y)
    return _xlog1py(x, y), tx * jnp.log1p(y) + ty * x / (1 + y)


_XLOG1PY = binary("xlog1py", _xlog1py, P.INT_TO_FLOAT, grad="SpecialXlog1PyBackward0",
                  check=kernel_check("xlog1py_cpu", _FLOAT_ONLY))
_ZETA = binary("zeta", _no_derivative(lambda x, q: jsp.zeta(x, q), "zeta"),
               P.INT_TO_FLOAT, grad="SpecialZetaBackward0",
               check=kernel_check("zeta_cpu", _FLOAT_ONLY))
_BIN_SIGS = ("Tensor self, Tensor other, *, Tensor out = None",
             "Number self, Tensor other, *, Tensor out = None",
             "Tensor self, Number other, *, Tensor out = None")


def _binary_frontend(name, op):
    def frontend(input, other):
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            raise arg_error(f"special_{name}", _BIN_SIGS, (input, other))
        if not isinstance(input, Tensor):
            input = number_or_tensor(input, f"special_{name}", _BIN_SIGS, (input, other))
        if not isinstance(other, Tensor):
            other = number_or_tensor(other, f"special_{name}", _BIN_SIGS, (input, other))
        return dispatch(op, (input, other))

    frontend.__name__ = frontend.__qualname__ = name
    frontend.__doc__ = f"``torch.special.{name}``."
    return register(name, function=False, method=False, out=True, family="special")(frontend)


xlog1py = _binary_frontend("xlog1py", _XLOG1PY)
zeta = _binary_frontend("zeta", _ZETA)
