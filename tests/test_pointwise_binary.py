"""Binary (and ternary) pointwise ops against PyTorch: promotion over dtype pairs, Python
scalars, broadcasting, errors, in-place/out= forms and gradients, from one table."""
import numpy as np
import pytest

from oracle import check, check_grad, needs_torch
from pointwise_samples import DTYPES, sample

BINARY = {
    "add": None, "sub": None, "mul": None, "div": None, "true_divide": None,
    "floor_divide": None, "remainder": None, "fmod": None, "pow": None, "float_power": None,
    "maximum": None, "minimum": None, "fmax": None, "fmin": None, "hypot": None,
    "logaddexp": None, "logaddexp2": None, "copysign": None, "nextafter": None, "atan2": None,
    "arctan2": None, "xlogy": None, "heaviside": None, "bitwise_and": None, "bitwise_or": None,
    "bitwise_xor": None, "bitwise_left_shift": None, "bitwise_right_shift": None,
    "logical_and": None, "logical_or": None, "logical_xor": None, "eq": None, "ne": None,
    "lt": None, "le": None, "gt": None, "ge": None, "isclose": None,
    "gcd": None, "lcm": None, "ldexp": None, "igamma": None, "igammac": None,
    "add_alpha": lambda t, a, b: t.add(a, b, alpha=2),
    "sub_alpha": lambda t, a, b: t.sub(a, b, alpha=3),
    "rsub": lambda t, a, b: t.rsub(a, b),
    "div_trunc": lambda t, a, b: t.div(a, b, rounding_mode="trunc"),
    "div_floor": lambda t, a, b: t.div(a, b, rounding_mode="floor"),
    "lerp": lambda t, a, b: t.lerp(a, b, 0.3),
    "lerp_w": lambda t, a, b: t.lerp(a, b, 0.75),
    "where": lambda t, a, b: t.where(t.isfinite(a), a, b),
    "clamp_t": lambda t, a, b: t.clamp(a, min=b),
    "clamp_min_t": lambda t, a, b: t.clamp_min(a, b),
    "clamp_max_t": lambda t, a, b: t.clamp_max(a, b),
}
SCALAR_OK = [n for n in BINARY if n not in (
    "maximum", "minimum", "fmax", "fmin", "hypot", "logaddexp", "logaddexp2", "nextafter",
    "atan2", "arctan2", "heaviside", "logical_and", "logical_or", "logical_xor", "isclose",
    "lerp", "lerp_w", "gcd", "lcm", "ldexp", "igamma", "igammac")]

MIXED = [("int32", "float32"), ("bfloat16", "float16"), ("int64", "float64-0d"),
         ("float32", "complex64"), ("uint8", "int32-0d")]


def _call(name):
    fn = BINARY[name]
    return fn or (lambda t, a, b: getattr(t, name)(a, b))


def _tol(*dtypes):
    if any(d.startswith(("float16", "bfloat16")) for d in dtypes):
        return {"rtol": 1e-2, "atol": 1e-3}
    return {"rtol": 1e-5, "atol": 1e-5}


def _operand(t, spec, which):
    if spec.endswith("-0d"):
        return sample(t, spec[:-3], which, shape=())
    return sample(t, spec, which, shape=(3, 4) if which == 0 else (4,))


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary(name, dtype):
    f = _call(name)
    check(lambda t: f(t, _operand(t, dtype, 0), _operand(t, dtype, 1)), message=True,
          **_tol(dtype))


@needs_torch
@pytest.mark.parametrize("pair", MIXED, ids=["-".join(p) for p in MIXED])
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_mixed(name, pair):
    f = _call(name)
    check(lambda t: f(t, _operand(t, pair[0], 0), _operand(t, pair[1], 1)), message=True,
          **_tol(*pair))


SCALARS = [("int64", 2), ("int64", 2.5), ("float16", 2.5), ("float32", -1), ("bool", True),
           ("uint8", -1)]


