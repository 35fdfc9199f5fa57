"""The autograd graph: nodes recorded by the dispatcher, and the backward pass over them.

Each differentiable op applied to tensors that require grad records a ``Node`` holding the op's
plan, the input values it needs (refs to immutable arrays, so in-place changes later cannot
corrupt them) and an edge per tensor input.  Backward walks the nodes in dependency order and
asks each for the vector-Jacobian product of its op: ``jax.vjp`` of the op's pure function,
itself applied through the engine, so that in lazy mode the whole backward joins the forward in
one compiled program.  Ops whose derivative convention differs from JAX's (relu at 0, ties of
max/min, ...) get PyTorch's convention in their own definitions.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .. import _dtype
from .._engine import core as engine
from . import grad_mode

__all__ = ["Node", "AccumulateGrad", "record", "run_backward"]

_Pending = engine.Pending

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward.")


class _AutogradMeta:
    """Rarely used per-tensor autograd state (kept off the hot path)."""

    __slots__ = ("retains_grad", "hooks", "acc")

    def __init__(self):
        self.retains_grad = False
        self.hooks = None
        self.acc = None


def autograd_meta(t):
    m = t._ag
    if m is None:
        m = t._ag = _AutogradMeta()
    return m


class _Saved:
    """Holds a pending input value a node needs for its backward, so that a sync in between
    (e.g. an automatic one in the middle of a long forward) computes and keeps it instead of
    leaving it to be recomputed by the backward."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value
        engine.register(self)


def _unwrap(r):
    return r.value if type(r) is _Saved else r


class _NodeBase:
    """What every grad_fn offers the user: its name, its edges, hook registration."""

    __slots__ = ()

    def name(self):
        return type(self).__name__

    @property
    def next_functions(self):
        return tuple((e[0], e[1]) if e is not None else (None, 0) for e in self._edges)

    def register_hook(self, fn):
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(fn)
        return _RemovableHandle(self._pre_hooks, fn)

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class Node(_NodeBase):
    """A recorded op: PyTorch's ``grad_fn`` (its class name is PyTorch's, e.g. ``MulBackward0``)."""

    __slots__ = ("_plan", "_refs", "_edges", "_diff", "_saved", "_freed", "_hooks", "_pre_hooks",
                 "_tensor_hooks", "_retained", "metadata", "__weakref__")

    def __init__(self, plan, refs, edges, diff):
        self._plan = plan
        self._refs = refs
        self._edges = edges
        self._diff = diff
        self._saved = None
        self._freed = False
        self._hooks = None
        self._pre_hooks = None
        self._tensor_hooks = None
        self._retained = None
        self.metadata = {}


    def __call__(self, *grads):
        return self._apply(list(grads), False)

    # -- backward of one node ---------------------------------------------------------------
    def _n_outputs(self):
        return len(self._plan.outs)

    def _apply(self, cts, create_graph):
        """Gradients for each tensor input (None where not differentiable)."""
        if self._freed:
            raise RuntimeError(_FREED_MSG)
        if self._saved:
            self._check_versions()
        plan = self._plan
        float_outs = _float_outputs(plan)
        ct_mask = tuple(cts[i] is not None for i in float_outs)
        if True not in ct_mask:
            return [None] * len(self._edges)
        cts_in = tuple(cts[i] for i, m in zip(float_outs, ct_mask) if m)
        vplan, keep, slots, static = _vjp_spec(
            plan, self._diff, ct_mask, tuple((c._shape, c._dtype) for c in cts_in))
        if create_graph:
            from .._dispatch import dispatch
            prims = self._unpack_inputs()
            grads = dispatch(VJP, tuple(prims[i] for i in keep) + cts_in, static)
            if not isinstance(grads, tuple):
                grads = (grads,)
        else:
            refs = self._refs
            args = [_unwrap(refs[i]) for i in keep]
            for c in cts_in:
                args.append(c._ref())
            r = engine.apply(vplan, args)
            dev = cts_in[0]._device
            if vplan.multi:
                grads = tuple(_make(v, s, d, dev) for v, (s, d) in zip(r, vplan.outs))
            else:
                s, d = vplan.outs[0]
                grads = (_make(r, s, d, dev),)
        out = [None] * len(self._edges)
        for k, g in zip(slots, grads):
            out[k] = g
        return out

    def _unpack_inputs(self):
        """The saved inputs as tensors connected to the graph (for create_graph=True)."""
        from .._tensor import make
        sigs = self._plan.key[2]
        tpos = _tensor_positions(self._plan)
        out = []
        for i, r in enumerate(self._refs):
            r = _unwrap(r)
            if i not in tpos:
                out.append(r)
                continue
            e = self._edges[tpos[i]]
            shape, dt = sigs[i]
            if e is not None and isinstance(e[0], AccumulateGrad):
                out.append(e[0].variable)
                continue
            t = make(r, shape, dt)
            if e is not None:
                t._fn, t._out_nr, t._rg = e[0], e[1], True
            out.append(t)
        return out

    def _check_versions(self):
        saved = self._saved
        if not saved:
            return
        for ver, expected, desc in saved:
            if ver[0] != expected:
                desc = _describe(*desc) if type(desc) is tuple else desc
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: {desc} is at version {ver[0]}; expected version "
                    f"{expected} instead. Hint: enable anomaly detection to find the operation "
                    "that failed to compute its gradient, with "
                    "torch.autograd.set_detect_anomaly(True, check_nan=False).")

    def _release(self):
        if self._plan.op.saves:
            self._freed = True
            self._refs = None


