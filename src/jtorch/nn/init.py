"""torch.nn.init: parameter initialisation functions."""
from __future__ import annotations

__all__: list[str] = []
