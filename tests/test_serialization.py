"""torch.save / torch.load: PyTorch's formats both ways, safety, atomic writes, errors."""
import builtins
import collections
import io
import os
import pickle
import subprocess
import zipfile

import numpy as np
import pytest

import jtorch
from oracle import TORCH, assert_same, needs_torch

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "bool", "complex64", "complex128", "uint16", "uint32", "uint64"]


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


def _saved(lib, obj, **kw):
    buf = io.BytesIO()
    lib.save(obj, buf, **kw)
    buf.seek(0)
    return buf


def _to_torch(obj, **kw):
    return TORCH.load(_saved(jtorch, obj, **kw), weights_only=True)


def _from_torch(obj, **kw):
    return jtorch.load(_saved(TORCH, obj, **kw))


def _raises(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001  (the exception is the result under test)
        return e
    raise AssertionError("no exception")


def _same_error(torch_fn, jtorch_fn):
    want, got = _raises(torch_fn), _raises(jtorch_fn)
    assert type(got) is type(want), (want, got)
    assert str(got) == str(want)
    return got


FORMATS = [True, False]  # _use_new_zipfile_serialization: the zip format, the legacy stream


@needs_torch
@pytest.mark.parametrize("zip_format", FORMATS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_dtypes_both_ways(dtype, zip_format):
    if dtype in ("uint16", "uint32", "uint64") and not zip_format:
        pytest.skip("PyTorch itself cannot save these dtypes in the legacy format")
    kw = {"_use_new_zipfile_serialization": zip_format}
    assert_same(_sample(TORCH, dtype), _from_torch(_sample(TORCH, dtype), **kw))
    back = _to_torch(_sample(jtorch, dtype), **kw)
    want = _sample(TORCH, dtype)
    assert back.dtype == want.dtype and back.shape == want.shape
    assert TORCH.equal(back, want)


def _views(lib):
    base = lib.arange(24.0).reshape(4, 6)
    return {"base": base, "row": base.select(0, 2), "t": base.t(), "narrow": base.narrow(1, 2, 3),
            "col": base.select(1, 4), "strided": base[::2, 1::2], "scalar": base[3, 5]}


@needs_torch
@pytest.mark.parametrize("zip_format", FORMATS)
def test_shared_views_from_torch(zip_format):
    got = _from_torch(_views(TORCH), _use_new_zipfile_serialization=zip_format)
    want = _views(TORCH)
    for k in want:
        assert_same(want[k], got[k], check_stride=True, path=k)
        assert got[k].storage_offset() == want[k].storage_offset(), k
    assert len({got[k].untyped_storage().data_ptr() for k in got}) == 1
    got["base"].add_(1000)  # still views of one storage after loading
    assert got["row"].tolist() == [1012.0 + i for i in range(6)]
    assert got["t"][5, 3].item() == 1023.0 and got["scalar"].item() == 1023.0


@needs_torch
@pytest.mark.parametrize("zip_format", FORMATS)
def test_shared_views_to_torch(zip_format):
    got = _to_torch(_views(jtorch), _use_new_zipfile_serialization=zip_format)
    want = _views(TORCH)
    for k in want:
        assert got[k].stride() == want[k].stride(), k
        assert got[k].storage_offset() == want[k].storage_offset(), k
        assert TORCH.equal(got[k], want[k]), k
    assert len({got[k].untyped_storage().data_ptr() for k in got}) == 1
    assert got["base"].untyped_storage().nbytes() == 24 * 4  # the storage is saved once


@needs_torch
def test_non_contiguous_storage_layout_and_offsets():
    a = np.arange(12.0).reshape(3, 4)

    def build(lib, shared_numpy=False):
        x = lib.arange(12.0).reshape(3, 4).t().clone()  # a clone keeps the transposed layout
        y = lib.arange(10, dtype=lib.int64)[3:7]  # offset into a larger storage
        out = {"x": x, "y": y, "empty": lib.zeros(0, 3), "scalar": lib.tensor(2.5)}
        if shared_numpy:  # tensors sharing strided NumPy memory, and views of them
            for i, arr in enumerate((a.T, a[:, ::2], a[1:], a[::2, 1:3].T)):
                out[f"np{i}"] = lib.from_numpy(arr)
                out[f"np{i}v"] = out[f"np{i}"][1:]
        return out
    got = _from_torch(build(TORCH))
    for k, v in build(TORCH).items():
        assert_same(v, got[k], check_stride=True, path=k)
    back = _to_torch(build(jtorch, True))
    for k, v in build(TORCH, True).items():
        assert back[k].stride() == v.stride() and back[k].storage_offset() == \
            v.storage_offset(), k
        assert TORCH.equal(back[k], v), k


def _nested(lib):
    return collections.OrderedDict(
        a=[lib.ones(2), (lib.zeros(1, dtype=lib.int64), "text", None)],
        b={"x": 1.5, "y": 3, "z": True, "s": lib.Size([2, 3]), "d": lib.float16,
           "dev": lib.device("cpu"), "c": 1 + 2j, "bytes": b"\x00\x01", "set": {1, 2},
           "ba": bytearray(b"ab"), "counter": collections.Counter(a=2)},
        p=lib.nn.Parameter(lib.tensor([1.0, 2.0])),
        q=lib.nn.Parameter(lib.tensor([3.0]), requires_grad=False),
        g=lib.tensor([1.0], requires_grad=True) * 2)


@needs_torch
def test_nested_containers_and_python_values():
    got = _from_torch(_nested(TORCH))
    assert isinstance(got, collections.OrderedDict) and list(got) == list(_nested(TORCH))
    assert isinstance(got["p"], jtorch.nn.Parameter) and got["p"].requires_grad
    assert isinstance(got["q"], jtorch.nn.Parameter) and not got["q"].requires_grad
    assert got["g"].requires_grad and got["g"].is_leaf and got["g"].tolist() == [2.0]
    b = got["b"]
    assert b["s"] == jtorch.Size([2, 3]) and isinstance(b["s"], jtorch.Size)
    assert b["d"] is jtorch.float16 and b["dev"] == jtorch.device("cpu")
    assert (b["c"], b["bytes"], b["set"], b["ba"]) == (1 + 2j, b"\x00\x01", {1, 2},
                                                         bytearray(b"ab"))
    assert b["counter"] == collections.Counter(a=2)
    assert got["a"][1][1] == "text" and got["a"][1][2] is None
    assert isinstance(got["a"][1], tuple)
    back = _to_torch(_nested(jtorch))
    want = _nested(TORCH)
    assert isinstance(back["p"], TORCH.nn.Parameter) and back["p"].requires_grad
    assert not back["q"].requires_grad and back["g"].requires_grad and back["g"].is_leaf
    assert back["b"] == want["b"]
    assert back["a"][0].tolist() == [1.0, 1.0] and back["a"][1][1:] == ("text", None)


# ---------------------------------------------------------------------------------------------
# files: paths, atomic saves


@needs_torch
def test_paths_and_archive_layout(tmp_path):
    path = tmp_path / "model.pth"
    state = {"weight": TORCH.randn(3, 4), "bias": TORCH.zeros(3), "step": TORCH.tensor(5.0)}
    TORCH.save(state, path)
    got = jtorch.load(str(path))
    for k in state:
        assert_same(state[k], got[k], path=k)
    jtorch.save(got, path)  # an os.PathLike
    with zipfile.ZipFile(path) as z:  # the records PyTorch writes, under the file's name
        names = z.namelist()
        assert names[0] == "model/data.pkl"
        assert {"model/byteorder", "model/version", "model/.data/serialization_id",
                "model/.format_version", "model/.storage_alignment",
                "model/data/0"} <= set(names)
        for info in z.infolist():  # storages aligned as PyTorch aligns them (mmap-able)
            if "/data/" in info.filename:
                start = info.header_offset + 30 + len(info.filename) + len(info.extra)
                assert start % 64 == 0
    back = TORCH.load(path, weights_only=True, mmap=True)
    for k in state:
        assert TORCH.equal(back[k], state[k])


class _Killed(BaseException):
    """Like KeyboardInterrupt or SystemExit: not an Exception."""


class _Unpicklable:
    def __reduce__(self):
        raise RuntimeError("cannot pickle this")


def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    jtorch.save({"w": jtorch.ones(3)}, path)
    # pickling fails part-way through the object
    with pytest.raises(RuntimeError, match="cannot pickle this"):
        jtorch.save({"w": jtorch.zeros(3), "bad": _Unpicklable()}, path)
    # the archive writer is interrupted after writing part of the file
    import jtorch._serialization.archive as A
    real = A.write_archive

    def interrupted(fobj, name, records):
        fobj.write(b"PK\x03\x04 partial")
        raise _Killed("killed mid-save")
    monkeypatch.setattr(A, "write_archive", interrupted)
    with pytest.raises(_Killed):
        jtorch.save({"w": jtorch.zeros(3)}, path)
    monkeypatch.setattr(A, "write_archive", real)
    assert jtorch.load(path)["w"].tolist() == [1.0, 1.0, 1.0]
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]  # no temporary files left behind
    jtorch.save({"w": jtorch.zeros(3)}, path)  # a good save replaces it
    assert jtorch.load(path)["w"].tolist() == [0.0, 0.0, 0.0]


def test_overwriting_a_large_checkpoint(tmp_path):
    path = tmp_path / "big.pt"
    jtorch.save({"w": jtorch.zeros(1 << 22)}, path)  # 16 MB: the old file is freed later
    os.chmod(path, 0o640)
    jtorch.save({"w": jtorch.ones(1 << 22)}, path)
    assert oct(os.stat(path).st_mode & 0o777) == "0o640"  # the target's permissions are kept
    assert jtorch.load(path)["w"][-1].item() == 1.0
    import threading
    for t in threading.enumerate():
        if t.name == "jtorch.save unlink":
            t.join()
    assert os.listdir(tmp_path) == ["big.pt"]


def test_killed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "ckpt.pt"
    jtorch.save({"w": jtorch.ones(2)}, path)
    # a process killed (SIGKILL) in the middle of writing a checkpoint
    code = ("import os, jtorch, jtorch._serialization.archive as A\n"
            "real = A.write_archive\n"
            "def w(f, name, recs):\n"
            "    f.write(b'PK\\x03\\x04 half a file'); f.flush(); os.kill(os.getpid(), 9)\n"
            "A.write_archive = w\n"
            f"jtorch.save({{'w': jtorch.zeros(2)}}, {str(path)!r})\n")
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    r = subprocess.run([os.sys.executable, "-c", code], env=env, capture_output=True)
    assert r.returncode == -9, r.stderr.decode()[-2000:]
    assert jtorch.load(path)["w"].tolist() == [1.0, 1.0]


# ---------------------------------------------------------------------------------------------
# weights_only: nothing in the file runs


class _Evil:
    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg

    def __reduce__(self):
        return (self.fn, (self.arg,))


def _malicious_zip(payload, legacy=False):
    buf = io.BytesIO()
    if legacy:
        for header in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001}):
            pickle.dump(header, buf, protocol=2)
        pickle.dump(payload, buf, protocol=2)
        return buf.getvalue()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps(payload, protocol=2))
        z.writestr("archive/version", b"3\n")
    return buf.getvalue()


