"""Recurrent layers, cells and nn.utils.rnn against PyTorch: outputs, hidden states, input and
parameter gradients, parameter names, packed sequences, errors."""
import warnings

import numpy as np
import pytest

from nn_oracle import check_module
from oracle import check, check_grad, needs_torch

R = np.random.default_rng(0)


def f32(*shape):
    return R.standard_normal(shape).astype(np.float32)


X = f32(5, 3, 4)  # (T, B, I)
H0 = f32(4, 3, 6)
C0 = f32(4, 3, 6)

MODULES = [
    ("rnn", lambda nn: nn.RNN(4, 6), (X,)),
    ("rnn_relu_2l", lambda nn: nn.RNN(4, 6, 2, nonlinearity="relu"), (X, H0[:2])),
    ("rnn_bidir_nobias", lambda nn: nn.RNN(4, 6, bias=False, bidirectional=True), (X,)),
    ("rnn_batch_first", lambda nn: nn.RNN(4, 6, batch_first=True), (X.transpose(1, 0, 2),)),
    ("rnn_unbatched", lambda nn: nn.RNN(4, 6, 2), (X[:, 0], H0[:2, 0])),
    ("lstm", lambda nn: nn.LSTM(4, 6), (X,)),
    ("lstm_2l_bidir_h0", lambda nn: nn.LSTM(4, 6, num_layers=2, bidirectional=True),
     (X, lambda L: (L.tensor(H0), L.tensor(C0)))),
    ("lstm_proj", lambda nn: nn.LSTM(4, 6, num_layers=2, proj_size=3, batch_first=True),
     (X.transpose(1, 0, 2),)),
    ("lstm_proj_bidir", lambda nn: nn.LSTM(4, 6, proj_size=2, bidirectional=True), (X,)),
    ("lstm_unbatched", lambda nn: nn.LSTM(4, 6), (X[:, 1],)),
    ("gru", lambda nn: nn.GRU(4, 6), (X, H0[:1])),
    ("gru_3l_bidir_bf", lambda nn: nn.GRU(4, 6, 3, batch_first=True, bidirectional=True,
                                          bias=False), (X.transpose(1, 0, 2),)),
    ("rnn_dropout_eval", lambda nn: nn.RNN(4, 6, 3, dropout=0.5), (X,)),
]


@needs_torch
@pytest.mark.parametrize("name,build,inputs", MODULES, ids=[m[0] for m in MODULES])
def test_rnn_module(name, build, inputs):
    modes = ("eval",) if "dropout" in name else ("train", "eval")
    check_module(build, *inputs, rtol=1e-4, atol=1e-5, modes=modes)


@needs_torch
def test_rnn_dropout_train_shapes():
    import jtorch
    m = jtorch.nn.LSTM(4, 6, num_layers=3, dropout=0.5)
    out, (h, c) = m(jtorch.tensor(X))
    assert tuple(out.shape) == (5, 3, 6) and tuple(h.shape) == (3, 3, 6)
    out.sum().backward()
    assert m.weight_ih_l0.grad is not None


def _packed(L, lengths, enforce_sorted=True, batch_first=False):
    x = L.tensor(X.transpose(1, 0, 2) if batch_first else X, requires_grad=True)
    return x, L.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=batch_first,
                                                  enforce_sorted=enforce_sorted)


PACKED = [
    ("rnn", lambda nn: nn.RNN(4, 6), [5, 3, 2], True),
    ("gru_bidir_unsorted", lambda nn: nn.GRU(4, 6, 2, bidirectional=True), [2, 5, 3], False),
    ("lstm_bidir", lambda nn: nn.LSTM(4, 6, 2, bidirectional=True), [5, 5, 1], True),
    ("lstm_proj_unsorted", lambda nn: nn.LSTM(4, 6, proj_size=2), [3, 1, 4], False),
]


