"""torch.optim: update numerics vs PyTorch after many steps, param groups, state and state_dict
(in both directions), hooks, errors, repr, and the one-op-per-step design."""
import importlib
import warnings

import numpy as np
import pytest

import jtorch
from oracle import TORCH, check, needs_torch, to_numpy

RNG = np.random.default_rng(0)
W0 = RNG.standard_normal((3, 4)).astype(np.float32)
B0 = RNG.standard_normal((4,)).astype(np.float32)
X = RNG.standard_normal((8, 3)).astype(np.float32)
Y = RNG.standard_normal((8, 4)).astype(np.float32)

# every optimizer x its main options
CASES = [
    ("SGD", dict(lr=0.01)),
    ("SGD", dict(lr=0.01, momentum=0.9)),
    ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.9, dampening=0.3, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, maximize=True, foreach=False)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, fused=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.05)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, betas=(0.9, 0.9))),
    ("RMSprop", dict(lr=0.01)),
    # (centered with a small alpha on a deterministic full batch is ill-conditioned: v - m^2
    # cancels to rounding noise, and even PyTorch's float32 run drifts from its float64 one)
    ("RMSprop", dict(lr=0.001, alpha=0.99, momentum=0.9, centered=True, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.001, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.01)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.01, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.001, etas=(0.3, 1.5), step_sizes=(1e-4, 1))),
    ("ASGD", dict(lr=0.01)),
    ("ASGD", dict(lr=0.01, t0=50, lambd=0.01, alpha=0.5, weight_decay=0.01)),
]


def _model(lib, dtype=None):
    dtype = dtype or lib.float32
    w = lib.nn.Parameter(lib.tensor(W0, dtype=dtype))
    b = lib.nn.Parameter(lib.tensor(B0, dtype=dtype))
    return w, b


def _loss(lib, w, b):
    x = lib.tensor(X, dtype=w.dtype)
    y = lib.tensor(Y, dtype=w.dtype)
    pred = (x.unsqueeze(2) * w.unsqueeze(0)).sum(1) + b
    return ((pred - y) ** 2).mean()


def _train(lib, opt, w, b, steps):
    for _ in range(steps):
        opt.zero_grad()
        _loss(lib, w, b).backward()
        opt.step()


def _state_numpy(opt, params):
    out = []
    for p in params:
        st = opt.state.get(p, {})
        out.append({k: (to_numpy(v), str(v.dtype), tuple(v.shape)) if hasattr(v, "dtype")
                    else v for k, v in st.items()})
    return out


def _assert_states(ts, js, rtol=1e-4, atol=1e-5):
    assert len(ts) == len(js)
    for t, j in zip(ts, js):
        assert sorted(t) == sorted(j)
        for k in t:
            tv, jv = t[k], j[k]
            if isinstance(tv, tuple):
                assert tv[1].replace("torch.", "") == jv[1].replace("jtorch.", "").replace(
                    "torch.", ""), k
                assert tv[2] == jv[2], k
                np.testing.assert_allclose(jv[0], tv[0], rtol=rtol, atol=atol, err_msg=k)
            else:
                assert tv == jv, k


# 200 steps for each optimizer's first case, fewer for the variants (keeps the file fast)
_FIRST = {n: i for i, (n, _) in reversed(list(enumerate(CASES)))}


@needs_torch
@pytest.mark.parametrize("i", range(len(CASES)), ids=[f"{n}-{i}" for i, (n, _) in
                                                      enumerate(CASES)])
def test_training_matches_torch(i):
    name, kw = CASES[i]
    steps = 200 if _FIRST[name] == i else 50
    results = {}
    for lib in (TORCH, jtorch):
        w, b = _model(lib)
        opt = getattr(lib.optim, name)([w, b], **kw)
        _train(lib, opt, w, b, steps)
        results[lib.__name__] = (to_numpy(w), to_numpy(b), _state_numpy(opt, [w, b]))
    t, j = results["torch"], results["jtorch"]
    np.testing.assert_allclose(j[0], t[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(j[1], t[1], rtol=1e-5, atol=1e-5)
    _assert_states(t[2], j[2])


@needs_torch
@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.01, momentum=0.9)),
                                     ("Adam", dict(lr=0.01, amsgrad=True)),
                                     ("RMSprop", dict(lr=0.01, centered=True))])
