"""Unary pointwise ops against PyTorch: values, dtypes, errors, in-place/out= forms, gradients.

One table (``UNARY``) drives everything: each entry is run over every sample dtype, its
in-place and ``out=`` surfaces, a few shapes, and (when differentiable) its gradient.
"""
import numpy as np
import pytest

from oracle import check, check_grad, needs_torch
from pointwise_samples import DTYPES, sample

# name -> call; the default call is torch.<name>(x)
UNARY = {
    "abs": None, "absolute": None, "neg": None, "negative": None, "sign": None, "sgn": None,
    "reciprocal": None, "sqrt": None, "rsqrt": None, "square": None, "exp": None, "exp2": None,
    "expm1": None, "log": None, "log2": None, "log10": None, "log1p": None, "sin": None,
    "cos": None, "tan": None, "asin": None, "arcsin": None, "acos": None, "arccos": None,
    "atan": None, "arctan": None, "sinh": None, "cosh": None, "tanh": None, "asinh": None,
    "arcsinh": None, "acosh": None, "arccosh": None, "atanh": None, "arctanh": None,
    "sigmoid": None, "logit": None, "erf": None, "erfc": None, "erfinv": None, "lgamma": None,
    "digamma": None, "i0": None, "sinc": None, "floor": None, "ceil": None, "round": None,
    "trunc": None, "fix": None, "frac": None, "relu": None, "positive": None,
    "nan_to_num": None, "angle": None, "conj_physical": None, "bitwise_not": None,
    "logical_not": None, "isnan": None, "isinf": None, "isposinf": None, "isneginf": None,
    "isfinite": None, "isreal": None, "signbit": None, "deg2rad": None, "rad2deg": None,
    "frexp": None,
    "logit_eps": lambda t, x: t.logit(x, eps=0.2),
    "round_decimals": lambda t, x: t.round(x, decimals=1),
    "round_neg_decimals": lambda t, x: t.round(x * 100, decimals=-2),
    "polygamma1": lambda t, x: t.polygamma(1, x),
    "polygamma2": lambda t, x: t.polygamma(2, x),
    "polygamma0": lambda t, x: t.polygamma(0, x),
    "nan_to_num_args": lambda t, x: t.nan_to_num(x, nan=1.5, posinf=7.0, neginf=-7.0),
    "conj": lambda t, x: t.conj(x).clone(),
    "real": lambda t, x: t.real(x).clone(),
    "imag": lambda t, x: t.imag(x).clone(),
    "resolve_conj": lambda t, x: t.resolve_conj(x).clone(),
    "resolve_neg": lambda t, x: t.resolve_neg(x).clone(),
}

# ops whose float16/bfloat16 results may differ from PyTorch's by one unit in the last place
HALF_TOL = {"rtol": 1e-2, "atol": 1e-3}
# float32 libm differences (XLA vs SLEEF/glibc) on the special functions
LOOSE = {"lgamma", "digamma", "polygamma1", "polygamma2", "polygamma0", "erfinv", "i0",
         "sinc", "acosh", "arccosh", "tan", "asinh", "arcsinh", "expm1", "log1p"}


def _call(name):
    fn = UNARY[name]
    if fn is None:
        return lambda t, x: getattr(t, name)(x)
    return fn


def _tol(name, dtype):
    if dtype in ("float16", "bfloat16"):
        return HALF_TOL
    if name in LOOSE and dtype in ("float32", "complex64", "int32", "int64", "uint8", "bool"):
        return {"rtol": 1e-4, "atol": 1e-5}
    return {"rtol": 1e-5, "atol": 1e-6}


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(UNARY))
def test_unary(name, dtype):
    f = _call(name)
    check(lambda t: f(t, sample(t, dtype)), message=True, **_tol(name, dtype))


INPLACE = [n for n in UNARY if UNARY[n] is None and n not in (
    "positive", "angle", "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal",
    "signbit", "relu")] + ["relu"]


@needs_torch
@pytest.mark.parametrize("dtype", ["int64", "float32"])
@pytest.mark.parametrize("name", INPLACE)
def test_unary_inplace(name, dtype):
    def fn(t):
        x = sample(t, dtype)
        y = x.clone()
        r = getattr(y, name + "_")()
        return r is y, y
    check(fn, message=True, **_tol(name, dtype))


OUT = [n for n in UNARY if UNARY[n] is None and n not in (
    "positive", "relu", "angle", "isnan", "isinf", "isfinite", "isreal", "resolve_conj",
    "resolve_neg", "frexp")]


@needs_torch
@pytest.mark.parametrize("name", OUT)
def test_unary_out(name):
    def fn(t):
        x = sample(t, "float32")
        out = t.empty(3, 4, dtype=getattr(t, name)(x).dtype)
        r = getattr(t, name)(x, out=out)
        return r is out, out
    check(fn, message=True, **_tol(name, "float32"))


