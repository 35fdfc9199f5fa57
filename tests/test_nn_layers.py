"""The standard layers and their functional forms, compared with PyTorch.

``LAYERS``: every layer built in both libraries with the same weights (``nn_oracle``), called in
train and eval mode; outputs, input and parameter gradients, buffers, repr and state_dict keys
must match.  ``FUNCTIONAL``: forward values and input gradients of ``F.*`` (``check_grad``) and
the grad_fn name PyTorch shows.  ``ERRORS``: bad inputs raise PyTorch's exception and message.
"""
import math
import warnings

import numpy as np
import pytest

import jtorch
from nn_oracle import check_module
from oracle import TORCH, check, check_grad, needs_torch

pytestmark = needs_torch


def rnd(*shape, seed=0, scale=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


def ints(high, *shape, seed=0):
    return np.random.default_rng(seed).integers(0, high, shape).astype(np.int64)


X2 = rnd(4, 6)
X3 = rnd(2, 4, 5, seed=1)
X4 = rnd(2, 4, 3, 3, seed=2)
X5 = rnd(2, 4, 2, 3, 3, seed=3)

# (id, build(nn), inputs, kwargs for check_module)
LAYERS = [
    ("Identity", lambda nn: nn.Identity(3, foo=1), [X2], {}),
    ("Linear", lambda nn: nn.Linear(6, 3), [X2], {}),
    ("Linear_nobias", lambda nn: nn.Linear(6, 3, bias=False), [X2], {}),
    ("Linear_3d", lambda nn: nn.Linear(5, 2), [X3], {}),
    ("Linear_1d", lambda nn: nn.Linear(6, 2), [X2[0]], {}),
    ("Linear_double", lambda nn: nn.Linear(6, 3).double(), [X2.astype(np.float64)], {}),
    ("Bilinear", lambda nn: nn.Bilinear(6, 5, 3), [X2, rnd(4, 5, seed=9)], {}),
    ("Bilinear_nobias", lambda nn: nn.Bilinear(6, 5, 3, bias=False), [X2, rnd(4, 5, seed=9)],
     {}),
    ("ReLU", lambda nn: nn.ReLU(), [X2], {}),
    ("ReLU6", lambda nn: nn.ReLU6(), [X2 * 5], {}),
    ("LeakyReLU", lambda nn: nn.LeakyReLU(0.2), [X2], {}),
    ("PReLU", lambda nn: nn.PReLU(), [X3], {}),
    ("PReLU_channels", lambda nn: nn.PReLU(4, init=0.1), [X3], {}),
    ("RReLU_eval", lambda nn: nn.RReLU(0.1, 0.3), [X2], {"modes": ("eval",)}),
    ("ELU", lambda nn: nn.ELU(alpha=0.5), [X2], {}),
    ("SELU", lambda nn: nn.SELU(), [X2], {}),
    ("CELU", lambda nn: nn.CELU(alpha=2.0), [X2], {}),
    ("GELU", lambda nn: nn.GELU(), [X2], {}),
    ("GELU_tanh", lambda nn: nn.GELU(approximate="tanh"), [X2], {}),
    ("SiLU", lambda nn: nn.SiLU(), [X2], {}),
    ("Mish", lambda nn: nn.Mish(), [X2], {}),
    ("Sigmoid", lambda nn: nn.Sigmoid(), [X2], {}),
    ("Tanh", lambda nn: nn.Tanh(), [X2], {}),
    ("Softplus", lambda nn: nn.Softplus(beta=2.0, threshold=1.0), [X2], {}),
    ("Softsign", lambda nn: nn.Softsign(), [X2], {}),
    ("Hardtanh", lambda nn: nn.Hardtanh(-0.5, 0.7), [X2], {}),
    ("Hardswish", lambda nn: nn.Hardswish(), [X2 * 4], {}),
    ("Hardsigmoid", lambda nn: nn.Hardsigmoid(), [X2 * 4], {}),
    ("Hardshrink", lambda nn: nn.Hardshrink(0.3), [X2], {}),
    ("Softshrink", lambda nn: nn.Softshrink(0.3), [X2], {}),
    ("Tanhshrink", lambda nn: nn.Tanhshrink(), [X2], {}),
    ("Threshold", lambda nn: nn.Threshold(0.1, 20.0), [X2], {}),
    ("GLU", lambda nn: nn.GLU(), [X2], {}),
    ("GLU_dim0", lambda nn: nn.GLU(dim=0), [X2], {}),
    ("LogSigmoid", lambda nn: nn.LogSigmoid(), [X2], {}),
    ("Softmax", lambda nn: nn.Softmax(dim=1), [X2], {}),
    ("Softmin", lambda nn: nn.Softmin(dim=-1), [X3], {}),
    ("LogSoftmax", lambda nn: nn.LogSoftmax(dim=0), [X2], {}),
    ("Softmax2d", lambda nn: nn.Softmax2d(), [X4], {}),
    ("Dropout_eval", lambda nn: nn.Dropout(0.3), [X2], {"modes": ("eval",)}),
    ("Dropout_p0", lambda nn: nn.Dropout(0.0), [X2], {}),
    ("Dropout2d_eval", lambda nn: nn.Dropout2d(), [X4], {"modes": ("eval",)}),
    ("AlphaDropout_eval", lambda nn: nn.AlphaDropout(0.2), [X2], {"modes": ("eval",)}),
    ("BatchNorm1d", lambda nn: nn.BatchNorm1d(6), [X2], {"steps": 2}),
    ("BatchNorm1d_3d", lambda nn: nn.BatchNorm1d(4), [X3], {"steps": 2}),
    ("BatchNorm1d_momentum_none", lambda nn: nn.BatchNorm1d(6, momentum=None), [X2],
     {"steps": 3}),
    ("BatchNorm1d_noaffine", lambda nn: nn.BatchNorm1d(6, affine=False), [X2], {}),
    ("BatchNorm1d_notrack", lambda nn: nn.BatchNorm1d(6, track_running_stats=False), [X2], {}),
    ("BatchNorm1d_nobias", lambda nn: nn.BatchNorm1d(6, bias=False), [X2], {}),
    ("BatchNorm2d", lambda nn: nn.BatchNorm2d(4, eps=1e-3, momentum=0.3), [X4], {"steps": 2}),
    ("BatchNorm3d", lambda nn: nn.BatchNorm3d(4), [X5], {}),
    ("BatchNorm2d_double", lambda nn: nn.BatchNorm2d(4).double(), [X4.astype(np.float64)],
     {}),
    ("InstanceNorm1d", lambda nn: nn.InstanceNorm1d(4), [X3], {}),
    ("InstanceNorm1d_unbatched", lambda nn: nn.InstanceNorm1d(4), [X3[0]], {}),
    ("InstanceNorm2d_affine", lambda nn: nn.InstanceNorm2d(4, affine=True), [X4], {}),
    ("InstanceNorm2d_track", lambda nn: nn.InstanceNorm2d(4, track_running_stats=True), [X4],
     {"steps": 2}),
    ("InstanceNorm3d", lambda nn: nn.InstanceNorm3d(4, affine=True,
                                                    track_running_stats=True), [X5], {}),
    ("LayerNorm", lambda nn: nn.LayerNorm(6), [X2], {}),
    ("LayerNorm_2d", lambda nn: nn.LayerNorm([4, 5], eps=1e-3), [X3], {}),
    ("LayerNorm_noaffine", lambda nn: nn.LayerNorm(5, elementwise_affine=False), [X3], {}),
    ("LayerNorm_nobias", lambda nn: nn.LayerNorm(5, bias=False), [X3], {}),
    ("GroupNorm", lambda nn: nn.GroupNorm(2, 4), [X4], {}),
    ("GroupNorm_3d", lambda nn: nn.GroupNorm(4, 4, affine=False), [X3], {}),
    ("RMSNorm", lambda nn: nn.RMSNorm(6), [X2], {}),
    ("RMSNorm_eps", lambda nn: nn.RMSNorm([4, 5], eps=1e-3), [X3], {}),
    ("RMSNorm_noaffine", lambda nn: nn.RMSNorm(5, elementwise_affine=False), [X3], {}),
    ("LocalResponseNorm", lambda nn: nn.LocalResponseNorm(3), [X4], {}),
    ("LocalResponseNorm_3d", lambda nn: nn.LocalResponseNorm(2, alpha=0.1, beta=0.5, k=2.0),
     [X3], {}),
    ("LocalResponseNorm_5d", lambda nn: nn.LocalResponseNorm(4), [X5], {}),
    ("CrossMapLRN2d", lambda nn: nn.CrossMapLRN2d(3), [X4], {}),
    ("Embedding", lambda nn: nn.Embedding(10, 3), [ints(10, 2, 4)], {}),
    ("Embedding_padding", lambda nn: nn.Embedding(10, 3, padding_idx=2),
     [np.array([[2, 1, 2], [0, 2, 3]])], {}),
    ("Embedding_scale_grad", lambda nn: nn.Embedding(6, 3, scale_grad_by_freq=True),
     [np.array([1, 1, 2, 1, 5])], {}),
    ("EmbeddingBag_mean", lambda nn: nn.EmbeddingBag(10, 3), [ints(10, 3, 4)], {}),
    ("EmbeddingBag_sum_offsets", lambda nn: nn.EmbeddingBag(10, 3, mode="sum"),
     [ints(10, 7), np.array([0, 2, 2, 5])], {}),
    ("EmbeddingBag_max", lambda nn: nn.EmbeddingBag(10, 3, mode="max"),
     [ints(10, 7, seed=4), np.array([0, 3, 3])], {}),
    ("EmbeddingBag_last_offset", lambda nn: nn.EmbeddingBag(10, 3, mode="mean",
                                                             include_last_offset=True),
     [ints(10, 6), np.array([0, 2, 6])], {}),
    ("EmbeddingBag_padding", lambda nn: nn.EmbeddingBag(10, 3, mode="mean", padding_idx=1),
     [np.array([[1, 2, 1], [1, 1, 1]])], {}),
    ("Flatten", lambda nn: nn.Flatten(), [X4], {}),
    ("Flatten_range", lambda nn: nn.Flatten(0, 2), [X4], {}),
    ("Unflatten", lambda nn: nn.Unflatten(1, (2, 3)), [X2], {}),
    ("ZeroPad1d", lambda nn: nn.ZeroPad1d((1, 2)), [X3], {}),
    ("ZeroPad2d", lambda nn: nn.ZeroPad2d(1), [X4], {}),
    ("ZeroPad3d", lambda nn: nn.ZeroPad3d((1, 0, 0, 1, 2, 0)), [X5], {}),
    ("ConstantPad1d", lambda nn: nn.ConstantPad1d(2, 3.5), [X3], {}),
    ("ConstantPad2d_neg", lambda nn: nn.ConstantPad2d((-1, 1, 0, -1), 1.0), [X4], {}),
    ("ConstantPad3d", lambda nn: nn.ConstantPad3d(1, -1.0), [X5], {}),
    ("ReflectionPad1d", lambda nn: nn.ReflectionPad1d((2, 3)), [X3], {}),
    ("ReflectionPad2d", lambda nn: nn.ReflectionPad2d((1, 2, 2, 1)), [X4], {}),
    ("ReflectionPad3d", lambda nn: nn.ReflectionPad3d(1), [X5], {}),
    ("ReplicationPad1d", lambda nn: nn.ReplicationPad1d(3), [X3], {}),
    ("ReplicationPad2d", lambda nn: nn.ReplicationPad2d((0, 2, 1, 0)), [X4], {}),
    ("ReplicationPad3d", lambda nn: nn.ReplicationPad3d((1, 1, 0, 2, 1, 0)), [X5], {}),
    ("CircularPad1d", lambda nn: nn.CircularPad1d((2, 1)), [X3], {}),
    ("CircularPad2d", lambda nn: nn.CircularPad2d(1), [X4], {}),
    ("CircularPad3d", lambda nn: nn.CircularPad3d((1, 0, 2, 1, 0, 1)), [X5], {}),
    ("ReflectionPad1d_unbatched", lambda nn: nn.ReflectionPad1d(1), [X3[0]], {}),
    ("PixelShuffle", lambda nn: nn.PixelShuffle(2), [rnd(2, 8, 2, 3)], {}),
    ("PixelUnshuffle", lambda nn: nn.PixelUnshuffle(2), [rnd(2, 2, 4, 6)], {}),
    ("ChannelShuffle", lambda nn: nn.ChannelShuffle(2), [X4], {}),
    ("CosineSimilarity", lambda nn: nn.CosineSimilarity(), [X2, rnd(4, 6, seed=5)], {}),
    ("CosineSimilarity_dim", lambda nn: nn.CosineSimilarity(dim=-1, eps=1e-3),
     [X3, rnd(5, seed=5)], {}),
    ("PairwiseDistance", lambda nn: nn.PairwiseDistance(), [X2, rnd(4, 6, seed=5)], {}),
    ("PairwiseDistance_p1", lambda nn: nn.PairwiseDistance(p=1.0, keepdim=True),
     [X2, rnd(4, 6, seed=5)], {}),
    ("PairwiseDistance_inf", lambda nn: nn.PairwiseDistance(p=math.inf),
     [X2, rnd(4, 6, seed=5)], {}),
    ("Sequential_mlp", lambda nn: nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.GELU(),
                                                 nn.LayerNorm(8), nn.Linear(8, 2),
                                                 nn.LogSoftmax(-1)), [X2], {"steps": 2}),
]


