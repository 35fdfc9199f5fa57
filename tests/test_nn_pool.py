"""Pooling, unpooling, interpolation and grid sampling against PyTorch: values, indices,
gradients (max pooling routes to the first maximum, as PyTorch), grad_fn names, errors."""
import warnings

import numpy as np
import pytest

from oracle import check, check_grad, needs_torch

R = np.random.default_rng(0)


def f32(*shape):
    return R.standard_normal(shape).astype(np.float32)


def F(lib):
    return lib.nn.functional


X1, X2, X3 = f32(2, 3, 11), f32(2, 3, 9, 8), f32(1, 2, 6, 7, 5)
TIES = np.round(R.uniform(0, 2, size=(2, 2, 7, 6))).astype(np.float32)  # many ties

# (id, fn(lib, x), input)
POOL_CASES = [
    ("mp1", lambda L, x: F(L).max_pool1d(x, 3), X1),
    ("mp1_all", lambda L, x: F(L).max_pool1d(x, 3, 2, 1, 2, ceil_mode=True), X1),
    ("mp1_idx", lambda L, x: F(L).max_pool1d(x, 2, return_indices=True), X1),
    ("mp2", lambda L, x: F(L).max_pool2d(x, 2), X2),
    ("mp2_idx", lambda L, x: F(L).max_pool2d(x, (3, 2), (2, 1), (1, 1), return_indices=True),
     X2),
    ("mp2_dil_ceil", lambda L, x: F(L).max_pool2d(x, 3, 2, 1, 2, ceil_mode=True,
                                                  return_indices=True), X2),
    ("mp2_ties", lambda L, x: F(L).max_pool2d(x, 3, 1, 1, return_indices=True), TIES),
    ("mp2_unbatched", lambda L, x: F(L).max_pool2d(x, 2, return_indices=True), X2[0]),
    ("mp3", lambda L, x: F(L).max_pool3d(x, 2, return_indices=True), X3),
    ("mp3_all", lambda L, x: F(L).max_pool3d(x, (2, 3, 2), (1, 2, 2), (1, 1, 0),
                                             ceil_mode=True), X3),
    ("ap1", lambda L, x: F(L).avg_pool1d(x, 3, 2, 1), X1),
    ("ap1_ceil", lambda L, x: F(L).avg_pool1d(x, 3, 2, 1, ceil_mode=True,
                                              count_include_pad=False), X1),
    ("ap2", lambda L, x: F(L).avg_pool2d(x, 2), X2),
    ("ap2_pad", lambda L, x: F(L).avg_pool2d(x, 3, 2, 1), X2),
    ("ap2_nopad", lambda L, x: F(L).avg_pool2d(x, 3, 2, 1, count_include_pad=False), X2),
    ("ap2_ceil", lambda L, x: F(L).avg_pool2d(x, (3, 2), 2, (1, 0), ceil_mode=True), X2),
    ("ap2_div", lambda L, x: F(L).avg_pool2d(x, 3, 2, 1, divisor_override=5), X2),
    ("ap2_unbatched", lambda L, x: F(L).avg_pool2d(x, 2), X2[0]),
    ("ap3", lambda L, x: F(L).avg_pool3d(x, 2, 1, 1, count_include_pad=False), X3),
    ("aap1", lambda L, x: F(L).adaptive_avg_pool1d(x, 4), X1),
    ("aap2", lambda L, x: F(L).adaptive_avg_pool2d(x, (4, 3)), X2),
    ("aap2_1", lambda L, x: F(L).adaptive_avg_pool2d(x, 1), X2),
    ("aap2_none", lambda L, x: F(L).adaptive_avg_pool2d(x, (None, 5)), X2),
    ("aap2_up", lambda L, x: F(L).adaptive_avg_pool2d(x, (12, 10)), X2),
    ("aap3", lambda L, x: F(L).adaptive_avg_pool3d(x, (3, 4, 2)), X3),
    ("amp1", lambda L, x: F(L).adaptive_max_pool1d(x, 4, return_indices=True), X1),
    ("amp2", lambda L, x: F(L).adaptive_max_pool2d(x, (4, 3), return_indices=True), X2),
    ("amp2_ties", lambda L, x: F(L).adaptive_max_pool2d(x, (3, 4), return_indices=True), TIES),
    ("amp3", lambda L, x: F(L).adaptive_max_pool3d(x, 2, return_indices=True), X3),
    ("lp1", lambda L, x: F(L).lp_pool1d(x, 2, 3), X1),
    ("lp2", lambda L, x: F(L).lp_pool2d(x, 3, 2), np.abs(X2) + 0.1),
    ("lp2_ceil", lambda L, x: F(L).lp_pool2d(x, 2, 3, 2, ceil_mode=True), X2),
    ("lp2_inf", lambda L, x: F(L).lp_pool2d(x, float("inf"), 2), X2),
    ("frac2", lambda L, x: F(L).fractional_max_pool2d(
        x, 2, output_size=(4, 5), return_indices=True,
        _random_samples=L.tensor([[[.1, .7], [.5, .5], [.9, .2]]] * 2)), X2),
    ("frac2_ratio", lambda L, x: F(L).fractional_max_pool2d(
        x, (3, 2), output_ratio=(0.5, 0.6),
        _random_samples=L.tensor([[[.3, .8], [.5, .0], [.99, .2]]] * 2)), X2),
    ("frac3", lambda L, x: F(L).fractional_max_pool3d(
        x, 2, output_size=(3, 4, 2), return_indices=True,
        _random_samples=L.tensor([[[.1, .7, .4], [.5, .5, .8]]])), X3),
]


