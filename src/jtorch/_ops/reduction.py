"""Reductions over dims: sum, nansum, mean, nanmean, prod, std/var, logsumexp, norm,
count_nonzero, all/any.

``dim`` is an int or a tuple (None: every dim), ``keepdim`` keeps reduced dims as size 1, and
``dtype=`` casts the input before reducing.  16-bit floats accumulate in float32, as PyTorch's
CPU kernels do.  The selecting reductions (max, min, median, ...) are in ``reduction_minmax``
and ``reduction_stats``, the scans (cumsum, ...) in ``reduction_cum``.
"""
from __future__ import annotations

import math
import warnings

import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from .._promotion import opmath
from ._registry import register
from ._util import dtype_arg, numel, wrap_dim, wrap_dims

__all__ = ["reduction", "reduce_args", "sum", "nansum", "mean", "nanmean", "prod", "std", "var",
           "std_mean", "var_mean", "logsumexp", "norm", "count_nonzero", "all", "any"]

_builtin_all = all


def _cast(x, dt):
    return lax.convert_element_type(x, dt)


def reduce_args(input, dim, keepdim, axis=None, empty_is_all=True):
    """Normalise ``dim`` (or numpy's ``axis``) to a tuple of non-negative dims.

    ``None`` (and, where PyTorch says so, an empty list) means every dim; a 0-d tensor accepts
    dim 0 / -1 and reduces nothing.
    """
    if axis is not None:
        if dim is not None:
            raise TypeError("got multiple values for argument 'dim'")
        dim = axis
    if empty_is_all and isinstance(dim, (list, tuple)) and len(dim) == 0:
        dim = None
    dims = wrap_dims(dim, input.ndim)
    if input.ndim == 0:
        dims = ()
    return dims, bool(keepdim)


def reduced_shape(shape, dims, keepdim):
    """The shape of a reduction's result."""
    if keepdim:
        return tuple(1 if i in dims else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in dims)


def reduction(name, fn, grad, result_dtype, linear=False, saves=None, check=None):
    """A reduction op: ``fn(x, axis, keepdims)`` in the compute dtype, cast to the result dtype.

    ``result_dtype(input_dtype, dtype_arg)`` gives the result dtype or raises PyTorch's error;
    ``check(shape, dtype, dims)`` raises PyTorch's other errors (empty inputs, ...).
    """

    def prepare(sigs, static):
        dims, keepdim, dtype = static
        shape, dt = sigs[0]
        rt = result_dtype(dt, dtype)
        if check is not None:
            check(shape, dt, dims)
        return (dims, keepdim, opmath(rt).np, rt.np)

    def impl(x, dims, keepdim, ct, rt):
        return _cast(fn(_cast(x, ct), axis=dims, keepdims=keepdim), rt)

    return engine.Op(name, impl, prepare=prepare, grad=grad, linear=linear, saves=saves)


# --------------------------------------------------------------------------------------------
# sum, nansum, prod


def _sum_dtype(dt, dtype):
    if dtype is not None:
        return dtype
    return D.int64 if dt.is_integral else dt


def _nansum_dtype(dt, dtype):
    if dt.is_complex or (dtype is not None and dtype.is_complex):
        raise RuntimeError("nansum on CPU does not support complex inputs")
    return _sum_dtype(dt, dtype)


def _nansum(x, axis, keepdims):
    return jnp.sum(jnp.where(jnp.isnan(x), jnp.zeros((), x.dtype), x), axis=axis,
                   keepdims=keepdims)


# PyTorch names the full reduction's node ...Backward0 and the dim= overload's ...Backward1
_SUM = reduction("sum", jnp.sum, "SumBackward0", _sum_dtype, linear=True)
_SUM_DIM = reduction("sum", jnp.sum, "SumBackward1", _sum_dtype, linear=True)
_NANSUM = reduction("nansum", _nansum, "NansumBackward0", _nansum_dtype, saves=(0,))
_PROD = reduction("prod", jnp.prod, "ProdBackward0", _sum_dtype, saves=(0, "out"))
_PROD_DIM = reduction("prod", jnp.prod, "ProdBackward1", _sum_dtype, saves=(0, "out"))


