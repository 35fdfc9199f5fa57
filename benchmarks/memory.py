"""Memory stays flat over a long training run (issue: the engine drops graph inputs after
each sync).

Trains the bench MLP (Flatten, Linear(784,512), ReLU, Linear(512,512), ReLU, Linear(512,10);
CrossEntropyLoss; SGD) on one fixed synthetic batch set and reports the process RSS after
``--short`` and after ``--long`` steps, and the engine's compile count at both points.

    python benchmarks/memory.py                 # 1,000 vs 10,000 steps
    python benchmarks/memory.py --quick         # 200 vs 2,000 steps

Target: RSS(long) within 10 % of RSS(short); the compile count does not grow after warm-up.
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np


def rss_mib():
    with open(f"/proc/{os.getpid()}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--short", type=int, default=1000)
    ap.add_argument("--long", type=int, default=10000)
    ap.add_argument("--quick", action="store_true", help="200 vs 2,000 steps")
    args = ap.parse_args(argv)
    if args.quick:
        args.short, args.long = 200, 2000

    import jtorch as torch
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                          nn.ReLU(), nn.Linear(512, 10))
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    batches = [(torch.tensor(rng.random((64, 1, 28, 28), dtype=np.float32)),
                torch.tensor(rng.integers(0, 10, 64))) for _ in range(8)]

    def run(n, start):
        loss = None
        for i in range(start, start + n):
            x, y = batches[i % len(batches)]
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            opt.zero_grad()
            if i % 100 == 0:
                loss.item()
        return loss.item()

    t0 = time.perf_counter()
    run(args.short, 0)
    rss_short, compiles_short = rss_mib(), torch.engine.stats()["compiles"]
    loss = run(args.long - args.short, args.short)
    rss_long, compiles_long = rss_mib(), torch.engine.stats()["compiles"]
    result = {"short_steps": args.short, "long_steps": args.long,
              "rss_short_mib": round(rss_short, 1), "rss_long_mib": round(rss_long, 1),
              "rss_growth": round(rss_long / rss_short - 1, 4),
              "compiles_short": compiles_short, "compiles_long": compiles_long,
              "final_loss": loss, "wall_s": round(time.perf_counter() - t0, 1)}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
