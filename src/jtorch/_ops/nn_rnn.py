"""Recurrent layers: ``torch.rnn_tanh`` / ``rnn_relu`` / ``lstm`` / ``gru`` and their cells.

A whole multi-layer (bidirectional) recurrent network is ONE op: per layer and direction the
input projection of every time step is one matrix product, and the time loop is a
``lax.scan`` over the recurrent part.  Packed sequences (``batch_sizes``) are run padded with
a per-step validity mask, so a finished sequence keeps its last state (its ``h_n``) and emits
zeros, exactly what PyTorch's packed kernels compute.  Dropout between layers (training mode)
draws its masks from a key tensor passed as an input.
"""
from __future__ import annotations

import jax
import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ._nnutil import fmt_shape
from ._registry import register

__all__: list[str] = []

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _precision():
    from .linalg import mm_precision
    return mm_precision()


def _mm(a, w, prec):
    """a @ w.T in a's dtype (float32 accumulation for 16-bit floats)."""
    return jnp.matmul(a, w.T, precision=prec)


def _elem(mode, x_proj, gh, h, c):
    """The elementwise part of a step from the two projections: (h before projection, c)."""
    if mode == "RNN_TANH":
        return jnp.tanh(x_proj + gh), None
    if mode == "RNN_RELU":
        z = x_proj + gh
        return jnp.where(z > 0, z, jnp.zeros_like(z)), None
    if mode == "LSTM":
        g = x_proj + gh
        i, f, gg, o = jnp.split(g, 4, axis=-1)
        i, f, o = jax.nn.sigmoid(i), jax.nn.sigmoid(f), jax.nn.sigmoid(o)
        c2 = f * c + i * jnp.tanh(gg)
        return o * jnp.tanh(c2), c2
    # GRU
    ir, iz, in_ = jnp.split(x_proj, 3, axis=-1)
    hr, hz, hn = jnp.split(gh, 3, axis=-1)
    r = jax.nn.sigmoid(ir + hr)
    z = jax.nn.sigmoid(iz + hz)
    n = jnp.tanh(in_ + r * hn)
    return (1 - z) * n + z * h, None


def _hproj(h, w_hh, b_hh, prec):
    gh = _mm(h, w_hh, prec)
    return gh if b_hh is None else gh + b_hh


def _cell(mode, x_proj, h, c, w_hh, b_hh, w_hr, prec):
    """One step: x_proj is the input projection x @ w_ih.T (+ b_ih) of this step."""
    h2, c2 = _elem(mode, x_proj, _hproj(h, w_hh, b_hh, prec), h, c)
    if w_hr is not None:
        h2 = _mm(h2, w_hr, prec)
    return h2, c2


def _scan(mode, xp, h0, c0, w_hh, b_hh, w_hr, valid, reverse, prec):
    """The time loop: (outputs (T, B, H), h_T, c_T)."""
    def step(carry, xs):
        h, c = carry
        if valid is None:
            h2, c2 = _cell(mode, xs, h, c, w_hh, b_hh, w_hr, prec)
            return (h2, c2), h2
        xt, vt = xs
        h2, c2 = _cell(mode, xt, h, c, w_hh, b_hh, w_hr, prec)
        vt = vt[:, None]
        h2 = jnp.where(vt, h2, h)
        if c2 is not None:
            c2 = jnp.where(vt, c2, c)
        return (h2, c2), jnp.where(vt, h2, jnp.zeros_like(h2))

    xs = xp if valid is None else (xp, jnp.asarray(valid))
    (hT, cT), out = lax.scan(step, (h0, c0), xs, reverse=reverse)
    return out, hT, cT


