"""torch.utils.data: datasets, samplers, collation and DataLoader."""
from __future__ import annotations