@needs_torch
@pytest.mark.parametrize("shape", [(), (0, 3), (5,), (2, 1, 3)])
@pytest.mark.parametrize("name", ["exp", "abs", "sign", "floor", "isnan", "logical_not",
                                  "sigmoid", "square"])
def test_unary_shapes(name, shape):
    f = _call(name)
    check(lambda t: f(t, sample(t, "float32", shape=shape)), message=True)


@needs_torch
@pytest.mark.parametrize("call", [
    "t.exp(3)", "t.exp([1.0])", "t.sin(None)", "t.round(3)", "t.logit('a')",
    "t.polygamma(-1, t.ones(2))", "t.polygamma(1.5, t.ones(2))", "t.mvlgamma(t.ones(2), 0)",
    "t.mvlgamma(t.ones(2) * 0.2, 2)", "t.mvlgamma(t.ones(2) * 3, 2)",
    "t.mvlgamma(t.arange(3, 6), 3)", "t.ones(2, dtype=t.int64).exp_()",
    "t.ones(2, dtype=t.bool).neg_()", "t.exp(t.ones(2), out=t.empty(2, dtype=t.int64))",
    "t.abs(t.ones(2), out=t.empty(3))", "t.ones(2).expand(3, 2).exp_()",
    "t.nan_to_num(t.tensor([1., float('nan')]), nan=None)",
    "t.frac(t.tensor([-1.5, 2.25, -0.0]))", "t.sgn(t.tensor([0j, 3 + 4j, -2j]))",
    "t.sign(t.tensor([float('nan'), -0.0, 0.0]))",
    "t.digamma(t.tensor([0.0, -0.0, -1.0, -1.5]))",
    "t.angle(t.tensor([-1.0, 0.0, -0.0, float('nan'), float('-inf')]))",
    "t.round(t.tensor([0.5, 1.5, 2.5, -0.5, -2.5]))",
    "t.round(t.tensor([1.2345, -1.2355], dtype=t.float16), decimals=2)",
    "t.nan_to_num(t.tensor([float('inf'), -float('inf'), float('nan')], dtype=t.float16))",
    "t.tensor([-128], dtype=t.int8).abs()", "-t.tensor([3], dtype=t.uint8)",
    "t.logit(t.tensor([0.0, 0.05, 0.5, 0.95, 1.0]), eps=0.1)",
    "t.erfinv(t.tensor([-1.0, 1.0, 1.5, 0.0]))",
    "t.lgamma(t.tensor([0.0, -1.0, -2.5, 1e-30]))",
])
def test_unary_cases(call):
    check(lambda t: eval(call), message=True)


# ------------------------------------------------------------------------------------------
# gradients

_GRAD_X = np.array([-1.5, -0.5, 0.0, 0.25, 0.5, 1.0, 2.5])
_GRAD_POS = np.array([0.1, 0.3, 0.5, 0.7, 0.9, 1.5, 3.0])
GRAD = {
    "abs": _GRAD_X, "neg": _GRAD_X, "sign": _GRAD_X, "sgn": _GRAD_X, "reciprocal": _GRAD_POS,
    "sqrt": np.array([0.0, 0.5, 2.0]), "rsqrt": _GRAD_POS, "square": _GRAD_X, "exp": _GRAD_X,
    "exp2": _GRAD_X, "expm1": _GRAD_X, "log": _GRAD_POS, "log2": _GRAD_POS,
    "log10": _GRAD_POS, "log1p": _GRAD_POS, "sin": _GRAD_X, "cos": _GRAD_X, "tan": _GRAD_X,
    "asin": _GRAD_X / 3, "acos": _GRAD_X / 3, "atan": _GRAD_X, "sinh": _GRAD_X,
    "cosh": _GRAD_X, "tanh": _GRAD_X, "asinh": _GRAD_X, "acosh": _GRAD_POS + 1,
    "atanh": _GRAD_X / 3, "sigmoid": np.array([-800.0, -1.0, 0.0, 2.0, 800.0]),
    "logit": _GRAD_POS / 3, "logit_eps": np.array([0.05, 0.2, 0.5, 0.8, 0.95]),
    "erf": _GRAD_X, "erfc": _GRAD_X, "erfinv": _GRAD_X / 3, "lgamma": _GRAD_POS,
    "digamma": _GRAD_POS, "polygamma1": _GRAD_POS, "i0": _GRAD_X, "sinc": _GRAD_X,
    "floor": _GRAD_X, "ceil": _GRAD_X, "round": _GRAD_X, "round_decimals": _GRAD_X,
    "trunc": _GRAD_X, "frac": _GRAD_X, "deg2rad": _GRAD_X, "rad2deg": _GRAD_X,
    "frexp": _GRAD_X, "relu": _GRAD_X, "positive": _GRAD_X,
    "nan_to_num": np.array([1.0, np.nan, np.inf, -np.inf]), "angle": _GRAD_X,
    "conj_physical": _GRAD_X, "real": _GRAD_X,
}
GRAD_COMPLEX = ["abs", "sgn", "exp", "log", "sqrt", "sin", "tanh", "sigmoid", "reciprocal",
                "angle", "conj", "conj_physical", "real", "imag", "neg", "square"]


