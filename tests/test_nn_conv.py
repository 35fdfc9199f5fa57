"""Convolutions, unfold/fold and the Conv modules against PyTorch: values, gradients (input,
weight, bias), grad_fn names, errors."""
import warnings

import numpy as np
import pytest

from oracle import check, check_grad, needs_torch

R = np.random.default_rng(0)


def f32(*shape):
    return R.standard_normal(shape).astype(np.float32)


def F(lib):
    return lib.nn.functional


# (id, functional name, input shape, weight shape, bias?, kwargs)
CONV_CASES = [
    ("1d", "conv1d", (2, 3, 9), (4, 3, 3), True, {}),
    ("1d_stride_pad_dil", "conv1d", (2, 3, 11), (4, 3, 3), True,
     dict(stride=2, padding=2, dilation=2)),
    ("1d_groups", "conv1d", (2, 4, 9), (6, 2, 3), False, dict(groups=2)),
    ("1d_unbatched", "conv1d", (3, 9), (4, 3, 3), True, {}),
    ("1d_same_even", "conv1d", (2, 3, 9), (4, 3, 4), True, dict(padding="same")),
    ("2d", "conv2d", (2, 3, 7, 6), (4, 3, 3, 3), True, {}),
    ("2d_tuple_args", "conv2d", (2, 3, 9, 8), (4, 3, 3, 2), True,
     dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2))),
    ("2d_groups_dw", "conv2d", (2, 4, 7, 7), (8, 1, 3, 3), True, dict(groups=4)),
    ("2d_same", "conv2d", (2, 3, 7, 6), (4, 3, 3, 3), False, dict(padding="same", dilation=2)),
    ("2d_same_even", "conv2d", (1, 2, 6, 6), (3, 2, 4, 2), True, dict(padding="same")),
    ("2d_valid", "conv2d", (2, 3, 7, 6), (4, 3, 3, 3), True, dict(padding="valid")),
    ("2d_unbatched", "conv2d", (3, 7, 6), (4, 3, 3, 3), True, {}),
    ("2d_1x1", "conv2d", (2, 3, 5, 5), (4, 3, 1, 1), True, {}),
    ("3d", "conv3d", (1, 2, 5, 5, 4), (3, 2, 3, 3, 2), True, dict(padding=1)),
    ("3d_stride", "conv3d", (2, 2, 6, 5, 5), (4, 1, 2, 3, 3), True, dict(stride=2, groups=2)),
    ("t1d", "conv_transpose1d", (2, 3, 6), (3, 4, 3), True, {}),
    ("t1d_stride", "conv_transpose1d", (2, 3, 6), (3, 4, 3), True,
     dict(stride=3, padding=1, output_padding=2)),
    ("t2d", "conv_transpose2d", (2, 3, 5, 4), (3, 4, 3, 3), True, {}),
    ("t2d_all", "conv_transpose2d", (2, 4, 5, 4), (4, 3, 3, 2), True,
     dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2, dilation=(1, 2))),
    ("t2d_unbatched", "conv_transpose2d", (3, 5, 4), (3, 2, 2, 2), False, dict(stride=2)),
    ("t3d", "conv_transpose3d", (1, 2, 3, 4, 3), (2, 3, 2, 3, 2), True,
     dict(stride=2, padding=1, output_padding=1)),
]


