"""Worker of tests/test_distributed.py: run one scenario as one rank; prints ``RESULT <json>``.

Started by the launcher or by the test with RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT set.
"""
import json
import os
import sys
from datetime import timedelta

import jtorch as torch
import jtorch.distributed as dist


def out(**kw):
    print("RESULT " + json.dumps(kw), flush=True)


def collectives():
    dist.init_process_group("gloo", timeout=timedelta(seconds=30))
    r, n = dist.get_rank(), dist.get_world_size()
    res = {"rank": r, "world": n, "backend": dist.get_backend(),
           "initialized": dist.is_initialized()}
    base = torch.arange(4, dtype=torch.float32) + 10 * r
    for op in ("SUM", "AVG", "MAX", "MIN", "PRODUCT"):
        t = base.clone() + 1
        dist.all_reduce(t, op=getattr(dist.ReduceOp, op))
        res["all_reduce_" + op] = t.tolist()
    ti = torch.tensor([1 + r, 5], dtype=torch.int64)
    dist.all_reduce(ti)
    res["all_reduce_int64"] = [ti.tolist(), str(ti.dtype)]
    td = torch.tensor([0.1 + r], dtype=torch.float64)
    dist.all_reduce(td)
    res["all_reduce_float64"] = [td.item(), str(td.dtype)]
    tb = torch.tensor([r == 1, False])
    dist.all_reduce(tb, op=dist.ReduceOp.MAX)
    res["all_reduce_bool"] = [tb.tolist(), str(tb.dtype)]
    lst = [torch.zeros(4) for _ in range(n)]
    dist.all_gather(lst, base)
    res["all_gather"] = [t.tolist() for t in lst]
    o = torch.zeros(n * 4)
    dist.all_gather_into_tensor(o, base)
    res["all_gather_into_tensor"] = o.tolist()
    b = base.clone()
    dist.broadcast(b, src=1)
    res["broadcast"] = b.tolist()
    rd = base.clone()
    dist.reduce(rd, dst=0)
    res["reduce"] = rd.tolist()
    o = torch.zeros(2)
    dist.reduce_scatter_tensor(o, base)
    res["reduce_scatter_tensor"] = o.tolist()
    if r == 0:
        gl = [torch.zeros(4) for _ in range(n)]
        dist.gather(base, gl, dst=0)
        res["gather"] = [t.tolist() for t in gl]
    else:
        dist.gather(base, dst=0)
    s = torch.zeros(3)
    dist.scatter(s, [torch.full((3,), float(i + 100)) for i in range(n)] if r == 1 else None,
                 src=1)
    res["scatter"] = s.tolist()
    o = torch.zeros(4)
    dist.all_to_all_single(o, base)
    res["all_to_all_single"] = o.tolist()
    # unequal splits: rank r sends r+1 rows to rank 0 and 1 row to rank 1
    inp = torch.arange(r + 2, dtype=torch.float32) + 100 * r
    outs = [k + 1 if r == 0 else 1 for k in range(n)]
    o = torch.zeros(sum(outs))
    dist.all_to_all_single(o, inp, outs, [r + 1, 1])
    res["all_to_all_single_splits"] = o.tolist()
    ol = [torch.zeros(2) for _ in range(n)]
    dist.all_to_all(ol, [torch.full((2,), float(10 * r + j)) for j in range(n)])
    res["all_to_all"] = [t.tolist() for t in ol]
    # a tensor that requires grad and a non-contiguous view
    w = torch.ones(2, 3, requires_grad=True)
    dist.all_reduce(w)
    res["leaf"] = [w.tolist(), w.requires_grad]
    m = torch.zeros(3, 2)
    dist.all_reduce(m.t().fill_(r + 1))
    res["view"] = m.tolist()
    # point to point
    if r == 0:
        dist.send(torch.tensor([7.0, 8.0]), dst=1)
        got = torch.zeros(1)
        src = dist.recv(got)
        res["p2p"] = [got.tolist(), src]
    else:
        got = torch.zeros(2)
        dist.recv(got, src=0)
        req = dist.isend(got.sum().reshape(1), dst=0)
        req.wait()
        res["p2p"] = [got.tolist(), 0]
    objs = [None] * n
    dist.all_gather_object(objs, {"rank": r, "tag": "x" * r})
    res["all_gather_object"] = objs
    bl = [r, "mine"] if r == 0 else [None, None]
    dist.broadcast_object_list(bl, src=0)
    res["broadcast_object_list"] = bl
    # a subgroup
    g = dist.new_group([1])
    if r == 1:
        t = torch.tensor([3.0])
        dist.all_reduce(t, group=g)
        res["subgroup"] = [t.tolist(), dist.get_rank(g), dist.get_world_size(g)]
    else:
        import warnings
        t = torch.tensor([5.0])
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            ret = dist.all_reduce(t, group=g)
        res["subgroup"] = [g is dist.GroupMember.NON_GROUP_MEMBER, dist.get_rank(g), ret,
                           t.tolist(), str(w[0].message)]
    work = dist.all_reduce(torch.ones(1), async_op=True)
    res["async"] = [work.wait(), work.is_completed()]
    dist.barrier()
    dist.destroy_process_group()
    res["after_destroy"] = dist.is_initialized()
    out(**res)


