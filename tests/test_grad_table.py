"""Gradients of the whole tensor-op table against PyTorch.

``test_every_op_has_a_gradient_test`` walks the op registry: every tensor op (nn families
aside) must either have a gradient sample here (``GRADS``), be covered by a family's own
gradient tests (``TESTED_ELSEWHERE``), or be listed as not differentiable (``NO_GRAD``) — so a
new op cannot arrive without its gradient being compared with PyTorch's.

``CONVENTIONS`` pins PyTorch's derivative conventions where JAX's natural ones differ: kinks
(relu/abs/clamp at the boundary, sign at 0), ties (max/min, maximum/minimum, amax, median,
sort), norms at 0, ``where`` with NaN/inf in the unselected branch, NaN propagation.
"""
import warnings

import numpy as np
import pytest

import jtorch
from jtorch._ops._registry import OPS
from oracle import check_grad, needs_torch


def _r(*shape, seed=0, lo=None):
    a = np.random.default_rng(seed + 11 * len(shape)).standard_normal(shape).astype(np.float32)
    return np.abs(a) + lo if lo is not None else a


def f32(*v):
    return np.array(v, np.float32)


def _spd(n, seed=0):
    a = _r(n, n, seed=seed)
    return (a @ a.T + n * np.eye(n)).astype(np.float32)


def _nonleaf(x):
    # in-place ops need a non-leaf target; `* 1` keeps the graph connected to the leaf
    return x * 1