@needs_torch
@pytest.mark.parametrize("name,fn,xs,ws,bias,kw", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_conv(name, fn, xs, ws, bias, kw):
    x, w = f32(*xs), f32(*ws)
    cout = ws[1] * kw.get("groups", 1) if fn.startswith("conv_t") else ws[0]
    args = (x, w, f32(cout)) if bias else (x, w)

    def run(L, *t):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return getattr(F(L), fn)(*t, **kw)

    check_grad(run, *args, rtol=1e-4, atol=1e-4)

    def grad_fn(L):
        t = [L.tensor(a, requires_grad=True) for a in args]
        return type(run(L, *t).grad_fn).__name__

    check(grad_fn)


@needs_torch
@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16", "int64"])
def test_conv_dtypes(dtype):
    x = np.round(f32(2, 3, 5, 5) * 4)
    w = np.round(f32(4, 3, 3, 3) * 4)
    check(lambda L: F(L).conv2d(L.tensor(x).to(getattr(L, dtype)),
                                L.tensor(w).to(getattr(L, dtype))), rtol=2e-2, atol=1e-1)


@needs_torch
def test_torch_convolution():
    x, w, b = f32(2, 3, 5, 5), f32(3, 4, 3, 3), f32(4)
    check(lambda L: L.convolution(L.tensor(x), L.tensor(w), L.tensor(b), [2, 2], [1, 1],
                                  [1, 1], True, [1, 0], 1), rtol=1e-4, atol=1e-5)
    check(lambda L: L.conv2d(L.tensor(x), L.tensor(w).transpose(0, 1).contiguous()),
          rtol=1e-4, atol=1e-5)


UNFOLD_CASES = [
    ("basic", (2, 3, 6, 5), dict(kernel_size=2)),
    ("all", (2, 2, 7, 8), dict(kernel_size=(3, 2), dilation=(2, 1), padding=(1, 2),
                               stride=(2, 3))),
    ("unbatched", (3, 5, 5), dict(kernel_size=3, padding=1)),
]


@needs_torch
@pytest.mark.parametrize("name,shape,kw", UNFOLD_CASES, ids=[c[0] for c in UNFOLD_CASES])
def test_unfold_fold(name, shape, kw):
    x = f32(*shape)
    check_grad(lambda L, t: F(L).unfold(t, **kw), x)
    cols = np.asarray(F(__import__("jtorch")).unfold(__import__("jtorch").tensor(x), **kw))
    check_grad(lambda L, t: F(L).fold(t, output_size=shape[-2:], **kw), cols)
    check(lambda L: (type(F(L).unfold(L.tensor(x, requires_grad=True), **kw).grad_fn).__name__,
                     type(F(L).fold(L.tensor(cols, requires_grad=True), shape[-2:],
                                    **kw).grad_fn).__name__))


def _ones(L, *s):
    return L.ones(*s)


ERRORS = [
    lambda L: F(L).conv2d(_ones(L, 2, 3), _ones(L, 4, 3, 3, 3)),
    lambda L: F(L).conv2d(_ones(L, 1, 2, 3, 8, 8), _ones(L, 4, 3, 3, 3)),
    lambda L: F(L).conv2d(_ones(L, 1, 1, 8, 8), _ones(L, 4, 3, 3, 3)),
    lambda L: F(L).conv2d(_ones(L, 1, 8, 8), _ones(L, 4, 3, 3, 3)),
    lambda L: F(L).conv2d(_ones(L, 1, 4, 8, 8), _ones(L, 3, 2, 3, 3), groups=2),
    lambda L: F(L).conv2d(_ones(L, 1, 3, 2, 2), _ones(L, 4, 3, 3, 3)),
    lambda L: F(L).conv2d(_ones(L, 1, 3, 8, 8), _ones(L, 4, 3, 3)),
    lambda L: F(L).conv2d(_ones(L, 1, 3, 8, 8), _ones(L, 4, 3, 3, 3), _ones(L, 3)),
    lambda L: F(L).conv2d(_ones(L, 1, 3, 8, 8), _ones(L, 4, 3, 3, 3), stride=0),
    lambda L: F(L).conv2d(_ones(L, 1, 3, 8, 8), _ones(L, 4, 3, 3, 3), padding=-1),
    lambda L: F(L).conv2d(_ones(L, 1, 3, 8, 8), _ones(L, 4, 3, 3, 3), dilation=0),
    lambda L: F(L).conv2d(_ones(L, 1, 3, 8, 8), _ones(L, 4, 3, 3, 3), padding="same",
                          stride=2),
    lambda L: F(L).conv2d(_ones(L, 1, 3, 8, 8), _ones(L, 4, 3, 3, 3), padding="foo"),
    lambda L: F(L).conv2d(_ones(L, 1, 3, 8, 8), _ones(L, 4, 3, 3, 3), stride=(1, 1, 1)),
    lambda L: F(L).conv2d(_ones(L, 1, 3, 8, 8), _ones(L, 4, 3, 3, 3).double()),
    lambda L: F(L).conv2d(_ones(L, 1, 3, 8, 8), _ones(L, 4, 3, 3, 3), _ones(L, 4).double()),
    lambda L: F(L).conv2d(_ones(L, 1, 3, 8, 8).bool(), _ones(L, 4, 3, 3, 3).bool()),
    lambda L: F(L).conv2d(_ones(L, 1, 3, 8, 8), _ones(L, 4, 3, 3, 3), groups=0),
    lambda L: F(L).conv2d(_ones(L, 1, 4, 8, 8), _ones(L, 2, 1, 3, 3), groups=4),
    lambda L: F(L).conv_transpose2d(_ones(L, 1, 2, 8, 8), _ones(L, 3, 4, 3, 3)),
    lambda L: F(L).conv_transpose2d(_ones(L, 1, 3, 8, 8), _ones(L, 3, 4, 3, 3),
                                    output_padding=1),
    lambda L: F(L).conv_transpose1d(_ones(L, 1, 3, 8), _ones(L, 3, 4, 3), output_padding=1),
    lambda L: F(L).conv_transpose3d(_ones(L, 1, 3, 4, 4, 4), _ones(L, 3, 4, 3, 3, 3),
                                    output_padding=1),
    lambda L: F(L).conv_transpose2d(_ones(L, 1, 3, 8, 8), _ones(L, 3, 4, 3, 3), _ones(L, 3)),
    lambda L: F(L).conv_transpose2d(_ones(L, 1, 3, 8, 8), _ones(L, 3, 4, 3, 3),
                                    output_padding=-1),
    lambda L: F(L).conv_transpose2d(_ones(L, 3, 8), _ones(L, 3, 4, 3, 3)),
    lambda L: F(L).conv1d(_ones(L, 3), _ones(L, 3, 4, 3)),
    lambda L: F(L).conv3d(_ones(L, 3, 4, 4), _ones(L, 3, 4, 3, 3, 3)),
    lambda L: L.convolution(_ones(L, 1, 3, 8, 8), _ones(L, 4, 3, 3), None, [1], [0], [1],
                            False, [0], 1),
    lambda L: F(L).unfold(_ones(L, 8, 8), 3),
    lambda L: F(L).unfold(_ones(L, 1, 1, 8, 8, 8), 3),
    lambda L: F(L).unfold(_ones(L, 2, 3, 8, 8), 9),
    lambda L: F(L).unfold(_ones(L, 2, 3, 8, 8), (3, 3, 3)),
    lambda L: F(L).unfold(_ones(L, 2, 3, 8, 8), 3, stride=0),
    lambda L: F(L).unfold(_ones(L, 2, 3, 8, 8), 3, dilation=0),
    lambda L: F(L).unfold(_ones(L, 2, 3, 8, 8), 3, padding=-1),
    lambda L: F(L).fold(_ones(L, 2, 27, 35), (8, 8), 3),
    lambda L: F(L).fold(_ones(L, 2, 26, 36), (8, 8), 3),
    lambda L: F(L).fold(_ones(L, 2, 27, 36, 1), (8, 8), 3),
    lambda L: F(L).fold(_ones(L, 2, 27, 36), (2, 2), 3),
]


@needs_torch
@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_conv_errors(i):
    check(ERRORS[i], message=True)


# --------------------------------------------------------------------------------------------
# modules

from nn_oracle import check_module  # noqa: E402

MODULES = [
    ("Conv1d", lambda nn: nn.Conv1d(3, 4, 3, stride=2, padding=1), (2, 3, 9)),
    ("Conv1d_same_circular", lambda nn: nn.Conv1d(3, 4, 4, padding="same",
                                                  padding_mode="circular"), (2, 3, 9)),
    ("Conv2d", lambda nn: nn.Conv2d(3, 4, (3, 2), bias=False, dilation=(2, 1)), (2, 3, 7, 6)),
    ("Conv2d_reflect", lambda nn: nn.Conv2d(2, 4, 3, padding=(1, 2), padding_mode="reflect",
                                            groups=2), (2, 2, 6, 5)),
    ("Conv2d_replicate", lambda nn: nn.Conv2d(3, 2, 3, padding=2, padding_mode="replicate"),
     (3, 6, 5)),
    ("Conv2d_valid", lambda nn: nn.Conv2d(3, 6, 1, padding="valid", groups=3), (2, 3, 4, 4)),
    ("Conv3d", lambda nn: nn.Conv3d(2, 3, 2, padding=1, padding_mode="circular"),
     (1, 2, 3, 4, 3)),
    ("ConvTranspose1d", lambda nn: nn.ConvTranspose1d(3, 4, 3, stride=2, output_padding=1),
     (2, 3, 5)),
    ("ConvTranspose2d", lambda nn: nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, groups=2,
                                                      bias=False), (2, 4, 4, 3)),
    ("ConvTranspose3d", lambda nn: nn.ConvTranspose3d(2, 2, 2, stride=(1, 2, 1), dilation=2),
     (1, 2, 3, 3, 2)),
]


