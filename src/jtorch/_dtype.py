"""torch.dtype: the dtype objects, their numpy/JAX equivalents and PyTorch's promotion lattice."""
from __future__ import annotations

import ml_dtypes
import numpy as np

from ._classrepr import TorchClassRepr

__all__ = ["dtype", "finfo", "iinfo", "promote_types", "can_cast", "get_default_dtype",
           "set_default_dtype"]


class dtype(metaclass=TorchClassRepr):
    """A tensor element type, printed as ``torch.float32``.

    Instances are singletons: compare them with ``==`` or ``is``.
    """

    __slots__ = ("_name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize",
                 "_kind", "_legacy", "__weakref__")

    def __init__(self, name, np_dtype, kind, legacy):
        self._name = name
        self.np = np.dtype(np_dtype)
        self._kind = kind  # 'b' bool, 'u' unsigned, 'i' signed int, 'f' float, 'c' complex
        self.is_floating_point = kind == "f"
        self.is_complex = kind == "c"
        self.is_signed = kind in "ifc"
        self.itemsize = self.np.itemsize
        self._legacy = legacy

    def __repr__(self):
        return "torch." + self._name

    __str__ = __repr__

    def __reduce__(self):
            return (_dtype_by_name, (self._name,))

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        return {float32: complex64, float64: complex128, float16: complex64,
                bfloat16: complex64}.get(self, self)

    @property
    def is_integral(self):
        return self._kind in "biu"


dtype.__module__ = "jtorch"


def _dtype_by_name(name):
    return _BY_NAME[name]


bool_ = dtype("bool", np.bool_, "b", "BoolTensor")
uint8 = dtype("uint8", np.uint8, "u", "ByteTensor")
int8 = dtype("int8", np.int8, "i", "CharTensor")
int16 = dtype("int16", np.int16, "i", "ShortTensor")
int32 = dtype("int32", np.int32, "i", "IntTensor")
int64 = dtype("int64", np.int64, "i", "LongTensor")
uint16 = dtype("uint16", np.uint16, "u", None)
uint32 = dtype("uint32", np.uint32, "u", None)
uint64 = dtype("uint64", np.uint64, "u", None)
float16 = dtype("float16", np.float16, "f", "HalfTensor")
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, "f", "BFloat16Tensor")
float32 = dtype("float32", np.float32, "f", "FloatTensor")
float64 = dtype("float64", np.float64, "f", "DoubleTensor")
complex64 = dtype("complex64", np.complex64, "c", "ComplexFloatTensor")
complex128 = dtype("complex128", np.complex128, "c", "ComplexDoubleTensor")
float8_e4m3fn = dtype("float8_e4m3fn", ml_dtypes.float8_e4m3fn, "f", None)
float8_e5m2 = dtype("float8_e5m2", ml_dtypes.float8_e5m2, "f", None)

ALL = (bool_, uint8, int8, int16, int32, int64, uint16, uint32, uint64, float16, bfloat16,
       float32, float64, complex64, complex128, float8_e4m3fn, float8_e5m2)
_BY_NAME = {d._name: d for d in ALL}
_BY_NP = {d.np: d for d in ALL}

# torch's aliases (torch.float is float32, torch.long is int64, ...)
ALIASES = {
    "float": float32, "double": float64, "half": float16, "int": int32, "long": int64,
    "short": int16, "cfloat": complex64, "cdouble": complex128, "bool": bool_,
}
# legacy tensor-type names accepted by Tensor.type('torch.FloatTensor')
_BY_LEGACY = {d._legacy: d for d in ALL if d._legacy}


