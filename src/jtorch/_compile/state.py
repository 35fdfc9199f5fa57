"""What a traced function reads, and how its tensors hold tracers while JAX traces it.

A traced function's *inputs* are its tensor arguments (fresh tensors wrapping the tracers are
passed in their place) and its *state*: the parameters, buffers and tensor attributes of the
modules it uses and the tensors it closes over.  State tensors keep their identity (a module's
``weight`` is still the same object) but their storage holds a tracer for the duration of the
trace; in-place changes made by the function (BatchNorm's running statistics) become extra
outputs, written back after the call.  A tensor the walk did not find is reported by the
engine's ``const_hook`` (its value would be baked into the program): the trace is abandoned.
"""
from __future__ import annotations

import builtins
import functools
import itertools
import types

import jax

from .. import _random
from .._engine import core as engine
from .._storage import Storage
from .._tensor import Tensor, make

__all__ = ["GraphBreak", "find_state", "Swap", "wrap", "flatten", "unflatten", "static_key",
           "tracing_guards", "KeySource"]

_temp_versions = itertools.count(-(1 << 50), -(1 << 20))


class GraphBreak(Exception):
    """The function cannot be traced into one program (the reason is the message)."""


# --------------------------------------------------------------------------------------------
# finding state (and the Python values a traced program depends on)

_SIMPLE = (bool, int, float, complex, str, bytes, type(None))


def _module_cls():
    from ..nn.modules.module import Module
    return Module


def is_module(v):
    return isinstance(v, _module_cls())


def _simple(v):
    if isinstance(v, _SIMPLE):
        return True
    if isinstance(v, tuple):
        return all(_simple(x) for x in v)
    return False


class _Walk:
    def __init__(self):
        self.tensors = []
        self.guard = []
        self.mods = set()
        self.fns = set()

    def module(self, mod):
        if id(mod) in self.mods:
            return
        for m in mod.modules():
            if id(m) in self.mods:
                continue
            self.mods.add(id(m))
            d = m.__dict__
            for t in d["_parameters"].values():
                if t is not None:
                    self.tensors.append(t)
            for t in d["_buffers"].values():
                if t is not None:
                    self.tensors.append(t)
            flags = []
            for k, v in d.items():
                if isinstance(v, Tensor):
                    self.tensors.append(v)
                elif k[0] != "_" and _simple(v):
                    flags.append((k, type(v), v))
            self.guard.append((id(m), tuple(flags)))

    def value(self, name, v, depth=0):
        if isinstance(v, Tensor):
            self.tensors.append(v)
        elif isinstance(v, _module_cls()):
            self.module(v)
        elif _simple(v):
            self.guard.append((name, type(v), v))
        elif isinstance(v, (types.FunctionType, functools.partial, types.MethodType)):
            code = getattr(v, "__code__", None)
            self.guard.append((name, "fn", id(code) if code is not None else id(v)))
            if not _library(v):
                self.code(v)
        elif depth == 0 and isinstance(v, (list, tuple)):
            for x in v:
                self.value(name, x, 1)
        elif depth == 0 and isinstance(v, dict):
            for x in v.values():
                self.value(name, x, 1)
        elif not isinstance(v, (type, types.BuiltinFunctionType)):
            self.guard.append((name, "obj", id(v)))

    def code(self, fn):
        """Tensors, modules and Python values ``fn`` closes over or names as globals."""
        if id(fn) in self.fns:
            return
        self.fns.add(id(fn))
        if isinstance(fn, functools.partial):
            for a in (*fn.args, *fn.keywords.values()):
                self.value("<partial>", a)
            return self.code(fn.func)
        if isinstance(fn, types.MethodType):
            self.value("<self>", fn.__self__)
            fn = fn.__func__
        if isinstance(fn, _module_cls()):
            self.module(fn)
            fn = type(fn).forward
        code = getattr(fn, "__code__", None)
        if code is None:
            return
        for i, cell in enumerate(getattr(fn, "__closure__", None) or ()):
            try:
                v = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            self.value(code.co_freevars[i], v)
        g = getattr(fn, "__globals__", {})
        for name in _names(code):
            v = g.get(name)
            if v is not None and not isinstance(v, types.ModuleType):
                self.value(name, v)


def _names(code):
    return sorted(_name_set(code))


def _name_set(code):
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _name_set(c)
    return names


_LIBRARIES = ("jtorch.", "jax.", "jaxlib.", "numpy.", "optax.", "functools")


def _library(fn):
    """Functions of jtorch, JAX, NumPy (their state is not the user's)."""
    f = getattr(fn, "func", None) or getattr(fn, "__func__", None) or fn
    mod = getattr(f, "__module__", None) or ""
    return mod == "jtorch" or mod.startswith(_LIBRARIES)


def find_state(fn, extra=()):
    """``(tensors, guard)``: the tensors ``fn`` reads besides its arguments (the state of the
    modules it is, is a method of or refers to; tensors it closes over or names as globals; and
    ``extra`` tensors or modules) in a deterministic order without duplicates, and a hashable
    summary of the plain Python values it depends on (module attributes such as ``training``,
    numbers it closes over) — a traced program is only valid while they are unchanged."""
    w = _Walk()
    for v in extra:
        w.value("<extra>", v)
    w.code(fn)
    seen = set()
    res = []
    for t in w.tensors:
        if id(t) not in seen:
            seen.add(id(t))
            res.append(t)
    return res, tuple(w.guard)