# op name -> (fn(lib, *tensors), *numpy inputs); float inputs become leaves requiring grad
GRADS = {
    # conversions
    "to": (lambda t, x: x.to(t.float64) * x.to("cpu", t.float16).float(), _r(3)),
    "type": (lambda t, x: x.type(t.float64) + x.type("torch.DoubleTensor"), _r(3)),
    "type_as": (lambda t, x, y: x.type_as(y), _r(3), _r(3).astype(np.float64)),
    "float": (lambda t, x: x.float(), _r(3).astype(np.float64)),
    "double": (lambda t, x: x.double(), _r(3)),
    "half": (lambda t, x: x.half().float(), f32(0.5, 1.25, -2.0)),
    "bfloat16": (lambda t, x: x.bfloat16().float(), f32(0.5, 1.25, -2.0)),
    "cfloat": (lambda t, x: x.cfloat().abs(), _r(3)),
    "cdouble": (lambda t, x: x.cdouble().real, _r(3)),
    "cpu": (lambda t, x: x.cpu() * 2, _r(3)),
    "fill": (lambda t, x: t.fill(x, 2.0) * x, _r(3)),
    "fill_diagonal_": (lambda t, x: _nonleaf(x).fill_diagonal_(2.0), _r(3, 3)),
    "sum_to_size": (lambda t, x: x.sum_to_size(1, 3), _r(2, 3)),
    "fill_": (lambda t, x, v: _nonleaf(x).fill_(v) * x, _r(3), f32(2.0).reshape(())),
    # indexing / linear algebra in place
    "index_put_": (lambda t, x, v: _nonleaf(x).index_put_((t.tensor([0, 2]),), v), _r(4),
                   _r(2, seed=1)),
    "addmm_": (lambda t, c, a, b: _nonleaf(c).addmm_(a, b, beta=0.5), _r(2, 2), _r(2, 3),
               _r(3, 2, seed=1)),
    "addmv_": (lambda t, c, a, v: _nonleaf(c).addmv_(a, v, alpha=2), _r(2), _r(2, 3), _r(3)),
    "addr_": (lambda t, c, a, b: _nonleaf(c).addr_(a, b), _r(2, 3), _r(2), _r(3)),
    "addbmm_": (lambda t, c, a, b: _nonleaf(c).addbmm_(a, b), _r(2, 2), _r(3, 2, 4),
                _r(3, 4, 2, seed=1)),
    "baddbmm_": (lambda t, c, a, b: _nonleaf(c).baddbmm_(a, b), _r(3, 2, 2), _r(3, 2, 4),
                 _r(3, 4, 2, seed=1)),
    "chain_matmul": (lambda t, a, b, c: t.chain_matmul(a, b, c), _r(2, 3), _r(3, 4),
                     _r(4, 2)),
    # decompositions (torch.* spellings; torch.linalg.* in test_linalg_decomp.py)
    "cholesky": (lambda t, a: t.cholesky(a), _spd(3)),
    "det": (lambda t, a: t.det(a), _spd(3)),
    "slogdet": (lambda t, a: t.slogdet(a)[1], _spd(3)),
    "matrix_power": (lambda t, a: t.matrix_power(a, 3), _r(3, 3)),
    "pinverse": (lambda t, a: t.pinverse(a), _r(3, 2)),
    "qr": (lambda t, a: t.qr(a), _r(3, 3)),
    "svd": (lambda t, a: t.svd(a)[1], _r(3, 2)),
    "triangular_solve": (lambda t, b, a: t.triangular_solve(b, a.triu() + 3 * t.eye(3))[0],
                         _r(3, 2), _r(3, 3)),
    "lu": (lambda t, a: t.lu(a)[0], _spd(3)),
    "lu_solve": (lambda t, b, a: t.lu_solve(b, *t.linalg.lu_factor(a)), _r(3, 2), _spd(3)),
    "lu_unpack": (lambda t, a: t.lu_unpack(*t.linalg.lu_factor(a))[1:], _spd(3)),
    # pointwise
    "ldexp_": (lambda t, x, e: _nonleaf(x).ldexp_(e), _r(3), np.array([1, 0, 3])),
    "float_power_": (lambda t, x: _nonleaf(x).float_power_(2), _r(3).astype(np.float64)),
    "true_divide": (lambda t, x, y: t.true_divide(x, y), _r(3), _r(3, seed=1, lo=0.5)),
    "mvlgamma": (lambda t, x: t.mvlgamma(x, 2), f32(1.5, 2.5, 4.0)),
    "resolve_conj": (lambda t, x: t.resolve_conj(x * 2), _r(3)),
    "resolve_neg": (lambda t, x: t.resolve_neg(x * 2), _r(3)),
    # shape and views
    "atleast_1d": (lambda t, x: t.atleast_1d(x), f32(2.0).reshape(())),
    "atleast_2d": (lambda t, x: t.atleast_2d(x), _r(3)),
    "flipud": (lambda t, x: t.flipud(x), _r(3, 2)),
    "adjoint": (lambda t, x: x.adjoint(), _r(2, 3)),
    "as_strided": (lambda t, x: x.as_strided((2, 2), (1, 2), 1), _r(6)),
    "as_strided_": (lambda t, x: _nonleaf(x).as_strided_((2, 2), (2, 1)), _r(6)),
    "broadcast_to": (lambda t, x: t.broadcast_to(x, (2, 3)), _r(3)),
    "contiguous": (lambda t, x: x.t().contiguous(), _r(2, 3)),
    "expand_as": (lambda t, x: x.expand_as(t.ones(2, 3)), _r(3)),
    "flatten": (lambda t, x: x.flatten(), _r(2, 3)),
    "permute": (lambda t, x: x.permute(2, 0, 1), _r(2, 3, 2)),
    "ravel": (lambda t, x: x.t().ravel(), _r(2, 3)),
    "reshape_as": (lambda t, x: x.reshape_as(t.ones(3, 2)), _r(2, 3)),
    "squeeze": (lambda t, x: x.squeeze(1), _r(2, 1, 3)),
    "squeeze_": (lambda t, x: _nonleaf(x).squeeze_(), _r(2, 1, 3)),
    "unsqueeze": (lambda t, x: x.unsqueeze(-1), _r(2, 3)),
    "unsqueeze_": (lambda t, x: _nonleaf(x).unsqueeze_(0), _r(2, 3)),
    "transpose": (lambda t, x: x.transpose(0, 2), _r(2, 3, 2)),
    "transpose_": (lambda t, x: _nonleaf(x).transpose_(0, 1), _r(2, 3)),
    "t_": (lambda t, x: _nonleaf(x).t_(), _r(2, 3)),
    "view_as": (lambda t, x: x.view_as(t.ones(3, 2)), _r(2, 3)),
    "hsplit": (lambda t, x: t.hsplit(x, 3), _r(2, 3)),
    "vsplit": (lambda t, x: t.vsplit(x, [1]), _r(2, 3)),
    "dsplit": (lambda t, x: t.dsplit(x, 2), _r(1, 2, 2)),
    "split_with_sizes": (lambda t, x: t.split_with_sizes(x, [1, 2], 1), _r(2, 3)),
    "unsafe_split": (lambda t, x: t.unsafe_split(x, 2, 1), _r(2, 3)),
    "unsafe_chunk": (lambda t, x: t.unsafe_chunk(x, 2, 1), _r(2, 3)),
    "unsafe_split_with_sizes": (lambda t, x: t.unsafe_split_with_sizes(x, [2, 1]), _r(3, 2)),
    "view_as_real": (lambda t, x: t.view_as_real(t.complex(x, x * 2)), _r(2, 3)),
    "view_as_complex": (lambda t, x: t.view_as_complex(x).abs(), _r(3, 2)),
    "diagonal_scatter": (lambda t, x, y: t.diagonal_scatter(x, y), _r(2, 3), _r(2, seed=1)),
    "select_scatter": (lambda t, x, y: t.select_scatter(x, y, 0, 1), _r(2, 3), _r(3, seed=1)),
    "slice_scatter": (lambda t, x, y: t.slice_scatter(x, y, 1, 1), _r(2, 3), _r(2, 2, seed=1)),
    "narrow_copy": (lambda t, x: t.narrow_copy(x, 1, 1, 2), _r(2, 3)),
    "view_copy": (lambda t, x: t.view_copy(x, (3, 2)), _r(2, 3)),
    "t_copy": (lambda t, x: t.t_copy(x), _r(2, 3)),
    "permute_copy": (lambda t, x: t.permute_copy(x, (1, 0)), _r(2, 3)),
    "transpose_copy": (lambda t, x: t.transpose_copy(x, 0, 1), _r(2, 3)),
    "expand_copy": (lambda t, x: t.expand_copy(x, (2, 2, 3)), _r(2, 3)),
    "squeeze_copy": (lambda t, x: t.squeeze_copy(x), _r(1, 3)),
    "unsqueeze_copy": (lambda t, x: t.unsqueeze_copy(x, 1), _r(2, 3)),
    "diagonal_copy": (lambda t, x: t.diagonal_copy(x), _r(2, 3)),
    "select_copy": (lambda t, x: t.select_copy(x, 1, 2), _r(2, 3)),
    "unbind_copy": (lambda t, x: t.unbind_copy(x), _r(2, 3)),
    "split_copy": (lambda t, x: t.split_copy(x, 2, 1), _r(2, 3)),
    "split_with_sizes_copy": (lambda t, x: t.split_with_sizes_copy(x, [2, 1], 1), _r(2, 3)),
    "unfold_copy": (lambda t, x: t.unfold_copy(x, 0, 2, 1), _r(3)),
    "as_strided_copy": (lambda t, x: t.as_strided_copy(x, (2, 2), (1, 2)), _r(6)),
    "view_as_real_copy": (lambda t, x: t.view_as_real_copy(t.complex(x, x)), _r(3)),

    # statistics and integration
    "cov": (lambda t, x: t.cov(x, fweights=t.tensor([1, 2, 1, 1]),
                               aweights=t.tensor([0.5, 1.0, 1, 2])), _r(2, 4)),
    "corrcoef": (lambda t, x: t.corrcoef(x), _r(2, 4)),
    "trapezoid": (lambda t, y, x: t.trapezoid(y, x) + t.trapezoid(y, dx=0.5), _r(2, 4),
                  np.sort(_r(4, seed=1))),
    "trapz": (lambda t, y: t.trapz(y, dim=0), _r(2, 4)),
    "cumulative_trapezoid": (lambda t, y: t.cumulative_trapezoid(y), _r(2, 4)),
    "renorm": (lambda t, x: t.renorm(x, 2, 0, 1.0) + t.renorm(x, 1, 1, 0.5), _r(2, 4)),
    # torch.special
    "entr": (lambda t, x: t.special.entr(x), f32(0.25, 0.5, 2.0)),
    "erfcx": (lambda t, x: t.special.erfcx(x), f32(-1.0, 0.5, 3.0, 12.0)),
    "i0e": (lambda t, x: t.special.i0e(x), f32(-1.5, 0.5, 3.0)),
    "i1": (lambda t, x: t.special.i1(x), f32(-1.5, 0.5, 3.0)),
    "i1e": (lambda t, x: t.special.i1e(x), f32(-1.5, 0.5, 3.0)),
    "ndtr": (lambda t, x: t.special.ndtr(x), f32(-1.5, 0.0, 3.0)),
    "ndtri": (lambda t, x: t.special.ndtri(x), f32(0.1, 0.5, 0.8)),
    "log_ndtr": (lambda t, x: t.special.log_ndtr(x), f32(-10.0, 0.0, 3.0)),
    "xlog1py": (lambda t, x, y: t.special.xlog1py(x, y), f32(0.0, 1.5, 2.0), f32(0.5, -0.5, 3.0)),
    # random: PyTorch's samplers pass zero gradients (no reparameterisation)
    "normal": (lambda t, m, s: t.normal(m, s) * 0 + t.normal(m, 1.0) * 0 + t.normal(0.5, s) * 0,
               _r(3), _r(3, lo=0.5)),
    "bernoulli": (lambda t, p: t.bernoulli(p) * 0, f32(0.2, 0.7)),
    "poisson": (lambda t, x: t.poisson(x) * 0, f32(0.2, 0.7)),
    "uniform_": (lambda t, x: _nonleaf(x).uniform_() * 0 + x, _r(3)),
    "normal_": (lambda t, x: _nonleaf(x).normal_() * 0 + x, _r(3)),
    "exponential_": (lambda t, x: _nonleaf(x).exponential_() * 0 + x, _r(3)),
    "bernoulli_": (lambda t, x: _nonleaf(x).bernoulli_(0.5) * 0 + x, _r(3)),
    "random_": (lambda t, x: _nonleaf(x).random_(0, 5) * 0 + x, _r(3)),
    "geometric_": (lambda t, x: _nonleaf(x).geometric_(0.5) * 0 + x, _r(3)),
    "cauchy_": (lambda t, x: _nonleaf(x).cauchy_() * 0 + x, _r(3)),
    "log_normal_": (lambda t, x: _nonleaf(x).log_normal_() * 0 + x, _r(3)),
}

