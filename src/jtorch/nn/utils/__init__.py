"""torch.nn.utils."""
from __future__ import annotations

from . import rnn  # noqa: E402,F401
