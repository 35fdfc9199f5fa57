"""PyTorch's argument-parser errors: the TypeErrors a torch function raises for bad arguments.

PyTorch's C++ parser matches a call against the op's overloads.  When exactly one overload
takes that many arguments it names the offending argument (``add(): argument 'other'
(position 2) must be Tensor, not str``); otherwise it lists every overload (``eq() received an
invalid combination of arguments - got (Tensor, str), but expected one of: ...``).  Frontends
check their arguments with cheap ``isinstance`` tests and call ``arg_error`` only on failure.
"""
from __future__ import annotations

import numpy as np

__all__ = ["arg_error", "type_name"]

_NUMBER = (bool, int, float, complex, np.bool_, np.number)


def type_name(x):
    """The type name PyTorch's parser prints for an argument."""
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return "Tensor"
    t = type(x)
    if t.__module__ not in ("builtins", None):
        return f"{t.__module__}.{t.__qualname__}"
    return t.__name__


class _Param:
    __slots__ = ("type", "name", "default", "kwonly")

    def __init__(self, text, kwonly):
        decl, _, default = text.partition(" = ")
        self.type, _, self.name = decl.rpartition(" ")
        self.default = default or None
        self.kwonly = kwonly

    def matches(self, x, describing=False):
        from .._tensor import Tensor
        t = self.type
        optional = t.endswith("?")
        if optional:
            if x is None:
                return True
            t = t[:-1]
        if t == "Tensor":
            return isinstance(x, Tensor)
        if t == "Number":
            # PyTorch's description of a failed overload never counts a Number as matching
            return not describing and isinstance(x, _NUMBER)
        if t == "int":
            return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))
        if t == "float":
            return isinstance(x, (int, float, np.integer, np.floating)) and \
                not isinstance(x, (bool, np.bool_))
        if t == "bool":
            return isinstance(x, (bool, np.bool_))
        if t == "str":
            return isinstance(x, str)
        return False


class _Signature:
    __slots__ = ("text", "params", "positional", "has_star")

    def __init__(self, text):
        self.text = text
        self.params = []
        kwonly = False
        self.has_star = False
        for part in (p.strip() for p in text.split(",")) if text else ():
            if part == "*":
                kwonly = self.has_star = True
                continue
            self.params.append(_Param(part, kwonly))
        self.positional = [p for p in self.params if not p.kwonly]

    def arity(self):
        return sum(p.default is None for p in self.params), len(self.params)


def _desc(args, kwargs, marks=None):
    parts = []
    for i, a in enumerate(args):
        n = type_name(a)
        parts.append(f"!{n}!" if marks is not None and marks[i] else n)
    for k in sorted(kwargs):
        n = type_name(kwargs[k])
        bad = marks is not None and marks.get(k)
        parts.append(f"{k}=!{n}!" if bad else f"{k}={n}")
    return "(" + ", ".join(parts) + ")"


def _marks(sig, args, kwargs):
    """Which arguments do not fit ``sig`` (None if the call cannot fit it at all)."""
    if len(args) > len(sig.positional):
        return None
    marks = {}
    for i, (a, p) in enumerate(zip(args, sig.positional)):
        marks[i] = not p.matches(a, describing=True)
    by_name = {p.name: p for p in sig.params}
    for k, v in kwargs.items():
        if k not in by_name:
            return None
        marks[k] = not by_name[k].matches(v, describing=True)
    return marks


def arg_error(fname, signatures, args, kwargs=None):
    """The TypeError PyTorch raises when ``fname(*args, **kwargs)`` fits none of its overloads.

    ``signatures`` are PyTorch's overloads as printed, without parentheses, e.g.
    ``"Tensor input, Tensor other, *, Tensor out = None"`` (methods omit ``self``).
    """
    kwargs = kwargs or {}
    sigs = [_Signature(s) for s in signatures]
    n = len(args) + len(kwargs)
    plausible = [s for s in sigs if s.arity()[0] <= n <= s.arity()[1]]
    if len(plausible) == 1:
        sig = plausible[0]
        for i, (a, p) in enumerate(zip(args, sig.positional)):
            if not p.matches(a):
                return TypeError(f"{fname}(): argument '{p.name}' (position {i + 1}) must be "
                                 f"{p.type.rstrip('?')}, not {type_name(a)}")
        by_name = {p.name: p for p in sig.params}
        for k, v in kwargs.items():
            p = by_name.get(k)
            if p is not None and not p.matches(v):
                return TypeError(f"{fname}(): argument '{k}' must be {p.type.rstrip('?')}, not "
                                 f"{type_name(v)}")
    msg = f"{fname}() received an invalid combination of arguments - got {_desc(args, kwargs)}, "
    if len(sigs) == 1:
        return TypeError(msg + f"but expected ({sigs[0].text})")
    msg += "but expected one of:\n"
    for s in sigs:
        msg += f" * ({s.text})\n"
        # PyTorch describes why an overload failed only for overloads without keyword-only or
        # defaulted parameters
        plain = not s.has_star and all(p.default is None for p in s.params)
        marks = _marks(s, args, kwargs) if plain else None
        if marks is not None and n >= s.arity()[0]:
            msg += ("      didn't match because some of the arguments have invalid types: "
                    f"{_desc(args, kwargs, marks)}\n")
    return TypeError(msg)
