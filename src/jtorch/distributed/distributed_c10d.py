"""torch.distributed's process groups and collectives (as ``torch.distributed.distributed_c10d``).

``init_process_group`` meets the other ranks at a ``TCPStore`` (MASTER_ADDR:MASTER_PORT, or the
``tcp://`` address, or the given ``store``), then starts JAX's distributed runtime with a
coordinator address published by rank 0.  Tensor collectives are XLA programs over one device
per rank (``_runtime``); barriers, ``send``/``recv`` and the object collectives use the store.

Collectives are in place, as in PyTorch: the tensor's pending value is computed (a sync), the
collective runs, and the result is written back into the tensor (``copy_`` under ``no_grad``).
``async_op=True`` returns a completed ``Work``.
"""
from __future__ import annotations

import enum
import os
import pickle
import socket
import time
import warnings
from datetime import timedelta

from . import _runtime
from ._store import HashStore, PrefixStore, TCPStore
from .errors import DistBackendError, DistError, DistStoreError

__all__ = [
    "Backend", "ReduceOp", "RedOpType", "ProcessGroup", "GroupMember", "group", "Work",
    "P2POp", "init_process_group", "destroy_process_group", "is_available", "is_initialized",
    "is_gloo_available", "is_nccl_available", "is_mpi_available", "is_ucc_available",
    "is_xccl_available", "is_torchelastic_launched", "is_backend_available", "get_rank",
    "get_world_size", "get_backend", "get_global_rank", "get_group_rank",
    "get_process_group_ranks", "get_node_local_rank", "new_group", "barrier",
    "monitored_barrier", "all_reduce", "all_gather", "all_gather_into_tensor",
    "_all_gather_base", "broadcast", "reduce", "reduce_scatter", "reduce_scatter_tensor",
    "_reduce_scatter_base", "gather", "scatter", "all_to_all", "all_to_all_single", "send",
    "recv", "isend", "irecv", "batch_isend_irecv", "broadcast_object_list",
    "all_gather_object", "gather_object", "scatter_object_list", "default_pg_timeout",
]

default_pg_timeout = timedelta(minutes=30)


def is_available() -> bool:
    """torch.distributed is available (always, over JAX's distributed runtime)."""
    return True


def is_gloo_available() -> bool:
    return True


def is_nccl_available() -> bool:
    return False


def is_mpi_available() -> bool:
    return False


def is_ucc_available() -> bool:
    return False


def is_xccl_available() -> bool:
    return False


def is_backend_available(backend) -> bool:
    return str(backend).lower() in ("gloo", "nccl")


def is_torchelastic_launched() -> bool:
    """True when started by the launcher (``python -m jtorch.distributed.run``)."""
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


def get_node_local_rank(fallback_rank=None):
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError("LOCAL_RANK is not in the environment. Consider passing fallback_rank "
                       "to allow `get_node_local_rank` to work, assuming you are not running "
                       "in a multi-device context and want the code to run locally instead.")


class Backend(str):
    """The name of a backend ('gloo', 'nccl', ...); every one runs on JAX's runtime here."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"
    XCCL = "xccl"

    def __new__(cls, name: str):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got: "
                             f"{type(name)}")
        value = getattr(Backend, name.upper(), Backend.UNDEFINED)
        if value == Backend.UNDEFINED:
            value = name.lower()
        return super().__new__(cls, value)


class RedOpType(enum.Enum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8


class ReduceOp:
    """The reduction of ``all_reduce``/``reduce``/``reduce_scatter``: ``ReduceOp.SUM``, ..."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM


def _op_name(op):
    if isinstance(op, RedOpType) and op is not RedOpType.PREMUL_SUM:
        return op.name
    raise NotImplementedError(f"torch.distributed reduce op {op} is not supported by jtorch")


