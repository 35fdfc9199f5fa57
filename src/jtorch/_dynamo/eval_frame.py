"""torch.compile on JAX: a call traced once into one program, replayed for the same inputs.

The first call with a given *signature* (shapes, dtypes and devices of the tensor arguments and
of the state the function reads, Python values of the other arguments, ``training`` flags of
its modules, grad mode) runs the function once with tensors holding JAX tracers and records the
program (a jaxpr).  The program becomes one engine op taking the arguments, the parameters and
buffers, and a fresh random key: later calls with the same signature do no Python work besides
building the signature, the op joins the lazy graph (so forward, backward and the optimizer step
still compile into one XLA program) and autograd differentiates it (``CompiledFunctionBackward``).
Buffers the function updates in place (BatchNorm's running statistics) are written back after
each call.

Where the function cannot be one program — Python control flow on tensor values, ``.item()``,
``print``, data-dependent shapes, a tensor it reads that is neither an argument nor module state —
that signature runs the normal (uncompiled) path, with one warning; ``fullgraph=True`` raises
``torch._dynamo.exc.Unsupported`` instead.  After ``config.recompile_limit`` signatures, new ones
also run uncompiled, with a warning, as PyTorch does.

Differences from PyTorch: shapes and Python numbers are always specialised (XLA programs have
static shapes; ``dynamic=True`` is accepted but does not make shapes symbolic); Python side
effects of the function other than tensor mutations happen when it is traced, not on every call;
``backend`` may be a name only (custom backends receive torch.fx graphs, which jtorch does not
build).
"""
from __future__ import annotations

import functools
import warnings
import weakref

import jax

from .. import _dtype as D
from .._compile import state as S
from .._compile.program import trace_op
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ..autograd import grad_mode
from . import config
from .exc import InvalidBackend, Unsupported

__all__ = ["compile", "OptimizedModule", "CompiledFunction", "reset", "list_backends"]

_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")
_BACKENDS = ("inductor", "cudagraphs", "openxla", "tvm", "onnxrt")
_DEBUG_BACKENDS = ("eager", "aot_eager", "aot_eager_decomp_partition", "aot_inductor", "jax")
_FALLBACK = object()
_live: "weakref.WeakSet" = weakref.WeakSet()


def list_backends(exclude_tags=("debug", "experimental")):
    """Names accepted as ``backend=`` (every one runs jtorch's JAX tracing)."""
    return sorted(_BACKENDS)


def reset():
    """Forget every compiled program (the next call of a compiled function traces again)."""
    for c in list(_live):
        c._cache.clear()
        c._warned.clear()


class _Entry:
    __slots__ = ("op", "out_def", "out_static", "n_out", "mut_state", "mut_args", "uses_rng",
                 "key_dev")


def _reason(e):
    if isinstance(e, S.GraphBreak):
        return str(e)
    if isinstance(e, jax.errors.ConcretizationTypeError) or isinstance(
            e, (jax.errors.TracerBoolConversionError, jax.errors.TracerIntegerConversionError,
                jax.errors.TracerArrayConversionError)):
        return ("Python control flow or a conversion depends on a tensor's value (e.g. "
                "`if x.sum() > 0:`, .item(), .tolist(), data-dependent shapes)")
    return f"{type(e).__name__}: {e}"