_tpos_cache: dict = {}
_make = None


def _vjp_spec(plan, diff, ct_mask, ct_sigs):
    """The VJP plan (and argument layout) for a node's op, cached on the forward plan."""
    global _make
    cache = plan._vjp
    if cache is None:
        cache = plan._vjp = {}
    key = (diff, ct_mask, ct_sigs)
    spec = cache.get(key)
    if spec is None:
        if _make is None:
            from .._tensor import make
            _make = make
        linear = plan.op.linear
        keep = tuple(i for i in range(plan.n_in) if not (linear and i in diff))
        sigs = plan.key[2]
        static = (plan, diff, ct_mask, linear)
        vplan = engine.get_plan(VJP, static, tuple(sigs[i] for i in keep) + ct_sigs)
        tpos = _tensor_positions(plan)
        spec = cache[key] = (vplan, keep, tuple(tpos[i] for i in diff), static)
    return spec


def _tensor_positions(plan):
    """Map op-input position -> edge number (edges exist for tensor inputs only)."""
    pos = _tpos_cache.get(plan)
    if pos is None:
        pos = {}
        for i, s in enumerate(plan.key[2]):
            if type(s) is tuple:
                pos[i] = len(pos)
        _tpos_cache[plan] = pos
    return pos


_fo_cache: dict = {}


def _float_outputs(plan):
    fo = _fo_cache.get(plan)
    if fo is None:
        fo = _fo_cache[plan] = tuple(i for i, (_, d) in enumerate(plan.outs)
                                     if d.is_floating_point or d.is_complex)
    return fo


class AccumulateGrad(_NodeBase):
    """The node that accumulates gradients into a leaf tensor's ``.grad``."""

    __slots__ = ("variable", "_pre_hooks", "_hooks", "metadata", "__weakref__")

    def __init__(self, variable):
        self.variable = variable
        self._pre_hooks = None
        self._hooks = None
        self.metadata = {}

    def name(self):
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self):
        return ()


def _acc_node(t):
    m = autograd_meta(t)
    if m.acc is None:
        m.acc = AccumulateGrad(t)
    return m.acc


class _RemovableHandle:
    def __init__(self, lst, fn):
        self._lst = lst
        self._fn = fn

    def remove(self):
        try:
            self._lst.remove(self._fn)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


_node_classes: dict = {}


def node_class(name):
    cls = _node_classes.get(name)
    if cls is None:
        cls = _node_classes[name] = type(name, (Node,), {"__slots__": ()})
    return cls


def _describe(dtype, shape, producer=None):
    legacy = dtype._legacy or dtype._name
    desc = f"[torch.{legacy} [{', '.join(str(s) for s in shape)}]]"
    return desc if producer is None else f"{desc}, which is output 0 of {producer},"


