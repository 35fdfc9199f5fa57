"""Scans along one dim: cumsum, cumprod, cummax, cummin, logcumsumexp; and diff.

``cummax``/``cummin`` return ``(values, indices)``: a NaN, once met, stays (pointing at the
latest NaN) and ties point at the latest index, as PyTorch's kernels do.
"""
from __future__ import annotations

import functools

import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ..return_types import cummax as _cummax_t, cummin as _cummin_t
from ._registry import register
from ._util import dtype_arg, wrap_dim
from .reduction_minmax import not_implemented, select_along

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "diff"]

_REQUIRED = object()


def _dim_arg(name, input, dim):
    if dim is _REQUIRED:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    if dim is None or isinstance(dim, (tuple, list)) or not hasattr(dim, "__index__"):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    return wrap_dim(dim, input.ndim)


# --------------------------------------------------------------------------------------------
# cumsum / cumprod


def _scan_op(name, fn, grad, linear=False, saves=None):
    def prepare(sigs, static):
        dim, dtype = static
        dt = sigs[0][1]
        rt = dtype if dtype is not None else (D.int64 if dt.is_integral else dt)
        return (dim, P.opmath(rt).np, rt.np)

    def impl(x, dim, ct, rt):
        x = lax.convert_element_type(x, ct)
        if x.ndim:
            x = fn(x, axis=dim)
        return lax.convert_element_type(x, rt)

    return engine.Op(name, impl, prepare=prepare, grad=grad, linear=linear, saves=saves)


_CUMSUM = _scan_op("cumsum", jnp.cumsum, "CumsumBackward0", linear=True)
_CUMPROD = _scan_op("cumprod", jnp.cumprod, "CumprodBackward0", saves=(0, "out"))


@register(inplace=True, out=True)
def cumsum(input, dim=_REQUIRED, *, dtype=None):
    """Running sums along ``dim``; integers and bools accumulate in int64."""
    return dispatch(_CUMSUM, (input,), (_dim_arg("cumsum", input, dim), dtype_arg(dtype)))


@register(inplace=True, out=True)
def cumprod(input, dim=_REQUIRED, *, dtype=None):
    """Running products along ``dim``; integers and bools accumulate in int64."""
    return dispatch(_CUMPROD, (input,), (_dim_arg("cumprod", input, dim), dtype_arg(dtype)))


# --------------------------------------------------------------------------------------------
# cummax / cummin


def _pick_later(greater, a, b):
    """Combine two (value, index) scan states, ``a`` before ``b``: ``b`` wins if it is NaN,
    or if ``a`` is not NaN and ``b`` is at least as good (ties go to the later index)."""
    va, ia = a
    vb, ib = b
    better = vb >= va if greater else vb <= va
    take_b = jnp.isnan(vb) | (~jnp.isnan(va) & better)
    return jnp.where(take_b, vb, va), jnp.where(take_b, ib, ia)


def _cum_select_impl(greater):
    def impl(x, dim):
        if x.ndim == 0:
            return x, jnp.zeros((), jnp.int64)
        shape = [1] * x.ndim
        shape[dim] = x.shape[dim]
        pos = jnp.broadcast_to(jnp.arange(x.shape[dim], dtype=jnp.int64).reshape(shape),
                               x.shape)
        _, idx = lax.associative_scan(functools.partial(_pick_later, greater), (x, pos),
                                      axis=dim)
        return select_along(x, idx, dim, True)
    return impl


def _cum_select_prepare(kernel):
    def prepare(sigs, static):
        dt = sigs[0][1]
        if dt.is_complex:
            raise not_implemented(kernel, dt)
        return static
    return prepare


_CUMMAX = engine.Op("cummax", _cum_select_impl(True), prepare=_cum_select_prepare("cummax_cpu"),
                    grad="CummaxBackward0", saves=())
_CUMMIN = engine.Op("cummin", _cum_select_impl(False), prepare=_cum_select_prepare("cummin_cpu"),
                    grad="CumminBackward0", saves=())