class CompiledFunction:
    """``torch.compile(fn)``: call it as ``fn``; see the module documentation."""

    def __init__(self, fn, *, fullgraph=False, dynamic=None, mode=None, backend="inductor",
                 state=()):
        self._fn = fn
        self._fullgraph = fullgraph
        self._dynamic = dynamic
        self._mode = mode
        self._backend = backend
        self._state = state  # extra modules/tensors the function reads (OptimizedModule)
        self._cache = {}
        self._warned = set()
        self.traces = 0  # how many times the function was traced (tests, diagnostics)
        self._dummy_keys = {}
        _live.add(self)
        functools.update_wrapper(self, fn)

    def __get__(self, obj, objtype=None):  # decorating a method
        if obj is None:
            return self
        return functools.partial(self, obj)

    def __call__(self, *args, **kwargs):
        if self._backend == "eager" or engine.is_tracing() or not config.enabled:
            # inside another traced function the ops join its program directly
            return self._fn(*args, **kwargs)
        leaves, treedef = S.flatten((args, kwargs))
        tpos = [i for i, v in enumerate(leaves) if isinstance(v, Tensor)]
        tensors = [leaves[i] for i in tpos]
        arg_ids = {id(t) for t in tensors}
        mods = tuple(v for v in leaves if S.is_module(v))
        state, guard = S.find_state(self._fn, self._state + mods)
        state = [t for t in state if id(t) not in arg_ids]
        key = (treedef,
               tuple(("T", v._shape, v._dtype, v._device) if isinstance(v, Tensor)
                     else S.static_key(v) for v in leaves),
               tuple((t._shape, t._dtype, t._device) for t in state),
               guard, grad_mode.state.enabled, _autocast_key())
        entry = self._cache.get(key)
        if entry is None:
            entry = self._trace(key, leaves, treedef, tpos, tensors, state)
        if entry is _FALLBACK:
            return self._fn(*args, **kwargs)
        return self._run(entry, tensors, state)

    # -- tracing -----------------------------------------------------------------------------

    def _trace(self, key, leaves, treedef, tpos, tensors, state):
        n_live = sum(1 for e in self._cache.values() if e is not _FALLBACK)
        if n_live >= config.recompile_limit:
            self._cache[key] = _FALLBACK
            warnings.warn(
                f"torch._dynamo hit config.recompile_limit ({config.recompile_limit})\n"
                f"   function: '{_name(self._fn)}'\n"
                "   last reason: the shapes, dtypes, devices or Python values of the arguments "
                "changed\nCalls with new signatures run uncompiled.", stacklevel=4)
            return _FALLBACK
        devs = [t._device for t in tensors + state]
        from .._device import device as _device
        key_dev = devs[0] if devs else _device("cpu")
        entry = _Entry()
        info = {}
        n_args, n_state = len(tensors), len(state)

        def body(*arrays):
            wrappers = [S.wrap(a, t, t._rg and t._fn is None)
                        for a, t in zip(arrays[:n_args], tensors)]
            new_leaves = list(leaves)
            for i, w in zip(tpos, wrappers):
                new_leaves[i] = w
            args, kwargs = S.unflatten(treedef, new_leaves)
            keys = S.KeySource(S.wrap(arrays[-1], _KEY_TEMPLATE(key_dev)))
            with S.tracing_guards(keys, strict=True), \
                    S.Swap(state, arrays[n_args:n_args + n_state]) as sw:
                self.traces += 1
                out = self._fn(*args, **kwargs)
                out_leaves, out_def = S.flatten(out)
                out_t = [v for v in out_leaves if isinstance(v, Tensor)]
                info["out_def"] = out_def
                info["out_static"] = [None if isinstance(v, Tensor) else v for v in out_leaves]
                info["n_out"] = len(out_t)
                res = [t._value() for t in out_t]
                mut = sw.mutated()
                info["mut_state"] = [i for i, _ in mut]
                res += [v for _, v in mut]
                mut_args = [(i, w) for i, w in enumerate(wrappers) if w._st.version != 0]
                info["mut_args"] = [i for i, _ in mut_args]
                res += [w._value() for _, w in mut_args]
                info["uses_rng"] = keys.used
            return res

        sigs = [(t._shape, t._dtype) for t in tensors + state] + [((2,), D.uint32)]
        try:
            op, _ = trace_op(body, sigs, f"compiled:{_name(self._fn)}",
                             grad="CompiledFunctionBackward")
        except Exception as e:  # noqa: BLE001  (anything that stops the trace: run uncompiled)
            reason = _reason(e)
            if self._fullgraph and not (isinstance(e, S.GraphBreak) and "print" in reason):
                raise Unsupported(reason) from e
            self._cache[key] = _FALLBACK
            if reason not in self._warned:
                self._warned.add(reason)
                warnings.warn(f"torch.compile: '{_name(self._fn)}' cannot be traced into one "
                              f"program ({reason}); these inputs run uncompiled.", stacklevel=4)
            return _FALLBACK
        entry.op = op
        entry.out_def = info["out_def"]
        entry.out_static = info["out_static"]
        entry.n_out = info["n_out"]
        entry.mut_state = info["mut_state"]
        entry.mut_args = info["mut_args"]
        entry.uses_rng = info["uses_rng"]
        entry.key_dev = key_dev
        self._cache[key] = entry
        return entry

    # -- running -----------------------------------------------------------------------------

    def _key(self, entry):
        dev = entry.key_dev
        if entry.uses_rng:
            from .._random import next_key
            return next_key(None, dev)
        k = self._dummy_keys.get(dev)
        if k is None:
            from .._ops.creation import zeros
            k = self._dummy_keys[dev] = zeros(2, dtype=D.uint32, device=dev)
        return k

    def _run(self, entry, tensors, state):
        outs = dispatch(entry.op, (*tensors, *state, self._key(entry)))
        n = entry.n_out
        k = n
        for i in entry.mut_state:
            t = state[i]
            with grad_mode.no_grad():
                t._write(outs[k]._ref())
            k += 1
        for i in entry.mut_args:
            with grad_mode.no_grad():
                tensors[i]._write(outs[k]._ref())
            k += 1
        it = iter(outs[:n])
        leaves = [next(it) if v is None else v for v in entry.out_static]
        return S.unflatten(entry.out_def, leaves)