@register(out=True)
def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Sum over ``dim`` (all dims by default); integers and bools sum to int64."""
    dims, keepdim = reduce_args(input, dim, keepdim, axis)
    op = _SUM if dim is None and axis is None else _SUM_DIM
    return dispatch(op, (input,), (dims, keepdim, dtype_arg(dtype)))


@register(out=True)
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over ``dim`` treating NaN as zero."""
    dims, keepdim = reduce_args(input, dim, keepdim)
    return dispatch(_NANSUM, (input,), (dims, keepdim, dtype_arg(dtype)))


def _int_dim(name, dim):
    if isinstance(dim, (tuple, list)) or dim is None or isinstance(dim, float):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    return dim


@register(out=True)
def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or over one ``dim``; integers and bools give int64."""
    if dim is None:
        if keepdim:
            raise TypeError("prod() received an invalid combination of arguments - got "
                            "(keepdim=bool), but expected (int dim, bool keepdim)")
        return dispatch(_PROD, (input,), (tuple(range(input.ndim)), False, dtype_arg(dtype)))
    dims, keepdim = reduce_args(input, _int_dim("prod", dim), keepdim)
    return dispatch(_PROD_DIM, (input,), (dims, keepdim, dtype_arg(dtype)))


# --------------------------------------------------------------------------------------------
# mean, nanmean


def _mean_dtype_for(name):
    def result(dt, dtype):
        if dtype is not None:
            if not (dtype.is_floating_point or dtype.is_complex):
                raise RuntimeError(f"{name}(): could not infer output dtype. Optional dtype must "
                                   f"be either a floating point or complex dtype. Got: "
                                   f"{D._short(dtype)}")
            return dtype
        if not (dt.is_floating_point or dt.is_complex):
            if name == "nanmean":
                raise RuntimeError("nanmean(): expected input to have floating point or complex "
                                   f"dtype but got {D._short(dt)}")
            raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be "
                               f"either a floating point or complex dtype. Got: {D._short(dt)}")
        return dt
    return result


def _nanmean_dtype(dt, dtype):
    rt = _mean_dtype_for("nanmean")(dt, dtype)
    if dt.is_complex or rt.is_complex:
        raise RuntimeError("nansum on CPU does not support complex inputs")
    return rt


def _nanmean(x, axis, keepdims):
    keep = ~jnp.isnan(x)
    total = jnp.sum(jnp.where(keep, x, jnp.zeros((), x.dtype)), axis=axis, keepdims=keepdims)
    return total / jnp.sum(keep, axis=axis, keepdims=keepdims).astype(x.dtype)


_MEAN = reduction("mean", jnp.mean, "MeanBackward0", _mean_dtype_for("mean"), linear=True)
_MEAN_DIM = reduction("mean", jnp.mean, "MeanBackward1", _mean_dtype_for("mean"), linear=True)
# PyTorch computes nanmean as nansum(x) / count(~isnan(x)): its node is the division's
_NANMEAN = reduction("nanmean", _nanmean, "DivBackward0", _nanmean_dtype)


@register(out=True)
def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Mean over ``dim``; integer input needs a floating ``dtype=``."""
    dims, keepdim = reduce_args(input, dim, keepdim, axis)
    op = _MEAN if dim is None and axis is None else _MEAN_DIM
    return dispatch(op, (input,), (dims, keepdim, dtype_arg(dtype)))


