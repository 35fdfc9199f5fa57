#!/usr/bin/env python
"""jtorch <-> JAX: train a jtorch Module with a hand-written JAX + Optax loop, and use a JAX
function inside a jtorch model trained by jtorch's autograd and optimizer.

    python examples/jax_interop.py              # full run
    python examples/jax_interop.py --quick      # a few seconds
    python examples/jax_interop.py --device cuda

Part 1 turns the model into ``(params, apply)`` with ``jtorch.interop.functional_module``:
``apply`` is a pure JAX function, so ``jax.jit(jax.value_and_grad(...))`` and an Optax optimizer
drive the training; ``jtorch.interop.load_params`` writes the result back into the module.
Part 2 wraps a JAX function with ``jtorch.jax_function``: it becomes one jtorch op whose
backward is ``jax.vjp``, so ``loss.backward()`` and ``torch.optim`` train through it.
A PNG of both loss curves is saved if matplotlib is installed.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

import jtorch as torch  # noqa: E402
from jtorch import nn  # noqa: E402


def make_data(n, seed):
    """Two interleaved spirals (2 features, 2 classes)."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.5, 3.0 * np.pi, n)
    label = rng.integers(0, 2, n)
    r = t / (3.0 * np.pi)
    angle = t + label * np.pi
    x = np.stack([r * np.cos(angle), r * np.sin(angle)], 1) + rng.normal(0, 0.02, (n, 2))
    return x.astype(np.float32), label.astype(np.int64)


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(),
                         nn.Linear(64, 2))


def part1(args, device, x_np, y_np, xt_np, yt_np):
    """A jtorch Module trained by a JAX/Optax loop."""
    print("== part 1: jtorch model, JAX + Optax training loop ==")
    model = make_model().to(device)
    params, apply = torch.interop.functional_module(model)
    dev = next(iter(params.values())).devices().pop()
    x, y = jax.device_put(x_np, dev), jax.device_put(y_np, dev)
    opt = optax.adam(args.lr)
    opt_state = opt.init(params)

    def loss_fn(p, xb, yb):
        logits = apply(p, xb)
        return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

    @jax.jit
    def train_step(p, s, xb, yb):
        loss, grads = jax.value_and_grad(loss_fn)(p, xb, yb)
        updates, s = opt.update(grads, s, p)
        return optax.apply_updates(p, updates), s, loss

    losses = []
    rng = np.random.default_rng(1)
    for step in range(1, args.steps + 1):
        idx = rng.integers(0, len(x_np), args.batch_size)
        params, opt_state, loss = train_step(params, opt_state, x[idx], y[idx])
        losses.append(float(loss))
        if step % args.log_every == 0 or step == args.steps:
            print(f"step {step:5d}  loss {losses[-1]:.4f}")
    # back into the module: evaluate with the ordinary jtorch API
    torch.interop.load_params(model, params)
    model.eval()
    with torch.no_grad():
        xt = torch.from_numpy(xt_np).to(device)
        yt = torch.from_numpy(yt_np).to(device)
        logits = model(xt)
        test_loss = nn.functional.cross_entropy(logits, yt).item()
        acc = (logits.argmax(1) == yt).float().mean().item()
    print(f"test loss {test_loss:.4f}  accuracy {acc:.3f}")
    return losses, acc


@torch.jax_function
def rbf_features(x, centers, log_width):
    """A JAX function: Gaussian RBF features of x (n, d) for centers (k, d)."""
    d2 = jnp.sum((x[:, None, :] - centers[None, :, :]) ** 2, axis=-1)
    return jnp.exp(-d2 * jnp.exp(-2.0 * log_width))


class RBFNet(nn.Module):
    """A jtorch model whose first layer is the JAX function above (trainable centers)."""

    def __init__(self, k=48):
        super().__init__()
        self.centers = nn.Parameter(torch.rand(k, 2) * 2 - 1)
        self.log_width = nn.Parameter(torch.tensor(-1.5))
        self.head = nn.Linear(k, 2)

    def forward(self, x):
        return self.head(rbf_features(x, self.centers, self.log_width))


def part2(args, device, x_np, y_np, xt_np, yt_np):
    """A JAX function inside a jtorch model, trained with loss.backward() and torch.optim."""
    print("== part 2: JAX function inside a jtorch model, jtorch training loop ==")
    torch.manual_seed(0)
    model = RBFNet().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr * 5)
    x = torch.from_numpy(x_np).to(device)
    y = torch.from_numpy(y_np).to(device)
    feats = rbf_features(x[:2], model.centers, model.log_width)
    print(f"the JAX layer's grad_fn: {type(feats.grad_fn).__name__}")
    losses = []
    gen = torch.Generator().manual_seed(1)
    for step in range(1, args.steps + 1):
        idx = torch.randint(0, len(x_np), (args.batch_size,), generator=gen).to(device)
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()  # the backward of rbf_features is jax.vjp of the JAX function
        opt.step()
        if step % args.log_every == 0 or step == args.steps:
            losses.append(loss.item())
            print(f"step {step:5d}  loss {losses[-1]:.4f}")
    with torch.no_grad():
        logits = model(torch.from_numpy(xt_np).to(device))
        yt = torch.from_numpy(yt_np).to(device)
        test_loss = nn.functional.cross_entropy(logits, yt).item()
        acc = (logits.argmax(1) == yt).float().mean().item()
    print(f"test loss {test_loss:.4f}  accuracy {acc:.3f}")
    return losses, acc


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="a short run (a few seconds)")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--log-every", type=int, default=None)
    p.add_argument("--plot", default="jax_interop.png",
                   help="PNG path (needs matplotlib; '' for none)")
    args = p.parse_args(argv)
    args.steps = args.steps or (60 if args.quick else 1500)
    args.log_every = args.log_every or (20 if args.quick else 250)
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda: no CUDA device is available")
    device = torch.device(args.device)
    x, y = make_data(4096, 0)
    xt, yt = make_data(1024, 1)
    l1, a1 = part1(args, device, x, y, xt, yt)
    l2, a2 = part2(args, device, x, y, xt, yt)
    print(f"final accuracy: JAX/Optax loop {a1:.3f}, jtorch loop with a JAX layer {a2:.3f}")
    if not args.plot:
        return
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(range(1, len(l1) + 1), l1, label="part 1: JAX + Optax loop")
    ax.plot(np.linspace(1, args.steps, len(l2)), l2, "o-", label="part 2: jtorch loop")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.plot)
    print(f"saved {args.plot}")


if __name__ == "__main__":
    main()
