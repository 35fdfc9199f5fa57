"""``torch.return_types``: the named tuples ops like ``max(dim)`` and ``sort`` return.

PyTorch's are C "structseq" types: tuples with named fields, printed one field a line as
``torch.return_types.max(\\nvalues=...,\\nindices=...)``, built from one sequence
(``torch.return_types.max((v, i))``), read-only.  ``X_out`` is the type an op returns when
called with ``out=``.
"""
from __future__ import annotations

__all__ = ["aminmax", "cummax", "cummin", "frexp", "geqrf", "histogram", "histogramdd",
           "kthvalue", "linalg_cholesky_ex", "linalg_eig", "linalg_eigh", "linalg_inv_ex",
           "linalg_ldl_factor", "linalg_ldl_factor_ex", "linalg_lstsq", "linalg_lu",
           "linalg_lu_factor", "linalg_lu_factor_ex", "linalg_qr", "linalg_slogdet",
           "linalg_solve_ex", "linalg_svd", "lu_unpack", "max", "median", "min", "mode",
           "nanmedian", "qr", "slogdet", "sort", "svd", "topk", "triangular_solve"]


class _StructSeq(tuple):
    """Base of the return types: a tuple whose items are also named fields."""

    __slots__ = ()
    _fields_: tuple = ()
    n_fields = n_sequence_fields = 0
    n_unnamed_fields = 0

    def __new__(cls, sequence=()):
        seq = tuple(sequence)
        n = len(cls._fields_)
        if len(seq) != n:
            raise TypeError(f"torch.return_types.{cls.__name__}() takes a {n}-sequence "
                            f"({len(seq)}-sequence given)")
        return tuple.__new__(cls, seq)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields_, self))
        return f"torch.return_types.{type(self).__name__}(\n{body})"

    __str__ = __repr__

    def __reduce__(self):
        return (type(self), (tuple(self),))


class _field:
    """A read-only named field (item ``i``), as structseq members are."""

    __slots__ = ("i",)

    def __init__(self, i):
        self.i = i

    def __get__(self, obj, cls=None):
        return self if obj is None else tuple.__getitem__(obj, self.i)

    def __set__(self, obj, value):
        raise AttributeError("readonly attribute")

    def __delete__(self, obj):
        raise AttributeError("readonly attribute")


def structseq(name, fields):
    """A return type ``name`` with the given field names (and its ``name_out`` twin)."""
    def make(n):
        ns = {"__slots__": (), "_fields_": tuple(fields), "n_fields": len(fields),
              "n_sequence_fields": len(fields), "__module__": __name__}
        for i, f in enumerate(fields):
            ns[f] = _field(i)
        cls = type(n, (_StructSeq,), ns)
        cls.__qualname__ = n
        return cls

    cls = make(name)
    out = make(name + "_out")
    cls._out_type = out
    out._out_type = out
    return cls, out


_TYPES = {
    "aminmax": ("min", "max"),
    "cummax": ("values", "indices"),
    "cummin": ("values", "indices"),
    "frexp": ("mantissa", "exponent"),
    "geqrf": ("a", "tau"),
    "histogram": ("hist", "bin_edges"),
    "histogramdd": ("hist", "bin_edges"),
    "kthvalue": ("values", "indices"),
    "linalg_cholesky_ex": ("L", "info"),
    "linalg_eig": ("eigenvalues", "eigenvectors"),
    "linalg_eigh": ("eigenvalues", "eigenvectors"),
    "linalg_inv_ex": ("inverse", "info"),
    "linalg_ldl_factor": ("LD", "pivots"),
    "linalg_ldl_factor_ex": ("LD", "pivots", "info"),
    "linalg_lstsq": ("solution", "residuals", "rank", "singular_values"),
    "linalg_lu": ("P", "L", "U"),
    "linalg_lu_factor": ("LU", "pivots"),
    "linalg_lu_factor_ex": ("LU", "pivots", "info"),
    "linalg_qr": ("Q", "R"),
    "linalg_slogdet": ("sign", "logabsdet"),
    "linalg_solve_ex": ("result", "info"),
    "linalg_svd": ("U", "S", "Vh"),
    "lu_unpack": ("P", "L", "U"),
    "max": ("values", "indices"),
    "median": ("values", "indices"),
    "min": ("values", "indices"),
    "mode": ("values", "indices"),
    "nanmedian": ("values", "indices"),
    "qr": ("Q", "R"),
    "slogdet": ("sign", "logabsdet"),
    "sort": ("values", "indices"),
    "svd": ("U", "S", "V"),
    "topk": ("values", "indices"),
    "triangular_solve": ("solution", "cloned_coefficient"),
}

for _name, _fields in _TYPES.items():
    globals()[_name], globals()[_name + "_out"] = structseq(_name, _fields)
del _name, _fields
