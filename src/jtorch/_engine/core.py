"""The engine: the only code that runs ops.

Every op reaches the engine as a *plan* (an op-table entry specialised to static arguments and
input shapes/dtypes, cached) applied to *refs* (concrete ``jax.Array``s, Python scalars, or
``Pending`` values).  In lazy mode (the default) applying a plan records a ``Pending`` node;
values become real at sync points, where the pending graph of every live tensor is run as one
``jax.jit`` program cached by the graph's signature.  With ``JTORCH_EAGER=1`` every plan runs at
once (each plan is its own small cached executable): the reference for debugging.

Why lazy: a jitted multi-op program costs ~1 us per op, an eager JAX op ~8-30 us, un-jitted
autograd far more (see DESIGN.md).  Why not compile every graph: one-off code must not wait for
XLA, so a graph signature seen for the first time runs op by op, one seen again is compiled.
"""
from __future__ import annotations

import os
import sys
import time
import warnings
import weakref

import jax
import numpy as np

from .. import _dtype

__all__ = ["Pending", "Plan", "Op", "get_plan", "apply", "sync", "materialize", "stats",
           "reset_stats", "x64", "EAGER", "forbid_jax", "jax_forbidden", "tracing", "is_tracing",
           "is_tracer", "register_device"]

EAGER = os.environ.get("JTORCH_EAGER", "") not in ("", "0")
# pending calls recorded before an automatic sync bounds the graph size (and compile time)
MAX_PENDING = int(os.environ.get("JTORCH_MAX_PENDING", "1000"))
# distinct program signatures compiled before a warning suggests the loop is not steady
_COMPILE_WARN_AT = int(os.environ.get("JTORCH_COMPILE_WARN", "100"))
_LOG = os.environ.get("JTORCH_LOG_SYNC", "") not in ("", "0")

_jax_forbidden = None
_enable_x64 = jax.enable_x64


class _Scoped:
    """Two JAX config contexts entered together (x64 and the default device)."""

    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b

    def __enter__(self):
        self.a.__enter__()
        self.b.__enter__()

    def __exit__(self, *exc):
        self.b.__exit__(*exc)
        return self.a.__exit__(*exc)


def x64(enable):
    """The context every JAX call of jtorch runs under: 64-bit types on (int64 / float64 tensors)
    and, where JAX's default device is an accelerator, the CPU as default device (PyTorch puts
    tensors on the CPU unless told otherwise).  Chosen on first use."""
    global x64
    cpu = jax.local_devices(backend="cpu")[0]
    if jax.local_devices()[0] == cpu:
        x64 = _enable_x64
    else:
        def x64(enable):  # noqa: F811
            return _Scoped(_enable_x64(enable), jax.default_device(cpu))
    return x64(enable)


def forbid_jax(reason: str) -> None:
    """Make every JAX call of jtorch raise ``RuntimeError(reason)`` in this process.

    For a child forked from a process whose JAX runtime is running (a DataLoader worker): the
    runtime's threads do not exist in the child, so any JAX call there would hang forever.
    Every JAX call of jtorch runs under ``x64(...)``, which makes it the one switch.
    """
    global x64, _jax_forbidden

    def x64(_enable):  # noqa: F811  (replaces jax.enable_x64 in this process)
        raise RuntimeError(reason)

    _jax_forbidden = reason


def jax_forbidden() -> bool:
    """True in a process where ``forbid_jax`` was called (a forked DataLoader worker)."""
    return _jax_forbidden is not None



# --------------------------------------------------------------------------------------------
# ops and plans


