"""Mapping torch devices onto JAX devices, and moving tensors between them.

``'cpu'`` is JAX's first CPU device (also on a machine with GPUs: PyTorch's default device is
the CPU); ``'cuda:N'`` is JAX's N-th GPU; ``'meta'`` tensors carry shapes and dtypes only (their
values are computed on the CPU and never shown).  A tensor's device is the ``_device`` of the
Tensor; the engine runs each op on the JAX device of its result (``engine.register_device``).

A transfer between devices (``Tensor.to``, ``.cuda()``, ``.cpu()``) is a sync point, as a
blocking copy is in PyTorch: the source value is computed and ``jax.device_put`` to the target
device.  Gradients flow back through it (``ToCopyBackward0``).

Testing without a GPU: with ``JTORCH_CUDA_ON_CPU=1`` and several JAX CPU devices
(``XLA_FLAGS=--xla_force_host_platform_device_count=N``), CPU devices 1..N-1 stand in for
``cuda:0..N-2``.
"""
from __future__ import annotations

import functools
import os

import jax

from ._device import device as _device
from ._engine import core as engine

__all__ = ["cuda_devices", "cuda_available", "normalize", "move", "jax_device", "cpu_device",
           "current_index", "set_current_index", "torch_device_of"]

_CPU = _device("cpu")
_META = _device("meta")
_current = [0]  # torch.cuda.current_device()


@functools.lru_cache(maxsize=None)
def cuda_devices():
    """JAX's GPU devices (empty on a CPU-only machine); see the module doc for testing."""
    if os.environ.get("JTORCH_CUDA_ON_CPU", "") not in ("", "0"):
        return tuple(jax.local_devices(backend="cpu")[1:])
    try:
        return tuple(jax.local_devices(backend="gpu"))
    except RuntimeError:
        return ()


def cuda_available() -> bool:
    return bool(cuda_devices())


@functools.lru_cache(maxsize=None)
def cpu_device():
    """The JAX device of PyTorch's 'cpu'."""
    return jax.local_devices(backend="cpu")[0]


def _not_compiled():
    return AssertionError("Torch not compiled with CUDA enabled")


def current_index() -> int:
    return _current[0]


def set_current_index(i: int) -> None:
    _current[0] = i


def normalize(dev) -> _device:
    """A device with PyTorch's defaults filled in ('cuda' -> 'cuda:<current>'), raising what
    PyTorch raises for devices this machine does not have."""
    d = dev if isinstance(dev, _device) else _device(dev)
    t = d.type
    if t == "cpu":
        return _CPU
    if t == "cuda":
        gpus = cuda_devices()
        if not gpus:
            raise _not_compiled()
        index = _current[0] if d.index is None else d.index
        if index >= len(gpus):
            raise RuntimeError("CUDA error: invalid device ordinal\nCUDA kernel errors might be "
                               "asynchronously reported at some other API call, so the stacktrace "
                               "below might be incorrect.\nFor debugging consider passing "
                               "CUDA_LAUNCH_BLOCKING=1\nCompile with `TORCH_USE_CUDA_DSA` to "
                               "enable device-side assertions.\n")
        d = _device("cuda", index)
        if d not in engine._JAX_DEVICES:
            engine.register_device(d, gpus[index])
        return d
    if t == "meta":
        return _META
    if t == "mps":
        raise RuntimeError("PyTorch is not linked with support for mps devices")
    raise RuntimeError(f"PyTorch is not linked with support for {t} devices")


def jax_device(d: _device):
    """The JAX device holding tensors of torch device ``d`` (normalized)."""
    if d.type == "cuda":
        return cuda_devices()[d.index]
    return cpu_device()


def torch_device_of(array) -> _device:
    """The torch device of a JAX array ('cpu' for the CPU, 'cuda:N' for the N-th GPU)."""
    if engine.is_tracer(array):  # a tracer: the devices are the trace's business
        return _CPU
    try:
        devs = array.devices()
    except AttributeError:
        return _CPU
    if len(devs) == 1:
        (d,) = devs
        gpus = cuda_devices()
        if d in gpus:
            return normalize(_device("cuda", gpus.index(d)))
        if d.platform == "cpu":
            return _CPU
    raise NotImplementedError(f"jtorch: a JAX array on {sorted(devs, key=str)} has no torch "
                              "device (sharded arrays are not supported)")


# --------------------------------------------------------------------------------------------
# transfers


def move(t, dev, copy=False):
    """``t`` on device ``dev`` (``t`` itself when it is already there, unless ``copy``)."""
    d = normalize(dev)
    src = t._device
    if d == src:
        return t
    if src.type == "meta":
        raise NotImplementedError("Cannot copy out of meta tensor; no data!")
    from .autograd import grad_mode
    if t._rg and grad_mode.state.enabled:
        return _ToCopy.apply(t, d)
    return _transfer(t, d)


def _transfer(t, d):
    from ._tensor import make
    if d.type == "meta":
        # a meta tensor keeps its value (computed on the CPU) but never shows it
        return make(t._ref(), t._shape, t._dtype, d)
    if engine.is_tracing() or engine.is_tracer(t._ref()):
        raise RuntimeError(f"jtorch: Tensor.to('{d}') inside a traced function (torch.compile, "
                           "torch.func, jax.jit) cannot move data between devices; move it "
                           "before the call")
    value = t._value()
    with engine.x64(True):
        value = jax.device_put(value, jax_device(d))
    return make(value, t._shape, t._dtype, d)


def _to_copy_cls():
    from .autograd.function import Function

    class _ToCopy(Function):
        """A transfer between devices, differentiable as PyTorch's ``_to_copy``."""

        @staticmethod
        def forward(ctx, x, d):
            ctx.src = x._device
            return _transfer(x, d)

        @staticmethod
        def backward(ctx, grad):
            return move(grad, ctx.src), None

    _ToCopy._backward_cls.__name__ = _ToCopy._backward_cls.__qualname__ = "ToCopyBackward0"
    return _ToCopy


class _Lazy:
    def __init__(self, make):
        self._make = make
        self._cls = None

    def apply(self, *args):
        if self._cls is None:
            self._cls = self._make()
        return self._cls.apply(*args)


_ToCopy = _Lazy(_to_copy_cls)
