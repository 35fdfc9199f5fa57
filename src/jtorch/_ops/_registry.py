"""The op table's surface generator.

Each op is one frontend function (PyTorch's signature, ``input`` first) registered with
``@register``.  From that one definition come ``torch.X`` (with ``out=`` where PyTorch has it),
the method ``Tensor.X`` and the in-place method ``Tensor.X_``.  ``OPS`` is the table: tests and
docs/compatibility.md iterate over it.
"""
from __future__ import annotations

import functools

from . import _inplace

__all__ = ["register", "OPS", "Entry", "install"]


class Entry:
    __slots__ = ("name", "fn", "function", "method", "inplace", "out", "family", "aliases")

    def __init__(self, name, fn, function, method, inplace, out, family, aliases):
        self.name = name
        self.fn = fn
        self.function = function
        self.method = method
        self.inplace = inplace
        self.out = out
        self.family = family
        self.aliases = aliases

    def __repr__(self):
        return f"<op {self.name} ({self.family})>"


OPS: dict[str, Entry] = {}


def register(name=None, *, function=True, method=True, inplace=False, out=False, family=None,
             aliases=()):
    """Register a frontend as op ``name`` (default: the function's name).

    ``function``/``method`` say whether ``torch.name`` / ``Tensor.name`` exist; ``inplace`` adds
    ``Tensor.name_``; ``out`` gives ``torch.name`` PyTorch's ``out=`` keyword.  ``aliases`` are
    other names for the same op (``clip`` for ``clamp``).
    """

    def deco(fn):
        n = name or fn.__name__
        fam = family or fn.__module__.rsplit(".", 1)[-1]
        e = Entry(n, fn, function, method, inplace, out, fam, tuple(aliases))
        key = n
        if n in OPS:
            # a function and a method of one name may differ (torch.where(cond, x, y) and
            # Tensor.where(cond, y)); anything else registered twice is a mistake
            old = OPS[n]
            if (old.function and function) or (old.method and method) or n + "." in OPS:
                raise RuntimeError(f"op {n} registered twice")
            key = n + "."
        OPS[key] = e
        return fn

    return deco


def _with_out(fn, name):
    @functools.wraps(fn)
    def f(*args, out=None, **kwargs):
        result = fn(*args, **kwargs)
        if out is None:
            return result
        return _inplace.write_out(out, result, name)

    return f


def _inplace_method(fn, name):
    def f(self, *args, **kwargs):
        _inplace.check_inplace(self)
        return _inplace.apply_inplace(self, fn(self, *args, **kwargs))

    f.__name__ = f.__qualname__ = name + "_"
    f.__doc__ = f"In-place version of :meth:`Tensor.{name}`."
    return f


def install(namespace: dict, tensor_cls) -> None:
    """Attach every registered op to the torch namespace and to Tensor."""
    for e in OPS.values():
        names = (e.name,) + e.aliases
        fn = _with_out(e.fn, e.name) if e.out else e.fn
        for n in names:
            if e.function:
                namespace[n] = fn
            if e.method and n not in tensor_cls.__dict__:
                setattr(tensor_cls, n, e.fn)
            if e.inplace and n + "_" not in tensor_cls.__dict__:
                setattr(tensor_cls, n + "_", _inplace_method(e.fn, n))
