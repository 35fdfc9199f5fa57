"""``python -m jtorch``: unmodified PyTorch scripts run on jtorch."""
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _run(args, tmp_path, **kw):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "jtorch", *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300, **kw)


def test_script_argv_exit_code_and_imports(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(
        "import sys\n"
        "import torch\n"
        "import torch.nn as nn\n"
        "from torch.nn import functional as F\n"
        "from torch.utils import data\n"
        "import jtorch\n"
        "assert torch is jtorch and nn is jtorch.nn\n"
        "print(torch.tensor([1, 2]) + 1, sys.argv[1:], __name__, __file__.endswith('script.py'))\n"
        "sys.exit(int(sys.argv[1]))\n")
    r = _run([str(script), "7", "x"], tmp_path)
    assert r.returncode == 7, r.stderr
    assert r.stdout == "tensor([2, 3]) ['7', 'x'] __main__ True\n"


def test_traceback_passes_through(tmp_path):
    script = tmp_path / "bad.py"
    script.write_text("import torch\ntorch.ones(2).view(3)\n")
    r = _run([str(script)], tmp_path)
    assert r.returncode == 1
    assert "RuntimeError: shape '[3]' is invalid for input of size 2" in r.stderr
    assert 'bad.py", line 2' in r.stderr


def test_dash_c_and_dash_m(tmp_path):
    r = _run(["-c", "import torch, sys; print(torch.zeros(1), sys.argv)", "a"], tmp_path)
    assert r.stdout == "tensor([0.]) ['-c', 'a']\n", r.stderr
    (tmp_path / "mymod.py").write_text("import torch, sys\nprint(torch.ones(1).dtype, sys.argv)\n")
    r = _run(["-m", "mymod", "z"], tmp_path)
    assert r.stdout.startswith("torch.float32 ["), r.stderr
    assert r.stdout.rstrip().endswith("'z']")
