"""nn.functional: activations, softmax family, dropout, linear/bilinear, embedding, normalization, one_hot, pad, normalize, distances."""
from __future__ import annotations

__all__: list[str] = []