class Work:
    """The handle of a collective (``async_op=True``); jtorch's collectives complete before
    returning, except ``irecv``, which receives in ``wait()``."""

    def __init__(self, result=None, fn=None):
        self._result = result
        self._fn = fn

    def wait(self, timeout=None):
        if self._fn is not None:
            fn, self._fn = self._fn, None
            self._result = fn()
        return True

    def is_completed(self):
        return self._fn is None

    def is_success(self):
        return self._fn is None

    def result(self):
        self.wait()
        return self._result if isinstance(self._result, list) else []

    def get_future(self):
        from concurrent.futures import Future
        self.wait()
        f = Future()
        f.set_result(self.result())
        f.wait = f.result
        f.value = f.result
        return f

    def exception(self):
        return None

    def source_rank(self):
        self.wait()
        return self._result


class ProcessGroup:
    """A set of ranks that run collectives together (``new_group``, the default group)."""

    def __init__(self, ranks, rank, name, backend, store, timeout):
        self._ranks = list(ranks)
        self._rank = rank           # global rank of this process
        self.group_name = name
        self._backend = backend
        self._store = store
        self._timeout = timeout
        self._seq = 0
        self._p2p = {}

    def rank(self):
        return self._ranks.index(self._rank) if self._rank in self._ranks else -1

    def size(self):
        return len(self._ranks)

    def name(self):
        return self._backend

    @property
    def group_desc(self):
        return "default_pg" if self.group_name == "0" else "undefined"

    def __repr__(self):
        return f"<jtorch.distributed.ProcessGroup {self.group_name} ranks={self._ranks}>"

    def _key(self, what):
        self._seq += 1
        return f"/jtorch/pg{self.group_name}/{what}/{self._seq}"


class GroupMember:
    WORLD = None
    NON_GROUP_MEMBER = -100


class group:  # noqa: N801  (torch.distributed.group)
    WORLD = None


_group_ns = group


_world = {"pg": None, "groups": [], "store": None, "backend": None, "counter": 0}


def is_initialized() -> bool:
    """True once ``init_process_group`` ran (and ``destroy_process_group`` did not)."""
    return _world["pg"] is not None


def _default():
    pg = _world["pg"]
    if pg is None:
        raise ValueError("Default process group has not been initialized, please make sure to "
                         "call init_process_group.")
    return pg


def _group(group):
    if group is None or group is GroupMember.WORLD:
        return _default()
    if group is GroupMember.NON_GROUP_MEMBER:
        return None
    _default()
    return group


# --------------------------------------------------------------------------------------------
# init / destroy


def _env(name):
    v = os.environ.get(name)
    if v is None:
        raise ValueError(f"Error initializing torch.distributed using env:// rendezvous: "
                         f"environment variable {name} expected, but not set")
    return v


