"""torch.cuda, answered from JAX's view of the machine's GPUs.

On a machine without a GPU every call behaves as on PyTorch's CPU-only build: ``is_available()``
is False, ``device_count()`` is 0, the memory counters are 0, and calls that need a device raise
``AssertionError('Torch not compiled with CUDA enabled')``.  Memory counters come from JAX's
per-device statistics (``jax.Device.memory_stats()``); backends that report none give 0.
"""
from __future__ import annotations

import time

from .._device import device as _device
from .._devices import cuda_available, cuda_devices, current_index, normalize, \
    set_current_index
from . import amp  # noqa: F401  (torch.cuda.amp.GradScaler, autocast)

__all__ = ["is_available", "device_count", "current_device", "set_device", "device", "device_of",
           "get_device_name", "get_device_properties", "get_device_capability", "synchronize",
           "memory_allocated", "max_memory_allocated", "memory_reserved", "max_memory_reserved",
           "reset_peak_memory_stats", "reset_max_memory_allocated", "empty_cache", "memory_stats",
           "mem_get_info", "manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed",
           "get_rng_state", "set_rng_state", "is_bf16_supported", "is_initialized", "init",
           "get_arch_list", "default_generators", "Event", "current_stream", "Stream"]


def _lazy_init():
    if not cuda_available():
        raise AssertionError("Torch not compiled with CUDA enabled")


def is_available() -> bool:
    """True if JAX sees a GPU."""
    return cuda_available()


def device_count() -> int:
    """The number of GPUs JAX sees."""
    return len(cuda_devices())


def is_initialized() -> bool:
    return cuda_available()


def init() -> None:
    _lazy_init()


def get_arch_list() -> list:
    return []


def _index(device, optional=True) -> int:
    """The device index of ``device`` (int, str, torch.device or None: the current device)."""
    if device is None:
        return current_index()
    if isinstance(device, int) and not isinstance(device, bool):
        return current_index() if device < 0 else device
    d = device if isinstance(device, _device) else _device(device)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return current_index() if d.index is None else d.index


def _jax_device(device):
    _lazy_init()
    i = _index(device)
    gpus = cuda_devices()
    if i >= len(gpus):
        raise AssertionError("Invalid device id")
    return gpus[i]


def current_device() -> int:
    """The index of the current CUDA device."""
    _lazy_init()
    return current_index()


def set_device(device) -> None:
    """Make ``device`` the current CUDA device ('cuda' tensors go there)."""
    i = _index(device)
    if i >= 0:
        _lazy_init()
        normalize(_device("cuda", i))
        set_current_index(i)


class device:
    """Context manager changing the current CUDA device (``with torch.cuda.device(1): ...``)."""

    def __init__(self, device):
        neg = device is None or (isinstance(device, int) and device < 0)
        self.idx = -1 if neg else _index(device)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx == -1:
            return
        if not cuda_available():
            raise RuntimeError("PyTorch was compiled without CUDA support")
        self.prev_idx = current_index()
        if self.prev_idx != self.idx:
            set_device(self.idx)

    def __exit__(self, *exc):
        if self.idx != -1 and self.prev_idx != self.idx:
            set_current_index(self.prev_idx)
        return False


class device_of(device):
    """``torch.cuda.device`` of a tensor's device (a no-op for CPU tensors)."""

    def __init__(self, obj):
        idx = obj.get_device() if obj.is_cuda else -1
        super().__init__(idx)


class _CudaDeviceProperties:
    """What ``get_device_properties`` returns: name, capability, memory, processor count."""

    def __init__(self, jdev):
        self.name = getattr(jdev, "device_kind", str(jdev))
        cc = getattr(jdev, "compute_capability", None)
        try:
            self.major, self.minor = (int(x) for x in str(cc).split(".")[:2])
        except (TypeError, ValueError):
            self.major, self.minor = 0, 0
        stats = _stats_of(jdev)
        self.total_memory = int(stats.get("bytes_limit", 0))
        self.multi_processor_count = int(getattr(jdev, "core_count", 0) or 0)
        self.is_integrated = 0
        self.is_multi_gpu_board = 0

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
                f"minor={self.minor}, total_memory={self.total_memory // (1024 * 1024)}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def get_device_properties(device=None) -> _CudaDeviceProperties:
    """Name, compute capability, memory and processor count of a GPU."""
    return _CudaDeviceProperties(_jax_device(device))


def get_device_name(device=None) -> str:
    """The GPU's name (JAX's ``device_kind``, e.g. 'NVIDIA H100 80GB HBM3')."""
    return get_device_properties(device).name


def get_device_capability(device=None) -> tuple:
    """(major, minor) CUDA compute capability."""
    p = get_device_properties(device)
    return p.major, p.minor


def is_bf16_supported(including_emulation=True) -> bool:
    """True where a GPU is available (XLA runs bfloat16 on every GPU it supports)."""
    return cuda_available()


def synchronize(device=None) -> None:
    """Run everything pending and wait for the device to finish it."""
    _lazy_init()
    from .._engine.core import sync, x64
    import jax
    sync()
    # XLA runs a device's programs in order: waiting for a trivial one waits for them all
    with x64(True):
        jax.device_put(0, _jax_device(device)).block_until_ready()


