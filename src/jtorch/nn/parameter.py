"""nn.Parameter: a tensor that a Module registers as a parameter."""
from __future__ import annotations

from .._tensor import Tensor, _alias

__all__ = ["Parameter", "UninitializedParameter", "UninitializedBuffer", "Buffer", "is_lazy"]


class Parameter(Tensor):
    """A Tensor that is a module parameter: assigning it to a Module attribute registers it.

    ``requires_grad=True`` by default (even under ``no_grad``); it shares storage with the
    tensor it is made from and is always a leaf.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .._ops.creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach'")
        if requires_grad and not (data.dtype.is_floating_point or data.dtype.is_complex):
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t = _alias(data, cls)
        t._rg = bool(requires_grad)
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        # PyTorch copies the data and requires_grad only (not .grad or attributes)
        if id(self) in memo:
            return memo[id(self)]
        from ..autograd import no_grad
        with no_grad():
            data = self.detach().clone()
        result = type(self)(data, self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        state = dict(self.__dict__)
        return (_rebuild_parameter, (self.detach(), self.requires_grad, state))


def _rebuild_parameter(data, requires_grad, state=None):
    p = Parameter(data, requires_grad)
    if state:
        p.__dict__.update(state)
    return p


_UNINIT_SHAPE = ("Can't access the shape of an uninitialized parameter or buffer. This error "
                 "usually happens in `load_state_dict` when trying to load an uninitialized "
                 "parameter into an initialized one. Call `forward` to initialize the parameters "
                 "before accessing their attributes.")


class _UninitializedMixin:
    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None):
        """Give the tensor its shape (uninitialised values) and its final class."""
        from .._ops.creation import empty
        from .._tensor import _assign_storage
        if isinstance(shape, int):
            shape = (shape,)
        new = empty(*shape, dtype=dtype or self._dtype, device=device)
        _assign_storage(self, new)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(_UNINIT_SHAPE)

    def __repr__(self):
        return f"<{self.__class__.__name__}>"

    def __reduce_ex__(self, proto):
        return (self.__class__, (self.requires_grad,))


class UninitializedParameter(_UninitializedMixin, Parameter):
    """A parameter of a Lazy module whose shape is not known until the first forward."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from .._ops.creation import empty
        return Parameter.__new__(cls, empty(0, dtype=dtype, device=device), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.requires_grad, self.device, self.dtype)
        memo[id(self)] = result
        return result


class UninitializedBuffer(_UninitializedMixin, Tensor):
    """A buffer of a Lazy module whose shape is not known until the first forward."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        from .._ops.creation import empty
        t = _alias(empty(0, dtype=dtype, device=device), cls)
        t._rg = bool(requires_grad)
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None):
        pass


def is_lazy(param):
    """True for parameters/buffers whose shape is not known yet."""
    return isinstance(param, _UninitializedMixin)


class _BufferMeta(type):
    # a Buffer is a plain Tensor marked ``_is_buffer``; isinstance checks the mark, as PyTorch
    def __instancecheck__(cls, instance):
        if cls is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)
        return super().__instancecheck__(instance)


class Buffer(metaclass=_BufferMeta):
    """A tensor that a Module registers as a buffer when assigned as an attribute.

    ``persistent=False`` keeps it out of the module's ``state_dict``.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from .._ops.creation import empty
            data = empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t
