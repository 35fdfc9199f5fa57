"""PyTorch's named-tuple results (``torch.return_types.*``) for the linalg ops.

The classes are ``jtorch.return_types``' (one class per name for every family, so
``isinstance(r, torch.return_types.slogdet)`` holds): a tuple subclass with named fields,
constructed from one sequence (as PyTorch's structseq types are, so ``out=`` can rebuild it)
and printed as PyTorch prints it::

    torch.return_types.linalg_slogdet(
    sign=tensor(1.),
    logabsdet=tensor(0.6931))
"""
from __future__ import annotations

from .. import return_types as _rt

__all__ = ["structseq", "TYPES"]

TYPES: dict = {}


def structseq(name, fields):
    """The ``torch.return_types.<name>`` class with these field names (cached by name)."""
    cls = TYPES.get(name)
    if cls is not None:
        return cls
    cls = getattr(_rt, name, None)
    if cls is None or cls._fields_ != tuple(fields):
        cls, out = _rt.structseq(name, fields)
        setattr(_rt, name, cls)
        setattr(_rt, name + "_out", out)
    TYPES[name] = cls
    return cls