# --------------------------------------------------------------------------------------------
# memory


def _stats_of(jdev):
    try:
        return jdev.memory_stats() or {}
    except Exception:  # noqa: BLE001  (backends without memory stats report 0)
        return {}


def _stats(device):
    if not cuda_available():
        return {}
    try:
        return _stats_of(_jax_device(device))
    except AssertionError:
        return {}


_peak_floor: dict = {}  # device index -> peak bytes when reset_peak_memory_stats was called


def memory_stats(device=None) -> dict:
    """JAX's memory statistics of the device (empty without a GPU)."""
    return dict(_stats(device))


def memory_allocated(device=None) -> int:
    """Bytes held by tensors on the GPU (0 when the backend reports nothing)."""
    return int(_stats(device).get("bytes_in_use", 0))


def max_memory_allocated(device=None) -> int:
    """Peak bytes held by tensors since the start (or ``reset_peak_memory_stats``).

    JAX keeps one peak per process: after a reset, the current usage is reported until the
    process peak grows past the value it had at the reset."""
    s = _stats(device)
    peak = int(s.get("peak_bytes_in_use", 0))
    floor = _peak_floor.get(_index(device) if cuda_available() else 0)
    if floor is not None and peak <= floor:
        return int(s.get("bytes_in_use", 0))
    return peak


def memory_reserved(device=None) -> int:
    """Bytes reserved by the allocator (JAX's pool size where reported)."""
    s = _stats(device)
    return int(s.get("pool_bytes", s.get("bytes_reserved", s.get("bytes_in_use", 0))))


def max_memory_reserved(device=None) -> int:
    s = _stats(device)
    return int(s.get("peak_pool_bytes", s.get("peak_bytes_in_use", 0)))


def reset_peak_memory_stats(device=None) -> None:
    """Start the peak counters afresh."""
    if not cuda_available():
        raise AttributeError("module 'torch._C' has no attribute '_cuda_resetPeakMemoryStats'")
    _peak_floor[_index(device)] = int(_stats(device).get("peak_bytes_in_use", 0))


reset_max_memory_allocated = reset_peak_memory_stats


def mem_get_info(device=None) -> tuple:
    """(free, total) bytes of the device."""
    _lazy_init()
    s = _stats(device)
    total = int(s.get("bytes_limit", 0))
    return total - int(s.get("bytes_in_use", 0)), total


def empty_cache() -> None:
    """Release cached memory (JAX manages its own pool: nothing to do)."""


# --------------------------------------------------------------------------------------------
# random numbers


def _generators():
    from .._random import cuda_generators
    return cuda_generators()


def __getattr__(name):
    if name == "default_generators":
        return _generators()
    raise AttributeError(f"module 'jtorch.cuda' has no attribute '{name}'")


def manual_seed(seed) -> None:
    """Seed the current GPU's generator (silently ignored without a GPU, as in PyTorch)."""
    if cuda_available():
        _generators()[current_index()].manual_seed(seed)


def manual_seed_all(seed) -> None:
    """Seed every GPU's generator."""
    for g in _generators():
        g.manual_seed(seed)


def seed() -> None:
    if cuda_available():
        _generators()[current_index()].seed()


def seed_all() -> None:
    gens = _generators()
    if gens:
        s = gens[0].seed()
        for g in gens[1:]:
            g.manual_seed(s)


def initial_seed() -> int:
    _lazy_init()
    return _generators()[current_index()].initial_seed()


def get_rng_state(device="cuda"):
    _lazy_init()
    return _generators()[_index(device)].get_state()


def set_rng_state(new_state, device="cuda") -> None:
    _lazy_init()
    _generators()[_index(device)].set_state(new_state)


# --------------------------------------------------------------------------------------------
# streams and events: XLA orders the work itself; events measure wall time around syncs


class Stream:
    """A CUDA stream (jtorch runs everything in XLA's order: streams are accepted no-ops)."""

    def __init__(self, device=None, priority=0, **kwargs):
        if not cuda_available():
            raise RuntimeError("torch.cuda.Stream requires CUDA support")
        self.device = normalize(_device("cuda", _index(device)))
        self.priority = priority

    def synchronize(self):
        synchronize()

    def wait_stream(self, stream):
        pass

    def query(self):
        return True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def current_stream(device=None) -> Stream:
    _lazy_init()
    return Stream(device)


default_stream = current_stream


def stream(s):
    import contextlib
    return contextlib.nullcontext(s)


class Event:
    """A timing event: ``record()`` syncs and notes the time, ``elapsed_time`` is in ms."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        if not cuda_available():
            raise RuntimeError("Tried to instantiate dummy base class Event")
        self.enable_timing = enable_timing
        self._t = None

    def record(self, stream=None):
        synchronize()
        self._t = time.perf_counter()

    def synchronize(self):
        synchronize()

    def wait(self, stream=None):
        pass

    def query(self):
        return True

    def elapsed_time(self, end_event):
        if self._t is None or end_event._t is None:
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return (end_event._t - self._t) * 1000.0
