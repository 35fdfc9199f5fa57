"""torch.cuda, answered from JAX's view of the machine's GPUs."""
from __future__ import annotations

from .._devices import cuda_available, cuda_devices
from . import amp  # noqa: F401  (torch.cuda.amp.GradScaler)

__all__ = ["is_available", "device_count", "memory_allocated", "memory_reserved",
           "max_memory_allocated", "empty_cache", "synchronize", "manual_seed",
           "manual_seed_all", "current_device"]


def is_available() -> bool:
    """True if JAX sees a GPU."""
    return cuda_available()


def device_count() -> int:
    return len(cuda_devices())


def _stats(device):
    gpus = cuda_devices()
    if not gpus:
        return {}
    from .._device import device as _device
    idx = 0
    if device is not None:
        d = device if isinstance(device, _device) else _device(device) \
            if not isinstance(device, int) else _device("cuda", device)
        idx = d.index or 0
    try:
        return gpus[idx].memory_stats() or {}
    except Exception:  # noqa: BLE001  (backends without memory stats report 0)
        return {}


def memory_allocated(device=None) -> int:
    """Bytes in use by tensors on the GPU (0 when the backend reports nothing)."""
    return int(_stats(device).get("bytes_in_use", 0))


def max_memory_allocated(device=None) -> int:
    return int(_stats(device).get("peak_bytes_in_use", 0))


def memory_reserved(device=None) -> int:
    s = _stats(device)
    return int(s.get("bytes_reserved", s.get("bytes_limit", 0) if s else 0))


def empty_cache() -> None:
    """Release cached memory (JAX manages its own pool: nothing to do)."""


def synchronize(device=None) -> None:
    """Wait for all pending work."""
    from .._engine.core import sync
    sync()


def current_device() -> int:
    if not cuda_available():
        raise AssertionError("Torch not compiled with CUDA enabled")
    return 0


def manual_seed(seed) -> None:
    """Seed the GPU generators (jtorch uses one generator for all devices)."""
    from .._random import manual_seed as _ms
    _ms(seed)


manual_seed_all = manual_seed
