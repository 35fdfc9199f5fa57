"""docs/compatibility.md is generated from the op table and stays current."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_compatibility_doc_is_current():
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_compatibility.py"), "--check"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_registered_op_is_reachable():
    import jtorch
    from jtorch._ops._registry import OPS
    for e in OPS.values():
        for name in (e.name,) + e.aliases:
            if e.function:
                assert callable(getattr(jtorch, name, None)), f"torch.{name}"
            if e.method:
                assert callable(getattr(jtorch.Tensor, name, None)), f"Tensor.{name}"
            if e.inplace:
                assert callable(getattr(jtorch.Tensor, name + "_", None)), f"Tensor.{name}_"
