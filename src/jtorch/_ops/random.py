"""Random sampling: rand, randn, randint, randperm, normal, bernoulli, multinomial, poisson, and in-place samplers."""
from __future__ import annotations

__all__: list[str] = []
