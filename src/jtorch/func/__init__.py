"""torch.func: composable function transforms (grad, vmap, jacrev, ...) on JAX's.

Each transform traces the function once per input signature into a JAX program run as one
jtorch op (cached, lazy, differentiable by jtorch's autograd); transforms nest as JAX's do.
Differences from PyTorch: a transformed function's Python side effects happen when it is
traced; ``chunk_size`` is accepted but the batch is computed at once.
"""
from __future__ import annotations

from ._eager_transforms import (functionalize, grad, grad_and_value, hessian, jacfwd, jacrev,
                                jvp, linearize, vjp)
from ._functional_call import functional_call, stack_module_state
from ._vmap import vmap

__all__ = ["functional_call", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd",
           "hessian", "vmap", "stack_module_state", "linearize", "functionalize"]