@needs_torch
@pytest.mark.parametrize("name,fn,x", POOL_CASES, ids=[c[0] for c in POOL_CASES])
def test_pool(name, fn, x):
    check_grad(fn, x, rtol=1e-4, atol=1e-5)

    def grad_fn(L):
        out = fn(L, L.tensor(x, requires_grad=True))
        out = out[0] if isinstance(out, tuple) else out
        return type(out.grad_fn).__name__

    check(grad_fn)


@needs_torch
@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_pool_dtypes(dtype):
    x = np.round(X2 * 3)
    check(lambda L: (F(L).max_pool2d(L.tensor(x).to(getattr(L, dtype)), 2, return_indices=True),
                     F(L).avg_pool2d(L.tensor(x).to(getattr(L, dtype)), 3, 2, 1)))


UNPOOL_CASES = [
    ("1d", 1, X1, dict(kernel_size=2)),
    ("2d", 2, X2, dict(kernel_size=2)),
    ("2d_stride_pad", 2, X2, dict(kernel_size=3, stride=2, padding=1, output_size=(9, 8))),
    ("2d_out", 2, X2, dict(kernel_size=2, output_size=(9, 9))),
    ("3d", 3, X3, dict(kernel_size=2, output_size=(6, 7, 5))),
]


@needs_torch
@pytest.mark.parametrize("name,n,x,kw", UNPOOL_CASES, ids=[c[0] for c in UNPOOL_CASES])
def test_max_unpool(name, n, x, kw):
    pk = {k: v for k, v in kw.items() if k != "output_size"}

    def fn(L, t):
        v, i = getattr(F(L), f"max_pool{n}d")(t, return_indices=True, **pk)
        return getattr(F(L), f"max_unpool{n}d")(v, i, **kw)

    check_grad(fn, x)
    check(lambda L: type(fn(L, L.tensor(x, requires_grad=True)).grad_fn).__name__)


