"""Every ``examples/*.py`` runs in its ``--quick`` mode: exit status 0 and the progress lines.

Examples are found by glob, so a new example is tested as soon as it exists.  Each runs in a
fresh working directory (they may write a checkpoint or a PNG there) on the CPU.
"""
import os
import pathlib
import re
import subprocess
import sys

import pytest

from oracle import TORCH

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.py"))

# what each example's output must contain (regular expressions, in this order); an example not
# listed here must still exit 0 and print at least one "loss" line
EXPECTED = {
    "quickstart": [r"Epoch 1\n-+\n", r"loss: +\d+\.\d+ +\[ +\d+/ *2048\]",
                   r"Accuracy: \d+\.\d%, Avg loss: \d+\.\d+", r"Done in \d+\.\ds!",
                   r"Saved and reloaded"],
    "cnn_classifier": [r"ConvNet\(", r"Epoch 1\n-+\n", r"loss: +\d+\.\d+ +\[ +\d+/ *1536\]",
                       r"Accuracy: \d+\.\d%", r"Done in", r"horizontal: +\d+/\d+ +correct"],
    "char_lm": [r"\d+ characters, \d+ distinct", r"step +1/40 +loss: \d+\.\d+",
                r"step +40/40 +loss: \d+\.\d+", r"Done in", r"Accuracy: \d+\.\d%",
                r"perplexity: \d+\.\d+", r"Sample:\nThe river "],
    "vae": [r"VAE\(", r"loss: +\d+\.\d+ +\[ +\d+/ *4096\]",
            r"Avg loss \(negative ELBO\): +\d+\.\d+", r"Saved and reloaded",
            r"Samples decoded from the prior"],
    "bring_your_checkpoint": [r"written by PyTorch 2\.", r"net\.1\.num_batches_tracked +\(\) +"
                              r"torch\.int64", r"<All keys matched successfully>",
                              r"max \|jtorch - PyTorch\| = ", r"step +40/40 +loss: ",
                              r"Accuracy on the turned spiral after fine-tuning",
                              r"reloaded identical"],
}


def run_example(name, tmp_path, *args):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["JAX_PLATFORMS"] = "cpu"
    return subprocess.run([sys.executable, str(ROOT / "examples" / f"{name}.py"), "--quick",
                           "--device", "cpu", *args],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_quick(name, tmp_path):
    r = run_example(name, tmp_path)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    pos = 0
    for pattern in EXPECTED.get(name, [r"loss"]):
        m = re.compile(pattern).search(r.stdout, pos)
        assert m, f"{name}: {pattern!r} not found after position {pos} in:\n{r.stdout}"
        pos = m.end()
    if name == "bring_your_checkpoint" and TORCH is not None:
        _check_with_pytorch(tmp_path / "spiral_mlp_finetuned.pt")


def test_examples_document_quick_mode():
    for name in EXAMPLES:
        text = (ROOT / "examples" / f"{name}.py").read_text()
        assert "--quick" in text, f"examples/{name}.py has no --quick mode"


def _check_with_pytorch(path):
    """The checkpoint jtorch wrote loads in real PyTorch and reproduces its own probe logits."""
    import importlib.util
    torch = TORCH
    spec = importlib.util.spec_from_file_location(
        "make_checkpoint", ROOT / "examples" / "assets" / "make_checkpoint.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    ckpt = torch.load(path, weights_only=True)
    model = mod.SpiralMLP()
    model.load_state_dict(ckpt["model"])
    model.eval()
    with torch.no_grad():
        out = model(ckpt["probe_inputs"])
    torch.testing.assert_close(out, ckpt["probe_logits"], rtol=1e-4, atol=1e-4)