@needs_torch
@pytest.mark.parametrize("name,build,lengths,sort", PACKED, ids=[p[0] for p in PACKED])
def test_rnn_packed(name, build, lengths, sort):
    import jtorch
    from nn_oracle import module_pair
    tm, jm = module_pair(build)
    import torch

    def run(L, m):
        x, p = _packed(L, lengths, enforce_sorted=sort)
        out, hidden = m(p)
        padded, lens = L.nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
        hs = hidden if isinstance(hidden, tuple) else (hidden,)
        loss = (padded * L.tensor(np.linspace(-1, 1, padded.numel()).reshape(
            tuple(padded.shape)).astype(np.float32))).sum() + sum(h.sum() for h in hs)
        loss.backward()
        return (out.data, out.batch_sizes, out.sorted_indices, out.unsorted_indices, padded,
                lens, hs, x.grad, [p.grad for p in m.parameters()])

    from oracle import assert_same
    assert_same(run(torch, tm), run(jtorch, jm), rtol=1e-4, atol=1e-5)


CELLS = [
    ("rnn_cell", lambda nn: nn.RNNCell(4, 6), (X[0], H0[0])),
    ("rnn_cell_relu_nobias", lambda nn: nn.RNNCell(4, 6, bias=False, nonlinearity="relu"),
     (X[0],)),
    ("rnn_cell_unbatched", lambda nn: nn.RNNCell(4, 6), (X[0, 0], H0[0, 0])),
    ("lstm_cell", lambda nn: nn.LSTMCell(4, 6), (X[0], lambda L: (L.tensor(H0[0]),
                                                                 L.tensor(C0[0])))),
    ("lstm_cell_noh", lambda nn: nn.LSTMCell(4, 6, bias=False), (X[1],)),
    ("lstm_cell_unbatched", lambda nn: nn.LSTMCell(4, 6), (X[0, 0],)),
    ("gru_cell", lambda nn: nn.GRUCell(4, 6), (X[0], H0[0])),
    ("gru_cell_unbatched", lambda nn: nn.GRUCell(4, 6), (X[2, 1],)),
]


@needs_torch
@pytest.mark.parametrize("name,build,inputs", CELLS, ids=[c[0] for c in CELLS])
def test_rnn_cell(name, build, inputs):
    # LSTMCell's c_1 is AddBackward0 in PyTorch; the fused cell op names both outputs after h_1
    check_module(build, *inputs, rtol=1e-4, atol=1e-5, modes=("train",),
                 check_grad_fn=not name.startswith("lstm"))


@needs_torch
def test_functional_rnn():
    w = [f32(24, 4), f32(24, 6), f32(24), f32(24)]
    check_grad(lambda L, x, h, c, *ws: L.lstm(x, (h, c), ws, True, 1, 0.0, False, False,
                                              False),
               X, H0[:1], C0[:1], *w, rtol=1e-4, atol=1e-5)
    w = [f32(18, 4), f32(18, 6)]
    check_grad(lambda L, x, h, *ws: L.gru_cell(x, h, *ws), X[0], H0[0], *w, rtol=1e-4,
               atol=1e-5)


# --------------------------------------------------------------------------------------------
# nn.utils.rnn


@needs_torch
def test_pad_sequence():
    seqs = [f32(3, 2), f32(5, 2), f32(1, 2)]
    for kw in (dict(), dict(batch_first=True, padding_value=-1.0),
               dict(batch_first=True, padding_side="left")):
        check_grad(lambda L, *s: L.nn.utils.rnn.pad_sequence(list(s), **kw), *seqs)
    check(lambda L: type(L.nn.utils.rnn.pad_sequence(
        [L.tensor(s, requires_grad=True) for s in seqs]).grad_fn).__name__)
    check(lambda L: L.nn.utils.rnn.pad_sequence([L.ones(2, 3), L.ones(3, 4)]), message=False)


@needs_torch
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("sort", [True, False])
def test_pack_pad_roundtrip(batch_first, sort):
    lengths = [5, 3, 2] if sort else [3, 5, 2]

    def run(L):
        x, p = _packed(L, lengths, enforce_sorted=sort, batch_first=batch_first)
        padded, lens = L.nn.utils.rnn.pad_packed_sequence(p, batch_first=batch_first,
                                                          total_length=7, padding_value=-2.0)
        padded.sum().backward()
        return (repr(p) if sort else None, p.data, p.batch_sizes, p.sorted_indices,
                p.unsorted_indices, padded, lens, x.grad,
                type(p.data.grad_fn).__name__, type(padded.grad_fn).__name__)

    check(run)