def _payloads(marker):
    touch = f"open({str(marker)!r}, 'w').close()"
    return {
        "os.system": {"x": _Evil(os.system, "touch " + str(marker))},
        "exec": [_Evil(builtins.exec, touch)],
        "eval": (1, {"deep": [_Evil(builtins.eval, touch)]}),
        "subprocess": collections.OrderedDict(a=_Evil(subprocess.call, ["touch", str(marker)])),
        "getattr": {"w": _Evil(getattr, "x")},
    }


@needs_torch
@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize("kind", ["os.system", "exec", "eval", "subprocess", "getattr"])
def test_malicious_pickle_never_runs(tmp_path, kind, legacy):
    marker = tmp_path / "pwned"
    raw = _malicious_zip(_payloads(marker)[kind], legacy)
    for kw in ({}, {"weights_only": True}):
        err = _same_error(lambda: TORCH.load(io.BytesIO(raw), **kw),
                          lambda: jtorch.load(io.BytesIO(raw), **kw))
        assert isinstance(err, pickle.UnpicklingError)
        assert {"os.system": "posix.system", "exec": "GLOBAL exec", "eval": "GLOBAL eval",
                "subprocess": "commands.call", "getattr": "GLOBAL getattr"}[kind] in str(err)
    assert not marker.exists()


