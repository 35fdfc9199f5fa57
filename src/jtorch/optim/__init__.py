"""torch.optim: optimizers on Optax, and learning-rate schedulers."""
from __future__ import annotations
