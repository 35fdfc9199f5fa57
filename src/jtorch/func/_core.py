"""Running a JAX transformation of a jtorch function on tensors.

A transform (``grad``, ``vmap``, ...) is built from ``f_tree``: the user's function on arrays
(pytrees of the arguments with arrays where the tensors were; tensors are rebuilt around them,
the function runs with the engine in tracing mode, its tensor results are returned as arrays).
``execute`` then applies the transformed function to the arguments:

- at top level it is traced once per signature into a jaxpr (``jtorch._compile``) and run as one
  engine op: cached, lazy, and differentiable by jtorch's autograd (``torch.func.grad(f)(x)``
  with ``x.requires_grad`` gives a differentiable result, as in PyTorch);
- inside another transformation (tensors holding tracers) it is applied directly, so transforms
  nest (``vmap(grad(f))``, ``jacfwd(jacrev(f))``) as JAX's do;
- where tracing finds something a cached program cannot hold (a tensor the function reads that
  is neither an argument nor module state, ``print``) it runs directly too, uncached.
"""
from __future__ import annotations

import collections

import jax

from .. import _dtype as D
from .. import _random
from .._compile import state as S
from .._compile.program import trace_op
from .._device import device as _device
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor, make
from ..autograd import grad_mode

__all__ = ["execute", "to_arrays", "to_tensors", "is_array"]

_CPU = _device("cpu")
_CACHE: "collections.OrderedDict" = collections.OrderedDict()
_CACHE_SIZE = 256


def is_array(x):
    return isinstance(x, jax.Array)


class _Dict(dict):
    """A dict that JAX flattens in insertion order (plain dicts come back with sorted keys,
    PyTorch's transforms keep the caller's order)."""


jax.tree_util.register_pytree_node(
    _Dict, lambda d: (list(d.values()), list(d.keys())),
    lambda keys, values: _Dict(zip(keys, values)))


def ordered(tree):
    """``tree`` with its plain dicts made ``_Dict`` (order-preserving under JAX)."""
    if type(tree) is dict:
        return _Dict((k, ordered(v)) for k, v in tree.items())
    if type(tree) in (list, tuple):
        return type(tree)(ordered(v) for v in tree)
    return tree


def plain(tree):
    """``tree`` with ``_Dict`` turned back into dicts."""
    if isinstance(tree, _Dict):
        return {k: plain(v) for k, v in tree.items()}
    if type(tree) in (list, tuple):
        return type(tree)(plain(v) for v in tree)
    return tree


def to_arrays(tree):
    """The pytree with each tensor replaced by its JAX value."""
    return jax.tree_util.tree_map(lambda v: v._value() if isinstance(v, Tensor) else v, tree,
                                  is_leaf=S._is_tensor)


def to_tensors(tree, dev=_CPU):
    """The pytree with each JAX array (or tracer) wrapped as a tensor on ``dev``."""
    def conv(v):
        if isinstance(v, jax.Array):
            return make(v, tuple(v.shape), D.from_np(v.dtype), dev)
        return v
    return jax.tree_util.tree_map(conv, tree)


class LazyKeys:
    """Random keys inside a transformed function drawn, on first use, from ``base`` (a key
    tensor) or else the generator (through the enclosing transformation's keys, if any)."""

    def __init__(self, outer, dev, base=None):
        self.outer = outer
        self.dev = dev
        self.base = base
        self.inner = None

    def __call__(self, generator, device):
        if self.inner is None:
            if self.base is None:
                prev = _random._key_hook
                _random._key_hook = self.outer
                try:
                    self.base = _random.next_key(generator,
                                                 device if device is not None else self.dev)
                finally:
                    _random._key_hook = prev
            self.inner = S.KeySource(self.base)
        return self.inner(generator, device)


def pure(fn, dev):
    """``f_tree``: ``fn`` on pytrees of arrays, returning its results as arrays."""
    def f_tree(*args, **kwargs):
        out = fn(*plain(to_tensors(args, dev)), **plain(to_tensors(kwargs, dev)))
        return to_arrays(ordered(out))
    return f_tree