@pytest.mark.parametrize("name,build,inputs,kw", LAYERS, ids=[x[0] for x in LAYERS])
def test_layer(name, build, inputs, kw):
    kw = dict(kw)
    kw.setdefault("rtol", 1e-4)
    kw.setdefault("atol", 1e-5)
    check_module(build, *inputs, check_grad_fn=True, **kw)


# --------------------------------------------------------------------------------------------
# functional forms: values, input gradients, grad_fn names

def _F(lib):
    return lib.nn.functional


FUNCTIONAL = [
    ("relu", lambda t, x: _F(t).relu(x), [rnd(3, 4)]),
    ("relu6", lambda t, x: _F(t).relu6(x * 4), [rnd(3, 4)]),
    ("leaky_relu", lambda t, x: _F(t).leaky_relu(x, 0.3), [rnd(3, 4)]),
    ("elu", lambda t, x: _F(t).elu(x, 1.5), [rnd(3, 4)]),
    ("selu", lambda t, x: _F(t).selu(x), [rnd(3, 4)]),
    ("torch_selu", lambda t, x: t.selu(x), [rnd(3, 4)]),
    ("celu", lambda t, x: _F(t).celu(x, 0.5), [rnd(3, 4)]),
    ("gelu", lambda t, x: _F(t).gelu(x), [rnd(3, 4)]),
    ("gelu_tanh", lambda t, x: _F(t).gelu(x, approximate="tanh"), [rnd(3, 4)]),
    ("silu", lambda t, x: _F(t).silu(x), [rnd(3, 4)]),
    ("mish", lambda t, x: _F(t).mish(x), [rnd(3, 4)]),
    ("softplus", lambda t, x: _F(t).softplus(x, 0.5, 2.0), [rnd(3, 4, scale=5)]),
    ("softsign", lambda t, x: _F(t).softsign(x), [rnd(3, 4)]),
    ("hardtanh", lambda t, x: _F(t).hardtanh(x, -0.3, 0.4), [rnd(3, 4)]),
    ("hardswish", lambda t, x: _F(t).hardswish(x), [rnd(3, 4, scale=4)]),
    ("hardsigmoid", lambda t, x: _F(t).hardsigmoid(x), [rnd(3, 4, scale=4)]),
    ("hardshrink", lambda t, x: _F(t).hardshrink(x, 0.4), [rnd(3, 4)]),
    ("tensor_hardshrink", lambda t, x: x.hardshrink(), [rnd(3, 4)]),
    ("softshrink", lambda t, x: _F(t).softshrink(x, 0.4), [rnd(3, 4)]),
    ("tanhshrink", lambda t, x: _F(t).tanhshrink(x), [rnd(3, 4)]),
    ("threshold", lambda t, x: _F(t).threshold(x, 0.2, -3.0), [rnd(3, 4)]),
    ("torch_threshold", lambda t, x: t.threshold(x, 0.2, -3.0), [rnd(3, 4)]),
    ("glu", lambda t, x: _F(t).glu(x, 0), [rnd(4, 3)]),
    ("logsigmoid", lambda t, x: _F(t).logsigmoid(x), [rnd(3, 4, scale=10)]),
    ("sigmoid", lambda t, x: _F(t).sigmoid(x), [rnd(3, 4)]),
    ("tanh", lambda t, x: _F(t).tanh(x), [rnd(3, 4)]),
    ("prelu", lambda t, x, w: _F(t).prelu(x, w), [rnd(2, 3, 4), rnd(3, seed=1)]),
    ("prelu_shared", lambda t, x, w: t.prelu(x, w), [rnd(2, 3, 4), rnd(1, seed=1)]),
    ("rrelu_eval", lambda t, x: _F(t).rrelu(x, 0.1, 0.4), [rnd(3, 4)]),
    ("softmax", lambda t, x: _F(t).softmax(x, dim=1), [rnd(3, 4)]),
    ("softmax_dtype", lambda t, x: _F(t).softmax(x, 0, dtype=t.float64), [rnd(3, 4)]),
    ("softmax_method", lambda t, x: x.softmax(-1), [rnd(3, 4)]),
    ("torch_softmax", lambda t, x: t.softmax(x, 0), [rnd(3, 4)]),
    ("softmax_0d", lambda t, x: _F(t).softmax(x, 0), [np.array(1.5, np.float32)]),
    ("softmax_inf", lambda t, x: _F(t).softmax(x - t.tensor([[0., math.inf, 0.]]), 1),
     [rnd(2, 3)]),
    ("log_softmax", lambda t, x: _F(t).log_softmax(x, dim=-1), [rnd(3, 4, scale=30)]),
    ("log_softmax_method", lambda t, x: x.log_softmax(0), [rnd(3, 4)]),
    ("softmin", lambda t, x: _F(t).softmin(x, 1), [rnd(3, 4)]),
    ("linear", lambda t, x, w, b: _F(t).linear(x, w, b), [rnd(3, 4), rnd(5, 4, seed=1),
                                                          rnd(5, seed=2)]),
    ("linear_nobias", lambda t, x, w: _F(t).linear(x, w), [rnd(3, 4), rnd(5, 4, seed=1)]),
    ("linear_3d", lambda t, x, w, b: _F(t).linear(x, w, b), [rnd(2, 3, 4), rnd(5, 4, seed=1),
                                                             rnd(5, seed=2)]),
    ("linear_3d_nobias", lambda t, x, w: _F(t).linear(x, w), [rnd(2, 3, 4), rnd(5, 4, seed=1)]),
    ("linear_1d", lambda t, x, w, b: _F(t).linear(x, w, b), [rnd(4), rnd(5, 4, seed=1),
                                                             rnd(5, seed=2)]),
    ("linear_1d_nobias", lambda t, x, w: _F(t).linear(x, w), [rnd(4), rnd(5, 4, seed=1)]),
    ("linear_vec_weight", lambda t, x, w: _F(t).linear(x, w), [rnd(3, 4), rnd(4, seed=1)]),
    ("linear_bias_bcast", lambda t, x, w, b: _F(t).linear(x, w, b),
     [rnd(3, 4), rnd(5, 4, seed=1), rnd(3, 1, seed=2)]),
    ("bilinear", lambda t, a, b, w, c: _F(t).bilinear(a, b, w, c),
     [rnd(3, 2), rnd(3, 4, seed=1), rnd(5, 2, 4, seed=2), rnd(5, seed=3)]),
    ("bilinear_1d", lambda t, a, b, w: t.bilinear(a, b, w),
     [rnd(2), rnd(4, seed=1), rnd(5, 2, 4, seed=2)]),
    ("layer_norm", lambda t, x, w, b: _F(t).layer_norm(x, (4,), w, b),
     [rnd(3, 4), rnd(4, seed=1), rnd(4, seed=2)]),
    ("layer_norm_noaffine", lambda t, x: t.layer_norm(x, [3, 4]), [rnd(2, 3, 4)]),
    ("group_norm", lambda t, x, w, b: _F(t).group_norm(x, 2, w, b, eps=1e-3),
     [rnd(2, 4, 3), rnd(4, seed=1), rnd(4, seed=2)]),
    ("batch_norm_train", lambda t, x, w, b: _F(t).batch_norm(x, None, None, w, b, True),
     [rnd(5, 3), rnd(3, seed=1), rnd(3, seed=2)]),
    ("batch_norm_eval", lambda t, x, w: _F(t).batch_norm(
        x, t.tensor([0.1, -0.2, 0.3]), t.tensor([1.5, 0.5, 2.0]), w, None, False),
     [rnd(5, 3, 2), rnd(3, seed=1)]),
    ("instance_norm", lambda t, x: _F(t).instance_norm(x), [rnd(2, 3, 4)]),
    ("rms_norm", lambda t, x, w: _F(t).rms_norm(x, (4,), w), [rnd(3, 4), rnd(4, seed=1)]),
    ("rms_norm_noweight", lambda t, x: t.rms_norm(x, [4], eps=1e-2), [rnd(3, 4)]),
    ("local_response_norm", lambda t, x: _F(t).local_response_norm(x, 3), [rnd(2, 5, 3)]),
    ("normalize", lambda t, x: _F(t).normalize(x), [rnd(3, 4)]),
    ("normalize_p1", lambda t, x: _F(t).normalize(x, p=1.0, dim=0), [rnd(3, 4)]),
    ("normalize_zero", lambda t, x: _F(t).normalize(x * t.tensor([[0.], [1.], [1.]])),
     [rnd(3, 4)]),
    ("normalize_inf", lambda t, x: _F(t).normalize(x, p=math.inf), [rnd(3, 4)]),
    ("normalize_p3", lambda t, x: _F(t).normalize(x, p=3), [rnd(3, 4)]),
    ("embedding", lambda t, w: _F(t).embedding(t.tensor([[0, 2], [2, 3]]), w), [rnd(4, 3)]),
    ("embedding_int32", lambda t, w: _F(t).embedding(t.tensor([1, 3], dtype=t.int32), w),
     [rnd(4, 3)]),
    ("embedding_padding", lambda t, w: _F(t).embedding(t.tensor([0, 2, 0]), w, padding_idx=0),
     [rnd(4, 3)]),
    ("embedding_padding_neg", lambda t, w: _F(t).embedding(t.tensor([3, 2]), w, padding_idx=-1),
     [rnd(4, 3)]),
    ("embedding_bag_sum", lambda t, w: _F(t).embedding_bag(
        t.tensor([0, 2, 1, 3]), w, t.tensor([0, 1]), mode="sum"), [rnd(4, 3)]),
    ("embedding_bag_psw", lambda t, w, p: _F(t).embedding_bag(
        t.tensor([[0, 2], [1, 3]]), w, mode="sum", per_sample_weights=p),
     [rnd(4, 3), rnd(2, 2, seed=1)]),
    ("embedding_bag_max", lambda t, w: _F(t).embedding_bag(
        t.tensor([0, 2, 1, 3]), w, t.tensor([0, 3]), mode="max"), [rnd(4, 3)]),
    ("pad_constant", lambda t, x: _F(t).pad(x, (1, 2, 0, 1), value=0.5), [rnd(2, 3, 4)]),
    ("pad_constant_4dims", lambda t, x: _F(t).pad(x, [1, 0, 0, 1, 1, 1, 0, 2]),
     [rnd(2, 3, 2, 2)]),
    ("pad_reflect", lambda t, x: _F(t).pad(x, (2, 1), mode="reflect"), [rnd(2, 4)]),
    ("pad_reflect_neg", lambda t, x: _F(t).pad(x, (-1, 2), mode="reflect"), [rnd(1, 2, 4)]),
    ("pad_replicate", lambda t, x: _F(t).pad(x, (3, 1, 1, 2), mode="replicate"),
     [rnd(2, 3, 4)]),
    ("pad_circular", lambda t, x: _F(t).pad(x, (1, 3, 2, 0, 1, 1), mode="circular"),
     [rnd(1, 2, 2, 3, 3)]),
    ("pad_circular_neg", lambda t, x: _F(t).pad(x, (-1, 2), mode="circular"), [rnd(1, 2, 3)]),
    ("pixel_shuffle", lambda t, x: t.pixel_shuffle(x, 3), [rnd(9, 2, 2)]),
    ("pixel_unshuffle", lambda t, x: _F(t).pixel_unshuffle(x, 2), [rnd(2, 1, 2, 4, 2)]),
    ("channel_shuffle", lambda t, x: _F(t).channel_shuffle(x, 3), [rnd(2, 6, 2)]),
    ("cosine_similarity", lambda t, a, b: _F(t).cosine_similarity(a, b, dim=0),
     [rnd(3, 4), rnd(3, 4, seed=1)]),
    ("cosine_similarity_small", lambda t, a, b: _F(t).cosine_similarity(a * 1e-9, b),
     [rnd(3, 4), rnd(3, 4, seed=1)]),
    ("cosine_similarity_bcast", lambda t, a, b: t.cosine_similarity(a, b, dim=-1),
     [rnd(3, 4), rnd(4, seed=1)]),
    ("pairwise_distance", lambda t, a, b: _F(t).pairwise_distance(a, b),
     [rnd(3, 4), rnd(3, 4, seed=1)]),
    ("pairwise_distance_p3", lambda t, a, b: t.pairwise_distance(a, b, p=3.0, eps=0.0),
     [rnd(3, 4), rnd(4, seed=1)]),
    ("pairwise_distance_1d", lambda t, a, b: _F(t).pairwise_distance(a, b),
     [rnd(4), rnd(4, seed=1)]),
    ("pdist", lambda t, x: _F(t).pdist(x), [rnd(5, 3)]),
    ("pdist_p1", lambda t, x: t.pdist(x, p=1), [rnd(4, 3)]),
    ("pdist_inf", lambda t, x: _F(t).pdist(x, p=math.inf), [rnd(4, 3)]),
    ("pdist_dup_rows", lambda t, x: _F(t).pdist(t.cat([x, x])), [rnd(2, 3)]),
]