def _KEY_TEMPLATE(dev):
    return _KeyTemplate(dev)


class _KeyTemplate:
    __slots__ = ("_dtype", "_device")

    def __init__(self, dev):
        self._dtype = D.uint32
        self._device = dev


def _name(fn):
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or \
        type(fn).__name__


def _autocast_key():
    try:
        from ..amp.autocast_mode import state_key
    except ImportError:
        return None
    return state_key()


# --------------------------------------------------------------------------------------------
# torch.compile


def _optimized_module_cls():
    from ..nn.modules.module import Module

    class OptimizedModule(Module):
        """A compiled module: calls ``_orig_mod`` through one traced program per signature
        and shares its parameters (``state_dict`` keys gain the ``_orig_mod.`` prefix)."""

        def __init__(self, mod, compiled):
            super().__init__()
            self._orig_mod = mod
            self.__dict__["_compiled"] = compiled

        def forward(self, *args, **kwargs):
            return self.__dict__["_compiled"](*args, **kwargs)

        def __getattr__(self, name):
            try:
                return super().__getattr__(name)
            except AttributeError:
                return getattr(self._modules["_orig_mod"], name)

    OptimizedModule.__module__ = "jtorch._dynamo.eval_frame"
    return OptimizedModule


_OM = []


def __getattr__(name):
    if name == "OptimizedModule":
        if not _OM:
            _OM.append(_optimized_module_cls())
        return _OM[0]
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False, **kwargs):
    """Compile ``model`` (a function or Module) into JAX programs; see the module doc.

    Args:
        model: the function or ``nn.Module`` to compile (omitted: returns a decorator)
        fullgraph (bool): raise ``torch._dynamo.exc.Unsupported`` instead of running a call
            uncompiled when it cannot be one program
        dynamic (bool or None): accepted; shapes are always specialised (XLA)
        backend (str): any name of ``list_backends()``, or 'eager' (no compilation)
        mode (str): accepted ('default', 'reduce-overhead', 'max-autotune', ...)
        options (dict): accepted
        disable (bool): return ``model`` unchanged
    """
    if model is None:
        def decorator(fn):
            return compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                           options=options, disable=disable, **kwargs)
        return decorator
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if backend is None:
        backend = "inductor"
    if callable(backend):
        raise NotImplementedError("torch.compile(backend=<callable>): custom backends receive "
                                  "torch.fx graphs, which jtorch does not build; use a backend "
                                  "name")
    if backend not in _BACKENDS and backend not in _DEBUG_BACKENDS:
        raise InvalidBackend(f"Invalid backend: '{backend}', see `torch._dynamo.list_backends()` "
                             "for available backends.")
    if disable:
        return model
    from ..nn.modules.module import Module
    if isinstance(model, Module):
        compiled = CompiledFunction(model.__call__, fullgraph=fullgraph, dynamic=dynamic,
                                    mode=mode, backend=backend, state=(model,))
        return __getattr__("OptimizedModule")(model, compiled)
    if not callable(model):
        raise RuntimeError("torch.compile() expects a callable (a function or an nn.Module)")
    return CompiledFunction(model, fullgraph=fullgraph, dynamic=dynamic, mode=mode,
                            backend=backend)
