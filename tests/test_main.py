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


def test_script_folder_is_sys_path0_and_missing_file(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "helper_mod.py").write_text("VALUE = 41\n")
    (sub / "main.py").write_text(
        "import os, sys\n"
        "import helper_mod\n"  # found through the script's folder, as under plain python
        "print(helper_mod.VALUE + 1, sys.path[0] == os.path.dirname(os.path.abspath(__file__)))\n"
        "raise SystemExit('stopped: ' + str(helper_mod.VALUE))\n")
    r = _run(["sub/main.py"], tmp_path)
    assert r.stdout == "42 True\n", r.stderr
    assert r.returncode == 1 and r.stderr.endswith("stopped: 41\n")
    r = _run(["nosuch.py"], tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == (f"{sys.executable}: can't open file {str(tmp_path / 'nosuch.py')!r}: "
                        "[Errno 2] No such file or directory\n")


def test_dash_c_semantics_and_traceback(tmp_path):
    r = _run(["-c", "import sys, torch\n"
                    "print(sys.path[0] == '', __name__, '__file__' in globals())\n"
                    "torch.zeros(2).view(3)"], tmp_path)
    assert r.stdout == "True __main__ False\n"
    assert r.returncode == 1
    assert r.stderr.startswith("Traceback (most recent call last):\n  File \"<string>\", line 3")
    assert r.stderr.endswith("RuntimeError: shape '[3]' is invalid for input of size 2\n")
    assert "runpy" not in r.stderr and "__main__.py" not in r.stderr


def test_dash_m_package_and_missing_module(tmp_path):
    pkg = tmp_path / "mypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "__main__.py").write_text(
        "import sys, torch\nprint(__name__, sys.argv[1:], torch.arange(3).sum().item())\n")
    r = _run(["-m", "mypkg", "--flag"], tmp_path)
    assert r.stdout == "__main__ ['--flag'] 3\n", r.stderr
    r = _run(["-m", "no_such_module_here"], tmp_path)
    assert r.returncode == 1
    assert r.stderr == f"{sys.executable}: No module named no_such_module_here\n"


def test_help_and_missing_argument(tmp_path):
    r = _run(["--help"], tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("usage: python -m jtorch")
    r = _run(["-c"], tmp_path)
    assert r.returncode == 2 and "Argument expected for the -c option" in r.stderr
