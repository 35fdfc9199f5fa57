"""torch.autocast compared with PyTorch on CPU: result dtypes of the listed ops (low precision,
float32, promote) and of unlisted ones, values, gradient dtypes, nesting, enabled=False, the
decorator form, the state functions and the deprecated spellings."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import jtorch
from oracle import TORCH, assert_same, check, needs_torch

pytestmark = needs_torch

_X = np.random.default_rng(0).standard_normal((4, 4)).astype(np.float32)
_T = np.array([0, 3, 1, 2])


def _ops(torch):
    F = torch.nn.functional
    t = torch.tensor(_T)
    return {
        # low precision
        "mm": lambda a: torch.mm(a, a),
        "matmul": lambda a: a @ a,
        "bmm": lambda a: torch.bmm(a.expand(2, 4, 4), a.expand(2, 4, 4)),
        "linear": lambda a: F.linear(a, a, a[0]),
        "conv2d": lambda a: F.conv2d(a.reshape(1, 1, 4, 4), a[:2, :2].reshape(1, 1, 2, 2)),
        "conv_transpose2d": lambda a: F.conv_transpose2d(a.reshape(1, 1, 4, 4),
                                                         a[:2, :2].reshape(1, 1, 2, 2)),
        "addmm": lambda a: torch.addmm(a, a, a),
        "baddbmm": lambda a: torch.baddbmm(a.expand(2, 4, 4), a.expand(2, 4, 4),
                                           a.expand(2, 4, 4)),
        "addbmm": lambda a: torch.addbmm(a, a.expand(2, 4, 4), a.expand(2, 4, 4)),
        "einsum": lambda a: torch.einsum("ij,jk->ik", a, a),
        "multi_dot": lambda a: torch.linalg.multi_dot([a, a, a]),
        "vecdot": lambda a: torch.linalg.vecdot(a, a),
        "prelu": lambda a: F.prelu(a, a[0, :1]),
        "sdpa": lambda a: F.scaled_dot_product_attention(a[None], a[None], a[None]),
        "matrix_power": lambda a: torch.linalg.matrix_power(a, 2),
        # not listed on CPU: input dtype
        "mv": lambda a: torch.mv(a, a[0]),
        "dot": lambda a: torch.dot(a[0], a[0]),
        "softmax": lambda a: a.softmax(-1),
        "log_softmax": lambda a: a.log_softmax(-1),
        "exp": lambda a: a.exp(),
        "sum": lambda a: a.sum(),
        "cumsum": lambda a: a.cumsum(0),
        "layer_norm": lambda a: F.layer_norm(a, (4,)),
        "relu": lambda a: a.relu(),
        "gelu": lambda a: F.gelu(a),
        "var": lambda a: a.var(),
        "tanh": lambda a: a.tanh(),
        # float32
        "prod": lambda a: a.prod(),
        "mse_loss": lambda a: F.mse_loss(a, a * 2),
        "l1_loss": lambda a: F.l1_loss(a, a * 2),
        "smooth_l1_loss": lambda a: F.smooth_l1_loss(a, a * 2),
        "huber_loss": lambda a: F.huber_loss(a, a * 2),
        "cross_entropy": lambda a: F.cross_entropy(a, t),
        "nll_loss": lambda a: F.nll_loss(a.log_softmax(-1), t),
        "bce": lambda a: F.binary_cross_entropy(a.sigmoid(), a.sigmoid() * 0.5),
        "bce_logits": lambda a: F.binary_cross_entropy_with_logits(a, a.sigmoid()),
        "kl_div": lambda a: F.kl_div(a.log_softmax(-1), a.softmax(-1), reduction="batchmean"),
        "soft_margin": lambda a: F.soft_margin_loss(a, a.sign()),
        "margin_ranking": lambda a: F.margin_ranking_loss(a[0], a[1], a[2].sign()),
        "hinge_embedding": lambda a: F.hinge_embedding_loss(a, a.sign()),
        "poisson_nll": lambda a: F.poisson_nll_loss(a, a.abs()),
        "triplet_margin": lambda a: F.triplet_margin_loss(a, a * 2, a * 3),
        "multi_margin": lambda a: F.multi_margin_loss(a, t),
        "cosine_embedding": lambda a: F.cosine_embedding_loss(a, a * 2, a[0].sign()),
        "cdist": lambda a: torch.cdist(a, a * 2),
        "trace": lambda a: a.trace(),
        "inverse": lambda a: torch.linalg.inv(a + 4 * torch.eye(4, dtype=a.dtype)),
        "cholesky": lambda a: torch.linalg.cholesky(a @ a.mT + torch.eye(4, dtype=a.dtype)),
        "qr": lambda a: torch.linalg.qr(a)[0].abs(),
        "svdvals": lambda a: torch.linalg.svd(a)[1],
        "solve": lambda a: torch.linalg.solve(a + 4 * torch.eye(4, dtype=a.dtype), a),
        "eigvalsh": lambda a: torch.linalg.eigh(a + a.mT)[0],
        "max_pool3d": lambda a: F.max_pool3d(a.reshape(1, 1, 1, 4, 4), (1, 2, 2)),
        "avg_pool3d": lambda a: F.avg_pool3d(a.reshape(1, 1, 1, 4, 4), (1, 2, 2)),
        "adaptive_avg_pool3d": lambda a: F.adaptive_avg_pool3d(a.reshape(1, 1, 1, 4, 4), 1),
        "avg_pool2d": lambda a: F.avg_pool2d(a[None], 2),
        "reflect_pad": lambda a: F.pad(a[None], (1, 1), mode="reflect"),
        "replicate_pad": lambda a: F.pad(a[None], (1, 1), mode="replicate"),
        "grid_sample": lambda a: F.grid_sample(a.reshape(1, 1, 4, 4),
                                               a[:2].reshape(1, 1, 4, 2).tanh(),
                                               align_corners=False),
        "upsample_linear": lambda a: F.interpolate(a[None], scale_factor=2, mode="linear"),
        # promote
        "cat": lambda a: torch.cat([a, a.float()]),
        "stack": lambda a: torch.stack([a, a.float()]),
    }


NAMES = list(_ops(jtorch))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("low", [False, True], ids=["f32_in", "bf16_in"])
def test_op_dtype_and_value(name, low):
    def f(torch):
        x = torch.tensor(_X)
        if low:
            x = x.to(torch.bfloat16)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return _ops(torch)[name](x)
    check(f, rtol=2e-2, atol=2e-2)


@pytest.mark.parametrize("name", ["mm", "linear", "mse_loss", "conv2d"])
def test_float16(name):
    def f(torch):
        with torch.autocast("cpu", dtype=torch.float16):
            return _ops(torch)[name](torch.tensor(_X))
    check(f, rtol=1e-2, atol=1e-2)


def test_float64_is_not_cast():
    check(lambda torch: _autocast_mm(torch, torch.tensor(_X, dtype=torch.float64)))


def _autocast_mm(torch, x):
    with torch.autocast("cpu"):
        return x @ x


def test_gradients_and_graph():
    def f(torch):
        w = torch.tensor(_X, requires_grad=True)
        x = torch.tensor(_X[::-1].copy())
        with torch.autocast("cpu", dtype=torch.bfloat16):
            h = x @ w
            loss = torch.nn.functional.mse_loss(h, x)
        names = [type(h.grad_fn).__name__,
                 sorted(type(n).__name__ for n, _ in h.grad_fn.next_functions if n is not None),
                 str(loss.dtype)]
        loss.backward()
        return names, w.grad
    check(f, rtol=3e-2, atol=3e-2)


def test_weight_cast_is_cached_within_region():
    def f(torch):
        w = torch.tensor(_X, requires_grad=True)
        with torch.autocast("cpu"):
            y = w @ w
        a, b = (n for n, _ in y.grad_fn.next_functions)
        return a is b
    check(f)


def test_nesting_and_disable():
    def f(torch):
        x = torch.tensor(_X)
        out = []
        with torch.autocast("cpu"):
            out.append((x @ x).dtype)
            out.append(torch.is_autocast_enabled("cpu"))
            with torch.autocast("cpu", enabled=False):
                out.append((x @ x).dtype)
                out.append(torch.is_autocast_enabled("cpu"))
            with torch.autocast("cpu", dtype=torch.float16):
                out.append((x @ x).dtype)
                out.append(torch.get_autocast_dtype("cpu"))
            out.append((x @ x).dtype)
            out.append(torch.get_autocast_dtype("cpu"))
        out.append((x @ x).dtype)
        out.append(torch.is_autocast_enabled("cpu"))
        out.append(torch.is_autocast_enabled())
        return [str(v) for v in out]
    check(f)


def test_decorator_and_amp_spelling():
    def f(torch):
        @torch.autocast("cpu")
        def g(x):
            return x @ x

        x = torch.tensor(_X)
        with torch.amp.autocast("cpu"):
            y = x @ x
        return g(x).dtype, y.dtype, (x @ x).dtype, torch.amp.autocast is torch.autocast
    check(f)


def test_defaults_and_state_functions():
    def f(torch):
        out = [torch.get_autocast_dtype("cpu"), torch.get_autocast_dtype("cuda"),
               torch.is_autocast_enabled(), torch.is_autocast_cache_enabled(),
               torch.amp.is_autocast_available("cpu")]
        torch.set_autocast_enabled("cpu", True)
        out.append(torch.is_autocast_enabled("cpu"))
        out.append((torch.tensor(_X) @ torch.tensor(_X)).dtype)
        torch.set_autocast_enabled("cpu", False)
        out.append((torch.tensor(_X) @ torch.tensor(_X)).dtype)
        torch.set_autocast_dtype("cpu", torch.float16)
        out.append(torch.get_autocast_dtype("cpu"))
        torch.set_autocast_dtype("cpu", torch.bfloat16)
        a = torch.autocast("cpu")
        out += [a.device, a.fast_dtype]
        return [str(v) for v in out]
    check(f)


@pytest.mark.parametrize("case", ["not_str", "bad_dtype", "bad_device", "state_bad_device"])
def test_errors_and_warnings(case):
    def f(torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            if case == "not_str":
                torch.autocast(1)
            elif case == "bad_dtype":
                with torch.autocast("cpu", dtype=torch.float64):
                    r = (torch.tensor(_X) @ torch.tensor(_X)).dtype
                return str(r), [(x.category.__name__, str(x.message)) for x in w]
            elif case == "bad_device":
                torch.autocast("xpu2")
            else:
                torch.get_autocast_dtype("foo")
    check(f, message=True)


def test_deprecated_spellings():
    def f(torch):
        out = []
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            a = torch.cpu.amp.autocast()
            with a:
                out.append(str((torch.tensor(_X) @ torch.tensor(_X)).dtype))
            out.append(type(a).__module__ + "." + type(a).__name__)
            out.append(torch.is_autocast_cpu_enabled())
            out.append(str(torch.get_autocast_cpu_dtype()))
        out.append(sorted({(x.category.__name__, str(x.message).split(" (Triggered")[0])
                           for x in w}))
        return out
    check(f)


def test_cuda_autocast_without_cuda_disables_with_warning():
    if jtorch.cuda.is_available():
        pytest.skip("a CUDA device is present")

    def f(torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            with torch.autocast("cuda"):
                r = torch.is_autocast_enabled("cuda")
        return r, [str(x.message) for x in w]
    check(f)


def test_training_step_matches_torch():
    def f(torch):
        torch.manual_seed(0)
        lin = torch.nn.Linear(4, 3)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(_X[:3]))
            lin.bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
        opt = torch.optim.SGD(lin.parameters(), lr=0.1)
        x = torch.tensor(_X)
        t = torch.tensor(_T[:4] % 3)
        losses = []
        for _ in range(1):
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out = lin(x)
                loss = torch.nn.functional.cross_entropy(out, t)
            loss.backward()
            opt.step()
            losses.append(loss)
        return losses, lin.weight, lin.weight.grad, out.dtype == torch.bfloat16
    check(f, rtol=3e-2, atol=3e-2)


def test_compile_key_includes_autocast():
    cf = jtorch.compile(lambda x: x @ x)
    x = jtorch.tensor(_X)
    assert cf(x).dtype == jtorch.float32
    with jtorch.autocast("cpu"):
        assert cf(x).dtype == jtorch.bfloat16
    assert cf(x).dtype == jtorch.float32
    assert cf.traces == 2


def test_custom_fwd_bwd():
    class Sq(jtorch.autograd.Function):
        @staticmethod
        @jtorch.amp.custom_fwd(device_type="cpu", cast_inputs=jtorch.float32)
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x @ x

        @staticmethod
        @jtorch.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g @ x.mT + x.mT @ g

    x = jtorch.tensor(_X, requires_grad=True)
    with jtorch.autocast("cpu"):
        y = Sq.apply(x.to(jtorch.bfloat16))
    assert y.dtype == jtorch.float32  # forward ran with autocast off, inputs in float32
    y.sum().backward()
    assert x.grad.dtype == jtorch.float32
    assert_same(TORCH.tensor(_X), x.detach(), rtol=0)
