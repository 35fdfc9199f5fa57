"""torch.cpu: the CPU device's counterpart of torch.cuda (always available)."""
from __future__ import annotations

from . import amp  # noqa: F401

__all__ = ["amp", "is_available", "device_count", "current_device", "synchronize"]


def is_available() -> bool:
    return True


def device_count() -> int:
    return 1


def current_device() -> str:
    return "cpu"


def synchronize(device=None) -> None:
    """Wait for pending CPU work: computes every pending value (a jtorch sync point)."""
    from .._engine import core as engine
    engine.sync()
