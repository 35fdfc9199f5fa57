"""The JAX side of torch.distributed: JAX's distributed runtime and the tensor collectives.

One jtorch process is one rank and one JAX process (``jax.distributed.initialize``).  A
collective is an XLA program over a mesh with one device per rank of the group: each process
contributes its local value as its shard of a global array, the body (``shard_map``) calls
JAX's collective (``psum``, ``all_gather``, ``all_to_all``, ...), and each process reads back
its own shard.  On CPU the cross-process transport is JAX's gloo collectives (loopback or
TCP); on GPUs and TPUs the same program runs over NCCL / ICI.  Programs are cached by
(collective, group, shape, dtype, options), so a training loop compiles each once.
"""
from __future__ import annotations

import functools
import os

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from .._engine import core as engine
from .errors import DistBackendError

__all__ = ["start", "started", "backend_initialized", "device_of_rank", "run"]

_state = {"world": None}  # (coordinator, world_size, rank) once JAX's runtime is up
_AXIS = "r"


def backend_initialized() -> bool:
    """True once JAX created its devices (after that its distributed runtime cannot start)."""
    from jax._src import xla_bridge
    return xla_bridge.backends_are_initialized()


def started():
    return _state["world"]


def start(coordinator, world_size, rank, timeout_s):
    """Start JAX's distributed runtime (once per process; it lives until the process exits)."""
    cur = _state["world"]
    if cur is not None:
        if cur[1:] != (world_size, rank):
            raise RuntimeError(
                f"jtorch.distributed: JAX's distributed runtime already runs in this process as "
                f"rank {cur[2]} of {cur[1]}; it cannot be restarted as rank {rank} of "
                f"{world_size} (JAX starts its distributed runtime once per process)")
        return
    if backend_initialized():
        raise RuntimeError(
            "jtorch.distributed.init_process_group() with world_size > 1 must be called before "
            "the first tensor is created: JAX's distributed runtime has to start before JAX "
            "creates its devices. Move init_process_group() to the top of the script.")
    # a dead peer is reported by gloo at once (connection reset); JAX's heartbeat catches a
    # dead peer anywhere else, within the process group's timeout (5..100 s) unless
    # JTORCH_DIST_HEARTBEAT_TIMEOUT (seconds) says otherwise
    heartbeat = int(os.environ.get("JTORCH_DIST_HEARTBEAT_TIMEOUT") or
                    max(5, min(100, timeout_s)))
    jax.distributed.initialize(coordinator, world_size, rank,
                               initialization_timeout=int(max(1, timeout_s)),
                               heartbeat_timeout_seconds=heartbeat)
    _state["world"] = (coordinator, world_size, rank)


def device_of_rank(rank, like):
    """The JAX device standing for ``rank`` in a collective on arrays placed like ``like``."""
    platform = like.platform
    local = jax.local_devices(backend=platform)
    k = local.index(like) if like in local else 0
    if _state["world"] is None:
        return local[k]
    devs = [d for d in jax.devices(platform) if d.process_index == rank]
    return devs[k]


# --------------------------------------------------------------------------------------------
# collective bodies: x is this rank's block, shape (1, *shape); n is the group size


def _combine(op, a, b):
    if op == "SUM":
        return a + b
    if op == "PRODUCT":
        return a * b
    if op == "MAX":
        return jnp.maximum(a, b)
    if op == "MIN":
        return jnp.minimum(a, b)
    if op == "BAND":
        return a & b
    if op == "BOR":
        return a | b
    if op == "BXOR":
        return a ^ b
    raise ValueError(op)


def _allreduce(x, n, op):
    dt = x.dtype
    if dt == jnp.bool_:
        # PyTorch's gloo reduces bools as bytes: SUM/MAX/BOR -> any, PRODUCT/MIN/BAND -> all
        xi = x.astype(jnp.int32)
        if op in ("SUM", "MAX", "BOR", "AVG"):
            return lax.pmax(xi, _AXIS).astype(dt)
        if op == "BXOR":
            return (lax.psum(xi, _AXIS) % 2).astype(dt)
        return lax.pmin(xi, _AXIS).astype(dt)
    if op == "SUM":
        return lax.psum(x, _AXIS)
    if op == "AVG":
        s = lax.psum(x, _AXIS)
        return (s / n).astype(dt) if jnp.issubdtype(dt, jnp.inexact) else s // n
    if op == "MAX":
        return lax.pmax(x, _AXIS)
    if op == "MIN":
        return lax.pmin(x, _AXIS)
    rows = lax.all_gather(x, _AXIS, axis=0, tiled=True)
    out = rows[0:1]
    for i in range(1, n):
        out = _combine(op, out, rows[i:i + 1])
    return out


def _body(kind, n, extra):
    if kind == "all_reduce":
        return lambda x: _allreduce(x, n, extra)
    if kind == "all_gather":       # -> (1, n, *shape): every rank's value, on every rank
        return lambda x: lax.all_gather(x, _AXIS, axis=0, tiled=True)[None]
    if kind == "broadcast":        # extra: the group index of the source
        return lambda x: lax.all_gather(x, _AXIS, axis=0, tiled=True)[extra:extra + 1]
    if kind == "reduce_scatter":   # x: (1, n*k, ...) -> (1, k, ...)
        if extra == "SUM":
            return lambda x: lax.psum_scatter(x[0], _AXIS, scatter_dimension=0,
                                              tiled=True)[None]

        def rs(x):
            full = _allreduce(x, n, extra)[0]
            k = full.shape[0] // n
            return lax.dynamic_slice_in_dim(full, lax.axis_index(_AXIS) * k, k, 0)[None]
        return rs
    if kind == "all_to_all":       # x: (1, n*k, ...): block j goes to rank j
        return lambda x: lax.all_to_all(x[0], _AXIS, split_axis=0, concat_axis=0,
                                        tiled=True)[None]
    raise ValueError(kind)


@functools.lru_cache(maxsize=512)
def _program(kind, devices, extra):
    mesh = Mesh(np.array(devices), (_AXIS,))
    spec = PartitionSpec(_AXIS)
    fn = jax.shard_map(_body(kind, len(devices), extra), mesh=mesh, in_specs=spec,
                       out_specs=spec, check_vma=False)
    return jax.jit(fn), NamedSharding(mesh, spec)


def run(kind, ranks, rank, value, extra=None):
    """Run collective ``kind`` over the global ``ranks`` (this process is ``rank``) on the local
    jax array ``value``; returns this rank's block of the result (leading axis dropped)."""
    like = next(iter(value.devices()))
    devices = tuple(device_of_rank(r, like) for r in ranks)
    with engine.x64(True):
        try:
            fn, sharding = _program(kind, devices, extra)
            block = jax.device_put(value[None], like)
            garr = jax.make_array_from_single_device_arrays(
                (len(ranks),) + tuple(value.shape), sharding, [block])
            out = fn(garr)
            local = out.addressable_shards[0].data
            local.block_until_ready()
        except (ValueError, RuntimeError, jax.errors.JaxRuntimeError) as e:
            msg = str(e)
            # gloo (CPU) / NCCL report a peer that is gone as a failed collective
            if any(m in msg for m in ("Gloo", "gloo", "NCCL", "Connection", "peer",
                                      "UNAVAILABLE")):
                raise DistBackendError(
                    f"jtorch.distributed: {kind} across ranks {list(ranks)} failed; a peer "
                    f"process has probably exited or crashed: {msg}") from None
            raise
    return local[0]
