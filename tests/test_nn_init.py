"""nn.init: the distributions (checked statistically on large tensors), the deterministic
initialisers (compared with PyTorch exactly), errors, ``generator=``, and every layer's
default initialisation.  Random values are not PyTorch's; their distributions are."""
import math
import warnings

import numpy as np
import pytest

import jtorch
from oracle import check, needs_torch

init = jtorch.nn.init
N = (400, 500)


def _np(t):
    return t.detach().numpy()


# --------------------------------------------------------------------------------------------
# calculate_gain and fans (deterministic: compared with PyTorch)

@needs_torch
@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("conv_transpose3d",), ("sigmoid",),
                                  ("tanh",), ("relu",), ("leaky_relu",), ("leaky_relu", 0.2),
                                  ("leaky_relu", 3), ("selu",), ("leaky_relu", True),
                                  ("leaky_relu", "x"), ("gelu",), ("softmax", 1)])
def test_calculate_gain(args):
    check(lambda t: t.nn.init.calculate_gain(*args), message=True)


@needs_torch
@pytest.mark.parametrize("shape", [(3,), (4, 5), (4, 5, 3), (6, 2, 3, 3), (2, 3, 1, 2, 2)])
def test_fans(shape):
    check(lambda t: t.nn.init._calculate_fan_in_and_fan_out(t.empty(*shape)), message=True)


# --------------------------------------------------------------------------------------------
# distributions

def test_uniform():
    t = init.uniform_(jtorch.empty(*N), -2.0, 3.0)
    v = _np(t)
    assert v.min() >= -2.0 and v.max() < 3.0
    assert abs(v.mean() - 0.5) < 0.02 and abs(v.var() - 25 / 12) < 0.03


def test_normal():
    v = _np(init.normal_(jtorch.empty(*N), 1.5, 0.5))
    assert abs(v.mean() - 1.5) < 0.005 and abs(v.std() - 0.5) < 0.005


def test_trunc_normal():
    v = _np(init.trunc_normal_(jtorch.empty(*N), mean=0.5, std=1.0, a=-1.0, b=1.5))
    assert v.min() >= -1.0 and v.max() <= 1.5
    # moments of N(0.5, 1) truncated to [-1, 1.5]
    from math import erf, exp, pi, sqrt
    alpha, beta = -1.5, 1.0
    phi = lambda x: exp(-x * x / 2) / sqrt(2 * pi)  # noqa: E731
    Phi = lambda x: 0.5 * (1 + erf(x / sqrt(2)))  # noqa: E731
    z = Phi(beta) - Phi(alpha)
    mean = 0.5 + (phi(alpha) - phi(beta)) / z
    var = 1 + (alpha * phi(alpha) - beta * phi(beta)) / z - ((phi(alpha) - phi(beta)) / z) ** 2
    assert abs(v.mean() - mean) < 0.01 and abs(v.var() - var) < 0.01


def test_trunc_normal_default_and_warning():
    v = _np(init.trunc_normal_(jtorch.empty(*N)))
    assert v.min() >= -2 and v.max() <= 2 and abs(v.std() - 0.8796) < 0.01
    with pytest.warns(UserWarning, match="mean is more than 2 std"):
        init.trunc_normal_(jtorch.empty(10), mean=10.0)


@pytest.mark.parametrize("shape", [(300, 400), (64, 32, 3, 3)])
def test_xavier(shape):
    t = jtorch.empty(*shape)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(t)
    a = 2.0 * math.sqrt(6.0 / (fan_in + fan_out))
    v = _np(init.xavier_uniform_(t, gain=2.0))
    assert v.min() >= -a and v.max() <= a and abs(v.max() - a) < 0.01 * a
    v = _np(init.xavier_normal_(jtorch.empty(*shape)))
    assert abs(v.std() - math.sqrt(2.0 / (fan_in + fan_out))) < 0.02 * v.std()


@pytest.mark.parametrize("a,mode,nl", [(0, "fan_in", "leaky_relu"), (math.sqrt(5), "fan_in",
                                                                       "leaky_relu"),
                                       (0, "fan_out", "relu"), (0.2, "FAN_IN", "leaky_relu"),
                                       (0, "fan_in", "tanh"), (0, "fan_out", "selu")])
