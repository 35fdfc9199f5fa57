"""torch.save + torch.load of a ~100 MB state_dict: jtorch vs PyTorch, in the same run.

    PYTHONPATH=src python benchmarks/serialization.py            # ~100 MB, best of 5 rounds
    PYTHONPATH=src python benchmarks/serialization.py --quick    # ~20 MB, 2 rounds

The state_dict holds several float32 tensors (a few large weight matrices, biases, an int64
counter, a bfloat16 table) built from the same NumPy data for both libraries.  Each round saves
to a file in a temporary directory and loads it back (``weights_only=True``, the default), the
libraries alternating; each loaded tensor is read with ``.numpy()`` so unfinished copies count.
Prints seconds per library and jtorch/PyTorch (<= 1.5 is the target).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))


def make_arrays(total_mb, seed=0):
    rng = np.random.default_rng(seed)
    n = int(total_mb * 2 ** 20 / 4)
    big = n // 5  # five large matrices hold ~all the bytes
    side = int(big ** 0.5)
    arrays = {}
    for i in range(5):
        arrays[f"layer{i}.weight"] = rng.standard_normal((side, side), dtype=np.float32)
        arrays[f"layer{i}.bias"] = rng.standard_normal(side, dtype=np.float32)
    arrays["emb.weight"] = rng.standard_normal((1000, 64), dtype=np.float32)
    arrays["steps"] = np.array(1234, dtype=np.int64)
    return arrays


def state_dict(torch, arrays):
    sd = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
    sd["emb.half"] = sd["emb.weight"].to(torch.bfloat16)
    return sd


def round_trip(torch, sd, path):
    t0 = time.perf_counter()
    torch.save(sd, path)
    t1 = time.perf_counter()
    back = torch.load(path, weights_only=True)
    for v in back.values():
        v.view(torch.int16 if v.dtype == torch.bfloat16 else v.dtype).numpy()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mb", type=float, default=100.0)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="~20 MB, 2 rounds")
    args = p.parse_args(argv)
    if args.quick:
        args.mb, args.rounds = 20.0, 2
    import jtorch
    import torch
    arrays = make_arrays(args.mb)
    libs = {"torch": torch, "jtorch": jtorch}
    sds = {name: state_dict(lib, arrays) for name, lib in libs.items()}
    nbytes = sum(v.nbytes for v in arrays.values())
    best = {name: [float("inf")] * 3 for name in libs}
    with tempfile.TemporaryDirectory() as d:
        for _ in range(args.rounds):
            for name, lib in libs.items():
                s, l = round_trip(lib, sds[name], os.path.join(d, f"{name}.pt"))
                b = best[name]
                best[name] = [min(b[0], s), min(b[1], l), min(b[2], s + l)]
        # the files are interchangeable: each library reads the other's
        for a, b in (("torch", "jtorch"), ("jtorch", "torch")):
            back = libs[b].load(os.path.join(d, f"{a}.pt"))
            assert np.array_equal(back["layer0.weight"].numpy(), arrays["layer0.weight"])
    print(f"state_dict: {len(sds['torch'])} tensors, {nbytes / 2 ** 20:.0f} MB; best of "
          f"{args.rounds} rounds")
    print(f"{'':8} {'save s':>8} {'load s':>8} {'total s':>8}")
    for name in libs:
        print(f"{name:8} " + " ".join(f"{x:8.3f}" for x in best[name]))
    ratio = [j / t for j, t in zip(best["jtorch"], best["torch"])]
    print(f"{'ratio':8} " + " ".join(f"{x:8.2f}" for x in ratio) +
          "   (jtorch / PyTorch, target total <= 1.5)")


if __name__ == "__main__":
    main()
