"""Sample inputs shared by the pointwise tests: the same values built in torch and in jtorch.

``sample(lib, dtype)`` is a 3x4 tensor of the dtype holding ordinary and special values
(0, -0.0, +-inf, NaN for floats; negative values, wrap-around values for integers).
"""
import numpy as np

DTYPES = ["bool", "uint8", "int32", "int64", "float16", "bfloat16", "float32", "float64",
          "complex64"]

_FLOATS = [-2.5, -1.0, -0.5, -0.0, 0.0, 0.3, 0.5, 1.0, 2.0, 3.7, np.inf, np.nan]
_FLOATS2 = [1.5, -1.0, 0.5, 2.0, 0.0, -0.3, 0.5, 3.0, -2.0, 0.7, np.inf, 1.0]
_INTS = [-3, -2, -1, 0, 1, 2, 3, 4, 5, -7, 100, 7]
_INTS2 = [2, -3, 1, 5, 1, -2, 3, 2, 2, 3, 7, -1]
_BOOLS = [True, False, True, True, False, False, True, False, True, False, True, True]


def values(dtype, which=0, n=12, finite=False):
    """Sample values of ``dtype`` as a Python list (complex: pairs of the float samples)."""
    if dtype == "bool":
        v = _BOOLS if which == 0 else _BOOLS[::-1]
        return v[:n]
    if dtype in ("uint8", "int8", "int16", "int32", "int64"):
        v = np.array(_INTS if which == 0 else _INTS2)
        return v.astype(dtype).tolist()[:n]
    f = np.array(_FLOATS if which == 0 else _FLOATS2)
    if finite or dtype.startswith("complex"):  # complex inf/nan: libm-specific results
        f = np.where(np.isfinite(f), f, 1.25)
    if dtype.startswith("complex"):
        # no signed zeros: JAX ignores their sign on branch cuts (asinh(-0-2.5j))
        f = np.where(f == 0, 0.0, f)
        g = np.roll(f, 3)
        return [complex(a, b) for a, b in zip(f, g)][:n]
    return f.tolist()[:n]


def sample(lib, dtype, which=0, shape=(3, 4), finite=False):
    """A tensor of ``shape`` with the sample values of ``dtype`` (repeated or truncated)."""
    if 0 in shape:
        return lib.zeros(shape, dtype=getattr(lib, dtype))
    n = int(np.prod(shape)) if shape else 1
    v = values(dtype, which, finite=finite)
    v = (v * (n // len(v) + 1))[:n]
    nested = np.array(v, dtype=object).reshape(shape).tolist()
    return lib.tensor(nested, dtype=getattr(lib, dtype))
