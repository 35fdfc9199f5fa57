"""The study-notes corpus: every script listed in notes_passing.txt must keep passing.

The list only grows: add a script's name when it starts to pass. Skips when the notes folder
(../shared/notes next to the checkout) is absent.
"""
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTES = pathlib.Path(os.environ.get("JTORCH_NOTES_DIR", ROOT.parent / "shared" / "notes"))
PASSING = [line.split("#")[0].strip()
           for line in (ROOT / "tests" / "notes_passing.txt").read_text().splitlines()
           if line.split("#")[0].strip()]


@pytest.mark.skipif(not (NOTES / "run_notes.py").exists(), reason="notes corpus not present")
def test_notes_corpus(tmp_path):
    out = tmp_path / "notes.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, str(NOTES / "run_notes.py"), "--lib", "jtorch", "-j", "2", "-q",
         "--json", str(out), *PASSING],
        capture_output=True, text=True, env=env, timeout=1200)
    results = json.loads(out.read_text())["results"]
    bad = [f"{r['name']}: {r['status']} {r['detail']}" for r in results
           if r["status"] not in ("pass", "numeric")]
    assert not bad, "notes scripts that stopped passing:\n" + "\n".join(bad) + proc.stdout[-3000:]
