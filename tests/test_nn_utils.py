"""torch.nn.utils compared with PyTorch: clipping, parameter vectors, parametrize and the
parametrizations, the old weight/spectral norm hooks, functional_call."""
import math
import warnings

import numpy as np
import pytest

import jtorch
from nn_oracle import check_module, copy_state
from oracle import TORCH, check, needs_torch

pytestmark = needs_torch


def rnd(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _net(lib, seed=0):
    m = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    with lib.no_grad():
        for i, p in enumerate(m.parameters()):
            p.copy_(lib.tensor(rnd(*p.shape, seed=seed + i)))
    return m


def _with_grads(lib, scale=1.0):
    m = _net(lib)
    (m(lib.tensor(rnd(5, 3, seed=9))) * scale).sum().backward()
    return m


# --------------------------------------------------------------------------------------------
# clipping

@pytest.mark.parametrize("norm_type", [2.0, 1, math.inf, 0.5, 3.0])
@pytest.mark.parametrize("max_norm", [0.1, 1e3])
def test_clip_grad_norm(norm_type, max_norm):
    def run(lib):
        m = _with_grads(lib)
        g = m[0].weight.grad
        total = lib.nn.utils.clip_grad_norm_(m.parameters(), max_norm, norm_type=norm_type)
        return total, [p.grad for p in m.parameters()], m[0].weight.grad is g

    check(run, rtol=1e-5, atol=1e-6)


def test_clip_grad_norm_variants():
    def run(lib):
        m = _with_grads(lib)
        m[2].bias.grad = None
        a = lib.nn.utils.clip_grad_norm_(m[0].weight, 0.5, foreach=True)
        b = lib.nn.utils.clip_grad_norm_([p for p in m.parameters()], 1.0, 2, False, False)
        c = lib.nn.utils.clip_grad_norm_([], 1.0)
        d = lib.nn.utils.clip_grad_norm_(lib.nn.Linear(2, 2).parameters(), 1.0)
        return a, b, c, d, [p.grad for p in m.parameters()]

    check(run, rtol=1e-5, atol=1e-6)


def test_clip_grad_norm_double_and_deprecated():
    def run(lib):
        m = _with_grads(lib).double()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            total = lib.nn.utils.clip_grad_norm(m.parameters(), 0.3)
        return total, m[0].bias.grad, [str(x.message) for x in w]

    check(run)


def test_clip_grad_norm_empty_generator_warns():
    def run(lib):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = lib.nn.utils.clip_grad_norm_((p for p in []), 1.0)
        return r, [str(x.message) for x in w]

    check(run)


def test_clip_grad_norm_nonfinite():
    def run(lib):
        m = _with_grads(lib)
        with lib.no_grad():
            m[0].weight.grad.fill_(float("nan"))
        a = lib.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        return a, lib.nn.utils.clip_grad_norm_(m.parameters(), 1.0, error_if_nonfinite=True)

    check(run, message=True)


def test_get_total_norm_and_clip_with_norm():
    def run(lib):
        m = _with_grads(lib)
        grads = [p.grad for p in m.parameters()]
        total = lib.nn.utils.get_total_norm(grads, norm_type=3.0)
        lib.nn.utils.clip_grads_with_norm_(m.parameters(), 0.2, total)
        return total, grads, lib.nn.utils.get_total_norm([])

    check(run, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("clip", [0.05, 1.0])
def test_clip_grad_value(clip):
    def run(lib):
        m = _with_grads(lib, scale=3.0)
        g = m[2].weight.grad
        r = lib.nn.utils.clip_grad_value_(m.parameters(), clip)
        return r, [p.grad for p in m.parameters()], m[2].weight.grad is g

    check(run)


def test_clip_in_training_loop():
    def run(lib):
        m = _net(lib)
        opt_x = lib.tensor(rnd(5, 3, seed=4))
        norms = []
        for _ in range(3):
            m.zero_grad()
            m(opt_x).pow(2).sum().backward()
            norms.append(lib.nn.utils.clip_grad_norm_(m.parameters(), 0.5))
            with lib.no_grad():
                for p in m.parameters():
                    p.sub_(p.grad * 0.1)
        return norms, list(m.parameters())

    check(run, rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------------------------
# parameters <-> vector

def test_parameters_to_vector_and_back():
    def run(lib):
        m = _net(lib)
        v = lib.nn.utils.parameters_to_vector(m.parameters())
        lib.nn.utils.vector_to_parameters(v * 2, m.parameters())
        return v, list(m.parameters()), [type(p).__name__ for p in m.parameters()]

    check(run)


def test_vector_to_parameters_type_error():
    check(lambda lib: lib.nn.utils.vector_to_parameters([1.0], lib.nn.Linear(1, 1).parameters()),
          message=True)


# --------------------------------------------------------------------------------------------
# parametrize

def _scale_param(lib):
    class Double(lib.nn.Module):
        def forward(self, X):
            return X * 2

        def right_inverse(self, X):
            return X / 2

    return Double


def _plus_one(lib):
    class PlusOne(lib.nn.Module):
        def forward(self, X):
            return X + 1

    return PlusOne


def test_register_parametrization():
    def run(lib):
        P = lib.nn.utils.parametrize
        m = _net(lib)[0]
        w0 = m.weight.detach().clone()
        P.register_parametrization(m, "weight", _scale_param(lib)())
        a = (repr(m), type(m).__name__, list(m.state_dict()), P.is_parametrized(m),
             P.is_parametrized(m, "weight"), P.is_parametrized(m, "bias"),
             P.type_before_parametrizations(m).__name__, m.weight, type(m.weight).__name__,
             m.parametrizations.weight.original, [n for n, _ in m.named_parameters()])
        y = m(lib.ones(2, 3))
        y.sum().backward()
        b = (y, m.parametrizations.weight.original.grad, type(m.weight.grad_fn).__name__)
        m.weight = w0 * 4  # right_inverse: original = w / 2
        c = (m.parametrizations.weight.original, m.weight)
        P.register_parametrization(m, "weight", _plus_one(lib)())
        d = (repr(m), m.weight)
        P.remove_parametrizations(m, "weight")
        e = (repr(m), type(m).__name__, m.weight, type(m.weight).__name__, list(m.state_dict()),
             m.weight.requires_grad)
        return a, b, c, d, e

    check(run)


def test_remove_parametrizations_keep_original():
    def run(lib):
        P = lib.nn.utils.parametrize
        m = _net(lib)[0]
        P.register_parametrization(m, "weight", _plus_one(lib)())
        P.register_parametrization(m, "bias", _plus_one(lib)())
        P.remove_parametrizations(m, "weight", leave_parametrized=False)
        a = (type(m).__name__, m.weight, list(m.state_dict()))
        P.remove_parametrizations(m, "bias")
        return a, type(m).__name__, m.bias, hasattr(m, "parametrizations")

    check(run)


def test_parametrize_cached():
    def run(lib):
        P = lib.nn.utils.parametrize
        m = _net(lib)[0]
        P.register_parametrization(m, "weight", _plus_one(lib)())
        with P.cached():
            a = m.weight is m.weight
        return a, m.weight is m.weight

    check(run)


def test_parametrize_buffer_and_multi_output():
    def run(lib):
        P = lib.nn.utils.parametrize

        class Sum2(lib.nn.Module):
            def forward(self, a, b):
                return a + b

            def right_inverse(self, X):
                return X * 0.25, X * 0.75

        m = lib.nn.BatchNorm1d(3)
        P.register_parametrization(m, "running_mean", _plus_one(lib)())
        lin = _net(lib)[0]
        P.register_parametrization(lin, "weight", Sum2())
        return (list(m.state_dict()), m.running_mean, list(lin.state_dict()), lin.weight,
                [n for n, _ in lin.named_parameters()])

    check(run)


PARAMETRIZE_ERRORS = {
    "no_such_tensor": lambda lib: lib.nn.utils.parametrize.register_parametrization(
        lib.nn.Linear(2, 2), "nothing", _plus_one(lib)()),
    "shape_change": lambda lib: lib.nn.utils.parametrize.register_parametrization(
        lib.nn.Linear(2, 2), "weight", _sum_rows(lib)()),
    "remove_missing": lambda lib: lib.nn.utils.parametrize.remove_parametrizations(
        lib.nn.Linear(2, 2), "weight"),
    "no_right_inverse": lambda lib: _assign_no_inverse(lib),
}


def _sum_rows(lib):
    class SumRows(lib.nn.Module):
        def forward(self, X):
            return X.sum(0)

    return SumRows


def _assign_no_inverse(lib):
    m = lib.nn.Linear(2, 2)
    lib.nn.utils.parametrize.register_parametrization(m, "weight", _plus_one(lib)())
    m.weight = lib.ones(2, 2)


@pytest.mark.parametrize("name", list(PARAMETRIZE_ERRORS))
def test_parametrize_errors(name):
    check(PARAMETRIZE_ERRORS[name], message=True)


# --------------------------------------------------------------------------------------------
# parametrizations

@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_parametrization(dim):
    check_module(lambda nn: nn.utils.parametrizations.weight_norm(nn.Linear(5, 3), dim=dim),
                 rnd(4, 5), check_grad_fn=True, rtol=1e-5, atol=1e-5)


def test_weight_norm_loads_old_keys():
    def run(lib):
        old = lib.nn.utils.weight_norm(_net(lib)[0])
        new = lib.nn.utils.parametrizations.weight_norm(lib.nn.Linear(3, 4))
        r = new.load_state_dict(old.state_dict())
        return repr(r), new.weight, new(lib.ones(1, 3))

    check(run, rtol=1e-5, atol=1e-6)


def test_spectral_norm_parametrization():
    check_module(lambda nn: nn.utils.parametrizations.spectral_norm(nn.Linear(5, 3)), rnd(4, 5),
                 modes=("eval", "train"), steps=2, check_grad_fn=True, rtol=1e-4, atol=1e-5)


def test_spectral_norm_parametrization_dim1():
    check_module(lambda nn: nn.utils.parametrizations.spectral_norm(nn.Bilinear(3, 2, 4), dim=1,
                                                                   n_power_iterations=3),
                 rnd(4, 3), rnd(4, 2, seed=1), modes=("eval", "train"), rtol=1e-4, atol=1e-5)


def test_spectral_norm_normalizes():
    m = jtorch.nn.utils.parametrizations.spectral_norm(jtorch.nn.Linear(20, 10),
                                                       n_power_iterations=30)
    w = m.weight.detach().numpy()
    assert abs(np.linalg.svd(w, compute_uv=False)[0] - 1) < 1e-3


@pytest.mark.parametrize("shape,kind", [((4, 4), "matrix_exp"), ((4, 4), "cayley"),
                                        ((5, 3), "householder"), ((3, 5), "householder"),
                                        ((3, 5), "matrix_exp"), ((5, 3), "cayley")])
def test_orthogonal(shape, kind):
    def build(nn):
        return nn.utils.parametrizations.orthogonal(nn.Linear(shape[1], shape[0]),
                                                    orthogonal_map=kind)

    tm, jm = check_module(build, rnd(2, shape[1]), rtol=1e-4, atol=1e-5, check_grad_fn=True)
    w = jm.weight.detach().numpy()
    if w.shape[0] >= w.shape[1]:
        np.testing.assert_allclose(w.T @ w, np.eye(w.shape[1]), atol=1e-5)
    else:
        np.testing.assert_allclose(w @ w.T, np.eye(w.shape[0]), atol=1e-5)


def test_orthogonal_without_trivialization():
    def build(nn):
        return nn.utils.parametrizations.orthogonal(nn.Linear(3, 5), orthogonal_map="householder",
                                                    use_trivialization=False)

    check_module(build, rnd(2, 3), rtol=1e-4, atol=1e-5)


def test_orthogonal_assign():
    m = jtorch.nn.utils.parametrizations.orthogonal(jtorch.nn.Linear(4, 4))
    q = np.linalg.qr(rnd(4, 4))[0].astype(np.float32)
    m.weight = jtorch.tensor(q)
    np.testing.assert_allclose(m.weight.detach().numpy(), q, atol=1e-5)


ORTH_ERRORS = {
    "vector": lambda lib: lib.nn.utils.parametrizations.orthogonal(lib.nn.PReLU(3)),
    "bad_map": lambda lib: lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(2, 2),
                                                                    "qr"),
    "missing": lambda lib: lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(2, 2),
                                                                    "nothing"),
    "spectral_iters": lambda lib: lib.nn.utils.parametrizations.spectral_norm(
        lib.nn.Linear(2, 2), n_power_iterations=0),
    "spectral_dim": lambda lib: lib.nn.utils.parametrizations.spectral_norm(
        lib.nn.Linear(2, 2), dim=3),
    "spectral_missing": lambda lib: lib.nn.utils.parametrizations.spectral_norm(
        lib.nn.ReLU()),
    "old_weight_norm_twice": lambda lib: lib.nn.utils.weight_norm(lib.nn.utils.weight_norm(
        lib.nn.Linear(2, 2))),
    "remove_weight_norm_missing": lambda lib: lib.nn.utils.remove_weight_norm(
        lib.nn.Linear(2, 2)),
    "remove_spectral_missing": lambda lib: lib.nn.utils.remove_spectral_norm(
        lib.nn.Linear(2, 2)),
}


@pytest.mark.parametrize("name", list(ORTH_ERRORS))
def test_parametrization_errors(name):
    def run(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ORTH_ERRORS[name](lib)

    check(run, message=True)


# --------------------------------------------------------------------------------------------
# the old hook APIs

def test_old_weight_norm():
    def build(nn):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return nn.utils.weight_norm(nn.Linear(5, 3), dim=1)

    tm, jm = check_module(build, rnd(4, 5), rtol=1e-5, atol=1e-5, check_grad_fn=True)

    def run(lib):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m = lib.nn.utils.weight_norm(_net(lib)[0])
        keys = list(m.state_dict())
        lib.nn.utils.remove_weight_norm(m)
        return keys, list(m.state_dict()), m.weight, [x.category.__name__ for x in w]

    check(run, rtol=1e-6, atol=1e-6)


def test_old_spectral_norm():
    tm, jm = check_module(lambda nn: nn.utils.spectral_norm(nn.Linear(5, 3)), rnd(4, 5),
                          modes=("eval", "train"), steps=2, rtol=1e-4, atol=1e-5)

    def run(lib):
        m = lib.nn.utils.spectral_norm(lib.nn.Linear(3, 2))
        keys = list(m.state_dict())
        meta = dict(m.state_dict()._metadata[""])
        lib.nn.utils.remove_spectral_norm(m)
        return keys, meta, list(m.state_dict()), type(m.weight).__name__

    check(run)


# --------------------------------------------------------------------------------------------
# functional_call

def test_functional_call():
    def run(lib):
        m = _net(lib)
        params = {k: v * 0 + 0.5 for k, v in m.named_parameters()}
        x = lib.tensor(rnd(2, 3))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y = lib.nn.utils.stateless.functional_call(m, params, (x,))
            y2 = lib.nn.utils.stateless.functional_call(m, {"0.bias": lib.zeros(4)}, x)
        return y, y2, m(x), [x.category.__name__ for x in w], \
            [type(p).__name__ for p in m.parameters()]

    check(run)


def test_functional_call_grad_flows_to_given_tensors():
    def run(lib):
        m = _net(lib)
        params = {k: v.detach().clone().requires_grad_() for k, v in m.named_parameters()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = lib.nn.utils.stateless.functional_call(m, params, lib.ones(1, 3))
        out.sum().backward()
        return [params[k].grad for k in params], [p.grad for p in m.parameters()]

    check(run)


def test_functional_call_tied_and_strict():
    def run(lib):
        a = lib.nn.Linear(2, 2, bias=False)
        m = lib.nn.Sequential(a, a)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = lib.nn.utils.stateless.functional_call(m, {"0.weight": lib.eye(2) * 2}
                                                       if hasattr(lib, "eye") else
                                                       {"0.weight": lib.ones(2, 2)},
                                                       lib.ones(1, 2))
            try:
                lib.nn.utils.stateless.functional_call(m, {"0.weight": lib.ones(2, 2)},
                                                       lib.ones(1, 2), strict=True)
                err = None
            except RuntimeError as e:
                err = str(e)
        return y, err

    check(run)


# --------------------------------------------------------------------------------------------
# fusion

def test_fuse_linear_bn_eval():
    def run(lib):
        lin = _net(lib)[0].eval()
        bn = lib.nn.BatchNorm1d(4)
        bn(lib.tensor(rnd(6, 4, seed=3)))
        bn.eval()
        fused = lib.nn.utils.fuse_linear_bn_eval(lin, bn)
        x = lib.tensor(rnd(2, 3, seed=5))
        return fused(x), bn(lin(x)), type(fused.weight).__name__, fused.weight.requires_grad

    check(run, rtol=1e-5, atol=1e-6)


def test_fuse_requires_eval():
    check(lambda lib: lib.nn.utils.fuse_linear_bn_eval(lib.nn.Linear(2, 2),
                                                       lib.nn.BatchNorm1d(2)), message=True)