INTERP_CASES = [
    ("nearest1", X1, dict(scale_factor=2)),
    ("nearest1_size", X1, dict(size=7)),
    ("nearest2", X2, dict(size=(13, 5))),
    ("nearest2_sf", X2, dict(scale_factor=(1.7, 0.6))),
    ("nearest2_sf_recompute", X2, dict(scale_factor=1.7, recompute_scale_factor=True)),
    ("nearest3", X3, dict(scale_factor=(2, 1, 0.5))),
    ("nexact1", X1, dict(size=17, mode="nearest-exact")),
    ("nexact2", X2, dict(scale_factor=1.3, mode="nearest-exact")),
    ("nexact3", X3, dict(size=(4, 9, 3), mode="nearest-exact")),
    ("linear", X1, dict(scale_factor=2, mode="linear")),
    ("linear_ac", X1, dict(size=5, mode="linear", align_corners=True)),
    ("bilinear", X2, dict(size=(13, 5), mode="bilinear")),
    ("bilinear_sf", X2, dict(scale_factor=(1.5, 0.7), mode="bilinear")),
    ("bilinear_ac", X2, dict(size=(4, 11), mode="bilinear", align_corners=True)),
    ("bicubic", X2, dict(size=(13, 6), mode="bicubic")),
    ("bicubic_ac", X2, dict(scale_factor=1.6, mode="bicubic", align_corners=True)),
    ("trilinear", X3, dict(size=(4, 9, 6), mode="trilinear")),
    ("trilinear_ac", X3, dict(scale_factor=1.5, mode="trilinear", align_corners=True)),
    ("area1", X1, dict(size=4, mode="area")),
    ("area2", X2, dict(scale_factor=0.5, mode="area")),
    ("area3", X3, dict(size=(3, 3, 2), mode="area")),
    ("aa_bilinear_down", X2, dict(size=(4, 3), mode="bilinear", antialias=True)),
    ("aa_bilinear_mixed", X2, dict(scale_factor=(0.4, 1.6), mode="bilinear", antialias=True)),
    ("aa_bilinear_ac", X2, dict(size=(5, 3), mode="bilinear", antialias=True,
                                align_corners=True)),
    ("aa_bicubic", X2, dict(scale_factor=0.37, mode="bicubic", antialias=True)),
    ("aa_bicubic_up", X2, dict(size=(13, 11), mode="bicubic", antialias=True)),
    ("aa_lanczos", X2, dict(size=(4, 5), mode="lanczos", antialias=True)),
    ("aa_lanczos_1", X2, dict(size=1, mode="lanczos", antialias=True)),
]


@needs_torch
@pytest.mark.parametrize("name,x,kw", INTERP_CASES, ids=[c[0] for c in INTERP_CASES])
def test_interpolate(name, x, kw):
    check_grad(lambda L, t: F(L).interpolate(t, **kw), x, rtol=1e-4, atol=1e-5)
    check(lambda L: type(F(L).interpolate(L.tensor(x, requires_grad=True),
                                          **kw).grad_fn).__name__)


GRID2 = R.uniform(-1.2, 1.2, size=(2, 5, 4, 2)).astype(np.float32)
GRID3 = R.uniform(-1.2, 1.2, size=(1, 3, 4, 2, 3)).astype(np.float32)


@needs_torch
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
def test_grid_sample_2d(mode, padding_mode, align_corners):
    check_grad(lambda L, x, g: F(L).grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                                align_corners=align_corners),
               X2, GRID2, rtol=1e-4, atol=1e-4)


@needs_torch
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_grid_sample_3d(mode, padding_mode):
    check_grad(lambda L, x, g: F(L).grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                                align_corners=False),
               X3, GRID3, rtol=1e-4, atol=1e-4)


@needs_torch
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 3, 4, 2)])
def test_affine_grid(size, align_corners):
    theta = f32(2, len(size) - 2, len(size) - 1)
    check_grad(lambda L, t: F(L).affine_grid(t, size, align_corners=align_corners), theta)
    check(lambda L: type(F(L).affine_grid(L.tensor(theta, requires_grad=True), size,
                                          align_corners=align_corners).grad_fn).__name__)


def _o(L, *s):
    return L.ones(*s)


