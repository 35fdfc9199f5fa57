"""torch.optim.lr_scheduler: learning rates (and cycled momenta) step by step vs PyTorch, for
100+ steps; state_dict round trips; chaining; warnings and errors."""
import math
import warnings

import pytest

import jtorch
from oracle import TORCH, check, needs_torch


def _opt(torch, name="SGD", **kw):
    w = torch.nn.Parameter(torch.zeros(2))
    w2 = torch.nn.Parameter(torch.zeros(2))
    kw = dict(kw) or ({"momentum": 0.9} if name == "SGD" else {})
    return getattr(torch.optim, name)([{"params": [w]}, {"params": [w2], "lr": 0.5}], lr=0.1,
                                      **kw)


def _S(torch):
    return torch.optim.lr_scheduler


SCHEDULERS = {
    "LambdaLR": lambda t, o: _S(t).LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-list": lambda t, o: _S(t).LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** e]),
    "MultiplicativeLR": lambda t, o: _S(t).MultiplicativeLR(o, lambda e: 0.97),
    "StepLR": lambda t, o: _S(t).StepLR(o, 7, 0.5),
    "MultiStepLR": lambda t, o: _S(t).MultiStepLR(o, [10, 30, 30, 70], 0.3),
    "ConstantLR": lambda t, o: _S(t).ConstantLR(o, 0.25, 12),
    "LinearLR": lambda t, o: _S(t).LinearLR(o, 0.1, 0.9, 40),
    "ExponentialLR": lambda t, o: _S(t).ExponentialLR(o, 0.97),
    "PolynomialLR": lambda t, o: _S(t).PolynomialLR(o, 50, 2.0),
    "CosineAnnealingLR": lambda t, o: _S(t).CosineAnnealingLR(o, 30, 0.001),
    "CosineAnnealingWarmRestarts": lambda t, o: _S(t).CosineAnnealingWarmRestarts(o, 7, 2, 0.01),
    "CosineAnnealingWarmRestarts-1": lambda t, o: _S(t).CosineAnnealingWarmRestarts(o, 10),
    "CyclicLR-triangular": lambda t, o: _S(t).CyclicLR(o, 0.01, 0.1, 9),
    "CyclicLR-triangular2": lambda t, o: _S(t).CyclicLR(o, 0.01, 0.1, 9, mode="triangular2"),
    "CyclicLR-exp_range": lambda t, o: _S(t).CyclicLR(o, [0.01, 0.02], 0.1, 5, 11,
                                                       mode="exp_range", gamma=0.99),
    "CyclicLR-scale_fn": lambda t, o: _S(t).CyclicLR(o, 0.01, 0.1, 4, scale_fn=lambda x: 0.5 ** x,
                                                      scale_mode="iterations",
                                                      cycle_momentum=False),
    "OneCycleLR": lambda t, o: _S(t).OneCycleLR(o, 1.0, total_steps=120),
    "OneCycleLR-3": lambda t, o: _S(t).OneCycleLR(o, [1.0, 2.0], total_steps=120,
                                                  three_phase=True, anneal_strategy="linear"),
    "OneCycleLR-epochs": lambda t, o: _S(t).OneCycleLR(o, 0.5, epochs=6, steps_per_epoch=20,
                                                       pct_start=0.25, div_factor=10.0,
                                                       cycle_momentum=False),
    "SequentialLR": lambda t, o: _S(t).SequentialLR(
        o, [_S(t).LinearLR(o, 0.1, total_iters=10), _S(t).CosineAnnealingLR(o, 50),
            _S(t).ExponentialLR(o, 0.9)], [10, 60]),
    "ChainedScheduler": lambda t, o: _S(t).ChainedScheduler([_S(t).ExponentialLR(o, 0.98),
                                                             _S(t).StepLR(o, 13, 0.5)]),
    "chained-by-hand": lambda t, o: [_S(t).MultiStepLR(o, [20, 50]), _S(t).ExponentialLR(o, 0.99)],
}