def test_float64_params(name, kw):
    results = {}
    for lib in (TORCH, jtorch):
        w, b = _model(lib, lib.float64)
        opt = getattr(lib.optim, name)([w, b], **kw)
        _train(lib, opt, w, b, 20)
        results[lib.__name__] = (to_numpy(w), w.dtype, _state_numpy(opt, [w, b]))
    t, j = results["torch"], results["jtorch"]
    assert str(j[1]).endswith("float64")
    np.testing.assert_allclose(j[0], t[0], rtol=1e-10)
    _assert_states(t[2], j[2], rtol=1e-10, atol=1e-12)


@needs_torch
def test_param_groups_skip_and_frozen():
    """Per-group options; params without grad are skipped (no state); frozen ones untouched."""
    results = {}
    for lib in (TORCH, jtorch):
        w, b = _model(lib)
        extra = lib.nn.Parameter(lib.ones(2))  # never gets a gradient
        frozen = lib.nn.Parameter(lib.ones(2), requires_grad=False)
        opt = lib.optim.Adam([{"params": [w], "lr": 0.05, "amsgrad": True},
                              {"params": [b, extra, frozen], "weight_decay": 0.1}], lr=0.01)
        _train(lib, opt, w, b, 30)
        results[lib.__name__] = (to_numpy(w), to_numpy(b), to_numpy(extra), to_numpy(frozen),
                                 _state_numpy(opt, [w, b, extra, frozen]), len(opt.state),
                                 [sorted(g) for g in opt.param_groups])
    t, j = results["torch"], results["jtorch"]
    for a, e in zip(j[:4], t[:4]):
        np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6)
    _assert_states(t[4], j[4])
    assert t[5:] == j[5:]


@needs_torch
def test_hyperparameters_change_without_recompiling():
    """lr/betas are inputs of the step op: changing them every step hits the compiled program."""
    results = {}
    for lib in (TORCH, jtorch):
        w, b = _model(lib)
        opt = lib.optim.Adam([w, b], lr=0.01)
        for i in range(12):
            if lib is jtorch and i == 4:
                before = jtorch.engine.stats()["compiles"]
            opt.param_groups[0]["lr"] = 0.01 / (i + 1)
            opt.param_groups[0]["betas"] = (0.9 - 0.01 * i, 0.999)
            _train(lib, opt, w, b, 1)
        results[lib.__name__] = to_numpy(w)
    assert jtorch.engine.stats()["compiles"] == before
    np.testing.assert_allclose(results["jtorch"], results["torch"], rtol=1e-5, atol=1e-6)


def test_step_is_one_op():
    """step() records exactly one engine op for all parameters (plus nothing else)."""
    w, b = _model(jtorch)
    extra = [jtorch.nn.Parameter(jtorch.ones(5)) for _ in range(20)]
    opt = jtorch.optim.Adam([w, b] + extra, lr=0.01)
    for i in range(3):
        opt.zero_grad()
        (_loss(jtorch, w, b) + sum((p * p).sum() for p in extra)).backward()
        jtorch.sync()
        n = jtorch.engine.stats()["ops_recorded"]
        opt.step()
        if i > 0:  # after the state was created
            assert jtorch.engine.stats()["ops_recorded"] == n + 1


def test_step_updates_in_place():
    w, b = _model(jtorch)
    opt = jtorch.optim.SGD([w, b], lr=0.1, momentum=0.9)
    view = w.detach()
    v0 = w._version
    _train(jtorch, opt, w, b, 2)
    buf = opt.state[w]["momentum_buffer"]
    _train(jtorch, opt, w, b, 1)
    assert opt.state[w]["momentum_buffer"] is buf
    assert opt.param_groups[0]["params"][0] is w
    assert w._version > v0
    np.testing.assert_array_equal(view.numpy(), w.detach().numpy())


@needs_torch
def test_state_keys_and_step_tensor():
    def f(torch):
        w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
        opt = torch.optim.Adam([w], lr=0.1)
        (w * w).sum().backward()
        opt.step()
        opt.step()
        st = opt.state[w]
        return sorted(st), st["step"], repr(st["step"]), st["exp_avg"], len(opt.state)
    check(f)
    for name in ["SGD", "RMSprop", "Adagrad", "NAdam", "ASGD", "Rprop", "Adadelta", "Adamax"]:
        def g(torch, name=name):
            w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
            kw = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
            opt = getattr(torch.optim, name)([w], lr=0.1, **kw)
            n0 = len(opt.state)
            (w * w).sum().backward()
            opt.step()
            st = opt.state[w]
            return n0, {k: v for k, v in st.items()}
        check(g, rtol=1e-5)


