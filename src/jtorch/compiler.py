"""torch.compiler: the public face of torch.compile's machinery."""
from __future__ import annotations

from ._dynamo import (allow_in_graph, assume_constant_result, disable, is_compiling,
                      list_backends, reset)
from ._dynamo.eval_frame import compile

__all__ = ["compile", "reset", "disable", "is_compiling", "is_dynamo_compiling",
           "allow_in_graph", "assume_constant_result", "list_backends", "cudagraph_mark_step_begin",
           "set_stance"]


def is_dynamo_compiling() -> bool:
    return is_compiling()


def cudagraph_mark_step_begin() -> None:
    """Accepted (XLA programs need no CUDA-graph step markers)."""


def set_stance(stance="default", *, skip_guard_eval_unsafe=False, force_backend=None):
    """'force_eager' runs compiled functions uncompiled; 'default' compiles them."""
    from ._dynamo import config
    config.enabled = stance != "force_eager"
