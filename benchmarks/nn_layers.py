#!/usr/bin/env python
"""Benchmark: one training step (forward + backward + SGD update) of three standard layers.

    PYTHONPATH=src python benchmarks/nn_layers.py [conv2d lstm transformer] [--quick]
                                                  [--rounds 3] [--seconds 5] [--no-torch]

For each layer, in the same process and on the same data and initial weights:

* jtorch: unchanged PyTorch-style code: ``out = model(x)``, ``F.mse_loss``, ``zero_grad``,
  ``loss.backward()``, ``optim.SGD.step()``, ``loss.item()`` every step;
* hand-written JAX: ``jax.jit`` of ``value_and_grad`` of an equivalent pure function
  (``lax.conv_general_dilated`` / ``lax.scan`` / ``dot_general``) followed by the same SGD
  update, parameters donated, ``float(loss)`` every step: the best JAX can do, what jtorch can
  at most reach;
* PyTorch (CPU) with the same code as jtorch.

Layers (full sizes; ``--quick`` shrinks them to run in seconds):

* ``conv2d``: ``nn.Conv2d(64, 64, 3, padding=1)`` on a (32, 64, 56, 56) batch;
* ``lstm``: ``nn.LSTM(256, 256, num_layers=2)`` on a (64, 32, 256) sequence (seq, batch, feat);
* ``transformer``: ``nn.TransformerEncoderLayer(256, 8, 1024, dropout=0.0,
  batch_first=True)`` on a (16, 128, 256) batch.

The libraries run in alternating timed rounds; each prints its best round (a shared machine
slows some rounds; the best is the closest to the true cost).  The first-step losses of the
three must agree (same weights, same maths): the table shows the largest relative difference.
"""
from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

LR = 0.01

SIZES = {
    "conv2d": {"full": dict(batch=32, cin=64, cout=64, hw=56, k=3),
               "quick": dict(batch=4, cin=16, cout=16, hw=28, k=3)},
    "lstm": {"full": dict(seq=64, batch=32, inp=256, hidden=256, layers=2),
             "quick": dict(seq=16, batch=8, inp=64, hidden=64, layers=2)},
    "transformer": {"full": dict(batch=16, seq=128, d=256, heads=8, ff=1024),
                    "quick": dict(batch=4, seq=32, d=64, heads=4, ff=128)},
}


# --------------------------------------------------------------------------------------------
# PyTorch-API side (torch and jtorch run the same code)