# ops whose gradients the family test modules compare with PyTorch (test_pointwise*,
# test_reduction, test_shape, test_scatter, test_indexing, test_linalg*, test_sort,
# test_views, test_creation, test_operators, test_autograd): found by recording which
# registered ops ran inside ``check_grad`` over those modules
TESTED_ELSEWHERE = set("""
abs acos acosh add addbmm addcdiv addcmul addmm addmv addr amax amin aminmax angle asin asinh
atan atan2 atanh atleast_3d baddbmm block_diag bmm broadcast_tensors cartesian_prod cat cdist
ceil cholesky_inverse cholesky_solve chunk clamp clamp_max clamp_min clone column_stack
combinations complex conj conj_physical copy_ copysign cos cosh cross cummax cummin cumprod
cumsum diag diag_embed diagflat diagonal diff digamma dist div dot dstack einsum erf erfc erfinv
exp exp2 expand expm1 flip fliplr float_power floor fmax fmin fmod frac gather hstack hypot i0
imag index_add index_copy index_fill index_put index_reduce index_select inner inverse kron
kthvalue lerp lgamma log log10 log1p log2 logaddexp logaddexp2 logcumsumexp logdet logit
logsumexp masked_fill masked_fill_ masked_scatter masked_select matmul max maximum mean median
meshgrid min minimum mm mode movedim msort mul mv nan_to_num nanmean nanmedian nanquantile
nansum narrow neg nextafter norm outer polar polygamma positive pow prod put quantile real
reciprocal relu remainder repeat repeat_interleave reshape roll rot90 round rsqrt rsub scatter
scatter_add scatter_reduce select sgn sigmoid sign sin sinc sinh sort split sqrt square stack
std std_mean sub sum t take take_along_dim tan tanh tensor_split tensordot tile topk trace tril
triu trunc unbind unflatten unfold var var_mean vdot view vstack where xlogy zero_
matrix_exp vander deg2rad rad2deg frexp ldexp igamma igammac
""".split())  # matrix_exp, vander: as torch.linalg.* (torch.vander's own backward fails in torch)

