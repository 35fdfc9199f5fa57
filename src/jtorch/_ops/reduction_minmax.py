"""Selecting reductions: max, min, amax, amin, aminmax, argmax, argmin.

NaN wins (it propagates, and argmax/argmin point at the first NaN); ties pick the first index.
Gradients follow PyTorch: ``max()`` of all elements splits the gradient evenly among the
elements equal to the result (the NaNs when it is NaN), ``amax``/``amin``/``aminmax`` split it
among the ties of each slice, and ``max(dim)``/``min(dim)`` send it to the selected index.
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ..return_types import aminmax as _aminmax_t, max as _max_t, min as _min_t
from ._registry import register
from ._util import wrap_dim
from .reduction import reduce_args

__all__ = ["max", "min", "amax", "amin", "aminmax", "argmax", "argmin", "not_implemented",
           "check_nonempty", "evenly_distributed", "select_along"]


def not_implemented(kernel, dt):
    """PyTorch's error for a dtype a CPU kernel was not compiled for."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{D._short(dt)}'")


def check_nonempty(name, shape, dims, full, sep="()"):
    """PyTorch's errors for reducing an empty tensor with an op that has no identity."""
    if full:
        if 0 in shape:
            raise IndexError(f"{name}{sep}: Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        return
    for d in sorted(dims):
        if shape and shape[d] == 0:
            raise IndexError(f"{name}{sep}: Expected reduction dim {d} to have non-zero size.")


def _full_empty_error(name):
    return RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == "
                        "0. Specify the reduction dim with the 'dim' argument.")


def evenly_distributed(select):
    """``select`` (a full reduction picking one value) with PyTorch's
    ``evenly_distribute_backward``: the gradient is split among the elements equal to the
    result, or among the NaNs when the result is NaN."""

    @jax.custom_vjp
    def f(x):
        return select(x)

    def fwd(x):
        r = select(x)
        return r, (x, r)

    def bwd(res, g):
        x, r = res
        mask = jnp.where(jnp.isnan(r), jnp.isnan(x), x == r)
        share = g / jnp.sum(mask).astype(g.dtype)
        return (jnp.where(mask, share, jnp.zeros((), g.dtype)).astype(x.dtype),)

    f.defvjp(fwd, bwd)
    return f


def select_along(x, idx, dim, keepdim):
    """``x`` gathered at ``idx`` (keepdim-shaped indices) along ``dim``: the gradient goes to
    the selected elements."""
    v = jnp.take_along_axis(x, idx, axis=dim)
    if not keepdim:
        v = jnp.squeeze(v, axis=dim)
        idx = jnp.squeeze(idx, axis=dim)
    return v, idx


# --------------------------------------------------------------------------------------------
# max / min of all elements


_MAX_ALL_FN = evenly_distributed(jnp.max)
_MIN_ALL_FN = evenly_distributed(jnp.min)


def _all_prepare(name, kernel):
    def prepare(sigs, static):
        shape, dt = sigs[0]
        if dt.is_complex:
            raise not_implemented(kernel, dt)
        if 0 in shape:
            raise _full_empty_error(name)
        return static
    return prepare


_MAX_ALL = engine.Op("max", lambda x: _MAX_ALL_FN(x), prepare=_all_prepare("max", "max_all"),
                     grad="MaxBackward1", saves=(0, "out"))
_MIN_ALL = engine.Op("min", lambda x: _MIN_ALL_FN(x), prepare=_all_prepare("min", "min_all"),
                     grad="MinBackward1", saves=(0, "out"))


# --------------------------------------------------------------------------------------------
# max(dim) / min(dim): (values, indices)


def _dim_prepare(name):
    def prepare(sigs, static):
        shape, dt = sigs[0]
        dim, keepdim = static
        if dt.is_complex:
            raise RuntimeError(f"{name}(): does not support complex input")
        if shape:
            check_nonempty(name, shape, (dim,), False)
        return static
    return prepare


