"""Long training runs keep memory and the compile count flat (benchmarks/memory.py)."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_rss_and_compiles_flat_over_training():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "memory.py"), "--quick"],
                         capture_output=True, text=True, env=env, timeout=600, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["rss_growth"] < 0.10, r
    assert r["compiles_long"] == r["compiles_short"], r