@needs_torch
def test_whole_module_pickles():
    tm = TORCH.nn.Sequential(TORCH.nn.Linear(2, 3), TORCH.nn.ReLU())
    raw = _saved(TORCH, tm).getvalue()
    _same_error(lambda: TORCH.load(io.BytesIO(raw)), lambda: jtorch.load(io.BytesIO(raw)))
    jm = jtorch.load(io.BytesIO(raw), weights_only=False)  # trusted: the full pickle
    assert isinstance(jm, jtorch.nn.Sequential) and isinstance(jm[0], jtorch.nn.Linear)
    x = np.ones((1, 2), np.float32)
    assert_same(tm(TORCH.from_numpy(x)), jm(jtorch.from_numpy(x)))
    back = TORCH.load(_saved(jtorch, jm), weights_only=False)  # and back to PyTorch
    assert type(back[0]) is TORCH.nn.Linear
    assert TORCH.equal(back[0].weight, tm[0].weight)
    again = jtorch.load(_saved(jtorch, jm), weights_only=False)
    assert_same(tm(TORCH.from_numpy(x)), again(jtorch.from_numpy(x)))


class Point:  # a user class for the allowlist (module-level so it pickles)
    def __init__(self, x):
        self.x = x

    def __eq__(self, other):
        return isinstance(other, Point) and other.x == self.x