class Op:
    """The engine-facing part of an op-table entry.

    ``impl(*arrays, *static)`` is a pure function of jax arrays (and Python scalars in array
    positions) returning an array or a tuple of arrays.  ``prepare(sigs, static)``, run once per
    input signature, checks the inputs with PyTorch's messages and returns the static arguments
    ``impl`` gets (e.g. a computed result dtype).  ``grad`` is the autograd node name PyTorch shows
    (``'AddBackward0'``) or None for ops without a gradient; ``linear`` ops need no saved inputs
    for their backward; ``saves`` lists the input positions whose in-place modification
    invalidates the backward (PyTorch's saved-variable version check), ``'out'`` for the result.
    """

    __slots__ = ("name", "impl", "prepare", "grad", "linear", "saves", "nondiff", "meta",
                 "update", "heat", "__weakref__")

    def __init__(self, name, impl, *, prepare=None, grad=None, linear=False, saves=None,
                 nondiff=(), meta=None, update=None, heat=0):
        self.name = name
        self.impl = impl
        self.prepare = prepare
        self.grad = grad
        self.linear = linear
        self.saves = () if linear else (saves if saves is not None else "all")
        self.nondiff = nondiff
        self.meta = meta  # view ops: stride/offset rule
        self.update = update  # view ops: write a new view value back into the input
        # +1: a window holding this op is a training step that will repeat (fused backward,
        # optimizer step): compile it at first sight.  -1: it will not repeat as is (the
        # node-by-node backward of a graph seen once).
        self.heat = heat

    def __repr__(self):
        return f"<op {self.name}>"


class Plan:
    """An op specialised to its static arguments and input signatures (shapes and dtypes)."""

    __slots__ = ("op", "key", "fn", "_jfn", "outs", "multi", "static", "n_in", "_vjp",
                 "__weakref__")

    def __init__(self, op, key, static, n_in, outs, multi):
        self.op = op
        self.key = key
        self.static = static
        self.n_in = n_in
        impl = op.impl
        self.fn = (lambda *a: impl(*a, *static)) if static else impl
        self._jfn = None
        self.outs = outs  # tuple of (shape, jtorch dtype)
        self.multi = multi
        self._vjp = None

    @property
    def jfn(self):
        f = self._jfn
        if f is None:
            f = self._jfn = jax.jit(self.fn)
        return f

    def __repr__(self):
        return f"<plan {self.op.name} {self.static}>"


_plans: dict = {}


def _sample(sig):
    """An abstract argument for jax.eval_shape from an input signature."""
    if type(sig) is tuple:
        shape, dt = sig
        return jax.ShapeDtypeStruct(shape, dt.np)
    return sig(1)  # Python scalar type: bool/int/float/complex


def get_plan(op, static, sigs):
    """The cached plan for ``op`` with these static arguments and input signatures.

    A signature is ``(shape, dtype)`` for an array and the Python type for a scalar.  On a
    miss, ``op.prepare`` checks the inputs (raising PyTorch's errors) and the output shapes and
    dtypes come from ``jax.eval_shape``.
    """
    key = (op, static, sigs)
    plan = _plans.get(key)
    if plan is not None:
        return plan
    return _make_plan(op, static, sigs, key)


def _make_plan(op, static, sigs, key):
    static2 = op.prepare(sigs, static) if op.prepare is not None else static
    impl = op.impl
    fn = (lambda *a: impl(*a, *static2)) if static2 else impl
    with x64(True):
        try:
            out = jax.eval_shape(fn, *[_sample(s) for s in sigs])
        except (TypeError, ValueError, IndexError) as e:
            raise RuntimeError(f"{op.name}: invalid arguments for shapes/dtypes {_fmt_sigs(sigs)}: "
                               f"{e}") from None
    multi = isinstance(out, (tuple, list))
    outs = tuple((tuple(o.shape), _dtype.from_np(o.dtype)) for o in (out if multi else (out,)))
    plan = Plan(op, key, static2, len(sigs), outs, multi)
    _plans[key] = plan
    return plan


def _fmt_sigs(sigs):
    return ", ".join(f"{list(s[0])}:{s[1]}" if type(s) is tuple else s.__name__ for s in sigs)


# --------------------------------------------------------------------------------------------
# pending values


class Pending:
    """A value that will be computed at the next sync: output ``index`` of ``plan(*args)``.

    ``seq`` is the call's position in the window (the calls recorded since the last sync) whose
    number is ``win``.  Once computed, ``value`` holds the array and ``args`` is dropped so that
    memory does not grow with the history; a pending value left uncomputed by a sync (nothing
    live held it) keeps its args and is recorded again if it is used later.
    """

    __slots__ = ("plan", "args", "index", "value", "seq", "win", "dev", "__weakref__")

    def __init__(self, plan, args, index, seq, win, dev=None):
        self.plan = plan
        self.args = args
        self.index = index
        self.value = None
        self.seq = seq
        self.win = win
        self.dev = dev  # the JAX device computing it (None: the default, CPU, device)

    @property
    def shape(self):
        return self.plan.outs[max(self.index, 0)][0]

    @property
    def dtype(self):
        return self.plan.outs[max(self.index, 0)][1].np

    def __repr__(self):
        return f"<pending {self.plan.op.name}[{self.index}]>"


