#!/usr/bin/env python
"""Run the shared reference workloads on torch, hand-written JAX and jtorch (this checkout).

    python benchmarks/workloads.py all --rounds 3 [-- extra args for every script]

A thin driver over ../shared/bench/compare.py: it points the jtorch runs at this checkout's
``src`` and prints compare.py's table (ratios are relative to the first lib, torch).
"""
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
BENCH = pathlib.Path(os.environ.get("JTORCH_BENCH_DIR", ROOT.parent / "shared" / "bench"))


def main(argv):
    if not (BENCH / "compare.py").exists():
        sys.exit(f"reference workloads not found in {BENCH} (set JTORCH_BENCH_DIR)")
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i:]
    if not argv or argv[0].startswith("-"):
        argv = ["all"] + argv
    cmd = [sys.executable, str(BENCH / "compare.py"), *argv, "--libs", "torch", "jax",
           f"jtorch@PYTHONPATH={ROOT / 'src'}", *extra]
    print("$", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=BENCH)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
