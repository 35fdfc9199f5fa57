"""scaled_dot_product_attention, MultiheadAttention and the Transformer modules against
PyTorch: outputs, attention weights, input/parameter gradients, masks, reprs, errors."""
import warnings

import numpy as np
import pytest

from nn_oracle import check_module
from oracle import check, check_grad, needs_torch

R = np.random.default_rng(0)


def f32(*shape):
    return R.standard_normal(shape).astype(np.float32)


def F(lib):
    return lib.nn.functional


Q, K, V = f32(2, 3, 4, 5), f32(2, 3, 6, 5), f32(2, 3, 6, 7)
BOOL_MASK = R.random((4, 6)) < 0.7
BOOL_MASK[1] = False  # a fully masked row
FLOAT_MASK = f32(4, 6)

SDPA = [
    ("plain", {}, (Q, K, V)),
    ("scale", dict(scale=0.3), (Q, K, V)),
    ("causal", dict(is_causal=True), (Q, K, V)),
    ("causal_long_q", dict(is_causal=True), (f32(2, 6, 5), f32(2, 4, 5), f32(2, 4, 3))),
    ("bool_mask", dict(attn_mask=lambda L: L.tensor(BOOL_MASK)), (Q, K, V)),
    ("float_mask", dict(attn_mask=lambda L: L.tensor(FLOAT_MASK)), (Q, K, V)),
    ("broadcast_kv", {}, (Q, K[:, :1], V[:, :1])),
    ("gqa", dict(enable_gqa=True), (f32(2, 4, 3, 5), f32(2, 2, 6, 5), f32(2, 2, 6, 5))),
    ("unbatched", {}, (Q[0, 0], K[0, 0], V[0, 0])),
]


@needs_torch
@pytest.mark.parametrize("name,kw,inputs", SDPA, ids=[s[0] for s in SDPA])
def test_sdpa(name, kw, inputs):
    def run(L, q, k, v):
        args = {n: (a(L) if callable(a) else a) for n, a in kw.items()}
        return F(L).scaled_dot_product_attention(q, k, v, **args)

    check_grad(run, *inputs, rtol=1e-4, atol=1e-5)
    check(lambda L: type(run(L, *[L.tensor(a, requires_grad=True) for a in inputs])
                         .grad_fn).__name__)


@needs_torch
def test_sdpa_dropout_statistics():
    import jtorch
    q = jtorch.zeros(1, 1, 64, 4)
    v = jtorch.ones(1, 1, 64, 4)
    out = F(jtorch).scaled_dot_product_attention(q, q, v, dropout_p=0.5)
    m = float(out.mean())
    assert 0.8 < m < 1.2  # expectation preserved (uniform weights, inverted dropout)


SDPA_ERRORS = [
    lambda L: F(L).scaled_dot_product_attention(L.ones(2, 4, 5), L.ones(2, 6, 5),
                                                L.ones(2, 6, 5), is_causal=True,
                                                attn_mask=L.ones(4, 6, dtype=L.bool)),
    lambda L: F(L).scaled_dot_product_attention(L.ones(2, 4, 5), L.ones(2, 6, 4),
                                                L.ones(2, 6, 5)),
]


@needs_torch
@pytest.mark.parametrize("i", range(len(SDPA_ERRORS)))
def test_sdpa_errors(i):
    check(SDPA_ERRORS[i], message=True)


# --------------------------------------------------------------------------------------------
# MultiheadAttention

X = f32(5, 3, 8)      # (L, N, E)
MEM = f32(7, 3, 8)
KPM = np.zeros((3, 7), bool)
KPM[0, 5:] = True
KPM[2, 3:] = True
ATT = np.triu(np.full((5, 7), -np.inf, np.float32), 3)


def _mha(**kw):
    return lambda nn: nn.MultiheadAttention(8, 2, **kw)


