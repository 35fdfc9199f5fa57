"""torch.backends: flags PyTorch scripts set or query (mps, cudnn, cuda matmul precision)."""
from __future__ import annotations

from . import cpu, cuda, cudnn, mps  # noqa: F401

__all__ = ["cpu", "cuda", "cudnn", "mps"]
