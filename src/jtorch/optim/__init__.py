"""torch.optim: optimizers on Optax, and learning-rate schedulers.

Each optimizer keeps PyTorch's constructor, ``param_groups``, ``state`` and ``state_dict``
layout; its update rule is a chain of Optax gradient transformations with PyTorch's
hyper-parameters, applied to all parameters as one recorded op per ``step()``.
"""
from __future__ import annotations

from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam
from .adamw import AdamW

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]