def _run(torch, make, steps=120, opt_name="SGD", **opt_kw):
    opt = _opt(torch, opt_name, **opt_kw)
    sched = make(torch, opt)
    scheds = sched if isinstance(sched, list) else [sched]
    out = []
    for _ in range(steps):
        opt.step()
        for s in scheds:
            s.step()
        out.append((scheds[-1].get_last_lr(), [g["lr"] for g in opt.param_groups],
                    [g.get("momentum", g.get("betas")) for g in opt.param_groups],
                    [s.last_epoch for s in scheds]))
    return out


@needs_torch
@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_schedule_matches_torch(name):
    check(lambda torch: _run(torch, SCHEDULERS[name]), rtol=0, atol=0)


@needs_torch
@pytest.mark.parametrize("name", ["CyclicLR-triangular", "OneCycleLR", "OneCycleLR-3"])
def test_momentum_cycles_adam_betas(name):
    check(lambda torch: _run(torch, SCHEDULERS[name], opt_name="Adam"), rtol=0, atol=0)


@needs_torch
@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
                                  "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
                                  "LambdaLR"])
def test_closed_form_with_epoch(name):
    """``step(epoch)`` (deprecated) uses the closed form, with PyTorch's warning."""
    def f(torch):
        opt = _opt(torch)
        sched = SCHEDULERS[name](torch, opt)
        out = []
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            for epoch in [3, 5, 20, 7, 45, 60]:
                opt.step()
                sched.step(epoch)
                out.append(sched.get_last_lr())
        return out, sorted({str(x.message) for x in w})
    check(f, rtol=0, atol=0)


@needs_torch
@pytest.mark.parametrize("kw", [{}, dict(mode="max", factor=0.5, patience=2, threshold=0.1,
                                         threshold_mode="abs", cooldown=3, min_lr=0.01),
                                dict(mode="min", threshold_mode="abs", patience=0,
                                     min_lr=[0.001, 0.2], eps=1e-3)])
def test_reduce_lr_on_plateau(kw):
    def f(torch):
        opt = _opt(torch, "Adam")
        s = _S(torch).ReduceLROnPlateau(opt, **kw)
        out = []
        for i in range(100):
            s.step(torch.tensor(math.sin(i / 5.0) + 2 - i / 50.0))
            out.append((s.get_last_lr(), s.num_bad_epochs, s.cooldown_counter, s.best,
                        s.last_epoch))
        return out, sorted(s.state_dict())
    check(f, rtol=1e-7, atol=0)


@needs_torch
@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "CyclicLR-triangular2",
                                  "OneCycleLR", "SequentialLR", "ChainedScheduler",
                                  "CosineAnnealingWarmRestarts"])
def test_state_dict_round_trip(name):
    """A scheduler resumed from its state_dict continues the same schedule."""
    def f(torch):
        opt = _opt(torch)
        s = SCHEDULERS[name](torch, opt)
        for _ in range(25):
            opt.step()
            s.step()
        sd = s.state_dict()
        opt_sd = opt.state_dict()
        opt2 = _opt(torch)
        opt2.load_state_dict(opt_sd)
        s2 = SCHEDULERS[name](torch, opt2)
        s2.load_state_dict(sd)
        out = []
        for _ in range(30):
            opt2.step()
            s2.step()
            out.append(s2.get_last_lr())
        keys = sorted(k for k in sd if not k.startswith("_scale_fn"))
        return out, keys, s2.last_epoch
    check(f, rtol=0, atol=0)


@needs_torch
def test_lambda_state_dict_saves_callable_objects():
    def f(torch):
        class Decay:
            def __init__(self, k):
                self.k = k

            def __call__(self, e):
                return self.k ** e
        opt = _opt(torch)
        s = _S(torch).LambdaLR(opt, [Decay(0.9), lambda e: 1.0])
        sd = s.state_dict()
        return sd["lr_lambdas"], sd["base_lrs"], sd["last_epoch"]
    check(f)


@needs_torch
def test_warning_scheduler_before_optimizer():
    def f(torch, order):
        opt = _opt(torch)
        s = _S(torch).StepLR(opt, 3)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            if order == "sched-first":
                s.step()
                opt.step()
            else:
                opt.step()
                s.step()
            s.get_lr()
        return [(x.category.__name__, str(x.message)) for x in w]
    check(lambda torch: f(torch, "sched-first"))
    check(lambda torch: f(torch, "opt-first"))


