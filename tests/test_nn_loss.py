"""Losses (nn.functional and nn modules) against PyTorch: values, dtypes, grad_fn names,
input gradients and errors."""
import warnings

import numpy as np
import pytest

from oracle import check, check_grad, needs_torch

R = np.random.default_rng(0)


def f32(*shape, lo=-2.0, hi=2.0):
    return R.uniform(lo, hi, size=shape).astype(np.float32)


def prob(*shape):
    return R.uniform(0.05, 0.95, size=shape).astype(np.float32)


def ints(hi, *shape):
    return R.integers(0, hi, size=shape).astype(np.int64)


def signs(*shape):
    return np.where(R.random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


def F(lib):
    return lib.nn.functional


X35, Y35 = f32(3, 5), f32(3, 5)
P35 = prob(3, 5)
T3 = np.array([1, 0, 4])
P5 = prob(5)
S35 = signs(3, 5)
I3_24, I3_242, I3_2222 = ints(3, 2, 4), ints(3, 2, 4, 2), ints(3, 2, 2, 2, 2)
REDUCTIONS = ["mean", "sum", "none"]

# (id, fn(lib, *tensors, reduction), numpy inputs)
CASES = [
    ("mse", lambda L, x, y, r: F(L).mse_loss(x, y, reduction=r), (X35, Y35)),
    ("mse_bcast", lambda L, x, y, r: F(L).mse_loss(x, y, reduction=r), (X35, Y35[:1])),
    ("mse_weight", lambda L, x, y, r: F(L).mse_loss(x, y, reduction=r, weight=L.tensor(P35)),
     (X35, Y35)),
    ("l1", lambda L, x, y, r: F(L).l1_loss(x, y, reduction=r), (X35, Y35)),
    ("l1_tie", lambda L, x, y, r: F(L).l1_loss(x, y, reduction=r), (X35, X35.copy())),
    ("smooth_l1", lambda L, x, y, r: F(L).smooth_l1_loss(x, y, reduction=r, beta=0.7),
     (X35, Y35)),
    ("smooth_l1_b0", lambda L, x, y, r: F(L).smooth_l1_loss(x, y, reduction=r, beta=0.0),
     (X35, Y35)),
    ("huber", lambda L, x, y, r: F(L).huber_loss(x, y, reduction=r, delta=0.5), (X35, Y35)),
    ("huber_w", lambda L, x, y, r: F(L).huber_loss(x, y, reduction=r, weight=L.tensor(P35)),
     (X35, Y35)),
    ("ce", lambda L, x, r: F(L).cross_entropy(x, L.tensor(T3), reduction=r), (X35,)),
    ("ce_weight", lambda L, x, r: F(L).cross_entropy(
        x, L.tensor(T3), weight=L.tensor([1., 2., .5, 1., 3.]), reduction=r), (X35,)),
    ("ce_ignore", lambda L, x, r: F(L).cross_entropy(
        x, L.tensor([1, -100, 4]), reduction=r), (X35,)),
    ("ce_ignore_idx", lambda L, x, r: F(L).cross_entropy(
        x, L.tensor(T3), ignore_index=0, weight=L.tensor([1., 2., .5, 1., 3.]), reduction=r),
     (X35,)),
    ("ce_smooth", lambda L, x, r: F(L).cross_entropy(
        x, L.tensor(T3), label_smoothing=0.2, reduction=r), (X35,)),
    ("ce_smooth_w", lambda L, x, r: F(L).cross_entropy(
        x, L.tensor([1, 3, 0]), label_smoothing=0.1, ignore_index=3,
        weight=L.tensor([1., 2., .5, 1., 3.]), reduction=r), (X35,)),
    ("ce_prob", lambda L, x, p, r: F(L).cross_entropy(x, p, reduction=r), (X35, P35)),
    ("ce_prob_w_ls", lambda L, x, p, r: F(L).cross_entropy(
        x, p, weight=L.tensor([1., 2., .5, 1., 3.]), label_smoothing=0.3, reduction=r),
     (X35, P35)),
    ("ce_1d", lambda L, x, r: F(L).cross_entropy(x, L.tensor(2), reduction=r), (f32(5),)),
    ("ce_3d", lambda L, x, r: F(L).cross_entropy(x, L.tensor(I3_24), reduction=r),
     (f32(2, 3, 4),)),
    ("ce_4d", lambda L, x, r: F(L).cross_entropy(x, L.tensor(I3_242), reduction=r),
     (f32(2, 3, 4, 2),)),
    ("ce_5d_w", lambda L, x, r: F(L).cross_entropy(
        x, L.tensor(I3_2222), weight=L.tensor([.2, 1., 2.]), reduction=r),
     (f32(2, 3, 2, 2, 2),)),
    ("ce_f64", lambda L, x, r: F(L).cross_entropy(x, L.tensor(T3), reduction=r),
     (X35.astype(np.float64),)),
    ("nll", lambda L, x, r: F(L).nll_loss(x, L.tensor(T3), reduction=r), (X35,)),
    ("nll_w", lambda L, x, r: F(L).nll_loss(x, L.tensor(T3), weight=L.tensor(
        [1., 2., .5, 1., 3.]), ignore_index=1, reduction=r), (X35,)),
    ("nll_u8", lambda L, x, r: F(L).nll_loss(x, L.tensor(T3).byte(), reduction=r), (X35,)),
    ("bce", lambda L, x, y, r: F(L).binary_cross_entropy(x, y, reduction=r), (P35, prob(3, 5))),
    ("bce_w", lambda L, x, y, r: F(L).binary_cross_entropy(
        x, y, weight=L.tensor(P5), reduction=r), (P35, prob(3, 5))),
    ("bce_edge", lambda L, x, y, r: F(L).binary_cross_entropy(x, y, reduction=r),
     (np.array([0., 1., 0.5, 1e-30], np.float32), np.array([0., 1., 1., 0.], np.float32))),
    ("bcel", lambda L, x, y, r: F(L).binary_cross_entropy_with_logits(x, y, reduction=r),
     (X35 * 10, P35)),
    ("bcel_w_pw", lambda L, x, y, r: F(L).binary_cross_entropy_with_logits(
        x, y, weight=L.tensor(P5), pos_weight=L.tensor(P5 * 3), reduction=r),
     (X35, P35)),
    ("kl", lambda L, x, y, r: F(L).kl_div(x, y, reduction=r), (X35, P35)),
    ("kl_zero", lambda L, x, y, r: F(L).kl_div(x, y, reduction=r), (X35, P35 * (P35 > 0.5))),
    ("kl_log", lambda L, x, y, r: F(L).kl_div(x, y, reduction=r, log_target=True), (X35, Y35)),
    ("kl_batchmean", lambda L, x, y, r: F(L).kl_div(x, y, reduction="batchmean"), (X35, P35)),
    ("poisson", lambda L, x, y, r: F(L).poisson_nll_loss(x, y, reduction=r), (X35, P35 * 4)),
    ("poisson_full", lambda L, x, y, r: F(L).poisson_nll_loss(
        x, y, log_input=False, full=True, reduction=r), (P35 * 3, P35 * 4)),
    ("gaussian", lambda L, x, y, v, r: F(L).gaussian_nll_loss(x, y, v, reduction=r),
     (X35, Y35, prob(3, 5))),
    ("gaussian_full_1", lambda L, x, y, v, r: F(L).gaussian_nll_loss(
        x, y, v, full=True, eps=0.1, reduction=r), (X35, Y35, prob(3, 1))),
    ("gaussian_nm1", lambda L, x, y, v, r: F(L).gaussian_nll_loss(x, y, v, reduction=r),
     (X35, Y35, prob(3))),
    ("margin_ranking", lambda L, a, b, r: F(L).margin_ranking_loss(
        a, b, L.tensor(S35), margin=0.3, reduction=r), (X35, Y35)),
    ("hinge", lambda L, x, r: F(L).hinge_embedding_loss(
        x, L.tensor(S35), margin=0.5, reduction=r), (X35,)),
    ("soft_margin", lambda L, x, r: F(L).soft_margin_loss(x, L.tensor(S35),
                                                          reduction=r), (X35,)),
    ("cosine", lambda L, a, b, r: F(L).cosine_embedding_loss(
        a, b, L.tensor([1, -1, 1]), margin=0.1, reduction=r), (X35, Y35)),
    ("cosine_1d", lambda L, a, b, r: F(L).cosine_embedding_loss(
        a, b, L.tensor(-1), margin=-0.5, reduction=r), (f32(5), f32(5))),
    ("triplet", lambda L, a, p, n, r: F(L).triplet_margin_loss(a, p, n, reduction=r),
     (X35, Y35, f32(3, 5))),
    ("triplet_p1_swap", lambda L, a, p, n, r: F(L).triplet_margin_loss(
        a, p, n, p=1, swap=True, margin=2.0, reduction=r), (X35, Y35, f32(3, 5))),
    ("triplet_p3", lambda L, a, p, n, r: F(L).triplet_margin_loss(
        a, p, n, p=3, margin=2.0, reduction=r), (X35, Y35, f32(3, 5))),
    ("triplet_dist", lambda L, a, p, n, r: F(L).triplet_margin_with_distance_loss(
        a, p, n, margin=2.0, reduction=r), (X35, Y35, f32(3, 5))),
    ("triplet_dist_fn", lambda L, a, p, n, r: F(L).triplet_margin_with_distance_loss(
        a, p, n, distance_function=lambda u, v: ((u - v) * (u - v)).sum(1), swap=True,
        reduction=r), (X35, Y35, f32(3, 5))),
    ("multi_margin", lambda L, x, r: F(L).multi_margin_loss(x, L.tensor(T3), reduction=r),
     (X35,)),
    ("multi_margin_p2_w", lambda L, x, r: F(L).multi_margin_loss(
        x, L.tensor(T3), p=2, margin=0.7, weight=L.tensor(P5), reduction=r), (X35,)),
    ("multi_margin_1d", lambda L, x, r: F(L).multi_margin_loss(x, L.tensor([2]), reduction=r),
     (f32(5),)),
    ("multilabel_margin", lambda L, x, r: F(L).multilabel_margin_loss(
        x, L.tensor([[3, 0, -1, 1, 2], [1, 2, 3, 4, 0], [-1, 1, 2, 0, 0]]), reduction=r),
     (X35,)),
    ("multilabel_margin_1d", lambda L, x, r: F(L).multilabel_margin_loss(
        x, L.tensor([3, 0, -1, 1]), reduction=r), (f32(4),)),
    ("multilabel_soft", lambda L, x, y, r: F(L).multilabel_soft_margin_loss(x, y, reduction=r),
     (X35, (P35 > 0.5).astype(np.float32))),
    ("multilabel_soft_w", lambda L, x, y, r: F(L).multilabel_soft_margin_loss(
        x, y, weight=L.tensor(P5), reduction=r), (X35, P35)),
]


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,fn,inputs", CASES, ids=[c[0] for c in CASES])
def test_loss(name, fn, inputs, reduction):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grad(lambda L, *a: fn(L, *a, reduction), *inputs, rtol=1e-4, atol=1e-5)


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,fn,inputs", CASES, ids=[c[0] for c in CASES])
def test_loss_grad_fn(name, fn, inputs, reduction):
    def run(L):
        ts = [L.tensor(a, requires_grad=True) for a in inputs]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(L, *ts, reduction)
        return type(out.grad_fn).__name__, str(out.dtype), tuple(out.shape)

    check(run)


CTC_T, CTC_N, CTC_C = 7, 3, 5


def _ctc_lp():
    x = R.standard_normal((CTC_T, CTC_N, CTC_C)).astype(np.float32)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


CTC_LP = _ctc_lp()
CTC_CASES = [
    ("padded", lambda L: (L.tensor([[1, 2, 2], [3, 3, 0], [4, 1, 0]]), L.tensor([7, 6, 5]),
                          L.tensor([3, 2, 1]))),
    ("concat", lambda L: (L.tensor([1, 2, 2, 3, 3, 4]), L.tensor([7, 6, 5]),
                          L.tensor([3, 2, 1]))),
    ("tuples", lambda L: (L.tensor([[1, 2, 2], [3, 3, 0], [4, 1, 0]]), (7, 7, 4), [3, 0, 2])),
    ("impossible", lambda L: (L.tensor([[1, 1, 1], [3, 3, 0], [4, 1, 0]]), (7, 4, 5),
                              (3, 2, 2))),
]


@needs_torch
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,args", CTC_CASES, ids=[c[0] for c in CTC_CASES])
def test_ctc_loss(name, args, reduction, zero_infinity):
    if name == "impossible" and not zero_infinity and reduction != "none":
        pytest.skip("infinite loss: the gradients are NaN/inf in both")
    check_grad(lambda L, lp: F(L).ctc_loss(lp, *args(L), reduction=reduction,
                                           zero_infinity=zero_infinity),
               CTC_LP, rtol=1e-4, atol=1e-5)


@needs_torch
def test_ctc_unbatched_and_blank():
    check_grad(lambda L, lp: F(L).ctc_loss(lp, L.tensor([1, 2]), L.tensor(7), L.tensor(2),
                                           blank=4, reduction="none"),
               CTC_LP[:, 0], rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------------------------
# errors

ERRORS = [
    lambda L: F(L).cross_entropy(L.ones(3, 5), L.tensor([1, 0])),
    lambda L: F(L).nll_loss(L.ones(3, 5), L.tensor([1, 0])),
    lambda L: F(L).cross_entropy(L.ones(3, 5), L.tensor([1, 0, 5])),
    lambda L: F(L).cross_entropy(L.ones(3, 5), L.tensor([1, 0, -1])),
    lambda L: F(L).cross_entropy(L.ones(3, 5), L.full((3, 4), 0.5)),
    lambda L: F(L).cross_entropy(L.ones(3, 5), L.tensor([1, 0, 4], dtype=L.int32)),
    lambda L: F(L).cross_entropy(L.tensor(1.), L.tensor(0)),
    lambda L: F(L).cross_entropy(L.ones(2, 3, 4, 5), L.zeros(2, 4, 4, dtype=L.long)),
    lambda L: F(L).cross_entropy(L.ones(2, 3, 4), L.zeros(2, 5, dtype=L.long)),
    lambda L: F(L).cross_entropy(L.ones(3, 5), L.tensor([1, 0, 4]), weight=L.ones(4)),
    lambda L: F(L).cross_entropy(L.ones(3, 5), L.tensor([1, 0, 4]), label_smoothing=1.5),
    lambda L: F(L).cross_entropy(L.ones(3, 5), L.tensor([1, 0, 4]), reduction="foo"),
    lambda L: F(L).cross_entropy(L.ones(3, 5, dtype=L.long), L.tensor([1, 0, 4])),
    lambda L: F(L).cross_entropy(L.ones(3, 5), L.full((3, 5), 0.5), ignore_index=1),
    lambda L: F(L).cross_entropy(L.ones(3, 5), L.full((3, 5), 0.5), weight=L.ones(4)),
    lambda L: F(L).cross_entropy(L.ones(3, 5), L.tensor(1)),
    lambda L: F(L).cross_entropy(L.ones(5), L.tensor([1, 2])),
    lambda L: F(L).nll_loss(L.ones(3, 5), L.zeros(3, 1, dtype=L.long)),
    lambda L: F(L).nll_loss(L.ones(2, 3, 4), L.zeros(2, dtype=L.long)),
    lambda L: F(L).nll_loss(L.ones(3, 5), L.tensor([1., 0., 4.])),
    lambda L: F(L).nll_loss(L.ones(3, 5, dtype=L.long), L.tensor([1, 0, 4])),
    lambda L: F(L).nll_loss(L.tensor(1.), L.tensor(1)),
    lambda L: F(L).nll_loss(L.ones(3, 5), L.tensor([1, 0, 4]), weight=L.ones(5).double()),
    lambda L: F(L).mse_loss(L.ones(3, 2), L.ones(3, 3)),
    lambda L: F(L).mse_loss(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),
    lambda L: F(L).mse_loss(L.ones(3), L.ones(3), weight=L.ones(2)),
    lambda L: F(L).l1_loss(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),
    lambda L: F(L).smooth_l1_loss(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),
    lambda L: F(L).huber_loss(L.ones(3, dtype=L.long), L.ones(3)),
    lambda L: F(L).binary_cross_entropy(L.full((3,), 0.5), L.full((3, 1), 0.5)),
    lambda L: F(L).binary_cross_entropy(L.tensor([1.5]), L.tensor([1.0])),
    lambda L: F(L).binary_cross_entropy(L.full((3,), 0.5), L.full((3,), 0.5).double()),
    lambda L: F(L).binary_cross_entropy(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),
    lambda L: F(L).binary_cross_entropy_with_logits(L.full((3,), 0.5), L.full((4,), 0.5)),
    lambda L: F(L).kl_div(L.full((3,), 0.5), L.full((3,), 0.5), reduction="foo"),
    lambda L: F(L).kl_div(L.ones(3, dtype=L.long), L.full((3,), 0.5), reduction="sum"),
    lambda L: F(L).smooth_l1_loss(L.full((3,), 0.5), L.full((3,), 0.5), beta=-1.),
    lambda L: F(L).huber_loss(L.full((3,), 0.5), L.full((3,), 0.5), delta=0.),
    lambda L: F(L).multi_margin_loss(L.full((3, 5), 0.5), L.tensor([1, 0, 4]), p=3),
    lambda L: F(L).multi_margin_loss(L.full((3, 5), 0.5), L.tensor([1, 0])),
    lambda L: F(L).multi_margin_loss(L.full((3, 5), 0.5), L.tensor([1, 0, 4]), weight=L.ones(4)),
    lambda L: F(L).multilabel_margin_loss(L.full((3, 5), 0.5), L.tensor([1, 0, 4])),
    lambda L: F(L).gaussian_nll_loss(L.full((3, 5), 0.5), L.full((3, 5), 0.5), -L.ones(3, 5)),
    lambda L: F(L).gaussian_nll_loss(L.full((3, 5), 0.5), L.full((3, 5), 0.5), L.ones(3, 2)),
    lambda L: F(L).gaussian_nll_loss(L.full((3, 5), 0.5), L.full((3, 5), 0.5), L.ones(3, 5), reduction="x"),
    lambda L: F(L).poisson_nll_loss(L.full((3, 5), 0.5), L.full((3, 5), 0.5), reduction="x"),
    lambda L: F(L).triplet_margin_loss(L.full((3, 5), 0.5), L.full((3, 5), 0.5), L.ones(3, 2)),
    lambda L: F(L).triplet_margin_loss(L.full((3, 5), 0.5), L.full((3, 5), 0.5), L.ones(5)),
    lambda L: F(L).triplet_margin_loss(L.full((3, 5), 0.5), L.full((3, 5), 0.5), L.ones(3, 5), margin=0),
    lambda L: F(L).cosine_embedding_loss(L.full((3, 5), 0.5), L.full((3, 5), 0.5), L.ones(2)),
    lambda L: F(L).cosine_embedding_loss(L.full((3, 5), 0.5), L.full((3, 5), 0.5), L.ones(3, 1)),
    lambda L: F(L).cosine_embedding_loss(L.full((3, 5), 0.5), L.full((3, 5), 0.5), L.tensor(1.)),
    lambda L: F(L).margin_ranking_loss(L.full((3, 5), 0.5), L.full((3, 5), 0.5), L.ones(2)),
    lambda L: F(L).triplet_margin_with_distance_loss(L.full((3,), 0.5), L.full((3,), 0.5), L.full((3,), 0.5),
                                                     reduction="x"),
    lambda L: F(L).multilabel_soft_margin_loss(L.full((3,), 0.5), L.full((3,), 0.5), reduction="x"),
    lambda L: F(L).ctc_loss(L.ones(7, 3, 5), L.ones(3, 2, dtype=L.long), (7, 7, 8),
                            (2, 2, 2)),
    lambda L: F(L).ctc_loss(L.ones(7, 3, 5), L.ones(3, 2, dtype=L.long), (7, 7, 7),
                            (2, 2, 3)),
    lambda L: F(L).ctc_loss(L.ones(7, 3, 5), L.ones(3, 2, dtype=L.long), (7, 7), (2, 2, 2)),
    lambda L: F(L).ctc_loss(L.ones(7, 3, 5), L.ones(3, 2, dtype=L.long), (7, 7, 7),
                            (2, 2, 2), blank=5),
]


@needs_torch
@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_loss_errors(i):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(ERRORS[i], message=True)


@needs_torch
def test_size_warning():
    def run(L):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            F(L).mse_loss(L.ones(3, 1), L.ones(3))
            F(L).l1_loss(L.ones(3), L.ones(3), size_average=False)
        return [str(x.message) for x in w]

    check(run)


@needs_torch
def test_legacy_reduction_args():
    def run(L):
        x, y = L.tensor(X35), L.tensor(Y35)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [F(L).mse_loss(x, y, size_average=False), F(L).l1_loss(x, y, reduce=False),
                    F(L).cross_entropy(x, L.tensor(T3), size_average=False),
                    F(L).kl_div(x, y, reduce=False)]

    check(run)


# --------------------------------------------------------------------------------------------
# modules

MODULES = [
    ("L1Loss", lambda L: L.nn.L1Loss(), (X35, Y35)),
    ("MSELoss_sum", lambda L: L.nn.MSELoss(reduction="sum"), (X35, Y35)),
    ("MSELoss_legacy", lambda L: L.nn.MSELoss(size_average=False), (X35, Y35)),
    ("SmoothL1Loss", lambda L: L.nn.SmoothL1Loss(beta=0.5), (X35, Y35)),
    ("HuberLoss", lambda L: L.nn.HuberLoss(delta=2), (X35, Y35)),
    ("CrossEntropyLoss", lambda L: L.nn.CrossEntropyLoss(
        weight=L.tensor([1., 2., .5, 1., 3.]), ignore_index=0, label_smoothing=0.1), (X35, T3)),
    ("NLLLoss", lambda L: L.nn.NLLLoss(reduction="none"), (X35, T3)),
    ("BCELoss", lambda L: L.nn.BCELoss(weight=L.tensor(P5)), (P35, P35[::-1].copy())),
    ("BCEWithLogitsLoss", lambda L: L.nn.BCEWithLogitsLoss(pos_weight=L.tensor(P5)),
     (X35, P35)),
    ("KLDivLoss", lambda L: L.nn.KLDivLoss(reduction="batchmean", log_target=True), (X35, Y35)),
    ("PoissonNLLLoss", lambda L: L.nn.PoissonNLLLoss(full=True), (X35, P35 * 3)),
    ("GaussianNLLLoss", lambda L: L.nn.GaussianNLLLoss(full=True), (X35, Y35, P35)),
    ("HingeEmbeddingLoss", lambda L: L.nn.HingeEmbeddingLoss(margin=2.0), (X35, S35)),
    ("MultiLabelMarginLoss", lambda L: L.nn.MultiLabelMarginLoss(),
     (X35, np.array([[3, 0, -1, 1, 2], [1, 2, 3, 4, 0], [-1, 1, 2, 0, 0]]))),
    ("SoftMarginLoss", lambda L: L.nn.SoftMarginLoss(), (X35, S35)),
    ("MultiLabelSoftMarginLoss", lambda L: L.nn.MultiLabelSoftMarginLoss(weight=L.tensor(P5)),
     (X35, P35)),
    ("CosineEmbeddingLoss", lambda L: L.nn.CosineEmbeddingLoss(margin=0.2),
     (X35, Y35, np.array([1, -1, 1]))),
    ("MarginRankingLoss", lambda L: L.nn.MarginRankingLoss(margin=0.1), (X35, Y35, S35)),
    ("MultiMarginLoss", lambda L: L.nn.MultiMarginLoss(p=2, weight=L.tensor(P5)), (X35, T3)),
    ("TripletMarginLoss", lambda L: L.nn.TripletMarginLoss(margin=0.5, p=1, swap=True),
     (X35, Y35, P35)),
    ("CTCLoss", lambda L: L.nn.CTCLoss(blank=4, zero_infinity=True),
     (CTC_LP, np.array([[1, 2], [3, 3], [0, 1]]), np.array([7, 7, 6]), np.array([2, 2, 1]))),
]


@needs_torch
@pytest.mark.parametrize("name,ctor,inputs", MODULES, ids=[m[0] for m in MODULES])
def test_loss_module(name, ctor, inputs):
    def run(L):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = ctor(L)
            ts = [L.tensor(a) for a in inputs]
            ts[0].requires_grad_(True)
            out = m(*ts)
        out.sum().backward()
        return repr(m), list(m.state_dict().keys()), m.reduction, out, ts[0].grad

    check(run, rtol=1e-4, atol=1e-5)


@needs_torch
def test_loss_module_errors():
    check(lambda L: L.nn.MultiMarginLoss(p=3), message=True)
    check(lambda L: L.nn.MultiMarginLoss(weight=L.ones(2, 2)), message=True)
    check(lambda L: L.nn.TripletMarginLoss(margin=-1), message=True)
    check(lambda L: L.nn.TripletMarginWithDistanceLoss(margin=0), message=True)
    check(lambda L: L.nn.HuberLoss(delta="a"), message=True)


# Which targets get a gradient: PyTorch differentiates some losses w.r.t. a floating target,
# gives None for others (built from comparisons) and refuses where its kernel has no formula.
TARGET_GRAD = [
    ("mse", lambda F_, x, t: F_.mse_loss(x, t), P35),
    ("bce", lambda F_, x, t: F_.binary_cross_entropy(x, t), P35),
    ("kl_log", lambda F_, x, t: F_.kl_div(x, t, log_target=True), P35),
    ("ce_prob", lambda F_, x, t: F_.cross_entropy(x, t, label_smoothing=0.2), P35),
    ("hinge", lambda F_, x, t: F_.hinge_embedding_loss(x, t), S35),
    ("soft_margin", lambda F_, x, t: F_.soft_margin_loss(x, t), S35),
    ("margin_ranking", lambda F_, x, t: F_.margin_ranking_loss(x, x * 0.5, t), S35),
]


@needs_torch
@pytest.mark.parametrize("name,fn,target", TARGET_GRAD, ids=[c[0] for c in TARGET_GRAD])
def test_loss_target_requires_grad(name, fn, target):
    def run(L):
        x, t = L.tensor(P35, requires_grad=True), L.tensor(target, requires_grad=True)
        out = fn(F(L), x, t)
        out.backward()
        return out, x.grad, t.grad

    check(run, message=True)
