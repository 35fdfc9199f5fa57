"""torch.nn.utils.rnn: packed sequences and padding."""
from __future__ import annotations

__all__: list[str] = []
