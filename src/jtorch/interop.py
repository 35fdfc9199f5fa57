"""jtorch <-> JAX: arrays, DLPack, pytrees, modules as pure functions, JAX functions as ops.

- ``Tensor.jax()`` / ``jtorch.to_jax(t)``: the tensor's value as a ``jax.Array`` (a sync point
  when the value is pending); no copy: the array *is* the tensor's value.
- ``jtorch.from_jax(array)``: a tensor whose storage holds ``array`` itself (no copy), on the
  torch device of the array's device.  JAX arrays are immutable, so an in-place op on the tensor
  gives it a new value and leaves ``array`` as it was.
- ``torch.from_dlpack`` / ``torch.utils.dlpack``: DLPack exchange with NumPy, PyTorch, CuPy...
- Tensors are JAX pytree nodes whose one child is the value: ``jax.tree_util.tree_map`` and
  ``jax.jit`` see through them.
- ``functional_module(model) -> (params, apply)``: the module as a pure JAX function of a dict
  of parameter arrays, for ``jax.jit`` / ``jax.grad`` / ``jax.vmap`` / Optax;
  ``load_params(model, params)`` copies trained arrays back into the module.
- ``jax_function(f)``: a JAX function usable on tensors inside a jtorch model, as one op whose
  backward is ``jax.vjp(f)``.

See docs/interop.md.
"""
from __future__ import annotations

import ctypes
import functools
import weakref

import jax

from . import _dtype as D
from ._compile import state as S
from ._device import device as _device
from ._devices import torch_device_of
from ._dispatch import dispatch
from ._engine import core as engine
from ._ops._registry import register
from ._tensor import Tensor, make
from .autograd import grad_mode

_CPU = _device("cpu")

__all__ = ["to_jax", "from_jax", "from_dlpack", "to_dlpack", "jax_function",
           "functional_module", "module_buffers", "load_params"]


# --------------------------------------------------------------------------------------------
# arrays


@register(name="jax", function=False, family="interop")
def to_jax(input):
    """This tensor's value as a ``jax.Array``, without a copy (a pending value is computed).

    The array is the tensor's current value: JAX arrays are immutable, so a later in-place
    change of the tensor gives the tensor a new value and leaves the array unchanged.  Autograd
    history is not carried (as ``detach()``).  Inside ``jax.jit`` the result is the tracer the
    tensor holds.
    """
    if input._device.type == "meta":
        raise NotImplementedError("Cannot copy out of meta tensor; no data!")
    return input._value()


def from_jax(array, *, requires_grad=False) -> Tensor:
    """A tensor holding the JAX array ``array`` itself (no copy), on the torch device of the
    array's device ('cpu', or 'cuda:N' for the N-th GPU).  Accepts tracers: inside ``jax.jit``
    the tensor holds the tracer."""
    _jax = jax
    if not isinstance(array, _jax.Array):
        raise TypeError(f"from_jax(): expected a jax.Array, got {type(array).__name__}")
    if _jax.dtypes.issubdtype(array.dtype, _jax.dtypes.prng_key):
        array = _jax.random.key_data(array)
    dev = torch_device_of(array)
    t = make(array, tuple(array.shape), D.from_np(array.dtype), dev)
    if requires_grad:
        t.requires_grad_()
    return t


# --------------------------------------------------------------------------------------------
# DLPack


@register(name="__dlpack__", function=False, family="interop")
def _dlpack(input, *, stream=None, max_version=None, dl_device=None, copy=None):
    """The DLPack capsule of this tensor's value (for ``from_dlpack`` of another library)."""
    if input._rg:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    kw = {}
    if max_version is not None:
        kw["max_version"] = max_version
    if copy is not None:
        kw["copy"] = copy
    v = input._value()
    try:
        return v.__dlpack__(stream=stream, **kw)
    except TypeError:  # an older array API without max_version/copy
        return v.__dlpack__(stream=stream)