def test_kaiming(a, mode, nl):
    t = jtorch.empty(200, 100, 3)
    fan = 300 if mode.lower() == "fan_in" else 600
    std = init.calculate_gain(nl, a) / math.sqrt(fan)
    bound = math.sqrt(3) * std
    v = _np(init.kaiming_uniform_(t, a=a, mode=mode, nonlinearity=nl))
    assert v.min() >= -bound and v.max() <= bound and abs(v.max() - bound) < 0.01 * bound
    v = _np(init.kaiming_normal_(jtorch.empty(200, 100, 3), a=a, mode=mode, nonlinearity=nl))
    assert abs(v.std() - std) < 0.02 * std and abs(v.mean()) < 0.02 * std


@pytest.mark.parametrize("shape,gain", [((30, 50), 1.0), ((50, 30), 2.0), ((10, 3, 2, 2), 0.5)])
def test_orthogonal(shape, gain):
    v = _np(init.orthogonal_(jtorch.empty(*shape), gain=gain)).reshape(shape[0], -1)
    if v.shape[0] <= v.shape[1]:
        np.testing.assert_allclose(v @ v.T, gain ** 2 * np.eye(v.shape[0]), atol=1e-4)
    else:
        np.testing.assert_allclose(v.T @ v, gain ** 2 * np.eye(v.shape[1]), atol=1e-4)


def test_sparse():
    v = _np(init.sparse_(jtorch.empty(200, 300), sparsity=0.3, std=0.5))
    zeros = (v == 0).sum(0)
    assert np.all(zeros == 60)
    nz = v[v != 0]
    assert abs(nz.std() - 0.5) < 0.02


@needs_torch
@pytest.mark.parametrize("name,args", [
    ("constant_", (0.3,)), ("ones_", ()), ("zeros_", ()), ("eye_", ()),
])
@pytest.mark.parametrize("shape", [(3, 4), (4, 2)])
def test_deterministic(name, args, shape):
    check(lambda t: getattr(t.nn.init, name)(t.empty(*shape), *args))


@needs_torch
@pytest.mark.parametrize("shape,groups", [((4, 2, 3), 1), ((4, 4, 3, 3), 2), ((6, 2, 3, 2, 3), 3),
                                          ((2, 5, 3, 3), 1)])
def test_dirac(shape, groups):
    check(lambda t: t.nn.init.dirac_(t.empty(*shape), groups=groups))


def test_dirac_conv_is_identity_shape():
    w = init.dirac_(jtorch.empty(3, 3, 3))
    assert _np(w).sum() == 3 and _np(w)[1, 1, 1] == 1


ERRORS = {
    "fan_1d": lambda t: t.nn.init.xavier_uniform_(t.empty(3)),
    "kaiming_mode": lambda t: t.nn.init.kaiming_uniform_(t.empty(3, 4), mode="fan_avg"),
    "kaiming_nl": lambda t: t.nn.init.kaiming_normal_(t.empty(3, 4), nonlinearity="swish"),
    "eye_3d": lambda t: t.nn.init.eye_(t.empty(2, 2, 2)),
    "dirac_2d": lambda t: t.nn.init.dirac_(t.empty(2, 2)),
    "dirac_groups": lambda t: t.nn.init.dirac_(t.empty(3, 2, 2), groups=2),
    "orthogonal_1d": lambda t: t.nn.init.orthogonal_(t.empty(3)),
    "sparse_3d": lambda t: t.nn.init.sparse_(t.empty(2, 2, 2), 0.1),
    "uniform_range": lambda t: t.nn.init.uniform_(t.empty(3), 1.0, 0.0),
    "normal_std": lambda t: t.nn.init.normal_(t.empty(3), 0.0, -1.0),
}


@needs_torch
@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    check(ERRORS[name], message=True)


@needs_torch
def test_zero_element_warning():
    def run(t):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = t.nn.init.kaiming_uniform_(t.empty(0, 3))
            t.nn.init.kaiming_normal_(t.empty(3, 0))
        return tuple(r.shape), [str(x.message) for x in w]

    check(run)


