"""torch.utils."""
from __future__ import annotations

from . import data  # noqa: F401
from . import dlpack  # noqa: F401
