"""torch.set_default_device / get_default_device: where factories put new tensors."""
from __future__ import annotations

from ._device import device as _device

__all__ = ["get", "set_default_device", "get_default_device"]

_CPU = _device("cpu")
_current = [_CPU]


def get() -> _device:
    return _current[0]


def set_default_device(device) -> None:
    """Make factories (zeros, tensor, ...) create tensors on ``device`` by default."""
    from ._devices import normalize
    _current[0] = _CPU if device is None else normalize(device)


def get_default_device() -> _device:
    return _current[0]