ERRORS = [
    lambda L: F(L).max_pool2d(_o(L, 8, 8), 2),
    lambda L: F(L).max_pool2d(_o(L, 1, 1, 1, 8, 8), 2),
    lambda L: F(L).max_pool1d(_o(L, 8), 2),
    lambda L: F(L).max_pool3d(_o(L, 3, 8, 8), 2),
    lambda L: F(L).max_pool2d(_o(L, 2, 3, 8, 8), 3, padding=2),
    lambda L: F(L).max_pool2d(_o(L, 2, 3, 8, 8), 0),
    lambda L: F(L).max_pool2d(_o(L, 2, 3, 8, 8), 2, stride=0),
    lambda L: F(L).max_pool2d(_o(L, 2, 3, 8, 8), 2, dilation=0),
    lambda L: F(L).max_pool2d(_o(L, 1, 1, 2, 2), 3),
    lambda L: F(L).max_pool2d(_o(L, 2, 3, 8, 8), (2, 2, 2)),
    lambda L: F(L).max_pool2d(_o(L, 1, 1, 4, 4).bool(), 2),
    lambda L: F(L).max_pool2d(_o(L, 2, 0, 8, 8), 2),
    lambda L: F(L).avg_pool2d(_o(L, 2, 3, 8, 8), 3, padding=2),
    lambda L: F(L).avg_pool2d(_o(L, 1, 1, 2, 2), 3),
    lambda L: F(L).avg_pool2d(_o(L, 2, 3, 8, 8), 2, divisor_override=0),
    lambda L: F(L).avg_pool1d(_o(L, 8), 2),
    lambda L: F(L).avg_pool3d(_o(L, 8, 8), 2),
    lambda L: F(L).avg_pool2d(_o(L, 1, 1, 1, 8, 8), 2),
    lambda L: F(L).avg_pool2d(_o(L, 8, 8), 2),
    lambda L: F(L).avg_pool2d(_o(L, 8), 2),
    lambda L: F(L).avg_pool2d(L.tensor(1.0), 2),
    lambda L: F(L).adaptive_avg_pool2d(_o(L, 8, 8), 2),
    lambda L: F(L).adaptive_avg_pool2d(_o(L, 2, 3, 8, 8), (2, 2, 2)),
    lambda L: F(L).adaptive_avg_pool1d(_o(L, 8), 2),
    lambda L: F(L).adaptive_max_pool2d(_o(L, 8, 8), 2),
    lambda L: F(L).adaptive_max_pool2d(_o(L, 1, 1, 4, 4).long(), 2),
    lambda L: F(L).adaptive_avg_pool2d(_o(L, 1, 1, 4, 4).long(), 2),
    lambda L: F(L).max_unpool2d(_o(L, 1, 1, 2, 2), L.zeros(1, 1, 2, 2), 2),
    lambda L: F(L).max_unpool2d(_o(L, 1, 1, 2, 2), L.zeros(1, 1, 2, 3, dtype=L.long), 2),
    lambda L: F(L).max_unpool2d(_o(L, 1, 1, 2, 2), L.zeros(1, 1, 2, 2, dtype=L.long), 2,
                                output_size=(9, 9)),
    lambda L: F(L).lp_pool1d(_o(L, 8), 2, 2),
    lambda L: F(L).fractional_max_pool2d(_o(L, 2, 3, 8, 8), 2),
    lambda L: F(L).fractional_max_pool2d(_o(L, 2, 3, 8, 8), 2, output_size=8),
    lambda L: F(L).fractional_max_pool2d(_o(L, 2, 3, 8, 8), 2, output_size=3,
                                         _random_samples=_o(L, 2, 3, 3)),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4), size=(0, 3)),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4), scale_factor=0.1),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4), size=3, mode="linear"),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4), size=3, mode="foo"),
    lambda L: F(L).interpolate(_o(L, 2, 3), size=3),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4), size=3, align_corners=True),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4), size=(3, 3, 3)),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4), size=3, scale_factor=2),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4)),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4).long(), size=3, mode="bilinear"),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4), size=(3.5, 3)),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4), size=3, recompute_scale_factor=True),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4).long(), size=2, mode="bilinear",
                               antialias=True),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4).half(), size=2, mode="bicubic",
                               antialias=True),
    lambda L: F(L).interpolate(_o(L, 1, 4, 4), size=2, mode="bilinear", antialias=True),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4), size=2, mode="lanczos"),
    lambda L: F(L).interpolate(_o(L, 1, 2, 4, 4), size=2, mode="lanczos", antialias=True,
                               align_corners=True),
    lambda L: F(L).grid_sample(_o(L, 1, 2, 4, 4), L.zeros(1, 3, 3, 3), align_corners=True),
    lambda L: F(L).grid_sample(_o(L, 1, 2, 4, 4), L.zeros(2, 3, 3, 2), align_corners=True),
    lambda L: F(L).grid_sample(_o(L, 1, 2, 3, 3, 3), L.zeros(1, 3, 3, 3, 3), mode="bicubic",
                               align_corners=True),
    lambda L: F(L).grid_sample(_o(L, 1, 2, 4, 4), L.zeros(1, 3, 3, 2).double(),
                               align_corners=True),
    lambda L: F(L).grid_sample(_o(L, 1, 2, 4, 4), L.zeros(1, 3, 3, 2), mode="foo"),
    lambda L: F(L).grid_sample(_o(L, 1, 2, 4, 4), L.zeros(1, 3, 3, 2), padding_mode="foo"),
    lambda L: F(L).affine_grid(L.zeros(1, 2, 3), (1, 1, 0, 3), align_corners=False),
    lambda L: F(L).affine_grid(L.zeros(1, 2, 4), (1, 1, 2, 3), align_corners=False),
    lambda L: F(L).affine_grid(L.zeros(1, 2, 3, dtype=L.long), (1, 1, 2, 3),
                               align_corners=False),
    lambda L: F(L).affine_grid(L.zeros(1, 2, 3), (1, 1, 2), align_corners=False),
]