@needs_torch
def test_safe_globals_api():
    raw = _saved(jtorch, {"p": Point(1), "t": jtorch.ones(1)}).getvalue()
    torch_defaults = TORCH.serialization.get_safe_globals()  # PyTorch registers a few itself
    try:
        _check_safe_globals(raw)
    finally:
        TORCH.serialization.clear_safe_globals()
        TORCH.serialization.add_safe_globals(torch_defaults)
    _same_error(lambda: TORCH.load(io.BytesIO(raw)), lambda: jtorch.load(io.BytesIO(raw)))


def _check_safe_globals(raw):
    for lib in (TORCH, jtorch):  # same behaviour in both
        S = lib.serialization
        S.clear_safe_globals()
        assert S.get_unsafe_globals_in_checkpoint(io.BytesIO(raw)) == \
            ["test_serialization.Point"]
        err = _raises(lambda: lib.load(io.BytesIO(raw)))
        assert type(err) is pickle.UnpicklingError and "GLOBAL test_serialization.Point" in \
            str(err)
        with S.safe_globals([Point]):
            assert S.get_safe_globals() == [Point]
            assert lib.load(io.BytesIO(raw))["p"] == Point(1)
        assert S.get_safe_globals() == []
        S.add_safe_globals([(Point, "test_serialization.Point")])
        assert lib.load(io.BytesIO(raw))["p"] == Point(1)
        S.clear_safe_globals()
        assert S.get_safe_globals() == []
        assert lib.load(io.BytesIO(raw), weights_only=False)["p"] == Point(1)


# ---------------------------------------------------------------------------------------------
# corrupt, truncated and foreign files


@needs_torch
@pytest.mark.parametrize("case", ["half", "tail", "empty", "garbage", "plain-pickle",
                                  "legacy-tail", "no-data-pkl"])
def test_corrupt_and_foreign_files(case):
    raw = _saved(TORCH, {"w": TORCH.arange(100.0)}).getvalue()
    legacy = _saved(TORCH, {"w": TORCH.arange(100.0)},
                    _use_new_zipfile_serialization=False).getvalue()
    data = {"half": raw[: len(raw) // 2], "tail": raw[:-10], "empty": b"",
            "garbage": b"not a checkpoint at all", "plain-pickle": pickle.dumps({"a": 1}, 2),
            "legacy-tail": legacy[:-5]}.get(case)
    if case == "no-data-pkl":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("archive/version", b"3\n")
        data = buf.getvalue()
    for kw in ({}, {"weights_only": False}):
        err = _raises(lambda: jtorch.load(io.BytesIO(data), **kw))
        want = _raises(lambda: TORCH.load(io.BytesIO(data), **kw))
        assert type(err) is type(want), (want, err)
        if case != "no-data-pkl":
            assert str(err) == str(want)
        else:
            assert "data.pkl" in str(err)


def test_storage_record_missing_or_short():
    raw = _saved(jtorch, {"w": jtorch.arange(100.0)}).getvalue()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            if info.filename.endswith("/data/0"):
                dst.writestr(info.filename, src.read(info)[:40])
            else:
                dst.writestr(info.filename, src.read(info))
    with pytest.raises(RuntimeError, match="holds 40 bytes, expected 400"):
        jtorch.load(io.BytesIO(buf.getvalue()))


@needs_torch
def test_legacy_tar_format_is_refused():
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("storages")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"\x80"))
    raw = buf.getvalue()
    with pytest.raises(RuntimeError, match=r"legacy \.tar format"):
        jtorch.load(io.BytesIO(raw))
    with pytest.raises(NotImplementedError, match=r"legacy \.tar format"):
        jtorch.load(io.BytesIO(raw), weights_only=False)


