"""nn.functional lookups: embedding, embedding_bag, one_hot.

Index checks that need index *values* (out of range, offsets[0] != 0) run only when the index
tensor is already concrete (a host or computed array, not a pending value), so a training step
never syncs for them; JAX clamps out-of-range gathers where the check did not run.
"""
from __future__ import annotations

import jax
import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch, dispatch_nograd
from .._engine import core as engine
from .._tensor import Tensor
from ._registry import register
from ..autograd.grad_mode import no_grad

__all__ = ["embedding", "embedding_bag", "one_hot"]


def _cast(x, dt):
    return lax.convert_element_type(x, dt)


def _concrete_values(t):
    """``t``'s values as numpy if they are available without running pending work."""
    r = t._ref()
    if isinstance(r, engine.Pending):
        if r.value is None:
            return None
    return np.asarray(t._numpy_view())


def _check_index_dtype(indices, what):
    if indices.dtype not in (D.int64, D.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {indices.type()} instead "
                           f"(while checking arguments for {what})")


def _check_range(indices, n):
    v = _concrete_values(indices)
    if v is not None and v.size and (v.min() < 0 or v.max() >= n):
        raise IndexError("index out of range in self")


# --------------------------------------------------------------------------------------------
# embedding


def _embedding_prepare(sigs, static):
    (ws, wd), (xs, xd) = sigs
    if len(ws) != 2:
        raise RuntimeError("'weight' must be 2-D")
    return static


def _embedding_impl(w, idx, padding_idx, scale_grad_by_freq):
    if padding_idx >= 0:
        # the padding row gets no gradient
        w = w.at[padding_idx].set(lax.stop_gradient(w[padding_idx]))
    out = jnp.take(w, idx, axis=0, mode="clip")
    if scale_grad_by_freq:
        counts = jnp.zeros((w.shape[0],), w.dtype).at[idx.reshape(-1)].add(1)
        scale = jnp.take(1 / jnp.maximum(counts, 1), idx, mode="clip")[..., None]
        # same value, gradient divided by each index's frequency in the batch
        out = lax.stop_gradient(out) + (out - lax.stop_gradient(out)) * scale
    return out


_EMBEDDING = engine.Op("embedding", _embedding_impl, prepare=_embedding_prepare,
                       grad="EmbeddingBackward0", nondiff=(1,))


def _renorm_impl(w, idx, max_norm, norm_type):
    rows = jnp.zeros((w.shape[0],), bool).at[idx.reshape(-1)].set(True)
    from .nn_norm import vector_norm_body
    norms = vector_norm_body(_cast(w, jnp.float32) if w.dtype.itemsize < 4 else w, norm_type,
                             1, keepdims=True)
    scale = jnp.where(rows[:, None] & (norms > max_norm), max_norm / (norms + 1e-7), 1)
    return _cast(w * scale, w.dtype)


_EMBEDDING_RENORM = engine.Op("embedding_renorm_", _renorm_impl)


