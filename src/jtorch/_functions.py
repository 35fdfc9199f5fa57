"""Module-level helpers of ``torch``: constants, thread and determinism settings, ``typename``,
``set_default_tensor_type``, ``range``, ``frombuffer`` and the function forms of in-place
methods (``torch.relu_(x)``, ``torch.zero_(x)``, ...)."""
from __future__ import annotations

import math
import os
import warnings

import numpy as np

from . import _dtype as D
from ._tensor import Tensor

__all__ = ["pi", "e", "inf", "nan", "newaxis", "set_num_threads", "get_num_threads",
           "set_num_interop_threads", "get_num_interop_threads", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_warn_always", "is_warn_always_enabled",
           "typename", "is_storage", "set_default_tensor_type", "range", "frombuffer",
           "detach"]

pi = math.pi
e = math.e
inf = math.inf
nan = math.nan
newaxis = None


# --------------------------------------------------------------------------------------------
# threads: recorded and reported; XLA sizes its own CPU thread pool, so they change nothing

def _cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_threads = {"intra": None, "inter": None}


def set_num_threads(num):
    """Record the number of intra-op threads (XLA manages its own CPU threads)."""
    if not isinstance(num, int) or isinstance(num, bool) or num <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _threads["intra"] = num


def get_num_threads():
    """The number of intra-op threads (default: the CPUs this process may use)."""
    return _threads["intra"] or _cpus()


def set_num_interop_threads(num):
    """Record the number of inter-op threads (XLA manages its own CPU threads)."""
    if not isinstance(num, int) or isinstance(num, bool) or num <= 0:
        raise RuntimeError("Number of inter-op threads must be positive")
    _threads["inter"] = num


def get_num_interop_threads():
    return _threads["inter"] or _cpus()


# --------------------------------------------------------------------------------------------
# determinism: XLA's CPU and GPU programs are deterministic for a given program; the flags
# are kept so scripts can set and read them

_determinism = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Ask for deterministic algorithms (jtorch's XLA programs already are)."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' (position 1) must be "
                        f"bool, not {type(mode).__name__}")
    _determinism["mode"] = mode
    _determinism["warn_only"] = bool(warn_only) if mode else False


def are_deterministic_algorithms_enabled():
    return _determinism["mode"]


def is_deterministic_algorithms_warn_only_enabled():
    return _determinism["warn_only"]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode):
    """0/'default', 1/'warn' (deterministic, warn only) or 2/'error' (deterministic)."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode == 0:
        use_deterministic_algorithms(False)
    elif debug_mode == 1:
        use_deterministic_algorithms(True, warn_only=True)
    elif debug_mode == 2:
        use_deterministic_algorithms(True)
    else:
        raise RuntimeError("invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")


def get_deterministic_debug_mode():
    if not _determinism["mode"]:
        return 0
    return 1 if _determinism["warn_only"] else 2


_warn_always = [False]


def set_warn_always(b):
    """Warn every time instead of once for warnings PyTorch issues once per process."""
    _warn_always[0] = bool(b)


def is_warn_always_enabled():
    return _warn_always[0]


# --------------------------------------------------------------------------------------------
# types

def typename(obj):
    """``'torch.FloatTensor'`` for tensors, else the object's qualified type name."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = type(obj).__module__ or ""
        qualname = type(obj).__qualname__
    if module.startswith("jtorch"):
        module = "torch" + module[len("jtorch"):]
    if module in ("", "builtins"):
        return qualname
    return f"{module}.{qualname}"


def is_storage(obj):
    """True for storage objects (``Tensor.untyped_storage()``)."""
    from ._storage import UntypedStorage
    return isinstance(obj, UntypedStorage)


def set_default_tensor_type(t):
    """Deprecated: set the default floating dtype from a tensor type (``'torch.DoubleTensor'``
    or ``torch.DoubleTensor``)."""
    from . import set_default_dtype
    from ._ops.creation import LEGACY
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    name = t if isinstance(t, str) else getattr(t, "__name__", None)
    if isinstance(t, str):
        name = t.rsplit(".", 1)[-1]
        if not t.startswith("torch.") or name not in LEGACY:
            raise TypeError(f"invalid type: '{t}'")
    cls = LEGACY.get(name)
    if cls is None:
        raise TypeError(f"invalid type: '{t}'")
    dt = cls.dtype
    if not dt.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    set_default_dtype(dt)


# --------------------------------------------------------------------------------------------
# creation

def range(start, end, step=1, *, out=None, dtype=None, layout=None, device=None,  # noqa: A001
          requires_grad=False, pin_memory=False):
    """Deprecated: values from ``start`` to ``end`` *inclusive* by ``step`` (default dtype)."""
    from ._ops.creation import arange
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    vals = [float(v) if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(math.floor((end - start) / step)) + 1
    dt = dtype if dtype is not None else D.get_default_dtype()
    # start + i * step computed in double precision, as PyTorch's kernel accumulates
    r = arange(n, dtype=D.float64, device=device) * step + start
    r = r.to(dt)
    if out is not None:
        out.resize_(r.shape).copy_(r)
        return out
    return r.requires_grad_(requires_grad) if requires_grad else r


_frombuffer_warned = [False]


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over the bytes of a Python buffer (``bytes``, ``bytearray``, ...)."""
    from ._ops.creation import from_numpy
    mv = memoryview(buffer)
    size = mv.nbytes
    item = dtype.itemsize
    if offset < 0 or offset > size:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({size} bytes) minus 1")
    if count <= 0 and count != -1:
        raise ValueError(f"count must be either -1 or greater than 0, but got {count}")
    if count == -1:
        if (size - offset) % item != 0:
            raise ValueError(f"buffer length ({size - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({item})")
        count = (size - offset) // item
    elif offset + count * item > size:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({size} bytes)")
    if mv.readonly and not _frombuffer_warned[0]:
        _frombuffer_warned[0] = True
        warnings.warn("The given buffer is not writable, and PyTorch does not support "
                      "non-writable tensors. This means you can write to the underlying "
                      "(supposedly non-writable) buffer using the tensor. You may want to copy "
                      "the buffer to protect its data or make it writable before converting it "
                      "to a tensor. This type of warning will be suppressed for the rest of this "
                      "program.", UserWarning, stacklevel=2)
    a = np.frombuffer(buffer, dtype=dtype.np, count=count, offset=offset)
    t = from_numpy(a if not mv.readonly else a.copy())
    return t.requires_grad_(True) if requires_grad else t


def detach(input):
    """``input.detach()``: the same data, cut from the autograd graph."""
    return input.detach()


# --------------------------------------------------------------------------------------------
# torch.X_(input, ...) for the in-place methods PyTorch also exposes as functions

_INPLACE_FUNCTIONS = """
abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ atan_
atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ conj_physical_ cos_ cosh_ deg2rad_ detach_ erf_
erfc_ exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ gcd_ i0_ lcm_ ldexp_ log10_ log1p_ log2_ log_
logit_ nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ relu_ resize_as_ round_ rsqrt_ sigmoid_
sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ xlogy_ zero_ as_strided_
""".split()


def _inplace_function(name):
    method = getattr(Tensor, name)

    def f(input, *args, **kwargs):
        return method(input, *args, **kwargs)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``input.{name}(...)``: in-place, returns ``input``."
    return f


def inplace_functions():
    """``{name: function}`` for the ``torch.X_`` functions whose method Tensor has."""
    return {n: _inplace_function(n) for n in _INPLACE_FUNCTIONS if hasattr(Tensor, n)}

