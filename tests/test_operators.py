"""The Python operator protocol on Tensor against PyTorch: operators, reflected and augmented
forms, operands of other types (None, str, lists, numpy scalars and arrays), bool tensors,
integer division by zero, overflow, 16-bit floats and complex numbers."""
import operator
import warnings

import numpy as np
import pytest

from oracle import check, check_grad, needs_torch
from pointwise_samples import sample

OPS = ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and_", "or_", "xor",
       "lshift", "rshift", "eq", "ne", "lt", "le", "gt", "ge"]
DTYPES = ["bool", "uint8", "int64", "float16", "float32", "complex64"]


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", OPS)
def test_operator(op, dtype):
    f = getattr(operator, op)
    check(lambda t: f(sample(t, dtype), sample(t, dtype, 1, shape=(4,))), message=True,
          rtol=1e-2 if dtype == "float16" else 1e-5)


@needs_torch
@pytest.mark.parametrize("scalar", [3, 2.5, True], ids=["3", "2.5", "True"])
@pytest.mark.parametrize("dtype", ["int64", "float32", "bool"])
@pytest.mark.parametrize("op", OPS)
def test_operator_reflected(op, dtype, scalar):
    f = getattr(operator, op)
    check(lambda t: f(scalar, sample(t, dtype, 1)), message=True)
    check(lambda t: f(sample(t, dtype, 1), scalar), message=True)


@needs_torch
@pytest.mark.parametrize("dtype", ["int64", "float32", "bool"])
@pytest.mark.parametrize("op", ["iadd", "isub", "imul", "itruediv", "ifloordiv", "imod", "ipow",
                                "iand", "ior", "ixor", "ilshift", "irshift"])
def test_operator_inplace(op, dtype):
    f = getattr(operator, op)

    def fn(t):
        x = sample(t, dtype)
        y = f(x, sample(t, dtype, 1, shape=(4,)))
        return y is x, x
    check(fn, message=True)


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["neg", "pos", "abs", "invert"])
def test_unary_operator(op, dtype):
    f = getattr(operator, op)
    check(lambda t: f(sample(t, dtype)), message=True)


@needs_torch
@pytest.mark.parametrize("expr", [
    # other operand types
    "x * np.float64(2)", "np.float64(2) * x", "i * np.float64(2.5)", "i.int() * np.int64(3)",
    "h * np.float64(3)", "x + np.bool_(True)", "x == None", "x != None", "x < None",
    "x == 'a'", "x != 'a'", "x + 'a'", "x < 'a'", "x + None", "None + x", "x + [1, 2]",
    "x + (1, 2)", "[1, 2] + x",
    # bool tensors
    "-b", "b + b", "b - b", "b * b", "b / b", "b // b", "~b", "~x", "b ** 2", "+b", "abs(b)",
    "b + 1", "b + 1.5", "i + True", "b & True", "b | 1", "b - 1", "1 - b", "b - True",
    # integer division and overflow
    "i // 0", "i % 0", "i // t.tensor([0, 1])", "x // 0", "x % 0", "i / 0", "0 // i",
    "t.tensor([250], dtype=t.uint8) + 10", "t.tensor([2**31 - 1], dtype=t.int32) + 1",
    "-t.tensor([3], dtype=t.uint8)", "t.tensor([-2**63]) // -1",
    "t.tensor([100], dtype=t.int8) * 3", "t.tensor([1], dtype=t.uint8) - 2",
    "t.tensor([-7, 7]) // 2", "t.tensor([-7, 7]) % -3", "t.tensor([-7., 7.]) % -3",
    "t.tensor([-7., 7.]) // 0.5", "t.tensor([-1., 0., 1.]) // 0",
    "x // t.tensor([0., -3.])", "t.tensor([5.]) % float('inf')",
    # reflected
    "2 - x", "2 / i", "2 ** i", "2.5 ** i", "2 ** x", "i ** -1", "i ** -1.", "i ** 2.5",
    "2 // i", "7 % i", "1 << i", "i << 1", "i >> 1", "x << 1", "i << 1.5", "i & 1.5",
    "x & 1", "-1 >> i", "t.tensor([1, 2], dtype=t.uint8) >> 9",
    "t.tensor([-8, 8], dtype=t.int8) >> t.tensor([9, 1], dtype=t.int8)",
    "t.tensor([1, 2]) << t.tensor([64, -1])",
    # 16-bit floats, complex
    "h + 1e10", "h * 100000", "h / 3", "bf * bf", "bf + 1e-3", "bf / 7",
    "x * 1j", "i / 1j", "z * z", "z / z", "z // 1", "z % 2", "z ** 2", "z ** 0.5", "z < z",
    "z == z", "2 ** z", "z + 1", "-z", "abs(z)",
])
def test_operator_cases(expr):
    def fn(t):
        x = t.tensor([1., 2.])
        i = t.tensor([1, 2])
        b = t.tensor([True, False])
        h = t.tensor([1., 2.], dtype=t.float16)
        bf = t.tensor([1.1, 2.3], dtype=t.bfloat16)
        z = t.tensor([1 + 2j, -0.5 + 1j])
        return eval(expr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        check(fn, message=True)


@needs_torch
@pytest.mark.parametrize("stmt", [
    "y += 1.5", "y += 1", "y -= 1", "y *= 2", "y /= 2", "y //= 2", "y %= 2", "y **= 2",
    "y &= 1", "y |= 2", "y ^= 3", "y <<= 2", "y >>= 1", "y += t.ones(3)", "y += 'a'",
])
@pytest.mark.parametrize("dtype", ["int64", "float32"])
def test_augmented(stmt, dtype):
    def fn(t):
        y = t.tensor([1, 2], dtype=getattr(t, dtype))
        z = y
        exec(stmt)
        return z is y, z
    check(fn, message=True)


@needs_torch
@pytest.mark.parametrize("expr", ["x + a", "a + x", "x == a", "a == x", "x * a32", "i + a32",
                                  "x < a"])
def test_numpy_array_operands(expr):
    def fn(t):
        x = t.tensor([1., 2.])
        i = t.tensor([1, 2])
        a = np.array([1., 3.])
        a32 = np.array([1., 2.], dtype=np.float32)
        r = eval(expr)
        return type(r).__name__, np.asarray(r).dtype.name, np.asarray(r).tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        check(fn, message=True)


@needs_torch
def test_inplace_keeps_identity_and_version():
    def fn(t):
        x = t.tensor([1., 2.])
        v = x._version
        y = x
        x += 1
        x *= 2
        return y is x, x._version - v, x
    check(fn)


@needs_torch
@pytest.mark.parametrize("expr", ["a * b + a / b - a ** 2", "2 / a", "2 - a", "2 ** a", "-a",
                                  "abs(a)", "a % 1.5", "(a > 0) * a"])
def test_operator_grad(expr):
    check_grad(lambda t, a, b: eval(expr), np.array([-1.5, -0.5, 0.5, 2.0]),
               np.array([0.5, -2.0, 1.5, 3.0]))
