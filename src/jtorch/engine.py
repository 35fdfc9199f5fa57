"""Public view of jtorch's lazy engine: sync points, counters and caches.

    jtorch.engine.stats()     # {'syncs': ..., 'compiles': ..., 'cache_hits': ..., ...}
    jtorch.sync()             # run everything pending now

Set ``JTORCH_EAGER=1`` to run every op at once (debugging, reference), ``JTORCH_LOG_SYNC=1`` to
log every sync to stderr, ``JTORCH_MAX_PENDING=N`` to bound the pending graph (default 1000).
"""
from __future__ import annotations

from ._engine.core import EAGER, clear_caches, reset_stats, stats, sync

__all__ = ["stats", "reset_stats", "sync", "clear_caches", "EAGER"]