MHA = [
    ("self", _mha(), lambda m, x: m(x, x, x), (X,)),
    ("self_no_weights", _mha(), lambda m, x: m(x, x, x, need_weights=False), (X,)),
    ("per_head_weights", _mha(), lambda m, x: m(x, x, x, average_attn_weights=False), (X,)),
    ("cross_masks", _mha(), lambda m, x, mem, kpm, am: m(x, mem, mem, key_padding_mask=kpm,
                                                         attn_mask=am), (X, MEM, KPM, ATT)),
    ("cross_masks_no_weights", _mha(), lambda m, x, mem, kpm, am: m(
        x, mem, mem, key_padding_mask=kpm, attn_mask=am, need_weights=False),
     (X, MEM, KPM, ATT)),
    ("bool_attn_mask", _mha(), lambda m, x, am: m(x, x, x, attn_mask=am),
     (X, np.triu(np.ones((5, 5), bool), 1))),
    ("batch_first", _mha(batch_first=True), lambda m, x: m(x, x, x), (X.transpose(1, 0, 2),)),
    ("kdim_vdim", _mha(kdim=6, vdim=4), lambda m, x, k, v: m(x, k, v),
     (X, f32(7, 3, 6), f32(7, 3, 4))),
    ("bias_kv_zero_attn", _mha(add_bias_kv=True, add_zero_attn=True),
     lambda m, x, kpm: m(x, x, x, key_padding_mask=kpm), (X, KPM[:, :5])),
    ("no_bias", _mha(bias=False), lambda m, x: m(x, x, x), (X,)),
    ("unbatched", _mha(), lambda m, x: m(x, x, x), (X[:, 0],)),
    ("causal", _mha(), lambda m, x, am: m(x, x, x, attn_mask=am, is_causal=True,
                                          need_weights=False),
     (X, np.triu(np.full((5, 5), -np.inf, np.float32), 1))),
]


@needs_torch
@pytest.mark.parametrize("name,build,fwd,inputs", MHA, ids=[m[0] for m in MHA])
def test_multihead_attention(name, build, fwd, inputs):
    check_module(build, *inputs, forward=fwd, rtol=1e-4, atol=1e-5)


MHA_ERRORS = [
    lambda L: L.nn.MultiheadAttention(8, 3),
    lambda L: L.nn.MultiheadAttention(0, 2),
    lambda L: L.nn.MultiheadAttention(8, 2)(L.ones(5, 3, 8), L.ones(5, 3, 8), L.ones(4, 3, 8)),
    lambda L: L.nn.MultiheadAttention(8, 2)(L.ones(5, 3, 8), L.ones(5, 3, 8), L.ones(5, 3, 8),
                                            attn_mask=L.ones(4, 5)),
    lambda L: L.nn.MultiheadAttention(8, 2)(L.ones(5, 3, 8), L.ones(5, 3, 8), L.ones(5, 3, 8),
                                            key_padding_mask=L.ones(3, 4, dtype=L.bool)),
    lambda L: L.nn.MultiheadAttention(8, 2)(L.ones(5, 3, 6), L.ones(5, 3, 6), L.ones(5, 3, 6)),
    lambda L: L.nn.MultiheadAttention(8, 2)(L.ones(5, 3, 8), L.ones(5, 3, 8), L.ones(5, 3, 8),
                                            is_causal=True),
    lambda L: L.nn.MultiheadAttention(8, 2)(L.ones(5, 3, 8), L.ones(5, 8), L.ones(5, 8)),
]


@needs_torch
@pytest.mark.parametrize("i", range(len(MHA_ERRORS)))
def test_mha_errors(i):
    check(MHA_ERRORS[i], message=True)


# --------------------------------------------------------------------------------------------
# Transformer

SRC = f32(6, 2, 8)
TGT = f32(4, 2, 8)
SRC_KPM = np.zeros((2, 6), bool)
SRC_KPM[1, 4:] = True
CAUSAL4 = np.triu(np.full((4, 4), -np.inf, np.float32), 1)

