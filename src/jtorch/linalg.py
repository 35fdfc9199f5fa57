"""torch.linalg: matrix products, decompositions, solvers and norms.

Every function here is a frontend over the op table (``jtorch/_ops/linalg*.py``); this module
only gives them their ``torch.linalg`` names and PyTorch's ``out=`` keyword.
"""
from __future__ import annotations

import functools

from ._ops import _inplace
from ._ops.linalg import linalg_cross as _cross
from ._ops.linalg import matmul as _matmul
from ._ops.linalg import multi_dot as _multi_dot
from ._ops.linalg import vecdot as _vecdot

__all__ = ["cross", "matmul", "multi_dot", "vecdot"]


def _out(fn, name):
    """Add PyTorch's ``out=`` keyword to a torch.linalg function."""

    @functools.wraps(fn)
    def f(*args, out=None, **kwargs):
        result = fn(*args, **kwargs)
        if out is None:
            return result
        return _inplace.write_out(out, result, "linalg_" + name)

    return f


cross = _out(_cross, "cross")
matmul = _out(_matmul, "matmul")
multi_dot = _out(_multi_dot, "multi_dot")
vecdot = _out(_vecdot, "vecdot")