@pytest.mark.parametrize("name,fn,inputs", FUNCTIONAL, ids=[x[0] for x in FUNCTIONAL])
def test_functional(name, fn, inputs):
    check_grad(fn, *inputs, rtol=1e-4, atol=1e-5)
    if any(np.issubdtype(a.dtype, np.floating) for a in inputs):
        def grad_fn_name(lib):
            ts = [lib.tensor(a).requires_grad_() if np.issubdtype(a.dtype, np.floating)
                  else lib.tensor(a) for a in inputs]
            out = fn(lib, *ts)
            return type(out.grad_fn).__name__
        check(grad_fn_name)


KINK_POINTS = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 0.2, -0.4], np.float32)


@pytest.mark.parametrize("name,fn", [
    ("relu", lambda t, x: _F(t).relu(x)),
    ("relu6", lambda t, x: _F(t).relu6(x)),
    ("hardtanh", lambda t, x: _F(t).hardtanh(x)),
    ("hardtanh_custom", lambda t, x: _F(t).hardtanh(x, -0.4, 0.2)),
    ("leaky_relu", lambda t, x: _F(t).leaky_relu(x, 0.1)),
    ("elu", lambda t, x: _F(t).elu(x)),
    ("celu", lambda t, x: _F(t).celu(x, 2.0)),
    ("selu", lambda t, x: _F(t).selu(x)),
    ("hardswish", lambda t, x: _F(t).hardswish(x)),
    ("hardsigmoid", lambda t, x: _F(t).hardsigmoid(x)),
    ("hardshrink", lambda t, x: _F(t).hardshrink(x, 0.5)),
    ("softshrink", lambda t, x: _F(t).softshrink(x, 0.5)),
    ("threshold", lambda t, x: _F(t).threshold(x, 0.5, 2.0)),
    ("prelu", lambda t, x: _F(t).prelu(x, t.tensor([0.25]))),
    ("rrelu", lambda t, x: _F(t).rrelu(x)),
    ("softplus", lambda t, x: _F(t).softplus(x, 2.0, 1.0)),
    ("softsign", lambda t, x: _F(t).softsign(x)),
    ("normalize", lambda t, x: _F(t).normalize(x.view(2, 5) * t.tensor([[0.], [1.]]))),
])
def test_gradient_at_kinks(name, fn):
    """PyTorch's conventions where the derivative is not defined (values at the boundaries)."""
    check_grad(fn, KINK_POINTS, rtol=1e-5, atol=1e-6)