def _free_port(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Join the default process group.

    Args:
        backend: 'gloo', 'nccl', ... (all run on JAX's distributed runtime).
        init_method: 'env://' (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK from the environment,
            as the launcher sets them) or 'tcp://host:port'.  Exclusive with ``store``.
        timeout: how long the rendezvous, barriers and receives may wait (30 min by default).
        world_size, rank: this process's place (from the environment when -1).
        store: a ``Store`` all ranks share, instead of ``init_method``.

    Differences from PyTorch: with ``world_size > 1`` it must run before the first tensor is
    created (JAX's distributed runtime starts before JAX's devices), and JAX's runtime stays
    up until the process exits (``destroy_process_group`` ends only the group).
    """
    if _world["pg"] is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if store is not None and init_method is not None:
        raise AssertionError("Cannot specify both init_method and store.")
    timeout = default_pg_timeout if timeout is None else timeout
    if not isinstance(timeout, timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got "
                        f"{type(timeout)}")
    if init_method is not None and init_method.startswith("file://"):
        raise NotImplementedError("torch.distributed.init_process_group(init_method='file://') "
                                  "is not supported by jtorch; use env:// or tcp://")
    if store is not None:
        if world_size <= 0:
            raise AssertionError("world_size must be positive if using store")
        if rank < 0:
            raise AssertionError("rank must be non-negative if using store")
        addr = getattr(store, "host", "127.0.0.1")
    else:
        if init_method is None or init_method == "env://":
            world_size = int(_env("WORLD_SIZE")) if world_size == -1 else world_size
            rank = int(_env("RANK")) if rank == -1 else rank
            addr, port = _env("MASTER_ADDR"), int(_env("MASTER_PORT"))
        elif init_method.startswith("tcp://"):
            hostport = init_method[len("tcp://"):].split("?")[0]
            addr, _, port = hostport.rpartition(":")
            addr, port = addr.strip("[]"), int(port)
            if rank == -1 or world_size == -1:
                raise ValueError("rank and world_size must be given with a tcp:// init_method")
        else:
            raise ValueError(f"Unsupported init_method: {init_method}")
        if world_size == 1:
            store = HashStore()
        else:
            store = TCPStore(addr, port, world_size, rank == 0, timeout)
    if not 0 <= rank < world_size:
        raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                         f"[0, {world_size - 1}]")
    store.set_timeout(timeout)
    if world_size > 1:
        key = "/jtorch/jax_coordinator"
        if rank == 0:
            store.set(key, f"{world_size}|{addr}:{_free_port(addr)}")
        size, _, coordinator = store.get(key).decode().partition("|")
        if int(size) != world_size:
            raise ValueError(f"world_size {world_size} of rank {rank} differs from the "
                             f"world_size {size} of rank 0")
        _runtime.start(coordinator, world_size, rank, timeout.total_seconds())
    name = backend if backend is not None else "gloo"
    _world.update(store=store, backend=Backend(str(name).split(",")[0].split(":")[-1]),
                  counter=0)
    pg = ProcessGroup(range(world_size), rank, "0", _world["backend"], PrefixStore("0", store),
                      timeout)
    _world["pg"] = pg
    GroupMember.WORLD = group.WORLD = pg
    barrier()


def destroy_process_group(group=None):
    """Leave ``group`` (the default group: every group). The process stays usable."""
    if group is None or group is GroupMember.WORLD:
        pg = _default()
        store = _world["store"]
        _world.update(pg=None, store=None, groups=[], backend=None)
        GroupMember.WORLD = _group_ns.WORLD = None
        if isinstance(store, TCPStore):
            # rank 0 serves the store: let every rank leave before closing it
            try:
                n = store.add(f"/jtorch/pg{pg.group_name}/destroy", 1)
                if pg._rank == 0 and n < pg.size():
                    store.wait([f"/jtorch/pg{pg.group_name}/left"], timedelta(seconds=10))
                elif n == pg.size():
                    store.set(f"/jtorch/pg{pg.group_name}/left", b"1")
            except DistError:
                pass
            store.close()
    elif group in _world["groups"]:
        _world["groups"].remove(group)


def get_rank(group=None) -> int:
    """This process's rank in ``group`` (-1 if it is not a member)."""
    pg = _group(group)
    return -1 if pg is None else pg.rank()


def get_world_size(group=None) -> int:
    pg = _group(group)
    return -1 if pg is None else pg.size()


def get_backend(group=None):
    pg = _group(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return pg._backend


def get_process_group_ranks(group):
    return list(_group(group)._ranks)


def get_global_rank(group, group_rank):
    ranks = _group(group)._ranks
    if not 0 <= group_rank < len(ranks):
        raise ValueError(f"Group rank {group_rank} is not part of group {group}")
    return ranks[group_rank]


def get_group_rank(group, global_rank):
    ranks = _group(group)._ranks
    if global_rank not in ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {group}")
    return ranks.index(global_rank)


def new_group(ranks=None, timeout=None, backend=None, pg_options=None,
              use_local_synchronization=False, group_desc=None, device_id=None):
    """A group of ``ranks`` (all ranks call it, in the same order); non-members get
    ``GroupMember.NON_GROUP_MEMBER``."""
    world = _default()
    ranks = sorted(range(world.size())) if ranks is None else sorted(ranks)
    for r in ranks:
        if not 0 <= r < world.size():
            raise ValueError("The new group's rank should be within the world_size set by "
                             "init_process_group")
    _world["counter"] += 1
    name = str(_world["counter"])
    if world._rank not in ranks:
        return GroupMember.NON_GROUP_MEMBER
    pg = ProcessGroup(ranks, world._rank, name, Backend(backend or world._backend),
                      PrefixStore(name, _world["store"]), timeout or world._timeout)
    _world["groups"].append(pg)
    return pg


# --------------------------------------------------------------------------------------------
# store-based synchronisation


def _barrier(pg, what="barrier"):
    store, n = pg._store, pg.size()
    key = pg._key(what)
    if store.add(key, 1) == n:
        store.set(key + "/done", b"1")
    try:
        store.wait([key + "/done"], pg._timeout)
    except DistStoreError:
        arrived = int(store.get(key) if store.check([key]) else b"0")
        raise DistBackendError(
            f"{what} timed out after {int(pg._timeout.total_seconds() * 1000)}ms: "
            f"{arrived}/{n} ranks of the group reached it (a rank may have exited or hung)"
        ) from None
    if store.add(key + "/left", 1) == n:
        for k in (key, key + "/done", key + "/left"):
            store.delete_key(k)


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank of ``group`` reaches the barrier (or the group's timeout)."""
    pg = _group(group)
    if pg is None:
        return None
    _barrier(pg)
    return Work() if async_op else None


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    pg = _group(group)
    if pg is None:
        return None
    if timeout is not None:
        saved, pg._timeout = pg._timeout, timeout
        try:
            _barrier(pg, "monitored_barrier")
        finally:
            pg._timeout = saved
    else:
        _barrier(pg, "monitored_barrier")


# --------------------------------------------------------------------------------------------
# tensor collectives


def _check_tensor(t, name="tensor"):
    from .._tensor import Tensor
    if not isinstance(t, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type "
                        f"torch.Tensor\n             but got {type(t)} instead.")


def _member(pg, fn):
    if pg is None:
        world = GroupMember.WORLD
        warnings.warn(f"Running {fn} on global rank {-1 if world is None else world.rank()} "
                      "which does not belong to the given group.", stacklevel=3)
        return False
    return True


def _group_index(pg, rank, group_rank, what):
    if group_rank is not None:
        if rank is not None:
            raise ValueError(f"Can only specify {what} or group_{what}")
        return group_rank
    if rank is None:
        rank = 0
    if rank not in pg._ranks:
        raise ValueError(f"Global rank {rank} is not part of group {pg}")
    return pg._ranks.index(rank)


def _wrap(value, like):
    from .._tensor import make
    return make(value, tuple(value.shape), like._dtype, like.device)


def _write(dst, value):
    """dst[...] = value (a Tensor, or a jax array of dst's dtype), in place, outside autograd."""
    from .._tensor import Tensor
    from ..autograd import no_grad
    src = value if isinstance(value, Tensor) else _wrap(value, dst)
    with no_grad():
        dst.copy_(src.reshape(dst.shape))


def _run(pg, kind, t, extra=None):
    return _runtime.run(kind, tuple(pg._ranks), pg._rank, t._value(), extra)


def _done(async_op):
    return Work() if async_op else None


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` over all ranks of ``group`` in place (every rank gets the result)."""
    _check_tensor(tensor)
    pg = _group(group)
    if not _member(pg, "all_reduce"):
        return None
    _write(tensor, _run(pg, "all_reduce", tensor, _op_name(op)))
    return _done(async_op)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` over the group into the tensor of rank ``dst``."""
    _check_tensor(tensor)
    pg = _group(group)
    if not _member(pg, "reduce"):
        return None
    idx = _group_index(pg, dst, group_dst, "dst")
    out = _run(pg, "all_reduce", tensor, _op_name(op))
    if pg.rank() == idx:
        _write(tensor, out)
    return _done(async_op)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` of rank ``src`` into ``tensor`` on every rank of the group."""
    _check_tensor(tensor)
    pg = _group(group)
    if not _member(pg, "broadcast"):
        return None
    idx = _group_index(pg, src, group_src, "src")
    out = _run(pg, "broadcast", tensor, idx)
    if pg.rank() != idx:
        _write(tensor, out)
    return _done(async_op)


def _gathered(pg, tensor):
    """(n, *shape): every rank's ``tensor``."""
    return _run(pg, "all_gather", tensor)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """``tensor_list[i]`` = ``tensor`` of the group's rank i, on every rank."""
    _check_tensor(tensor)
    pg = _group(group)
    if not _member(pg, "all_gather"):
        return None
    if len(tensor_list) != pg.size():
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} tensors, the group "
                         f"has {pg.size()} ranks")
    out = _gathered(pg, tensor)
    for i, t in enumerate(tensor_list):
        _write(t, out[i])
    return _done(async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Every rank's ``input_tensor``, concatenated (or stacked) into ``output_tensor``."""
    _check_tensor(output_tensor, "output_tensor")
    _check_tensor(input_tensor, "input_tensor")
    pg = _group(group)
    if not _member(pg, "all_gather_into_tensor"):
        return None
    if output_tensor.numel() != input_tensor.numel() * pg.size():
        raise ValueError("output tensor size must be equal to world_size times input tensor "
                         "size")
    _write(output_tensor, _gathered(pg, input_tensor))
    return _done(async_op)


_all_gather_base = all_gather_into_tensor


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` (the group size times ``output``) over the group; rank i gets chunk i."""
    _check_tensor(output, "output")
    _check_tensor(input, "input")
    pg = _group(group)
    if not _member(pg, "reduce_scatter_tensor"):
        return None
    if input.numel() != output.numel() * pg.size():
        raise ValueError("input tensor must be the same size as output size times world size")
    flat = input.reshape(-1)
    _write(output, _run(pg, "reduce_scatter", flat, _op_name(op)))
    return _done(async_op)


_reduce_scatter_base = reduce_scatter_tensor


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list[i]`` over the group into ``output`` of rank i."""
    from .. import cat
    pg = _group(group)
    if not _member(pg, "reduce_scatter"):
        return None
    if len(input_list) != pg.size():
        raise ValueError("reduce_scatter: input_list must have one tensor per rank")
    return reduce_scatter_tensor(output, cat([t.reshape(-1) for t in input_list]), op, pg,
                                 async_op)


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """``gather_list[i]`` on rank ``dst`` = ``tensor`` of rank i."""
    _check_tensor(tensor)
    pg = _group(group)
    if not _member(pg, "gather"):
        return None
    idx = _group_index(pg, dst, group_dst, "dst")
    out = _gathered(pg, tensor)
    if pg.rank() == idx:
        if gather_list is None or len(gather_list) != pg.size():
            raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
        for i, t in enumerate(gather_list):
            _write(t, out[i])
    elif gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination "
                         "ranks.")
    return _done(async_op)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """``tensor`` on rank i = ``scatter_list[i]`` of rank ``src``."""
    from .. import cat, zeros
    _check_tensor(tensor)
    pg = _group(group)
    if not _member(pg, "scatter"):
        return None
    idx = _group_index(pg, src, group_src, "src")
    n = pg.size()
    if pg.rank() == idx:
        if scatter_list is None or len(scatter_list) != n:
            raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
        flat = cat([t.reshape(-1) for t in scatter_list])
    else:
        if scatter_list:
            raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source "
                             "ranks.")
        flat = zeros(n * tensor.numel(), dtype=tensor.dtype, device=tensor.device)
    out = _run(pg, "all_to_all", flat)
    k = tensor.numel()
    _write(tensor, out[idx * k:(idx + 1) * k])
    return _done(async_op)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op=False):
    """Split ``input`` along dim 0 into one chunk per rank (``input_split_sizes``, equal by
    default), send chunk j to rank j and concatenate what arrives into ``output``."""
    from .. import cat, zeros
    _check_tensor(output, "output")
    _check_tensor(input, "input")
    pg = _group(group)
    if not _member(pg, "all_to_all_single"):
        return None
    n = pg.size()
    if not output_split_sizes and not input_split_sizes:
        if input.shape[0] % n or output.shape[0] % n:
            raise ValueError(f"all_to_all_single: dim 0 of input and output must be divisible "
                             f"by the group size {n}")
        _write(output, _run(pg, "all_to_all", input))
        return _done(async_op)
    rest = tuple(input.shape[1:])
    ins = list(input_split_sizes) if input_split_sizes else [input.shape[0] // n] * n
    outs = list(output_split_sizes) if output_split_sizes else [output.shape[0] // n] * n
    # chunks of unequal sizes travel padded to the largest chunk of any rank
    biggest = zeros(1, dtype=_int64(), device=input.device) + max(ins + outs)
    all_reduce(biggest, ReduceOp.MAX, pg)
    m = int(biggest.item())
    chunks, start = [], 0
    for s in ins:
        c = input[start:start + s]
        start += s
        if s < m:
            c = cat([c, zeros((m - s,) + rest, dtype=input.dtype, device=input.device)])
        chunks.append(c)
    padded = cat(chunks)
    got = _wrap(_run(pg, "all_to_all", padded), input).reshape((n, m) + rest)
    _write(output, cat([got[j, :outs[j]] for j in range(n)]))
    return _done(async_op)


def _int64():
    from .. import int64
    return int64


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Send ``input_tensor_list[j]`` to rank j; ``output_tensor_list[i]`` receives from rank i."""
    from .. import cat, empty
    pg = _group(group)
    if not _member(pg, "all_to_all"):
        return None
    like = input_tensor_list[0]
    flat_in = cat([t.reshape(-1) for t in input_tensor_list])
    out_sizes = [t.numel() for t in output_tensor_list]
    flat_out = empty(sum(out_sizes), dtype=like.dtype, device=like.device)
    all_to_all_single(flat_out, flat_in, out_sizes, [t.numel() for t in input_tensor_list], pg)
    start = 0
    for t, s in zip(output_tensor_list, out_sizes):
        _write(t, flat_out[start:start + s])
        start += s
    return _done(async_op)


# --------------------------------------------------------------------------------------------
# point to point (through the store)


def _p2p_key(pg, src, dst, tag, bump):
    k = (src, dst, tag)
    seq = pg._p2p.get(k, 0)
    if bump:
        pg._p2p[k] = seq + 1
    return f"/jtorch/p2p/{src}->{dst}/{tag}/{seq}"


def _send(tensor, dst, pg, tag):
    import numpy as np
    me = pg._rank
    if dst == me:
        raise ValueError("Invalid destination rank: should not be the same as rank of the "
                         "current process.")
    payload = pickle.dumps(np.ascontiguousarray(tensor._numpy_view()), protocol=4)
    pg._store.set(_p2p_key(pg, me, dst, tag, True), payload)


def _recv(tensor, src, pg, tag):
    from .. import from_numpy
    me = pg._rank
    store = pg._store
    if src is None:
        deadline = time.monotonic() + pg._timeout.total_seconds()
        while True:
            hits = [r for r in pg._ranks if r != me
                    and store.check([_p2p_key(pg, r, me, tag, False)])]
            if hits:
                src = hits[0]
                break
            if time.monotonic() > deadline:
                raise DistBackendError("recv from any source timed out")
            time.sleep(0.005)
    key = _p2p_key(pg, src, me, tag, True)
    try:
        store.wait([key], pg._timeout)
    except DistStoreError:
        raise DistBackendError(f"recv from rank {src} timed out after "
                               f"{int(pg._timeout.total_seconds() * 1000)}ms") from None
    arr = pickle.loads(store.get(key))
    store.delete_key(key)
    if tuple(arr.shape) != tuple(tensor.shape):
        raise RuntimeError(f"recv: the message of rank {src} has shape {tuple(arr.shape)}, the "
                           f"tensor has shape {tuple(tensor.shape)}")
    from ..autograd import no_grad
    with no_grad():
        tensor.copy_(from_numpy(arr))
    return src


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to rank ``dst`` (returns at once; the receiver waits for it)."""
    _check_tensor(tensor)
    pg = _group(group)
    if not _member(pg, "send"):
        return None
    _send(tensor, pg._ranks[_group_index(pg, dst, group_dst, "dst")], pg, tag)


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor`` from rank ``src`` (any rank when None); returns the sender."""
    _check_tensor(tensor)
    pg = _group(group)
    if not _member(pg, "recv"):
        return -1
    s = None if src is None and group_src is None else \
        pg._ranks[_group_index(pg, src, group_src, "src")]
    return _recv(tensor, s, pg, tag)


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    send(tensor, dst, group, tag, group_dst)
    return Work()


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    return Work(fn=lambda: recv(tensor, src, group, tag, group_src))


class P2POp:
    """One ``isend``/``irecv`` of ``batch_isend_irecv``."""

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op not in (isend, irecv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be of type "
                             "``torch.distributed.isend`` or ``torch.distributed.irecv``.")
        self.op, self.tensor, self.peer, self.group, self.tag = op, tensor, peer, group, tag
        self.group_peer = group_peer


def batch_isend_irecv(p2p_op_list):
    """Run the sends, then the receives; returns their ``Work``s."""
    works = [p.op(p.tensor, p.peer, p.group, p.tag) for p in p2p_op_list if p.op is isend]
    works += [p.op(p.tensor, p.peer, p.group, p.tag) for p in p2p_op_list if p.op is irecv]
    return works


# --------------------------------------------------------------------------------------------
# object collectives (pickled through the store)


def _read_once(pg, key, readers):
    """The value at ``key``; the last of ``readers`` readers deletes it."""
    data = pg._store.get(key)
    if pg._store.add(key + "/read", 1) == readers:
        pg._store.delete_key(key)
        pg._store.delete_key(key + "/read")
    return data


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace ``object_list`` on every rank by rank ``src``'s (picklable objects)."""
    pg = _group(group)
    if not _member(pg, "broadcast_object_list"):
        return None
    idx = _group_index(pg, src, group_src, "src")
    key = pg._key("broadcast_object_list")
    if pg.rank() == idx:
        pg._store.set(key, pickle.dumps(list(object_list)))
    try:
        objs = pickle.loads(_read_once(pg, key, pg.size()))
    except DistStoreError:
        raise DistBackendError("broadcast_object_list timed out waiting for the source rank") \
            from None
    object_list[:] = objs


def all_gather_object(object_list, obj, group=None):
    """``object_list[i]`` = ``obj`` of rank i, on every rank."""
    pg = _group(group)
    if not _member(pg, "all_gather_object"):
        return None
    key = pg._key("all_gather_object")
    pg._store.set(f"{key}/{pg.rank()}", pickle.dumps(obj))
    n = pg.size()
    if len(object_list) != n:
        raise ValueError("all_gather_object: object_list must have one entry per rank")
    for i in range(n):
        object_list[i] = pickle.loads(_read_once(pg, f"{key}/{i}", n))


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """``object_gather_list[i]`` on rank ``dst`` = ``obj`` of rank i."""
    pg = _group(group)
    if not _member(pg, "gather_object"):
        return None
    idx = _group_index(pg, dst, group_dst, "dst")
    key = pg._key("gather_object")
    pg._store.set(f"{key}/{pg.rank()}", pickle.dumps(obj))
    if pg.rank() == idx:
        if object_gather_list is None:
            raise ValueError("Argument ``object_gather_list`` must be specified on destination "
                             "rank.")
        for i in range(pg.size()):
            object_gather_list[i] = pickle.loads(_read_once(pg, f"{key}/{i}", 1))


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None,
                        group=None, group_src=None):
    """``scatter_object_output_list[0]`` on rank i = ``scatter_object_input_list[i]`` of
    rank ``src``."""
    pg = _group(group)
    if not _member(pg, "scatter_object_list"):
        return None
    idx = _group_index(pg, src, group_src, "src")
    key = pg._key("scatter_object_list")
    if pg.rank() == idx:
        for i, o in enumerate(scatter_object_input_list):
            pg._store.set(f"{key}/{i}", pickle.dumps(o))
    scatter_object_output_list[0] = pickle.loads(_read_once(pg, f"{key}/{pg.rank()}", 1))
