"""README.md's commands stay true: CI runs the README's test command verbatim."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```(?:sh|bash)\n(.*?)```", text, re.S)


def test_ci_runs_the_readme_test_command():
    blocks = _readme_commands()
    test_cmd = next(b.strip() for b in blocks if "pytest" in b)
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_cmd in ci.splitlines(), f"README test command {test_cmd!r} not in .ci/run"