@register(name="__dlpack_device__", function=False, family="interop")
def _dlpack_device(input):
    """``(device type, device index)`` in DLPack's enumeration (1: CPU, 2: CUDA)."""
    if input._device.type == "cuda":
        return (2, input._device.index)
    return (1, 0)


def to_dlpack(tensor):
    """``torch.utils.dlpack.to_dlpack``: a DLPack capsule holding ``tensor``'s value."""
    return _dlpack(tensor)


class _Capsule:
    """A bare DLPack capsule presented with the ``__dlpack__`` protocol JAX reads."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, stream=None, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return _capsule_device(self.capsule)


def _capsule_device(capsule):
    """(device type, index) read from the DLManagedTensor a 'dltensor' capsule points to."""
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype = ctypes.c_char_p
    get_name.argtypes = [ctypes.py_object]
    name = get_name(capsule)
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype = ctypes.c_void_p
    get.argtypes = [ctypes.py_object, ctypes.c_char_p]
    ptr = get(capsule, name)
    # DLManagedTensorVersioned puts version, manager_ctx, deleter and flags before the DLTensor
    off = 0 if name == b"dltensor" else 8 + 3 * ctypes.sizeof(ctypes.c_void_p)
    dev = (ctypes.c_int32 * 2).from_address(ptr + off + ctypes.sizeof(ctypes.c_void_p))
    return (int(dev[0]), int(dev[1]))


def from_dlpack(ext_tensor) -> Tensor:
    """``torch.from_dlpack``: a tensor from an object with ``__dlpack__`` (a NumPy array, a
    PyTorch tensor, a JAX array, ...) or from a DLPack capsule.

    JAX imports the memory without copying where it can (a CPU buffer with suitable alignment);
    the tensor's storage is a JAX array, so in-place changes of the tensor are not seen by the
    exporter (PyTorch shares them).
    """
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    _jax = jax
    if isinstance(ext_tensor, _jax.Array):
        return from_jax(ext_tensor)
    if type(ext_tensor).__name__ == "PyCapsule":
        ext_tensor = _Capsule(ext_tensor)
    elif not hasattr(ext_tensor, "__dlpack__"):
        raise TypeError(f"from_dlpack(): expected an object with __dlpack__ or a DLPack "
                        f"capsule, got {type(ext_tensor).__name__}")
    with engine.x64(True):
        array = _jax.dlpack.from_dlpack(ext_tensor)
    return from_jax(array)


# --------------------------------------------------------------------------------------------
# pytrees


def _flatten(t):
    return (t._value(),), (type(t), t._dtype, t._device, t._rg, t._shape)


def _unflatten(aux, children):
    cls, dtype, device, rg, shape = aux
    (v,) = children
    if hasattr(v, "shape") and hasattr(v, "dtype"):
        # a transformed leaf (tree_map, jit outputs): its own shape and dtype
        try:
            dtype = D.from_np(v.dtype)
        except (KeyError, TypeError, ValueError):
            pass
        shape = tuple(v.shape)
    t = make(v, shape, dtype, device, cls)
    if rg and isinstance(v, jax.Array) and not engine.is_tracer(v) and \
            (dtype.is_floating_point or dtype.is_complex):
        t._rg = True
    return t


def _register_pytrees():
    from .nn.parameter import Buffer, Parameter
    for cls in (Tensor, Parameter, Buffer):
        try:
            jax.tree_util.register_pytree_node(cls, _flatten, _unflatten)
        except ValueError:  # already registered (module reloaded)
            pass


# --------------------------------------------------------------------------------------------
# JAX functions as jtorch ops


def _as_input(v):
    if isinstance(v, jax.Array):
        return from_jax(v)
    if isinstance(v, (Tensor, bool, int, float, complex)):
        return v
    raise TypeError(f"jax_function: positional arguments must be tensors, JAX arrays or Python "
                    f"numbers, got {type(v).__name__} (pass other values as keyword arguments)")


_OPS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _op_for(f, name):
    op = _OPS.get(f)
    if op is None:
        def impl(*args):
            *arrays, kw = args
            out = f(*arrays, **dict(kw))
            if isinstance(out, list):
                out = tuple(out)
            if isinstance(out, tuple):
                if not all(hasattr(o, "shape") for o in out):
                    raise TypeError(f"jax_function({name}): the function must return an array "
                                    "or a tuple of arrays")
            elif not hasattr(out, "shape"):
                raise TypeError(f"jax_function({name}): the function must return an array or "
                                "a tuple of arrays")
            return out
        impl.__name__ = name
        op = engine.Op(f"jax:{name}", impl, grad="JaxFunctionBackward")
        try:
            _OPS[f] = op
        except TypeError:  # not weak-referenceable: not cached
            pass
    return op


def jax_function(f=None, *, name=None):
    """Make the JAX function ``f(*arrays, **options) -> array or tuple of arrays`` callable on
    tensors, as one jtorch op: it joins the lazy graph, works inside ``torch.compile`` and
    ``torch.func``, and autograd differentiates it with ``jax.vjp(f)`` (``grad_fn`` is
    ``JaxFunctionBackward``).

    Positional arguments are tensors (or JAX arrays, or Python numbers): they are the op's
    inputs.  Keyword arguments are static options (hashable; a new value traces ``f`` again).
    Usable as a decorator, with or without ``name=``.
    """
    if f is None:
        return lambda g: jax_function(g, name=name)
    nm = name or getattr(f, "__name__", "f")

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        inputs = tuple(_as_input(a) for a in args)
        try:
            static = (tuple(sorted(kwargs.items())),)
            hash(static)
        except TypeError:
            raise TypeError(f"jax_function({nm}): keyword arguments are static options and must "
                            "be hashable") from None
        return dispatch(_op_for(f, nm), inputs, static)

    wrapper.jax_fn = f
    return wrapper


# --------------------------------------------------------------------------------------------
# modules as pure JAX functions


def module_buffers(model) -> dict:
    """``{name: jax.Array}`` of the module's buffers (running statistics, ...)."""
    return {k: b.jax() for k, b in model.named_buffers()}


