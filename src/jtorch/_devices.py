"""Mapping torch devices onto JAX devices, and moving tensors between them."""
from __future__ import annotations

import functools

import jax

from ._device import device as _device

__all__ = ["cuda_devices", "cuda_available", "normalize", "move"]


@functools.lru_cache(maxsize=None)
def cuda_devices():
    """JAX's GPU devices (empty on a CPU-only machine)."""
    try:
        return tuple(jax.devices("gpu"))
    except RuntimeError:
        return ()


def cuda_available() -> bool:
    return bool(cuda_devices())


def _lazy_init_error():
    return AssertionError("Torch not compiled with CUDA enabled")


def normalize(dev) -> _device:
    """A device with PyTorch's defaults filled in ('cuda' -> 'cuda:0'); errors without a GPU."""
    d = dev if isinstance(dev, _device) else _device(dev)
    if d.type == "cuda":
        gpus = cuda_devices()
        if not gpus:
            raise _lazy_init_error()
        index = 0 if d.index is None else d.index
        if index >= len(gpus):
            raise RuntimeError("CUDA error: invalid device ordinal")
        return _device("cuda", index)
    if d.type == "cpu":
        return _device("cpu")
    if d.type == "meta":
        return d
    raise RuntimeError(f"jtorch does not support device type '{d.type}'")


def move(t, dev):
    """``t`` on device ``dev`` (itself if it is already there)."""
    d = normalize(dev)
    if d == t._device:
        return t
    raise NotImplementedError(f"Tensor.to('{d}'): moving tensors between devices "
                              "(jtorch's device support is CPU-only so far)")
