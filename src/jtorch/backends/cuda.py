"""torch.backends.cuda: matmul precision flags (mapped to JAX's default matmul precision)."""
from __future__ import annotations


class _MatmulFlags:
    """``torch.backends.cuda.matmul.allow_tf32``: True lets float32 matmuls use TF32 on GPUs."""

    def __init__(self):
        self._allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True

    @property
    def allow_tf32(self):
        return self._allow_tf32

    @allow_tf32.setter
    def allow_tf32(self, value):
        from .. import set_float32_matmul_precision
        self._allow_tf32 = bool(value)
        set_float32_matmul_precision("high" if value else "highest")


matmul = _MatmulFlags()


def is_built() -> bool:
    from .._devices import cuda_available
    return cuda_available()
