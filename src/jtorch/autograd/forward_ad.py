"""torch.autograd.forward_ad: forward-mode AD with dual tensors, on ``jax.jvp``.

Inside ``dual_level()``, ``make_dual(primal, tangent)`` gives a tensor carrying a tangent.
Every op applied to tensors with tangents (``jtorch._dispatch`` and view creation call
``_propagate``) also dispatches its tangent op: ``jax.jvp`` of the op's pure function, as one
engine op, so tangents are lazy values in the same graph and are themselves differentiable by
reverse-mode autograd.  ``unpack_dual(t)`` returns ``(primal, tangent)``.  Leaving the level
drops every tangent.

Supported: every op of the op table, views, ``torch.compile``d and ``jax_function`` ops,
in-place ops on tensors that are neither views nor viewed, and custom ``autograd.Function``s
through their ``jvp`` (PyTorch's error without one).  Not supported (NotImplementedError):
in-place ops writing a tangent through a view (or into a viewed tensor).
"""
from __future__ import annotations

import collections
import weakref

import jax
import jax.numpy as jnp

from .. import _dispatch
from .._engine import core as engine

__all__ = ["dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual",
           "UnpackedDualTensor"]


class UnpackedDualTensor(collections.namedtuple("UnpackedDualTensor", ["primal", "tangent"])):
    """``(primal, tangent)`` of a dual tensor (``tangent`` is None for a plain tensor)."""

    __slots__ = ()


UnpackedDualTensor.__module__ = "torch.autograd.forward_ad"

_level = [-1]
_tangents: dict = {}  # id(tensor) -> (weakref to the tensor, tangent tensor)


def _get(t):
    e = _tangents.get(id(t))
    if e is None:
        return None
    if e[0]() is not t:  # the id was reused by a new tensor
        del _tangents[id(t)]
        return None
    return e[1]


def _set(t, tangent):
    k = id(t)
    if tangent is None:
        _tangents.pop(k, None)
        return
    _tangents[k] = (weakref.ref(t, lambda _r, k=k: _drop(k, _r)), tangent)


def _drop(k, ref):
    e = _tangents.get(k)
    if e is not None and e[0] is ref:
        del _tangents[k]


def enter_dual_level():
    """Enter a new forward-AD level (returns its index, 0); levels do not nest."""
    if _level[0] >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _level[0] = 0
    _dispatch.forward_ad_hook = _propagate
    return 0


def exit_dual_level(*, level=None):
    """Leave the current level: every tangent made in it is dropped."""
    if level is None:
        level = _level[0]
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    if level != _level[0]:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that "
                           "was created. This is not supported.")
    _level[0] = -1
    _tangents.clear()
    _dispatch.forward_ad_hook = None