def record(op, plan, inputs, refs, outs):
    """Record the node for ``outs = op(inputs)`` (some input requires grad)."""
    from .._tensor import Tensor
    if engine._TRACING or any(engine.is_tracer(r) for r in refs):
        return  # inside a JAX transformation: JAX differentiates the traced program itself
    edges = []
    diff = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor):
            if x._rg and i not in op.nondiff:
                fn = x._fn
                edges.append((fn, x._out_nr) if fn is not None else (_acc_node(x), 0))
                diff.append(i)
            else:
                edges.append(None)
    if not diff:
        return
    if op.linear:  # the backward needs no differentiable input values: do not keep them alive
        refs = [None if i in diff else r for i, r in enumerate(refs)]
    refs = tuple([_Saved(r) if type(r) is _Pending else r for r in refs])
    node = node_class(op.grad)(plan, refs, tuple(edges), tuple(diff))
    saves = op.saves
    if saves:
        saved = []
        if saves == "all":
            for i in diff:
                x = inputs[i]
                saved.append((x._ver, x._ver[0], (x._dtype, x._shape)))
        else:
            for i in saves:
                if i == "out":
                    continue
                x = inputs[i]
                if isinstance(x, Tensor):
                    saved.append((x._ver, x._ver[0], (x._dtype, x._shape)))
        node._saved = saved
    multi = type(outs) is tuple
    for nr, o in enumerate(outs if multi else (outs,)):
        if o._dtype.is_floating_point or o._dtype.is_complex:
            o._fn = node
            o._out_nr = nr
            o._rg = True
    if saves and saves != "all" and "out" in saves:
        o = outs[0] if multi else outs
        short = op.grad[:-len("Backward0")] if op.grad.endswith("Backward0") else op.grad
        node._saved.append((o._ver, o._ver[0], (o._dtype, o._shape, short)))


# --------------------------------------------------------------------------------------------
# the VJP op: gradients of any plan, run through the engine like every other op


def _node_vjp(plan, diff, ct_mask, linear, args):
    """Gradients w.r.t. inputs ``diff`` of ``plan`` given its kept inputs and cotangents.

    ``args`` are the kept primal inputs (all of them, or for a linear op only the
    non-differentiable ones) followed by the cotangents of the outputs in ``ct_mask``.
    """
    n = plan.n_in
    if linear:
        # the vjp of a linear op does not depend on its differentiable inputs: use zeros
        it = iter(args)
        primals = []
        for i in range(n):
            if i in diff:
                shape, dt = plan.key[2][i]
                primals.append(jnp.zeros(shape, dt.np))
            else:
                primals.append(next(it))
        cts = list(it)
    else:
        primals = list(args[:n])
        cts = list(args[n:])
    fn = plan.fn
    float_outs = _float_outputs(plan)

    def f(*dp):
        full = list(primals)
        for i, v in zip(diff, dp):
            full[i] = v
        out = fn(*full)
        if plan.multi:
            return tuple(out[i] for i in float_outs)
        return out

    out, pull = jax.vjp(f, *[primals[i] for i in diff])
    it = iter(cts)
    # PyTorch's complex gradients are the conjugates of JAX's vjp convention:
    # torch_vjp(ct) = conj(jax_vjp(conj(ct))) (a no-op for real values)
    if plan.multi:
        ct = tuple(_conj(next(it).astype(o.dtype)) if m else jnp.zeros_like(o)
                   for m, o in zip(ct_mask, out))
    else:
        ct = _conj(next(it).astype(out.dtype))
    return tuple(_conj(g) for g in pull(ct))


def _vjp_impl(*a):
    plan, diff, ct_mask, linear = a[-4:]
    grads = _node_vjp(plan, diff, ct_mask, linear, a[:-4])
    return tuple(grads) if len(grads) > 1 else grads[0]


def _conj(x):
    return jnp.conj(x) if jnp.iscomplexobj(x) else x


def _vjp_prepare(sigs, static):
    return static


