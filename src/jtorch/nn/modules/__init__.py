"""torch.nn.modules: one file per family, as in PyTorch."""
from __future__ import annotations
