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

from .._engine import core as engine
from .._engine.core import sync
from .._tensor import Tensor, make

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
    """Body of the step op: ``args`` = the flat inputs, then (update rule, layout).

    ``layout`` has one entry per group: (hyper-parameter names, flags, runs), where a run
    ``((in_keys, out_keys), n)`` stands for ``n`` consecutive parameters whose state has the same
    keys (run-length encoded: the layout is part of the plan's cache key, hashed every step).
    """
    update, layout = args[-2], args[-1]
    arrays = args[:-2]
    pos = 0
    outs = []
    for names, flags, runs in layout:
        n = len(names)
        h = dict(zip(names, arrays[pos:pos + n]))
        pos += n
        for (in_keys, out_keys), count in runs:
            k = len(in_keys)
            for _ in range(count):
                p, g = arrays[pos], arrays[pos + 1]
                s = dict(zip(in_keys, arrays[pos + 2:pos + 2 + k]))
                pos += 2 + k
                newp, news = _apply(update, p, g, s, h, flags)
                outs.append(newp.astype(p.dtype))
                for key in out_keys:
                    v = news[key]
                    old = s.get(key)
                    outs.append(v.astype(old.dtype) if old is not None else v)
    return tuple(outs)


STEP = engine.Op("optimizer_step", _impl)


def _hyper_input(v):
    """A hyper-parameter as an input of the step op: a 0-d tensor or a Python float (so that
    ints and floats share one compiled program)."""
    if isinstance(v, Tensor):
        return v.squeeze() if v.dim() != 0 else v
    return float(v)


def fused_update(opt):
    """Apply ``opt``'s update rule to all of its parameters that have a gradient: one engine
    op, its results written in place into the parameters and state tensors, then a sync."""
    refs = []
    sigs = []
    layout = []
    targets = []
    for group in opt.param_groups:
        plist = [p for p in group["params"] if p._grad is not None]
        if not plist:
            continue
        hyper = opt._hyper(group)
        for _, v in hyper:
            v = _hyper_input(v)
            refs.append(v._ref() if isinstance(v, Tensor) else v)
            sigs.append((v._shape, v._dtype) if isinstance(v, Tensor) else float)
        runs = []
        for p in plist:
            opt._check_grad(p, group)
            state = opt._param_state(p, group)
            opt._check_capturable(p, group)
            keys = opt._state_keys(group, state)
            g = p._grad
            for t in (p, g, *(state[k] for k in keys[0])):
                refs.append(t._ref())
                sigs.append((t._shape, t._dtype))
            if runs and runs[-1][0] == keys:
                runs[-1][1] += 1
            else:
                runs.append([keys, 1])
            targets.append((p, state, keys[1]))
        layout.append((tuple(n for n, _ in hyper), opt._flags(group),
                       tuple((k, n) for k, n in runs)))
    if not targets:
        return
    # The engine is called directly rather than through dispatch(): the results are written
    # into existing tensors, and not wrapping ~(params x states) outputs as new tensors saves
    # about a fifth of step()'s time with 100 parameters (benchmarks/optim_step.py).
    plan = engine.get_plan(STEP, (type(opt)._update, tuple(layout)), tuple(sigs))
    outs = engine.apply(plan, refs)
    i = 0
    for p, state, out_keys in targets:
        p._write(outs[i])
        i += 1
        for key in out_keys:
            old = state.get(key)
            shape, dt = plan.outs[i]
            if isinstance(old, Tensor) and old._shape == shape and old._dtype is dt:
                old._write(outs[i])
            else:
                state[key] = make(outs[i], shape, dt, p._device)
            i += 1
    sync()