# --------------------------------------------------------------------------------------------
# arguments


def _is_tensor(x):
    return isinstance(x, Tensor)


def flatten(tree):
    """(leaves, treedef) of a pytree of arguments/results, tensors as leaves."""
    return jax.tree_util.tree_flatten(tree, is_leaf=_is_tensor)


def unflatten(treedef, leaves):
    return jax.tree_util.tree_unflatten(treedef, leaves)


def static_key(leaf):
    """A hashable stand-in for a non-tensor argument (its value, or its identity)."""
    try:
        hash(leaf)
    except TypeError:
        return ("id", id(leaf))
    return (type(leaf), leaf)


def wrap(value, template, requires_grad=False):
    """A fresh tensor holding ``value`` (a tracer) with ``template``'s dtype and device."""
    t = make(value, tuple(value.shape), template._dtype, template._device)
    if requires_grad:
        t._rg = True
    return t


# --------------------------------------------------------------------------------------------
# swapping state for tracers


class Swap:
    """While active, each state tensor reads its value from the tracer given for it.

    Tensors sharing a storage keep sharing it (a view of a swapped base reads the traced base).
    On exit everything is restored; ``mutated()`` (called before exit) lists the state tensors
    whose value the traced function changed in place, with their new values.
    """

    def __init__(self, tensors, values):
        self.tensors = tensors
        self.values = values
        self._saved_st = []   # (storage, value, version, snap)
        self._saved_t = []    # (tensor, fields) for tensors given a storage of their own
        self._vers = []       # (version list, value)
        self._owner = {}      # id(storage) -> (index of the tensor whose value it holds, temp)

    def __enter__(self):
        tensors, values = self.tensors, self.values
        seen_ver = set()
        for t in tensors:
            if id(t._ver) not in seen_ver:
                seen_ver.add(id(t._ver))
                self._vers.append((t._ver, t._ver[0]))
        # bases first, so that views of a swapped storage read through it
        order = sorted(range(len(tensors)), key=lambda i: tensors[i]._view is not None)
        for i in order:
            t, v = tensors[i], values[i]
            st = t._st
            if t._view is None and id(st) not in self._owner:
                self._saved_st.append((st, st.value, st.version, st._snap))
                temp = next(_temp_versions)
                st.value = v
                st.version = temp
                st._snap = None
                self._owner[id(st)] = (i, temp)
            elif id(st) in self._owner:
                continue
            else:
                self._saved_t.append((i, t, (t._st, t._view, t._vc, t._vver, t._stride,
                                            t._offset)))
                t._st = Storage(v)
                t._view = None
                t._vc = None
                t._vver = -1
                t._stride = None
                t._offset = 0
        return self

    def mutated(self):
        """[(index of state tensor, new value)] for state changed in place by the function."""
        out = []
        for st, _, _, _ in self._saved_st:
            i, temp = self._owner[id(st)]
            if st.version != temp:
                out.append((i, st.value))
        for i, t, _ in self._saved_t:
            if t._st.version != 0:
                out.append((i, t._st.value))
        return sorted(out, key=lambda p: p[0])

    def __exit__(self, *exc):
        for st, value, version, snap in self._saved_st:
            st.value = value
            st.version = version
            st._snap = snap
        for _, t, fields in self._saved_t:
            t._st, t._view, t._vc, t._vver, t._stride, t._offset = fields
        for ver, v in self._vers:
            ver[0] = v
        return False


# --------------------------------------------------------------------------------------------
# guards active while tracing


class _KeySource:
    """Random keys inside a trace: split from one traced key (an input of the program)."""

    def __init__(self, key, template_device):
        self.key = key
        self.device = template_device
        self.used = False
        self.error = None

    def __call__(self, generator, device):
        if self.error is not None:
            raise self.error
        self.used = True
        from .._dispatch import dispatch_nograd
        new, sub = dispatch_nograd(_random._SPLIT, (self.key,))
        self.key = new
        return sub


def _print_guard(*args, **kwargs):
    raise GraphBreak("print() inside a traced function")


def _const_guard(plan):
    raise GraphBreak(f"{plan.op.name}() read a tensor that is neither an argument nor the state "
                     "of a module the function uses (its value would be baked into the program)")


class tracing_guards:
    """The context a jtorch function is traced in: ops applied directly (engine tracing mode),
    random keys drawn from ``keys`` (a ``_KeySource``, or None to refuse randomness with
    ``rng_error``), ``print`` and stray tensors raising ``GraphBreak`` when ``strict``."""

    def __init__(self, keys=None, strict=True, rng_error=None):
        self.keys = keys
        self.strict = strict
        self.rng_error = rng_error

    def __enter__(self):
        self._hook = _random._key_hook
        self._const = engine.const_hook
        self._print = builtins.print
        if self.keys is not None:
            _random._key_hook = self.keys
        elif self.rng_error is not None:
            err = self.rng_error

            def refuse(generator, device):
                raise err
            _random._key_hook = refuse
        if self.strict:
            engine.const_hook = _const_guard
            builtins.print = _print_guard
        self._tr = engine.tracing()
        self._tr.__enter__()
        return self

    def __exit__(self, *exc):
        self._tr.__exit__(*exc)
        _random._key_hook = self._hook
        engine.const_hook = self._const
        builtins.print = self._print
        return False


def KeySource(key, device=None):
    return _KeySource(key, device)