@register(out=True)
def cummax(input, dim):
    """``(values, indices)``: the running maximum along ``dim`` and where it was found."""
    return _cummax_t(dispatch(_CUMMAX, (input,), (_dim_arg("cummax", input, dim),)))


@register(out=True)
def cummin(input, dim):
    """``(values, indices)``: the running minimum along ``dim`` and where it was found."""
    return _cummin_t(dispatch(_CUMMIN, (input,), (_dim_arg("cummin", input, dim),)))


# --------------------------------------------------------------------------------------------
# logcumsumexp


def _logcumsumexp_prepare(sigs, static):
    dt = sigs[0][1]
    if not (dt.is_floating_point or dt.is_complex):
        raise not_implemented("logcumsumexp_out_cpu", dt)
    return static + (P.opmath(dt).np,)


def _log_add_exp_complex(a, b):
    # log(exp(a) + exp(b)) around the operand with the larger real part
    big = jnp.where(a.real >= b.real, a, b)
    small = jnp.where(a.real >= b.real, b, a)
    return big + jnp.log1p(jnp.exp(small - big))


def _logcumsumexp_impl(x, dim, ct):
    if x.ndim == 0:
        return x
    if jnp.iscomplexobj(x):
        return lax.associative_scan(_log_add_exp_complex, x, axis=dim)
    return lax.cumlogsumexp(x.astype(ct), axis=dim).astype(x.dtype)


_LOGCUMSUMEXP = engine.Op("logcumsumexp", _logcumsumexp_impl, prepare=_logcumsumexp_prepare,
                          grad="LogcumsumexpBackward0", saves=(0, "out"))


@register(out=True)
def logcumsumexp(input, dim):
    """``log(cumsum(exp(input)))`` along ``dim``, computed stably."""
    return dispatch(_LOGCUMSUMEXP, (input,), (_dim_arg("logcumsumexp", input, dim),))


# --------------------------------------------------------------------------------------------
# diff


def _diff_impl(*a):
    *xs, n, dim, rt = a
    xs = [x.astype(rt) for x in xs]
    x = jnp.concatenate(xs, axis=dim) if len(xs) > 1 else xs[0]
    for _ in range(n):
        size = x.shape[dim]
        if size == 0:
            break
        hi = lax.slice_in_dim(x, 1, size, axis=dim)
        lo = lax.slice_in_dim(x, 0, size - 1, axis=dim)
        x = hi != lo if x.dtype == jnp.bool_ else hi - lo
    return x


def _diff_prepare(sigs, static):
    n, dim = static
    rt = P.result_type_sigs(tuple((s[0] or (1,), s[1]) for s in sigs))
    return (n, dim, rt.np)


# PyTorch's diff is narrow(...) - narrow(...): its node is the subtraction's
_DIFF = engine.Op("diff", _diff_impl, prepare=_diff_prepare, grad="SubBackward0", linear=True)


@register()
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim`` (``logical_xor`` for bools), after
    concatenating ``prepend`` and ``append``."""
    if isinstance(n, bool) or not hasattr(n, "__index__"):
        raise TypeError(f"diff(): argument 'n' must be int, not {type(n).__name__}")
    for name, t in (("prepend", prepend), ("append", append)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    n = int(n)
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input.ndim)
    parts = [input]
    for t in (prepend, append):
        if t is None:
            continue
        if t.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as "
                               "input")
        for i in range(input.ndim):
            if i != d and t.shape[i] != input.shape[i]:
                raise RuntimeError(
                    "diff expects the shape of tensor to prepend or append to match that of "
                    f"input except along the differencing dimension; input.size({i}) = "
                    f"{input.shape[i]}, but got tensor.size({i}) = {t.shape[i]}")
        if t is prepend:
            parts.insert(0, t)
        else:
            parts.append(t)
    if n == 0 and len(parts) == 1:
        return input
    return dispatch(_DIFF, tuple(parts), (n, d))
