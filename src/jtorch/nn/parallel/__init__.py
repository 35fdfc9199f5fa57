"""torch.nn.parallel: DistributedDataParallel (across processes), DataParallel (one process,
several devices)."""
from __future__ import annotations

from .data_parallel import DataParallel, data_parallel  # noqa: F401
from .distributed import DistributedDataParallel  # noqa: F401

DistributedDataParallelCPU = DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]