def execute(name, fn, args, build, *, kwargs=None, grad=None, rng="lazy", cache_key=(),
            key=None, errors=None, rng_error=None):
    """``build(f_tree)(*args_as_arrays)`` with tensors for arrays in the result.

    Random ops inside ``fn`` draw from one key: ``key`` (a key tensor) or a fresh one from the
    generator; with ``rng_error`` they raise it instead; with ``rng='input'`` ``build`` also
    receives the key array and installs keys itself (vmap's per-example keys).  ``errors``
    translates exceptions raised while tracing.  Returns ``(result, key)``: the key tensor the
    random ops drew from (None if none did), to replay them (vjp).
    """
    kwargs = kwargs or {}
    args, kwargs = ordered(args), ordered(kwargs)
    leaves, treedef = S.flatten((args, kwargs))
    tpos = [i for i, v in enumerate(leaves) if isinstance(v, Tensor)]
    tensors = [leaves[i] for i in tpos]
    dev = tensors[0]._device if tensors else _CPU
    nested = engine.is_tracing() or any(engine.is_tracer(t._ref()) for t in tensors)

    def apply(arrays, key_arr):
        new = list(leaves)
        for i, a in zip(tpos, arrays):
            new[i] = a
        a2, k2 = S.unflatten(treedef, new)
        f = build(pure(fn, dev), key_arr) if rng == "input" else build(pure(fn, dev))
        return f(*a2, **k2)

    if not nested:
        try:
            res, key = _cached(name, fn, leaves, treedef, tensors, dev, apply, grad, rng,
                               cache_key, key, errors, rng_error)
            return plain(res), key
        except S.GraphBreak:
            pass  # run it directly, uncached
    arrays = [t._value() for t in tensors]
    keys = key_arr = None
    if rng == "input":
        if key is None:
            key = _random.next_key(None, dev)
        key_arr = key._value()
    elif rng_error is None:
        keys = LazyKeys(_random._key_hook, dev, key)
    with S.tracing_guards(keys, strict=False, rng_error=rng_error), _translate(errors):
        out = apply(arrays, key_arr)
    if keys is not None:
        key = keys.base
    return plain(to_tensors(out, dev)), key


class _translate:
    def __init__(self, errors):
        self.errors = errors

    def __enter__(self):
        return self

    def __exit__(self, typ, e, tb):
        if e is not None and self.errors is not None and not isinstance(e, S.GraphBreak):
            new = self.errors(e)
            if new is not None:
                raise new from None
        return False


def _cached(name, fn, leaves, treedef, tensors, dev, apply, grad, rng, cache_key, key,
            errors, rng_error):
    arg_ids = {id(t) for t in tensors}
    mods = tuple(v for v in leaves if S.is_module(v))
    state, guard = S.find_state(fn, mods)
    state = [t for t in state if id(t) not in arg_ids]
    ckey = (name, cache_key, getattr(fn, "__code__", None) or id(fn), treedef,
            tuple(("T", v._shape, v._dtype, v._device) if isinstance(v, Tensor)
                  else S.static_key(v) for v in leaves),
            tuple((t._shape, t._dtype, t._device) for t in state), guard,
            grad_mode.state.enabled, rng, rng_error is None)
    entry = _CACHE.get(ckey)
    if entry is None:
        entry = _trace(name, tensors, state, dev, apply, grad, rng, errors, rng_error)
        _CACHE[ckey] = entry
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(ckey)
    op, out_def, uses_rng = entry
    if uses_rng:
        if key is None:
            key = _random.next_key(None, dev)
        k = key
    else:
        key = None
        k = _dummy_key(dev)
    outs = dispatch(op, (*tensors, *state, k))
    return S.unflatten(out_def, list(outs)), key


_dummy = {}


def _dummy_key(dev):
    k = _dummy.get(dev)
    if k is None:
        from .._ops.creation import zeros
        k = _dummy[dev] = zeros(2, dtype=D.uint32, device=dev)
    return k


def _trace(name, tensors, state, dev, apply, grad, rng, errors, rng_error):
    n_args, n_state = len(tensors), len(state)
    info = {}

    def body(*arrays):
        key_arr = arrays[-1]
        keys = None
        if rng != "input" and rng_error is None:
            keys = S.KeySource(make(key_arr, (2,), D.uint32, dev))
        with S.tracing_guards(keys, strict=True, rng_error=rng_error), \
                S.Swap(state, arrays[n_args:n_args + n_state]), _translate(errors):
            out = apply(arrays[:n_args], key_arr)
        flat, out_def = jax.tree_util.tree_flatten(out)
        info["out_def"] = out_def
        info["uses_rng"] = rng == "input" or (keys is not None and keys.used)
        return flat

    sigs = [(t._shape, t._dtype) for t in tensors + state] + [((2,), D.uint32)]
    op, _ = trace_op(body, sigs, name, grad=grad)
    return op, info["out_def"], info["uses_rng"]
