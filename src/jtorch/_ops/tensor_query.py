"""Small tensor utilities: is_nonzero, is_same_size, sum_to_size, fill_diagonal_, fill,
new_empty_strided, and the CPU callables apply_/map_/map2_."""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from . import _inplace
from ._argparse import arg_error
from ._registry import register

__all__ = ["is_nonzero", "is_same_size", "sum_to_size", "fill_diagonal_", "fill",
           "new_empty_strided", "apply_", "map_", "map2_"]


@register()
def is_nonzero(input):
    """True if the single value of ``input`` is not zero (PyTorch's errors otherwise)."""
    if not isinstance(input, Tensor):
        raise arg_error("is_nonzero", ("Tensor input",), (input,))
    return bool(input)


@register()
def is_same_size(input, other):
    """True if ``input`` and ``other`` have the same shape."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise arg_error("is_same_size", ("Tensor input, Tensor other",), (input, other))
    return input._shape == other._shape


def _fmt(shape):
    return "{[" + ", ".join(map(str, shape)) + "]}"


@register(function=False)
def sum_to_size(self, *size):
    """Sum ``self`` down to ``size``, which must be expandable to ``self``'s shape."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(int(s) for s in size)
    shape = self._shape
    lead = len(shape) - len(size)
    ok = lead >= 0 and all(s == d or s == 1 for s, d in zip(size, shape[lead:]))
    if not ok:
        raise RuntimeError(f"size {_fmt(size)} is not expandable to size {_fmt(shape)}.")
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size)
                                       if s == 1 and shape[lead + i] != 1)
    if not dims:
        return self
    r = self.sum(dims, keepdim=True)
    return r.view(size) if lead else r


@register(function=False)
def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (all indices equal) with ``fill_value``; ``wrap`` continues it
    below a tall matrix's square part every ``columns + 1`` rows, as PyTorch does."""
    shape = self._shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and any(s != shape[0] for s in shape):
        raise RuntimeError("all dimensions of input must be of equal length")
    h, w = shape[0], shape[1]
    numel = int(np.prod(shape))
    # flat (row-major) positions of the diagonal, as PyTorch's as_strided walk finds them
    step = sum(int(np.prod(shape[i + 1:])) for i in range(len(shape)))
    n = min(h, w)
    pos = [k * step for k in range(n)]
    if wrap and len(shape) == 2 and h > w + 1:
        wrap_size = (numel + w) // (w + 1) - n
        start = w * (w + 1)
        pos += [start + k * step for k in range(wrap_size)]
    mask = np.zeros(numel, bool)
    mask[[p for p in pos if p < numel]] = True
    from .creation import tensor
    return self.masked_fill_(tensor(mask.reshape(shape), device=self.device), fill_value)


@register(method=False)
def fill(input, value):
    """A new tensor shaped like ``input`` filled with ``value`` (``input`` is unchanged)."""
    if not isinstance(input, Tensor):
        raise arg_error("fill", ("Tensor input, Tensor value", "Tensor input, Number value"),
                        (input, value))
    return input.clone().fill_(value)


@register(function=False)
def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False,
                      layout=None, pin_memory=False):
    """``torch.empty_strided`` with this tensor's dtype and device (unless overridden)."""
    from .creation import empty_strided
    return empty_strided(size, stride, dtype=dtype if dtype is not None else self._dtype,
                         device=device if device is not None else self.device,
                         requires_grad=requires_grad)


def _callable_inplace(name, self, others, fn):
    if self.requires_grad:
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                           f"var.detach().{name}() instead.")
    if self.device.type != "cpu":
        raise TypeError(f"{name} is only implemented on CPU tensors")
    arrays = [self._numpy_view()] + [np.broadcast_to(o._numpy_view(), self._shape)
                                    for o in others]
    cast = (complex if self._dtype.is_complex else float if self._dtype.is_floating_point
            else bool if self._dtype is D.bool_ else int)
    flat = [a.reshape(-1).tolist() for a in arrays]
    values = [cast(fn(*vals)) for vals in zip(*flat)]
    out = np.asarray(values, dtype=arrays[0].dtype).reshape(self._shape)
    from .creation import tensor
    _inplace.check_inplace(self)
    return self.copy_(tensor(out, dtype=self._dtype))


@register(function=False)
def apply_(self, callable):
    """Replace each element ``x`` by ``callable(x)`` (a Python function; CPU, slow)."""
    return _callable_inplace("apply_", self, (), callable)


@register(function=False)
def map_(self, tensor, callable):
    """Replace each element ``x`` by ``callable(x, y)`` with ``y`` from ``tensor``
    (broadcast); a Python function on the CPU."""
    return _callable_inplace("map_", self, (tensor,), callable)


@register(function=False)
def map2_(self, x, y, callable):
    """Replace each element ``a`` by ``callable(a, b, c)`` with ``b, c`` from ``x, y``."""
    return _callable_inplace("map2_", self, (x, y), callable)
