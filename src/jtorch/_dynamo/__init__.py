"""torch._dynamo: the machinery behind ``torch.compile`` (here: tracing into JAX programs)."""
from __future__ import annotations

from . import config, exc
from .eval_frame import CompiledFunction, list_backends, reset

__all__ = ["config", "exc", "reset", "list_backends", "disable", "mark_dynamic",
           "maybe_mark_dynamic", "mark_static", "allow_in_graph", "assume_constant_result",
           "is_compiling", "graph_break", "OptimizedModule", "optimize"]


def __getattr__(name):
    if name == "OptimizedModule":
        from . import eval_frame
        return eval_frame.__getattr__("OptimizedModule")
    raise AttributeError(f"module 'jtorch._dynamo' has no attribute '{name}'")


def disable(fn=None, recursive=True, *, reason=None):
    """Run ``fn`` uncompiled even when called from a compiled function (a decorator)."""
    if fn is None:
        return lambda f: disable(f, recursive, reason=reason)
    from .._engine import core as engine

    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if engine.is_tracing():
            from .._compile.state import GraphBreak
            raise GraphBreak(f"'{getattr(fn, '__name__', fn)}' is marked torch.compiler.disable")
        return fn(*args, **kwargs)

    return wrapper


def mark_dynamic(t, index, *, min=None, max=None, specialize_on=None):
    """Accepted: XLA programs have static shapes, so every new shape is traced anew."""


maybe_mark_dynamic = mark_dynamic


def mark_static(t, index=None):
    """Accepted (shapes are always static)."""


def allow_in_graph(fn):
    return fn


def assume_constant_result(fn):
    return fn


def is_compiling() -> bool:
    """True while a compiled function is being traced."""
    from .._engine import core as engine
    return engine.is_tracing()


def graph_break():
    """End the traced program here: the call runs uncompiled."""
    from .._engine import core as engine
    if engine.is_tracing():
        from .._compile.state import GraphBreak
        raise GraphBreak("torch._dynamo.graph_break()")


def optimize(backend="inductor", **kwargs):
    from .eval_frame import compile
    return lambda fn: compile(fn, backend=backend)