@needs_torch
def test_deprecated_aliases_warn():
    def run(t):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            t.nn.init.constant(t.empty(2), 1.0)
            t.nn.init.xavier_uniform(t.empty(2, 2))
        return [(x.category.__name__, str(x.message)) for x in w], t.nn.init.normal.__name__

    check(run)


# --------------------------------------------------------------------------------------------
# semantics: in place, no_grad, returns the tensor, generator=, dtypes

def test_in_place_no_grad_returns_tensor():
    p = jtorch.nn.Parameter(jtorch.empty(30, 20))
    for fn in (lambda t: init.uniform_(t), lambda t: init.normal_(t),
               lambda t: init.xavier_uniform_(t), lambda t: init.kaiming_normal_(t),
               lambda t: init.orthogonal_(t), lambda t: init.trunc_normal_(t),
               lambda t: init.constant_(t, 2.0), lambda t: init.eye_(t),
               lambda t: init.sparse_(t, 0.5)):
        r = fn(p)
        assert r is p and p.requires_grad and p.grad_fn is None and p.is_leaf


def test_generator_reproducible():
    g = jtorch.Generator().manual_seed(7)
    a = _np(init.normal_(jtorch.empty(50), generator=g)).copy()
    g.manual_seed(7)
    b = _np(init.normal_(jtorch.empty(50), generator=g)).copy()
    c = _np(init.normal_(jtorch.empty(50), generator=g)).copy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)
    jtorch.manual_seed(7)
    d = _np(init.kaiming_uniform_(jtorch.empty(10, 5))).copy()
    jtorch.manual_seed(7)
    e = _np(init.kaiming_uniform_(jtorch.empty(10, 5))).copy()
    np.testing.assert_array_equal(d, e)


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16"])
def test_dtypes(dtype):
    t = jtorch.empty(100, 100, dtype=getattr(jtorch, dtype))
    r = init.normal_(t, 0.0, 2.0)
    assert r.dtype is getattr(jtorch, dtype)
    v = r.float().numpy()
    assert abs(v.std() - 2.0) < 0.1


@needs_torch
def test_integer_tensor_errors():
    check(lambda t: t.nn.init.uniform_(t.empty(3, dtype=t.int64)), message=True)
    check(lambda t: t.nn.init.normal_(t.empty(3, dtype=t.int64)), message=True)


# --------------------------------------------------------------------------------------------
# default initialisation of the layers

def _bound_check(v, bound):
    assert v.min() >= -bound and v.max() <= bound
    assert v.max() > 0.9 * bound and v.min() < -0.9 * bound


def test_linear_default_init():
    m = jtorch.nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w = _np(m.weight)
    _bound_check(w, bound)
    assert abs(w.var() - bound ** 2 / 3) < 0.02 * bound ** 2
    _bound_check(_np(m.bias), bound)


def test_bilinear_default_init():
    m = jtorch.nn.Bilinear(50, 20, 30)
    bound = 1 / math.sqrt(50)
    _bound_check(_np(m.weight), bound)
    b = _np(m.bias)
    assert b.min() >= -bound and b.max() <= bound


def test_embedding_default_init():
    e = jtorch.nn.Embedding(500, 200, padding_idx=3)
    w = _np(e.weight)
    assert np.all(w[3] == 0)
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01
    b = _np(jtorch.nn.EmbeddingBag(500, 200).weight)
    assert abs(b.std() - 1) < 0.01


@needs_torch
@pytest.mark.parametrize("build", [
    "nn.BatchNorm1d(5)", "nn.BatchNorm2d(3, affine=False)", "nn.InstanceNorm2d(3, affine=True)",
    "nn.LayerNorm([2, 3])", "nn.GroupNorm(2, 4)", "nn.RMSNorm(3)", "nn.PReLU(3, init=0.1)",
    "nn.LazyBatchNorm1d()",
])
def test_deterministic_default_init(build):
    check(lambda t: dict((k, v) for k, v in eval(build, {"nn": t.nn}).state_dict().items()
                         if "Lazy" not in build))


def test_reset_parameters_redraws():
    m = jtorch.nn.Linear(20, 10)
    before = _np(m.weight).copy()
    m.reset_parameters()
    assert not np.array_equal(before, _np(m.weight))
