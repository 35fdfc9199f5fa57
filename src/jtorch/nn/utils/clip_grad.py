"""Gradient clipping: clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_.

Each call is one op over all the gradients (written back into ``.grad`` in place); nothing
syncs unless ``error_if_nonfinite=True`` asks to look at the norm.
"""
from __future__ import annotations

import types
import warnings

from ..._ops import nn_param as _k
from ..._ops.creation import tensor as _tensor
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]


def _as_list(parameters, warn_generator=False):
    if isinstance(parameters, Tensor):
        return [parameters]
    is_generator = isinstance(parameters, types.GeneratorType)
    parameters = list(parameters)
    if warn_generator and is_generator and len(parameters) == 0:
        warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                      stacklevel=3)
    return parameters


def _check_foreach(foreach, tensors):
    if foreach and tensors and tensors[0].device.type not in ("cuda", "cpu"):
        raise RuntimeError(f"foreach=True was passed, but can't use the foreach API on "
                           f"{tensors[0].device.type} tensors")


def _nonfinite_check(total, norm_type):
    # a sync: the norm's value decides whether to raise
    v = float(total)
    if v != v or v in (float("inf"), float("-inf")):
        raise RuntimeError(
            f"The total norm of order {float(norm_type)} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`")


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of ``tensors`` (what clip_grad_norm_ clips against)."""
    tensors = _as_list(tensors)
    if len(tensors) == 0:
        return _tensor(0.0)
    _check_foreach(foreach, tensors)
    with no_grad():
        total = _k.total_norm([t.detach() for t in tensors], norm_type)
    if error_if_nonfinite:
        _nonfinite_check(total, norm_type)
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients of ``parameters`` by min(1, max_norm / (total_norm + 1e-6))."""
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    _check_foreach(foreach, grads)
    with no_grad():
        _k.clip_by_total_norm(grads, max_norm, total_norm)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Clip the gradients of ``parameters`` (in place) so that their total ``norm_type`` norm
    is at most ``max_norm``; returns the total norm before clipping (a 0-d tensor).

    ``norm_type`` may be ``inf``; ``foreach`` is accepted (every clip is already one op).
    """
    parameters = _as_list(parameters, warn_generator=True)
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return _tensor(0.0)
    _check_foreach(foreach, grads)
    if error_if_nonfinite:
        total = get_total_norm(grads, norm_type, True, foreach)
        clip_grads_with_norm_(parameters, max_norm, total, foreach)
        return total
    with no_grad():
        return _k.clip_grad_norm(grads, max_norm, norm_type)


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of :func:`clip_grad_norm_`."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp the gradients of ``parameters`` in place to [-clip_value, clip_value]."""
    parameters = _as_list(parameters)
    clip_value = float(clip_value)
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    _check_foreach(foreach, grads)
    with no_grad():
        _k.clip_values(grads, clip_value)