@needs_torch
def test_sgd_without_momentum_has_no_state():
    def f(torch):
        w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
        opt = torch.optim.SGD([w], lr=0.1)
        (w * w).sum().backward()
        opt.step()
        return len(opt.state), w
    check(f)


@needs_torch
def test_zero_grad():
    def f(torch, set_to_none):
        w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
        opt = torch.optim.SGD([w], lr=0.1)
        (w * 3).sum().backward()
        opt.zero_grad(set_to_none=set_to_none)
        return w.grad
    check(lambda torch: f(torch, True))
    check(lambda torch: f(torch, False))


@needs_torch
def test_closure_returns_loss():
    def f(torch):
        w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
        opt = torch.optim.Adam([w], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss
        losses = [opt.step(closure) for _ in range(3)]
        return [float(x.detach()) for x in losses], w.detach(), opt.step() is None
    check(f)


@needs_torch
def test_named_parameters_and_add_param_group():
    def f(torch):
        w = torch.nn.Parameter(torch.ones(2))
        b = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([("w", w), ("b", b)], lr=0.1, momentum=0.5)
        c = torch.nn.Parameter(torch.ones(3))
        opt.add_param_group({"params": [("c", c)], "lr": 0.5})
        return [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    check(f)
    check(lambda torch: torch.optim.SGD(
        [("w", torch.nn.Parameter(torch.ones(2))), torch.nn.Parameter(torch.ones(2))]),
        message=True)

    def g(torch):
        opt = torch.optim.SGD([("w", torch.nn.Parameter(torch.ones(2)))])
        opt.add_param_group({"params": [torch.nn.Parameter(torch.ones(2))]})
    check(g, message=True)


ERRORS = [
    "torch.optim.SGD([p], lr=-1)",
    "torch.optim.SGD([p], lr=0.1, momentum=-0.5)",
    "torch.optim.SGD([p], lr=0.1, weight_decay=-1)",
    "torch.optim.SGD([p], lr=0.1, nesterov=True)",
    "torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)",
    "torch.optim.SGD([], lr=0.1)",
    "torch.optim.SGD(p, lr=0.1)",
    "torch.optim.SGD([1.0], lr=0.1)",
    "torch.optim.SGD({p}, lr=0.1)",
    "torch.optim.SGD([p * 2], lr=0.1)",
    "torch.optim.SGD([{'params': [p]}, {'params': [p]}], lr=0.1)",
    "torch.optim.Adam([p], lr=-1)",
    "torch.optim.Adam([p], betas=(1.0, 0.999))",
    "torch.optim.Adam([p], betas=(0.9, -0.1))",
    "torch.optim.Adam([p], eps=-1.0)",
    "torch.optim.Adam([p], weight_decay=-1.0)",
    "torch.optim.Adam([p], betas=(0, 0.9))",
    "torch.optim.Adam([p], fused=True, differentiable=True)",
    "torch.optim.AdamW([p], betas=(0.9, 1.5))",
    "torch.optim.Adamax([p], betas=(0.9, 1.0))",
    "torch.optim.NAdam([p], momentum_decay=-1)",
    "torch.optim.RAdam([p], lr=-0.5)",
    "torch.optim.RMSprop([p], alpha=-1)",
    "torch.optim.RMSprop([p], momentum=-1)",
    "torch.optim.Adagrad([p], lr_decay=-1)",
    "torch.optim.Adagrad([p], initial_accumulator_value=-1)",
    "torch.optim.Adadelta([p], rho=1.5)",
    "torch.optim.Rprop([p], etas=(1.5, 1.2))",
    "torch.optim.ASGD([p], weight_decay=-1)",
    "torch.optim.SparseAdam([p], lr=0.0)",
    "torch.optim.SparseAdam([p], eps=0.0)",
    "torch.optim.LBFGS([p], lr=-1)",
    "torch.optim.LBFGS([{'params': [p]}, {'params': [torch.nn.Parameter(torch.ones(1))]}])",
    "torch.optim.SGD([p], lr=torch.tensor([0.1, 0.2]))",
    "torch.optim.Adam([p]).add_param_group([p])",
]


@needs_torch
@pytest.mark.parametrize("expr", ERRORS)
def test_errors(expr):
    def f(torch):
        p = torch.nn.Parameter(torch.ones(2))  # noqa: F841  (used by expr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return eval(expr) and None
    check(f, message=True)


@needs_torch
@pytest.mark.parametrize("name", ["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop",
                                  "Adadelta", "Rprop", "ASGD"])
def test_capturable_needs_accelerator(name):
    def f(torch):
        p = torch.nn.Parameter(torch.ones(2))
        opt = getattr(torch.optim, name)([p], capturable=True)
        (p * p).sum().backward()
        opt.step()
    check(f, message=True)


@needs_torch
def test_sparse_adam_dense_grad_error():
    def f(torch):
        p = torch.nn.Parameter(torch.ones(2))
        opt = torch.optim.SparseAdam([p])
        (p * p).sum().backward()
        opt.step()
    check(f, message=True)


@needs_torch
@pytest.mark.parametrize("name,kw", [("SGD", {}), ("SGD", dict(lr=0.5, momentum=0.9)),
                                     ("Adam", {}), ("AdamW", dict(amsgrad=True)), ("Adamax", {}),
                                     ("NAdam", {}), ("RAdam", {}), ("RMSprop", {}),
                                     ("Adagrad", {}), ("Adadelta", {}), ("Rprop", {}),
                                     ("ASGD", {}), ("SparseAdam", {}), ("LBFGS", {})])
def test_repr(name, kw):
    def f(torch):
        w = torch.nn.Parameter(torch.ones(2))
        b = torch.nn.Parameter(torch.ones(2))
        if name == "LBFGS":
            return repr(torch.optim.LBFGS([w, b]))
        return repr(getattr(torch.optim, name)([{"params": [w]}, {"params": [b], "lr": 0.25}],
                                               **kw))
    check(f)


@needs_torch
@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.1)),
                                     ("AdamW", dict(lr=0.1, amsgrad=True)),
                                     ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
                                     ("NAdam", {}), ("ASGD", {}), ("Rprop", {}), ("Adagrad", {})])