def _select_dim(arg):
    def impl(x, dim, keepdim):
        if x.ndim == 0:
            return x, jnp.zeros((), jnp.int64)
        idx = arg(x, axis=dim, keepdims=True).astype(jnp.int64)
        return select_along(x, idx, dim, keepdim)
    return impl


_MAX_DIM = engine.Op("max", _select_dim(jnp.argmax), prepare=_dim_prepare("max"),
                     grad="MaxBackward0", saves=())
_MIN_DIM = engine.Op("min", _select_dim(jnp.argmin), prepare=_dim_prepare("min"),
                     grad="MinBackward0", saves=())


_NO_DIM = object()


def _minmax(name, input, dim, keepdim, other, full_op, dim_op, binary, result_type):
    if isinstance(dim, Tensor):
        dim, other = _NO_DIM, dim
    if other is not None:
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            f"(Tensor, {type(other).__name__}), but expected one of: (Tensor "
                            f"input), (Tensor input, Tensor other), (Tensor input, int dim, "
                            f"bool keepdim = False)")
        return binary(input, other)
    if dim is _NO_DIM:
        if keepdim:
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            "(keepdim=bool), but expected (int dim, bool keepdim = False)")
        return dispatch(full_op, (input,))
    if isinstance(dim, (tuple, list)) or not hasattr(dim, "__index__"):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"(dim={type(dim).__name__}), but expected one of: (), (Tensor other), "
                        "(int dim, bool keepdim = False)")
    d = wrap_dim(dim, input.ndim)
    return result_type(dispatch(dim_op, (input,), (d, bool(keepdim))))


@register(out=True)
def max(input, dim=_NO_DIM, keepdim=False, *, other=None):
    """The largest element; with ``dim``, ``(values, indices)`` of each slice's largest (the
    first one on ties); with a tensor, the elementwise maximum."""
    from .pointwise import maximum
    return _minmax("max", input, dim, keepdim, other, _MAX_ALL, _MAX_DIM, maximum, _max_t)


@register(out=True)
def min(input, dim=_NO_DIM, keepdim=False, *, other=None):
    """The smallest element; with ``dim``, ``(values, indices)`` of each slice's smallest;
    with a tensor, the elementwise minimum."""
    from .pointwise import minimum
    return _minmax("min", input, dim, keepdim, other, _MIN_ALL, _MIN_DIM, minimum, _min_t)


# --------------------------------------------------------------------------------------------
# amax / amin / aminmax: jnp.max's derivative is PyTorch's (ties share the gradient; a NaN
# result gives NaN gradients)


def _amax_prepare(name, kernel):
    def prepare(sigs, static):
        shape, dt = sigs[0]
        dims, keepdim, full = static
        if dt.is_complex:
            raise not_implemented(kernel, dt)
        if full and 0 in shape:
            raise _full_empty_error(name)
        check_nonempty(name, shape, dims, False)
        return (dims, keepdim)
    return prepare


def _count_scaled(fn):
    """``fn(x, dims, keepdim)`` (amax/amin) with PyTorch's backward: the gradient is split
    evenly among each slice's elements equal to its result (NaN gradients for a NaN result)."""

    @functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2))
    def f(x, dims, keepdim):
        return fn(x, axis=dims, keepdims=keepdim)

    def fwd(x, dims, keepdim):
        r = fn(x, axis=dims, keepdims=keepdim)
        return r, (x, r)

    def bwd(dims, keepdim, res, g):
        x, r = res
        if not keepdim:
            r = jnp.expand_dims(r, dims)
            g = jnp.expand_dims(g, dims)
        mask = x == r
        count = jnp.sum(mask, axis=dims, keepdims=True).astype(g.dtype)
        # PyTorch computes (g / count) * mask: a NaN result (no element equals it) gives NaN
        # everywhere.  Spelled out, as XLA rewrites the product into a select.
        share = jnp.where(mask, g / count, jnp.zeros((), g.dtype))
        return jnp.where(count == 0, jnp.full((), jnp.nan, g.dtype), share).astype(x.dtype),

    f.defvjp(fwd, bwd)
    return f


_AMAX_FN = _count_scaled(jnp.max)
_AMIN_FN = _count_scaled(jnp.min)


