"""nn.functional.linear and bilinear: one fused op each (matmul + bias).

PyTorch lowers ``linear`` to addmm / mm / matmul depending on the ranks, which shows in the
grad_fn name (``AddmmBackward0`` for 2-D input with bias, ``MmBackward0`` without, a view
node for other ranks) and in the error texts (mat1 is the input flattened to 2-D, mat2 the
transposed weight); both are reproduced here from one body.
"""
from __future__ import annotations

import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch
from .._engine import core as engine
from ._registry import register

__all__ = ["linear", "bilinear"]

_HIGHEST = lax.Precision.HIGHEST


def _cast(x, dt):
    return lax.convert_element_type(x, dt)


def _short(dt):
    return D._short(dt)


_CPP = {"float32": "float", "float64": "double", "float16": "c10::Half",
        "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int", "int16": "short int",
        "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
        "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _cpp(dt):
    """A dtype as C++ names it in some of PyTorch's messages (``float``, ``double``)."""
    return _CPP.get(dt._name, dt._name)


def _expand_error(bias_shape, target):
    for i in range(1, len(bias_shape) + 1):
        b, t = bias_shape[-i], target[-i] if i <= len(target) else None
        if t is not None and b != t and b != 1:
            dim = len(target) - i
            raise RuntimeError(
                f"The expanded size of the tensor ({t}) must match the existing size ({b}) at "
                f"non-singleton dimension {dim}.  Target sizes: [{', '.join(map(str, target))}]."
                f"  Tensor sizes: [{', '.join(map(str, bias_shape))}]")
    if len(bias_shape) > len(target):
        raise RuntimeError(
            f"The expand of the tensor requires the number of sizes provided "
            f"({len(target)}) to be greater or equal to the number of dimensions in the tensor "
            f"({len(bias_shape)})")


def _linear_prepare(sigs, static):
    (xs, xd), (ws, wd) = sigs[0], sigs[1]
    bias = sigs[2] if len(sigs) > 2 else None
    if not xs or not ws:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{len(xs)}D and {len(ws)}D")
    if len(ws) > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {len(ws)}D")
    if len(ws) == 1:
        if bias is not None:
            raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
        if xs[-1] != ws[0]:
            if len(xs) == 1:
                raise RuntimeError(f"inconsistent tensor size, expected tensor [{xs[0]}] and "
                                   f"src [{ws[0]}] to have the same number of elements, but got "
                                   f"{xs[0]} and {ws[0]} elements respectively")
            raise RuntimeError(f"size mismatch, got input ({xs[-2]}), mat ({xs[-2]}x{xs[-1]}), "
                               f"vec ({ws[0]})")
        if xd is not wd:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{_cpp(xd)} != {_cpp(wd)}")
        return (P.opmath(xd).np, xd.np, False)
    m = 1
    for s in xs[:-1]:
        m *= s
    k = xs[-1]
    n, k2 = ws
    if bias is not None:
        bs, bd = bias
        if bd is not wd:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got {_short(bd)} and "
                               f"{_short(wd)}")
        if xd is not wd:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_short(xd)} "
                               f"and {_short(wd)}")
    elif xd is not wd:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_cpp(xd)} != {_cpp(wd)}")
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({m}x{k} and {k2}x{n})")
    if bias is not None:
        _expand_error(bias[0], (m, n))
    return (P.opmath(xd).np, xd.np, True)


def _linear_impl(x, w, *rest):
    *b, ct, rt, matrix = rest
    if not matrix:
        return _cast(jnp.matmul(_cast(x, ct), _cast(w, ct), precision=_HIGHEST), rt)
    lead = x.shape[:-1]
    x2 = _cast(x, ct).reshape((-1, x.shape[-1]))
    y = jnp.matmul(x2, _cast(w, ct).T, precision=_HIGHEST)
    if b:
        y = y + jnp.broadcast_to(_cast(b[0], ct), y.shape)
    return _cast(y.reshape(lead + (w.shape[0],)), rt)


def _linear_op(grad):
    return engine.Op("linear", _linear_impl, prepare=_linear_prepare, grad=grad)


_LINEAR = {name: _linear_op(name) for name in (
    "AddmmBackward0", "MmBackward0", "ViewBackward0", "UnsafeViewBackward0", "SqueezeBackward4",
    "MvBackward0", "DotBackward0")}


def _linear_grad_name(xdim, wdim, has_bias):
    if wdim == 1:
        return "DotBackward0" if xdim == 1 else "MvBackward0" if xdim == 2 else "ViewBackward0"
    if xdim == 2:
        return "AddmmBackward0" if has_bias else "MmBackward0"
    if xdim == 1:
        return "ViewBackward0" if has_bias else "SqueezeBackward4"
    return "ViewBackward0" if has_bias else "UnsafeViewBackward0"


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` (weight: ``(out_features, in_features)``)."""
    op = _LINEAR[_linear_grad_name(input.dim(), weight.dim(), bias is not None)]
    args = (input, weight) if bias is None else (input, weight, bias)
    return dispatch(op, args)


def _bilinear_prepare(sigs, static):
    (s1, d1), (s2, d2), (ws, wd) = sigs[:3]
    if len(s1) != len(s2):
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {len(s1)} and "
                           f"{len(s2)}")
    for i in range(len(s1) - 1):
        if s1[i] != s2[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: "
                               f"got {s1[i]} and {s2[i]}")
    if len(ws) != 3:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-len(ws)}, {len(ws) - 1}], but got 2)")
    if s1[-1] != ws[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {s1[-1]} "
                           f"but expected {ws[1]}")
    if s2[-1] != ws[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {s2[-1]} "
                           f"but expected {ws[2]}")
    if len(sigs) > 3:
        bs = sigs[3][0]
        if len(bs) != 1 or bs[0] != ws[0]:
            got = bs[0] if bs else 1
            raise RuntimeError(f"bilinear(): bias size does not match weight size: got {got} "
                               f"but expected {ws[0]}")
    if not (d1 is d2 is wd):
        raise RuntimeError(f"All tensors must have the same dtype, got input1: {_cpp(d1)}, "
                           f"input2: {_cpp(d2)}, weight: {_cpp(wd)}")
    rt = d1
    return (P.opmath(rt).np, rt.np)


def _bilinear_impl(x1, x2, w, *rest):
    *b, ct, rt = rest
    y = jnp.einsum("...i,oij,...j->...o", _cast(x1, ct), _cast(w, ct), _cast(x2, ct),
                   precision=_HIGHEST)
    if b:
        y = y + _cast(b[0], ct)
    return _cast(y, rt)


_BILINEAR = engine.Op("bilinear", _bilinear_impl, prepare=_bilinear_prepare, grad="AddBackward0")
_BILINEAR_NOBIAS = engine.Op("bilinear", _bilinear_impl, prepare=_bilinear_prepare,
                             grad="ViewBackward0")


@register(method=False)
def bilinear(input1, input2, weight, bias=None):
    """``y_o = x1^T W_o x2 + b_o`` (weight: ``(out, in1, in2)``)."""
    if bias is None:
        return dispatch(_BILINEAR_NOBIAS, (input1, input2, weight))
    return dispatch(_BILINEAR, (input1, input2, weight, bias))