# integer/boolean results, creation, sampling of indices, metadata and comparisons: no gradient
# flows (or PyTorch refuses one: floor_divide/heaviside/resize_ are tested with their family;
# detach_copy and view_as_complex_copy have no derivative in PyTorch); the JAX/DLPack exports
# hand out the array itself (tests/test_interop.py)
NO_GRAD = set("""
bool byte char int long short cuda
arange as_tensor asarray empty empty_like empty_strided eye from_numpy full full_like linspace
logspace new new_empty new_full new_ones new_tensor new_zeros ones ones_like scalar_tensor tensor
zeros zeros_like tril_indices triu_indices
argwhere nonzero argsort argmax argmin all any count_nonzero
bitwise_not bitwise_and bitwise_or bitwise_xor bitwise_left_shift bitwise_right_shift
floor_divide heaviside isinf isnan isneginf isposinf isreal isfinite logical_not logical_and
logical_or logical_xor signbit eq ne lt le gt ge equal allclose isclose is_conj is_neg
multinomial rand rand_like randint randint_like randn randn_like randperm
bincount bucketize histc histogram isin searchsorted unique unique_consecutive
broadcast_shapes resize_ resize_as_ gcd lcm
is_nonzero is_same_size new_empty_strided apply_ map_ map2_
as_strided_scatter detach_copy view_as_complex_copy unravel_index
__dlpack__ __dlpack_device__ jax spherical_bessel_j0 zeta
""".split())  # as_strided_scatter: PyTorch's own input gradient zeroes other positions