@register(out=True)
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over ``dim`` of the non-NaN elements (NaN where all are NaN)."""
    dims, keepdim = reduce_args(input, dim, keepdim)
    return dispatch(_NANMEAN, (input,), (dims, keepdim, dtype_arg(dtype)))


# --------------------------------------------------------------------------------------------
# std, var, std_mean, var_mean


def _safe_sqrt(v):
    # PyTorch's std backward is grad / (2 * std) masked to 0 where std == 0 (jnp.sqrt's
    # derivative at 0 is inf, and inf * 0 = nan)
    zero = v == 0
    return jnp.where(zero, jnp.zeros((), v.dtype), jnp.sqrt(jnp.where(zero, jnp.ones((), v.dtype),
                                                                     v)))


def _var_impl(x, dims, keepdim, correction, ct, rt, sqrt, with_mean):
    dt = x.dtype
    x = _cast(x, ct)
    n = numel(tuple(x.shape[d] for d in dims))
    mu = jnp.mean(x, axis=dims, keepdims=True)
    d = x - mu
    sq = d.real * d.real + d.imag * d.imag if jnp.iscomplexobj(d) else d * d
    dof = max(0.0, n - correction)  # dof <= 0 gives inf or nan, as in PyTorch
    v = jnp.sum(sq, axis=dims, keepdims=keepdim) / jnp.asarray(dof, sq.dtype)
    if sqrt:
        v = _safe_sqrt(v)
    v = _cast(v, rt)
    if not with_mean:
        return v
    if not keepdim:
        mu = jnp.squeeze(mu, axis=dims)
    return v, _cast(mu, dt)


def _var_op(name, sqrt, with_mean, grad):
    def prepare(sigs, static):
        dims, keepdim, correction = static
        dt = sigs[0][1]
        if not (dt.is_floating_point or dt.is_complex):
            what = "std and var" if name in ("std", "var") else name
            raise RuntimeError(f"{what} only support floating point and complex dtypes")
        rt = dt.to_real() if dt.is_complex else dt
        return (dims, keepdim, correction, opmath(dt).np, rt.np, sqrt, with_mean)

    return engine.Op(name, _var_impl, prepare=prepare, grad=grad, saves=(0, "out"))


_STD = _var_op("std", True, False, "StdBackward0")
_VAR = _var_op("var", False, False, "VarBackward0")
_STD_MEAN = _var_op("std_mean", True, True, "StdMeanBackward0")
_VAR_MEAN = _var_op("var_mean", False, True, "VarMeanBackward0")


def _var_args(name, input, dim, unbiased, keepdim, correction):
    """PyTorch's three std/var signatures -> (dims, keepdim, correction)."""
    if isinstance(dim, bool):  # std(input, unbiased)
        if unbiased is not None:
            raise TypeError(f"{name}() received an invalid combination of arguments")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        "(correction=..., unbiased=...), but expected one of: (tuple of ints "
                        "dim, bool unbiased = True, bool keepdim = False), (tuple of ints dim = "
                        "None, *, Number correction = None, bool keepdim = False)")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    dims, keepdim = reduce_args(input, dim, keepdim)
    n = numel(tuple(input.shape[d] for d in dims))
    if n - correction <= 0:
        base = name.split("_")[0]
        warnings.warn(f"{base}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel). "
                      "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
                      "ReduceOps.cpp:1861.)", UserWarning, stacklevel=3)
    return dims, keepdim, correction


