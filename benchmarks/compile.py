#!/usr/bin/env python
"""torch.compile on jtorch: forward and training step of the reference models, compiled and not,
against PyTorch (eager, and torch.compile where it works), measured in the same run.

    python benchmarks/compile.py                 # mlp, cnn, transformer; torch.compile included
    python benchmarks/compile.py --quick         # small sizes, few steps, no torch.compile
    python benchmarks/compile.py cnn --steps 30 --no-torch-compile

The models are those of ../shared/bench (mlp.py, cnn.py, transformer.py) on fixed synthetic
batches.  A *forward* is ``model(x)`` under ``no_grad``; a *train step* is zero_grad, forward,
cross-entropy, backward and the optimizer step.  Every step ends by waiting for its result (jtorch:
``out.jax().block_until_ready()``, which runs the pending graph; PyTorch's CPU ops are
synchronous), so the times are the computation, not its recording or JAX's async dispatch.  Warm-up
steps (compilation included) are timed separately.  Each cell is the median over ``--rounds``
rounds of ``--steps`` steps; the libs alternate within a round.
"""
from __future__ import annotations

import argparse
import math
import os
import pathlib
import statistics
import sys
import time
import warnings

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

MODELS = ("mlp", "cnn", "transformer")


# --------------------------------------------------------------------------------------------
# the models (as in ../shared/bench), written once for any torch-like module


