"""torch.autograd: backward, grad, grad modes, Function, functional helpers."""
from __future__ import annotations

from .grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled)
from .graph import Node
from ._backward import backward, grad
from .function import Function, FunctionCtx, once_differentiable
from . import forward_ad, functional, graph
from .gradcheck import gradcheck, gradgradcheck

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled", "Node", "Function", "FunctionCtx",
           "once_differentiable", "functional", "gradcheck", "gradgradcheck"]