@needs_torch
@pytest.mark.parametrize("name,build,shape", MODULES, ids=[m[0] for m in MODULES])
def test_conv_module(name, build, shape):
    check_module(build, f32(*shape), rtol=1e-4, atol=1e-5, modes=("train",))


@needs_torch
def test_conv_transpose_output_size():
    check_module(lambda nn: nn.ConvTranspose2d(3, 2, 3, stride=2), f32(1, 3, 4, 4),
                 forward=lambda m, x: m(x, output_size=[10, 9]), rtol=1e-4, atol=1e-5,
                 modes=("train",))
    check(lambda L: L.nn.ConvTranspose2d(3, 2, 3, stride=2)(L.ones(1, 3, 4, 4),
                                                            output_size=[12, 9]), message=True)
    check(lambda L: L.nn.ConvTranspose2d(3, 2, 3, stride=2)(L.ones(1, 3, 4, 4),
                                                            output_size=[9]), message=True)


@needs_torch
@pytest.mark.parametrize("cls,shape", [("LazyConv1d", (2, 3, 7)), ("LazyConv2d", (3, 5, 5)),
                                       ("LazyConv3d", (1, 2, 3, 3, 3)),
                                       ("LazyConvTranspose2d", (2, 3, 4, 4))])
def test_lazy_conv(cls, shape):
    def run(L):
        m = getattr(L.nn, cls)(4, 2)
        before = repr(m)
        y = m(L.ones(*shape))
        return before, repr(m), type(m).__name__, tuple(m.weight.shape), tuple(y.shape)

    check(run)


