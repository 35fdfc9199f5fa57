"""PyTorch's argument rules shared by the op definitions: dims, sizes, broadcasting, scalars."""
from __future__ import annotations

import numbers
import operator

import numpy as np

from .. import _dtype as D

__all__ = ["wrap_dim", "wrap_dims", "broadcast_shapes", "parse_size", "is_scalar", "numel",
           "check_dtype", "dtype_arg"]


def wrap_dim(dim, ndim, scalar_ok=True):
    """Normalise a possibly negative dim; IndexError with PyTorch's message when out of range."""
    try:
        dim = operator.index(dim)
    except TypeError:
        raise TypeError(f"dim must be an int, not {type(dim).__name__}") from None
    n = ndim if ndim > 0 or not scalar_ok else 1
    if dim < -n or dim >= n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


def wrap_dims(dim, ndim):
    """``dim`` as a sorted-as-given tuple of non-negative dims (None means all dims)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        out = tuple(wrap_dim(d, ndim) for d in dim)
        if len(set(out)) != len(out):
            d = next(d for d in out if out.count(d) > 1)
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        return out
    return (wrap_dim(dim, ndim),)


def broadcast_shapes(a, b):
    """The broadcast of two shapes, or PyTorch's RuntimeError naming the mismatch."""
    if a == b:
        return a
    na, nb = len(a), len(b)
    n = max(na, nb)
    out = [0] * n
    # PyTorch's infer_size walks from the last dimension: it reports the last mismatch
    for i in range(n - 1, -1, -1):
        da = a[na - n + i] if na - n + i >= 0 else 1
        db = b[nb - n + i] if nb - n + i >= 0 else 1
        if da == db or db == 1:
            out[i] = da
        elif da == 1:
            out[i] = db
        else:
            raise RuntimeError(f"The size of tensor a ({da}) must match the size of tensor b "
                               f"({db}) at non-singleton dimension {i}")
    return tuple(out)


def broadcast_all(shapes):
    out = ()
    for s in shapes:
        out = broadcast_shapes(out, s)
    return out


def parse_size(size, name="size"):
    """Sizes given as varargs, a list/tuple/Size, or a 1-d tensor -> tuple of ints."""
    if len(size) == 1 and not isinstance(size[0], numbers.Integral) and \
            not (hasattr(size[0], "__index__") and getattr(size[0], "ndim", 0) == 0):
        size = size[0]
    if hasattr(size, "tolist") and not isinstance(size, (list, tuple)):
        size = size.tolist()
    try:
        out = tuple(operator.index(s) for s in size)
    except TypeError:
        bad = next(s for s in size if not hasattr(s, "__index__"))
        raise TypeError(f"{name} must be tuple of ints, but got {type(bad).__name__}") from None
    for s in out:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(str(x) for x in out)}]")
    return out


def is_scalar(x):
    return isinstance(x, (bool, int, float, complex, np.number, np.bool_))


def py_scalar(x):
    """A numpy scalar as the Python number of the same kind."""
    if isinstance(x, (np.bool_, np.number)):
        return x.item()
    return x


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def dtype_arg(dtype):
    """Accept torch dtypes, numpy dtypes and Python types (float, int, bool) as dtype=."""
    if dtype is None or isinstance(dtype, D.dtype):
        return dtype
    if dtype is float:
        return D.float64
    if dtype is int:
        return D.int64
    if dtype is bool:
        return D.bool_
    if dtype is complex:
        return D.complex128
    try:
        return D.from_np(np.dtype(dtype))
    except TypeError:
        raise TypeError(f"dtype must be torch.dtype, not {type(dtype).__name__}") from None


def check_dtype(dtype):
    d = dtype_arg(dtype)
    return d


def parse_size_allow_neg(size, name="size"):
    """Like parse_size, but -1 (an inferred dim) is allowed and no check is made."""
    if len(size) == 1 and not isinstance(size[0], numbers.Integral) and \
            not (hasattr(size[0], "__index__") and getattr(size[0], "ndim", 0) == 0):
        size = size[0]
    if hasattr(size, "tolist") and not isinstance(size, (list, tuple)):
        size = size.tolist()
    if isinstance(size, numbers.Integral):
        return (operator.index(size),)
    try:
        return tuple(operator.index(s) for s in size)
    except TypeError:
        bad = next(s for s in size if not hasattr(s, "__index__"))
        raise TypeError(f"{name} must be tuple of ints, but got {type(bad).__name__}") from None
