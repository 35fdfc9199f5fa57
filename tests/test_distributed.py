"""torch.distributed on several local CPU processes (loopback only, every run time-bounded).

Each test starts ranks of ``tests/dist_worker.py`` as subprocesses (directly, or through the
launcher) and checks the ``RESULT`` lines they print; a process that outlives its timeout is
killed, so no test can hang CI.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")
WORKER = os.path.join(HERE, "dist_worker.py")


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("XLA_FLAGS", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _results(text):
    return [json.loads(line[len("RESULT "):]) for line in text.splitlines()
            if line.startswith("RESULT ")]


def _spawn(scenario, ranks, world, timeout=180, **extra):
    """Start ``ranks`` of a world of ``world`` directly; returns [(returncode, output)]."""
    port = _port()
    procs = []
    for r in ranks:
        env = _env(MASTER_ADDR="127.0.0.1", MASTER_PORT=port, WORLD_SIZE=world, RANK=r,
                   LOCAL_RANK=r, **extra)
        procs.append(subprocess.Popen([sys.executable, WORKER, scenario], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True))
    outs = []
    deadline = time.monotonic() + timeout
    for p in procs:
        try:
            out, _ = p.communicate(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail(f"{scenario}: a rank did not finish within {timeout}s (a hang)")
        outs.append((p.returncode, out))
    return outs


def _launch(args, timeout=240, **extra):
    """Run the launcher with 2 processes; on a timeout its whole process group is killed."""
    p = subprocess.Popen([sys.executable, "-m", "jtorch.distributed.run", "--standalone",
                          "--nproc-per-node", "2"] + args, env=_env(**extra),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         cwd=os.path.dirname(HERE), start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        pytest.fail(f"launcher {args}: not finished within {timeout}s (a hang)")
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


@pytest.fixture(scope="module")
def collectives():
    p = _launch([WORKER, "collectives"])
    assert p.returncode == 0, p.stdout + p.stderr
    res = {r["rank"]: r for r in _results(p.stdout)}
    assert sorted(res) == [0, 1]
    return res


A = [[0.0, 1.0, 2.0, 3.0], [10.0, 11.0, 12.0, 13.0]]   # rank r's tensor: arange(4) + 10 r
B = [[1.0, 2.0, 3.0, 4.0], [11.0, 12.0, 13.0, 14.0]]   # + 1

EXPECTED = {
    "world": [2, 2],
    "backend": ["gloo", "gloo"],
    "initialized": [True, True],
    "all_reduce_SUM": [[a + b for a, b in zip(*B)]] * 2,
    "all_reduce_AVG": [[(a + b) / 2 for a, b in zip(*B)]] * 2,
    "all_reduce_MAX": [B[1]] * 2,
    "all_reduce_MIN": [B[0]] * 2,
    "all_reduce_PRODUCT": [[a * b for a, b in zip(*B)]] * 2,
    "all_reduce_int64": [[[3, 10], "torch.int64"]] * 2,
    "all_reduce_float64": [[0.1 + 1.1, "torch.float64"]] * 2,
    "all_reduce_bool": [[[True, False], "torch.bool"]] * 2,
    "all_gather": [A] * 2,
    "all_gather_into_tensor": [A[0] + A[1]] * 2,
    "broadcast": [A[1]] * 2,
    "reduce": [[a + b for a, b in zip(*A)], A[1]],
    "reduce_scatter_tensor": [[10.0, 12.0], [14.0, 16.0]],
    "scatter": [[100.0] * 3, [101.0] * 3],
    "all_to_all_single": [[0.0, 1.0, 10.0, 11.0], [2.0, 3.0, 12.0, 13.0]],
    "all_to_all_single_splits": [[0.0, 100.0, 101.0], [1.0, 102.0]],
    "all_to_all": [[[0.0, 0.0], [10.0, 10.0]], [[1.0, 1.0], [11.0, 11.0]]],
    "leaf": [[[[2.0] * 3] * 2, True]] * 2,
    "view": [[[3.0, 3.0]] * 3] * 2,
    "p2p": [[[15.0], 1], [[7.0, 8.0], 0]],
    "all_gather_object": [[{"rank": 0, "tag": ""}, {"rank": 1, "tag": "x"}]] * 2,
    "broadcast_object_list": [[0, "mine"]] * 2,
    "subgroup": [[True, -1, None, [5.0], "Running all_reduce on global rank 0 which does not "
                  "belong to the given group."], [[3.0], 0, 1]],
    "async": [[True, True]] * 2,
    "after_destroy": [False, False],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_collective(collectives, name):
    assert [collectives[r][name] for r in (0, 1)] == EXPECTED[name]


def test_gather_on_destination(collectives):
    assert collectives[0]["gather"] == A
    assert "gather" not in collectives[1]


def test_ddp_two_processes_equal_one_process_on_the_global_batch():
    p = _launch([WORKER, "ddp"])
    assert p.returncode == 0, p.stdout + p.stderr
    res = {r["rank"]: r for r in _results(p.stdout)}
    assert res[0]["ranks_equal"] and res[1]["ranks_equal"]
    assert res[0]["module"] == "Sequential" and res[0]["keys"] == ["module.0.weight",
                                                                   "module.0.bias"]
    assert res[0]["moved"] > 0.1                      # training did something
    assert res[0]["max_diff_vs_single"] < 1e-5


def test_data_parallel_four_devices_equals_one_device():
    p = subprocess.run([sys.executable, WORKER, "data_parallel"], timeout=240,
                       capture_output=True, text=True,
                       env=_env(JTORCH_CUDA_ON_CPU=1,
                                XLA_FLAGS="--xla_force_host_platform_device_count=5"))
    assert p.returncode == 0, p.stdout + p.stderr
    (res,) = _results(p.stdout)
    assert res["devices"] == 4 and res["device_ids"] == [0, 1, 2, 3]
    assert res["out_device"] == "cuda:0" and res["out_shape"] == [16, 3]
    assert res["grad_device"] == "cuda:0"
    assert res["max_diff"] < 1e-5


def test_example_ddp_mlp_through_the_launcher():
    p = _launch(["examples/ddp_mlp.py", "--quick"])
    assert p.returncode == 0, p.stdout + p.stderr
    text = "\n".join(line for line in p.stdout.splitlines() if not line.startswith("[Gloo]"))
    assert text.startswith("2 processes, local batch 32\nNeuralNetwork("), text
    assert sum(line.startswith("loss: ") for line in text.splitlines()) == 2
    assert text.rstrip().endswith("Done!")
    acc = float(text.split("Accuracy: ")[1].split("%")[0])
    assert acc > 30.0


def test_killed_rank_fails_survivor_in_collective():
    (rc0, out0), (rc1, _) = _spawn("fault", [0, 1], 2, JTORCH_DIST_HEARTBEAT_TIMEOUT=5)
    assert rc1 == 7
    assert rc0 != 0 and "survived" not in out0
    assert "DistBackendError" in out0 and "peer process" in out0, out0[-2000:]


def test_killed_rank_fails_survivor_in_barrier():
    (rc0, out0), (rc1, _) = _spawn("fault", [0, 1], 2, JTORCH_DIST_HEARTBEAT_TIMEOUT=5,
                                   T_FAULT="barrier")
    assert rc1 == 7
    assert rc0 != 0 and "survived" not in out0, out0[-2000:]
    # the barrier's timeout, or JAX's heartbeat if it comes first: either way an error
    assert ("DistBackendError: monitored_barrier timed out after 3000ms: 1/2 ranks" in out0 or
            "distributed service detected fatal errors" in out0), out0[-2000:]


def test_wrong_world_size_times_out_naming_the_address():
    # ranks 0 and 1 of a world of 3: rank 2 never comes
    outs = _spawn("init_only", [0, 1], 3, T_TIMEOUT=3)
    (rc0, out0), (rc1, out1) = outs
    assert rc0 != 0 and rc1 != 0
    # (a rank slow to start under load may not have joined yet: 1/3 or 2/3)
    assert re.search(r"DistStoreError: Timed out after 3 seconds waiting for clients\. [12]/3 "
                     r"clients joined\. \(store at 127\.0\.0\.1:\d+\)", out0), out0[-2000:]
    # rank 1 times out waiting for rank 0, or sees rank 0's store close when rank 0 gives up
    # (or, started late under load, finds rank 0 already gone)
    assert ("DistStoreError: wait timeout after 3000ms" in out1 or
            "DistNetworkError: The store at 127.0.0.1:" in out1 or
            "DistNetworkError: The client socket has timed out after 3000ms" in out1), \
        out1[-2000:]
    assert "127.0.0.1:" in out1


def test_unreachable_coordinator_names_the_address():
    (rc1, out1), = _spawn("init_only", [1], 2, T_TIMEOUT=2)
    assert rc1 != 0
    assert "DistNetworkError: The client socket has timed out after 2000ms while trying to " \
           "connect to (127.0.0.1, " in out1, out1[-2000:]


def test_launcher_stops_the_job_when_a_rank_fails(tmp_path):
    script = tmp_path / "job.py"
    script.write_text("import os, sys, time\n"
                      "if os.environ['RANK'] == '1':\n    sys.exit(7)\n"
                      "time.sleep(60)\n")
    p = _launch([str(script)], timeout=30)
    assert p.returncode == 1
    assert "job.py FAILED" in p.stderr and "rank: 1 (local_rank: 1) exitcode: 7" \
        in p.stderr