@register(out=True)
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation over ``dim`` with ``correction`` (Bessel's by default)."""
    static = _var_args("std", input, dim, unbiased, keepdim, correction)
    return dispatch(_STD, (input,), static)


@register(out=True)
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over ``dim`` with ``correction`` (Bessel's by default)."""
    static = _var_args("var", input, dim, unbiased, keepdim, correction)
    return dispatch(_VAR, (input,), static)


@register(method=False, out=True)
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``."""
    static = _var_args("std_mean", input, dim, unbiased, keepdim, correction)
    return dispatch(_STD_MEAN, (input,), static)


@register(method=False, out=True)
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``."""
    static = _var_args("var_mean", input, dim, unbiased, keepdim, correction)
    return dispatch(_VAR_MEAN, (input,), static)


# --------------------------------------------------------------------------------------------
# logsumexp


def _logsumexp(x, axis, keepdims):
    # PyTorch's formulation: subtract the (infinite-masked) max, which carries no gradient,
    # so the gradient is exp(x - result) (nan where x and the result are both infinite)
    real = x.real if jnp.iscomplexobj(x) else x
    m = jnp.max(real, axis=axis, keepdims=True, initial=-jnp.inf) if axis else real
    m = lax.stop_gradient(jnp.where(jnp.isinf(m), jnp.zeros((), m.dtype), m))
    s = jnp.sum(jnp.exp(x - m), axis=axis, keepdims=keepdims)
    if not keepdims and axis:
        m = jnp.squeeze(m, axis=axis)
    return jnp.log(s) + m


def _logsumexp_dtype(dt, dtype):
    return D.get_default_dtype() if dt.is_integral else dt


_REQUIRED = object()
_LOGSUMEXP = reduction("logsumexp", _logsumexp, "LogsumexpBackward0", _logsumexp_dtype,
                       saves=(0, "out"))


@register(out=True)
def logsumexp(input, dim=_REQUIRED, keepdim=False):
    """``log(sum(exp(input)))`` over ``dim``, computed stably; integers give the default
    float dtype."""
    if dim is _REQUIRED:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType")
    if isinstance(dim, (list, tuple)) and len(dim) == 0 and not keepdim and input.ndim:
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                           f"[{', '.join(['1'] * input.ndim)}]")
    dims, keepdim = reduce_args(input, dim, keepdim)
    return dispatch(_LOGSUMEXP, (input,), (dims, keepdim, None))


# --------------------------------------------------------------------------------------------
# norm (torch.norm -> linalg.vector_norm / linalg.matrix_norm)


def _pow_abs(a, p):
    # |x|**p with PyTorch's gradient at x == 0: 0 (jnp's is inf or nan for p < 1)
    zero = a == 0
    safe = jnp.where(zero, jnp.ones((), a.dtype), a)
    at_zero = jnp.zeros((), a.dtype) if p > 0 else jnp.full((), jnp.inf, a.dtype)
    return jnp.where(zero, at_zero, safe ** p)


def _abs(x):
    # |x| with PyTorch's gradient at 0: 0 (jax's is 1 for reals, nan for complex)
    zero = x == 0
    return jnp.where(zero, jnp.zeros((), x.real.dtype), jnp.abs(jnp.where(zero, jnp.ones((), x.dtype), x)))


def _vector_norm_impl(x, ord, dims, keepdim, ct, rt):
    x = _cast(x, ct)
    a = _abs(x)
    if not dims:
        dims = None if a.ndim else ()
    if ord == math.inf:
        r = jnp.max(a, axis=dims, keepdims=keepdim)
    elif ord == -math.inf:
        r = jnp.min(a, axis=dims, keepdims=keepdim)
    elif ord == 0:
        r = jnp.sum((a != 0).astype(a.dtype), axis=dims, keepdims=keepdim)
    elif ord == 1:
        r = jnp.sum(a, axis=dims, keepdims=keepdim)
    elif ord == 2:
        r = _safe_sqrt(jnp.sum(a * a, axis=dims, keepdims=keepdim))
    else:
        s = jnp.sum(_pow_abs(a, ord), axis=dims, keepdims=keepdim)
        r = _pow_abs(s, 1.0 / ord)
    return _cast(r, rt)


def _vector_norm_prepare(sigs, static):
    ord, dims, keepdim, dtype, full = static
    shape, dt = sigs[0]
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {D._short(dt)}")
    if dtype is not None:
        if not (dtype.is_floating_point or dtype.is_complex):
            raise RuntimeError("linalg.vector_norm: dtype should be floating point or complex, "
                               f"but got {D._short(dtype)}")
        if dt.is_complex and not dtype.is_complex:
            raise RuntimeError("linalg.vector_norm: dtype should be complex for complex inputs, "
                               f"but got {D._short(dtype)}")
        if D.promote_types(dt, dtype) is not dtype:
            raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({D._short(dt)}) "
                               "should be convertible without narrowing to the specified dtype "
                               f"({D._short(dtype)})")
        dt = dtype
    if ord < 0 or ord == math.inf:
        o = "inf" if ord == math.inf else ("-inf" if ord == -math.inf else ord)
        if numel(shape) == 0 and full:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {o} norm on an empty "
                               "tensor because the operation does not have an identity")
        for d in dims:
            if shape[d] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {o} norm on the "
                                   f"dimension {d}because this dimension is empty and the "
                                   "operation does not have an identity")
    rt = dt.to_real() if dt.is_complex else dt
    return (ord, dims, keepdim, opmath(dt).np, rt.np)


_VECTOR_NORM = engine.Op("linalg_vector_norm", _vector_norm_impl, prepare=_vector_norm_prepare,
                         grad="LinalgVectorNormBackward0", saves=(0, "out"))