def build_module(lib, name, s):
    nn = lib.nn
    if name == "conv2d":
        return nn.Conv2d(s["cin"], s["cout"], s["k"], padding=s["k"] // 2)
    if name == "lstm":
        return nn.LSTM(s["inp"], s["hidden"], num_layers=s["layers"])
    return nn.TransformerEncoderLayer(s["d"], s["heads"], s["ff"], dropout=0.0,
                                      batch_first=True)


def data(name, s, seed=0):
    """``(input, target)`` numpy arrays for a layer."""
    rng = np.random.default_rng(seed)
    if name == "conv2d":
        x = rng.standard_normal((s["batch"], s["cin"], s["hw"], s["hw"]))
        y = rng.standard_normal((s["batch"], s["cout"], s["hw"], s["hw"]))
    elif name == "lstm":
        x = rng.standard_normal((s["seq"], s["batch"], s["inp"]))
        y = rng.standard_normal((s["seq"], s["batch"], s["hidden"]))
    else:
        x = rng.standard_normal((s["batch"], s["seq"], s["d"]))
        y = rng.standard_normal((s["batch"], s["seq"], s["d"]))
    return x.astype(np.float32), y.astype(np.float32)


def torchlike_stepper(lib, name, s, state, x, y):
    """A ``step()`` running one PyTorch-style training step, returning the loss as a float."""
    model = build_module(lib, name, s)
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    model.train()
    opt = lib.optim.SGD(model.parameters(), lr=LR)
    F = lib.nn.functional
    xt, yt = lib.tensor(x), lib.tensor(y)

    def step():
        out = model(xt)
        if isinstance(out, tuple):  # LSTM: (output, (h_n, c_n))
            out = out[0]
        loss = F.mse_loss(out, yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return step


# --------------------------------------------------------------------------------------------
# hand-written JAX

def jax_stepper(name, s, state, x, y):
    import jax
    import jax.numpy as jnp
    from jax import lax

    params = {k: jnp.asarray(v) for k, v in state.items()}

    def conv_loss(p, x, y):
        out = lax.conv_general_dilated(x, p["weight"], (1, 1), [(s["k"] // 2,) * 2] * 2,
                                       dimension_numbers=("NCHW", "OIHW", "NCHW"))
        out = out + p["bias"][None, :, None, None]
        return jnp.mean((out - y) ** 2)

    def lstm_layer(p, i, x):
        w_ih, w_hh = p[f"weight_ih_l{i}"], p[f"weight_hh_l{i}"]
        xw = jnp.einsum("tbi,gi->tbg", x, w_ih) + p[f"bias_ih_l{i}"] + p[f"bias_hh_l{i}"]
        zeros = jnp.zeros((x.shape[1], w_hh.shape[1]), x.dtype)

        def cell(carry, xt):
            h, c = carry
            g = xt + h @ w_hh.T
            gi, gf, gg, go = jnp.split(g, 4, axis=-1)
            c = jax.nn.sigmoid(gf) * c + jax.nn.sigmoid(gi) * jnp.tanh(gg)
            h = jax.nn.sigmoid(go) * jnp.tanh(c)
            return (h, c), h

        return lax.scan(cell, (zeros, zeros), xw)[1]

    def lstm_loss(p, x, y):
        for i in range(s["layers"]):
            x = lstm_layer(p, i, x)
        return jnp.mean((x - y) ** 2)

    def linear(p, pre, x):
        return x @ p[pre + "weight"].T + p[pre + "bias"]

    def layer_norm(p, pre, x, eps=1e-5):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) * lax.rsqrt(var + eps) * p[pre + "weight"] + p[pre + "bias"]

    def transformer_loss(p, x, y):
        b, t, d = x.shape
        h = s["heads"]
        qkv = x @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]
        q, k, v = (a.reshape(b, t, h, d // h).transpose(0, 2, 1, 3)
                   for a in jnp.split(qkv, 3, axis=-1))
        att = jax.nn.softmax(q @ k.transpose(0, 1, 3, 2) / math.sqrt(d // h), axis=-1)
        o = (att @ v).transpose(0, 2, 1, 3).reshape(b, t, d)
        x = layer_norm(p, "norm1.", x + linear(p, "self_attn.out_proj.", o))
        ff = linear(p, "linear2.", jax.nn.relu(linear(p, "linear1.", x)))
        x = layer_norm(p, "norm2.", x + ff)
        return jnp.mean((x - y) ** 2)

    loss_fn = {"conv2d": conv_loss, "lstm": lstm_loss, "transformer": transformer_loss}[name]

    def update(p, x, y):
        loss, g = jax.value_and_grad(loss_fn)(p, x, y)
        return jax.tree.map(lambda a, b: a - LR * b, p, g), loss

    update = jax.jit(update, donate_argnums=0)
    xj, yj = jnp.asarray(x), jnp.asarray(y)
    box = [params]

    def step():
        box[0], loss = update(box[0], xj, yj)
        return float(loss)

    step.lower = lambda: update.lower(box[0], xj, yj)  # for profiling: the compiled step
    return step


# --------------------------------------------------------------------------------------------
# driver

def initial_state(name, s):
    """Initial weights (PyTorch's default init, drawn by jtorch) as numpy arrays."""
    import jtorch
    jtorch.manual_seed(0)
    m = build_module(jtorch, name, s)
    return {k: v.numpy().copy() for k, v in m.state_dict().items()}


def bench(name, quick, rounds, seconds, libs):
    s = SIZES[name]["quick" if quick else "full"]
    state = initial_state(name, s)
    x, y = data(name, s)
    steppers, first = {}, {}
    for lib in libs:
        if lib == "jax":
            steppers[lib] = jax_stepper(name, s, state, x, y)
        else:
            mod = __import__(lib)
            steppers[lib] = torchlike_stepper(mod, name, s, state, x, y)
        first[lib] = steppers[lib]()  # the first step: same weights, so the same loss
        for _ in range(2):  # jtorch compiles the whole step when it sees it again
            steppers[lib]()
    best = {lib: float("inf") for lib in libs}
    for _ in range(rounds):
        for lib in libs:
            step, n, t0 = steppers[lib], 0, time.perf_counter()
            while True:
                step()
                n += 1
                el = time.perf_counter() - t0
                if el >= seconds and n >= 2:
                    break
            best[lib] = min(best[lib], el / n)
    ref = first["jax"]
    agree = max(abs(v - ref) / max(abs(ref), 1e-12) for v in first.values())
    return {lib: 1.0 / best[lib] for lib in libs}, agree


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("layers", nargs="*", help=f"any of {', '.join(SIZES)} (default: all)")
    p.add_argument("--quick", action="store_true", help="small sizes, one short round")
    p.add_argument("--rounds", type=int, default=None)
    p.add_argument("--seconds", type=float, default=None, help="minimum seconds per round")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    p.add_argument("--torch-threads", type=int, default=None,
                   help="torch.set_num_threads (PyTorch's CPU kernels stall on a busy machine)")
    a = p.parse_args(argv)
    for name in a.layers:
        if name not in SIZES:
            p.error(f"unknown layer {name!r} (choose from {', '.join(SIZES)})")
    rounds = a.rounds or (1 if a.quick else 7)
    seconds = a.seconds if a.seconds is not None else (0.5 if a.quick else 2.0)
    libs = ["jtorch", "jax"]
    if not a.no_torch:
        try:
            import torch
            libs.append("torch")
            if a.torch_threads:
                torch.set_num_threads(a.torch_threads)
        except ImportError:
            pass
    print(f"{'layer':12s} " + " ".join(f"{lib + ' steps/s':>16s}" for lib in libs)
          + f" {'jtorch/jax':>11s}" + (f" {'jtorch/torch':>13s}" if "torch" in libs else "")
          + f" {'loss agree':>11s}", flush=True)
    for name in a.layers or list(SIZES):
        rate, agree = bench(name, a.quick, rounds, seconds, libs)
        line = f"{name:12s} " + " ".join(f"{rate[lib]:16.3f}" for lib in libs)
        line += f" {rate['jtorch'] / rate['jax']:11.2f}"
        if "torch" in libs:
            line += f" {rate['jtorch'] / rate['torch']:13.2f}"
        print(line + f" {agree:11.1e}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