@needs_torch
@pytest.mark.parametrize("dtype,scalar", SCALARS, ids=[f"{d}-{s!r}" for d, s in SCALARS])
@pytest.mark.parametrize("name", SCALAR_OK)
def test_binary_scalar(name, dtype, scalar):
    f = _call(name)
    check(lambda t: f(t, sample(t, dtype), scalar), message=True, **_tol(dtype))


@needs_torch
@pytest.mark.parametrize("scalar", [3, 0.5], ids=["3", "0.5"])
@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "remainder", "xlogy",
                                  "bitwise_and", "bitwise_left_shift", "rsub", "float_power",
                                  "floor_divide", "fmod", "eq", "where", "maximum", "copysign"])
def test_binary_scalar_first(name, scalar):
    f = _call(name)
    check(lambda t: f(t, scalar, sample(t, "float32")), message=True)
    check(lambda t: f(t, scalar, sample(t, "int64", 1)), message=True)


INPLACE = [n for n in BINARY if BINARY[n] is None and n not in (
    "maximum", "minimum", "fmax", "fmin", "logaddexp", "logaddexp2", "isclose")]


@needs_torch
@pytest.mark.parametrize("dtype", ["int64", "float32", "bool"])
@pytest.mark.parametrize("name", INPLACE)
def test_binary_inplace(name, dtype):
    # (an operand of another dtype would show a difference in error order: PyTorch reports a
    # result that cannot be cast to self's dtype before a dtype its kernel does not support)
    def fn(t):
        x = sample(t, dtype)
        r = getattr(x, name + "_")(sample(t, dtype, 1, shape=(4,)))
        return r is x, x
    check(fn, message=True)


OUT = [n for n in BINARY if BINARY[n] is None and n != "isclose"]


@needs_torch
@pytest.mark.parametrize("name", OUT)
def test_binary_out(name):
    def fn(t):
        a, b = sample(t, "float32"), sample(t, "float32", 1, shape=(4,))
        out = t.empty(0, dtype=getattr(t, name)(a, b).dtype)
        r = getattr(t, name)(a, b, out=out)
        return r is out, out
    check(fn, message=True)