class _Stats:
    __slots__ = ("syncs", "compiles", "cache_hits", "op_by_op", "ops_recorded", "ops_eager",
                 "compile_s", "auto_syncs")

    def __init__(self):
        self.reset()

    def reset(self):
        self.syncs = self.compiles = self.cache_hits = self.op_by_op = 0
        self.ops_recorded = self.ops_eager = self.auto_syncs = 0
        self.compile_s = 0.0

    def as_dict(self):
        return {k: getattr(self, k) for k in self.__slots__}


_stats = _Stats()


def stats() -> dict:
    """Counters of the engine: syncs, whole-graph compiles, program cache hits, graphs run op by
    op, ops recorded lazily / run eagerly, seconds spent compiling, automatic syncs."""
    return _stats.as_dict()


def reset_stats():
    _stats.reset()


class _Window:
    """The calls recorded since the last sync, encoded as they are recorded so that a sync
    finds the program signature without walking the graph.

    A call's encoding names each argument either as an input slot ``(0, slot, 0)`` (a concrete
    array or Python scalar, deduplicated by identity) or as ``(1, call, output)``.
    """

    __slots__ = ("wid", "plans", "calls", "pendings", "inputs", "in_enc", "in_sig", "live",
                 "interned", "devs", "hot", "cold")

    def __init__(self, wid):
        self.hot = 0
        self.cold = False
        self.wid = wid
        self.plans = []
        self.calls = []
        self.pendings = []
        self.inputs = []
        self.in_enc = {}
        self.in_sig = []
        self.live = []  # storages holding pending values (strong refs; liveness by refcount)
        self.interned = {}
        self.devs = []  # the device of each call, once several devices are in use (_MULTI)


_W = _Window(0)


def register(holder):
    """Note that ``holder.value`` is pending, so the next sync computes it if it is alive."""
    _W.live.append(holder)


def _input(w, v):
    k = id(v)
    e = w.in_enc.get(k)
    if e is None:
        if isinstance(v, _Tracer):
            raise _FoundTracer
        e = w.in_enc[k] = (0, len(w.inputs), 0)
        w.inputs.append(v)
        w.in_sig.append((v.shape, v.dtype) if hasattr(v, "shape") else type(v))
    return e


def _encode(w, refs):
    enc = []
    for r in refs:
        if type(r) is Pending:
            v = r.value
            if v is not None:
                enc.append(_input(w, v))
                continue
            if r.win != w.wid:
                _intern(w, r)
            enc.append((1, r.seq, r.index))
        else:
            enc.append(_input(w, r))
    return tuple(enc)


def _intern(w, p):
    """Record again a pending value left uncomputed by an earlier sync."""
    # the outputs of one call share its args tuple; the key also names the plan because every
    # call without arguments shares the empty tuple ()
    key = (id(p.args), id(p.plan))
    seq = w.interned.get(key)
    if seq is None:
        enc = _encode(w, p.args)
        seq = len(w.plans)
        if _MULTI:
            _note_dev(w, p.dev)
        w.plans.append(p.plan)
        w.calls.append((p.plan.key, enc))
        w.pendings.append(p)
        w.interned[key] = seq
    p.seq = seq
    p.win = w.wid


def apply(plan, refs, device=None):
    """Apply ``plan`` to ``refs``: the result ref (or tuple of refs for multi-output plans).

    ``device`` is the torch device of the result when the caller knows it (dispatch); otherwise
    the call runs where its inputs live.
    """
    if _TRACING:
        return _trace_apply(plan, refs)
    if EAGER:
        return _run_eager(plan, refs, device)
    w = _W
    if len(w.plans) >= MAX_PENDING and _cut_here(w):
        _stats.auto_syncs += 1
        sync()
        w = _W
    n_in = len(w.inputs)
    try:
        enc = _encode(w, refs)
    except _FoundTracer:
        # a tensor holding a JAX tracer: this op is part of a JAX transformation being traced
        _drop_inputs(w, n_in)
        return _trace_apply(plan, refs)
    _stats.ops_recorded += 1
    dev = None
    if _MULTI:
        dev = _call_device(refs, device)
        _note_dev(w, dev)
    seq = len(w.plans)
    heat = plan.op.heat
    if heat:
        if heat > 0:
            w.hot += 1
        else:
            w.cold = True
    w.plans.append(plan)
    w.calls.append((plan.key, enc))
    args = tuple(refs)
    wid = w.wid
    if plan.multi:
        out = tuple(Pending(plan, args, i, seq, wid, dev) for i in range(len(plan.outs)))
        w.pendings.extend(out)
        return out
    p = Pending(plan, args, -1, seq, wid, dev)
    w.pendings.append(p)
    return p