_NN = ("nn_", "loss")


def _tensor_ops():
    return {e.name for e in OPS.values() if not e.family.startswith(_NN)}


def test_every_op_has_a_gradient_test():
    missing = sorted(n for n in _tensor_ops() if n not in GRADS and n not in TESTED_ELSEWHERE
                     and n not in NO_GRAD)
    assert not missing, f"ops without a gradient test or a NO_GRAD entry: {missing}"
    overlap = sorted(set(GRADS) & NO_GRAD)
    assert not overlap, overlap


@needs_torch
@pytest.mark.parametrize("name", sorted(GRADS))
def test_op_grad(name):
    fn, *inputs = GRADS[name]
    random = name in ("normal", "bernoulli", "poisson") or name.endswith("_") and name[:-1] in {
        "uniform", "normal", "exponential", "bernoulli", "random", "geometric", "cauchy",
        "log_normal"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grad(fn, *inputs, rtol=1e-4, atol=1e-5, check_forward=not random)


NAN, INF = np.nan, np.inf

CONVENTIONS = {
    # kinks: PyTorch's subgradient choice
    "relu_at_0": (lambda t, x: t.relu(x), f32(-1, 0, -0.0, 2)),
    "relu_nan": (lambda t, x: t.relu(x), f32(NAN, 0.5)),
    "abs_at_0": (lambda t, x: t.abs(x), f32(-1, 0, -0.0, 2)),
    "sign_at_0": (lambda t, x: t.sign(x), f32(0, 1)),
    "clamp_at_bounds": (lambda t, x: t.clamp(x, 0, 1), f32(-1, 0, 0.5, 1, 2)),
    "clamp_min_at_bound": (lambda t, x: t.clamp(x, min=0), f32(-1, 0, 1)),
    "clamp_max_at_bound": (lambda t, x: t.clamp_max(x, 1), f32(-1, 1, 2)),
    "clamp_min_gt_max": (lambda t, x: t.clamp(x, 1, 0), f32(-1, 0.5, 2)),
    "clamp_nan": (lambda t, x: t.clamp(x, 0, 1), f32(NAN, 0.5)),
    "clamp_tensor_bounds": (lambda t, x, lo, hi: t.clamp(x, lo, hi), f32(-1, 0, 0.5, 1, 2),
                            f32(0, 0, 0, 0, 0), f32(1, 1, 1, 1, 1)),
    "clamp_tensor_inverted": (lambda t, x, lo, hi: t.clamp(x, lo, hi), f32(-1, 0, 0.5, 1, 2),
                              f32(1, 1, 1, 1, 1), f32(0, 0, 0, 0, 0)),
    "round_half": (lambda t, x: t.round(x), f32(0.5, 1.5)),
    "remainder_at_multiple": (lambda t, x, y: t.remainder(x, y), f32(4, -3, 5), f32(2, 3, 2)),
    "fmod_at_multiple": (lambda t, x, y: t.fmod(x, y), f32(4, -3, 5), f32(2, 3, 2)),
    "div_floor": (lambda t, x, y: t.div(x, y, rounding_mode="floor"), f32(4, -3, 5),
                  f32(2, 3, 2)),
    "copysign_zero": (lambda t, x, y: t.copysign(x, y), f32(0, -1, 2), f32(-1, 0, -0.0)),
    # ties
    "max_full_ties": (lambda t, x: t.max(x), f32(1, 3, 3, 2)),
    "min_full_ties": (lambda t, x: t.min(x), f32(1, 1, 3, 2)),
    "amax_ties": (lambda t, x: t.amax(x, 1), f32(1, 3, 3, 2, 2, 2).reshape(2, 3)),
    "amin_ties": (lambda t, x: t.amin(x), f32(1, 1, 3, 2, 2, 1).reshape(2, 3)),
    "max_dim_ties": (lambda t, x: t.max(x, 1).values, f32(1, 3, 3, 2, 2, 2).reshape(2, 3)),
    "min_dim_ties": (lambda t, x: t.min(x, 0)[0], f32(1, 3, 3, 1, 2, 3).reshape(2, 3)),
    "aminmax_ties": (lambda t, x: t.aminmax(x), f32(1, 3, 3, 1)),
    "maximum_ties": (lambda t, x, y: t.maximum(x, y), f32(1, 2, 3), f32(1, 0, 3)),
    "minimum_ties": (lambda t, x, y: t.minimum(x, y), f32(1, 2, 3), f32(1, 0, 3)),
    "fmax_ties_nan": (lambda t, x, y: t.fmax(x, y), f32(1, 2, NAN), f32(1, NAN, 3)),
    "fmin_ties_nan": (lambda t, x, y: t.fmin(x, y), f32(1, 2, NAN), f32(1, NAN, 3)),
    "median_ties": (lambda t, x: t.median(x), f32(1, 2, 2, 3)),
    "median_dim_ties": (lambda t, x: t.median(x, 0)[0], f32(2, 1, 2, 2)),
    "nanmedian_ties": (lambda t, x: t.nanmedian(x), f32(2, NAN, 2)),
    "kthvalue_ties": (lambda t, x: t.kthvalue(x, 2)[0], f32(2, 1, 2, 2)),
    "mode_ties": (lambda t, x: t.mode(x)[0], f32(2, 1, 2, 1)),
    "sort_ties": (lambda t, x: t.sort(x)[0], f32(2, 1, 2, 1)),
    "cummax_ties": (lambda t, x: t.cummax(x, 0)[0], f32(2, 1, 2, 3, 3)),
    "cummin_ties": (lambda t, x: t.cummin(x, 0)[0], f32(2, 3, 2, 1, 1)),
    "quantile_ties": (lambda t, x: t.quantile(x, 0.5), f32(1, 2, 2, 3)),
    "norm_inf_ties": (lambda t, x: t.norm(x, p=float("inf")), f32(3, -3, 1)),
    "vector_norm_inf_ties": (lambda t, x: t.linalg.vector_norm(x, ord=float("inf")),
                             f32(3, -3, 1)),
    "vector_norm_minf_ties": (lambda t, x: t.linalg.vector_norm(x, ord=-float("inf")),
                              f32(1, -1, 3)),
    # NaN propagation
    "maximum_nan": (lambda t, x, y: t.maximum(x, y), f32(1, NAN), f32(NAN, 0)),
    "max_nan": (lambda t, x: t.max(x), f32(1, NAN, 3)),
    "max_dim_nan": (lambda t, x: t.max(x, 0)[0], f32(1, NAN, 3)),
    "amax_nan": (lambda t, x: t.amax(x), f32(1, NAN, 3, NAN)),
    # norms and distances at 0
    "norm_at_0": (lambda t, x: t.norm(x), f32(0, 0, 0)),
    "norm_dim_at_0": (lambda t, x: t.norm(x, dim=1), f32(0, 0, 3, 4).reshape(2, 2)),
    "norm1_at_0": (lambda t, x: t.norm(x, p=1), f32(0, 1, -2)),
    "norm3_at_0": (lambda t, x: t.norm(x, p=3), f32(0, 0, 0)),
    "vector_norm_at_0": (lambda t, x: t.linalg.vector_norm(x), f32(0, 0)),
    "matrix_norm_at_0": (lambda t, x: t.linalg.matrix_norm(x), np.zeros((2, 2), np.float32)),
    "dist_at_0": (lambda t, x, y: t.dist(x, y), f32(1, 2), f32(1, 2)),
    "hypot_at_0": (lambda t, x, y: t.hypot(x, y), f32(0, 3), f32(0, 4)),
    "std_of_constant": (lambda t, x: t.std(x), f32(1, 1, 1)),
    "std_mean_of_constant": (lambda t, x: t.std_mean(x), f32(1, 1)),
    "var_single": (lambda t, x: t.var(x), f32(1)),
    # where with NaN/inf in the branch that is not selected
    "where_log_branch": (lambda t, x: t.where(x > 0, t.log(x), t.zeros_like(x)), f32(-1, 0, 2)),
    "where_nan_other": (lambda t, x: t.where(x > 0, x, t.tensor(float("nan"))), f32(-1, 0, 2)),
    "where_sqrt_branch": (lambda t, x: t.where(x > 0, x.sqrt(), x), f32(-1, 0, 4)),
    # singular points
    "sqrt_at_0": (lambda t, x: t.sqrt(x), f32(0, 1)),
    "pow_0_0": (lambda t, x, y: t.pow(x, y), f32(0, 0, 2, -1), f32(0, 2, 0, 2)),
    "pow_scalar_half_at_0": (lambda t, x: x ** 0.5, f32(0, 4)),
    "pow_0_base": (lambda t, x: 0 ** x, f32(0, 1)),
    "pow_frac_negative": (lambda t, x: x ** 1.5, f32(-1, 0, 1)),
    "atan2_at_origin": (lambda t, x, y: t.atan2(x, y), f32(0, 1), f32(0, 0)),
    "xlogy_zeros": (lambda t, x, y: t.xlogy(x, y), f32(0, 0, 1), f32(0, 1, 0)),
    "prod_one_zero": (lambda t, x: t.prod(x), f32(1, 0, 3)),
    "prod_two_zeros": (lambda t, x: t.prod(x), f32(0, 0, 3)),
    "prod_dim_zeros": (lambda t, x: t.prod(x, 1), f32(1, 0, 3, 0, 0, 2, 1, 2, 3).reshape(3, 3)),
    "cumprod_zeros": (lambda t, x: t.cumprod(x, 0), f32(2, 0, 3, 0, 1)),
    "logsumexp_all_minf": (lambda t, x: t.logsumexp(x, 0), f32(-INF, -INF)),
    "logsumexp_inf": (lambda t, x: t.logsumexp(x, 0), f32(INF, 1)),
    "logaddexp_minf": (lambda t, x, y: t.logaddexp(x, y), f32(-INF, 1), f32(-INF, 1)),
    "sinc_at_0": (lambda t, x: t.sinc(x), f32(0, 1)),
    "nan_to_num_specials": (lambda t, x: t.nan_to_num(x, 1.0, 2.0, -2.0), f32(NAN, INF, -INF, 1)),
    "angle_real": (lambda t, x: t.angle(x), f32(-1, 0, 2)),
    "cdist_p0": (lambda t, x, y: t.cdist(x, y, p=0), f32(0, 1).reshape(1, 2),
                 f32(0, 2).reshape(1, 2)),
    "cdist_pinf_ties": (lambda t, x, y: t.cdist(x, y, p=float("inf")),
                        f32(0, 1, 2, 2).reshape(2, 2), f32(1, 0).reshape(1, 2)),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(CONVENTIONS))
def test_gradient_convention(name):
    fn, *inputs = CONVENTIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grad(fn, *inputs)


def test_normal_is_not_reparameterised():
    m = jtorch.zeros(3, requires_grad=True)
    s = jtorch.ones(3, requires_grad=True)
    y = jtorch.normal(m, s)
    assert type(y.grad_fn).__name__ == "NormalBackward3"
    gm, gs = jtorch.autograd.grad(y.sum(), (m, s))
    assert gm.tolist() == [0.0] * 3 and gs.tolist() == [0.0] * 3