CTOR_ERRORS = [
    lambda L: L.nn.Conv2d(3, 4, 3, groups=0),
    lambda L: L.nn.Conv2d(3, 4, 3, groups=2),
    lambda L: L.nn.Conv2d(4, 3, 3, groups=2),
    lambda L: L.nn.Conv2d(3, 4, 3, padding="foo"),
    lambda L: L.nn.Conv2d(3, 4, 3, padding="same", stride=2),
    lambda L: L.nn.Conv2d(3, 4, 3, padding_mode="foo"),
    lambda L: L.nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect"),
    lambda L: L.nn.Conv2d(3, 4, 3, padding=3, padding_mode="reflect")(L.ones(1, 3, 3, 3)),
    lambda L: L.nn.Conv2d(3, 4, 3)(L.ones(1, 2, 5, 5)),
]


@needs_torch
@pytest.mark.parametrize("i", range(len(CTOR_ERRORS)))
def test_conv_module_errors(i):
    check(CTOR_ERRORS[i], message=True)


@needs_torch
def test_fold_modules():
    check_module(lambda nn: nn.Unfold(kernel_size=(2, 3), dilation=1, padding=1, stride=2),
                 f32(2, 3, 6, 5))
    check_module(lambda nn: nn.Fold(output_size=(4, 5), kernel_size=2), f32(2, 12, 12))