def _mlp():
    return torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))


def _train(model, opt, batches):
    """One optimizer step per entry of ``batches``; an entry is a list of micro-batches whose
    gradients accumulate (all but the last under ``no_sync`` when the model is DDP)."""
    loss_fn = torch.nn.CrossEntropyLoss()
    for micro in batches:
        opt.zero_grad()
        for k, (x, y) in enumerate(micro):
            last = k == len(micro) - 1
            ctx = model.no_sync() if (not last and hasattr(model, "no_sync")) else _null()
            with ctx:
                (loss_fn(model(x), y) / len(micro)).backward()
        opt.step()


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def ddp():
    """DDP on the shards of a global batch == one process on the global batch."""
    dist.init_process_group("gloo", timeout=timedelta(seconds=60))
    r, n = dist.get_rank(), dist.get_world_size()
    g = torch.Generator().manual_seed(123)
    steps = 3
    X = torch.randn(steps, 2, 8 * n, 6, generator=g)      # steps x micro-batches x batch
    Y = torch.randint(0, 3, (steps, 2, 8 * n), generator=g)
    torch.manual_seed(r)                                    # ranks start different: DDP
    model = torch.nn.parallel.DistributedDataParallel(_mlp())   # broadcasts rank 0's
    opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    shard = slice(8 * r, 8 * (r + 1))
    _train(model, opt, [[(X[s, 0, shard], Y[s, 0, shard])] for s in range(steps)])
    _train(model, opt, [[(X[s, m, shard], Y[s, m, shard]) for m in range(2)]
                        for s in range(steps)])
    mine = [p.detach().clone() for p in model.module.parameters()]
    res = {"rank": r, "module": type(model.module).__name__,
           "keys": list(model.state_dict())[:2]}
    if r == 0:
        torch.manual_seed(0)
        ref = _mlp()
        opt = torch.optim.SGD(ref.parameters(), lr=0.5, momentum=0.9)
        _train(ref, opt, [[(X[s, 0], Y[s, 0])] for s in range(steps)])
        _train(ref, opt, [[(X[s, m], Y[s, m]) for m in range(2)] for s in range(steps)])
        res["max_diff_vs_single"] = max(float((a - b).abs().max())
                                        for a, b in zip(mine, ref.parameters()))
        res["moved"] = max(float((a - b).abs().max())
                           for a, b in zip(mine, _first_params()))
    flat = torch.cat([p.reshape(-1) for p in mine])
    both = [torch.zeros_like(flat) for _ in range(n)]
    dist.all_gather(both, flat)
    res["ranks_equal"] = bool((both[0] == both[-1]).all())
    dist.destroy_process_group()
    out(**res)


def _first_params():
    torch.manual_seed(0)
    return list(_mlp().parameters())


def data_parallel():
    """DataParallel over 4 devices (one process) == single-device training."""
    def train(model, dev):
        torch.manual_seed(0)
        g = torch.Generator().manual_seed(1)
        X = torch.randn(3, 16, 6, generator=g)
        Y = torch.randint(0, 3, (3, 16), generator=g)
        opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
        for s in range(3):
            opt.zero_grad()
            o = model(X[s].to(dev))
            torch.nn.functional.cross_entropy(o, Y[s].to(dev)).backward()
            opt.step()
        return o, [p.detach().cpu() for p in model.parameters()]

    torch.manual_seed(0)
    ref_out, ref = train(_mlp(), "cpu")
    torch.manual_seed(0)
    dp = torch.nn.DataParallel(_mlp().to("cuda:0"))
    o, got = train(dp, "cuda:0")
    out(devices=torch.cuda.device_count(), device_ids=dp.device_ids, out_device=str(o.device),
        out_shape=list(o.shape), grad_device=str(dp.module[0].weight.grad.device),
        max_diff=max(float((a - b).abs().max()) for a, b in zip(ref, got)))


def fault():
    """Rank 1 dies after the first collective; rank 0 must fail, not hang."""
    dist.init_process_group("gloo", timeout=timedelta(seconds=120))
    t = torch.ones(3)
    dist.all_reduce(t)
    if dist.get_rank() == 1:
        os._exit(7)
    what = os.environ.get("T_FAULT", "all_reduce")
    if what == "barrier":
        dist.monitored_barrier(timeout=timedelta(seconds=3))
    else:
        dist.all_reduce(t)
    out(survived=True)


def init_only():
    dist.init_process_group("gloo", timeout=timedelta(seconds=float(os.environ["T_TIMEOUT"])))
    out(rank=dist.get_rank())


if __name__ == "__main__":
    scenarios = {"collectives": collectives, "ddp": ddp, "data_parallel": data_parallel,
                 "fault": fault, "init_only": init_only}
    scenarios[sys.argv[1]]()