# ---------------------------------------------------------------------------------------------
# map_location, mmap


@needs_torch
def test_map_location_forms():
    raw = _saved(TORCH, [TORCH.ones(2), TORCH.arange(3)]).getvalue()
    seen = []

    def keep(storage, location):
        seen.append((location, storage.nbytes()))
        return storage

    for loc in ("cpu", b"cpu", jtorch.device("cpu"), {"cpu": "cpu"}, keep,
                lambda s, loc: None, lambda s, loc: s.cpu()):
        got = jtorch.load(io.BytesIO(raw), map_location=loc)
        assert got[0].tolist() == [1.0, 1.0] and got[1].tolist() == [0, 1, 2]
        assert got[0].device == jtorch.device("cpu")
    assert seen == [("cpu", 8), ("cpu", 24)]  # once per storage, as PyTorch calls it
    meta = jtorch.load(io.BytesIO(raw), map_location="meta")
    assert meta[0].is_meta and meta[1].shape == (3,) and meta[1].dtype == jtorch.int64
    if not jtorch.cuda.is_available():
        for loc in ("cuda", "cuda:1", {"cpu": "cuda"}):
            _same_error(lambda: TORCH.load(io.BytesIO(raw), map_location=loc),
                        lambda: jtorch.load(io.BytesIO(raw), map_location=loc))
        with pytest.raises(RuntimeError, match="torch.cuda.is_available"):
            jtorch.load(io.BytesIO(raw), map_location=lambda s, loc: s.cuda())
    _same_error(lambda: TORCH.load(io.BytesIO(raw), map_location="foo"),
                lambda: jtorch.load(io.BytesIO(raw), map_location="foo"))


@needs_torch
def test_mmap(tmp_path):
    path = tmp_path / "m.pt"
    TORCH.save({"w": TORCH.arange(6.0).reshape(2, 3)}, path)
    got = jtorch.load(path, mmap=True)
    assert got["w"].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    got["w"].add_(1)  # the loaded tensor is private: the file is not written
    assert jtorch.load(path)["w"][0, 0].item() == 0.0
    raw = path.read_bytes()
    _same_error(lambda: TORCH.load(io.BytesIO(raw), mmap=True),
                lambda: jtorch.load(io.BytesIO(raw), mmap=True))
    TORCH.save({"w": TORCH.ones(2)}, path, _use_new_zipfile_serialization=False)
    _same_error(lambda: TORCH.load(str(path), mmap=True),
                lambda: jtorch.load(str(path), mmap=True))


def test_safetensors_state_dict(tmp_path):
    """The JAX ecosystem's format: a state_dict through safetensors' NumPy API."""
    st = pytest.importorskip("safetensors.numpy")
    model = jtorch.nn.Linear(4, 3)
    path = str(tmp_path / "model.safetensors")
    st.save_file({k: v.detach().numpy() for k, v in model.state_dict().items()}, path)
    loaded = {k: jtorch.from_numpy(v) for k, v in st.load_file(path).items()}
    fresh = jtorch.nn.Linear(4, 3)
    fresh.load_state_dict(loaded)
    assert jtorch.equal(fresh.weight, model.weight) and jtorch.equal(fresh.bias, model.bias)


@needs_torch
def test_checkpoint_saved_on_cuda(monkeypatch):
    """A checkpoint whose storages are tagged 'cuda:0' (saved from a GPU)."""
    import jtorch._serialization.pickler as P
    monkeypatch.setattr(P, "location_tag", lambda device: "cuda:0")
    raw = _saved(jtorch, {"w": jtorch.arange(4.0)}).getvalue()
    monkeypatch.undo()
    for loc in ("cpu", {"cuda:0": "cpu"}, jtorch.device("cpu"), lambda s, loc: s):
        got = jtorch.load(io.BytesIO(raw), map_location=loc)
        assert got["w"].tolist() == [0.0, 1.0, 2.0, 3.0] and got["w"].device.type == "cpu"
    want = TORCH.load(io.BytesIO(raw), map_location="cpu")
    assert want["w"].tolist() == [0.0, 1.0, 2.0, 3.0]
    if not jtorch.cuda.is_available():
        _same_error(lambda: TORCH.load(io.BytesIO(raw)), lambda: jtorch.load(io.BytesIO(raw)))