def _recurrence(mode, valid, reverse, prec, has_b_hh):
    """The time loop with a backward that does not run the forward loop again.

    The backward of an op is ``jax.vjp`` of its body, i.e. the forward is traced again; XLA
    merges that copy with the forward op for ordinary ops but not a linearised ``while``
    loop. Here the forward rule runs exactly the primal loop (which XLA does merge) and
    rebuilds what the backward needs without a loop over matrix products: the previous
    hidden state of every step from the outputs, the recurrent projections as one batched
    product, and (LSTM) the cell states by an elementwise scan.
    """
    v = None if valid is None else np.asarray(valid)

    @jax.custom_vjp
    def run(xp, h0, c0, w_hh, b_hh, w_hr):
        return _scan(mode, xp, h0, c0, w_hh, b_hh, w_hr, v, reverse, prec)

    def fwd(xp, h0, c0, w_hh, b_hh, w_hr):
        out, hT, cT = _scan(mode, xp, h0, c0, w_hh, b_hh, w_hr, v, reverse, prec)
        # the state each step started from: the neighbouring output (or h0 at the start)
        first = h0[None]
        shifted = jnp.concatenate([out[1:], first]) if reverse else \
            jnp.concatenate([first, out[:-1]])
        if v is not None:
            no = np.zeros((1,) + v.shape[1:], bool)
            prev_ok = np.concatenate([v[1:], no]) if reverse else np.concatenate([no, v[:-1]])
            shifted = jnp.where(jnp.asarray(prev_ok)[..., None], shifted, first)
        gh = _hproj(shifted, w_hh, b_hh, prec)
        cprev = None
        if mode == "LSTM":
            i, f, gg, _ = jnp.split(xp + gh, 4, axis=-1)
            upd = jax.nn.sigmoid(i) * jnp.tanh(gg)
            f = jax.nn.sigmoid(f)

            def cstep(c, xs):
                if v is None:
                    ft, ut = xs
                    c2 = ft * c + ut
                else:
                    ft, ut, vt = xs
                    c2 = jnp.where(vt[:, None], ft * c + ut, c)
                return c2, c

            xs = (f, upd) if v is None else (f, upd, jnp.asarray(v))
            _, cprev = lax.scan(cstep, c0, xs, reverse=reverse)
        return (out, hT, cT), (xp, gh, shifted, cprev, w_hh, w_hr)

    def bwd(res, cts):
        xp, gh, hprev, cprev, w_hh, w_hr = res
        dout, dhT, dcT = cts
        lstm = mode == "LSTM"

        def step(carry, xs):
            dh, dc = carry
            if v is None:
                xt, gt, ht, ct_, dot = xs
                dh2, dc2 = dh + dot, dc
                dh_pass = dc_pass = None
            else:
                xt, gt, ht, ct_, dot, vt = xs
                vt = vt[:, None]
                zero = jnp.zeros_like(dh)
                dh2, dh_pass = jnp.where(vt, dh + dot, zero), jnp.where(vt, zero, dh)
                if lstm:
                    zc = jnp.zeros_like(dc)
                    dc2, dc_pass = jnp.where(vt, dc, zc), jnp.where(vt, zc, dc)
                else:
                    dc2 = dc_pass = None
            (hr, _), pull = jax.vjp(lambda a, b, c_, d: _elem(mode, a, b, c_, d), xt, gt, ht,
                                    ct_)
            dhr = dh2 if w_hr is None else jnp.matmul(dh2, w_hr, precision=prec)
            dx, dg, dhp, dcp = pull((dhr, dc2 if lstm else None))
            dh_new = dhp + jnp.matmul(dg, w_hh, precision=prec)
            if dh_pass is not None:
                dh_new = dh_new + dh_pass
            dc_new = None
            if lstm:
                dc_new = dcp if dc_pass is None else dcp + dc_pass
            ys = (dx, dg) if w_hr is None else (dx, dg, dh2, hr)
            return (dh_new, dc_new), ys

        xs = (xp, gh, hprev, cprev, dout)
        if v is not None:
            xs = xs + (jnp.asarray(v),)
        (dh0, dc0), ys = lax.scan(step, (dhT, dcT if lstm else None), xs,
                                  reverse=not reverse)
        dxp, dgh = ys[0], ys[1]
        hi = lax.Precision.HIGHEST if prec is None else prec
        dw_hh = jnp.einsum("tbg,tbh->gh", dgh, hprev, precision=hi)
        db_hh = jnp.sum(dgh, axis=(0, 1)) if has_b_hh else None
        dw_hr = None
        if w_hr is not None:
            dw_hr = jnp.einsum("tbo,tbh->oh", ys[2], ys[3], precision=hi)
        return dxp, dh0, dc0, dw_hh, db_hh, dw_hr

    run.defvjp(fwd, bwd)
    return run