def _check_value(name, t, v):
    if tuple(v.shape) != t._shape or D.from_np(v.dtype) is not t._dtype:
        raise ValueError(f"functional_module: '{name}' expects an array of shape {list(t._shape)} "
                         f"and dtype {t._dtype}, got shape {list(v.shape)} and dtype "
                         f"{D.from_np(v.dtype)}")


def functional_module(model):
    """``(params, apply)``: ``model`` as a pure JAX function.

    ``params`` is ``{name: jax.Array}`` of the module's parameters (``named_parameters()``
    order).  ``apply(params, *args, buffers=None, rng=None, **kwargs)`` runs ``model.forward``
    with those parameter values on JAX arrays (pytrees of arrays) and returns JAX arrays (a
    pytree shaped like the module's output).  It is a pure function: ``jax.jit``, ``jax.grad``,
    ``jax.vmap`` and Optax apply to it.

    - ``buffers``: ``{name: array}`` (see ``module_buffers``) to run with given buffer values;
      ``apply`` then returns ``(output, new_buffers)`` (BatchNorm in training mode updates its
      running statistics: thread them through your loop).  Without it the module's current
      buffers are read (as constants under ``jax.jit``) and updating one raises RuntimeError.
    - ``rng``: a JAX PRNG key for the random ops of the module (dropout in training mode);
      without it a random op raises RuntimeError.

    The module itself is never changed: ``load_params(model, params)`` writes trained values
    back.  ``model.train()`` / ``model.eval()`` decide the mode, as in PyTorch.
    """
    from .func._core import ordered, plain, to_arrays, to_tensors
    pnames = [k for k, _ in model.named_parameters()]
    ptensors = [p for _, p in model.named_parameters()]
    bnames = [k for k, _ in model.named_buffers()]
    btensors = [b for _, b in model.named_buffers()]
    first = (ptensors + btensors)[:1]
    dev = first[0]._device if first else _CPU
    params = {k: p.jax() for k, p in zip(pnames, ptensors)}

    def apply(params, *args, buffers=None, rng=None, **kwargs):
        if set(params) != set(pnames):
            missing = sorted(set(pnames) - set(params))
            extra = sorted(set(params) - set(pnames))
            raise KeyError(f"functional_module: params do not match the module's parameters "
                           f"(missing {missing}, unexpected {extra})")
        values = [params[k] for k in pnames]
        for k, t, v in zip(pnames, ptensors, values):
            _check_value(k, t, v)
        if buffers is not None:
            bvals = [buffers[k] for k in bnames]
            for k, t, v in zip(bnames, btensors, bvals):
                _check_value(k, t, v)
        else:
            bvals = [b._value() for b in btensors]
        if rng is not None:
            if jax.dtypes.issubdtype(rng.dtype, jax.dtypes.prng_key):
                rng = jax.random.key_data(rng)
            keys = S.KeySource(make(rng, tuple(rng.shape), D.from_np(rng.dtype), dev))
            if not jax.config.jax_enable_x64 and any(
                    engine.is_tracer(v) for v in jax.tree_util.tree_leaves((rng, args))):
                keys = _refuse_x64_off
            err = None
        else:
            keys = None
            err = RuntimeError("functional_module: the module draws random numbers (dropout in "
                               "training mode?): pass rng=<a JAX PRNG key> to apply, or call "
                               "model.eval()")
        args, kwargs = jax.tree_util.tree_map(_host_to_jax, (args, kwargs))
        a2 = plain(to_tensors(ordered(args), dev))
        k2 = plain(to_tensors(ordered(kwargs), dev))
        with grad_mode.no_grad(), S.tracing_guards(keys, strict=False, rng_error=err), \
                S.Swap(ptensors + btensors, values + bvals) as sw:
            out = to_arrays(model(*a2, **k2))
            mutated = sw.mutated()
        n = len(ptensors)
        changed = {i - n: v for i, v in mutated if i >= n}
        if any(i < n for i, _ in mutated):
            raise RuntimeError("functional_module: the module changed a parameter in place "
                               "during forward")
        if buffers is None:
            if changed:
                raise RuntimeError(
                    f"functional_module: the module updates its buffers "
                    f"({', '.join(bnames[i] for i in sorted(changed))}) in forward: pass "
                    "buffers=module_buffers(model) to apply and use the new buffers it returns "
                    "(or call model.eval())")
            return out
        new = {k: changed.get(i, bvals[i]) for i, k in enumerate(bnames)}
        return out, new

    return params, apply


def _host_to_jax(v):
    import numpy as np
    if isinstance(v, np.ndarray):
        return jax.numpy.asarray(v)
    return v


def _refuse_x64_off(generator, device):
    # JAX lowers a jitted program under the caller's 64-bit setting; jtorch's random ops are
    # traced with 64-bit types on, and JAX's threefry lowering rejects that mix
    raise RuntimeError("functional_module: random ops (dropout) inside jax.jit need JAX's 64-bit "
                       "mode while the jitted function is called: wrap the call in "
                       "`with jax.enable_x64(True):` (or set JAX_ENABLE_X64=1)")


def load_params(model, params=None, buffers=None) -> None:
    """Copy ``{name: array}`` parameter (and buffer) values into ``model`` in place."""
    from . import no_grad
    named = dict(model.named_parameters())
    named.update(model.named_buffers())
    with no_grad():
        for k, v in list((params or {}).items()) + list((buffers or {}).items()):
            if k not in named:
                raise KeyError(f"load_params: the module has no parameter or buffer '{k}'")
            t = named[k]
            _check_value(k, t, v)
            t.copy_(from_jax(v))