def from_np(np_dtype) -> dtype:
    """The jtorch dtype for a numpy/JAX dtype; TypeError for one torch does not have."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint64, uint32, uint16, uint8, and bool.") from None


def from_legacy_name(name: str):
    """dtype for 'torch.FloatTensor' / 'torch.cuda.FloatTensor' (or None)."""
    short = name.rsplit(".", 1)[-1]
    return _BY_LEGACY.get(short)


# --------------------------------------------------------------------------------------------
# promotion (c10::promoteTypes)

_INT_ORDER = {bool_: 0, uint8: 1, int8: 1, int16: 2, int32: 3, int64: 4}
_FLOAT_RANK = {float16: 1, bfloat16: 1, float32: 2, float64: 3}
_BAREBONES_UNSIGNED = (uint16, uint32, uint64)
_FLOAT8 = (float8_e4m3fn, float8_e5m2)


def _promote_error(a, b):
    if a in _FLOAT8 or b in _FLOAT8:
        return RuntimeError(f"Promotion for Float8 Types is not supported, attempted to promote "
                            f"{_short(a)} and {_short(b)}")
    return RuntimeError(f"Promotion for uint16, uint32, uint64 types is not supported, attempted "
                        f"to promote {_short(a)} and {_short(b)}")


def _short(d):
    return {bool_: "Bool", uint8: "Byte", int8: "Char", int16: "Short", int32: "Int",
            int64: "Long", float16: "Half", bfloat16: "BFloat16", float32: "Float",
            float64: "Double", complex64: "ComplexFloat", complex128: "ComplexDouble",
            uint16: "UInt16", uint32: "UInt32", uint64: "UInt64",
            float8_e4m3fn: "Float8_e4m3fn", float8_e5m2: "Float8_e5m2"}[d]


def _promote(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    ka, kb = a._kind, b._kind
    if a in _FLOAT8 or b in _FLOAT8:
        raise _promote_error(a, b)
    if a in _BAREBONES_UNSIGNED or b in _BAREBONES_UNSIGNED:
        # torch only promotes the wide unsigned types with floating types
        other = b if a in _BAREBONES_UNSIGNED else a
        if other._kind == "f":
            return other
        raise _promote_error(a, b)
    if ka == "c" or kb == "c":
        prec = max(_complex_prec(a), _complex_prec(b))
        return complex128 if prec == 3 else complex64
    if ka == "f" and kb == "f":
        ra, rb = _FLOAT_RANK[a], _FLOAT_RANK[b]
        if ra == rb:  # float16 with bfloat16
            return float32
        return a if ra > rb else b
    if ka == "f":
        return a
    if kb == "f":
        return b
    # both integral (bool included)
    if {a, b} == {uint8, int8}:
        return int16
    return a if _INT_ORDER[a] >= _INT_ORDER[b] else b


def _complex_prec(d):
    if d is complex128 or d is float64:
        return 3
    return 2 if d._kind in "cf" else 0


_PROMOTE_TABLE = {}
for _a in ALL:
    for _b in ALL:
        try:
            _PROMOTE_TABLE[_a, _b] = _promote(_a, _b)
        except RuntimeError:
            pass


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype to which both ``type1`` and ``type2`` can be cast (torch.promote_types)."""
    try:
        return _PROMOTE_TABLE[type1, type2]
    except KeyError:
        if not isinstance(type1, dtype) or not isinstance(type2, dtype):
            raise TypeError("promote_types(): argument 'type1' must be torch.dtype") from None
        raise _promote_error(type1, type2) from None


def category(d: dtype) -> int:
    """bool < integral < floating < complex, as torch's type-promotion categories."""
    return {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}[d._kind]


def can_cast(from_: dtype, to: dtype) -> bool:
    """torch.can_cast: casting is allowed unless it lowers the category (float -> int, ...)."""
    return category(from_) <= category(to)


# --------------------------------------------------------------------------------------------
# default dtype

_default = [float32]


def get_default_dtype() -> dtype:
    """The floating dtype used for Python floats and float factory functions (float32)."""
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype; only float32, float64, float16 and bfloat16 are allowed."""
    if not isinstance(d, dtype) or not d.is_floating_point or d in _FLOAT8:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def default_complex() -> dtype:
    return complex128 if _default[0] is float64 else complex64


# --------------------------------------------------------------------------------------------
# finfo / iinfo

class finfo(metaclass=TorchClassRepr):
    """Machine limits of a floating dtype (torch.finfo)."""

    def __init__(self, type=None):
        d = get_default_dtype() if type is None else type
        if not isinstance(d, dtype) or d._kind not in "fc":
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo "
                            "to handle 'torch.finfo'")
        d = d.to_real()
        info = ml_dtypes.finfo(d.np)
        self.bits = info.bits
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = float(info.tiny)
        self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(np.floor(-np.log10(self.eps)))
        self.dtype = d._name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo(metaclass=TorchClassRepr):
    """Machine limits of an integer dtype (torch.iinfo)."""

    def __init__(self, type):
        if not isinstance(type, dtype) or type._kind not in "biu":
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        info = np.iinfo(np.uint8 if type is bool_ else type.np)
        self.bits = info.bits
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type._name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


finfo.__module__ = iinfo.__module__ = "jtorch"