@needs_torch
@pytest.mark.parametrize("name", list(GRAD))
def test_unary_grad(name):
    f = _call(name)
    check_grad(lambda t, x: f(t, x), GRAD[name])


@needs_torch
@pytest.mark.parametrize("name", GRAD_COMPLEX)
def test_unary_grad_complex(name):
    f = _call(name)
    z = np.array([1 + 2j, -0.5 + 0.25j, 2 - 1j, 0.3 + 0j])

    def fn(t, x):
        y = f(t, x)
        return (t.real(y), t.imag(y)) if y.is_complex() else y
    check_grad(fn, z)


@needs_torch
@pytest.mark.parametrize("name", ["abs", "exp", "sigmoid", "tanh", "relu", "floor", "sgn",
                                  "polygamma1", "mvlgamma", "round_decimals", "logit_eps",
                                  "nan_to_num"])
def test_unary_grad_fn(name):
    f = UNARY.get(name) or (lambda t, x: getattr(t, name)(x))
    if name == "mvlgamma":
        f = lambda t, x: t.mvlgamma(x + 3, 2)  # noqa: E731
    check(lambda t: f(t, t.tensor([0.5, 0.25], requires_grad=True)), check_grad_fn=True)


# torch.special: the functions only it has, dtypes and errors (the aliases share the main ops)
SPECIAL = [
    "t.special.entr(t.tensor([0., 0.5, 1., -1., float('nan'), 2.])), t.special.entr(t.tensor([1, 2]))",
    "t.special.erfcx(t.tensor([-1., 0., 1., 10., 30.])), t.special.i0e(t.tensor([0., 1., -2.])), "
    "t.special.i1(t.tensor([0., 1., -2.])), t.special.i1e(t.tensor([0., 1., -2.]))",
    "t.special.ndtr(t.tensor([0., 1., -2.])), t.special.ndtri(t.tensor([0., 0.5, 0.9, 1.])), "
    "t.special.log_ndtr(t.tensor([0., 1., -20.]))",
    "t.special.xlog1py(t.tensor([0., 1., 2.]), t.tensor([-1., 1., 3.])), "
    "t.special.xlog1py(2., t.tensor([1.])), t.special.xlog1py(t.tensor([0.]), float('nan'))",
    "t.special.zeta(t.tensor([2., 3.]), t.tensor([1., 2.])), t.special.zeta(2., t.tensor([1.]))",
    "t.special.spherical_bessel_j0(t.tensor([0., 1., 5.])), "
    "t.special.spherical_bessel_j0(t.tensor([2.], requires_grad=True)).requires_grad",
    "t.special.expit(t.tensor([0.])), t.special.gammaln(t.tensor([3.])), "
    "t.special.psi(t.tensor([1.])), t.special.multigammaln(t.tensor([2.5]), 2), "
    "t.special.gammainc(t.tensor([1.]), t.tensor([2.])), "
    "t.special.gammaincc(t.tensor([1.]), t.tensor([2.])), "
    "t.special.logsumexp(t.tensor([1., 2.]), 0), t.special.softmax(t.tensor([1., 2.]), 0), "
    "t.special.log_softmax(t.tensor([1., 2.]), 0), t.special.round(t.tensor([1.5])), "
    "t.special.xlogy(t.tensor([0.]), 0.), t.special.sinc(t.tensor([0.5])), "
    "t.special.exp2(t.tensor([3])), t.special.erf(t.tensor([0.5])), t.special.i0(t.tensor([1.]))",
    "t.special.i1(t.tensor([1.], dtype=t.float64)), t.special.ndtr(t.tensor([1.], dtype=t.float16))",
    "t.special.entr(t.tensor([True]))", "t.special.entr(t.tensor([1j]))", "t.special.entr(2.)",
    "t.special.entr(t.tensor([0.5], requires_grad=True)), "
    "t.special.ndtr(t.tensor([0.5], requires_grad=True))",
    "t.special.zeta(t.tensor([2.], requires_grad=True), t.tensor([1.])).sum().backward()",
    "t.special.ndtr(t.tensor([0.5]), out=t.empty(1))",
]


@needs_torch
@pytest.mark.parametrize("call", SPECIAL)
def test_special(call):
    check(lambda t: eval(call), message=True, check_grad_fn=True)