def test_activations_large_inputs_have_finite_grads():
    x = np.array([-200.0, -100.0, 0.0, 100.0, 200.0], np.float32)
    for f in ("elu", "selu", "celu", "softplus", "silu", "mish", "logsigmoid", "gelu"):
        check_grad(lambda t, v: getattr(_F(t), f)(v), x, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
@pytest.mark.parametrize("f", ["relu", "gelu", "silu", "softmax", "log_softmax", "layer_norm",
                               "hardtanh", "elu", "softplus", "linear"])
def test_functional_dtypes(dtype, f):
    def run(lib):
        x = lib.tensor(rnd(3, 4)).to(getattr(lib, dtype))
        F = _F(lib)
        if f in ("softmax", "log_softmax"):
            return getattr(F, f)(x, 1)
        if f == "layer_norm":
            return F.layer_norm(x, (4,))
        if f == "linear":
            return F.linear(x, lib.tensor(rnd(2, 4, seed=1)).to(getattr(lib, dtype)))
        return getattr(F, f)(x)

    tol = 1e-2 if dtype in ("float16", "bfloat16") else 1e-6
    check(run, rtol=tol, atol=tol)


@pytest.mark.parametrize("f", ["relu", "relu6", "hardtanh", "threshold", "softsign", "tanhshrink",
                               "elu", "gelu", "silu", "leaky_relu", "softplus", "hardswish",
                               "logsigmoid", "mish", "hardsigmoid", "hardshrink", "softshrink",
                               "softmax", "log_softmax", "glu"])
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_activation_integer_inputs(f, dtype):
    if f == "relu" and dtype == "bool":
        pytest.skip("torch.relu's own bool error belongs to the pointwise family")

    def run(lib):
        x = lib.tensor([[1, -2], [3, 0]]).to(getattr(lib, dtype))
        F = _F(lib)
        if f == "threshold":
            return F.threshold(x, 1, 5)
        if f in ("softmax", "log_softmax"):
            return getattr(F, f)(x, 1)
        return getattr(F, f)(x)

    check(run, message=True)


@pytest.mark.parametrize("f", ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "silu",
                               "mish", "hardtanh", "hardswish", "hardsigmoid", "threshold",
                               "rrelu", "dropout"])
