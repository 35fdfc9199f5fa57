"""torch.layout and torch.memory_format objects (jtorch tensors are always strided)."""
from __future__ import annotations

from ._classrepr import TorchClassRepr

__all__ = ["layout", "strided", "memory_format", "contiguous_format", "preserve_format",
           "channels_last", "channels_last_3d"]


class layout(metaclass=TorchClassRepr):
    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return (_layout_by_name, (self._name,))


class memory_format(metaclass=TorchClassRepr):
    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return (_format_by_name, (self._name,))


strided = layout("strided")
sparse_coo = layout("sparse_coo")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")

_LAYOUTS = {"strided": strided, "sparse_coo": sparse_coo}
_FORMATS = {f._name: f for f in (contiguous_format, preserve_format, channels_last,
                                  channels_last_3d)}


def _layout_by_name(name):
    return _LAYOUTS[name]


def _format_by_name(name):
    return _FORMATS[name]


layout.__module__ = memory_format.__module__ = "jtorch"
