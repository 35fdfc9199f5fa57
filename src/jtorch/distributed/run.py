"""``python -m jtorch.distributed.run``: start the processes of a distributed job (torchrun).

    python -m jtorch.distributed.run --nproc-per-node 2 train.py --epochs 3

starts ``--nproc-per-node`` copies of the script on this node with the environment
``init_process_group('env://')`` reads: MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK,
LOCAL_WORLD_SIZE, GROUP_RANK, ROLE_RANK, ROLE_WORLD_SIZE, TORCHELASTIC_RUN_ID.  torchrun's
flags: ``--nnodes``, ``--node-rank``, ``--master-addr``, ``--master-port``, ``--standalone``
(this node alone, on a free port), ``--run-path``/``-m``, ``--no-python``.  When one process
fails, the others are stopped and the launcher exits with an error naming the failed ranks,
as torchrun does.  Elastic features (restarts, rendezvous backends, min:max nnodes) are not
supported.

Run under ``python -m jtorch -m jtorch.distributed.run ...`` (or ``python -m jtorch -m
torch.distributed.run``), the processes run the script with ``import torch`` meaning jtorch.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

__all__ = ["main", "get_args_parser", "parse_args", "run"]


def get_args_parser():
    p = argparse.ArgumentParser(prog="jtorch.distributed.run",
                                description="Launch a distributed job on JAX's runtime.")
    p.add_argument("--nnodes", type=str, default="1")
    p.add_argument("--nproc-per-node", "--nproc_per_node", type=str, default="1")
    p.add_argument("--node-rank", "--node_rank", type=int, default=0)
    p.add_argument("--master-addr", "--master_addr", type=str, default="127.0.0.1")
    p.add_argument("--master-port", "--master_port", type=int, default=29500)
    p.add_argument("--standalone", action="store_true")
    p.add_argument("--rdzv-backend", "--rdzv_backend", type=str, default="static")
    p.add_argument("--rdzv-endpoint", "--rdzv_endpoint", type=str, default="")
    p.add_argument("--rdzv-id", "--rdzv_id", type=str, default="none")
    p.add_argument("--max-restarts", "--max_restarts", type=int, default=0)
    p.add_argument("--monitor-interval", "--monitor_interval", type=float, default=0.1)
    p.add_argument("--run-path", "--run_path", "-m", "--module", dest="module",
                   action="store_true")
    p.add_argument("--no-python", "--no_python", action="store_true")
    p.add_argument("--redirects", "-r", type=str, default="0")
    p.add_argument("--tee", "-t", type=str, default="0")
    p.add_argument("--log-dir", "--log_dir", type=str, default=None)
    p.add_argument("training_script", type=str)
    p.add_argument("training_script_args", nargs=argparse.REMAINDER)
    return p


def parse_args(args):
    return get_args_parser().parse_args(args)


def _free_port(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _nproc(value):
    if value in ("cpu", "auto"):
        return os.cpu_count() or 1
    if value == "gpu":
        raise ValueError("--nproc-per-node gpu: count your GPUs and pass a number")
    return int(value)


def _command(args):
    script = [args.training_script] + list(args.training_script_args)
    if args.no_python:
        return script
    runner = [sys.executable, "-u"]
    if sys.modules.get("torch") is sys.modules.get("jtorch") is not None:
        runner += ["-m", "jtorch"]     # ``import torch`` means jtorch in the children too
    return runner + (["-m"] if args.module else []) + script


def run(args):
    """Start the processes of this node, wait for them; returns the exit status."""
    if args.max_restarts:
        raise NotImplementedError("jtorch.distributed.run: --max-restarts is not supported")
    nnodes = int(str(args.nnodes).split(":")[-1])
    nproc = _nproc(args.nproc_per_node)
    addr, port = args.master_addr, args.master_port
    if args.rdzv_endpoint:
        addr, _, p = args.rdzv_endpoint.rpartition(":")
        port = int(p) if p else port
    if args.standalone:
        if nnodes != 1:
            raise ValueError("--standalone runs one node (--nnodes 1)")
        addr, port = "127.0.0.1", _free_port("127.0.0.1")
    world = nnodes * nproc
    run_id = args.rdzv_id if args.rdzv_id != "none" else uuid.uuid4().hex[:8]
    cmd = _command(args)
    procs = []
    for local in range(nproc):
        rank = args.node_rank * nproc + local
        env = dict(os.environ, MASTER_ADDR=addr, MASTER_PORT=str(port), WORLD_SIZE=str(world),
                   RANK=str(rank), LOCAL_RANK=str(local), LOCAL_WORLD_SIZE=str(nproc),
                   GROUP_RANK=str(args.node_rank), GROUP_WORLD_SIZE=str(nnodes),
                   ROLE_RANK=str(rank), ROLE_WORLD_SIZE=str(world), ROLE_NAME="default",
                   TORCHELASTIC_RUN_ID=run_id, TORCHELASTIC_RESTART_COUNT="0",
                   TORCHELASTIC_MAX_RESTARTS="0")
        if nproc > 1 and "OMP_NUM_THREADS" not in os.environ:
            env["OMP_NUM_THREADS"] = "1"
        procs.append((rank, local, subprocess.Popen(cmd, env=env)))

    def _stop(signum=None, frame=None):
        for _, _, p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        for _, _, p in procs:
            try:
                p.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
        if signum is not None:
            sys.exit(128 + signum)

    old = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            codes = [(r, lr, p.poll()) for r, lr, p in procs]
            failed = [(r, lr, c) for r, lr, c in codes if c not in (None, 0)]
            if failed:
                time.sleep(0.2)   # let siblings that fail for the same reason report it too
                failed = [(r, lr, p.poll()) for r, lr, p in procs if p.poll() not in (None, 0)]
                _stop()
                _report(args.training_script, failed)
                return 1
            if all(c == 0 for _, _, c in codes):
                return 0
            time.sleep(args.monitor_interval)
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _report(script, failed):
    lines = ["=" * 60, f"{script} FAILED", "-" * 60, "Failures:"]
    for r, lr, c in failed:
        why = f"exitcode: {c}" if c >= 0 else f"exitcode: {c} (signal {-c}: " \
              f"{signal.Signals(-c).name})"
        lines.append(f"  rank: {r} (local_rank: {lr}) {why}")
    lines.append("=" * 60)
    print("\n".join(lines), file=sys.stderr, flush=True)


def main(args=None):
    sys.exit(run(parse_args(sys.argv[1:] if args is None else args)))


if __name__ == "__main__":
    main()
