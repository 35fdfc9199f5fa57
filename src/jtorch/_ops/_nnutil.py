"""Argument rules shared by the nn op families (losses, convolutions, pooling, recurrent layers).

PyTorch's ``torch.nn._reduction`` (reduction strings and the legacy ``size_average``/``reduce``
pair), ``torch.nn.modules.utils`` (``_single``/``_pair``/``_triple``), and small formatting
helpers for PyTorch's error messages.
"""
from __future__ import annotations

import collections.abc
import itertools
import warnings

import numpy as np

from .._engine import core as engine

__all__ = ["get_enum", "legacy_get_string", "reduction_arg", "ntuple", "single", "pair",
           "triple", "fmt_shape", "torch_size", "concrete_numpy", "ExpandedOps"]

NONE, MEAN, SUM = 0, 1, 2


def get_enum(reduction):
    """PyTorch's reduction enum (none=0, mean=1, sum=2) or its ValueError."""
    if reduction == "none":
        return NONE
    if reduction == "mean":
        return MEAN
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=3)
        return MEAN
    if reduction == "sum":
        return SUM
    raise ValueError(f"{reduction} is not a valid value for reduction")


def legacy_get_string(size_average, reduce, emit_warning=True):
    """The reduction string the deprecated ``size_average``/``reduce`` pair stands for."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def reduction_arg(size_average, reduce, reduction):
    """The reduction enum from a loss's (size_average, reduce, reduction) arguments."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    return get_enum(reduction)


def ntuple(n, name="parse"):
    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(itertools.repeat(x, n))

    parse.__name__ = name
    return parse


single = ntuple(1, "_single")
pair = ntuple(2, "_pair")
triple = ntuple(3, "_triple")


def fmt_shape(shape):
    """``[2, 3]``: a shape as PyTorch prints sizes in its C++ messages."""
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"


def torch_size(shape):
    """``torch.Size([2, 3])``: a shape as Python code prints ``tensor.size()``."""
    return "torch.Size([" + ", ".join(str(int(s)) for s in shape) + "])"


def concrete_numpy(t):
    """``t``'s values as numpy when they are already computed, else None (never a sync).

    PyTorch checks some arguments by value (class indices in range, probabilities in [0, 1]).
    jtorch does those checks when the values are at hand, so that a lazily recorded training
    step is not cut in two by a check; the op bodies give NaN where the check would fail.
    """
    st = t._st
    v = st.value
    if type(v) is np.ndarray:
        return t._numpy_view()
    r = t._ref()
    if type(r) is engine.Pending:
        if r.value is None:
            return None
        r = r.value
    return np.asarray(r)


class ExpandedOps:
    """Ops that share one body and differ only in the ``grad_fn`` name PyTorch shows.

    PyTorch builds many losses from several ATen ops, so the name of the result's ``grad_fn``
    depends on the arguments (``MeanBackward0`` for ``reduction='mean'``, ``AbsBackward0`` for
    ``'none'``); jtorch computes them in one fused op and picks the name here.
    """

    def __init__(self, name, impl, prepare=None, **kw):
        self.name = name
        self.impl = impl
        self.prepare = prepare
        self.kw = kw
        self.ops = {}

    def __getitem__(self, grad):
        op = self.ops.get(grad)
        if op is None:
            op = self.ops[grad] = engine.Op(self.name, self.impl, prepare=self.prepare,
                                            grad=grad, **self.kw)
        return op
