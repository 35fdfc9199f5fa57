"""One optimizer step = one recorded engine op.

``fused_update(optimizer)`` gathers, for every group, the run-time hyper-parameters (inputs:
changing ``param_groups[i]['lr']`` or a scheduler step never recompiles), and for every
parameter with a gradient the parameter, its gradient and its state tensors; it dispatches
*one* engine op whose pure jax body applies the optimizer's per-parameter update rule
(``optimizer._update``, written with Optax transformations) to all of them and returns the new
parameters and states, which are then written in place into the existing Parameter and state
tensors.  The step ends with ``jtorch.sync()``: forward, backward and update become one compiled
program, cached by its signature, so the next training step is one call of that program.
"""
from __future__ import annotations

import jax.numpy as jnp

from .._dispatch import dispatch_nograd
from .._engine import core as engine
from .._engine.core import sync
from .._tensor import Tensor

__all__ = ["fused_update", "STEP"]


def _real(x):
    return jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1)


def _complex(x, dtype):
    return (x[..., 0] + 1j * x[..., 1]).astype(dtype)


def _apply(update, p, g, s, h, flags):
    """One parameter's update; complex parameters are updated as their real view, as PyTorch
    does (``torch.view_as_real``)."""
    if not jnp.iscomplexobj(p):
        return update(p, g, s, h, flags)
    cdt = p.dtype
    shape = p.shape + (2,)
    s = {k: (_real(v) if jnp.iscomplexobj(v) else v) for k, v in s.items()}
    newp, news = update(_real(p), _real(g), s, h, flags)
    news = {k: (_complex(v, cdt) if v.shape == shape and jnp.issubdtype(v.dtype, jnp.floating)
                else v) for k, v in news.items()}
    return _complex(newp, cdt), news


def _impl(*args):
    """Body of the step op: ``args`` = the flat inputs, then (update rule, layout)."""
    update, layout = args[-2], args[-1]
    arrays = args[:-2]
    pos = 0
    outs = []
    for names, flags, params in layout:
        n = len(names)
        h = dict(zip(names, arrays[pos:pos + n]))
        pos += n
        for in_keys, out_keys in params:
            p, g = arrays[pos], arrays[pos + 1]
            pos += 2
            k = len(in_keys)
            s = dict(zip(in_keys, arrays[pos:pos + k]))
            pos += k
            newp, news = _apply(update, p, g, s, h, flags)
            outs.append(newp.astype(p.dtype))
            for key in out_keys:
                v = news[key]
                old = s.get(key)
                outs.append(v.astype(old.dtype) if old is not None else v)
    return tuple(outs)


STEP = engine.Op("optimizer_step", _impl)


def _hyper_input(v):
    if isinstance(v, Tensor):
        return v.squeeze() if v.dim() != 0 else v
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    return float(v)


def fused_update(opt):
    """Apply ``opt``'s update rule to all of its parameters that have a gradient."""
    inputs = []
    layout = []
    targets = []
    for group in opt.param_groups:
        plist = [p for p in group["params"] if p.grad is not None]
        if not plist:
            continue
        hyper = opt._hyper(group)
        inputs.extend(_hyper_input(v) for _, v in hyper)
        playout = []
        for p in plist:
            opt._check_grad(p, group)
            state = opt._param_state(p, group)
            opt._check_capturable(p, group)
            in_keys, out_keys = opt._state_keys(group, state)
            inputs.append(p)
            inputs.append(p.grad)
            inputs.extend(state[k] for k in in_keys)
            playout.append((in_keys, out_keys))
            targets.append((p, state, out_keys))
        layout.append((tuple(n for n, _ in hyper), opt._flags(group), tuple(playout)))
    if not targets:
        return
    outs = dispatch_nograd(STEP, inputs, (type(opt)._update, tuple(layout)))
    i = 0
    for p, state, out_keys in targets:
        p._write(outs[i]._ref())
        i += 1
        for key in out_keys:
            new = outs[i]
            i += 1
            old = state.get(key)
            if isinstance(old, Tensor) and old._shape == new._shape and \
                    old._dtype is new._dtype:
                old._write(new._ref())
            else:
                state[key] = new
    sync()
