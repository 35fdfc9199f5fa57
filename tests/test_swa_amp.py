"""torch.optim.swa_utils (AveragedModel SWA/EMA, SWALR, update_bn) and torch.amp.GradScaler /
torch.cuda.amp.GradScaler vs PyTorch."""
import warnings

import numpy as np
import pytest

import jtorch
from oracle import TORCH, check, needs_torch, to_numpy


def _module(torch):
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
            self.register_buffer("b", torch.tensor([0.5]))

        def forward(self, x):
            return x * self.w + self.b

    return M()


AVG = {
    "swa": lambda su: {},
    "ema-multi": lambda su: dict(multi_avg_fn=su.get_ema_multi_avg_fn(0.9)),
    "ema-single": lambda su: dict(avg_fn=su.get_ema_avg_fn(0.8)),
    "swa-multi-buffers": lambda su: dict(multi_avg_fn=su.get_swa_multi_avg_fn(),
                                         use_buffers=True),
    "ema-buffers": lambda su: dict(multi_avg_fn=su.get_ema_multi_avg_fn(0.5), use_buffers=True),
}


@needs_torch
@pytest.mark.parametrize("mode", list(AVG))
def test_averaged_model(mode):
    def f(torch):
        su = torch.optim.swa_utils
        m = _module(torch)
        avg = su.AveragedModel(m, **AVG[mode](su))
        opt = torch.optim.SGD(m.parameters(), lr=0.1)
        sched = su.SWALR(opt, swa_lr=0.05, anneal_epochs=5)
        out = []
        for _ in range(12):
            opt.zero_grad()
            (m(torch.ones(3)) ** 2).sum().backward()
            opt.step()
            with torch.no_grad():
                m.b.add_(1.0)
            avg.update_parameters(m)
            sched.step()
            out.append((avg.module.w.detach().clone(), avg.module.b.clone(),
                        avg.n_averaged.clone(), sched.get_last_lr()))
        return (out, sorted(avg.state_dict()), avg(torch.ones(3)).detach(),
                avg.module.w.requires_grad, avg.module.w is m.w)
    check(f, rtol=1e-6, atol=1e-6)


@needs_torch
@pytest.mark.parametrize("strategy,epochs", [("cos", 5), ("linear", 3), ("cos", 0)])
def test_swalr(strategy, epochs):
    def f(torch):
        w = torch.nn.Parameter(torch.ones(2))
        opt = torch.optim.SGD([{"params": [w]}, {"params": [torch.nn.Parameter(torch.ones(1))],
                                                "lr": 0.3}], lr=0.1)
        s = torch.optim.swa_utils.SWALR(opt, swa_lr=[0.01, 0.02], anneal_epochs=epochs,
                                        anneal_strategy=strategy)
        out = []
        for _ in range(10):
            opt.step()
            s.step()
            out.append(s.get_last_lr())
        sd = s.state_dict()
        return out, sorted(sd), sd["_anneal_strategy"]
    check(f, rtol=0, atol=0)


@needs_torch
@pytest.mark.parametrize("expr", [
    "su.get_ema_multi_avg_fn(1.5)", "su.get_ema_avg_fn(-0.1)",
    "su.SWALR(opt, 0.1, anneal_strategy='exp')", "su.SWALR(opt, 0.1, anneal_epochs=-1)",
    "su.SWALR(opt, [0.1, 0.2])",
    "su.AveragedModel(_module(torch), avg_fn=su.get_ema_avg_fn(), "
    "multi_avg_fn=su.get_ema_multi_avg_fn())"])
def test_swa_errors(expr):
    def f(torch):
        su = torch.optim.swa_utils  # noqa: F841  (used by expr)
        opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1)  # noqa: F841
        eval(expr)
    check(f, message=True)


def test_update_bn_without_batchnorm_is_noop():
    m = _module(jtorch)
    jtorch.optim.swa_utils.update_bn([jtorch.ones(3)], m)
    np.testing.assert_array_equal(m.w.detach().numpy(), [1.0, -2.0, 3.0])


# ---------------------------------------------------------------------------------------------
# GradScaler


