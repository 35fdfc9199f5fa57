"""The op table: every operator defined once, by family.

Importing this package registers every op in ``_registry.OPS``; ``install`` then creates the
``torch.X`` / ``Tensor.X`` / ``Tensor.X_`` surfaces.
"""
from __future__ import annotations

from . import _registry
from . import view, shape, conversion, pointwise, reduction, creation, copy  # noqa: F401
from . import pointwise_math, pointwise_binary, pointwise_logic, pointwise_complex  # noqa: F401
from . import indexing, sort, linalg, random  # noqa: F401
from . import scatter, diag  # noqa: F401
from . import pointwise_extra, tensor_query, shape_extra, stats_extra  # noqa: F401
from . import special  # noqa: F401
from . import nn_activation, nn_conv, nn_pool, loss, nn_attention, nn_rnn  # noqa: F401
from .operators import install_operators

__all__ = ["install"]


def install(namespace, tensor_cls):
    _registry.install(namespace, tensor_cls)
    install_operators(tensor_cls)
