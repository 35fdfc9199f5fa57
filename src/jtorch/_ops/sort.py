"""Sorting: sort, argsort, msort, topk, kthvalue.

NaN sorts above every number (last ascending, first descending; topk's largest).  jtorch
always sorts stably: equal elements keep their order, which is what ``stable=True`` promises
and what PyTorch's CPU kernels do for short slices; for longer ones PyTorch's unstable sort may
order ties differently.  ``kthvalue`` replays PyTorch's quickselect, so it reports the same
index among ties.  Values are gathered at the indices, so gradients go to the selected elements.

The searching ops (unique, bincount, histc, histogram, searchsorted, bucketize, isin) are in
``search``.
"""
from __future__ import annotations

import jax
import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from ..return_types import kthvalue as _kthvalue_t, sort as _sort_t, topk as _topk_t
from ._registry import register
from ._util import wrap_dim
from .reduction_minmax import check_nonempty, not_implemented, select_along

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue"]


def _order(x, dim, descending):
    """Stable sorting permutation along ``dim`` with NaN above everything."""
    return jnp.argsort(x, axis=dim, stable=True, descending=descending).astype(jnp.int64)


def _int_arg(name, arg, value, pos=None):
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        where = f" (position {pos})" if pos is not None else ""
        raise TypeError(f"{name}(): argument '{arg}'{where} must be int, not "
                        f"{type(value).__name__}")
    return int(value)


def _dim(name, dim, ndim):
    if dim is None or isinstance(dim, (tuple, list)) or not hasattr(dim, "__index__"):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    return wrap_dim(dim, ndim)


# --------------------------------------------------------------------------------------------
# sort / argsort / msort


def _sort_prepare(sigs, static):
    dt = sigs[0][1]
    if dt.is_complex:
        raise RuntimeError(" Sort does not support complex dtypes on CPU")
    return static


def _sort_impl(x, dim, descending):
    if x.ndim == 0:
        return x, jnp.zeros((), jnp.int64)
    idx = _order(x, dim, descending)
    return jnp.take_along_axis(x, idx, axis=dim), idx


_SORT = engine.Op("sort", _sort_impl, prepare=_sort_prepare, grad="SortBackward0", saves=())
_ARGSORT = engine.Op("argsort", lambda x, dim, descending: _sort_impl(x, dim, descending)[1],
                     prepare=_sort_prepare)


@register(out=True)
def sort(input, dim=-1, descending=False, *, stable=False):
    """``(values, indices)`` of ``input`` sorted along ``dim`` (stably)."""
    d = _dim("sort", dim, input.ndim)
    return _sort_t(dispatch(_SORT, (input,), (d, bool(descending))))


@register()
def argsort(input, dim=-1, descending=False, *, stable=False):
    """The indices that sort ``input`` along ``dim`` (stably)."""
    d = _dim("argsort", dim, input.ndim)
    return dispatch(_ARGSORT, (input,), (d, bool(descending)))


@register(out=True)
def msort(input):
    """``input`` sorted along its first dim."""
    return sort(input, 0)[0]


# --------------------------------------------------------------------------------------------
# topk


def _topk_prepare(sigs, static):
    dt = sigs[0][1]
    if dt is D.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if dt.is_complex:
        raise RuntimeError(" topk does not support complex dtypes on CPU")
    return static


def _topk_impl(x, k, dim, largest):
    if x.ndim == 0:
        return x, jnp.zeros((), jnp.int64)
    idx = lax.slice_in_dim(_order(x, dim, largest), 0, k, axis=dim)
    return jnp.take_along_axis(x, idx, axis=dim), idx


_TOPK = engine.Op("topk", _topk_impl, prepare=_topk_prepare, grad="TopkBackward0", saves=())


