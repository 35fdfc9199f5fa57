"""torch.utils.dlpack: exchanging tensors with other libraries through DLPack capsules."""
from __future__ import annotations

from ..interop import from_dlpack, to_dlpack

__all__ = ["from_dlpack", "to_dlpack"]
