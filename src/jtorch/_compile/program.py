"""One traced signature of a function as an engine op.

The function is traced once with ``jax.make_jaxpr`` (its Python runs once per signature); the
op's body replays the jaxpr, so later uses — the engine's ``jax.jit`` of the lazy graph, the
VJP for ``backward`` — never run the user's Python again and cannot see later changes to it.
"""
from __future__ import annotations

import jax
from jax.extend.core import jaxpr_as_fun

from .._engine import core as engine

__all__ = ["trace_op", "avals"]


def avals(sigs):
    """``jax.ShapeDtypeStruct`` of each ``(shape, jtorch dtype)``."""
    return [jax.ShapeDtypeStruct(shape, dt.np) for shape, dt in sigs]


def trace_op(body, in_sigs, name, grad=None):
    """Trace ``body(*arrays) -> list of arrays`` for inputs of signatures ``in_sigs``.

    Returns ``(op, out_avals)``: an engine op computing the same outputs from the inputs (a
    multi-output op; ``grad`` names its autograd node) and the outputs' shapes/dtypes.
    """
    with engine.x64(True):
        closed, out = jax.make_jaxpr(body, return_shape=True)(*avals(in_sigs))
    run = jaxpr_as_fun(closed)

    def impl(*arrays):
        return tuple(run(*arrays))

    impl.__name__ = name
    return engine.Op(name, impl, grad=grad), out
