"""nn.Parameter: a tensor that a Module registers as a parameter."""
from __future__ import annotations

from .._tensor import Tensor, _alias

__all__ = ["Parameter", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]


class Parameter(Tensor):
    """A Tensor that is a module parameter (``requires_grad=True`` by default, even under
    ``no_grad``).  It shares storage with the tensor it is made from."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .._ops.creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter.__new__(): argument 'data' (position 1) must be Tensor, "
                            f"not {type(data).__name__}")
        t = _alias(data, cls)
        if requires_grad:
            t.requires_grad_(True)
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        from ..autograd import no_grad
        with no_grad():
            data = self.detach().clone()
        result = type(self)(data, self.requires_grad)
        result.__dict__.update({k: v for k, v in self.__dict__.items()})
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.detach(), self.requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class UninitializedParameter(Parameter):
    """A parameter of a Lazy module whose shape is not known yet."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from .._ops.creation import empty
        t = Parameter.__new__(cls, empty(0, dtype=dtype), requires_grad)
        return t

    def materialize(self, shape, device=None, dtype=None):
        from .._ops.creation import empty
        from .._tensor import _assign_storage
        dtype = dtype or self.dtype
        new = empty(*shape, dtype=dtype)
        _assign_storage(self, new)
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return "<UninitializedParameter>"


class UninitializedBuffer(Tensor):
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        from .._ops.creation import empty
        return _alias(empty(0, dtype=dtype), cls)

    def materialize(self, shape, device=None, dtype=None):
        from .._ops.creation import empty
        from .._tensor import _assign_storage
        _assign_storage(self, empty(*shape, dtype=dtype or self.dtype))
        self.__class__ = self.cls_to_become


def is_lazy(param):
    return isinstance(param, (UninitializedParameter, UninitializedBuffer))
