"""Library hygiene: no output from the library, PyTorch's warnings, PyTorch's public names, and
UnsupportedError for PyTorch APIs jtorch lacks."""
import ast
import os
import pathlib
import re
import subprocess
import sys
import warnings

import pytest

import jtorch
from jtorch._unsupported import UnsupportedError
from jtorch._unsupported_names import NAMES
from oracle import TORCH, needs_torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "jtorch"

TYPICAL_USE = """
import jtorch as torch
from jtorch import nn
from jtorch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
opt = torch.optim.Adam(model.parameters(), lr=0.1)
data = DataLoader(TensorDataset(torch.randn(16, 4), torch.randint(0, 2, (16,))), batch_size=8)
for x, y in data:
    loss = nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
with torch.no_grad():
    model(torch.ones(1, 4)).argmax(1).item()
torch.save(model.state_dict(), "m.pt")
model.load_state_dict(torch.load("m.pt", weights_only=True))
repr(model); str(torch.ones(2)); float(loss)
"""


def test_import_and_typical_use_print_nothing(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["JAX_PLATFORMS"] = "cpu"
    r = subprocess.run([sys.executable, "-W", "error::UserWarning", "-c", TYPICAL_USE],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "jtorch" not in r.stderr and "Warning" not in r.stderr, r.stderr


def _prints_to_stdout(path):
    """Calls of print() without file= in a module (lines)."""
    tree = ast.parse(path.read_text())
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "print" and not any(k.arg == "file" for k in node.keywords)]


def test_no_print_calls_in_the_library():
    bad = {}
    for path in SRC.rglob("*.py"):
        if path.name == "__main__.py":  # the command line prints its usage
            continue
        lines = _prints_to_stdout(path)
        if lines:
            bad[str(path.relative_to(SRC))] = lines
    assert not bad, f"print() to stdout in the library: {bad}"


# ------------------------------------------------------------------------------------------
# warnings where PyTorch warns


def _warnings(lib, fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(lib)
    # PyTorch's C++ warnings end with the source line that raised them; that may differ
    return [(w.category.__name__, re.sub(r" \(Triggered internally at [^)]*\)$", "",
                                         str(w.message))) for w in caught]


def _nonleaf_grad(torch):
    x = torch.ones(2, requires_grad=True)
    return (x * 2).grad


WARNS = {
    "nonleaf_grad": _nonleaf_grad,
    "copy_construct": lambda torch: torch.tensor(torch.ones(2)),
    "implicit_softmax_dim": lambda torch: torch.nn.functional.softmax(torch.ones(2, 2)),
    "mse_broadcast": lambda torch: torch.nn.MSELoss()(torch.ones(2, 1), torch.ones(2)),
}


@needs_torch
@pytest.mark.parametrize("case", sorted(WARNS))
def test_warns_like_pytorch(case):
    expected = _warnings(TORCH, WARNS[case])
    assert expected, "the oracle no longer warns"
    assert _warnings(jtorch, WARNS[case]) == expected


# ------------------------------------------------------------------------------------------
# PyTorch's public names and UnsupportedError

NAMESPACES = {"torch": jtorch, "torch.nn": jtorch.nn, "torch.nn.functional": jtorch.nn.functional,
              "torch.linalg": jtorch.linalg, "torch.optim": jtorch.optim,
              "torch.Tensor": jtorch.ones(2, 2)}
# names every typical script uses: all must exist
COMMON = {
    "torch": """tensor as_tensor from_numpy zeros ones empty full arange linspace rand randn
        randint randperm manual_seed seed no_grad enable_grad inference_mode set_grad_enabled
        is_grad_enabled cat stack split chunk reshape flatten squeeze unsqueeze permute
        transpose matmul mm bmm einsum where clamp sum mean std max min argmax argmin sort topk
        save load device dtype float32 float64 int64 long float bool Tensor Size Generator
        is_tensor numel set_printoptions get_default_dtype set_default_dtype cuda backends
        autograd nn optim utils linalg compile func vmap exp log sqrt abs sigmoid tanh relu
        softmax log_softmax zeros_like ones_like rand_like randn_like full_like allclose equal
        isnan isinf nonzero masked_select gather scatter index_select tril triu diag eye
        multinomial bernoulli normal cumsum cumprod""",
    "torch.nn": """Module Sequential ModuleList ModuleDict Parameter Linear Conv1d Conv2d
        ConvTranspose2d MaxPool2d AvgPool2d AdaptiveAvgPool2d BatchNorm1d BatchNorm2d LayerNorm
        GroupNorm Dropout Embedding LSTM GRU RNN Transformer TransformerEncoder
        TransformerEncoderLayer MultiheadAttention ReLU GELU SiLU Tanh Sigmoid Softmax Flatten
        Identity CrossEntropyLoss MSELoss BCELoss BCEWithLogitsLoss NLLLoss L1Loss
        SmoothL1Loss functional init utils""",
    "torch.nn.functional": """relu gelu silu softmax log_softmax cross_entropy mse_loss
        binary_cross_entropy binary_cross_entropy_with_logits nll_loss dropout linear conv2d
        max_pool2d avg_pool2d pad interpolate one_hot normalize layer_norm embedding
        scaled_dot_product_attention""",
    "torch.optim": "SGD Adam AdamW RMSprop Adagrad Optimizer lr_scheduler",
    "torch.Tensor": """item tolist numpy backward detach clone to cpu cuda size shape dim view
        reshape permute contiguous float long int bool type requires_grad_ zero_ grad
        requires_grad is_leaf grad_fn data device dtype sum mean argmax max min unsqueeze
        squeeze expand repeat masked_fill index_select gather scatter_ t T numel
        element_size""",
}


@pytest.mark.parametrize("ns", sorted(COMMON))
def test_common_names_exist(ns):
    names = COMMON[ns].split()
    assert set(names) <= NAMES[ns], "names not in PyTorch's list"
    missing = [n for n in names if not hasattr(NAMESPACES[ns], n)]
    assert not missing, f"{ns} lacks {missing}"


@pytest.mark.parametrize("ns", sorted(NAMESPACES))
def test_unsupported_names_raise_unsupported_error(ns):
    obj = NAMESPACES[ns]
    absent = sorted(n for n in NAMES[ns] if n not in dir(obj))
    for name in absent[:20]:
        assert not hasattr(obj, name)
        assert getattr(obj, name, "default") == "default"
        with pytest.raises(UnsupportedError) as e:
            getattr(obj, name)
        assert isinstance(e.value, NotImplementedError) and isinstance(e.value, AttributeError)
        assert str(e.value) == f"{ns}.{name} is not supported by jtorch yet; " \
                               "see docs/compatibility.md"


def test_unsupported_error_examples():
    # a Parameter (a Tensor subclass) and a module namespace: the first PyTorch name each lacks
    p = jtorch.nn.Parameter(jtorch.ones(2))
    for ns, obj in (("torch.Tensor", p), ("torch.nn", jtorch.nn)):
        name = min(n for n in NAMES[ns] if n not in dir(obj))
        with pytest.raises(NotImplementedError, match=rf"^{re.escape(ns)}\.{name} is not "):
            getattr(obj, name)


@needs_torch
@pytest.mark.parametrize("ns", sorted(NAMESPACES))
def test_unknown_names_raise_pytorchs_attribute_error(ns):
    obj = NAMESPACES[ns]
    torch_obj = {"torch": TORCH, "torch.nn": TORCH.nn, "torch.nn.functional": TORCH.nn.functional,
                 "torch.linalg": TORCH.linalg, "torch.optim": TORCH.optim,
                 "torch.Tensor": TORCH.ones(2, 2)}[ns]
    with pytest.raises(AttributeError) as expected:
        torch_obj.no_such_name
    with pytest.raises(AttributeError) as got:
        obj.no_such_name
    assert type(got.value) is AttributeError
    assert str(got.value) == str(expected.value)
    assert not hasattr(obj, "no_such_name") and not hasattr(obj, "_private_name")


@needs_torch
def test_unsupported_names_file_is_up_to_date():
    from jtorch._unsupported_names import TORCH_VERSION
    if TORCH.__version__.split("+")[0] != TORCH_VERSION:
        pytest.skip("a different PyTorch version")
    # a fresh interpreter: dir(torch) grows with every lazily imported torch submodule, so the
    # names seen inside this test process depend on what earlier tests touched
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import gen_unsupported_names; "
            "sys.stdout.write(gen_unsupported_names.render())")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "tools")], capture_output=True,
                         text=True, timeout=300, check=True).stdout
    assert (SRC / "_unsupported_names.py").read_text() == out, \
        "run python tools/gen_unsupported_names.py"


def test_dir_has_no_private_clutter():
    public = [n for n in dir(jtorch) if not n.startswith("_")]
    # every public jtorch name is a PyTorch name, or one of jtorch's own documented extras
    extras = {"engine", "sync", "install_as_torch", "interop", "from_jax", "jax_function"}
    # names torch does not have at top level (torch._tensor_str.printoptions,
    # F.max_pool2d_with_indices, Tensor.expand, legacy tensor types), kept for now
    known = {"ComplexDoubleTensor", "ComplexFloatTensor", "expand", "get_printoptions",
             "max_pool2d_with_indices", "max_pool3d_with_indices", "printoptions"}
    assert set(public) - NAMES["torch"] - extras - known == set()
