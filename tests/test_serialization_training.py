"""Checkpoints of real training state: module and optimizer state_dicts both ways, and training
that continues identically after a round trip between PyTorch and jtorch."""
import io

import numpy as np
import pytest

import jtorch
from oracle import TORCH, needs_torch


def _net(lib, lstm=True):
    """Embedding, Conv1d, BatchNorm1d, LSTM (optional: the slowest to trace), Linear."""
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = lib.nn.Embedding(10, 4)
            # no conv bias: BatchNorm cancels it, its gradient is rounding noise that Adam
            # would amplify differently in each library
            self.conv = lib.nn.Conv1d(4, 6, 3, bias=False)
            self.bn = lib.nn.BatchNorm1d(6)
            self.lstm = lib.nn.LSTM(6, 5, batch_first=True) if lstm else None
            self.fc = lib.nn.Linear(5 if lstm else 6, 3)

        def forward(self, x):
            h = self.emb(x).transpose(1, 2)
            h = lib.relu(self.bn(self.conv(h))).transpose(1, 2)
            if self.lstm is None:
                return self.fc(h.mean(1))
            out, _ = self.lstm(h)
            return self.fc(out[:, -1])
    return Net()


def _batches(k, seed):
    rng = np.random.default_rng(seed)
    return [(rng.integers(0, 10, (4, 7)), rng.integers(0, 3, 4)) for _ in range(k)]


def _optimizer(lib, name, params):
    if name == "sgd":
        return lib.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-4)
    return lib.optim.Adam(params, lr=0.01)


def _train(lib, model, opt, batches):
    for x, y in batches:
        opt.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(lib.from_numpy(x)), lib.from_numpy(y))
        loss.backward()
        opt.step()


def _transfer(src, dst, obj):
    buf = io.BytesIO()
    src.save(obj, buf)
    buf.seek(0)
    return dst.load(buf)


def _assert_state_close(a, b, rtol=2e-4, atol=2e-5):
    assert list(a) == list(b)
    for k in a:
        x, y = a[k], b[k]
        assert str(x.dtype).split(".")[-1] == str(y.dtype).split(".")[-1], k
        assert tuple(x.shape) == tuple(y.shape), k
        np.testing.assert_allclose(np.asarray(x.detach().numpy(), np.float64),
                                   np.asarray(y.detach().numpy(), np.float64), rtol=rtol,
                                   atol=atol, err_msg=k)


def _assert_optim_close(a, b):
    assert a["param_groups"] == b["param_groups"]
    assert sorted(a["state"]) == sorted(b["state"])
    for i in a["state"]:
        _assert_state_close(a["state"][i], b["state"][i])


@needs_torch
@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_state_dicts_both_ways(name):
    TORCH.manual_seed(0)
    tm = _net(TORCH)
    topt = _optimizer(TORCH, name, tm.parameters())
    _train(TORCH, tm, topt, _batches(2, 0))
    # PyTorch -> jtorch
    jm = _net(jtorch)
    sd = _transfer(TORCH, jtorch, tm.state_dict())
    assert str(jm.load_state_dict(sd)) == "<All keys matched successfully>"
    jopt = _optimizer(jtorch, name, jm.parameters())
    jopt.load_state_dict(_transfer(TORCH, jtorch, topt.state_dict()))
    _assert_state_close(tm.state_dict(), jm.state_dict(), rtol=0, atol=0)
    _assert_optim_close(topt.state_dict(), jopt.state_dict())
    assert jm.state_dict()["bn.num_batches_tracked"].dtype == jtorch.int64
    # jtorch -> PyTorch
    tm2 = _net(TORCH)
    tm2.load_state_dict(_transfer(jtorch, TORCH, jm.state_dict()))
    topt2 = _optimizer(TORCH, name, tm2.parameters())
    topt2.load_state_dict(_transfer(jtorch, TORCH, jopt.state_dict()))
    _assert_state_close(tm.state_dict(), tm2.state_dict(), rtol=0, atol=0)
    _assert_optim_close(topt.state_dict(), topt2.state_dict())


def _mlp(lib):
    """A small model for the training runs (each traced program costs seconds to compile):
    Linear, BatchNorm1d (with its running buffers), Linear."""
    return lib.nn.Sequential(lib.nn.Linear(6, 8, bias=False), lib.nn.BatchNorm1d(8),
                             lib.nn.ReLU(), lib.nn.Linear(8, 3))


def _dense_batches(k, seed):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((8, 6)).astype(np.float32), rng.integers(0, 3, 8))
            for _ in range(k)]


def _continue(first, second, name):
    """Train K steps in ``first``, checkpoint model + optimizer, load it in ``second`` and
    train K more steps in both: the two runs agree."""
    first.manual_seed(0)
    m1 = _mlp(first)
    o1 = _optimizer(first, name, m1.parameters())
    _train(first, m1, o1, _dense_batches(2, 1))
    ckpt = _transfer(first, second, {"model": m1.state_dict(), "optim": o1.state_dict(),
                                     "epoch": 2})
    assert ckpt["epoch"] == 2
    m2 = _mlp(second)
    m2.load_state_dict(ckpt["model"])
    o2 = _optimizer(second, name, m2.parameters())
    o2.load_state_dict(ckpt["optim"])
    more = _dense_batches(2, 2)
    _train(first, m1, o1, more)
    _train(second, m2, o2, more)
    _assert_state_close(m1.state_dict(), m2.state_dict())
    _assert_optim_close(o1.state_dict(), o2.state_dict())


@needs_torch
@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_training_continues_identically(name):
    """Both directions in one test: jtorch's traced training programs are shared."""
    _continue(TORCH, jtorch, name)
    _continue(jtorch, TORCH, name)
