"""nn.functional.ctc_loss: the Connectionist Temporal Classification loss.

The forward (alpha) recursion over time is a ``lax.scan`` in log space inside one op.  The
gradient is PyTorch's: the derivative of the loss with respect to the *logits* of a log_softmax
(``exp(log_probs) - posterior``), which PyTorch returns as the gradient of ``log_probs``.
Sequence lengths are read on the host (a sync point if they are pending), as PyTorch's kernel
reads them.
"""
from __future__ import annotations

import functools

import jax
import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .._dispatch import dispatch
from .._promotion import opmath
from .._tensor import Tensor
from ._nnutil import MEAN, NONE, SUM, ExpandedOps, get_enum
from ._registry import register
from .loss import cast

__all__ = ["ctc_loss"]


def _lse3(a, b, c):
    """log(exp(a) + exp(b) + exp(c)), -inf when all are -inf, with finite gradients."""
    m = lax.stop_gradient(jnp.maximum(jnp.maximum(a, b), c))
    m = jnp.where(jnp.isfinite(m), m, jnp.zeros_like(m))
    s = jnp.exp(a - m) + jnp.exp(b - m) + jnp.exp(c - m)
    pos = s > 0
    return jnp.where(pos, m + jnp.log(jnp.where(pos, s, 1)), -jnp.inf)


def _ctc_nll(lp, targets, il, tl, blank):
    """Negative log likelihood per batch element: lp (T, N, C), targets (N, S)."""
    T, N, _ = lp.shape
    S = targets.shape[1]
    L = 2 * S + 1
    ninf = jnp.full((N, 1), -jnp.inf, lp.dtype)
    ext = jnp.full((N, L), blank, jnp.int64)
    ext = ext.at[:, 1::2].set(targets.astype(jnp.int64))
    skip = jnp.zeros((N, L), bool)
    if L > 2:
        skip = skip.at[:, 2:].set((ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2]))
    lpe = jnp.take_along_axis(lp, jnp.broadcast_to(ext[None], (T, N, L)), axis=2)
    s_idx = jnp.arange(L)[None, :]
    alpha0 = jnp.where(s_idx == 0, lpe[0],
                       jnp.where((s_idx == 1) & (tl[:, None] > 0), lpe[0], -jnp.inf))
    alpha0 = jnp.where((il > 0)[:, None], alpha0, jnp.where(s_idx == 0, 0.0, -jnp.inf))

    def step(alpha, xs):
        t, lpe_t = xs
        a1 = jnp.concatenate([ninf, alpha[:, :-1]], axis=1)
        a2 = jnp.concatenate([ninf, ninf, alpha[:, :-2]], axis=1)[:, :L]
        a2 = jnp.where(skip, a2, -jnp.inf)
        new = _lse3(alpha, a1, a2) + lpe_t
        return jnp.where((t < il)[:, None], new, alpha), None

    if T > 1:
        alpha, _ = lax.scan(step, alpha0, (jnp.arange(1, T), lpe[1:]))
    else:
        alpha = alpha0
    end = jnp.take_along_axis(alpha, (2 * tl)[:, None], axis=1)[:, 0]
    prev = jnp.take_along_axis(alpha, jnp.maximum(2 * tl - 1, 0)[:, None], axis=1)[:, 0]
    prev = jnp.where(tl > 0, prev, -jnp.inf)
    both = _lse3(end, prev, jnp.full_like(end, -jnp.inf))
    return -both


@functools.partial(jax.custom_vjp, nondiff_argnums=(4, 5))
def _ctc(lp, targets, il, tl, blank, zero_infinity):
    nll = _ctc_nll(lp, targets, il, tl, blank)
    if zero_infinity:
        nll = jnp.where(jnp.isinf(nll), jnp.zeros_like(nll), nll)
    return nll


def _ctc_fwd(lp, targets, il, tl, blank, zero_infinity):
    nll = _ctc_nll(lp, targets, il, tl, blank)
    out = jnp.where(jnp.isinf(nll), jnp.zeros_like(nll), nll) if zero_infinity else nll
    return out, (lp, targets, il, tl, nll)


def _ctc_bwd(blank, zero_infinity, res, g):
    lp, targets, il, tl, nll = res
    _, pull = jax.vjp(lambda x: _ctc_nll(x, targets, il, tl, blank), lp)
    (grad,) = pull(g)
    # PyTorch's gradient is taken through log_softmax: add exp(log_probs) where t < length
    T = lp.shape[0]
    live = (jnp.arange(T)[:, None] < il[None, :])[:, :, None]
    grad = jnp.where(live, grad + jnp.exp(lp) * g[None, :, None], jnp.zeros_like(grad))
    if zero_infinity:
        grad = jnp.where(jnp.isinf(nll)[None, :, None], jnp.zeros_like(grad), grad)
    return grad, None, None, None


_ctc.defvjp(_ctc_fwd, _ctc_bwd)


