"""nn.functional: convolutions, transposed convolutions, unfold/fold."""
from __future__ import annotations

__all__: list[str] = []
