"""PyTorch's type promotion: ``torch.result_type`` and the elementwise promotion kinds.

Operands fall into three groups that promote differently: tensors with dimensions, zero-dim
tensors, and Python numbers ("wrapped numbers").  A lower group only matters when its category
(bool < integral < floating < complex) is higher than every group above it, so
``int_tensor + 2.5`` is float32 (the default dtype), ``float16_tensor + 1e10`` stays float16,
and ``int64_tensor + float64_0d_tensor`` is float32.
"""
from __future__ import annotations

from . import _dtype as D

__all__ = ["result_type_sigs", "scalar_dtype", "combine_categories", "promote_sigs",
           "DEFAULT", "INT_TO_FLOAT", "ALWAYS_BOOL", "COMPLEX_TO_FLOAT", "BOOL_TO_LONG",
           "KEEP", "elementwise_dtypes"]

# promotion kinds (torch._prims_common.ELEMENTWISE_TYPE_PROMOTION_KIND)
DEFAULT = "default"
INT_TO_FLOAT = "int_to_float"
ALWAYS_BOOL = "always_bool"
COMPLEX_TO_FLOAT = "complex_to_float"
BOOL_TO_LONG = "bool_to_long"
KEEP = "keep"  # result dtype is the promoted dtype; no opmath upcast


def scalar_dtype(t) -> D.dtype:
    """The dtype a Python number of type ``t`` takes as a wrapped number."""
    if t is bool:
        return D.bool_
    if t is int:
        return D.int64
    if t is float:
        return D.get_default_dtype()
    if t is complex:
        return D.default_complex()
    raise TypeError(f"unsupported scalar type {t.__name__}")


def _p(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return D.promote_types(a, b)


def combine_categories(higher, lower):
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        # a float tensor keeps its precision: float64 with a complex scalar is complex128
        if higher.is_floating_point:
            return higher.to_complex()
        return lower
    if higher.is_floating_point:
        return higher
    if higher is D.bool_ or lower.is_floating_point:
        return _p(higher, lower)
    return higher


def result_type_sigs(sigs) -> D.dtype:
    """torch.result_type over input signatures: (shape, dtype) for tensors, a type for numbers."""
    dim = zero = wrapped = None
    for s in sigs:
        if type(s) is tuple:
            shape, dt = s
            if shape:
                dim = dt if dim is None else _p(dim, dt)
            else:
                zero = dt if zero is None else _p(zero, dt)
        elif s is not type(None):
            dt = scalar_dtype(s)
            wrapped = dt if wrapped is None else _p(wrapped, dt)
    r = combine_categories(dim, combine_categories(zero, wrapped))
    return r


def opmath(dt: D.dtype) -> D.dtype:
    """The dtype PyTorch computes in for ``dt`` (float32 for the 16-bit floats)."""
    if dt is D.float16 or dt is D.bfloat16:
        return D.float32
    return dt


def elementwise_dtypes(sigs, kind):
    """(compute dtype, result dtype) for an elementwise op of promotion ``kind``."""
    rt = result_type_sigs(sigs)
    if kind == DEFAULT:
        return opmath(rt), rt
    if kind == INT_TO_FLOAT:
        if rt.is_integral:
            rt = D.get_default_dtype()
        return opmath(rt), rt
    if kind == ALWAYS_BOOL:
        return opmath(rt), D.bool_
    if kind == COMPLEX_TO_FLOAT:
        return opmath(rt), rt.to_real()
    if kind == BOOL_TO_LONG:
        if rt is D.bool_:
            rt = D.int64
        return opmath(rt), rt
    if kind == KEEP:
        return rt, rt
    raise ValueError(kind)