def _run_direction(mode, x, h0, c0, w, has_biases, has_proj, valid, reverse, prec):
    """One layer, one direction over x (T, B, I): (outputs (T, B, H), h_T, c_T)."""
    w_ih, w_hh = w[0], w[1]
    b_ih = b_hh = w_hr = None
    k = 2
    if has_biases:
        b_ih, b_hh = w[2], w[3]
        k = 4
    if has_proj:
        w_hr = w[k]
    xp = _mm(x, w_ih, prec)
    if b_ih is not None:
        xp = xp + b_ih
    return _recurrence(mode, valid, reverse, prec, b_hh is not None)(xp, h0, c0, w_hh, b_hh,
                                                                       w_hr)


def _packed_index(batch_sizes):
    """(T, B) row of each (step, sequence) in the packed data, and the validity mask."""
    bs = np.asarray(batch_sizes, np.int64)
    T, B = len(bs), int(bs[0])
    offsets = np.concatenate([[0], np.cumsum(bs)[:-1]])
    idx = offsets[:, None] + np.arange(B)[None, :]
    valid = np.arange(B)[None, :] < bs[:, None]
    return np.where(valid, idx, 0), valid


def _rnn_impl(*a):
    *arrays, mode, num_layers, bidirectional, has_biases, proj, batch_first, dropout, \
        batch_sizes = a
    x, h0 = arrays[0], arrays[1]
    i = 2
    c0 = None
    if mode == "LSTM":
        c0 = arrays[i]
        i += 1
    key = None
    if dropout:
        key = arrays[i]
        i += 1
    weights = arrays[i:]
    dt = x.dtype
    ct = jnp.float32 if dt in (jnp.float16, jnp.bfloat16) else dt
    prec = _precision()
    x = x.astype(ct)
    weights = [w.astype(ct) for w in weights]
    valid = None
    if batch_sizes is not None:
        idx, vmask = _packed_index(batch_sizes)
        x = jnp.where(jnp.asarray(vmask)[..., None], x[jnp.asarray(idx)], 0)
        valid = vmask
    elif batch_first:
        x = jnp.swapaxes(x, 0, 1)
    D_ = 2 if bidirectional else 1
    per = 2 + (2 if has_biases else 0) + (1 if proj else 0)
    hs, cs = [], []
    layer_in = x
    for layer in range(num_layers):
        outs = []
        for d in range(D_):
            j = layer * D_ + d
            w = weights[j * per:(j + 1) * per]
            out, hT, cT = _run_direction(mode, layer_in, h0[j].astype(ct),
                                         None if c0 is None else c0[j].astype(ct), w,
                                         has_biases, bool(proj), valid, d == 1, prec)
            outs.append(out)
            hs.append(hT)
            cs.append(cT)
        layer_in = outs[0] if D_ == 1 else jnp.concatenate(outs, axis=-1)
        if dropout and layer < num_layers - 1:
            key, sub = jax.random.split(key)
            keep = jax.random.bernoulli(sub, 1 - dropout, layer_in.shape)
            layer_in = jnp.where(keep, layer_in / (1 - dropout), jnp.zeros_like(layer_in)) \
                if dropout < 1 else jnp.zeros_like(layer_in)
    out = layer_in
    if batch_sizes is not None:
        flat = np.nonzero(vmask.reshape(-1))[0]
        out = jnp.reshape(out, (-1,) + out.shape[2:])[jnp.asarray(flat)]
    elif batch_first:
        out = jnp.swapaxes(out, 0, 1)
    res = (out.astype(dt), jnp.stack(hs).astype(dt))
    if mode == "LSTM":
        res = res + (jnp.stack(cs).astype(dt),)
    return res


def _rnn_prepare(sigs, static):
    dt = sigs[0][1]
    for s in sigs[1:]:
        if type(s) is tuple and s[1].is_floating_point and s[1] is not dt:
            raise RuntimeError(f"expected scalar type {D._short(dt)} but found "
                               f"{D._short(s[1])}")
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"_rnn\" not implemented for '{D._short(dt)}'")
    return static


# PyTorch's CPU kernels end the output in a cat (of the steps or directions)
_RNN = engine.Op("rnn", _rnn_impl, prepare=_rnn_prepare, grad="CatBackward0", nondiff=())