TRANSFORMER = [
    ("encoder_layer", lambda nn: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0),
     lambda m, s: m(s), (SRC,)),
    ("encoder_layer_norm_first_gelu", lambda nn: nn.TransformerEncoderLayer(
        8, 2, 16, dropout=0.0, activation="gelu", norm_first=True, batch_first=True),
     lambda m, s, kpm: m(s, src_key_padding_mask=kpm), (SRC.transpose(1, 0, 2), SRC_KPM)),
    ("encoder_layer_callable_act", lambda nn: nn.TransformerEncoderLayer(
        8, 2, 16, dropout=0.0, activation=nn.functional.tanh, bias=False),
     lambda m, s: m(s), (SRC,)),
    ("decoder_layer", lambda nn: nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0),
     lambda m, t, mem, am: m(t, mem, tgt_mask=am), (TGT, SRC, CAUSAL4)),
    ("decoder_layer_norm_first", lambda nn: nn.TransformerDecoderLayer(
        8, 2, 16, dropout=0.0, norm_first=True, batch_first=True),
     lambda m, t, mem, kpm: m(t, mem, memory_key_padding_mask=kpm),
     (TGT.transpose(1, 0, 2), SRC.transpose(1, 0, 2), SRC_KPM)),
    ("encoder", lambda nn: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True), 2,
        norm=nn.LayerNorm(8), enable_nested_tensor=False),
     lambda m, s, kpm: m(s, src_key_padding_mask=kpm), (SRC.transpose(1, 0, 2), SRC_KPM)),
    ("decoder", lambda nn: nn.TransformerDecoder(
        nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), 2),
     lambda m, t, mem, am: m(t, mem, tgt_mask=am, tgt_is_causal=True), (TGT, SRC, CAUSAL4)),
    ("transformer", lambda nn: nn.Transformer(8, 2, 2, 1, 16, dropout=0.0),
     lambda m, s, t, am, kpm: m(s, t, tgt_mask=am, src_key_padding_mask=kpm,
                                memory_key_padding_mask=kpm), (SRC, TGT, CAUSAL4, SRC_KPM)),
    ("transformer_batch_first_norm_first", lambda nn: nn.Transformer(
        8, 2, 1, 1, 16, dropout=0.0, batch_first=True, norm_first=True, activation="gelu"),
     lambda m, s, t: m(s, t), (SRC.transpose(1, 0, 2), TGT.transpose(1, 0, 2))),
]


@needs_torch
@pytest.mark.parametrize("name,build,fwd,inputs", TRANSFORMER, ids=[t[0] for t in TRANSFORMER])
def test_transformer(name, build, fwd, inputs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_module(build, *inputs, forward=fwd, rtol=1e-4, atol=1e-5)


@needs_torch
def test_encoder_nested_fast_path_zeros_padding():
    """PyTorch's inference fast path pads the encoder output with zeros."""
    import torch
    from nn_oracle import module_pair

    def build(nn):
        layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
        return nn.TransformerEncoder(layer, 2)

    tm, jm = module_pair(build)
    tm.eval()
    jm.eval()
    import jtorch
    from oracle import assert_same
    with torch.no_grad():
        e = tm(torch.tensor(SRC.transpose(1, 0, 2)),
               src_key_padding_mask=torch.tensor(SRC_KPM))
    with jtorch.no_grad():
        a = jm(jtorch.tensor(SRC.transpose(1, 0, 2)),
               src_key_padding_mask=jtorch.tensor(SRC_KPM))
    assert_same(e, a, rtol=1e-4, atol=1e-5)


@needs_torch
def test_transformer_misc():
    def run(L):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(8, 2), 2)
        return ([str(x.message) for x in w],
                L.nn.Transformer.generate_square_subsequent_mask(4),
                L.nn.Transformer.generate_square_subsequent_mask(3, dtype=L.float64))

    check(run)
    check(lambda L: L.nn.TransformerEncoderLayer(8, 2, activation="tanh"), message=True)
    check(lambda L: L.nn.Transformer(8, 2, 1, 1, 16)(L.ones(3, 2, 8), L.ones(3, 1, 8)),
          message=True)
    check(lambda L: L.nn.Transformer(8, 2, 1, 1, 16)(L.ones(3, 2, 8), L.ones(3, 2, 4)),
          message=True)