@needs_torch
def test_pack_sequence_and_unpack():
    seqs = [f32(4, 2), f32(2, 2), f32(3, 2)]

    def run(L):
        ts = [L.tensor(s) for s in seqs]
        p = L.nn.utils.rnn.pack_sequence(ts, enforce_sorted=False)
        return (p.data, p.batch_sizes, L.nn.utils.rnn.unpack_sequence(p),
                L.nn.utils.rnn.unpad_sequence(L.nn.utils.rnn.pad_sequence(ts),
                                              L.tensor([4, 2, 3])))

    check(run)


ERRORS = [
    lambda L: L.nn.utils.rnn.pack_padded_sequence(L.ones(5, 3, 2), [2, 5, 3]),
    lambda L: L.nn.utils.rnn.pack_padded_sequence(L.ones(5, 3, 2), [5, 3, 0]),
    lambda L: L.nn.utils.rnn.pack_padded_sequence(L.ones(5, 3, 2), [5, 3]),
    lambda L: L.nn.utils.rnn.pad_packed_sequence(
        L.nn.utils.rnn.pack_padded_sequence(L.ones(5, 3, 2), [5, 3, 2]), total_length=3),
    lambda L: L.nn.LSTMCell(3, 4)(L.ones(2, 5)),
    lambda L: L.nn.LSTMCell(3, 4)(L.ones(2, 3), (L.ones(2, 3), L.ones(2, 4))),
    lambda L: L.nn.LSTMCell(3, 4)(L.ones(2, 3), (L.ones(3, 4), L.ones(3, 4))),
    lambda L: L.nn.GRUCell(3, 4)(L.ones(2, 3, 1)),
    lambda L: L.nn.GRU(3, 4)(L.ones(5, 2, 4)),
    lambda L: L.nn.GRU(3, 4)(L.ones(5, 2, 3), L.ones(2, 2, 4)),
    lambda L: L.nn.GRU(3, 4)(L.ones(5, 2, 3).double()),
    lambda L: L.nn.GRU(3, 4)(L.ones(5, 2, 3, 1)),
    lambda L: L.nn.RNN(3, 4)(L.ones(5, 2, 3), L.ones(1, 4)),
    lambda L: L.nn.LSTM(3, 4)(L.ones(5, 2, 3), (L.ones(1, 2, 4), L.ones(1, 3, 4))),
    lambda L: L.nn.LSTM(3, 4)(L.ones(5, 3), (L.ones(1, 2, 4), L.ones(1, 2, 4))),
    lambda L: L.nn.RNN(3, 4, nonlinearity="gelu"),
    lambda L: L.nn.GRU(3, 4, proj_size=2),
    lambda L: L.nn.LSTM(3, 4, proj_size=4),
    lambda L: L.nn.LSTM(3, 4, dropout=1.5),
    lambda L: L.nn.LSTM(3, 0),
    lambda L: L.nn.LSTM(3, 4, num_layers=0),
    lambda L: L.nn.LSTM(3.0, 4),
]


@needs_torch
@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_rnn_errors(i):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(ERRORS[i], message=True)


@needs_torch
def test_rnn_repr_and_warning():
    def run(L):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m = L.nn.GRU(3, 4, dropout=0.2)
        return ([str(x.message) for x in w], repr(m), repr(L.nn.LSTM(3, 4, 2, False, True, 0.1,
                                                                     True, 2)),
                repr(L.nn.RNNCell(3, 4, nonlinearity="relu", bias=False)),
                [n for n, _ in L.nn.LSTM(3, 5, 2, proj_size=2, bidirectional=True)
                 .named_parameters()], len(L.nn.GRU(3, 4, 2).all_weights))

    check(run)
