"""Python operators on Tensor (``+ - * / // % ** & | ^ ~ << >>``, comparisons, their reflected
and augmented forms), each bound to its op-table entry.

An operand that is neither a Tensor nor a number (a string, None, a list, a numpy array) makes
the operator return ``NotImplemented``, as PyTorch's do: Python then raises its own TypeError,
``==`` falls back to identity, and a numpy array computes the operation itself (wrapping the
result back into a Tensor through ``__array_wrap__``).
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import pointwise as pw
from . import pointwise_logic as lg
from . import pointwise_math as pm
from .pointwise import _BAD, _SCALARS, _coerce

__all__ = ["install_operators"]


def _binary(fn):
    def op(self, other):
        if type(other) not in _SCALARS and not isinstance(other, Tensor):
            other = _coerce(other)
            if other is _BAD:
                return NotImplemented
        return fn(self, other)
    return op


def _reflected(fn):
    def op(self, other):
        if type(other) not in _SCALARS:
            other = _coerce(other)
            if other is _BAD or isinstance(other, Tensor):
                return NotImplemented
        return fn(other, self)
    return op


def _inplace(method):
    def op(self, other):
        if type(other) not in _SCALARS and not isinstance(other, Tensor):
            other = _coerce(other)
            if other is _BAD:
                return NotImplemented
        return getattr(self, method)(other)
    return op


def _equality(fn):
    # PyTorch's == and != (only these) compare with a numpy array elementwise themselves
    def op(self, other):
        if type(other) not in _SCALARS and not isinstance(other, Tensor):
            if isinstance(other, np.ndarray):
                return fn(self, pw.operand(other))
            other = _coerce(other)
            if other is _BAD:
                return NotImplemented
        return fn(self, other)
    return op


def _rsub(self, other):
    return pw.rsub(self, other)


def _rtruediv(self, other):
    # PyTorch computes ``number / tensor`` as ``reciprocal(tensor) * number`` (MulBackward0)
    return pw.mul(pm.reciprocal(self), other)


def _invert(self):
    if not self._dtype.is_integral:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return lg.bitwise_not(self)


def install_operators(T=Tensor):
    """Bind the Python operator protocol of ``T`` to the op table."""
    b, r, i = _binary, _reflected, _inplace
    T.__add__ = b(pw.add)
    T.__radd__ = b(pw.add)
    T.__iadd__ = i("add_")
    T.__sub__ = b(pw.sub)
    T.__rsub__ = r(lambda other, self: _rsub(self, other))
    T.__isub__ = i("sub_")
    T.__mul__ = b(pw.mul)
    T.__rmul__ = b(pw.mul)
    T.__imul__ = i("mul_")
    T.__truediv__ = b(pw.div)
    T.__rtruediv__ = r(lambda other, self: _rtruediv(self, other))
    T.__itruediv__ = i("div_")
    T.__floordiv__ = b(pw.floor_divide)
    T.__rfloordiv__ = r(pw.floor_divide)
    T.__ifloordiv__ = i("floor_divide_")
    T.__mod__ = b(pw.remainder)
    T.__rmod__ = r(pw.remainder)
    T.__imod__ = i("remainder_")
    T.__pow__ = b(pw.pow)
    T.__rpow__ = r(pw.pow)
    T.__ipow__ = i("pow_")
    T.__neg__ = pm.neg
    T.__pos__ = pm.positive
    T.__abs__ = pm.abs
    T.__invert__ = _invert
    T.__and__ = b(lg.bitwise_and)
    T.__rand__ = b(lg.bitwise_and)
    T.__iand__ = i("bitwise_and_")
    T.__or__ = b(lg.bitwise_or)
    T.__ror__ = b(lg.bitwise_or)
    T.__ior__ = i("bitwise_or_")
    T.__xor__ = b(lg.bitwise_xor)
    T.__rxor__ = b(lg.bitwise_xor)
    T.__ixor__ = i("bitwise_xor_")
    T.__lshift__ = b(lg.bitwise_left_shift)
    T.__rlshift__ = r(lg.bitwise_left_shift)
    T.__ilshift__ = i("bitwise_left_shift_")
    T.__rshift__ = b(lg.bitwise_right_shift)
    T.__rrshift__ = r(lg.bitwise_right_shift)
    T.__irshift__ = i("bitwise_right_shift_")
    T.__eq__ = _equality(lg.eq)
    T.__ne__ = _equality(lg.ne)
    T.__lt__ = b(lg.lt)
    T.__le__ = b(lg.le)
    T.__gt__ = b(lg.gt)
    T.__ge__ = b(lg.ge)
