"""torch.backends.cudnn: flags accepted for compatibility (XLA picks its own GPU kernels)."""
from __future__ import annotations

import contextlib

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    from .._devices import cuda_available
    return cuda_available()


def version():
    return None


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False,
          allow_tf32=True):
    import sys
    mod = sys.modules[__name__]
    old = (mod.enabled, mod.benchmark, mod.deterministic, mod.allow_tf32)
    mod.enabled, mod.benchmark, mod.deterministic, mod.allow_tf32 = (
        enabled, benchmark, deterministic, allow_tf32)
    try:
        yield
    finally:
        mod.enabled, mod.benchmark, mod.deterministic, mod.allow_tf32 = old