def build(torch, name, quick):
    nn = torch.nn
    F = nn.functional
    torch.manual_seed(0)
    if name == "mlp":
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                              nn.ReLU(), nn.Linear(512, 10))
        opt = torch.optim.SGD(model.parameters(), lr=1e-3)
        return model, opt, lambda out, y: F.cross_entropy(out, y)
    if name == "cnn":
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3),
                              nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128),
                              nn.ReLU(), nn.Linear(128, 10))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        return model, opt, lambda out, y: F.cross_entropy(out, y)
    n_embd, n_head, n_layer, block = 128, 4, 2, (32 if quick else 64)

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(n_embd, 3 * n_embd)
            self.proj = nn.Linear(n_embd, n_embd)
            self.register_buffer("mask", torch.tril(torch.ones(block, block)).view(1, 1, block,
                                                                                    block))

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.qkv(x).split(C, dim=2)
            q = q.view(B, T, n_head, C // n_head).transpose(1, 2)
            k = k.view(B, T, n_head, C // n_head).transpose(1, 2)
            v = v.view(B, T, n_head, C // n_head).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
            y = F.softmax(att, dim=-1) @ v
            return self.proj(y.transpose(1, 2).contiguous().view(B, T, C))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = nn.LayerNorm(n_embd)
            self.attn = Attention()
            self.ln_2 = nn.LayerNorm(n_embd)
            self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(),
                                     nn.Linear(4 * n_embd, n_embd))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class CharLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok_emb = nn.Embedding(256, n_embd)
            self.pos_emb = nn.Parameter(torch.zeros(1, block, n_embd))
            self.blocks = nn.Sequential(*[Block() for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd)
            self.head = nn.Linear(n_embd, 256)

        def forward(self, idx):
            B, T = idx.size()
            x = self.tok_emb(idx) + self.pos_emb[:, :T, :]
            return self.head(self.ln_f(self.blocks(x)))

    model = CharLM()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01)
    return model, opt, lambda out, y: F.cross_entropy(out.view(-1, out.size(-1)), y.view(-1))


def batch(name, quick):
    rng = np.random.default_rng(0)
    if name == "transformer":
        n, t = (8, 32) if quick else (32, 64)
        x = rng.integers(0, 256, (n, t)).astype(np.int64)
        return x, rng.integers(0, 256, (n, t)).astype(np.int64)
    n = 16 if quick else 64
    x = rng.standard_normal((n, 1, 28, 28)).astype(np.float32)
    return x, rng.integers(0, 10, (n,)).astype(np.int64)


# --------------------------------------------------------------------------------------------
# timing


class Runner:
    """One (lib, compiled) configuration of one model: forward and train step closures."""

    def __init__(self, lib, lib_name, name, compiled, quick):
        self.lib = lib
        self.label = f"{lib_name}{' compiled' if compiled else ''}"
        model, opt, loss_fn = build(lib, name, quick)
        run = lib.compile(model) if compiled else model
        xn, yn = batch(name, quick)
        x, y = lib.from_numpy(xn), lib.from_numpy(yn)
        if hasattr(lib, "from_jax"):  # jtorch: run the pending graph and wait for XLA
            def sync(t):
                t.jax().block_until_ready()
        else:  # PyTorch CPU ops are synchronous
            def sync(t):
                pass

        def forward():
            with lib.no_grad():
                out = run(x)
            sync(out)
            return out

        def step():
            opt.zero_grad()
            loss = loss_fn(run(x), y)
            loss.backward()
            opt.step()
            sync(loss)
            return loss

        self.forward, self.step = forward, step
        self.times = {"forward": [], "step": []}
        self.warmup_s = {}

    def warm(self, kind, n):
        t = time.perf_counter()
        for _ in range(n):
            getattr(self, kind)()
        self.warmup_s[kind] = time.perf_counter() - t

    def measure(self, kind, n):
        fn = getattr(self, kind)
        t = time.perf_counter()
        for _ in range(n):
            fn()
        self.times[kind].append((time.perf_counter() - t) / n * 1e3)

    def ms(self, kind):
        return statistics.median(self.times[kind])


def bench(name, args, libs):
    runners = []
    for lib_name, lib, compiled in libs:
        try:
            r = Runner(lib, lib_name, name, compiled, args.quick)
            for kind in ("forward", "step"):
                r.warm(kind, args.warmup)
        except Exception as e:  # noqa: BLE001  (report and go on with the other configurations)
            print(f"  {lib_name}{' compiled' if compiled else ''}: failed ({type(e).__name__}: "
                  f"{str(e).splitlines()[0][:100]})", flush=True)
            continue
        runners.append(r)
    for _ in range(args.rounds):
        for r in runners:
            for kind in ("forward", "step"):
                r.measure(kind, args.steps)
    return runners


def report(name, runners):
    base = {r.label: r for r in runners}
    print(f"\n{name}")
    print(f"  {'config':<20} {'forward ms':>11} {'step ms':>10} {'warm-up s':>10}  "
          f"{'fwd vs torch':>12} {'step vs torch':>13}")
    ref = base.get("torch")
    for r in runners:
        f, s = r.ms("forward"), r.ms("step")
        rf = f"{f / ref.ms('forward'):.2f}x" if ref else "-"
        rs = f"{s / ref.ms('step'):.2f}x" if ref else "-"
        print(f"  {r.label:<20} {f:>11.3f} {s:>10.3f} {sum(r.warmup_s.values()):>10.1f}  "
              f"{rf:>12} {rs:>13}")
    for lib in ("jtorch", "torch"):
        e, c = base.get(lib), base.get(f"{lib} compiled")
        if e and c:
            print(f"  {lib}: compiled/eager forward {c.ms('forward') / e.ms('forward'):.2f}x, "
                  f"train step {c.ms('step') / e.ms('step'):.2f}x")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("models", nargs="*", help=f"any of {', '.join(MODELS)} (default: all)")
    p.add_argument("--quick", action="store_true",
                   help="small batches, 3 warm-up + 3 measured steps, 1 round, no torch.compile")
    p.add_argument("--steps", type=int, default=None, help="measured steps per round")
    p.add_argument("--warmup", type=int, default=None, help="warm-up steps (compile included)")
    p.add_argument("--rounds", type=int, default=None)
    p.add_argument("--threads", type=int, default=1,
                   help="CPU threads for PyTorch's ops and XLA's (default 1: on a shared, loaded "
                        "machine PyTorch's spinning OpenMP threads lose 10x; 0 = library default)")
    p.add_argument("--no-torch", action="store_true", help="jtorch only")
    p.add_argument("--no-torch-compile", action="store_true",
                   help="skip torch.compile on PyTorch (its inductor backend compiles C++)")
    args = p.parse_args(argv)
    args.models = args.models or list(MODELS)
    bad = [m for m in args.models if m not in MODELS]
    if bad:
        p.error(f"unknown model(s) {bad}; choose from {', '.join(MODELS)}")
    args.steps = args.steps or (3 if args.quick else 20)
    # jtorch compiles a graph the second time it sees it: 3 warm-up calls reach the cache
    args.warmup = args.warmup or (3 if args.quick else 5)
    args.rounds = args.rounds or (1 if args.quick else 3)
    warnings.simplefilter("ignore")
    if args.threads == 1:  # before JAX starts: XLA's CPU ops on the calling thread
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                   " --xla_cpu_multi_thread_eigen=false "
                                   "intra_op_parallelism_threads=1").strip()

    import jtorch
    libs = [("jtorch", jtorch, False), ("jtorch", jtorch, True)]
    if not args.no_torch:
        try:
            import torch
            if args.threads:
                torch.set_num_threads(args.threads)
            libs = [("torch", torch, False)] + libs
            if not (args.quick or args.no_torch_compile):
                libs.append(("torch", torch, True))
        except ImportError:
            print("PyTorch not installed: jtorch only")
    print(f"models {', '.join(args.models)}; {args.rounds} round(s) of {args.steps} steps after "
          f"{args.warmup} warm-up steps; threads {args.threads or 'default'}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    for name in args.models:
        report(name, bench(name, args, libs))


if __name__ == "__main__":
    main()
