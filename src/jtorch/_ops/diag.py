"""Diagonal and triangular copies: diag, diag_embed, diagflat, triu, tril, tril_indices,
triu_indices, block_diag."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from .._promotion import result_type_sigs
from .._tensor import Tensor
from ._registry import register
from ._util import wrap_dim

__all__ = ["diag", "diag_embed", "diagflat", "triu", "tril", "tril_indices", "triu_indices",
           "block_diag"]


def _diag_embed_impl(x, offset, d1, d2):
    n = x.shape[-1]
    m = n + abs(offset)
    r = np.arange(n) + max(-offset, 0)
    c = np.arange(n) + max(offset, 0)
    out = jnp.zeros(x.shape[:-1] + (m, m), x.dtype)
    out = out.at[..., r, c].set(x, unique_indices=True)
    return jnp.moveaxis(out, (-2, -1), (d1, d2))


_DIAG_EMBED = engine.Op("diag_embed", _diag_embed_impl, grad="DiagEmbedBackward0", linear=True)


@register()
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose diagonals (of dims ``dim1``, ``dim2``) are the last dim of ``input``;
    zero elsewhere."""
    nd = input.ndim + 1
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return dispatch(_DIAG_EMBED, (input,), (int(offset), d1, d2))


_DIAG_COPY = engine.Op("diag", lambda x, k: jnp.diagonal(x, k), grad="DiagonalBackward0_copy",
                       linear=True)


@register(out=True)
def diag(input, diagonal=0):
    """A 1-d tensor -> the square matrix with it on the ``diagonal``-th diagonal; a matrix ->
    its ``diagonal``-th diagonal (a copy)."""
    if input.ndim not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    if input.ndim == 1:
        return dispatch(_DIAG_EMBED, (input,), (int(diagonal), 0, 1))
    return dispatch(_DIAG_COPY, (input,), (int(diagonal),))


@register()
def diagflat(input, offset=0):
    """The flattened ``input`` placed on the ``offset``-th diagonal of a square matrix."""
    return dispatch(_DIAG_EMBED, (input.reshape(-1),), (int(offset), 0, 1))


_TRIU = engine.Op("triu", lambda x, k: jnp.triu(x, k), grad="TriuBackward0", linear=True)
_TRIL = engine.Op("tril", lambda x, k: jnp.tril(x, k), grad="TrilBackward0", linear=True)


@register(inplace=True, out=True)
def triu(input, diagonal=0):
    """The upper triangle (on and above the ``diagonal``-th diagonal) of the last two dims."""
    if input.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return dispatch(_TRIU, (input,), (int(diagonal),))


@register(inplace=True, out=True)
def tril(input, diagonal=0):
    """The lower triangle (on and below the ``diagonal``-th diagonal) of the last two dims."""
    if input.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return dispatch(_TRIL, (input,), (int(diagonal),))


def _tri_indices(name, np_fn, row, col, offset, dtype, device):
    from .creation import host_tensor
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    dtype = D.int64 if dtype is None else dtype
    if not dtype.is_integral or dtype is D.bool_:
        raise NotImplementedError(f"\"{name}\" not implemented for '{D._short(dtype)}'")
    r, c = np_fn(row, offset, col)
    return host_tensor(np.stack([r, c]).astype(dtype.np).reshape(2, -1), dtype, device)


@register(method=False)
def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, col) indices of the lower triangle of a ``row x col`` matrix, as a 2 x N
    tensor (row-major order)."""
    return _tri_indices("tril_indices", np.tril_indices, row, col, offset, dtype, device)


@register(method=False)
def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, col) indices of the upper triangle of a ``row x col`` matrix, as a 2 x N
    tensor (row-major order)."""
    return _tri_indices("triu_indices", np.triu_indices, row, col, offset, dtype, device)


def _block_diag_impl(*a):
    *blocks, shapes, np_dtype = a
    rows = sum(s[0] for s in shapes)
    cols = sum(s[1] for s in shapes)
    out = jnp.zeros((rows, cols), np_dtype)
    r = c = 0
    for b, (h, w) in zip(blocks, shapes):
        out = out.at[r:r + h, c:c + w].set(b.reshape(h, w).astype(np_dtype))
        r += h
        c += w
    return out


def _block_diag_prepare(sigs, static):
    (shapes,) = static
    return (shapes, result_type_sigs(sigs).np)


_BLOCK_DIAG = engine.Op("block_diag", _block_diag_impl, prepare=_block_diag_prepare,
                        grad="BlockDiagBackward0", linear=True)


@register(method=False)
def block_diag(*tensors):
    """The tensors (0-d, 1-d as a row, or 2-d) arranged along the diagonal of a matrix."""
    if not tensors:
        from .creation import zeros
        return zeros(1, 0)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.ndim} dimensions")
    shapes = tuple((1, 1) if t.ndim == 0 else (1, t._shape[0]) if t.ndim == 1 else t._shape
                   for t in tensors)
    return dispatch(_BLOCK_DIAG, tuple(tensors), (shapes,))
