"""torch.set_default_device / get_default_device: where factories put new tensors."""
from __future__ import annotations

from ._device import device as _device

__all__ = ["get", "set_default_device", "get_default_device"]

_CPU = _device("cpu")
_current = [None]  # None: the CPU


def get() -> _device:
    """The (normalized) device factories use when given none; raises, as PyTorch does at
    tensor creation, when the default is a device this machine does not have."""
    d = _current[0]
    if d is None:
        return _CPU
    from ._devices import normalize
    return normalize(d)


def set_default_device(device) -> None:
    """Make factories (zeros, tensor, ...) create tensors on ``device`` by default (``None``:
    the CPU).  Like PyTorch, an unavailable device is reported when a tensor is created."""
    _current[0] = None if device is None else (
        device if isinstance(device, _device) else _device(device))
    if _current[0] is not None and _current[0].type == "cpu":
        _current[0] = None


def get_default_device() -> _device:
    """The device factories use when given none."""
    return get()
