"""Devices: torch.device, Tensor.to/cuda/cpu, device= on factories, torch.cuda, meta tensors.

Without a GPU, jtorch must behave as PyTorch's CPU-only build (compared with the oracle).
Multi-device logic runs in a subprocess with two JAX CPU devices, the second standing in for
'cuda:0' (``JTORCH_CUDA_ON_CPU=1``).  Tests needing a real GPU skip cleanly without one.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import jax
import pytest

import jtorch
from oracle import check, needs_torch

try:
    _GPUS = jax.devices("gpu")
except RuntimeError:
    _GPUS = []
needs_gpu = pytest.mark.skipif(not _GPUS, reason="needs a GPU")
no_gpu = pytest.mark.skipif(bool(_GPUS), reason="checks PyTorch's CPU-only behaviour")


# --------------------------------------------------------------------------------------------
# a CPU-only machine: PyTorch's CPU build is the reference

CPU_ONLY_CASES = {
    "is_available": lambda torch: torch.cuda.is_available(),
    "device_count": lambda torch: torch.cuda.device_count(),
    "zeros_cuda": lambda torch: torch.zeros(2, device="cuda"),
    "zeros_cuda1": lambda torch: torch.zeros(2, device=torch.device("cuda:1")),
    "to_cuda": lambda torch: torch.ones(2).to("cuda"),
    "cuda_method": lambda torch: torch.ones(2).cuda(),
    "to_mps": lambda torch: torch.ones(2).to("mps"),
    "module_cuda": lambda torch: torch.nn.Linear(2, 2).cuda(),
    "module_to_cuda": lambda torch: torch.nn.Linear(2, 2).to("cuda"),
    "current_device": lambda torch: torch.cuda.current_device(),
    "get_device_name": lambda torch: torch.cuda.get_device_name(0),
    "get_device_properties": lambda torch: torch.cuda.get_device_properties(0),
    "get_device_capability": lambda torch: torch.cuda.get_device_capability(),
    "synchronize": lambda torch: torch.cuda.synchronize(),
    "memory_allocated": lambda torch: torch.cuda.memory_allocated(),
    "memory_allocated_cpu": lambda torch: torch.cuda.memory_allocated(torch.device("cpu")),
    "max_memory_allocated": lambda torch: torch.cuda.max_memory_allocated(),
    "memory_reserved": lambda torch: torch.cuda.memory_reserved(),
    "max_memory_reserved": lambda torch: torch.cuda.max_memory_reserved(),
    "reset_peak": lambda torch: torch.cuda.reset_peak_memory_stats(),
    "empty_cache": lambda torch: torch.cuda.empty_cache(),
    "memory_stats": lambda torch: dict(torch.cuda.memory_stats()),
    "mem_get_info": lambda torch: torch.cuda.mem_get_info(),
    "manual_seed": lambda torch: torch.cuda.manual_seed(1),
    "manual_seed_all": lambda torch: torch.cuda.manual_seed_all(1),
    "seed": lambda torch: torch.cuda.seed(),
    "initial_seed": lambda torch: torch.cuda.initial_seed(),
    "get_rng_state": lambda torch: torch.cuda.get_rng_state(),
    "bf16": lambda torch: torch.cuda.is_bf16_supported(),
    "is_initialized": lambda torch: torch.cuda.is_initialized(),
    "arch_list": lambda torch: torch.cuda.get_arch_list(),
    "default_generators": lambda torch: len(torch.cuda.default_generators),
    "generator_cuda": lambda torch: torch.Generator("cuda"),
    "generator_meta": lambda torch: torch.Generator("meta"),
    "stream": lambda torch: torch.cuda.Stream(),
    "event": lambda torch: torch.cuda.Event(),
    "current_stream": lambda torch: torch.cuda.current_stream(),
    "device_ctx_noop": lambda torch: torch.cuda.device(-1).__enter__(),
    "device_ctx": lambda torch: torch.cuda.device(0).__enter__(),
    "device_of_cpu": lambda torch: torch.cuda.device_of(torch.ones(1)).idx,
    "mps_available": lambda torch: torch.backends.mps.is_available(),
    "mps_built": lambda torch: torch.backends.mps.is_built(),
    "cudnn_flags": lambda torch: (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic,
                                  torch.backends.cudnn.allow_tf32, torch.backends.cudnn.enabled),
    "cuda_tf32": lambda torch: torch.backends.cuda.matmul.allow_tf32,
    "default_device": lambda torch: torch.get_default_device(),
}


@needs_torch
@no_gpu
@pytest.mark.parametrize("name", sorted(CPU_ONLY_CASES))
def test_cpu_only_build(name):
    check(CPU_ONLY_CASES[name], message=True)


DEVICE_CASES = {
    "device_cuda1": lambda torch: (str(torch.device("cuda:1")), torch.device("cuda:1").type,
                                   torch.device("cuda:1").index),
    "device_eq": lambda torch: (torch.device("cuda:0") == torch.device("cuda"),
                                torch.device("cpu") == torch.device("cpu"),
                                torch.device("cuda:0") == "cuda:0"),
    "device_int": lambda torch: repr(torch.device("cuda", 0)),
    "device_bad": lambda torch: torch.device("cuda:x"),
    "device_bad_type": lambda torch: torch.device("gpu"),
    "tensor_attrs": lambda torch: (torch.ones(2).is_cuda, torch.ones(2).get_device(),
                                   torch.ones(2).device.index, torch.ones(2).is_cpu),
    "to_cpu_same": lambda torch: (lambda t: (t.to("cpu") is t, t.cpu() is t))(torch.ones(2)),
    "to_cpu_copy": lambda torch: (lambda t: t.to("cpu", copy=True) is t)(torch.ones(2)),
    "to_kwargs": lambda torch: torch.ones(2).to(device="cpu", dtype=torch.int64,
                                                non_blocking=True, copy=True),
    "to_device_dtype": lambda torch: torch.ones(2).to(torch.device("cpu"), torch.float64),
    "module_cpu_is_self": lambda torch: (lambda m: m.cpu() is m and m.to("cpu") is m)(
        torch.nn.Linear(2, 2)),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(DEVICE_CASES))
def test_devices(name):
    check(DEVICE_CASES[name], message=True)


META_CASES = {
    "zeros": lambda torch: str(torch.zeros(2, 3, device="meta")),
    "sum": lambda torch: str(torch.ones(2, device="meta").sum()),
    "arith": lambda torch: (lambda m: (m * 2).shape)(torch.ones(2, device="meta")),
    "to_meta": lambda torch: str(torch.empty(2, 3).to("meta")),
    "randn": lambda torch: str(torch.randn(2, device="meta")),
    "linear": lambda torch: str(torch.nn.Linear(2, 3, device="meta").weight),
    "new_zeros": lambda torch: str(torch.ones(1).new_zeros(2, device="meta")),
    "mix": lambda torch: torch.ones(2) + torch.ones(2, device="meta"),
    "mix2": lambda torch: torch.ones(2, device="meta") + torch.ones(2),
    "mix_scalar": lambda torch: torch.tensor(2.0, device="meta") + torch.ones(2),
    "cpu": lambda torch: torch.ones(2, device="meta").cpu(),
    "tolist": lambda torch: torch.ones(2, device="meta").tolist(),
    "numpy": lambda torch: torch.ones(2, device="meta").numpy(),
    "grad": lambda torch: str(torch.ones(2, device="meta").requires_grad_().sum()),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(META_CASES))
def test_meta(name):
    check(META_CASES[name], message=True)


@needs_torch
@no_gpu
def test_set_default_device_is_lazy():
    def f(torch):
        torch.set_default_device("cuda")
        try:
            return torch.zeros(2)
        finally:
            torch.set_default_device(None)
    check(f, message=True)


@needs_torch
def test_set_default_device_meta():
    def f(torch):
        torch.set_default_device("meta")
        try:
            return str(torch.get_default_device()), str(torch.zeros(2)), str(torch.tensor([1.0]))
        finally:
            torch.set_default_device(None)
    check(f)


def test_set_float32_matmul_precision():
    prev = jtorch.get_float32_matmul_precision()
    try:
        jtorch.set_float32_matmul_precision("high")
        assert jtorch.get_float32_matmul_precision() == "high"
        assert jax.config.jax_default_matmul_precision == "tensorfloat32"
        with pytest.raises(RuntimeError):
            jtorch.set_float32_matmul_precision("low")
    finally:
        jtorch.set_float32_matmul_precision(prev)


def test_cpu_values_live_on_jax_cpu():
    t = (jtorch.ones(3) * 2)
    assert t._value().devices() == {jax.devices("cpu")[0]}


# --------------------------------------------------------------------------------------------
# several devices: a subprocess with two JAX CPU devices, the second one standing in for cuda:0

_MULTI_SCRIPT = textwrap.dedent(r'''
    import json, jax
    import jtorch as torch
    out = {}
    cpu0, cpu1, cpu2 = jax.devices("cpu")

    def where(t):
        (d,) = t._value().devices()
        return d.id

    out["available"] = [torch.cuda.is_available(), torch.cuda.device_count(),
                        torch.cuda.current_device()]
    x = torch.ones(3, requires_grad=True)
    y = x.cuda()
    out["moved"] = [str(y.device), y.is_cuda, y.get_device(), type(y.grad_fn).__name__,
                    where(y), where(x)]
    (y * 2).sum().backward()
    out["grad_back"] = [x.grad.tolist(), str(x.grad.device), where(x.grad)]
    a = torch.randn(2, 3, device="cuda")
    b = torch.zeros(3, device="cuda:1")
    out["factories"] = [str(a.device), str(b.device), where(a), where(b)]
    c = a @ torch.ones(3, device="cuda")
    out["op_result"] = [str(c.device), where(c), str(c.cpu().device), where(c.cpu())]
    try:
        a + torch.ones(3)
    except RuntimeError as e:
        out["mix"] = str(e)
    s = a + torch.tensor(2.0)
    out["cpu_scalar"] = [str(s.device), where(s)]
    try:
        a + b
    except RuntimeError as e:
        out["mix_cuda"] = str(e)
    # a training loop on the device, with CPU work interleaved in the same lazy window
    torch.manual_seed(0)
    m = torch.nn.Linear(3, 2).to("cuda")
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    losses, cpu_vals = [], []
    for i in range(4):
        loss = m(a).pow(2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        cpu_vals.append((torch.arange(3.0) * i).sum().item())
        losses.append(loss.item())
    out["train"] = [losses[-1] < losses[0], cpu_vals, str(m.weight.device), where(m.weight),
                    where(m.weight.grad)]
    # the same on the CPU gives the same numbers
    torch.manual_seed(0)
    m2 = torch.nn.Linear(3, 2)
    opt2 = torch.optim.SGD(m2.parameters(), lr=0.1)
    a2 = a.cpu()
    for i in range(4):
        loss2 = m2(a2).pow(2).sum()
        opt2.zero_grad()
        loss2.backward()
        opt2.step()
    out["same_as_cpu"] = abs(loss2.item() - losses[-1]) < 1e-5
    with torch.cuda.device(1):
        out["ctx"] = [str(torch.ones(2, device="cuda").device), torch.cuda.current_device()]
    out["ctx_after"] = torch.cuda.current_device()
    torch.set_default_device("cuda")
    out["default"] = [str(torch.zeros(2).device), str(torch.tensor([1.0]).device),
                      str(torch.get_default_device()), where(torch.tensor([1.0]))]
    torch.set_default_device(None)
    d = torch.nn.Dropout(0.5)
    r = d(torch.ones(1000, device="cuda"))
    out["dropout"] = [str(r.device), where(r), 300 < int((r == 0).sum()) < 700]
    g = torch.randn(3, device="cuda")
    torch.cuda.manual_seed(5)
    g1 = torch.randn(3, device="cuda")
    torch.cuda.manual_seed(5)
    g2 = torch.randn(3, device="cuda")
    out["cuda_seed"] = torch.equal(g1, g2)
    out["gen"] = [str(torch.cuda.default_generators[0].device),
                  str(torch.Generator("cuda").device)]
    z = torch.zeros(2, 2, device="cuda")
    z[0] = torch.tensor([1.0, 2.0], device="cuda")
    out["inplace"] = [z.tolist(), where(z)]
    out["bad_ordinal"] = None
    try:
        torch.zeros(1, device="cuda:5")
    except RuntimeError as e:
        out["bad_ordinal"] = str(e).splitlines()[0]
    out["numpy"] = None
    try:
        a.numpy()
    except TypeError as e:
        out["numpy"] = str(e)
    out["mem"] = [torch.cuda.memory_allocated(), torch.cuda.memory_reserved(),
                  torch.cuda.max_memory_allocated()]
    torch.cuda.reset_peak_memory_stats()
    torch.cuda.synchronize()
    out["props"] = [torch.cuda.get_device_name(), torch.cuda.get_device_capability()]
    ev0, ev1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    ev0.record(); ev1.record()
    out["event"] = ev0.elapsed_time(ev1) >= 0
    out["state_dict_device"] = str(torch.nn.Linear(2, 2).cuda().state_dict()["weight"].device)
    out["type_name"] = a.type()
    out["type_cuda"] = str(torch.ones(2).type("torch.cuda.FloatTensor").device)
    with torch.no_grad():
        w = torch.ones(2, requires_grad=True)
        out["nograd_move"] = type(w.cuda().grad_fn).__name__
    print("RESULT" + json.dumps(out))
''')


@pytest.fixture(scope="module")
def multi():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=3",
               JTORCH_CUDA_ON_CPU="1", JAX_PLATFORMS="cpu")
    r = subprocess.run([sys.executable, "-c", _MULTI_SCRIPT], env=env, capture_output=True,
                       text=True, timeout=300)
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("RESULT")]
    assert line, r.stderr[-3000:]
    return json.loads(line[0][6:])


def test_multi_available(multi):
    assert multi["available"] == [True, 2, 0]


def test_multi_move(multi):
    assert multi["moved"] == ["cuda:0", True, 0, "ToCopyBackward0", 1, 0]
    assert multi["grad_back"] == [[2.0, 2.0, 2.0], "cpu", 0]
    assert multi["nograd_move"] == "NoneType"


def test_multi_placement(multi):
    assert multi["factories"] == ["cuda:0", "cuda:1", 1, 2]
    assert multi["op_result"] == ["cuda:0", 1, "cpu", 0]
    assert multi["inplace"] == [[[1.0, 2.0], [0.0, 0.0]], 1]


def test_multi_mixing(multi):
    assert multi["mix"] == ("Expected all tensors to be on the same device, but found at least "
                            "two devices, cuda:0 and cpu!")
    assert multi["mix_cuda"] == ("Expected all tensors to be on the same device, but found at "
                                 "least two devices, cuda:0 and cuda:1!")
    assert multi["cpu_scalar"] == ["cuda:0", 1]


def test_multi_training(multi):
    ok, cpu_vals, dev, w, g = multi["train"]
    assert ok and cpu_vals == [0.0, 3.0, 6.0, 9.0] and dev == "cuda:0" and w == 1 and g == 1
    assert multi["same_as_cpu"]


def test_multi_current_device(multi):
    assert multi["ctx"] == ["cuda:1", 1]
    assert multi["ctx_after"] == 0
    assert multi["default"] == ["cuda:0", "cuda:0", "cuda:0", 1]


def test_multi_random(multi):
    assert multi["dropout"] == ["cuda:0", 1, True]
    assert multi["cuda_seed"]
    assert multi["gen"] == ["cuda:0", "cuda:0"]


def test_multi_misc(multi):
    assert multi["bad_ordinal"] == "CUDA error: invalid device ordinal"
    assert multi["numpy"] == ("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() "
                              "to copy the tensor to host memory first.")
    assert all(isinstance(v, int) for v in multi["mem"])
    assert multi["event"]
    assert multi["state_dict_device"] == "cuda:0"
    assert multi["type_name"] == "torch.cuda.FloatTensor"
    assert multi["type_cuda"] == "cuda:0"


# --------------------------------------------------------------------------------------------
# a real GPU


@needs_gpu
def test_gpu_placement():
    x = jtorch.ones(3).cuda()
    assert x.device.type == "cuda"
    assert next(iter(x._value().devices())).platform == "gpu"
    y = jtorch.ones(3)
    assert next(iter((y * 2)._value().devices())).platform == "cpu"
    assert jtorch.cuda.get_device_name() == _GPUS[0].device_kind
    assert jtorch.cuda.memory_allocated() > 0
    assert jtorch.cuda.get_device_properties(0).total_memory > 0


@needs_gpu
def test_gpu_training_matches_cpu():
    jtorch.manual_seed(0)
    m = jtorch.nn.Linear(4, 3)
    x = jtorch.randn(8, 4)
    ref = m(x).sum().item()
    m.cuda()
    got = m(x.cuda()).sum().item()
    assert abs(ref - got) < 1e-3
