"""The identity op under module backward hooks (PyTorch's ``BackwardHookFunction``).

A module with full backward hooks routes its input and output tensors through this op; the
hooks registered on its autograd node see ``grad_output`` / ``grad_input`` and may replace them.
"""
from __future__ import annotations

from .._dispatch import dispatch
from .._engine import core as engine

__all__ = ["backward_hook_identity"]


def _identity_impl(*arrays):
    return tuple(arrays)


_BACKWARD_HOOK = engine.Op("backward_hook_function", _identity_impl,
                           grad="BackwardHookFunctionBackward", linear=True)


def backward_hook_identity(tensors):
    """The tensors again, through one autograd node (its outputs alias nothing)."""
    outs = dispatch(_BACKWARD_HOOK, tuple(tensors))
    for t, o in zip(tensors, outs):
        if not t.requires_grad and o._fn is not None:
            # PyTorch marks the outputs of inputs without grad as non-differentiable
            o._fn = None
            o._rg = False
    return outs