VJP = engine.Op("vjp", _vjp_impl, grad="BackwardBackward0", heat=-1)


# --------------------------------------------------------------------------------------------
# the backward pass


def register_tensor_hook(t, hook):
    if not t._rg:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if t._fn is None:
        acc = _acc_node(t)
        if acc._pre_hooks is None:
            acc._pre_hooks = []
        acc._pre_hooks.append(hook)
        return _RemovableHandle(acc._pre_hooks, hook)
    node = t._fn
    if node._tensor_hooks is None:
        node._tensor_hooks = {}
    lst = node._tensor_hooks.setdefault(t._out_nr, [])
    lst.append(hook)
    return _RemovableHandle(lst, hook)


def retain_grad(t):
    """Make backward store t's gradient in ``t.grad`` (t is a non-leaf)."""
    import weakref
    node = t._fn
    if node._retained is None:
        node._retained = {}
    node._retained[t._out_nr] = weakref.ref(t)


# --------------------------------------------------------------------------------------------
# fused backward: a repeated backward graph becomes ONE op (one VJP of the whole graph)

def _fused_impl(*a):
    """The backward of a whole recorded graph: per-node VJPs chained inside one function."""
    nodes_spec, roots_spec, n_leaves, captures = a[-1]
    args = a[:-1]
    n_root = len(roots_spec)
    root_cts = args[len(args) - n_root:]
    node_cts = [[None] * n_out for (_, _, _, _, _, n_out, _) in nodes_spec]
    for (k, nr), ct in zip(roots_spec, root_cts):
        cur = node_cts[k][nr]
        node_cts[k][nr] = ct if cur is None else cur + ct
    leaf_grads = [None] * n_leaves
    captured = {}
    pos = 0
    for k, (plan, diff, linear, edges_enc, n_args, n_out, float_outs) in enumerate(nodes_spec):
        node_args = args[pos:pos + n_args]
        pos += n_args
        cts = node_cts[k]
        for nr in range(n_out):
            if (k, nr) in captures:
                captured[(k, nr)] = cts[nr]
        ct_mask = tuple(cts[i] is not None for i in float_outs)
        if True not in ct_mask:
            continue
        grads = _node_vjp(plan, diff, ct_mask, linear,
                          tuple(node_args) + tuple(cts[i] for i, m in zip(float_outs, ct_mask)
                                                   if m))
        for g, enc in zip(grads, edges_enc):
            if enc is None:
                continue
            kind, j, nr = enc
            if kind == 0:
                cur = node_cts[j][nr]
                node_cts[j][nr] = g if cur is None else cur + g
            else:
                cur = leaf_grads[j]
                leaf_grads[j] = g if cur is None else cur + g
    return tuple(leaf_grads) + tuple(captured.get(c) for c in sorted(captures))


FUSED_VJP = engine.Op("backward", _fused_impl, heat=1)


