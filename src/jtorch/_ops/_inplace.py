"""In-place and ``out=`` semantics, shared by every op's ``Tensor.X_`` and ``out=`` surfaces.

An in-place op computes the out-of-place result and writes it into the target's storage (through
its view chain, so every alias sees it).  Autograd: the target takes the result's history; for a
view, its base gets a ``CopySlices`` node (the functional update of the base) and the view is
re-read from the new base.
"""
from __future__ import annotations

from .. import _dtype as D
from ..autograd import grad_mode

__all__ = ["check_inplace", "apply_inplace", "write_out", "check_overlap"]


def check_inplace(t):
    """PyTorch's refusals for in-place ops on tensors autograd needs intact."""
    if t._rg and t._fn is None and grad_mode.state.enabled:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    base = t._base_
    if base is not None and base._rg and base._fn is None and grad_mode.state.enabled:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    multi = getattr(t, "_jt_multi", None)
    if multi is not None and t._rg and grad_mode.state.enabled:
        raise RuntimeError(
            f"Output {multi[0]} of {multi[1]} is a view and is being modified inplace. This view "
            "is the output of a function that returns multiple views. Such functions do not allow "
            "the output views to be modified inplace. You should replace the inplace operation by "
            "an out-of-place one.")


def check_overlap(t):
    """Writing into a tensor whose elements share memory (an expanded view) is refused."""
    stride = t._stride
    if stride is None:
        return
    for size, st in zip(t._shape, stride):
        if st == 0 and size > 1:
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers to "
                "a single memory location. Please clone() the tensor before performing the "
                "operation.")


def _cast_for(t, result):
    if result._dtype is not t._dtype:
        if not D.can_cast(result._dtype, t._dtype):
            raise RuntimeError(f"result type {D._short(result._dtype)} can't be cast to the "
                               f"desired output type {D._short(t._dtype)}")
        result = result.to(t._dtype)
    return result


def apply_inplace(t, result):
    """Write ``result`` (an out-of-place op's value) into ``t``; returns ``t``."""
    if result._shape != t._shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, t._shape))}] doesn't match "
                           f"the broadcast shape [{', '.join(map(str, result._shape))}]")
    check_overlap(t)
    result = _cast_for(t, result)
    assign(t, result)
    return t


def assign(t, result):
    """Make ``t`` hold ``result``'s value and autograd history (same shape and dtype)."""
    from .. import _dispatch
    if _dispatch.forward_ad_hook is not None:  # forward-mode AD: t takes result's tangent
        from ..autograd.forward_ad import propagate_inplace
        propagate_inplace(t, result)
    base = t._base_
    if result._rg and grad_mode.state.enabled:
        node = result._fn
        if base is not None and t._view is not None:
            _inplace_on_view(t, base, result)
        else:
            t._write(result._ref())
            t._fn = node
            t._out_nr = result._out_nr
            t._rg = True
            base = t
        _accept_own_write(node, t)
        _refresh_views(t._st, t, base)
        return
    t._write(result._ref())


def _accept_own_write(node, t):
    """The in-place op's own node saved ``t`` before writing it: that write does not
    invalidate it (its saved refs are immutable values of the inputs)."""
    saved = getattr(node, "_saved", None)
    if saved:
        ver = t._ver
        node._saved = [(v, ver[0] if v is ver else e, d) for v, e, d in saved]


def _refresh_views(st, written, base):
    """After an in-place op with autograd history, every other view of the storage reads its
    value from the modified base: its grad_fn is re-derived from the base's new history
    (PyTorch regenerates a view's grad_fn when its base's version changed)."""
    vs = st.views
    if not vs:
        return
    from .._dispatch import dispatch
    from .view import READ, relative_chain
    alive = []
    for r in vs:
        w = r()
        if w is None:
            continue
        alive.append(r)
        if w is written or w._st is not st or w._base_ is not base or w._view is None:
            continue
        if w._fn is None and w._rg:  # a leaf the user made require grad
            continue
        try:
            chain = relative_chain(w, base)
        except NotImplementedError:
            continue
        reread = dispatch(READ, (base,), chain)
        w._fn, w._out_nr, w._rg = reread._fn, 0, reread._rg
    st.views = alive


def _inplace_on_view(view, base, result):
    """Autograd for an in-place op on a view: the base's history becomes CopySlices."""
    from .._dispatch import dispatch
    from .._tensor import _alias
    from .view import WRITE, READ, relative_chain
    chain = relative_chain(view, base)
    old = _alias(base)
    old._fn, old._out_nr, old._rg = base._fn, base._out_nr, base._rg
    new_base = dispatch(WRITE, (old, result), chain)
    base._write(new_base._ref())
    base._fn, base._out_nr, base._rg = new_base._fn, 0, True
    if view._ver is not base._ver:
        view._ver[0] += 1
    reread = dispatch(READ, (base,), chain)
    view._fn, view._out_nr, view._rg = reread._fn, 0, True


def write_out(out, result, name):
    """``op(..., out=out)``: resize/cast as PyTorch does and copy the result into ``out``."""
    from .._tensor import Tensor
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors")
        for o, r in zip(out, result):
            write_out(o, r, name)
        # torch.return_types.X results come back as X_out, other tuples as plain tuples
        out_type = getattr(type(result), "_out_type", None)
        return out_type(out) if out_type is not None else tuple(out)
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if grad_mode.state.enabled and (out._rg or result._rg):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out._shape != result._shape:
        if out.numel() != 0:
            import warnings
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"[{', '.join(map(str, out._shape))}], which does not match the required output "
                f"shape [{', '.join(map(str, result._shape))}]. This behavior is deprecated, and "
                "in a future PyTorch release outputs will not be resized unless they have zero "
                "elements. You can explicitly reuse an out tensor t by resizing it, inplace, to "
                "zero elements with t.resize_(0).", UserWarning, stacklevel=3)
        _resize_out(out, result)
        return out
    check_overlap(out)
    result = _cast_for(out, result)
    out._write(result._ref())
    return out


def _resize_out(out, result):
    from .._tensor import make
    if out._base_ is not None or out._view is not None:
        raise RuntimeError("cannot resize variables that require grad")
    if not D.can_cast(result._dtype, out._dtype):
        raise RuntimeError(f"result type {D._short(result._dtype)} can't be cast to the desired "
                           f"output type {D._short(out._dtype)}")
    if result._dtype is not out._dtype:
        result = result.to(out._dtype)
    fresh = make(result._ref(), result._shape, result._dtype, out._device)
    out._st = fresh._st
    out._shape = result._shape
    out._stride = None
    out._offset = 0
    out._vc = None
    out._vver = -1
    out._ver[0] += 1
