"""torch.device: where a tensor lives ('cpu', 'cuda:N', 'meta', ...)."""
from __future__ import annotations

from ._classrepr import TorchClassRepr

__all__ = ["device"]

_TYPES = ("cpu", "cuda", "mps", "meta", "xla", "xpu", "hpu", "mtia", "privateuseone", "ipu",
          "ort", "vulkan", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
          "lazy", "tpu")


class device(metaclass=TorchClassRepr):
    """A device as PyTorch names it: ``device('cuda:0')``, ``device('cpu')``, ``device('cuda', 1)``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): argument 'type' must be str, not torch.device")
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            # torch.device(0) means the current accelerator
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({_tname(type)}), but expected one of:\n * (torch.device device)\n"
                            " * (str type, int index = -1)\n")
        name, sep, idx = type.partition(":")
        if sep:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            if not idx.isdigit() or (len(idx) > 1 and idx[0] == "0"):
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if not name or not all(c.isascii() and (c.isalpha() or c == "_") for c in name):
            # PyTorch's device-string pattern is [a-zA-Z_]+(:index)?
            raise RuntimeError(f"Invalid device string: '{type}'")
        if name not in _TYPES:
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, "
                "maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start "
                f"of device string: {name}")
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type = name
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


def _tname(x):
    return type(x).__name__


device.__module__ = "jtorch"
