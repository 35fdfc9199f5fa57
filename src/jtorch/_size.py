"""torch.Size: the tuple subclass returned by ``Tensor.shape`` and ``Tensor.size()``."""
from __future__ import annotations

import operator

from ._classrepr import TorchClassRepr

__all__ = ["Size"]


class Size(tuple, metaclass=TorchClassRepr):
    """The shape of a tensor: a tuple of ints printed as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        try:
            return tuple.__new__(cls, [operator.index(s) for s in sizes])
        except TypeError:
            if not hasattr(sizes, "__iter__"):
                raise TypeError(f"'{type(sizes).__name__}' object is not iterable") from None
            bad = next(s for s in sizes if not hasattr(s, "__index__"))
            raise TypeError(f"torch.Size() takes an iterable of 'int' (item 0 is "
                            f"'{type(bad).__name__}')") from None

    def __repr__(self):
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return tuple.__new__(Size, r) if isinstance(item, slice) else r

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return tuple.__new__(Size, tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return tuple.__new__(Size, tuple.__add__(other, self))

    def __mul__(self, n):
        return tuple.__new__(Size, tuple.__mul__(self, n))

    __rmul__ = __mul__

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n

    def __reduce__(self):
        return (Size, (tuple(self),))


Size.__module__ = "jtorch"
