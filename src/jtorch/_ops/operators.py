"""Python operators on Tensor (``+ - * / // % ** @ & | ^ ~ << >>``, comparisons, their reflected
and augmented forms), each bound to its op-table entry."""
from __future__ import annotations

from .._tensor import Tensor
from . import pointwise as pw
from .pointwise import operand

__all__ = ["install_operators"]


def _reflected(fn):
    def r(self, other):
        return fn(operand(other, "other"), self)
    return r


def _cmp(fn, none_result=False):
    def c(self, other):
        if other is None:
            return none_result
        try:
            other = operand(other)
        except TypeError:
            return NotImplemented
        return fn(self, other)
    return c


def _rdiv(self, other):
    return pw.mul(pw.reciprocal(self), operand(other))


def _not_implemented_for_bad_operand(fn):
    def f(self, other):
        try:
            other = operand(other)
        except TypeError:
            return NotImplemented
        return fn(self, other)
    return f


def install_operators(T=Tensor):
    g = _not_implemented_for_bad_operand
    T.__add__ = g(pw.add)
    T.__radd__ = g(pw.add)
    T.__iadd__ = lambda self, other: self.add_(other)
    T.__sub__ = g(pw.sub)
    T.__rsub__ = g(lambda self, other: pw.rsub(self, other))
    T.__isub__ = lambda self, other: self.sub_(other)
    T.__mul__ = g(pw.mul)
    T.__rmul__ = g(pw.mul)
    T.__imul__ = lambda self, other: self.mul_(other)
    T.__truediv__ = g(pw.div)
    T.__rtruediv__ = g(_rdiv)
    T.__itruediv__ = lambda self, other: self.div_(other)
    T.__floordiv__ = g(pw.floor_divide)
    T.__rfloordiv__ = g(_reflected(pw.floor_divide))
    T.__ifloordiv__ = lambda self, other: self.floor_divide_(other)
    T.__mod__ = g(pw.remainder)
    T.__rmod__ = g(_reflected(pw.remainder))
    T.__imod__ = lambda self, other: self.remainder_(other)
    T.__pow__ = g(pw.pow)
    T.__rpow__ = g(_reflected(pw.pow))
    T.__ipow__ = lambda self, other: self.pow_(other)
    T.__neg__ = pw.neg
    T.__pos__ = pw.positive
    T.__abs__ = pw.abs
    T.__invert__ = pw.bitwise_not
    T.__and__ = g(pw.bitwise_and)
    T.__rand__ = g(pw.bitwise_and)
    T.__iand__ = lambda self, other: self.bitwise_and_(other)
    T.__or__ = g(pw.bitwise_or)
    T.__ror__ = g(pw.bitwise_or)
    T.__ior__ = lambda self, other: self.bitwise_or_(other)
    T.__xor__ = g(pw.bitwise_xor)
    T.__rxor__ = g(pw.bitwise_xor)
    T.__ixor__ = lambda self, other: self.bitwise_xor_(other)
    T.__eq__ = _cmp(pw.eq)
    T.__ne__ = _cmp(pw.ne, True)
    T.__lt__ = _cmp(pw.lt)
    T.__le__ = _cmp(pw.le)
    T.__gt__ = _cmp(pw.gt)
    T.__ge__ = _cmp(pw.ge)
