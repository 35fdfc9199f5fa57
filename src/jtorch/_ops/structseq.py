"""PyTorch's named-tuple results (``torch.return_types.*``) for the linalg ops.

A result is a tuple subclass with named fields, constructed from one sequence (as PyTorch's
structseq types are, so ``out=`` can rebuild it) and printed as PyTorch prints it::

    torch.return_types.linalg_slogdet(
    sign=tensor(1.),
    logabsdet=tensor(0.6931))
"""
from __future__ import annotations

__all__ = ["structseq", "TYPES"]

TYPES: dict = {}


def structseq(name, fields):
    """The ``torch.return_types.<name>`` class with these field names (cached by name)."""
    cls = TYPES.get(name)
    if cls is not None:
        return cls

    def __new__(c, sequence):
        seq = tuple(sequence)
        if len(seq) != len(fields):
            raise TypeError(f"torch.return_types.{name}() takes a {len(fields)}-sequence "
                            f"({len(seq)}-sequence given)")
        return tuple.__new__(c, seq)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    def __reduce__(self):
        return (cls, (tuple(self),))

    ns = {"__new__": __new__, "__repr__": __repr__, "__str__": __repr__,
          "__reduce__": __reduce__, "__slots__": (), "n_fields": len(fields),
          "n_sequence_fields": len(fields), "n_unnamed_fields": 0,
          "__doc__": f"torch.return_types.{name}({', '.join(fields)})"}
    for i, f in enumerate(fields):
        ns[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    cls = type(name, (tuple,), ns)
    cls.__module__ = "torch.return_types"
    TYPES[name] = cls
    return cls
