"""Linear algebra: matmul family, einsum, tensordot, kron, cross, cdist, and torch.linalg."""
from __future__ import annotations

__all__: list[str] = []