def test_inplace_forms(f):
    def run(lib):
        x = lib.tensor(rnd(3, 4) * 3)
        y = x.clone()
        F = _F(lib)
        if f == "threshold":
            r = F.threshold(y, 0.5, 9.0, inplace=True)
        elif f == "dropout":
            r = F.dropout(y, 0.0, inplace=True)
        else:
            r = getattr(F, f)(y, inplace=True)
        return r is y, y, y._version > 0 if hasattr(y, "_version") else None

    check(run)


def test_inplace_on_leaf_requiring_grad():
    check(lambda t: _F(t).relu(t.ones(2, requires_grad=True), inplace=True), message=True)


def test_inplace_activation_grad():
    def run(lib):
        x = lib.tensor(rnd(3, 4), requires_grad=True)
        y = x * 2
        _F(lib).elu(y, inplace=True)
        y.sum().backward()
        return y, x.grad, type(y.grad_fn).__name__

    check(run)


def test_softmax_implicit_dim_warning():
    def run(lib):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            a = _F(lib).softmax(lib.tensor(rnd(2, 3)))
            b = _F(lib).log_softmax(lib.tensor(rnd(2, 3, 4)))
            c = lib.nn.Softmax()(lib.tensor(rnd(3)))
            d = _F(lib).softmin(lib.tensor(rnd(2, 3, 4, 5)))
        return a, b, c, d, [str(x.message) for x in w], [x.category.__name__ for x in w]

    check(run)


def test_gumbel_softmax():
    def run(lib):
        lib.manual_seed(0)
        logits = lib.tensor(rnd(200, 5), requires_grad=True)
        soft = _F(lib).gumbel_softmax(logits, tau=0.5)
        hard = _F(lib).gumbel_softmax(logits, hard=True, dim=-1)
        return (tuple(soft.shape), type(soft.grad_fn).__name__, type(hard.grad_fn).__name__,
                ((soft.sum(-1) - 1).abs() < 1e-5).sum().item() == 200,
                sorted(set(hard.detach().flatten().tolist())), hard.sum().item())

    check(run)
    # hard samples follow softmax(logits): frequencies of the argmax are close to the probabilities
    jtorch.manual_seed(1)
    logits = jtorch.tensor([[1.0, 0.0, -1.0]]).expand(20000, 3)
    freq = _F(jtorch).gumbel_softmax(logits, hard=True).sum(0).numpy() / 20000
    probs = np.exp([1.0, 0.0, -1.0]) / np.exp([1.0, 0.0, -1.0]).sum()
    np.testing.assert_allclose(freq, probs, atol=0.02)


# --------------------------------------------------------------------------------------------
# dropout: statistics and semantics (random streams differ from PyTorch's)

@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_statistics(p):
    jtorch.manual_seed(0)
    x = jtorch.ones(200, 500)
    y = _F(jtorch).dropout(x, p).numpy()
    kept = y != 0
    assert abs(kept.mean() - (1 - p)) < 0.01
    np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-6)


def test_inplace_dropout_backward():
    x = jtorch.ones(50, 40, requires_grad=True)
    y = x * 1
    _F(jtorch).dropout(y, 0.5, inplace=True)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())
    z = x * 1
    jtorch.nn.Dropout2d(0.5, inplace=True)(z.view(50, 40, 1))
    z.sum().backward()


def test_dropout_grad_uses_same_mask():
    x = jtorch.ones(50, 40, requires_grad=True)
    y = _F(jtorch).dropout(x, 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())
    assert type(y.grad_fn).__name__ == "MulBackward0"


def test_dropout_masks_differ_and_seed_reproduces():
    jtorch.manual_seed(3)
    a = _F(jtorch).dropout(jtorch.ones(100)).numpy()
    b = _F(jtorch).dropout(jtorch.ones(100)).numpy()
    jtorch.manual_seed(3)
    c = _F(jtorch).dropout(jtorch.ones(100)).numpy()
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("f,shape", [("dropout1d", (20, 30, 8)), ("dropout1d", (300, 8)),
                                     ("dropout2d", (20, 30, 4, 4)), ("dropout3d", (20, 30, 2, 2, 2)),
                                     ("dropout3d", (300, 2, 2, 2))])
def test_feature_dropout_zeroes_whole_channels(f, shape):
    jtorch.manual_seed(0)
    y = getattr(_F(jtorch), f)(jtorch.ones(*shape), 0.5).numpy()
    nb = len(shape) - {"dropout1d": 1, "dropout2d": 2, "dropout3d": 3}[f]
    per_channel = y.reshape(shape[:nb] + (-1,))
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0.35 < (per_channel[..., 0] == 0).mean() < 0.65


def test_alpha_dropout_statistics():
    jtorch.manual_seed(0)
    x = jtorch.randn(400, 500) if hasattr(jtorch, "randn") else jtorch.tensor(rnd(400, 500))
    y = _F(jtorch).alpha_dropout(x, 0.3, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    z = _F(jtorch).feature_alpha_dropout(jtorch.tensor(rnd(50, 40, 10)), 0.3,
                                         training=True).numpy()
    d = z.reshape(50, 40, 10)
    const = np.isclose(d, d[..., :1]).all(-1)
    assert 0.2 < const.mean() < 0.4


DROPOUT_SEMANTICS = {
    "eval_identity": lambda t: _F(t).dropout(t.ones(3), 0.5, training=False) is not None,
    "p0_returns_input": lambda t: (lambda x: _F(t).dropout(x, 0.0) is x)(t.ones(3)),
    "eval_returns_input": lambda t: (lambda x: _F(t).dropout(x, 0.4, False) is x)(t.ones(3)),
    "p1_zeros": lambda t: _F(t).dropout(t.tensor([[1.0, -2.0]]), 1.0),
    "alpha_p1": lambda t: _F(t).alpha_dropout(t.tensor([[1.0, -2.0]]), 1.0, True),
    "bad_p": lambda t: _F(t).dropout(t.ones(2), 1.5),
    "bad_p_neg": lambda t: _F(t).dropout2d(t.ones(2, 2, 2), -0.1),
    "module_bad_p": lambda t: t.nn.Dropout(2),
    "module_repr": lambda t: [repr(t.nn.Dropout()), repr(t.nn.Dropout2d(0.1, inplace=True)),
                              repr(t.nn.AlphaDropout(0.2)), repr(t.nn.FeatureAlphaDropout()),
                              repr(t.nn.Dropout1d()), repr(t.nn.Dropout3d(0.7))],
    "feature_1d_input": lambda t: _F(t).feature_alpha_dropout(t.ones(3), 0.5, True),
    "dropout1d_4d": lambda t: _F(t).dropout1d(t.ones(2, 2, 2, 2)),
    "torch_dropout": lambda t: t.dropout(t.ones(2, 2), 0.0, True),
    "empty": lambda t: _F(t).dropout(t.ones(0, 3)),
}


@pytest.mark.parametrize("name", list(DROPOUT_SEMANTICS))
def test_dropout_semantics(name):
    check(DROPOUT_SEMANTICS[name], message=True)


def test_dropout_warnings():
    def run(lib):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            _F(lib).dropout2d(lib.ones(2, 3), 0.0)
            _F(lib).dropout2d(lib.ones(2, 3, 4), 0.0)
            _F(lib).dropout3d(lib.ones(2, 3), 0.0)
        return [str(x.message) for x in w]

    check(run)


def test_rrelu_training_slopes():
    jtorch.manual_seed(0)
    x = jtorch.full((10000,), -1.0, requires_grad=True)
    y = _F(jtorch).rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and abs(slopes.mean() - 0.2) < 0.01
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes, rtol=1e-6)
    assert type(y.grad_fn).__name__ == "RreluWithNoiseBackward0"


# --------------------------------------------------------------------------------------------
# batch norm details