def _fused_backward(roots, capture, accumulate, inputs, retain_graph):
    """Run the whole backward as one op (one VJP of the recorded graph).

    Returns the results list, or None when the graph needs the node-by-node path (hooks,
    retained grads, custom Functions, create_graph).
    """
    global _make
    if _make is None:
        from .._tensor import make
        _make = make
    order = []
    index = {}
    leaves = []
    leaf_index = {}
    deps = {}
    stack = []
    for node, nr, g in roots:
        if type(node) is AccumulateGrad or not isinstance(node, Node):
            return None
        if id(node) not in index:
            index[id(node)] = None
            stack.append(node)
    seen_nodes = []
    while stack:
        node = stack.pop()
        if node._hooks or node._pre_hooks or node._tensor_hooks or node._retained or \
                node._freed:
            return None
        seen_nodes.append(node)
        for e in node._edges:
            if e is None:
                continue
            nxt = e[0]
            if type(nxt) is AccumulateGrad:
                if nxt._pre_hooks or nxt._hooks:
                    return None
                if id(nxt) not in leaf_index:
                    leaf_index[id(nxt)] = len(leaves)
                    leaves.append(nxt)
                continue
            if not isinstance(nxt, Node):
                return None
            deps[id(nxt)] = deps.get(id(nxt), 0) + 1
            if id(nxt) not in index:
                index[id(nxt)] = None
                stack.append(nxt)
    # consumers before producers
    ready = [n for n in seen_nodes if deps.get(id(n), 0) == 0]
    while ready:
        node = ready.pop()
        index[id(node)] = len(order)
        order.append(node)
        for e in node._edges:
            if e is not None and type(e[0]) is not AccumulateGrad:
                d = deps[id(e[0])] - 1
                deps[id(e[0])] = d
                if d == 0:
                    ready.append(e[0])
    if len(order) != len(seen_nodes):
        return None
    caps = {}
    for (nid, nr), k in capture.items():
        if nid in leaf_index:
            continue
        j = index.get(nid)
        if j is None:
            return None
        caps[(j, nr)] = k
    nodes_spec = []
    args = []
    for node in order:
        if node._saved:
            node._check_versions()
        plan = node._plan
        diff = node._diff
        linear = plan.op.linear
        refs = node._refs
        tpos = _tensor_positions(plan)
        n0 = len(args)
        for i in range(plan.n_in):
            if not (linear and i in diff):
                args.append(_unwrap(refs[i]))
        edges_enc = []
        for i in diff:
            e = node._edges[tpos[i]]
            if e is None:
                edges_enc.append(None)
            elif type(e[0]) is AccumulateGrad:
                edges_enc.append((1, leaf_index[id(e[0])], 0))
            else:
                edges_enc.append((0, index[id(e[0])], e[1]))
        nodes_spec.append((plan, diff, linear, tuple(edges_enc), len(args) - n0,
                           len(plan.outs), _float_outputs(plan)))
    roots_spec = []
    for node, nr, g in roots:
        roots_spec.append((index[id(node)], nr))
        args.append(g._ref())
    cap_keys = tuple(sorted(caps))
    spec = (tuple(nodes_spec), tuple(roots_spec), len(leaves), cap_keys)
    sigs = []
    for r in args:
        if type(r) is _Pending:
            sigs.append(r.plan.outs[max(r.index, 0)])
        elif hasattr(r, "shape"):
            sigs.append((tuple(r.shape), _dtype.from_np(r.dtype)))
        else:
            sigs.append(type(r))
    plan = engine.get_plan(FUSED_VJP, (spec,), tuple(sigs))
    out = engine.apply(plan, args)
    if not plan.multi:
        out = (out,)
    dev = roots[0][2]._device
    grads = [_make(v, s, d, dev) for v, (s, d) in zip(out, plan.outs)]
    leaf_grads = grads[:len(leaves)]
    results = [None] * (len(inputs) if inputs is not None else 0)
    for c, g in zip(cap_keys, grads[len(leaves):]):
        results[caps[c]] = g
    for acc, g in zip(leaves, leaf_grads):
        k = capture.get((id(acc), 0))
        if k is not None:
            results[k] = g
        if accumulate and (inputs is None or k is not None):
            _accumulate(acc.variable, g, False)
    if not retain_graph:
        for node in order:
            node._release()
    return results


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None,
                 accumulate=True, allow_unused=True):
    """Backpropagate ``grad_tensors`` from ``tensors``.

    With ``accumulate`` the leaf gradients go to ``.grad`` (Tensor.backward); otherwise the
    gradients of ``inputs`` are returned (autograd.grad).
    """
    _add = _ops_add()

    # targets captured for autograd.grad / backward(inputs=...)
    capture = {}
    if inputs is not None:
        for k, t in enumerate(inputs):
            if t._fn is None:
                capture[(id(_acc_node(t)), 0)] = k
            else:
                capture[(id(t._fn), t._out_nr)] = k
    results = [None] * (len(inputs) if inputs is not None else 0)

    # discover the graph and count dependencies
    roots = []
    deps = {}
    nodes = {}
    stack = []
    for t, g in zip(tensors, grad_tensors):
        node = t._fn if t._fn is not None else (_acc_node(t) if t._rg else None)
        if node is None:
            continue
        roots.append((node, t._out_nr if t._fn is not None else 0, g))
        if id(node) not in nodes:
            nodes[id(node)] = node
            stack.append(node)
    if not create_graph and roots:
        fused = _fused_backward(roots, capture, accumulate, inputs, retain_graph)
        if fused is not None:
            return fused
    while stack:
        node = stack.pop()
        if isinstance(node, AccumulateGrad):
            continue
        for e in node._edges:
            if e is None:
                continue
            nxt = e[0]
            deps[id(nxt)] = deps.get(id(nxt), 0) + 1
            if id(nxt) not in nodes:
                nodes[id(nxt)] = nxt
                stack.append(nxt)

    buffers = {}

    def add_grad(node, nr, g):
        buf = buffers.get(id(node))
        if buf is None:
            n = 1 if isinstance(node, AccumulateGrad) else node._n_outputs()
            buf = buffers[id(node)] = [None] * n
        cur = buf[nr]
        buf[nr] = g if cur is None else _add(cur, g)

    for node, nr, g in roots:
        add_grad(node, nr, g)

    ready = [n for n in (r[0] for r in roots) if deps.get(id(n), 0) == 0]
    seen_ready = set()
    order = []
    while ready:
        node = ready.pop()
        if id(node) in seen_ready:
            continue
        seen_ready.add(id(node))
        order.append(node)
        cts = buffers.pop(id(node), None) or []
        if isinstance(node, AccumulateGrad):
            g = cts[0] if cts else None
            if g is None:
                continue
            if node._pre_hooks:
                for h in list(node._pre_hooks):
                    r = h(g)
                    if r is not None:
                        g = r
            k = capture.get((id(node), 0))
            if k is not None:
                results[k] = g
            if accumulate and (inputs is None or k is not None):
                _accumulate(node.variable, g, create_graph)
            if node._hooks:
                for h in list(node._hooks):
                    h(node.variable)
            continue
        # hooks registered on the tensors this node produced
        if node._tensor_hooks:
            for nr, hooks in node._tensor_hooks.items():
                if nr < len(cts) and cts[nr] is not None:
                    for h in list(hooks):
                        r = h(cts[nr])
                        if r is not None:
                            cts[nr] = r
        if node._retained:
            for nr, ref in node._retained.items():
                t = ref()
                if t is not None and nr < len(cts) and cts[nr] is not None:
                    g = cts[nr] if create_graph else cts[nr].detach()
                    t._grad = g if t._grad is None else _add(t._grad, g)
        for nr, g in enumerate(cts):
            k = capture.get((id(node), nr))
            if k is not None and g is not None:
                results[k] = g
        if node._pre_hooks:
            for h in list(node._pre_hooks):
                r = h(tuple(cts))
                if r is not None:
                    cts = list(r)
        grads = node._apply(cts, create_graph) if any(c is not None for c in cts) \
            else [None] * len(node._edges)
        if node._hooks:
            for h in list(node._hooks):
                # a post hook may return replacement grad_inputs, as in PyTorch
                r = h(tuple(grads), tuple(cts))
                if r is not None:
                    grads = list(r)
        for e, g in zip(node._edges, grads):
            if e is None:
                continue
            nxt, nr = e
            if g is not None:
                add_grad(nxt, nr, g)
            d = deps[id(nxt)] - 1
            deps[id(nxt)] = d
            if d == 0:
                ready.append(nxt)
    if not retain_graph:
        for node in order:
            if not isinstance(node, AccumulateGrad):
                node._release()
    return results


_add_fn = []


def _ops_add():
    if not _add_fn:
        from .._ops.pointwise import add
        _add_fn.append(add)
    return _add_fn[0]


def _accumulate(t, g, create_graph):
    _add = _ops_add()
    if not create_graph:
        g = g.detach() if g._fn is not None else g
    cur = t._grad
    if cur is None:
        if g._base_ is not None or g._st is getattr(t, "_st", None):
            g = g.clone()
        t._grad = g
    elif create_graph or grad_mode.state.enabled and cur._rg:
        t._grad = _add(cur, g)
    else:
        # accumulate in place so references to .grad see the sum (as PyTorch does)
        with grad_mode.no_grad():
            cur.add_(g)