# --------------------------------------------------------------------------------------------
# tracing: inside a JAX transformation (torch.compile, torch.func, jtorch.interop, or a user's
# own jax.jit over jtorch code) tensors hold JAX tracers.  Ops are then applied directly: the
# transformation builds the program, so nothing is recorded.

_Tracer = jax.core.Tracer
_TRACING = 0  # depth of jtorch's own traced regions (see ``tracing``)


class _FoundTracer(Exception):
    pass


class tracing:
    """``with tracing():`` every op applies its plan to its inputs at once (no recording), as
    needed while a JAX transformation traces jtorch code.  Re-entrant."""

    __slots__ = ()

    def __enter__(self):
        global _TRACING
        _TRACING += 1

    def __exit__(self, *exc):
        global _TRACING
        _TRACING -= 1


def is_tracing() -> bool:
    """True inside ``tracing()`` (a JAX transformation of jtorch code)."""
    return _TRACING > 0


def is_tracer(v) -> bool:
    return isinstance(v, _Tracer)


def _drop_inputs(w, n):
    while len(w.inputs) > n:
        v = w.inputs.pop()
        w.in_sig.pop()
        del w.in_enc[id(v)]


# Called (by jtorch's own transformations) when a traced op reads a concrete value: a tensor
# from outside the traced function that was not made an input, so the program would bake its
# current value in.  The hook may raise to refuse that (None: JAX's rule, it becomes a constant).
const_hook = None


def _trace_apply(plan, refs):
    args = []
    for r in refs:
        if type(r) is Pending:
            v = r.value
            if v is None:
                # a value recorded before the trace began: compute it now, as a constant of the
                # traced program (not staged into it, which would leak tracers into the window)
                with jax.ensure_compile_time_eval():
                    v = materialize(r)
            r = v
            if const_hook is not None:
                const_hook(plan)
        elif const_hook is not None and isinstance(r, jax.Array) and \
                not isinstance(r, _Tracer):
            const_hook(plan)
        args.append(r)
    with x64(True):
        out = plan.fn(*args)
    return tuple(out) if plan.multi else out


# --------------------------------------------------------------------------------------------
# devices: a call runs on the JAX device of its result's torch device.  Until a tensor lives on
# another device than the default (CPU) one, nothing here runs (_MULTI is False).

_MULTI = False
_JAX_DEVICES: dict = {}  # torch device -> JAX device (None: the default CPU device)


def register_device(torch_device, jax_device) -> None:
    """Map a torch device to the JAX device its tensors live on (``jtorch._devices``)."""
    global _MULTI
    _JAX_DEVICES[torch_device] = jax_device
    if jax_device is not None:
        _MULTI = True


def _ref_device(r):
    if type(r) is Pending:
        return r.dev if r.value is None else _array_device(r.value)
    return _array_device(r)


def _array_device(a):
    if isinstance(a, jax.Array) and a.committed:
        d = a.sharding._device_assignment[0]
        return None if d == _cpu0() else d
    return None


def _cpu0():
    return jax.local_devices(backend="cpu")[0]


def _call_device(refs, device):
    """The JAX device a call runs on: its result's (from dispatch) or its inputs'."""
    if device is not None:
        return _JAX_DEVICES.get(device)
    for r in refs:
        if type(r) is Pending or isinstance(r, jax.Array):
            return _ref_device(r)
    return None


def _note_dev(w, dev):
    devs = w.devs
    n = len(w.plans)
    if len(devs) < n:  # calls recorded before a second device came into use
        devs.extend([None] * (n - len(devs)))
    devs.append(dev)