def _amax_impl(fn):
    def impl(x, dims, keepdim):
        return fn(x, dims, keepdim)
    return impl


_AMAX = engine.Op("amax", _amax_impl(_AMAX_FN), prepare=_amax_prepare("amax", "max_values_cpu"),
                  grad="AmaxBackward0", saves=(0, "out"))
_AMIN = engine.Op("amin", _amax_impl(_AMIN_FN), prepare=_amax_prepare("amin", "min_values_cpu"),
                  grad="AminBackward0", saves=(0, "out"))


@register(out=True)
def amax(input, dim=(), keepdim=False):
    """The largest elements over ``dim`` (all dims by default)."""
    dims, keepdim = reduce_args(input, dim, keepdim)
    return dispatch(_AMAX, (input,), (dims, keepdim, _is_full(dim)))


@register(out=True)
def amin(input, dim=(), keepdim=False):
    """The smallest elements over ``dim`` (all dims by default)."""
    dims, keepdim = reduce_args(input, dim, keepdim)
    return dispatch(_AMIN, (input,), (dims, keepdim, _is_full(dim)))


def _is_full(dim):
    return dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)


def _aminmax_prepare(sigs, static):
    shape, dt = sigs[0]
    dims, keepdim, full = static
    if dt.is_complex:
        raise not_implemented("aminmax_cpu", dt)
    if full:
        if 0 in shape:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
    elif shape:
        check_nonempty("aminmax", shape, dims, False, sep="")
    return (dims, keepdim)


def _aminmax_impl(x, dims, keepdim):
    return _AMIN_FN(x, dims, keepdim), _AMAX_FN(x, dims, keepdim)


_AMINMAX = engine.Op("aminmax", _aminmax_impl, prepare=_aminmax_prepare,
                     grad="AminmaxBackward0", saves=(0, "out"))


@register(out=True)
def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` (all elements by default)."""
    if dim is not None:
        if isinstance(dim, (tuple, list)):
            raise TypeError("aminmax(): argument 'dim' must be int, not "
                            f"{type(dim).__name__}")
        dims = (wrap_dim(dim, input.ndim),) if input.ndim else ()
    else:
        dims = tuple(range(input.ndim))
    return _aminmax_t(dispatch(_AMINMAX, (input,), (dims, bool(keepdim), dim is None)))


# --------------------------------------------------------------------------------------------
# argmax / argmin


def _arg_prepare(name):
    def prepare(sigs, static):
        shape, dt = sigs[0]
        dim, keepdim = static
        if dt is D.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        if dt.is_complex:
            raise RuntimeError(f"{name}(): does not support complex input")
        check_nonempty(name, shape, () if dim is None else (dim,), dim is None)
        return static
    return prepare


def _arg_impl(fn):
    def impl(x, dim, keepdim):
        if dim is None:
            r = fn(x.reshape(-1)).astype(jnp.int64)
            return r.reshape((1,) * x.ndim) if keepdim else r
        if x.ndim == 0:
            return jnp.zeros((), jnp.int64)
        return fn(x, axis=dim, keepdims=keepdim).astype(jnp.int64)
    return impl


_ARGMAX = engine.Op("argmax", _arg_impl(jnp.argmax), prepare=_arg_prepare("argmax"))
_ARGMIN = engine.Op("argmin", _arg_impl(jnp.argmin), prepare=_arg_prepare("argmin"))


def _arg_dim(name, input, dim):
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)) or not hasattr(dim, "__index__"):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    return wrap_dim(dim, input.ndim)


@register(out=True)
def argmax(input, dim=None, keepdim=False):
    """The index of the largest element (of the flattened input, or over ``dim``); the first
    one on ties, the first NaN if any."""
    return dispatch(_ARGMAX, (input,), (_arg_dim("argmax", input, dim), bool(keepdim)))


@register(out=True)
def argmin(input, dim=None, keepdim=False):
    """The index of the smallest element (of the flattened input, or over ``dim``)."""
    return dispatch(_ARGMIN, (input,), (_arg_dim("argmin", input, dim), bool(keepdim)))
