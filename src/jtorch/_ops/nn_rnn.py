"""nn.functional: recurrent layers (RNN, LSTM, GRU) as lax.scan ops."""
from __future__ import annotations

__all__: list[str] = []