@register(out=True)
def topk(input, k, dim=-1, largest=True, sorted=True):
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) elements along
    ``dim``, in order."""
    k = _int_arg("topk", "k", k, 1)
    d = _dim("topk", dim, input.ndim)
    size = input.shape[d] if input.ndim else 1
    if k < 0 or k > size:
        raise RuntimeError("selected index k out of range")
    return _topk_t(dispatch(_TOPK, (input,), (k, d, bool(largest))))


# --------------------------------------------------------------------------------------------
# kthvalue: PyTorch's quick_select_template (Sedgewick's quickselect, median-of-three pivot),
# replayed so that ties resolve to the same index


def _gt_or_nan(a, b):
    return (jnp.isnan(a) & ~jnp.isnan(b)) | (a > b)


def _cswap(p, q, do):
    """Swap the (value, index) pairs ``p`` and ``q`` where ``do``."""
    return (tuple(jnp.where(do, b, a) for a, b in zip(p, q)),
            tuple(jnp.where(do, a, b) for a, b in zip(p, q)))


def _quickselect(a, k):
    """(value, index) of the k-th smallest (0-based) of the 1-d ``a``, as PyTorch's CPU
    kthvalue finds them.

    One flat loop over the algorithm's steps (a state machine) whose every step writes four
    (value, index) pairs back with one scatter: XLA compiles this far faster than nested
    loops of single swaps.  Phases: 0 pick the pivot (median of three) or finish a range of
    one or two elements, 1 advance ``i``, 2 retreat ``j``, 3 swap or close the partition,
    4 done.
    """
    n = a.shape[0]
    ix = jnp.arange(n, dtype=jnp.int64)
    z = jnp.int64(0)

    def at(a, ix, i):
        return a[i], ix[i]

    def step(st):
        a, ix, lo, hi, i, j, piv, phase = st
        # phase 0, one or two elements: order them
        small = hi <= lo + 1
        s_lo, s_hi = _cswap(at(a, ix, lo), at(a, ix, hi), (hi == lo + 1) &
                            _gt_or_nan(a[lo], a[hi]))
        # phase 0, three or more: swap the middle to lo + 1, then sort lo + 1 <= lo <= hi
        p = (lo + hi) >> 1
        m_lo, m_l1, m_p, m_hi = at(a, ix, lo), at(a, ix, p), at(a, ix, lo + 1), at(a, ix, hi)
        m_l1, m_hi = _cswap(m_l1, m_hi, _gt_or_nan(m_l1[0], m_hi[0]))
        m_lo, m_hi = _cswap(m_lo, m_hi, _gt_or_nan(m_lo[0], m_hi[0]))
        m_l1, m_lo = _cswap(m_l1, m_lo, _gt_or_nan(m_l1[0], m_lo[0]))
        m_p = tuple(jnp.where(p == lo + 1, x, y) for x, y in zip(m_l1, m_p))
        # phase 3: swap a[i], a[j], or a[lo], a[j] once the scans crossed
        crossed = j < i
        x = jnp.where(crossed, lo, i)
        t_x, t_j = at(a, ix, j), at(a, ix, x)

        ph0, ph3 = phase == 0, phase == 3
        pos = jnp.where(ph0, jnp.where(small, jnp.stack([lo, hi, lo, hi]),
                                       jnp.stack([lo, lo + 1, p, hi])),
                        jnp.where(ph3, jnp.stack([x, j, x, j]), jnp.zeros(4, jnp.int64)))

        def vals(f):
            return jnp.where(ph0, jnp.where(small, jnp.stack([s_lo[f], s_hi[f], s_lo[f], s_hi[f]]),
                                            jnp.stack([m_lo[f], m_l1[f], m_p[f], m_hi[f]])),
                             jnp.where(ph3, jnp.stack([t_x[f], t_j[f], t_x[f], t_j[f]]),
                                       jnp.stack([a, ix][f][:1].repeat(4))))

        out_a = a.at[pos].set(vals(0))
        out_ix = ix.at[pos].set(vals(1))

        i1, j1 = i + 1, j - 1
        ph = [phase == q for q in range(4)]

        def pick(*v):
            r = v[4]
            for q in (3, 2, 1, 0):
                r = jnp.where(ph[q], v[q], r)
            return r

        next_phase = pick(jnp.where(small, 4, 1),
                          jnp.where((i1 < hi) & _gt_or_nan(piv, a[jnp.minimum(i1, n - 1)]), 1, 2),
                          jnp.where((j1 > lo) & _gt_or_nan(a[jnp.maximum(j1, 0)], piv), 2, 3),
                          jnp.where(crossed, 0, 1), 4)
        new_lo = jnp.where(crossed & (j <= k), i, lo)
        new_hi = jnp.where(crossed & (j >= k), j - 1, hi)
        return (out_a, out_ix, pick(lo, lo, lo, new_lo, lo), pick(hi, hi, hi, new_hi, hi),
                pick(lo + 1, i1, i, i, i), pick(hi, j, j1, j, j),
                jnp.where(ph0, m_lo[0], piv), next_phase)

    st = (a, ix, z, jnp.int64(n - 1), z, z, a[0], z)
    st = lax.while_loop(lambda st: st[7] != 4, step, st)
    return st[0][k], st[1][k]


def _kthvalue_impl(x, k, dim, keepdim):  # k (1-based) is an input: no recompiles per k
    if x.ndim == 0:
        return x, jnp.zeros((), jnp.int64)
    xm = jnp.moveaxis(x, dim, -1)
    rows = xm.reshape(-1, xm.shape[-1])
    if rows.shape[0] == 0:
        idx = jnp.zeros(xm.shape[:-1], jnp.int64)
    else:
        _, idx = jax.vmap(lambda r: _quickselect(r, k - 1))(rows)
        idx = idx.reshape(xm.shape[:-1])
    return select_along(x, jnp.expand_dims(idx, dim), dim, keepdim)


def _kthvalue_prepare(sigs, static):
    shape, dt = sigs[0]
    dim, keepdim = static
    if dt is D.bool_ or dt.is_complex:
        raise not_implemented("kthvalue_cpu", dt)
    check_nonempty("kthvalue", shape, (dim,), False)
    return static


_KTHVALUE = engine.Op("kthvalue", _kthvalue_impl, prepare=_kthvalue_prepare,
                      grad="KthvalueBackward0", saves=())


@register(out=True)
def kthvalue(input, k, dim=-1, keepdim=False):
    """``(values, indices)`` of the ``k``-th smallest element along ``dim`` (NaN counts as the
    largest)."""
    k = _int_arg("kthvalue", "k", k, 1)
    d = _dim("kthvalue", dim, input.ndim)
    check_nonempty("kthvalue", input.shape, (d,), False)
    if k < 1 or k > (input.shape[d] if input.ndim else 1):
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return _kthvalue_t(dispatch(_KTHVALUE, (input, k), (d, bool(keepdim))))