def _ctc_impl(lp, targets, il, tl, red, blank, zero_infinity, unbatched, concat, max_len, ct,
              rt):
    lp = cast(lp, ct)
    if unbatched:
        lp = lp[:, None]
        il = jnp.reshape(il, (1,))
        tl = jnp.reshape(tl, (1,))
        targets = jnp.reshape(targets, (1, -1))
    il = il.astype(jnp.int64)
    tl = tl.astype(jnp.int64)
    if concat:
        # concatenated targets: gather each sequence into a padded row
        offsets = jnp.cumsum(tl) - tl
        idx = offsets[:, None] + jnp.arange(max_len)[None, :]
        idx = jnp.clip(idx, 0, max(targets.shape[-1] - 1, 0))
        targets = jnp.reshape(targets, (-1,))[idx] if targets.size else \
            jnp.zeros(idx.shape, jnp.int64)
    nll = _ctc(lp, targets, il, tl, blank, zero_infinity)
    if red == MEAN:
        out = jnp.mean(nll / jnp.maximum(tl, 1).astype(nll.dtype))
    elif red == SUM:
        out = jnp.sum(nll)
    else:
        out = nll[0] if unbatched else nll
    return cast(out, rt)


def _ctc_prepare(sigs, static):
    dt = sigs[0][1]
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for '{D._short(dt)}'")
    return static + (opmath(dt).np, dt.np)


_CTC = ExpandedOps("ctc_loss", _ctc_impl, _ctc_prepare, nondiff=(1, 2, 3))


def _lengths(x, name):
    """Sequence lengths (tensor, list or tuple) as a host int64 array and a tensor."""
    if isinstance(x, Tensor):
        if x._dtype.is_floating_point or x._dtype is D.bool_:
            raise RuntimeError(f"{name} must be integral")
        return np.asarray(x._numpy_view()).astype(np.int64).reshape(-1), x
    from .creation import tensor
    arr = np.asarray(list(x), dtype=np.int64).reshape(-1)
    return arr, tensor(arr.tolist(), dtype=D.int64)


@register(function=False, method=False)
def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The CTC loss of ``log_probs`` (T, N, C) against ``targets`` ((N, S) padded, or the
    target sequences concatenated), with per-sample input and target lengths."""
    red = get_enum(reduction)
    unbatched = log_probs.ndim == 2
    if log_probs.ndim not in (2, 3):
        raise RuntimeError(f"ctc_loss expects log_probs to be a 2-D or 3-D tensor, but got "
                           f"{log_probs.ndim}-D")
    T = log_probs._shape[0]
    N = 1 if unbatched else log_probs._shape[1]
    C = log_probs._shape[-1]
    if not (0 <= blank < C):
        raise RuntimeError("blank must be in label range")
    il_host, il = _lengths(input_lengths, "input_lengths")
    tl_host, tl = _lengths(target_lengths, "target_lengths")
    if il_host.size != N:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tl_host.size != N:
        raise RuntimeError("target_lengths must be of size batch_size")
    for b in range(N):
        if il_host[b] < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value "
                               f"{il_host[b]} (while checking arguments for ctc_loss_allocate_outputs)")
        if il_host[b] > T:
            raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value "
                               f"{il_host[b]} (while checking arguments for ctc_loss_allocate_outputs)")
        if tl_host[b] < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got value "
                               f"{tl_host[b]} (while checking arguments for ctc_loss_allocate_outputs)")
    max_len = int(tl_host.max()) if tl_host.size else 0
    concat = targets.ndim == 1 and not unbatched
    if unbatched:
        concat = False
        if targets.ndim == 1 and targets._shape[0] < max_len:
            raise RuntimeError(f"Expected tensor to have size at least {max_len} at dimension 1, "
                               f"but got size {targets._shape[0]} for argument #2 'targets' (while "
                               "checking arguments for ctc_loss_allocate_outputs)")
    elif concat:
        if targets._shape[0] != int(tl_host.sum()):
            raise RuntimeError(f"Expected tensor to have size {int(tl_host.sum())} at "
                               f"dimension 0, but got size {targets._shape[0]} for argument #2 "
                               "'targets' (while checking arguments for ctc_loss_allocate_outputs)")
    else:
        if targets._shape[0] != N:
            raise RuntimeError(f"Expected tensor to have size {N} at dimension 0, but got size "
                               f"{targets._shape[0]} for argument #2 'targets' (while checking "
                               "arguments for ctc_loss_allocate_outputs)")
        if targets._shape[1] < max_len:
            raise RuntimeError(f"Expected tensor to have size at least {max_len} at dimension 1, "
                               f"but got size {targets._shape[1]} for argument #2 'targets' "
                               "(while checking arguments for ctc_loss_allocate_outputs)")
    grad = ("CtcLossBackward0", "MeanBackward0", "SumBackward0")[red]
    if red == NONE and unbatched:
        grad = "SqueezeBackward1"
    return dispatch(_CTC[grad], (log_probs, targets, il, tl),
                    (red, int(blank), bool(zero_infinity), unbatched, concat, max_len))
