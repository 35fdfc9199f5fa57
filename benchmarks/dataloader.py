"""DataLoader throughput: jtorch vs PyTorch on the same data, in the same run.

    PYTHONPATH=src python benchmarks/dataloader.py            # the table
    PYTHONPATH=src python benchmarks/dataloader.py --quick    # fewer batches

Workloads (batches of 64, --max-batches per round, best of --rounds, libraries alternating):

* ``tensor``:  an in-memory TensorDataset of N 28x28 float32 images + int64 labels
  (shuffle=True), num_workers 0 and 2.
* ``python``:  a map-style dataset doing per-item Python/NumPy work (normalise an image,
  build a dict sample with a tensor and a label), num_workers 0 and 2.

The loop only takes the batches (jtorch's batch tensors hold real arrays: the transfer is part
of the time); ``--consume`` also runs an op on each (``x.sum()``, ``.item()`` every 50), which
adds the engine's per-step cost.  Prints batches/s per library and jtorch/PyTorch (>= 1.0
means jtorch is at least as fast).  Thread counts are the libraries' defaults; on a small,
busy machine PyTorch's intra-op threads can make its numbers erratic (try OMP_NUM_THREADS=1).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

SHUFFLE = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))


def make_data(n, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n).astype(np.int64)
    return images, labels


def tensor_dataset(torch, images, labels):
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    y = torch.from_numpy(labels)
    return torch.utils.data.TensorDataset(x, y)


def python_dataset(torch, images, labels):
    class Images(torch.utils.data.Dataset):
        def __init__(self):
            self.images = images
            self.labels = labels

        def __len__(self):
            return len(self.images)

        def __getitem__(self, i):
            x = self.images[i].astype(np.float32) / 255.0
            x = (x - 0.5) / 0.5
            return {"image": torch.from_numpy(x[None]), "label": int(self.labels[i])}

    return Images()


def run_epoch(torch, loader, max_batches, consume):
    n = 0
    total = None
    t0 = time.perf_counter()
    for batch in loader:
        if consume:
            x = batch[0] if isinstance(batch, (list, tuple)) else batch["image"]
            s = x.sum()
            total = s if total is None else total + s
            if n % 50 == 0:
                total.item()
        n += 1
        if n >= max_batches:
            break
    if total is not None:
        total.item()
    return n / (time.perf_counter() - t0)


def make_loader(lib_name, workload, workers, images, labels):
    import importlib
    torch = importlib.import_module(lib_name)
    make = tensor_dataset if workload == "tensor" else python_dataset
    ds = make(torch, images, labels)
    kwargs = dict(batch_size=64, shuffle=SHUFFLE, num_workers=workers)
    if workers:
        kwargs["persistent_workers"] = True
    torch.manual_seed(0)
    return torch, torch.utils.data.DataLoader(ds, **kwargs)


def bench(libs, workload, workers, images, labels, max_batches, rounds, consume):
    """Best batches/s of each library; rounds alternate between the libraries so that a busy
    machine slows them alike."""
    loaders = {lib: make_loader(lib, workload, workers, images, labels) for lib in libs}
    for torch, loader in loaders.values():
        for _ in range(2):  # warm-up: workers start, caches fill, programs compile
            run_epoch(torch, loader, min(max_batches, 20), consume)
    best = {lib: 0.0 for lib in libs}
    for _ in range(rounds):
        for lib, (torch, loader) in loaders.items():
            best[lib] = max(best[lib], run_epoch(torch, loader, max_batches, consume))
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=60_000, help="samples in the data set")
    p.add_argument("--max-batches", type=int, default=400, help="batches timed per round")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="--max-batches 100 --rounds 2")
    p.add_argument("--libs", nargs="+", default=["torch", "jtorch"])
    p.add_argument("--no-shuffle", action="store_true", help="sequential order")
    p.add_argument("--consume", action="store_true",
                   help="also run a small op on every batch (x.sum(), .item() every 50): "
                        "measures the engine's per-step cost too")
    args = p.parse_args()
    global SHUFFLE
    SHUFFLE = not args.no_shuffle
    if args.quick:
        args.max_batches, args.rounds = 100, 2
    warnings.filterwarnings("ignore", message=r"os\.fork\(\) was called")
    images, labels = make_data(args.n)
    rows = []
    for workload in ("tensor", "python"):
        for workers in (0, 2):
            res = bench(args.libs, workload, workers, images, labels, args.max_batches,
                        args.rounds, args.consume)
            rows.append((workload, workers, res))
    libs = args.libs
    print(f"{'workload':<10}{'workers':>8}" + "".join(f"{lib + ' b/s':>14}" for lib in libs)
          + (f"{'jtorch/torch':>14}" if {"torch", "jtorch"} <= set(libs) else ""))
    for workload, workers, res in rows:
        line = f"{workload:<10}{workers:>8}" + "".join(f"{res[lib]:>14.0f}" for lib in libs)
        if {"torch", "jtorch"} <= set(libs):
            line += f"{res['jtorch'] / res['torch']:>14.2f}"
        print(line)


if __name__ == "__main__":
    main()
