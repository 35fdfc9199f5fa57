"""The study-notes corpus: every script listed in notes_passing.txt must keep passing.

The list only grows: add a script's name when it starts to pass. Skips when the notes folder
(../shared/notes next to the checkout) is absent.  The whole list runs with its imports
rewritten to jtorch; a few quick scripts (covering ``import torch.nn as nn``,
``import torch.utils.data as data_utils``, ``from torch.utils.data import ...``) also run
unmodified through ``python -m jtorch`` (``--via-module``; the whole corpus passes that way
too, but running it twice would double the time of this test).
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


VIA_MODULE = ["s0_batch_of_data", "s0_dataset_dataloader", "s0_vstack_parameter",
              "s1_device", "s3_nn_parameter"]
needs_notes = pytest.mark.skipif(not (NOTES / "run_notes.py").exists(),
                                 reason="notes corpus not present")


def _run_notes(tmp_path, scripts, *flags):
    out = tmp_path / "notes.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, str(NOTES / "run_notes.py"), "--lib", "jtorch", "-j", "2", "-q",
         *flags, "--json", str(out), *scripts],
        capture_output=True, text=True, env=env, timeout=1200)
    results = json.loads(out.read_text())["results"]
    assert len(results) == len(scripts)
    bad = [f"{r['name']}: {r['status']} {r['detail']}" for r in results
           if r["status"] not in ("pass", "numeric")]
    assert not bad, "notes scripts that stopped passing:\n" + "\n".join(bad) + proc.stdout[-3000:]


@needs_notes
def test_notes_corpus(tmp_path):
    _run_notes(tmp_path, PASSING)


@needs_notes
def test_notes_via_python_m_jtorch(tmp_path):
    assert set(VIA_MODULE) <= set(PASSING)
    _run_notes(tmp_path, VIA_MODULE, "--via-module")
