"""nn.functional: pooling, interpolate/upsample, grid_sample, affine_grid, pixel_shuffle."""
from __future__ import annotations

__all__: list[str] = []