@needs_torch
@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_pool_errors(i):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(ERRORS[i], message=True)


MODULES = [
    ("MaxPool1d", lambda L: L.nn.MaxPool1d(3, 2, 1, return_indices=True), X1),
    ("MaxPool2d", lambda L: L.nn.MaxPool2d((2, 3), ceil_mode=True), X2),
    ("MaxPool3d", lambda L: L.nn.MaxPool3d(2, dilation=1), X3),
    ("AvgPool1d", lambda L: L.nn.AvgPool1d(3, 2, 1, count_include_pad=False), X1),
    ("AvgPool2d", lambda L: L.nn.AvgPool2d(3, 2, 1, divisor_override=2), X2),
    ("AvgPool3d", lambda L: L.nn.AvgPool3d(2, ceil_mode=True), X3),
    ("AdaptiveAvgPool1d", lambda L: L.nn.AdaptiveAvgPool1d(5), X1),
    ("AdaptiveAvgPool2d", lambda L: L.nn.AdaptiveAvgPool2d((None, 3)), X2),
    ("AdaptiveAvgPool3d", lambda L: L.nn.AdaptiveAvgPool3d(2), X3),
    ("AdaptiveMaxPool1d", lambda L: L.nn.AdaptiveMaxPool1d(5, return_indices=True), X1),
    ("AdaptiveMaxPool2d", lambda L: L.nn.AdaptiveMaxPool2d(3), X2),
    ("AdaptiveMaxPool3d", lambda L: L.nn.AdaptiveMaxPool3d((1, 2, 3)), X3),
    ("LPPool1d", lambda L: L.nn.LPPool1d(2, 3, stride=2), X1),
    ("LPPool2d", lambda L: L.nn.LPPool2d(1.5, 2), np.abs(X2)),
    ("FractionalMaxPool2d", lambda L: L.nn.FractionalMaxPool2d(
        2, output_size=(4, 4), _random_samples=L.tensor([[[.2, .6]] * 3] * 2)), X2),
    ("Upsample", lambda L: L.nn.Upsample(scale_factor=(2, 1.5), mode="bilinear"), X2),
    ("Upsample_size", lambda L: L.nn.Upsample(size=15), X1),
    ("UpsamplingNearest2d", lambda L: L.nn.UpsamplingNearest2d(scale_factor=2), X2),
    ("UpsamplingBilinear2d", lambda L: L.nn.UpsamplingBilinear2d(size=(5, 7)), X2),
]


@needs_torch
@pytest.mark.parametrize("name,ctor,x", MODULES, ids=[m[0] for m in MODULES])
def test_pool_module(name, ctor, x):
    def run(L):
        m = ctor(L)
        t = L.tensor(x, requires_grad=True)
        out = m(t)
        o = out[0] if isinstance(out, tuple) else out
        o.sum().backward()
        return repr(m), list(m.state_dict().keys()), out, t.grad

    check(run, rtol=1e-5, atol=1e-5)


@needs_torch
def test_unpool_module():
    def run(L):
        pool, unpool = L.nn.MaxPool2d(2, return_indices=True), L.nn.MaxUnpool2d(2)
        v, i = pool(L.tensor(X2))
        return repr(unpool), unpool(v, i, output_size=X2.shape)

    check(run)


@needs_torch
def test_pool_module_errors():
    check(lambda L: L.nn.FractionalMaxPool2d(2), message=True)
    check(lambda L: L.nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5), message=True)
    check(lambda L: L.nn.FractionalMaxPool2d(2, output_ratio=1.5), message=True)
    check(lambda L: L.nn.FractionalMaxPool3d(0, output_size=2), message=True)