@needs_torch
@pytest.mark.parametrize("call", [
    # type errors: PyTorch's argument parser messages
    "t.add(t.ones(2), 'a')", "t.add(t.ones(2), None)", "t.add(t.ones(2), [1, 2])",
    "t.mul(t.ones(2), np.array([1.0, 2.0]))", "t.eq(t.ones(2), 'a')", "t.lt(1, t.ones(2))",
    "t.maximum(t.ones(2), 2.0)", "t.maximum(2.0, t.ones(2))", "t.hypot(t.ones(2), 1)",
    "t.heaviside(t.ones(2), 1.0)", "t.fmod(2.0, t.ones(2))", "t.pow(t.ones(2), 'a')",
    "t.bitwise_and(t.ones(2, dtype=t.int64), 'a')", "t.logical_and(t.ones(2), 1)",
    "t.xlogy(2, 3)", "t.where(t.ones(2) > 0, t.ones(2), None)",
    "t.where(t.ones(2) > 0, t.ones(2))", "t.clamp(t.ones(2), min=t.zeros(2), max=1.0)",
    "t.clamp_min(t.ones(2), None)", "t.add(t.ones(2), t.ones(2), alpha='a')",
    "t.equal(t.ones(2), 1)", "t.isclose(t.ones(2), 1.0)", "t.remainder(2, 3)",
    # value errors
    "t.add(t.ones(2, dtype=t.int64), 1, alpha=1.5)", "t.add(t.ones(2), 1, alpha=1j)",
    "t.add(t.ones(2, dtype=t.int64), 1, alpha=True)",
    "t.add(t.ones(2, dtype=t.bool), t.ones(2, dtype=t.bool), alpha=2)",
    "t.sub(t.ones(2, dtype=t.bool), 1)", "t.sub(1, t.ones(2, dtype=t.bool))",
    "t.sub(t.ones(2, dtype=t.bool), True)", "t.rsub(t.ones(2, dtype=t.bool), 1)",
    "t.div(t.ones(2), 2, rounding_mode='round')",
    "t.floor_divide(t.ones(2, dtype=t.int64), 0)",
    "t.remainder(t.ones(2, dtype=t.int64), t.tensor([1, 0]))",
    "t.fmod(t.ones(2, dtype=t.int32), 0)", "t.div(t.ones(2, dtype=t.int64), 0)",
    "t.div(t.ones(2, dtype=t.int64), 0, rounding_mode='trunc')",
    "t.pow(t.ones(2, dtype=t.int64), -1)", "t.pow(t.tensor([2, 1, -1, 0]), t.tensor([-1]))",
    "t.pow(t.ones(2, dtype=t.bool), t.ones(2, dtype=t.bool))",
    "t.pow(t.ones(2, dtype=t.bool), True)", "t.pow(1, t.tensor([1.0, 2.0]))",
    "t.pow(t.tensor([2, 3], dtype=t.uint8), 9)", "t.pow(t.tensor([-2, 3]), 63)",
    "t.tensor([1.0, 2.0]).float_power_(2)", "t.tensor([1.0], dtype=t.float64).float_power_(2j)",
    "t.float_power(t.ones(2), 2, out=t.empty(2))", "t.float_power(2, t.tensor([1, 2]))",
    "t.float_power(t.ones(2), 1j)", "t.heaviside(t.ones(2), t.ones(2, dtype=t.float64))",
    "t.lerp(t.ones(2), t.ones(2, dtype=t.float64), 0.5)",
    "t.lerp(t.ones(2), t.ones(2), t.ones(2, dtype=t.float64))",
    "t.lerp(t.ones(2, dtype=t.int64), t.ones(2, dtype=t.int64), 0.5)",
    "t.lerp(t.ones(2), t.ones(2), 1j)", "t.lerp(t.ones(2), t.ones(3, 2), t.tensor(0.3))",
    "t.addcdiv(t.ones(2), t.ones(2, dtype=t.int64), t.ones(2, dtype=t.int64))",
    "t.addcmul(t.ones(2, dtype=t.bool), t.ones(2, dtype=t.bool), t.ones(2, dtype=t.bool))",
    "t.addcmul(t.ones(2), t.ones(2), t.ones(2), value=1j)",
    "t.addcmul(t.ones(2, dtype=t.int64), t.ones(2, dtype=t.int64), t.ones(2, dtype=t.int64), "
    "value=0.5)",
    "t.ones(2) + t.ones(3)", "t.ones(2, 3) * t.ones(3, 2)",
    "t.ones(2, dtype=t.int64).add_(1.5)", "t.ones(2).add_(t.ones(3, 2))",
    "t.ones(2, dtype=t.bool).mul_(2)",
    # clamp
    "t.clamp(t.ones(2))", "t.clamp(t.tensor([True, False]), 0, 1)",
    "t.clamp(t.tensor([1j]), 0, 1)", "t.clamp(t.tensor([1, 2, 3]), 0.5, 1.5)",
    "t.clamp(t.tensor([1., 2.]), 2, 1)",
    "t.clamp(t.tensor([float('nan'), 1.]), 0, 0.5)",
    "t.clamp(t.tensor([2., 1.]), float('nan'), 0.5)",
    "t.clamp(t.tensor([2., 1.]), 0., float('nan'))",
    "t.clamp(t.tensor([0., 1., 2.]), t.tensor([0.5, 1.5, 2.5]), t.tensor([1.0, 1.0, 2.0]))",
    "t.clip(t.arange(5), max=3)",
    # where
    "t.where(t.tensor([True, False]), 1.0, 0.0)", "t.where(t.tensor([True, False]), 1, 0)",
    "t.where(t.tensor([True, False]), t.tensor([1, 2]), 0.5)",
    "t.where(t.tensor([1., 0.]), 1.0, 0.0)",
    "t.where(t.tensor([True, False]), t.ones(2, dtype=t.float16), t.ones(2, dtype=t.float64))",
    "t.where(t.tensor([True, False]), t.tensor(1., dtype=t.float64), t.tensor([1, 2]))",
    "t.tensor([1., 2.]).where(t.tensor([True, False]), 0.0)",
    # equal / allclose / isclose
    "t.equal(t.ones(2), t.ones(2, dtype=t.float64))", "t.equal(t.ones(2), t.ones(3))",
    "t.equal(t.tensor([float('nan')]), t.tensor([float('nan')]))",
    "t.equal(t.tensor([1, 2]), t.tensor([1.0, 2.0]))",
    "t.allclose(t.ones(2), t.ones(2, dtype=t.float64))",
    "t.allclose(t.tensor([1.0, 2.0]), t.tensor([1.0, 2.00001]))",
    "t.allclose(t.tensor([1.0, 2.0]), t.tensor([1.0, 2.1]))",
    "t.allclose(t.ones(2), t.ones(3, 1))", "t.allclose(t.tensor([1, 2]), t.tensor([1, 2]))",
    "t.isclose(t.ones(2), t.ones(2), rtol=-1)", "t.isclose(t.ones(2), t.ones(2), atol=-1.5)",
    "t.isclose(t.tensor([1, 5, 10]), t.tensor([2, 5, 12]), rtol=0, atol=1)",
    "t.isclose(t.tensor([1., float('nan'), float('inf')]), "
    "t.tensor([1., float('nan'), float('inf')]), equal_nan=True)",
    "t.isclose(t.tensor([True, False]), t.tensor([True, True]))",
    "t.isclose(t.tensor([1.0, 2.0]), t.tensor([1.0001, 2.1]), rtol=1e-3, atol=0)",
])
def test_binary_cases(call):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(lambda t: eval(call), message=True)