def test_batchnorm_running_stats_and_counter():
    def run(lib):
        bn = lib.nn.BatchNorm1d(3)
        x = lib.tensor(rnd(8, 3))
        for _ in range(3):
            bn(x * 2 + 1)
        bn.eval()
        y = bn(x)
        return bn.running_mean, bn.running_var, bn.num_batches_tracked, y, \
            bn.running_mean._version > 0

    check(run, rtol=1e-5, atol=1e-6)


def test_batchnorm_momentum_none_cumulative():
    def run(lib):
        bn = lib.nn.BatchNorm1d(2, momentum=None)
        for i in range(4):
            bn(lib.tensor(rnd(5, 2, seed=i)))
        return bn.running_mean, bn.running_var, bn.num_batches_tracked

    check(run, rtol=1e-5, atol=1e-6)


def test_batchnorm_eval_without_running_stats_uses_batch():
    def run(lib):
        bn = lib.nn.BatchNorm2d(2, track_running_stats=False).eval()
        return bn(lib.tensor(rnd(3, 2, 2, 2))), bn.running_mean, list(bn.state_dict())

    check(run)


def test_batchnorm_load_old_checkpoint_without_counter():
    def run(lib):
        bn = lib.nn.BatchNorm1d(2)
        sd = bn.state_dict()
        del sd["num_batches_tracked"]
        sd._metadata[""]["version"] = 1
        r = bn.load_state_dict(sd)
        return repr(r), bn.num_batches_tracked

    check(run)


def test_batchnorm_no_grad_eval_step():
    def run(lib):
        bn = lib.nn.BatchNorm1d(3)
        with lib.no_grad():
            y = bn(lib.tensor(rnd(4, 3)))
        return y.requires_grad, y.grad_fn, bn.running_mean

    check(run)


def test_instance_norm_warning_and_repr():
    def run(lib):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y = lib.nn.InstanceNorm1d(5)(lib.tensor(rnd(2, 3, 4)))
        return y, [str(x.message) for x in w], repr(lib.nn.InstanceNorm3d(3, affine=True))

    check(run, rtol=1e-5, atol=1e-5)


def test_lazy_batchnorm():
    def run(lib):
        bn = lib.nn.LazyBatchNorm1d()
        r0 = repr(bn)
        y = bn(lib.tensor(rnd(4, 3)))
        return r0, repr(bn), type(bn).__name__, y, bn.running_mean, \
            [n for n, _ in bn.named_buffers()]

    check(run, rtol=1e-5, atol=1e-6)


def test_lazy_instancenorm():
    def run(lib):
        m = lib.nn.LazyInstanceNorm2d(affine=True)
        y = m(lib.tensor(rnd(2, 3, 4, 4)))
        return repr(m), type(m).__name__, y, tuple(m.weight.shape)

    check(run, rtol=1e-5, atol=1e-5)


def test_sync_batchnorm_convert():
    def run(lib):
        m = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3))
        s = lib.nn.SyncBatchNorm.convert_sync_batchnorm(m)
        return repr(s), s[1].weight is m[1].weight

    check(run)


# --------------------------------------------------------------------------------------------
# embedding details

def test_embedding_max_norm_renormalizes_weight():
    def run(lib):
        w = lib.tensor([[3.0, 4.0], [0.6, 0.8], [0.0, 2.0], [5.0, 0.0]])
        emb = lib.nn.Embedding(4, 2, max_norm=1.0, _weight=w.clone())
        out = emb(lib.tensor([0, 2, 2]))
        return repr(emb), out, emb.weight

    check(run, rtol=1e-5, atol=1e-6)


def test_embedding_padding_row_zero_grad():
    def run(lib):
        emb = lib.nn.Embedding(5, 3, padding_idx=1)
        with lib.no_grad():
            emb.weight.copy_(lib.tensor(rnd(5, 3)))
        emb(lib.tensor([[1, 2], [1, 4]])).sum().backward()
        return emb.weight.grad, repr(emb)

    check(run)


def test_embedding_from_pretrained():
    def run(lib):
        w = lib.tensor(rnd(3, 2))
        e = lib.nn.Embedding.from_pretrained(w)
        f = lib.nn.Embedding.from_pretrained(w, freeze=False, padding_idx=0, max_norm=2.0,
                                             sparse=True, scale_grad_by_freq=True,
                                             norm_type=1.0)
        b = lib.nn.EmbeddingBag.from_pretrained(w, mode="sum")
        return (e.weight.requires_grad, f.weight.requires_grad, repr(e), repr(f), repr(b),
                b.weight.requires_grad, e(lib.tensor([2, 0])))

    check(run)


def test_embedding_bag_empty_bags():
    def run(lib):
        w = lib.tensor(rnd(5, 2))
        F = _F(lib)
        idx = lib.tensor([1, 2, 4])
        off = lib.tensor([0, 0, 2, 3])
        return [F.embedding_bag(idx, w, off, mode=m) for m in ("sum", "mean", "max")]

    check(run)


def test_one_hot():
    check(lambda t: (_F(t).one_hot(t.tensor([0, 3, 1])), _F(t).one_hot(t.tensor([[1], [2]]), 4),
                     _F(t).one_hot(t.tensor([], dtype=t.int64), 3),
                     _F(t).one_hot(t.tensor(2), 3)))


# --------------------------------------------------------------------------------------------
# errors

