"""torch.nn.modules.pooling: max / average / adaptive / Lp / fractional pooling and max
unpooling layers.

Each family is one base class holding the options and the printed form; the 1-d, 2-d and 3-d
layers only name their ``nn.functional`` function (one call per forward).  Attribute values
(tuples or the values as given) and ``extra_repr`` follow PyTorch's, since scripts print them
and read them back.
"""
from __future__ import annotations

from ..._ops._nnutil import pair, single, triple
from .. import functional as F
from .module import Module

__all__ = [
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
    "AvgPool1d", "AvgPool2d", "AvgPool3d", "FractionalMaxPool2d", "FractionalMaxPool3d",
    "LPPool1d", "LPPool2d", "LPPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
]

_NTUPLE = {1: single, 2: pair, 3: triple}


def _layers(base, doc, dims=(1, 2, 3)):
    """The ``base``-family classes for each number of spatial dims, named as PyTorch's."""
    out = []
    for d in dims:
        name = base.__name__.lstrip("_").replace("Nd", f"{d}d")
        fn = getattr(F, base._fn.format(d=d))
        cls = type(name, (base,), {"__doc__": doc.format(d=d), "_functional": staticmethod(fn),
                                   "_dims": d, "__module__": __name__})
        out.append(cls)
    return out


class _MaxPoolNd(Module):
    _fn = "max_pool{d}d"
    __constants__ = ["kernel_size", "stride", "padding", "dilation", "return_indices",
                     "ceil_mode"]

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return self._functional(input, self.kernel_size, self.stride, self.padding,
                                self.dilation, ceil_mode=self.ceil_mode,
                                return_indices=self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class _MaxUnpoolNd(Module):
    _fn = "max_unpool{d}d"

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        tup = _NTUPLE[self._dims]
        self.kernel_size = tup(kernel_size)
        self.stride = tup(kernel_size if stride is None else stride)
        self.padding = tup(padding)

    def forward(self, input, indices, output_size=None):
        return self._functional(input, indices, self.kernel_size, self.stride, self.padding,
                                output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolNd(Module):
    _fn = "avg_pool{d}d"
    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                     "divisor_override"]

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        stride = kernel_size if stride is None else stride
        if self._dims == 1:
            # avg_pool1d has no divisor_override; PyTorch keeps its options as 1-tuples
            if divisor_override is not None:
                raise TypeError("AvgPool1d.__init__() got an unexpected keyword argument "
                                "'divisor_override'")
            kernel_size, stride, padding = single(kernel_size), single(stride), single(padding)
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        if self._dims != 1:
            self.divisor_override = divisor_override

    def forward(self, input):
        extra = () if self._dims == 1 else (self.divisor_override,)
        return self._functional(input, self.kernel_size, self.stride, self.padding,
                                self.ceil_mode, self.count_include_pad, *extra)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _FractionalMaxPoolNd(Module):
    _fn = "fractional_max_pool{d}d"
    __constants__ = ["kernel_size", "return_indices", "output_size", "output_ratio"]

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        d = self._dims
        name = type(self).__name__
        if d == 3 and any(k <= 0 for k in triple(kernel_size)):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        tup = _NTUPLE[d]
        self.kernel_size = tup(kernel_size)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = None if output_size is None else tup(output_size)
        self.output_ratio = None if output_ratio is None else tup(output_ratio)
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling "
                             "ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        return self._functional(input, self.kernel_size, self.output_size, self.output_ratio,
                                self.return_indices, _random_samples=self._random_samples)


class _LPPoolNd(Module):
    _fn = "lp_pool{d}d"
    __constants__ = ["norm_type", "kernel_size", "stride", "ceil_mode"]

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return self._functional(input, float(self.norm_type), self.kernel_size, self.stride,
                                self.ceil_mode)

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class _AdaptiveMaxPoolNd(Module):
    _fn = "adaptive_max_pool{d}d"
    __constants__ = ["output_size", "return_indices"]

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return self._functional(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class _AdaptiveAvgPoolNd(Module):
    _fn = "adaptive_avg_pool{d}d"
    __constants__ = ["output_size"]

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return self._functional(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


MaxPool1d, MaxPool2d, MaxPool3d = _layers(
    _MaxPoolNd, "{d}-d max pooling over the last {d} dims (``F.max_pool{d}d``).")
MaxUnpool1d, MaxUnpool2d, MaxUnpool3d = _layers(
    _MaxUnpoolNd, "The partial inverse of ``MaxPool{d}d``: scatters values back to the indices "
                  "it returned (``F.max_unpool{d}d``).")
AvgPool1d, AvgPool2d, AvgPool3d = _layers(
    _AvgPoolNd, "{d}-d average pooling over the last {d} dims (``F.avg_pool{d}d``).")
FractionalMaxPool2d, FractionalMaxPool3d = _layers(
    _FractionalMaxPoolNd, "{d}-d fractional max pooling with pseudo-random pooling regions "
                          "(``F.fractional_max_pool{d}d``).", dims=(2, 3))
LPPool1d, LPPool2d, LPPool3d = _layers(
    _LPPoolNd, "{d}-d power-average pooling: the p-norm of each window "
               "(``F.lp_pool{d}d``).")
AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d = _layers(
    _AdaptiveMaxPoolNd, "{d}-d max pooling to a fixed output size "
                        "(``F.adaptive_max_pool{d}d``).")
AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d = _layers(
    _AdaptiveAvgPoolNd, "{d}-d average pooling to a fixed output size "
                        "(``F.adaptive_avg_pool{d}d``).")