@needs_torch
@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
@pytest.mark.parametrize("dtype", ["float32", "float16", "int64", "float64"])
def test_addc(name, dtype):
    def fn(t):
        a = sample(t, dtype)
        b = sample(t, dtype, 1, shape=(4,))
        c = sample(t, "float32" if dtype == "int64" and name == "addcdiv" else dtype, 1,
                   shape=(3, 1), finite=True)
        return getattr(t, name)(a, b, c), getattr(t, name)(a, b, c, value=2), \
            getattr(a.clone(), name + "_")(b, c, value=-1)
    check(fn, message=True, **_tol(dtype))


# ------------------------------------------------------------------------------------------
# gradients

_A = np.array([[-1.5, -0.5, 0.0, 0.5], [1.0, 2.0, 2.0, -3.0], [0.25, 0.0, 1.5, -2.0]])
_B = np.array([0.5, -0.5, 0.0, 2.0])
_POS_A = np.abs(_A) + 0.5
_POS_B = np.abs(_B) + 0.25
GRAD = {
    "add": (_A, _B), "sub": (_A, _B), "mul": (_A, _B), "div": (_A, _POS_B),
    "add_alpha": (_A, _B), "sub_alpha": (_A, _B), "rsub": (_A, _B),
    "remainder": (_A, _POS_B), "fmod": (_A, _POS_B), "pow": (_POS_A, _B),
    "float_power": (_POS_A, _B), "maximum": (_A, _B), "minimum": (_A, _B), "fmax": (_A, _B),
    "fmin": (_A, _B), "hypot": (_A, _B), "logaddexp": (_A, _B), "logaddexp2": (_A, _B),
    "copysign": (_A, _B), "nextafter": (_A, _B), "atan2": (_A, _B), "xlogy": (_A, _POS_B),
    "lerp": (_A, _B), "lerp_w": (_A, _B), "where": (_A, _B), "clamp_t": (_A, _B),
    "clamp_min_t": (_A, _B), "clamp_max_t": (_A, _B), "div_trunc": (_A, _POS_B),
    "div_floor": (_A, _POS_B), "ldexp": (_A, _B),
}


@needs_torch
@pytest.mark.parametrize("name", list(GRAD))
def test_binary_grad(name):
    f = _call(name)
    check_grad(lambda t, a, b: f(t, a, b), *GRAD[name])


