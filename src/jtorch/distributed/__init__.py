"""torch.distributed on JAX's distributed runtime.

Process groups, collectives (``all_reduce``, ``all_gather``, ``broadcast``, ...), point to
point and object collectives; ``python -m jtorch.distributed.run`` launches processes as
torchrun does.  See ``docs/distributed.md`` for how this maps to JAX.
"""
from __future__ import annotations

from .errors import DistBackendError, DistError, DistNetworkError, DistStoreError  # noqa: F401
from ._store import HashStore, PrefixStore, Store, TCPStore  # noqa: F401
from .distributed_c10d import *  # noqa: F401,F403
from .distributed_c10d import _all_gather_base, _reduce_scatter_base  # noqa: F401
from . import distributed_c10d  # noqa: F401