def rnn_forward(mode, input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
                batch_first, batch_sizes=None):
    """Run a recurrent network of ``mode`` ('RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU').

    ``hx`` is h0, or (h0, c0) for LSTM; ``params`` the flat weight list in PyTorch's order
    (w_ih, w_hh[, b_ih, b_hh][, w_hr] per layer and direction).  ``batch_sizes`` (a tensor or
    a sequence of ints) marks ``input`` as the data of a PackedSequence.  Returns
    (output, h_n) or (output, h_n, c_n).
    """
    params = list(params)
    per = len(params) // (num_layers * (2 if bidirectional else 1))
    proj = per - (4 if has_biases else 2) == 1
    if batch_sizes is not None:
        bs = tuple(int(b) for b in (batch_sizes.tolist() if isinstance(batch_sizes, Tensor)
                                    else batch_sizes))
    else:
        bs = None
    p = float(dropout) if (train and dropout and num_layers > 1) else 0.0
    inputs = [input]
    if mode == "LSTM":
        inputs += [hx[0], hx[1]]
    else:
        inputs.append(hx)
    if p:
        from .._random import next_key
        inputs.append(next_key())
    inputs += params
    return dispatch(_RNN, tuple(inputs), (mode, int(num_layers), bool(bidirectional),
                                          bool(has_biases), proj, bool(batch_first), p, bs))


def _vf(mode):
    def fn(input, *args):
        """(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
        batch_first) or the packed form (data, batch_sizes, hx, params, has_biases,
        num_layers, dropout, train, bidirectional)."""
        if isinstance(args[0], Tensor) and (mode != "LSTM" and isinstance(args[1], Tensor)
                                            or mode == "LSTM" and isinstance(args[1],
                                                                             (list, tuple))):
            batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidir = args
            return rnn_forward(mode, input, hx, params, has_biases, num_layers, dropout, train,
                               bidir, False, batch_sizes)
        hx, params, has_biases, num_layers, dropout, train, bidir, batch_first = args
        return rnn_forward(mode, input, hx, params, has_biases, num_layers, dropout, train,
                           bidir, batch_first)

    fn.__name__ = fn.__qualname__ = {"RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu",
                                     "LSTM": "lstm", "GRU": "gru"}[mode]
    return fn


rnn_tanh = register("rnn_tanh", method=False)(_vf("RNN_TANH"))
rnn_relu = register("rnn_relu", method=False)(_vf("RNN_RELU"))
lstm = register("lstm", method=False)(_vf("LSTM"))
gru = register("gru", method=False)(_vf("GRU"))


# --------------------------------------------------------------------------------------------
# cells


def _cell_impl(*a):
    *arrays, mode, has_b = a
    x, h = arrays[0], arrays[1]
    i = 2
    c = None
    if mode == "LSTM":
        c = arrays[2]
        i = 3
    w_ih, w_hh = arrays[i], arrays[i + 1]
    b_ih = arrays[i + 2] if has_b[0] else None
    b_hh = arrays[i + 2 + has_b[0]] if has_b[1] else None
    prec = _precision()
    xp = _mm(x, w_ih, prec)
    if b_ih is not None:
        xp = xp + b_ih
    h2, c2 = _cell(mode, xp, h, c, w_hh, b_hh, None, prec)
    return (h2, c2) if mode == "LSTM" else h2


def _cell_prepare(sigs, static):
    mode = static[0]
    (xs, xd), (hs, hd) = sigs[0], sigs[1]
    nh = 2 if mode == "LSTM" else 1
    w_ih, w_hh = sigs[1 + nh], sigs[2 + nh]
    if xs[-1] != w_ih[0][1]:
        raise RuntimeError(f"input has inconsistent input_size: got {xs[-1]} expected "
                           f"{w_ih[0][1]}")
    for k in range(nh):
        s = sigs[1 + k][0]
        if xs[0] != s[0]:
            raise RuntimeError(f"Input batch size {xs[0]} doesn't match hidden{k} batch size "
                               f"{s[0]}")
        if s[-1] != w_hh[0][1]:
            raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {s[-1]}, expected "
                               f"{w_hh[0][1]}")
    return static


_CELLS = {m: engine.Op(f"{m.lower()}_cell", _cell_impl, prepare=_cell_prepare, grad=g)
          for m, g in (("RNN_TANH", "TanhBackward0"), ("RNN_RELU", "ReluBackward0"),
                       ("LSTM", "MulBackward0"), ("GRU", "AddBackward0"))}