def test_state_dict_layout(name, kw):
    def f(torch):
        w, b = _model(torch)
        opt = getattr(torch.optim, name)([{"params": [w]}, {"params": [b], "lr": 0.05}], **kw)
        _train(torch, opt, w, b, 3)
        return opt.state_dict()
    check(f, rtol=1e-5, atol=1e-6)


def _sd_to_numpy(sd):
    state = {k: {kk: (to_numpy(vv), str(vv.dtype)) if hasattr(vv, "dtype") else vv
                 for kk, vv in v.items()} for k, v in sd["state"].items()}
    return {"state": state, "param_groups": sd["param_groups"]}


def _sd_from_numpy(lib, sd):
    def conv(v):
        if isinstance(v, tuple):
            arr, dt = v
            return lib.tensor(arr, dtype=getattr(lib, dt.split(".")[-1]))
        return v
    return {"state": {k: {kk: conv(vv) for kk, vv in v.items()} for k, v in sd["state"].items()},
            "param_groups": [dict(g) for g in sd["param_groups"]]}


@needs_torch
@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.1, momentum=0.9)),
                                     ("Adam", dict(lr=0.05, amsgrad=True)),
                                     ("NAdam", dict(lr=0.05)), ("Rprop", dict(lr=0.01))])
@pytest.mark.parametrize("direction", ["torch->jtorch", "jtorch->torch"])
def test_state_dict_round_trip_across_libraries(name, kw, direction):
    """A state_dict saved by one library continues training identically in the other."""
    src, dst = (TORCH, jtorch) if direction == "torch->jtorch" else (jtorch, TORCH)
    w, b = _model(src)
    opt = getattr(src.optim, name)([w, b], **kw)
    _train(src, opt, w, b, 5)
    sd = _sd_to_numpy(opt.state_dict())
    params = (to_numpy(w), to_numpy(b))
    _train(src, opt, w, b, 10)  # the reference continuation
    expected = (to_numpy(w), to_numpy(b))

    w2 = dst.nn.Parameter(dst.tensor(params[0]))
    b2 = dst.nn.Parameter(dst.tensor(params[1]))
    opt2 = getattr(dst.optim, name)([w2, b2], lr=123.0)  # options come from the state_dict
    opt2.load_state_dict(_sd_from_numpy(dst, sd))
    assert opt2.param_groups[0]["lr"] == kw.get("lr", opt.defaults["lr"])
    _train(dst, opt2, w2, b2, 10)
    np.testing.assert_allclose(to_numpy(w2), expected[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(to_numpy(b2), expected[1], rtol=1e-5, atol=1e-6)


@needs_torch
def test_load_state_dict_errors():
    def f(torch, which):
        w, b = _model(torch)
        opt = torch.optim.Adam([w, b])
        opt2 = torch.optim.Adam([{"params": [w]}, {"params": [b]}])
        opt3 = torch.optim.Adam([w])
        if which == 0:
            opt.load_state_dict(opt2.state_dict())
        else:
            opt3.load_state_dict(opt.state_dict())
    check(lambda torch: f(torch, 0), message=True)
    check(lambda torch: f(torch, 1), message=True)


@needs_torch
def test_hooks():
    def f(torch):
        log = []
        w = torch.nn.Parameter(torch.ones(2))
        opt = torch.optim.SGD([w], lr=0.1)
        h1 = opt.register_step_pre_hook(lambda o, a, k: log.append(("pre", len(a), dict(k))))
        opt.register_step_post_hook(lambda o, a, k: log.append(("post", len(a))))
        g = importlib.import_module(torch.__name__ + ".optim.optimizer") \
            .register_optimizer_step_pre_hook(lambda o, a, k: log.append("global-pre"))
        opt.register_state_dict_pre_hook(lambda o: log.append("sd-pre"))
        opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
        opt.register_load_state_dict_pre_hook(lambda o, sd: log.append(("load-pre",
                                                                          sorted(sd))))
        opt.register_load_state_dict_post_hook(lambda o: log.append("load-post"), prepend=True)
        (w * w).sum().backward()
        opt.step()
        h1.remove()
        g.remove()
        opt.step()
        sd = opt.state_dict()
        opt.load_state_dict({k: v for k, v in sd.items() if k != "extra"})
        return log, sorted(sd), w.detach()
    check(f)


@needs_torch
def test_hook_changes_args():
    def f(torch):
        w = torch.nn.Parameter(torch.ones(2))
        opt = torch.optim.SGD([w], lr=0.1)
        opt.register_step_pre_hook(lambda o, a, k: ((a[0],), {"closure": lambda: 5.0}))
        (w * w).sum().backward()
        return opt.step()
    check(f)


@needs_torch
def test_tensor_lr():
    def f(torch):
        w, b = _model(torch)
        lr = torch.tensor(0.01)
        opt = torch.optim.Adam([w, b], lr=lr)
        _train(torch, opt, w, b, 5)
        lr.fill_(0.1)
        _train(torch, opt, w, b, 5)
        return w.detach(), b.detach()
    check(f, rtol=1e-5, atol=1e-6)


@needs_torch
@pytest.mark.parametrize("kw", [dict(max_iter=6), dict(max_iter=5, line_search_fn="strong_wolfe"),
                                dict(history_size=2, max_iter=3, lr=0.5)])
def test_lbfgs(kw):
    results = {}
    for lib in (TORCH, jtorch):
        w, b = _model(lib)
        opt = lib.optim.LBFGS([w, b], **kw)

        def closure():
            opt.zero_grad()
            loss = _loss(lib, w, b) + (w ** 4).sum() * 0.01
            loss.backward()
            return loss
        # (few iterations: near the optimum the termination tests compare rounding noise)
        losses = [float(opt.step(closure).detach()) for _ in range(2)]
        st = opt.state[w]
        results[lib.__name__] = (losses, to_numpy(w), to_numpy(b), st["n_iter"],
                                 sorted(st))
    t, j = results["torch"], results["jtorch"]
    np.testing.assert_allclose(j[0], t[0], rtol=1e-5)
    np.testing.assert_allclose(j[1], t[1], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(j[2], t[2], rtol=1e-4, atol=1e-5)
    assert j[3:] == t[3:]


def test_public_names():
    import jtorch.optim as O
    for name in TORCH.optim.__all__ if TORCH is not None else []:
        if name in ("Adafactor", "Muon", "swap_in_optimizer_params_and_state"):
            continue
        assert hasattr(O, name), name
    from jtorch.optim.optimizer import Optimizer
    assert O.Optimizer is Optimizer
    assert not hasattr(O, "adam") and not hasattr(O, "optimizer")  # as torch.optim
