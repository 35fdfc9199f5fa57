"""Reductions over dims: sum, mean, ... (``dim`` int or tuple, ``keepdim``, ``dtype``)."""
from __future__ import annotations

import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from .._promotion import opmath
from ._registry import register
from ._util import dtype_arg, wrap_dims

__all__ = ["reduction", "reduce_args", "sum", "mean"]


def reduce_args(input, dim, keepdim, axis=None):
    """Normalise ``dim`` (or numpy's ``axis``) to a tuple of non-negative dims."""
    if axis is not None:
        if dim is not None:
            raise TypeError("got multiple values for argument 'dim'")
        dim = axis
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        dim = None
    return wrap_dims(dim, input.ndim), bool(keepdim)


def reduction(name, fn, grad, result_dtype, linear=False, saves=None):
    """A reduction op: ``fn(x, axis, keepdims)`` in the compute dtype, cast to the result dtype.

    ``result_dtype(input_dtype, dtype_arg)`` gives the result dtype or raises PyTorch's error.
    """

    def prepare(sigs, static):
        dims, keepdim, dtype = static
        rt = result_dtype(sigs[0][1], dtype)
        return (dims, keepdim, opmath(rt).np, rt.np)

    def impl(x, dims, keepdim, ct, rt):
        return lax.convert_element_type(
            fn(lax.convert_element_type(x, ct), axis=dims, keepdims=keepdim), rt)

    return engine.Op(name, impl, prepare=prepare, grad=grad, linear=linear, saves=saves)


def _sum_dtype(dt, dtype):
    if dtype is not None:
        return dtype
    return D.int64 if dt.is_integral else dt


def _mean_dtype(dt, dtype):
    if dtype is not None:
        dt = dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {D._short(dt)}")
    return dt


# PyTorch names the full reduction's node ...Backward0 and the dim= overload's ...Backward1
_SUM = reduction("sum", jnp.sum, "SumBackward0", _sum_dtype, linear=True)
_SUM_DIM = reduction("sum", jnp.sum, "SumBackward1", _sum_dtype, linear=True)
_MEAN = reduction("mean", jnp.mean, "MeanBackward0", _mean_dtype, linear=True)
_MEAN_DIM = reduction("mean", jnp.mean, "MeanBackward1", _mean_dtype, linear=True)


@register(out=True)
def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Sum over ``dim`` (all dims by default); integers and bools sum to int64."""
    dims, keepdim = reduce_args(input, dim, keepdim, axis)
    op = _SUM if dim is None and axis is None else _SUM_DIM
    return dispatch(op, (input,), (dims, keepdim, dtype_arg(dtype)))


@register(out=True)
def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Mean over ``dim``; integer input needs a floating ``dtype=``."""
    dims, keepdim = reduce_args(input, dim, keepdim, axis)
    op = _MEAN if dim is None and axis is None else _MEAN_DIM
    return dispatch(op, (input,), (dims, keepdim, dtype_arg(dtype)))
