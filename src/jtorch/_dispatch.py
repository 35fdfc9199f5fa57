"""The one dispatch function every op goes through.

``dispatch(op, inputs, static)`` turns tensors into engine refs, finds the cached plan for the
input signatures (checking shapes and dtypes at once, so errors surface on the user's line),
hands the plan to the engine (which records it or runs it), wraps the results as tensors, and
records the autograd node when an input requires grad.
"""
from __future__ import annotations

from ._engine import core as engine
from ._tensor import CPU, Tensor, make
from .autograd import grad_mode
from .autograd.graph import record

__all__ = ["dispatch", "dispatch_nograd"]

_plans = engine._plans
_make_plan = engine._make_plan
_apply = engine.apply
_state = grad_mode.state
# torch.autocast: while a device type has autocast on, ``amp.autocast_mode.hook(op, inputs)``
# returns the inputs cast as PyTorch's autocast op lists say (None: autocast is off everywhere)
autocast_hook = None
# torch.autograd.forward_ad: while a dual level is open, ``forward_ad._propagate(plan, inputs,
# outs)`` gives the outputs the tangents of the inputs' (None otherwise)
forward_ad_hook = None


def dispatch(op, inputs, static=(), device=None):
    """Apply ``op`` to ``inputs`` (tensors and Python scalars) with ``static`` arguments."""
    if autocast_hook is not None:
        inputs = autocast_hook(op, inputs)
    refs = []
    sigs = []
    rg = False
    dev = device
    for x in inputs:
        if isinstance(x, Tensor):
            refs.append(x._ref())
            sigs.append((x._shape, x._dtype))
            if x._rg:
                rg = True
            if dev is None:
                dev = x._device
            elif x._device is not dev and x._device != dev:
                return _mixed_devices(op, inputs, static, device)
        else:
            refs.append(x)
            sigs.append(type(x))
    sigs = tuple(sigs)
    key = (op, static, sigs)
    plan = _plans.get(key)
    if plan is None:
        plan = _make_plan(op, static, sigs, key)
    out = _apply(plan, refs, dev)
    if dev is None:
        dev = CPU
    if plan.multi:
        outs = tuple(make(o, s, d, dev) for o, (s, d) in zip(out, plan.outs))
    else:
        s, d = plan.outs[0]
        outs = make(out, s, d, dev)
    if rg and _state.enabled and op.grad is not None:
        record(op, plan, inputs, refs, outs)
    if forward_ad_hook is not None:
        forward_ad_hook(plan, inputs, outs)
    return outs


def dispatch_nograd(op, inputs, static=(), device=None):
    """``dispatch`` without autograd recording (for ops PyTorch never differentiates)."""
    prev = _state.enabled
    _state.enabled = False
    try:
        return dispatch(op, inputs, static, device)
    finally:
        _state.enabled = prev


def _device_mismatch(op, a, b):
    if a.type == "meta" or b.type == "meta":
        raise RuntimeError(f"Tensor on device {b} is not on the expected device {a}!")
    raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two "
                       f"devices, {a} and {b}!")


def _mixed_devices(op, inputs, static, device):
    """Tensors on two devices: PyTorch lets zero-dim CPU tensors (scalars) join tensors on
    another device (they are copied there); anything else is its device-mismatch error."""
    dev = device
    if not any(isinstance(x, Tensor) and x._device.type == "cuda" for x in inputs):
        first = device
        for x in inputs:
            if isinstance(x, Tensor):
                if first is None:
                    first = x._device
                elif x._device != first:
                    _device_mismatch(op, first, x._device)
    for x in inputs:
        if isinstance(x, Tensor) and not (x._shape == () and x._device.type == "cpu"):
            if dev is None:
                dev = x._device
            elif x._device != dev:
                _device_mismatch(op, dev, x._device)
    if dev is None:  # only scalars, on several devices: the first one's
        dev = next(x._device for x in inputs if isinstance(x, Tensor))
    from ._devices import move
    moved = tuple(move(x, dev) if isinstance(x, Tensor) and x._device != dev else x
                  for x in inputs)
    return dispatch(op, moved, static, device)
