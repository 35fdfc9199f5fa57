"""torch.distributed in one process: a world of one, the stores, errors, DDP/DataParallel
surfaces and the launcher's arguments (fast; the multi-process tests are in
test_distributed.py)."""
from datetime import timedelta

import pytest

import jtorch
import jtorch.distributed as dist
from oracle import needs_torch


@pytest.fixture
def world1():
    dist.init_process_group("gloo", init_method="tcp://127.0.0.1:0", world_size=1, rank=0,
                            timeout=timedelta(seconds=10))
    yield
    if dist.is_initialized():
        dist.destroy_process_group()


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


@needs_torch
@pytest.mark.parametrize("call", [
    lambda d, t: d.get_rank(),
    lambda d, t: d.get_world_size(),
    lambda d, t: d.all_reduce(t.ones(2)),
    lambda d, t: d.barrier(),
    lambda d, t: d.new_group([0]),
])
def test_uninitialized_errors_match_torch(call):
    import torch
    import torch.distributed as tdist
    assert not dist.is_initialized()
    assert _error(lambda: call(dist, jtorch)) == _error(lambda: call(tdist, torch))


@needs_torch
def test_reduce_op_and_backend_match_torch():
    import torch.distributed as tdist
    for name in ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR"):
        assert repr(getattr(dist.ReduceOp, name)) == repr(getattr(tdist.ReduceOp, name))
    for b in ("gloo", "GLOO", "nccl", "custom"):
        assert dist.Backend(b) == tdist.Backend(b)
    assert dist.is_available() and dist.is_gloo_available()


def test_world_of_one(world1):
    assert dist.is_initialized() and dist.get_rank() == 0 and dist.get_world_size() == 1
    assert dist.get_backend() == "gloo"
    x = jtorch.arange(4.0)
    dist.all_reduce(x, op=dist.ReduceOp.MAX)
    dist.broadcast(x, src=0)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]
    out = [jtorch.zeros(4)]
    dist.all_gather(out, x * 2)
    assert out[0].tolist() == [0.0, 2.0, 4.0, 6.0]
    objs = [None]
    dist.all_gather_object(objs, {"a": 1})
    assert objs == [{"a": 1}]
    dist.barrier()
    with pytest.raises(ValueError, match="trying to initialize the default process group twice!"):
        dist.init_process_group("gloo", init_method="tcp://127.0.0.1:0", world_size=1, rank=0)
    dist.destroy_process_group()
    assert not dist.is_initialized()


def test_env_init_missing_variable(monkeypatch):
    for k in ("MASTER_ADDR", "MASTER_PORT", "WORLD_SIZE", "RANK"):
        monkeypatch.delenv(k, raising=False)
    with pytest.raises(ValueError, match="environment variable WORLD_SIZE expected, but not set"):
        dist.init_process_group("gloo")


def test_tcp_store():
    master = dist.TCPStore("127.0.0.1", 0, 1, True, timedelta(seconds=2))
    client = dist.TCPStore("127.0.0.1", master.port, timeout=timedelta(seconds=2))
    master.set("k", "v")
    assert client.get("k") == b"v"
    assert client.add("n", 2) == 2 and master.add("n", 3) == 5
    assert client.check(["k"]) and not client.check(["missing"])
    assert client.compare_set("k", "v", "w") == b"w"
    assert client.delete_key("k") and not client.check(["k"])
    with pytest.raises(dist.DistStoreError, match="wait timeout after 100ms, keys: missing"):
        client.wait(["missing"], timedelta(milliseconds=100))
    p = dist.PrefixStore("pre", client)
    p.set("x", b"1")
    assert master.get("pre/x") == b"1"
    client.close()
    master.close()


def test_ddp_in_a_world_of_one(world1):
    torch = jtorch
    torch.manual_seed(0)
    net = torch.nn.Linear(3, 2)
    ddp = torch.nn.parallel.DistributedDataParallel(net)
    assert ddp.module is net
    assert list(ddp.state_dict()) == ["module.weight", "module.bias"]
    x = torch.randn(4, 3)
    ddp(x).sum().backward()
    g1 = net.weight.grad.clone()
    with ddp.no_sync():
        ddp(x).sum().backward()
    assert jtorch.allclose(net.weight.grad, 2 * g1)
    msg = ("DistributedDataParallel device_ids and output_device arguments only work with "
           "single-device/multiple-device GPU modules or CPU modules, but got device_ids [0], "
           "output_device None, and module parameters {device(type='cpu')}.")
    with pytest.raises(ValueError) as e:
        torch.nn.parallel.DistributedDataParallel(net, device_ids=[0])
    assert str(e.value) == msg
    with pytest.raises(RuntimeError, match="doesn't have any parameter that requires"):
        torch.nn.parallel.DistributedDataParallel(torch.nn.ReLU())


def test_ddp_needs_a_process_group():
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        jtorch.nn.parallel.DistributedDataParallel(jtorch.nn.Linear(2, 2))


def test_data_parallel_without_gpus_calls_the_module():
    net = jtorch.nn.Linear(3, 2)
    dp = jtorch.nn.DataParallel(net)
    x = jtorch.randn(5, 3)
    assert dp.device_ids == [] and jtorch.equal(dp(x), net(x))
    assert jtorch.nn.parallel.DataParallel is jtorch.nn.DataParallel


def test_launcher_arguments():
    from jtorch.distributed import run
    a = run.parse_args(["--nnodes", "2", "--nproc_per_node", "3", "--node-rank", "1",
                        "--master-addr", "10.0.0.1", "--master-port", "1234", "train.py",
                        "--lr", "0.1"])
    assert (a.nnodes, a.nproc_per_node, a.node_rank, a.master_addr, a.master_port) == \
        ("2", "3", 1, "10.0.0.1", 1234)
    assert a.training_script == "train.py" and a.training_script_args == ["--lr", "0.1"]