@needs_torch
def test_tensor_lr_updated_in_place():
    def f(torch):
        w = torch.nn.Parameter(torch.ones(2))
        lr = torch.tensor(0.1)
        opt = torch.optim.SGD([w], lr=lr)
        s = _S(torch).ExponentialLR(opt, 0.5)
        for _ in range(3):
            opt.step()
            s.step()
        return opt.param_groups[0]["lr"] is lr, lr, s.get_last_lr()
    check(f)


@needs_torch
def test_scheduler_drives_training():
    """The scheduled lr reaches the compiled optimizer step (an input: no recompiles)."""
    import numpy as np
    results = {}
    for torch in (TORCH, jtorch):
        w = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
        opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
        s = _S(torch).OneCycleLR(opt, 0.2, total_steps=40)
        for i in range(40):
            if torch is jtorch and i == 5:
                compiles = jtorch.engine.stats()["compiles"]
            opt.zero_grad()
            (w * w).sum().backward()
            opt.step()
            s.step()
        results[torch.__name__] = w.detach().numpy().copy()
    assert jtorch.engine.stats()["compiles"] == compiles
    np.testing.assert_allclose(results["jtorch"], results["torch"], rtol=1e-5, atol=1e-7)


ERRORS = [
    "S.StepLR(object(), 3)",
    "S.LambdaLR(opt, [lambda e: 1.0])",
    "S.MultiplicativeLR(opt, 0.5)",
    "S.ConstantLR(opt, factor=1.5)",
    "S.LinearLR(opt, start_factor=0)",
    "S.LinearLR(opt, end_factor=2)",
    "S.CosineAnnealingWarmRestarts(opt, 0)",
    "S.CosineAnnealingWarmRestarts(opt, 5, T_mult=0)",
    "S.CosineAnnealingWarmRestarts(opt, 5, eta_min='x')",
    "S.CyclicLR(opt, 0.1, 1.0, mode='foo')",
    "S.CyclicLR(opt, [0.1], 1.0)",
    "S.CyclicLR(torch.optim.Adagrad([torch.nn.Parameter(torch.ones(1))]), 0.1, 1.0)",
    "S.OneCycleLR(opt, 1.0)",
    "S.OneCycleLR(opt, 1.0, total_steps=0)",
    "S.OneCycleLR(opt, 1.0, epochs=2, steps_per_epoch=-1)",
    "S.OneCycleLR(opt, 1.0, total_steps=10, pct_start=2.0)",
    "S.OneCycleLR(opt, 1.0, total_steps=10, anneal_strategy='exp')",
    "[s.step() for s in [S.OneCycleLR(opt, 1.0, total_steps=3)] for _ in range(4)]",
    "S.ReduceLROnPlateau(opt, factor=1.0)",
    "S.ReduceLROnPlateau(opt, mode='median')",
    "S.ReduceLROnPlateau(opt, threshold_mode='x')",
    "S.ReduceLROnPlateau(opt, min_lr=[0.1])",
    "S.SequentialLR(opt, [], [])",
    "S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(opt, 3)], [])",
    "S.SequentialLR(opt, [S.StepLR(opt, 2), S.ReduceLROnPlateau(opt)], [3])",
    "S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(_opt(torch), 3)], [3])",
    "S.ChainedScheduler([])",
    "S.StepLR(opt, 3, last_epoch=5)",
]


@needs_torch
@pytest.mark.parametrize("expr", ERRORS)
def test_errors(expr):
    def f(torch):
        S = _S(torch)  # noqa: F841  (used by expr)
        opt = _opt(torch)  # noqa: F841
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eval(expr)
    check(f, message=True)


def test_public_names():
    if TORCH is None:
        pytest.skip("needs torch")
    for name in TORCH.optim.lr_scheduler.__all__:
        assert hasattr(jtorch.optim.lr_scheduler, name), name
    assert jtorch.optim.lr_scheduler.ReduceLROnPlateau.__module__ == \
        "jtorch.optim.lr_scheduler"