def _on(dev):
    """The context running a program on ``dev`` (None: the default device)."""
    if dev is None or _jax_forbidden is not None:
        return x64(True)
    return _Scoped(_enable_x64(True), jax.default_device(dev))


# The last two plans before the previous automatic sync.  Cutting later windows at the same
# place keeps them aligned with the user's loop iterations, so every window has the same
# signature and hits the program cache (a count-based cut drifts through the loop body).
_cut_marker = [None, None]


def _cut_here(w):
    plans = w.plans
    m0, m1 = _cut_marker
    if m1 is None or (plans[-1] is m1 and plans[-2] is m0) or len(plans) >= 2 * MAX_PENDING:
        _cut_marker[0] = plans[-2] if len(plans) > 1 else None
        _cut_marker[1] = plans[-1]
        return True
    return False


def _concrete(r):
    if type(r) is Pending:
        v = r.value
        return v if v is not None else materialize(r)
    return r


def _run_eager(plan, refs, device=None):
    _stats.ops_eager += 1
    args = [_concrete(r) for r in refs]
    dev = _call_device(refs, device) if _MULTI else None
    with _on(dev):
        return plan.jfn(*args)


def materialize(p):
    """The concrete value of a ref, running the pending graph if needed (a sync point)."""
    if type(p) is not Pending:
        return p
    if p.value is None:
        sync((p,))
    return p.value


# --------------------------------------------------------------------------------------------
# sync: run the pending graph of everything alive


_programs: dict = {}
_seen: dict = {}


_CHURN_SIGHTS = 3


def _compile_now(sig, w):
    """Compile this unseen-before-cached graph now?  Normally on its second sight, or at once
    when it looks like a training step.  After the churn warning (too many distinct graphs),
    only graphs that keep coming back are compiled."""
    seen = _seen.get(sig, 0)
    if _stats.compiles >= _COMPILE_WARN_AT:
        return seen >= _CHURN_SIGHTS
    return seen >= 1 or _step_like(w)


def _step_like(w):
    """Whether the window looks like one training step that will repeat (a fused backward
    and/or an optimizer step, nothing run node by node, ended by the user's sync): worth
    compiling at first sight.  A loop that never syncs piles many backwards into windows cut
    by size; compiling those costs more than running them op by op."""
    return 0 < w.hot <= 2 and not w.cold and len(w.plans) < MAX_PENDING
_getrefcount = sys.getrefcount


def sync(extra=()):
    """Compute every pending value that a live tensor holds (and ``extra`` pending refs)."""
    global _W
    w = _W
    # a pending value left uncomputed by an earlier (compiled) sync is recorded again first:
    # the current window may be empty
    for p in extra:
        if type(p) is Pending and p.value is None and p.win != w.wid:
            _intern(w, p)
    if not w.plans:
        return
    _W = _Window(w.wid + 1)
    roots = []
    seen = set()
    holders = []
    live = w.live
    w.live = None
    h = None
    for i in range(len(live)):
        h = live[i]
        live[i] = None
        # alive if anything but this loop references the holder
        if _getrefcount(h) <= 2:
            continue
        p = h.value
        if type(p) is Pending:
            holders.append(h)
            if p.value is None and p.win == w.wid and id(p) not in seen:
                seen.add(id(p))
                roots.append(p)
    h = None
    for p in extra:
        if type(p) is Pending and p.value is None and id(p) not in seen:
            seen.add(id(p))
            roots.append(p)
    if roots:
        _stats.syncs += 1
        _run_window(w, roots)
    for h in holders:
        p = h.value
        if type(p) is Pending and p.value is not None:
            h.value = p.value