@needs_torch
def test_shared_objects_stay_shared():
    def build(lib):
        p = lib.nn.Parameter(lib.ones(2))
        t = lib.zeros(3)
        return {"a": p, "b": p, "c": t, "d": [t], "e": t.view(3)}
    for got, lib in ((_from_torch(build(TORCH)), jtorch), (_to_torch(build(jtorch)), TORCH)):
        assert got["a"] is got["b"] and got["c"] is got["d"][0]
        assert got["e"] is not got["c"]
        assert got["e"].untyped_storage().data_ptr() == got["c"].untyped_storage().data_ptr()


def test_lazy_values_are_saved():
    x = jtorch.ones(3)
    y = (x * 2).exp_()  # pending work of the engine
    got = jtorch.load(_saved(jtorch, {"y": y, "x": x}))
    np.testing.assert_allclose(got["y"].numpy(), np.exp(2.0) * np.ones(3), rtol=1e-6)


def test_recompressed_archive():
    """A checkpoint re-zipped with compression still loads; a damaged one names the record."""
    raw = _saved(jtorch, {"w": jtorch.arange(50.0)}).getvalue()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, \
            zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    packed = buf.getvalue()
    assert jtorch.load(io.BytesIO(packed))["w"].tolist() == list(map(float, range(50)))
    with zipfile.ZipFile(io.BytesIO(packed)) as z:
        info = z.getinfo("archive/data/0")
        at = info.header_offset + 30 + len(info.filename) + len(info.extra) + 5
    damaged = bytearray(packed)
    damaged[at] ^= 0xFF
    with pytest.raises(RuntimeError, match="failed reading file data/0"):
        jtorch.load(io.BytesIO(bytes(damaged)))


@needs_torch
def test_loads_without_pytorch(tmp_path):
    """jtorch reads PyTorch's files (state_dicts and whole modules) with PyTorch unavailable."""
    sd, mod = tmp_path / "sd.pt", tmp_path / "mod.pt"
    TORCH.save({"w": TORCH.arange(3.0), "v": TORCH.ones(2, dtype=TORCH.bfloat16)}, sd)
    TORCH.save(TORCH.nn.Sequential(TORCH.nn.Linear(2, 1)), mod)
    code = ("import sys\n"
            "sys.modules['torch'] = None  # any import of PyTorch fails\n"
            "import jtorch\n"
            f"d = jtorch.load({str(sd)!r})\n"
            "assert d['w'].tolist() == [0.0, 1.0, 2.0] and d['v'].dtype == jtorch.bfloat16\n"
            f"m = jtorch.load({str(mod)!r}, weights_only=False)\n"
            "assert type(m[0]) is jtorch.nn.Linear, type(m[0])\n"
            f"jtorch.save(d, {str(sd)!r})\n"
            "print('ok')\n")
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    r = subprocess.run([os.sys.executable, "-c", code], env=env, capture_output=True)
    assert r.stdout.strip() == b"ok", r.stderr.decode()[-3000:]
    assert TORCH.equal(TORCH.load(sd)["w"], TORCH.arange(3.0))


@needs_torch
def test_get_unsafe_globals_in_checkpoint():
    obj = {"c": collections.Counter(a=1), "t": TORCH.ones(1), "n": np.zeros(2), "s": {1}}
    raw = _saved(TORCH, obj).getvalue()
    assert sorted(jtorch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(raw))) == \
        sorted(TORCH.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(raw)))
    legacy = _saved(TORCH, obj, _use_new_zipfile_serialization=False).getvalue()
    _same_error(lambda: TORCH.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(legacy)),
                lambda: jtorch.serialization.get_unsafe_globals_in_checkpoint(
                    io.BytesIO(legacy)))


@needs_torch
def test_save_to_bad_paths(tmp_path):
    for bad in (tmp_path / "missing" / "a.pt", tmp_path):
        _same_error(lambda: TORCH.save({"a": TORCH.ones(1)}, bad),
                    lambda: jtorch.save({"a": jtorch.ones(1)}, bad))
        _same_error(lambda: TORCH.load(bad), lambda: jtorch.load(bad))
    assert os.listdir(tmp_path) == []