@needs_torch
@pytest.mark.parametrize("call", [
    "t.pow(a, 2)", "t.pow(a, 0.5)", "t.pow(a, -1)", "t.pow(a, 3)", "t.pow(a, 2.5)",
    "t.pow(a, 0)", "t.pow(2, a)", "a ** b", "t.square(a)", "t.clamp(a, -0.5, 0.5)",
    "t.clamp(a, min=0.0)", "t.clamp(a, max=0.0)", "t.clamp(a, 1.0, -1.0)",
    "t.clamp(a, b, b)", "t.clamp(a, b - 1, b)", "t.clamp(a, b, b - 1)", "t.clamp_min(a, 0.0)",
    "t.clamp_max(a, 0.5)", "t.where(a > 0, a, b)", "t.where(a > 0, a, 0.0)",
    "t.where(a > 0, t.sqrt(a), 0.0)", "t.lerp(a, b, b)", "t.addcmul(a, a, b, value=0.5)",
    "t.addcdiv(a, a, b + 3, value=2)", "t.xlogy(2.0, b + 1)", "t.xlogy(a, 3.0)",
    "t.copysign(a, -1.0)", "t.nan_to_num(t.log(a))", "t.remainder(a, 1.5)", "t.fmod(a, 1.5)",
    "a.maximum(a)", "t.logaddexp(a, a)", "t.hypot(a * 0, b * 0)", "t.atan2(a * 0, b * 0)",
])
def test_grad_cases(call):
    a = np.array([-1.5, -0.5, 0.0, 0.5, 2.0])
    b = np.array([0.5, -0.5, 0.0, 2.0, 2.0])
    check_grad(lambda t, a, b: eval(call), a, b)


@needs_torch
@pytest.mark.parametrize("call", [
    "t.floor_divide(a, b)", "t.heaviside(a, b)", "t.remainder(2.0, a)", "t.igamma(a, b)",
    "t.igammac(a, b)",
])
def test_grad_not_implemented(call):
    def fn(t):
        a = t.tensor([0.5, 1.5], requires_grad=True)
        b = t.tensor([2.0, 0.0], requires_grad=True)
        y = eval(call)
        name = type(y.grad_fn).__name__
        y.sum().backward()
        return name
    check(fn, message=True)


@needs_torch
@pytest.mark.parametrize("call", [
    "a + b", "a + 2", "2 + a", "a - b", "2 - a", "a * 2", "a / b", "2 / a", "a ** 2", "2 ** a",
    "a ** b", "a % 2", "t.remainder(a, b)", "t.fmod(a, b)", "t.fmod(a, 2)",
    "t.div(a, b, rounding_mode='floor')", "t.clamp(a, 0, 1)", "t.clamp(a, b)",
    "t.clamp(a, b, b + 1)", "t.clamp_min(a, 0.0)", "t.clamp_min(a, b)", "t.clamp_max(a, 0.0)",
    "t.clamp_max(a, b)", "t.lerp(a, b, 0.3)", "t.lerp(a, b, b)", "t.addcmul(a, a, b)",
    "t.addcdiv(a, a, b)", "t.where(a > 0.3, a, b)", "t.xlogy(a, b)", "t.xlogy(a, 2.0)",
    "t.xlogy(2.0, a)", "t.copysign(a, b)", "t.copysign(a, -1.0)", "t.maximum(a, b)",
    "t.fmax(a, b)", "t.hypot(a, b)", "t.atan2(a, b)", "t.logaddexp(a, b)",
    "t.nextafter(a, b)", "t.float_power(a, 2)", "t.float_power(a, b)", "t.float_power(2, a)",
    "t.ldexp(a, b)", "t.igamma(a.detach(), b)", "t.igammac(a.detach(), b)",
])
def test_grad_fn_names(call):
    def fn(t):
        a = t.tensor([0.5, 0.2], requires_grad=True)
        b = t.tensor([0.3, 0.7], requires_grad=True)
        return eval(call)
    check(fn, check_grad_fn=True)