def _run_window(w, roots):
    dev = None
    if w.devs:
        devs = set(w.devs)
        if len(w.devs) < len(w.plans):
            devs.add(None)
        if len(devs) > 1:
            return _run_split(w, roots)
        dev = devs.pop()
    outs = tuple((p.seq, p.index) for p in roots)
    sig = (tuple(w.calls), tuple(w.in_sig), outs, dev)
    prog = _programs.get(sig)
    inputs = w.inputs
    if prog is not None:
        _stats.cache_hits += 1
        how = "cached"
        with _on(dev):
            results = prog(*inputs)
    elif EAGER or not _compile_now(sig, w):
        # first sight of this graph: run it op by op (each plan is a small cached executable)
        _seen[sig] = _seen.get(sig, 0) + 1
        _stats.op_by_op += 1
        how = "op by op"
        results = _run_op_by_op(w, outs, dev)
    else:
        t0 = time.perf_counter()
        prog = _compile(w, outs)
        with _on(dev):
            results = prog(*inputs)
        _programs[sig] = prog
        _seen.pop(sig, None)
        _stats.compiles += 1
        _stats.compile_s += time.perf_counter() - t0
        how = "compiled"
        if _stats.compiles == _COMPILE_WARN_AT:
            warnings.warn(
                f"jtorch compiled {_COMPILE_WARN_AT} different graphs: the code between sync points "
                "keeps changing (shapes, Python values baked into ops, or where .item()/print "
                "is called); from now on a graph is compiled only after it has run op by op "
                f"{_CHURN_SIGHTS} times. See jtorch.engine.stats().", RuntimeWarning, stacklevel=3)
    if _LOG:
        print(f"[jtorch] sync: {len(w.plans)} ops, {len(inputs)} inputs, {len(roots)} outputs, "
              f"{how}", file=sys.stderr)
    for p, v in zip(roots, results):
        p.value = v
        p.args = None


def _run_split(w, roots):
    """Run a window whose calls live on several devices as one program per device.

    Values cross devices only through transfers, which are sync points (``jtorch._devices``),
    so the calls of one device depend on no other device's calls.
    """
    devs = w.devs
    devs.extend([None] * (len(w.plans) - len(devs)))
    groups = {}
    for seq, d in enumerate(devs):
        groups.setdefault(d, []).append(seq)
    pend = {}
    for p in w.pendings:
        if p.win == w.wid:
            pend.setdefault(devs[p.seq], []).append(p)
    root_ids = {id(p) for p in roots}
    subs = []
    for d, seqs in groups.items():
        sub = _Window(w.wid)
        remap = {}
        for s in seqs:
            key, enc = w.calls[s]
            new = []
            for k, i, j in enc:
                if k == 0:
                    new.append(_input(sub, w.inputs[i]))
                elif i in remap:
                    new.append((1, remap[i], j))
                else:
                    raise RuntimeError("jtorch internal error: a pending value crosses devices "
                                       "without a transfer")
            remap[s] = len(sub.plans)
            sub.plans.append(w.plans[s])
            sub.calls.append((key, tuple(new)))
        sub.devs = [d] * len(sub.plans)
        subs.append((sub, remap, d))
    for sub, remap, d in subs:
        ps = pend.get(d, [])
        sub_roots = [p for p in ps if id(p) in root_ids]
        for p in ps:
            p.seq = remap[p.seq]
        sub.pendings = ps
        if sub_roots:
            _run_window(sub, sub_roots)


def _run_op_by_op(w, outs, dev=None):
    vals = []
    inputs = w.inputs
    with _on(dev):
        for plan, (_, enc) in zip(w.plans, w.calls):
            args = [inputs[i] if k == 0 else (vals[i] if j < 0 else vals[i][j]) for k, i, j in enc]
            vals.append(plan.jfn(*args))
    # every value of the window is real now: hand it to the pending refs still around
    for p in w.pendings:
        if p.args is not None and p.win == w.wid:
            v = vals[p.seq]
            p.value = v[p.index] if p.plan.multi else v
            p.args = None
    return [vals[c] if j < 0 else vals[c][j] for c, j in outs]


def _compile(w, outs):
    spec = [(plan.fn, enc) for plan, (_, enc) in zip(w.plans, w.calls)]

    def program(*inputs):
        vals = []
        for fn, enc in spec:
            args = [inputs[i] if k == 0 else (vals[i] if j < 0 else vals[i][j]) for k, i, j in enc]
            vals.append(fn(*args))
        return tuple(vals[c] if j < 0 else vals[c][j] for c, j in outs)

    return jax.jit(program)


def clear_caches():
    """Forget compiled programs and plans (tests; torch.compiler.reset)."""
    _programs.clear()
    _seen.clear()
    _plans.clear()


def shape_dtype(r):
    """(shape, jax dtype) of any ref without computing it."""
    if type(r) is Pending:
        shape, dt = r.plan.outs[max(r.index, 0)]
        return shape, dt.np
    return np.shape(r), np.result_type(r) if not hasattr(r, "dtype") else r.dtype