def _make_cell(name, mode):
    f = _cell_fn(mode)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"One step of a {mode} cell: ``{name}(input, hx, w_ih, w_hh, b_ih, b_hh)``."
    return register(name, method=False)(f)


def _cell_fn(mode):
    def fn(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
        inputs = [input] + (list(hx) if mode == "LSTM" else [hx]) + [w_ih, w_hh]
        if b_ih is not None:
            inputs.append(b_ih)
        if b_hh is not None:
            inputs.append(b_hh)
        return dispatch(_CELLS[mode], tuple(inputs), (mode, (b_ih is not None,
                                                             b_hh is not None)))

    return fn


rnn_tanh_cell = _make_cell("rnn_tanh_cell", "RNN_TANH")
rnn_relu_cell = _make_cell("rnn_relu_cell", "RNN_RELU")
lstm_cell = _make_cell("lstm_cell", "LSTM")
gru_cell = _make_cell("gru_cell", "GRU")


# --------------------------------------------------------------------------------------------
# packing (used by nn.utils.rnn)


def _pack_impl(x, batch_sizes, batch_first):
    if batch_first:
        x = jnp.swapaxes(x, 0, 1)
    T = len(batch_sizes)
    x = x[:T]
    idx, vmask = _packed_index(batch_sizes)
    flat = np.nonzero(vmask.reshape(-1))[0]
    return jnp.reshape(x, (-1,) + x.shape[2:])[jnp.asarray(flat)]


def _unpack_impl(data, batch_sizes, total, padding_value, batch_first):
    idx, vmask = _packed_index(batch_sizes)
    v = jnp.asarray(vmask)
    shape_tail = data.shape[1:]
    out = data[jnp.asarray(idx)]  # (T, B, ...)
    vm = jnp.reshape(v, v.shape + (1,) * len(shape_tail))
    out = jnp.where(vm, out, jnp.asarray(padding_value, data.dtype))
    T = len(batch_sizes)
    if total > T:
        pad = [(0, total - T), (0, 0)] + [(0, 0)] * len(shape_tail)
        out = jnp.pad(out, pad, constant_values=padding_value)
    return jnp.swapaxes(out, 0, 1) if batch_first else out


PACK = engine.Op("_pack_padded_sequence", _pack_impl, grad="PackPaddedSequenceBackward0",
                 linear=True)
_UNPACK = {False: engine.Op("_pad_packed_sequence", _unpack_impl, grad="CopySlices",
                            linear=True),
           True: engine.Op("_pad_packed_sequence", _unpack_impl, grad="TransposeBackward0",
                           linear=True)}


def pack_padded(input, batch_sizes, batch_first):
    """The packed data of ``input`` (T, B, *) (or (B, T, *)) for static ``batch_sizes``."""
    return dispatch(PACK, (input,), (tuple(batch_sizes), bool(batch_first)))


def pad_packed(data, batch_sizes, total_length, padding_value, batch_first):
    return dispatch(_UNPACK[bool(batch_first)], (data,),
                    (tuple(batch_sizes), int(total_length), float(padding_value),
                     bool(batch_first)))


def _pad_seq_impl(*a):
    *seqs, batch_first, padding_value, left, rt = a
    T = max(s.shape[0] for s in seqs)
    rows = []
    for s in seqs:
        s = s.astype(rt)
        pad = [(T - s.shape[0], 0) if left else (0, T - s.shape[0])] + [(0, 0)] * (s.ndim - 1)
        rows.append(jnp.pad(s, pad, constant_values=padding_value))
    return jnp.stack(rows, axis=0 if batch_first else 1)


def _pad_seq_prepare(sigs, static):
    from .._promotion import result_type_sigs
    trail = sigs[0][0][1:]
    for s in sigs[1:]:
        if s[0][1:] != trail:
            raise RuntimeError(f"The size of tensor a ({trail[0] if trail else 0}) must match "
                               f"the size of tensor b ({s[0][1] if len(s[0]) > 1 else 0}) at "
                               f"non-singleton dimension 1")
    dts = {s[1] for s in sigs}
    rt = sigs[0][1] if len(dts) == 1 else result_type_sigs(sigs)
    return static + (rt.np,)


PAD_SEQUENCE = engine.Op("pad_sequence", _pad_seq_impl, prepare=_pad_seq_prepare,
                         grad="CopySlices", linear=True)