def vector_norm(input, ord=2, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.vector_norm``: the ``ord``-norm of ``input`` over ``dim`` (all dims by
    default).  For ``torch.linalg`` to reuse."""
    if isinstance(dim, int) and not isinstance(dim, bool):
        dim = (dim,)
    dims, keepdim = reduce_args(input, dim, keepdim)
    ord = float(ord)
    return dispatch(_VECTOR_NORM, (input,), (ord, dims, keepdim, dtype_arg(dtype), dim is None))


def _nuc_impl(x, dims, keepdim, ct, rt):
    x = _cast(x, ct)
    m = jnp.moveaxis(x, dims, (-2, -1))
    r = jnp.sum(jnp.linalg.svd(m, compute_uv=False), axis=-1)
    if keepdim:
        r = jnp.expand_dims(r, tuple(sorted(dims)))
    return _cast(r, rt)


def _nuc_prepare(sigs, static):
    dims, keepdim, dtype = static
    shape, dt = sigs[0]
    if len(shape) < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    dt = dtype or dt
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError("linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {D._short(dt)}")
    if dt in (D.float16, D.bfloat16):
        raise RuntimeError(f"linalg.matrix_norm: Low precision dtypes not supported. Got "
                           f"{D._short(dt)}")
    rt = dt.to_real() if dt.is_complex else dt
    return (dims, keepdim, opmath(dt).np, rt.np)


# PyTorch's nuclear norm is svdvals(...).sum(-1): its node is the sum's
_NUC_NORM = engine.Op("nuclear_norm", _nuc_impl, prepare=_nuc_prepare, grad="SumBackward1")


def matrix_norm_nuc(input, dim, keepdim=False, *, dtype=None):
    """The nuclear norm over the two dims ``dim``."""
    if input.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    dims = wrap_dims(dim, input.ndim)
    if dims[0] == dims[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dims[0]}, "
                           f"{dims[1]})")
    return dispatch(_NUC_NORM, (input,), (dims, bool(keepdim), dtype_arg(dtype)))


@register(out=True)
def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The norm of ``input``: a vector ``p``-norm over ``dim`` (all dims by default; ``'fro'``
    is the 2-norm) or the nuclear norm ``'nuc'`` over two dims."""
    if isinstance(dim, int) and not isinstance(dim, bool):
        dim = [dim]
    if isinstance(p, str):
        if p == "fro" and (dim is None or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        dims = list(range(input.ndim)) if dim is None else list(dim)
        if input.ndim < 2:
            raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                               "dimensions.")
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if len(dims) != 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                               f"{' '.join(str(d) for d in dims)}")
        return matrix_norm_nuc(input, dims, keepdim, dtype=dtype)
    return vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype)


# --------------------------------------------------------------------------------------------
# count_nonzero, all, any


def _count_nonzero(x, dims):
    return jnp.sum(x != 0, axis=dims).astype(jnp.int64)


_COUNT_NONZERO = engine.Op("count_nonzero", _count_nonzero)


@register()
def count_nonzero(input, dim=None):
    """The number of non-zero elements over ``dim`` (int64)."""
    dims, _ = reduce_args(input, dim, False)
    return dispatch(_COUNT_NONZERO, (input,), (dims,))


def _logical_dtype(dt, dtype):
    # bool results, except that uint8 input gives uint8 (PyTorch's legacy byte masks)
    return D.uint8 if dt is D.uint8 else D.bool_


def _logical_reduction(name, fn):
    def prepare(sigs, static):
        dims, keepdim = static
        return (dims, keepdim, _logical_dtype(sigs[0][1], None).np)

    def impl(x, dims, keepdim, rt):
        return fn(x != 0, axis=dims, keepdims=keepdim).astype(rt)

    return engine.Op(name, impl, prepare=prepare)


_ALL = _logical_reduction("all", jnp.all)
_ANY = _logical_reduction("any", jnp.any)


@register(out=True)
def all(input, dim=None, keepdim=False):
    """True where every element over ``dim`` is non-zero (uint8 input gives uint8)."""
    dims, keepdim = reduce_args(input, dim, keepdim, empty_is_all=False)
    return dispatch(_ALL, (input,), (dims, keepdim))


@register(out=True)
def any(input, dim=None, keepdim=False):
    """True where some element over ``dim`` is non-zero (uint8 input gives uint8)."""
    dims, keepdim = reduce_args(input, dim, keepdim, empty_is_all=False)
    return dispatch(_ANY, (input,), (dims, keepdim))


# the other reduction families register their ops on import
from . import reduction_minmax, reduction_stats, reduction_cum, sort  # noqa: E402,F401
