"""torch.Generator, manual_seed & co., on JAX PRNG keys.

A generator holds its key as a (uint32) tensor; each draw splits it through the engine, so in
lazy mode the key chain is part of the compiled program (keys are inputs, never constants) and a
training step with dropout still hits the program cache.  Streams differ from PyTorch's numbers;
seeding makes runs reproducible.
"""
from __future__ import annotations

import os

import jax
import numpy as np

from . import _dtype as D
from ._classrepr import TorchClassRepr
from ._engine import core as engine

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "next_key"]

_DEFAULT_SEED = 67280421310721  # PyTorch's default CPU seed


def _split_impl(key):
    k = jax.random.split(key)
    return k[0], k[1]


_SPLIT = engine.Op("rng_split", _split_impl)


class Generator(metaclass=TorchClassRepr):
    """A source of random numbers (``torch.Generator(device='cpu')``)."""

    def __init__(self, device="cpu"):
        from ._device import device as _device
        d = _device(device) if not isinstance(device, _device) else device
        if d.type == "cuda":
            from ._devices import cuda_available, normalize
            if not cuda_available():
                raise RuntimeError(_NO_CUDA_GENERATOR)
            d = normalize(d)
        elif d.type != "cpu":
            raise RuntimeError(f"{d.type.upper()} device type not an accelerator.")
        self.device = d
        self._seed = _DEFAULT_SEED
        self._key = None

    def _key_tensor(self):
        if self._key is None:
            self._key = _key_from_seed(self._seed, self.device)
        return self._key

    def manual_seed(self, seed):
        """Seed the generator; returns it."""
        seed = int(seed)
        if seed < -(2 ** 63) or seed >= 2 ** 64:
            raise RuntimeError("Overflow when unpacking long")
        self._seed = seed % (2 ** 64)
        self._key = None
        return self

    def seed(self):
        """Seed from a non-deterministic source; returns the seed."""
        s = int.from_bytes(os.urandom(8), "little") & ((1 << 63) - 1)
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator state as a uint8 tensor (restorable with ``set_state``)."""
        from ._ops.creation import host_tensor
        key = np.asarray(self._key_tensor()._value(), dtype=np.uint32)
        raw = np.concatenate([key.view(np.uint8), np.frombuffer(
            np.uint64(self._seed).tobytes(), np.uint8)])
        return host_tensor(raw, D.uint8)

    def set_state(self, new_state):
        from ._tensor import Tensor
        if not isinstance(new_state, Tensor) or new_state.dtype is not D.uint8:
            raise TypeError("expected a torch.ByteTensor, but got "
                            f"{type(new_state).__name__}")
        raw = np.asarray(new_state._numpy_view(), dtype=np.uint8)
        if raw.size != 16:
            raise RuntimeError("RNG state is wrong size")
        from ._ops.creation import host_tensor
        self._key = host_tensor(raw[:8].view(np.uint32).copy(), D.uint32)
        self._seed = int(raw[8:].view(np.uint64)[0])
        return self

    def __reduce__(self):
        return (_rebuild_generator, (str(self.device), self.get_state()))

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"


Generator.__module__ = "jtorch"


def _rebuild_generator(device, state):
    g = Generator(device)
    g.set_state(state)
    return g


def _key_from_seed(seed, device=None):
    from ._ops.creation import host_tensor
    with engine.x64(True), jax.ensure_compile_time_eval():
        key = np.asarray(jax.random.PRNGKey(np.uint64(seed)))
    return host_tensor(key.astype(np.uint32), D.uint32, device)


default_generator = Generator()
_cuda_generators: list = []  # torch.cuda.default_generators, made on first use
# set by a JAX transformation of jtorch code (torch.func, torch.compile) while it traces:
# called with the generator instead of drawing from it (keys must be inputs of the program)
_key_hook = None

_NO_CUDA_GENERATOR = (
    "Cannot get CUDA generator without ATen_cuda library. PyTorch splits its backend into two "
    "shared libraries: a CPU library and a CUDA library; this error has occurred because you "
    "are trying to use some CUDA functionality, but the CUDA library has not been loaded by the "
    "dynamic linker for some reason.  The CUDA library MUST be loaded, EVEN IF you don't "
    "directly use any symbols from the CUDA library! One common culprit is a lack of "
    "-Wl,--no-as-needed in your link arguments; many dynamic linkers will delete dynamic "
    "library dependencies if you don't depend on any of their symbols.  You can check if this "
    "has occurred by using ldd on your binary to see if there is a dependency on *_cuda.so "
    "library.")


def cuda_generators():
    """The default generator of each CUDA device (empty without one)."""
    from ._devices import cuda_devices
    from ._device import device as _device
    n = len(cuda_devices())
    while len(_cuda_generators) < n:
        _cuda_generators.append(Generator(_device("cuda", len(_cuda_generators))))
    return tuple(_cuda_generators)


def next_key(generator=None, device=None):
    """A fresh key tensor from ``generator`` advancing it; without one, from the default
    generator of ``device`` (the CPU's when None)."""
    from ._dispatch import dispatch_nograd
    g = default_generator if generator is None else generator
    if not isinstance(g, Generator):
        raise TypeError(f"expected a torch.Generator, but got {type(g).__name__}")
    if _key_hook is not None:
        return _key_hook(g, device)
    if generator is None and device is not None and device.type != "cpu":
        if device.type == "cuda":
            g = cuda_generators()[device.index or 0]
        else:  # meta: a CPU key, labelled as the device's
            from ._devices import move
            return move(next_key(), device)
    new, sub = dispatch_nograd(_SPLIT, (g._key_tensor(),))
    g._key = new
    return sub


def manual_seed(seed):
    """Seed the default generator (and every CUDA device's); returns it."""
    for g in _cuda_generators:
        g.manual_seed(seed)
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)

