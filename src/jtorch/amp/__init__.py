"""torch.amp: mixed-precision helpers (GradScaler)."""
from __future__ import annotations

from .grad_scaler import GradScaler

__all__ = ["GradScaler"]