def embedding_renorm_(weight, indices, max_norm, norm_type):
    """Rescale (in place) the rows of ``weight`` used by ``indices`` to norm <= max_norm."""
    new = dispatch_nograd(_EMBEDDING_RENORM, (weight, indices), (float(max_norm),
                                                                 float(norm_type)))
    with no_grad():
        weight.copy_(new)
    return weight


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` selected by the integer ``input`` (output ``input.shape + (dim,)``).

    ``padding_idx`` rows get no gradient; ``max_norm`` renormalises the looked-up rows of
    ``weight`` in place first.  Differences from PyTorch: ``sparse=True`` still gives a dense
    gradient.
    """
    if padding_idx is not None:
        if padding_idx > 0:
            if not padding_idx < weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if not padding_idx >= -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding(): argument 'indices' (position 2) must be Tensor, not "
                        f"{type(input).__name__}")
    _check_index_dtype(input, "embedding")
    if weight.dim() == 2:
        _check_range(input, weight.size(0))
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
    return dispatch(_EMBEDDING, (weight, input), (int(padding_idx), bool(scale_grad_by_freq)))


# --------------------------------------------------------------------------------------------
# embedding_bag


def _bag_prepare(sigs, static):
    mode, n_bags, include_last, padding_idx, has_psw = static
    (ws, wd) = sigs[0]
    if len(ws) != 2:
        raise RuntimeError("'weight' must be 2-D")
    return static + (P.opmath(wd).np, wd.np)


def _bag_impl(w, idx, offsets, *rest):
    *psw, mode, n_bags, include_last, padding_idx, has_psw, ct, rt = rest
    n = idx.shape[0]
    pos = jnp.arange(n)
    # bag of each index: the last offset <= its position
    seg = jnp.searchsorted(offsets, pos, side="right") - 1
    valid = jnp.ones((n,), bool) if padding_idx < 0 else idx != padding_idx
    if include_last:
        valid = valid & (pos < offsets[-1])
    seg = jnp.where(valid, seg, n_bags)  # invalid entries go to a dropped extra segment
    rows = _cast(jnp.take(w, idx, axis=0, mode="clip"), ct)
    if has_psw:
        rows = rows * _cast(psw[0], ct)[:, None]
    if mode == "max":
        out = jax.ops.segment_max(rows, seg, num_segments=n_bags + 1)[:n_bags]
        counts = jax.ops.segment_sum(jnp.ones((n,), ct), seg, num_segments=n_bags + 1)[:n_bags]
        out = jnp.where(counts[:, None] > 0, out, 0)
    else:
        out = jax.ops.segment_sum(rows, seg, num_segments=n_bags + 1)[:n_bags]
        if mode == "mean":
            counts = jax.ops.segment_sum(jnp.ones((n,), ct), seg, num_segments=n_bags + 1)
            out = out / jnp.maximum(counts[:n_bags], 1)[:, None]
    return _cast(out, rt)


_EMBEDDING_BAG = engine.Op("embedding_bag", _bag_impl, prepare=_bag_prepare,
                           grad="EmbeddingBagBackward0", nondiff=(1, 2))


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxima of bags of embeddings, without materialising the rows.

    ``input`` 2-D: each row is a bag; 1-D: bags start at ``offsets``.
    """
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         f"not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if not weight.dim() == 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             f"type {_class_str(offsets)}")
        from .creation import arange
        offsets = arange(0, input.numel(), input.size(1), dtype=input.dtype, device=input.device)
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    if mode == "sum":
        pass
    elif mode not in ("mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported "
            f"for mode='sum' (got mode='{mode}'). Please open a feature request on GitHub.")
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    _check_index_dtype(input, "embedding_bag")
    _check_range(input, weight.size(0))
    off = _concrete_values(offsets)
    if off is not None and off.size and off[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {int(off[0])}\n"
                           f"[ {offsets.type()}{{}} ]")
    n_bags = offsets.size(0) - (1 if include_last_offset else 0)
    args = (weight, input, offsets) + ((per_sample_weights,) if per_sample_weights is not None
                                       else ())
    static = (mode, n_bags, bool(include_last_offset), int(padding_idx),
              per_sample_weights is not None)
    return dispatch(_EMBEDDING_BAG, args, static)


def _class_str(obj):
    cls = type(obj)
    mod = cls.__module__
    if mod == "jtorch" or mod.startswith("jtorch."):
        mod = "torch" + mod[len("jtorch"):]
    return f"<class '{mod}.{cls.__qualname__}'>"


# --------------------------------------------------------------------------------------------
# one_hot


def _one_hot_impl(x, num_classes):
    return (x[..., None] == jnp.arange(num_classes, dtype=x.dtype)).astype(jnp.int64)


_ONE_HOT = engine.Op("one_hot", _one_hot_impl)


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding of an int64 tensor (``num_classes=-1``: max + 1, a sync)."""
    if tensor.dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        v = np.asarray(tensor._numpy_view())
        if v.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        num_classes = int(v.max()) + 1
    else:
        v = _concrete_values(tensor)
        if v is not None and v.size:
            if v.min() < 0:
                raise RuntimeError("Class values must be non-negative.")
            if v.max() >= num_classes:
                raise RuntimeError("Class values must be smaller than num_classes.")
        elif num_classes < -1:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return dispatch_nograd(_ONE_HOT, (tensor,), (int(num_classes),))


@register("embedding", method=False)
def _torch_embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """``torch.embedding(weight, indices, ...)`` (ATen's argument order)."""
    _check_index_dtype(indices, "embedding")
    if weight.dim() == 2:
        _check_range(indices, weight.size(0))
    return dispatch(_EMBEDDING, (weight, indices), (int(padding_idx), bool(scale_grad_by_freq)))