ERRORS = {
    "linear_shape": lambda t: _F(t).linear(t.ones(2, 3), t.ones(5, 4)),
    "linear_shape_3d": lambda t: t.nn.Linear(4, 5)(t.ones(7, 2, 3)),
    "linear_shape_1d": lambda t: _F(t).linear(t.ones(3), t.ones(5, 4), t.ones(5)),
    "linear_0d": lambda t: _F(t).linear(t.tensor(1.0), t.ones(5, 4)),
    "linear_3d_weight": lambda t: _F(t).linear(t.ones(2, 3), t.ones(2, 5, 3)),
    "linear_bias_size": lambda t: _F(t).linear(t.ones(2, 3), t.ones(5, 3), t.ones(4)),
    "linear_bias_size_3d": lambda t: _F(t).linear(t.ones(2, 2, 3), t.ones(5, 3), t.ones(6)),
    "linear_dtype_input": lambda t: _F(t).linear(t.ones(2, 3).double(), t.ones(5, 3),
                                                 t.ones(5)),
    "linear_dtype_weight": lambda t: _F(t).linear(t.ones(2, 3), t.ones(5, 3).double(),
                                                  t.ones(5)),
    "linear_dtype_nobias": lambda t: _F(t).linear(t.ones(2, 3), t.ones(5, 3).double()),
    "linear_vec_bias": lambda t: _F(t).linear(t.ones(2, 3), t.ones(3), t.ones(1)),
    "linear_negative_size": lambda t: t.nn.Linear(-1, 3),
    "bilinear_in1": lambda t: _F(t).bilinear(t.ones(5, 4), t.ones(5, 2), t.ones(4, 3, 2)),
    "bilinear_in2": lambda t: _F(t).bilinear(t.ones(5, 3), t.ones(5, 4), t.ones(4, 3, 2)),
    "bilinear_batch": lambda t: _F(t).bilinear(t.ones(5, 3), t.ones(4, 2), t.ones(4, 3, 2)),
    "bilinear_bias": lambda t: _F(t).bilinear(t.ones(5, 3), t.ones(5, 2), t.ones(4, 3, 2),
                                              t.ones(3)),
    "bilinear_ndim": lambda t: _F(t).bilinear(t.ones(5, 3), t.ones(5, 2, 1), t.ones(4, 3, 2)),
    "bilinear_zero_in": lambda t: t.nn.Bilinear(0, 2, 3),
    "softmax_dim": lambda t: _F(t).softmax(t.ones(2, 3), dim=2),
    "softmax_int": lambda t: _F(t).softmax(t.ones(2, 3, dtype=t.int64), 1),
    "softmax_int_dtype": lambda t: _F(t).softmax(t.ones(2, 3, dtype=t.int64), 1,
                                                 dtype=t.float32),
    "glu_odd": lambda t: _F(t).glu(t.ones(3, 3)),
    "glu_scalar": lambda t: _F(t).glu(t.tensor(1.0)),
    "gelu_bad": lambda t: _F(t).gelu(t.ones(2), approximate="fast"),
    "hardtanh_bounds": lambda t: _F(t).hardtanh(t.ones(2), 1.0, -1.0),
    "hardtanh_module": lambda t: t.nn.Hardtanh(1.0, 0.5),
    "softshrink_neg": lambda t: _F(t).softshrink(t.ones(2), -0.5),
    "prelu_channels": lambda t: _F(t).prelu(t.ones(2, 3), t.ones(4)),
    "prelu_weight_2d": lambda t: _F(t).prelu(t.ones(2, 3), t.ones(3, 1)),
    "softmax2d_dim": lambda t: t.nn.Softmax2d()(t.ones(2, 3)),
    "batchnorm_dim": lambda t: t.nn.BatchNorm1d(3)(t.ones(2, 3, 4, 5)),
    "batchnorm2d_dim": lambda t: t.nn.BatchNorm2d(3)(t.ones(2, 3, 4)),
    "batchnorm3d_dim": lambda t: t.nn.BatchNorm3d(3)(t.ones(2, 3, 4)),
    "batchnorm_features": lambda t: t.nn.BatchNorm1d(4)(t.ones(2, 3)),
    "batchnorm_one_value": lambda t: t.nn.BatchNorm1d(3)(t.ones(1, 3)),
    "batchnorm_eval_none": lambda t: _F(t).batch_norm(t.ones(2, 3), None, None),
    "batchnorm_weight": lambda t: _F(t).batch_norm(t.ones(2, 3), t.zeros(3), t.ones(3),
                                                   t.ones(4)),
    "batchnorm_int": lambda t: _F(t).batch_norm(t.ones(2, 3, dtype=t.int64), None, None,
                                                training=True),
    "instancenorm_dim": lambda t: t.nn.InstanceNorm1d(3)(t.ones(2, 3, 4, 5)),
    "instancenorm_features": lambda t: t.nn.InstanceNorm2d(4, affine=True)(t.ones(2, 3, 5,
                                                                                  5)),
    "instancenorm_spatial": lambda t: _F(t).instance_norm(t.ones(2, 3, 1)),
    "layernorm_shape": lambda t: t.nn.LayerNorm(4)(t.ones(2, 3)),
    "layernorm_shape2": lambda t: _F(t).layer_norm(t.ones(2, 3), (2, 3, 4)),
    "layernorm_weight": lambda t: _F(t).layer_norm(t.ones(2, 3), (3,), t.ones(4)),
    "layernorm_int": lambda t: _F(t).layer_norm(t.ones(2, 3, dtype=t.int64), (3,)),
    "layernorm_empty": lambda t: _F(t).layer_norm(t.ones(2, 3), ()),
    "groupnorm_div": lambda t: _F(t).group_norm(t.ones(2, 3, 4), 2),
    "groupnorm_module": lambda t: t.nn.GroupNorm(2, 3),
    "groupnorm_weight": lambda t: _F(t).group_norm(t.ones(2, 4, 4), 2, t.ones(3)),
    "groupnorm_1d": lambda t: _F(t).group_norm(t.ones(4), 2),
    "rmsnorm_shape": lambda t: _F(t).rms_norm(t.ones(2, 3), (4,)),
    "lrn_dim": lambda t: _F(t).local_response_norm(t.ones(2, 3), 2),
    "embedding_float": lambda t: _F(t).embedding(t.tensor([1.0]), t.ones(3, 2)),
    "embedding_oob": lambda t: t.nn.Embedding(3, 2)(t.tensor([3])),
    "embedding_neg": lambda t: _F(t).embedding(t.tensor([-1]), t.ones(3, 2)),
    "embedding_padding": lambda t: t.nn.Embedding(3, 2, padding_idx=3),
    "embedding_padding_neg": lambda t: _F(t).embedding(t.tensor([1]), t.ones(3, 2),
                                                       padding_idx=-4),
    "embedding_weight_1d": lambda t: _F(t).embedding(t.tensor([1]), t.ones(3)),
    "embedding_bad_weight": lambda t: t.nn.Embedding(3, 2, _weight=t.ones(2, 2)),
    "embedding_pretrained_1d": lambda t: t.nn.Embedding.from_pretrained(t.ones(3)),
    "embedding_bag_2d_offsets": lambda t: _F(t).embedding_bag(t.tensor([[1, 2]]), t.ones(4, 3),
                                                              t.tensor([0])),
    "embedding_bag_no_offsets": lambda t: _F(t).embedding_bag(t.tensor([1, 2]), t.ones(4, 3)),
    "embedding_bag_psw_mode": lambda t: _F(t).embedding_bag(
        t.tensor([[1, 2]]), t.ones(4, 3), per_sample_weights=t.ones(1, 2), mode="mean"),
    "embedding_bag_mode": lambda t: _F(t).embedding_bag(t.tensor([[1, 2]]), t.ones(4, 3),
                                                        mode="foo"),
    "embedding_bag_3d": lambda t: _F(t).embedding_bag(t.tensor([[[1, 2]]]), t.ones(4, 3)),
    "embedding_bag_offset0": lambda t: _F(t).embedding_bag(t.tensor([1, 2, 3]), t.ones(4, 3),
                                                           t.tensor([1, 2])),
    "one_hot_float": lambda t: _F(t).one_hot(t.tensor([1.0])),
    "one_hot_int32": lambda t: _F(t).one_hot(t.tensor([1], dtype=t.int32), 3),
    "one_hot_big": lambda t: _F(t).one_hot(t.tensor([3]), 3),
    "one_hot_neg": lambda t: _F(t).one_hot(t.tensor([-1]), 3),
    "one_hot_empty": lambda t: _F(t).one_hot(t.tensor([], dtype=t.int64)),
    "pad_odd": lambda t: _F(t).pad(t.ones(2, 3), (1,)),
    "pad_long": lambda t: _F(t).pad(t.ones(2, 3), (1, 1, 1, 1, 1, 1)),
    "pad_reflect_big": lambda t: _F(t).pad(t.ones(1, 2, 3), (3, 3), mode="reflect"),
    "pad_reflect_2d_big": lambda t: _F(t).pad(t.ones(1, 1, 2, 3), (1, 1, 2, 0),
                                              mode="reflect"),
    "pad_reflect_1d_input": lambda t: _F(t).pad(t.ones(3), (1, 1), mode="reflect"),
    "pad_reflect_4d_2": lambda t: _F(t).pad(t.ones(1, 1, 2, 3), (1, 1), mode="reflect"),
    "pad_circular_big": lambda t: _F(t).pad(t.ones(1, 2, 3), (4, 4), mode="circular"),
    "pad_mode": lambda t: _F(t).pad(t.ones(1, 2, 3), (1, 1), mode="foo"),
    "pad_value_nonconstant": lambda t: _F(t).pad(t.ones(1, 2, 3), (1, 1), mode="reflect",
                                                 value=1.0),
    "pad_negative_too_much": lambda t: _F(t).pad(t.ones(1, 2, 3), (-2, -2)),
    "pad_float": lambda t: _F(t).pad(t.ones(1, 2, 3), (1.5, 1)),
    "pad_replicate_empty": lambda t: _F(t).pad(t.ones(1, 0, 3), (1, 1), mode="replicate"),
    "circularpad_dim": lambda t: t.nn.CircularPad2d(1)(t.ones(3, 3)),
    "pixel_shuffle_dims": lambda t: _F(t).pixel_shuffle(t.ones(4, 4), 2),
    "pixel_shuffle_div": lambda t: _F(t).pixel_shuffle(t.ones(1, 3, 2, 2), 2),
    "pixel_shuffle_zero": lambda t: _F(t).pixel_shuffle(t.ones(1, 4, 2, 2), 0),
    "pixel_unshuffle_div": lambda t: _F(t).pixel_unshuffle(t.ones(1, 3, 3, 2), 2),
    "pixel_unshuffle_w": lambda t: _F(t).pixel_unshuffle(t.ones(1, 3, 2, 3), 2),
    "channel_shuffle_div": lambda t: _F(t).channel_shuffle(t.ones(1, 3, 2, 2), 2),
    "channel_shuffle_dims": lambda t: _F(t).channel_shuffle(t.ones(1, 4), 2),
    "channel_shuffle_zero": lambda t: _F(t).channel_shuffle(t.ones(1, 4, 2), 0),
    "cosine_shape": lambda t: _F(t).cosine_similarity(t.ones(2, 3), t.ones(2, 4)),
    "cosine_int": lambda t: _F(t).cosine_similarity(t.ones(2, 3, dtype=t.int64),
                                                    t.ones(2, 3, dtype=t.int64)),
    "pairwise_shape": lambda t: _F(t).pairwise_distance(t.ones(2, 3), t.ones(2, 4)),
    "pdist_1d": lambda t: _F(t).pdist(t.ones(3)),
    "pdist_neg_p": lambda t: _F(t).pdist(t.ones(3, 2), p=-1),
    "pdist_int": lambda t: _F(t).pdist(t.ones(3, 2, dtype=t.int64)),
    "normalize_int": lambda t: _F(t).normalize(t.ones(2, 3, dtype=t.int64)),
    "unflatten_type": lambda t: t.nn.Unflatten(1, 3),
    "unflatten_elem": lambda t: t.nn.Unflatten(1, (2, 1.5)),
    "flatten_dims": lambda t: t.nn.Flatten(2, 1)(t.ones(2, 3, 4)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    check(ERRORS[name], message=True)


# --------------------------------------------------------------------------------------------
# surfaces

def test_functional_namespace_complete():
    names = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_",
             "elu", "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish", "sigmoid",
             "tanh", "softplus", "softsign", "softmax", "log_softmax", "softmin",
             "gumbel_softmax", "hardtanh", "hardtanh_", "hardswish", "hardsigmoid", "hardshrink",
             "softshrink", "tanhshrink", "threshold", "threshold_", "glu", "logsigmoid",
             "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
             "feature_alpha_dropout", "batch_norm", "layer_norm", "group_norm", "instance_norm",
             "rms_norm", "local_response_norm", "embedding", "embedding_bag", "linear",
             "bilinear", "one_hot", "pad", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle",
             "cosine_similarity", "pairwise_distance", "pdist", "normalize"]
    missing = [n for n in names if not hasattr(jtorch.nn.functional, n)]
    assert not missing
    torch_level = [n for n in ["relu", "selu", "celu", "rrelu", "prelu", "softmax", "log_softmax",
                               "hardshrink", "threshold", "dropout", "alpha_dropout",
                               "feature_alpha_dropout", "bilinear", "pixel_shuffle",
                               "pixel_unshuffle", "channel_shuffle", "cosine_similarity",
                               "pairwise_distance", "pdist"] if hasattr(TORCH, n)]
    assert [n for n in torch_level if not hasattr(jtorch, n)] == []
    for n in ["softmax", "log_softmax", "hardshrink", "prelu", "relu"]:
        assert hasattr(jtorch.Tensor, n)


# --------------------------------------------------------------------------------------------
# bad input to modules: wrong rank / feature size, invalid constructor arguments

BAD_MODULE_INPUT = [
    lambda L: L.nn.Conv1d(3, 4, 3)(L.ones(2, 3, 4, 5)),
    lambda L: L.nn.Conv3d(3, 4, 3)(L.ones(3, 4, 5)),
    lambda L: L.nn.ConvTranspose1d(3, 4, 3)(L.ones(2, 4, 5)),
    lambda L: L.nn.Conv2d(3, 4, 3)(L.ones(1, 5, 8, 8)),
    lambda L: L.nn.Linear(3, 4)(L.ones(2, 5)),
    lambda L: L.nn.MaxPool1d(2)(L.ones(2, 3, 4, 5)),
    lambda L: L.nn.AvgPool2d(2)(L.ones(4)),
    lambda L: L.nn.AdaptiveAvgPool2d(2)(L.ones(4)),
    lambda L: L.nn.GroupNorm(2, 4)(L.ones(2, 3, 5)),
    lambda L: L.nn.InstanceNorm2d(3)(L.ones(2, 3)),
    lambda L: L.nn.BatchNorm2d(3)(L.ones(2, 5, 4, 4)),
    lambda L: L.nn.LayerNorm([2, 3])(L.ones(3, 2)),
    lambda L: L.nn.Embedding(3, 2)(L.ones(2)),
    lambda L: L.nn.Bilinear(2, 3, 4)(L.ones(2, 3)),
    lambda L: L.nn.MultiheadAttention(4, 2)(*[L.ones(2, 2, 2, 4)] * 3),
    lambda L: L.nn.LSTMCell(3, 4)(L.ones(2, 5)),
    lambda L: L.nn.GRUCell(3, 4)(L.ones(2, 2, 3)),
    lambda L: L.nn.RNN(3, 4)(L.ones(3)),
    lambda L: L.nn.LSTM(3, 4)(L.ones(2, 2, 5)),
    lambda L: L.nn.GRU(3, 4)(L.ones(2, 2, 3), L.zeros(1, 3, 4)),
    lambda L: L.nn.LSTM(3, 4)(L.ones(2, 2, 3), (L.zeros(1, 2, 4), L.zeros(1, 2, 5))),
    lambda L: L.nn.PixelShuffle(2)(L.ones(3, 4)),
    lambda L: L.nn.Upsample(scale_factor=2)(L.ones(3)),
    lambda L: L.nn.Fold(3, 2)(L.ones(3)),
    lambda L: L.nn.TransformerEncoderLayer(4, 2)(L.ones(2, 3, 5)),
    lambda L: L.nn.PReLU(3)(L.ones(2, 4)),
    lambda L: L.nn.LocalResponseNorm(2)(L.ones(3)),
    lambda L: L.nn.Unflatten(1, (2, 2))(L.ones(2, 3)),
    lambda L: L.nn.Softmax(dim=5)(L.ones(2, 3)),
    lambda L: L.nn.Conv2d(0, 4, 3),
    lambda L: L.nn.LSTM(3, 0),
    lambda L: L.nn.GRU(3, 4, proj_size=2),
    lambda L: L.nn.LSTM(3, 4, proj_size=4),
    lambda L: L.nn.RNN(3, 4, nonlinearity="foo"),
    lambda L: L.nn.RNN(3, 4, num_layers=0),
    lambda L: L.nn.MultiheadAttention(8, 3),
    lambda L: L.nn.TransformerEncoderLayer(4, 2, activation="foo"),
    lambda L: L.nn.EmbeddingBag(3, 2, mode="foo"),
    lambda L: L.nn.GroupNorm(3, 4),
    lambda L: L.nn.Dropout(-0.1),
    lambda L: L.nn.Upsample(),
    lambda L: L.nn.ConvTranspose2d(3, 4, 3, padding="same"),
    lambda L: L.nn.Linear(3, -2),
    lambda L: L.nn.BatchNorm1d(-2),
]


@pytest.mark.parametrize("i", range(len(BAD_MODULE_INPUT)))
def test_module_bad_input(i):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # a constructor PyTorch accepts gives a module: compare its repr
        check(lambda L: repr(BAD_MODULE_INPUT[i](L)), message=True)
