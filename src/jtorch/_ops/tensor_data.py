"""``torch.tensor(data)``'s conversion of Python data, following PyTorch's tensor_new.cpp.

Three passes, in PyTorch's order so that the same input raises the same error:

1. ``compute_sizes``: the shape, read by descending into the first element of each sequence
   (numpy arrays are sequences; tensors and strings stop the descent);
2. ``infer_dtype``: the promoted dtype of every leaf (Python numbers, numpy scalars and arrays,
   tensors);
3. ``store``: every leaf converted to the target dtype, checking that each sequence has the
   length the shape says, with PyTorch's overflow rules.

The result is a numpy array; creation.py turns it into a tensor.
"""
from __future__ import annotations

import numbers
import operator
from collections.abc import Sequence

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor

__all__ = ["to_numpy", "infer_dtype", "np_dtype_of"]


def np_dtype_of(a):
    """jtorch dtype of a numpy array, with PyTorch's message for unsupported ones."""
    try:
        return D.from_np(a.dtype)
    except TypeError:
        raise TypeError(f"can't convert np.ndarray of type numpy.{a.dtype.type.__name__}. The "
                        "only supported types are: float64, float32, float16, complex64, "
                        "complex128, int64, int32, int16, int8, uint64, uint32, uint16, uint8, "
                        "and bool.") from None


def _is_seq(x):
    if isinstance(x, (list, tuple, np.ndarray, range)):
        return not (isinstance(x, np.ndarray) and x.ndim == 0)
    if isinstance(x, (str, bytes, Tensor, dict, set)) or isinstance(x, np.generic):
        return False
    return isinstance(x, (Sequence, bytearray))


def compute_sizes(data):
    sizes = []
    seq = data
    while _is_seq(seq):
        if isinstance(seq, np.ndarray):
            sizes.extend(seq.shape)
            break
        n = len(seq)
        sizes.append(n)
        if n == 0:
            break
        seq = seq[0]
        if isinstance(seq, str):
            raise ValueError("too many dimensions 'str'")
    return sizes


def _leaf_dtype(x):
    if isinstance(x, bool):
        return D.bool_
    if isinstance(x, Tensor):
        return x._dtype
    if isinstance(x, (np.generic, np.ndarray)):
        return np_dtype_of(np.asarray(x))
    if isinstance(x, numbers.Integral):
        return D.int64
    if isinstance(x, float):
        return D.get_default_dtype()
    if isinstance(x, complex):
        return D.default_complex()
    if isinstance(x, numbers.Real):
        return D.get_default_dtype()
    if isinstance(x, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def infer_dtype(data):
    """The dtype torch.tensor infers for ``data`` (PyTorch's infer_scalar_type)."""
    if isinstance(data, np.ndarray):
        return np_dtype_of(data)
    if isinstance(data, Tensor):
        return data._dtype
    if not _is_seq(data):
        return _leaf_dtype(data)
    out = None
    stack = [data]
    while stack:
        seq = stack.pop()
        for x in seq:
            if _is_seq(x) and not isinstance(x, np.ndarray):
                stack.append(x)
                continue
            d = _leaf_dtype(x)
            out = d if out is None else D.promote_types(out, d)
    return out if out is not None else D.get_default_dtype()


def _unpack_int(x):
    if isinstance(x, Tensor):
        if x._dtype.is_floating_point or x._dtype.is_complex or x.numel() != 1:
            if x.numel() == 1:
                return x.item()
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return x.item()
    if isinstance(x, float):
        return x
    if isinstance(x, complex):
        raise TypeError("must be real number, not complex")
    if isinstance(x, np.generic):
        return x.item()
    return operator.index(x)


def _unpack_real(x):
    if isinstance(x, Tensor):
        if x.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return x.item()
    if isinstance(x, (bool, numbers.Real)):
        return float(x) if not isinstance(x, bool) else x
    if isinstance(x, np.ndarray):
        return float(x)
    if isinstance(x, complex):
        raise TypeError("must be real number, not complex")
    raise TypeError(f"must be real number, not {type(x).__name__}")


def _unpack_complex(x):
    if isinstance(x, Tensor):
        if x.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return complex(x.item())
    if isinstance(x, (numbers.Number, np.generic)):
        return complex(x)
    raise TypeError(f"must be real number, not {type(x).__name__}")


def _unpack_bool(x):
    if isinstance(x, Tensor):
        if x.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return bool(x.item())
    if isinstance(x, (numbers.Number, np.generic)):
        return bool(x)
    raise TypeError(f"must be real number, not {type(x).__name__}")


def store(data, sizes, dtype):
    """The leaves of ``data`` as a flat Python list of numbers for ``dtype``."""
    if dtype is D.bool_:
        unpack = _unpack_bool
    elif dtype.is_complex:
        unpack = _unpack_complex
    elif dtype.is_integral:
        unpack = _unpack_int
    else:
        unpack = _unpack_real
    out = []
    ndim = len(sizes)

    def rec(seq, dim):
        if dim == ndim:
            out.append(unpack(seq))
            return
        if isinstance(seq, np.ndarray) and tuple(seq.shape) == tuple(sizes[dim:]):
            out.extend(seq.ravel().tolist())
            return
        if isinstance(seq, Tensor) and seq._shape == tuple(sizes[dim:]):
            out.extend(np.asarray(seq._numpy_view()).ravel().tolist())
            return
        if not (_is_seq(seq) or isinstance(seq, Tensor)):
            raise TypeError("not a sequence")
        n = len(seq)
        if n != sizes[dim]:
            raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {n})")
        for x in seq:
            rec(x, dim + 1)

    rec(data, 0)
    return out


def _check_int_range(flat, dtype):
    """PyTorch's checked conversion of Python numbers into an integer dtype: floats must lie in
    the type's range; ints too, except that unsigned types take negative ints down to -max
    (wrapping, as C's cast does)."""
    info = np.iinfo(dtype.np)
    mn, mx = int(info.min), int(info.max)
    lo = -mx if mn == 0 else mn
    for v in flat:
        if isinstance(v, float):
            ok = v == v and mn <= v <= mx
        else:
            ok = lo <= v <= mx
        if not ok:
            raise RuntimeError(f"value cannot be converted to type {dtype._name} without overflow")


def to_numpy(data, dtype):
    """``data`` (nested sequences of numbers/tensors/arrays) as a numpy array of ``dtype``."""
    sizes = compute_sizes(data)
    flat = store(data, sizes, dtype)
    for v in flat:
        if type(v) is int and not -2 ** 63 <= v < (2 ** 64 if dtype is D.uint64 else 2 ** 63):
            raise ValueError("Overflow when unpacking long long")
    if dtype.is_integral and dtype is not D.bool_:
        _check_int_range(flat, dtype)
        if any(isinstance(v, float) for v in flat):
            flat = [int(v) if isinstance(v, float) else v for v in flat]
        if dtype is D.uint64:
            a = np.array(flat, dtype=np.uint64)
        else:
            a = np.array(flat, dtype=np.int64).astype(dtype.np)
    else:
        with np.errstate(over="ignore"):
            a = np.array(flat, dtype=np.complex128 if dtype.is_complex else (
                np.bool_ if dtype is D.bool_ else np.float64)).astype(dtype.np)
    return a.reshape(sizes)