def _scaler_run(torch, n=12, unscale_every=2, **kw):
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
    opt = torch.optim.SGD([w], lr=0.01)
    sc = torch.amp.GradScaler("cpu", **kw)
    out = []
    for i in range(n):
        opt.zero_grad()
        loss = (w * w).sum() * (1e30 if i in (3, 7) else 1.0)  # overflows at steps 3 and 7
        scaled = sc.scale(loss)
        scaled.backward()
        if i % unscale_every:
            sc.unscale_(opt)
        r = sc.step(opt)
        sc.update()
        out.append((float(scaled.detach()), sc.get_scale(), sc._get_growth_tracker(),
                    w.detach().clone(), r))
    return out, sc.state_dict(), sc.is_enabled()


@needs_torch
@pytest.mark.parametrize("kw", [dict(init_scale=2.0 ** 100, growth_interval=3),
                                dict(growth_factor=4.0, backoff_factor=0.25, growth_interval=2,
                                     init_scale=1e36),
                                dict(enabled=False), dict()])
def test_grad_scaler(kw):
    check(lambda torch: _scaler_run(torch, **kw), rtol=1e-6)


@needs_torch
def test_grad_scaler_errors_and_state_dict():
    def f(torch, which):
        w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
        opt = torch.optim.SGD([w], lr=0.1)
        sc = torch.amp.GradScaler("cpu", init_scale=8.0)
        if which == "step-before-scale":
            sc.step(opt)
        sc.scale(w.sum()).backward()
        if which == "unscale-twice":
            sc.unscale_(opt)
            sc.unscale_(opt)
        if which == "step-twice":
            sc.step(opt)
            sc.step(opt)
        if which == "closure":
            sc.step(opt, closure=lambda: 0)
        if which == "bad-factor":
            torch.amp.GradScaler("cpu", growth_factor=0.5)
        if which == "load-empty":
            sc.load_state_dict({})
        if which == "state":
            sc.step(opt)
            sc.update(16.0)
            sd = sc.state_dict()
            sc2 = torch.amp.GradScaler("cpu")
            sc2.load_state_dict(sd)
            return sd, sc2.get_scale(), sc2.state_dict(), w.grad
        if which == "scale-list":
            return sc.scale([w.sum(), (w * 2, w * 3)])
    for which in ["step-before-scale", "unscale-twice", "step-twice", "closure", "bad-factor",
                  "load-empty", "state", "scale-list"]:
        check(lambda torch: f(torch, which), message=True)


@needs_torch
def test_cuda_grad_scaler_without_cuda():
    """No GPU: PyTorch warns and disables; torch.cuda.amp.GradScaler is deprecated."""
    def f(torch, ctor):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            sc = ctor(torch)
        p = torch.nn.Parameter(torch.ones(2))
        opt = torch.optim.SGD([p], lr=0.1)
        loss = sc.scale((p * p).sum())
        loss.backward()
        sc.step(opt)
        sc.update()
        return ([(x.category.__name__, str(x.message)) for x in w], sc.is_enabled(),
                sc.get_scale(), sc.state_dict(), p.detach())
    if jtorch.cuda.is_available():
        pytest.skip("a GPU is visible to JAX")
    check(lambda torch: f(torch, lambda t: t.amp.GradScaler()))
    check(lambda torch: f(torch, lambda t: t.cuda.amp.GradScaler(init_scale=4.0)))


def test_grad_scaler_unscale_is_one_op_per_dtype():
    ps = [jtorch.nn.Parameter(jtorch.ones(3)) for _ in range(10)]
    opt = jtorch.optim.SGD(ps, lr=0.1)
    sc = jtorch.amp.GradScaler("cpu", init_scale=4.0)
    sc.scale(sum((p * p).sum() for p in ps)).backward()
    jtorch.sync()
    n = jtorch.engine.stats()["ops_recorded"]
    sc.unscale_(opt)
    # 1/scale (3 scalar ops), found_inf (1), their per-device copies (2), and one unscale op
    # for all ten gradients
    assert jtorch.engine.stats()["ops_recorded"] - n == 7
    np.testing.assert_allclose(to_numpy(ps[0].grad), [2.0, 2.0, 2.0])