class dual_level:
    """``with dual_level():`` — the region where dual tensors exist (yields the level)."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()
        return False


def _no_hook_view(t):
    prev = _dispatch.forward_ad_hook
    _dispatch.forward_ad_hook = None
    try:
        return t.view_as(t)
    finally:
        _dispatch.forward_ad_hook = prev


def make_dual(tensor, tangent, *, level=None):
    """A view of ``tensor`` carrying ``tangent`` as its forward gradient."""
    if _level[0] < 0:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ValueError(f"Expected primal to be floating point or complex, but got: "
                         f"{tensor.dtype}")
    if not (tangent.is_floating_point() or tangent.is_complex()):
        raise ValueError(f"Expected tangent to be floating point or complex, but got: "
                         f"{tangent.dtype}")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(f"Trying to set a forward gradient that has a different size than "
                           f"that of the original Tensor, this is not supported. Tensor is of "
                           f"size {list(tensor.shape)} while the given forward gradient is of "
                           f"size {list(tangent.shape)}.")
    if _get(tensor) is not None:
        raise RuntimeError(f"Making a dual Tensor based on a Tensor that already has a forward "
                           f"gradient at the same level {_level[0]} is not supported.")
    if tangent.device != tensor.device:
        tangent = tangent.to(tensor.device)
    out = _no_hook_view(tensor)
    _set(out, tangent)
    return out


def unpack_dual(tensor, *, level=None):
    """``UnpackedDualTensor(primal, tangent)``: a view of ``tensor`` without its tangent, and the
    tangent (None if it has none)."""
    tangent = _get(tensor) if _level[0] >= 0 else None
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    return UnpackedDualTensor(_no_hook_view(tensor), tangent)


# --------------------------------------------------------------------------------------------
# propagation


def _jvp_impl(*args):
    *arrays, plan, n, tpos = args
    primals, tans = arrays[:n], arrays[n:]

    def f(*tp):
        a = list(primals)
        for i, v in zip(tpos, tp):
            a[i] = v
        return plan.fn(*a)

    ps = tuple(primals[i] for i in tpos)
    ts = tuple(t.astype(p.dtype) for t, p in zip(tans, ps))
    _, out = jax.jvp(f, ps, ts)
    if isinstance(out, (tuple, list)):
        return tuple(_real_tangent(o) for o in out)
    return _real_tangent(out)


def _real_tangent(t):
    # integer outputs have float0 tangents (no derivative): stand-in zeros, never attached
    if t.dtype == jax.dtypes.float0:
        return jnp.zeros(t.shape, jnp.bool_)
    return t


_JVP = engine.Op("forward_ad_jvp", _jvp_impl, grad="ForwardADBackward")


def _propagate(plan, inputs, outs):
    """Called for every op while a dual level is open: attach the outputs' tangents."""
    if not _tangents:
        return
    from .._tensor import Tensor
    tpos = []
    tans = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor):
            tg = _get(x)
            if tg is not None:
                tpos.append(i)
                tans.append(tg)
    if not tpos:
        return
    _dispatch.forward_ad_hook = None
    try:
        res = _dispatch.dispatch(_JVP, (*inputs, *tans), (plan, len(inputs), tuple(tpos)))
    finally:
        _dispatch.forward_ad_hook = _propagate
    if isinstance(outs, tuple):
        for o, t in zip(outs, res):
            if o._dtype.is_floating_point or o._dtype.is_complex:
                _set(o, t)
    elif outs._dtype.is_floating_point or outs._dtype.is_complex:
        _set(outs, res)


def propagate_view(op, static, x, out):
    """A view ``out = op(x)`` of a tensor with a tangent: the tangent's view."""
    if _get(x) is None:
        return
    plan = engine.get_plan(op, static, ((x._shape, x._dtype),))
    _propagate(plan, (x,), out)


def propagate_inplace(t, result):
    """``t`` takes the value of ``result`` in place: it takes result's tangent too."""
    tg = _get(result)
    if tg is None:
        if _get(t) is not None:
            _set(t, None)
        return
    views = t._st.views or ()
    if t._view is not None or t._base_ is not None or any(
            r() is not None and r() is not t for r in views):
        raise NotImplementedError("torch.autograd.forward_ad: in-place ops on views (or viewed "
                                  "tensors) of dual tensors are not supported by jtorch")
    _set(t, tg)


def function_jvp(cls, ctx, args, output):
    """A custom ``autograd.Function`` applied to dual tensors: its outputs' tangents come from
    ``cls.jvp(ctx, *input_tangents)`` (PyTorch's error if it has none)."""
    from .._tensor import Tensor
    from .function import Function
    tans = [_get(a) if isinstance(a, Tensor) else None for a in args]
    if all(t is None for t in tans):
        return
    if cls.jvp is Function.jvp:
        raise NotImplementedError("You must implement the jvp function for custom "
                                  "autograd.Function to use it with forward mode AD.")
    prev = _dispatch.forward_ad_hook
    _dispatch.forward_ad_hook = None
    try:
        res = cls.jvp(ctx, *tans)
    finally:
        _dispatch.forward_ad_hook = prev
    outs = output if isinstance(output, tuple) else (output,)
    res = res if isinstance(res, tuple) else (res,)
    for o, t in zip(outs, res):
        if isinstance(o, Tensor):
            _set(o, t)
