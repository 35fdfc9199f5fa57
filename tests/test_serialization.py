"""torch.save / torch.load: PyTorch's format both ways, safety, atomic writes."""
import collections
import io
import os
import pickle
import zipfile

import numpy as np
import pytest

import jtorch
from oracle import TORCH, assert_same, needs_torch

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "bool", "complex64", "complex128"]


def _sample(lib, dtype):
    a = np.arange(-6, 6).reshape(3, 4)
    if dtype == "bool":
        a = a % 3 == 0
    elif dtype == "uint8":
        a = a + 6
    t = lib.tensor(a.tolist()).to(getattr(lib, dtype))
    if dtype.startswith("complex"):
        t = t * (1 + 2j)
    return t


def _roundtrip_to_torch(obj):
    buf = io.BytesIO()
    jtorch.save(obj, buf)
    buf.seek(0)
    return TORCH.load(buf, weights_only=True)


def _roundtrip_from_torch(obj):
    buf = io.BytesIO()
    TORCH.save(obj, buf)
    buf.seek(0)
    return jtorch.load(buf)


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_dtypes_both_ways(dtype):
    assert_same(_sample(TORCH, dtype), _roundtrip_from_torch(_sample(TORCH, dtype)))
    back = _roundtrip_to_torch(_sample(jtorch, dtype))
    assert back.dtype == getattr(TORCH, dtype)
    np.testing.assert_array_equal(back.float().numpy() if dtype in ("bfloat16", "float16")
                                  else back.numpy(), _sample(TORCH, dtype).float().numpy()
                                  if dtype in ("bfloat16", "float16") else
                                  _sample(TORCH, dtype).numpy())


def _views(lib):
    base = lib.arange(24.0).reshape(4, 6)
    return {"base": base, "row": base.select(0, 2), "t": base.t(), "narrow": base.narrow(1, 2, 3),
            "col": base.select(1, 4)}


@needs_torch
def test_shared_views_from_torch():
    got = _roundtrip_from_torch(_views(TORCH))
    want = _views(TORCH)
    for k in want:
        assert_same(want[k], got[k], check_stride=True, path=k)
    ptrs = {got[k].untyped_storage().data_ptr() for k in got}
    assert len(ptrs) == 1
    got["base"].add_(1000)  # still views of one storage after loading
    assert got["row"].tolist() == [1012.0 + i for i in range(6)]
    assert got["t"][0, 0].item() if hasattr(got["t"], "__getitem__") else True


@needs_torch
def test_shared_views_to_torch():
    got = _roundtrip_to_torch(_views(jtorch))
    want = _views(TORCH)
    for k in want:
        assert_same(want[k], _views(jtorch)[k], path=k)
        assert got[k].stride() == want[k].stride() and \
            got[k].storage_offset() == want[k].storage_offset(), k
        np.testing.assert_array_equal(got[k].numpy(), want[k].numpy())
    assert len({got[k].untyped_storage().data_ptr() for k in got}) == 1


@needs_torch
def test_nested_containers_and_python_values():
    def build(lib):
        return collections.OrderedDict(
            a=[lib.ones(2), (lib.zeros(1, dtype=lib.int64), "text", None)],
            b={"x": 1.5, "y": 3, "z": True, "s": lib.Size([2, 3]), "d": lib.float16,
               "dev": lib.device("cpu")},
            p=lib.nn.Parameter(lib.tensor([1.0, 2.0])),
            q=lib.nn.Parameter(lib.tensor([3.0]), requires_grad=False))
    got = _roundtrip_from_torch(build(TORCH))
    assert isinstance(got, collections.OrderedDict)
    assert isinstance(got["p"], jtorch.nn.Parameter) and got["p"].requires_grad
    assert not got["q"].requires_grad
    assert got["b"]["s"] == jtorch.Size([2, 3]) and got["b"]["d"] is jtorch.float16
    assert got["a"][1][1] == "text" and got["a"][1][2] is None
    back = _roundtrip_to_torch(build(jtorch))
    assert isinstance(back["p"], TORCH.nn.Parameter)
    assert back["b"] == {"x": 1.5, "y": 3, "z": True, "s": TORCH.Size([2, 3]),
                         "d": TORCH.float16, "dev": TORCH.device("cpu")}
    assert back["a"][0].tolist() == [1.0, 1.0]


def test_path_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    jtorch.save({"w": jtorch.ones(3)}, path)
    import jtorch.serialization as S

    def broken(*a, **k):
        raise KeyboardInterrupt("killed mid-save")
    monkeypatch.setattr(S, "_write_archive", broken)
    with pytest.raises(KeyboardInterrupt):
        jtorch.save({"w": jtorch.zeros(3)}, path)
    monkeypatch.undo()
    assert jtorch.load(path)["w"].tolist() == [1.0, 1.0, 1.0]
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch " + _Evil.marker,))


def test_malicious_pickle_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    _Evil.marker = str(marker)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps({"x": _Evil()}, protocol=2))
        z.writestr("archive/version", b"3\n")
    for loader in (lambda: jtorch.load(io.BytesIO(buf.getvalue())),
                   lambda: jtorch.load(io.BytesIO(buf.getvalue()), weights_only=True)):
        with pytest.raises(pickle.UnpicklingError, match="os.system|posix.system"):
            loader()
    assert not marker.exists()


def test_safe_globals(tmp_path):
    path = tmp_path / "c.pt"
    jtorch.save({"v": collections.Counter(a=1)}, path)
    with pytest.raises(pickle.UnpicklingError):
        jtorch.load(path)
    with jtorch.serialization.safe_globals([collections.Counter]):
        assert jtorch.load(path)["v"] == collections.Counter(a=1)
    assert jtorch.load(path, weights_only=False)["v"]["a"] == 1


def test_corrupt_and_foreign_files(tmp_path):
    good = io.BytesIO()
    jtorch.save({"w": jtorch.arange(100.0)}, good)
    raw = good.getvalue()
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        jtorch.load(io.BytesIO(raw[: len(raw) // 2]))
    with pytest.raises(pickle.UnpicklingError):
        jtorch.load(io.BytesIO(b"not a checkpoint at all"))
    with pytest.raises(EOFError):
        jtorch.load(io.BytesIO(b""))
    with pytest.raises(RuntimeError, match="legacy"):
        jtorch.load(io.BytesIO(pickle.dumps({"a": 1}, protocol=2)))


def test_map_location():
    buf = io.BytesIO()
    jtorch.save([jtorch.ones(2)], buf)
    for loc in ("cpu", jtorch.device("cpu"), {"cpu": "cpu"}, lambda s, loc: s):
        buf.seek(0)
        assert jtorch.load(buf, map_location=loc)[0].tolist() == [1.0, 1.0]
    if not jtorch.cuda.is_available():
        buf.seek(0)
        with pytest.raises(RuntimeError, match="torch.cuda.is_available"):
            jtorch.load(buf, map_location="cuda")


@needs_torch
def test_torch_written_file_on_disk(tmp_path):
    path = tmp_path / "model.pth"
    state = {"weight": TORCH.randn(3, 4), "bias": TORCH.zeros(3), "step": TORCH.tensor(5.0)}
    TORCH.save(state, path)
    got = jtorch.load(path)
    for k in state:
        assert_same(state[k], got[k], path=k)
    jtorch.save(got, path)
    back = TORCH.load(path, weights_only=True)
    for k in state:
        assert TORCH.equal(back[k], state[k])
