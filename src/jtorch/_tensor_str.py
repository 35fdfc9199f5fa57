"""Tensor printing, character for character as PyTorch's: the same formatter rules (integer
mode, scientific mode, common width), summarisation with ``...``, line wrapping and suffixes.

Printing is a sync point: the values are read once as a numpy array.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _dtype as D

__all__ = ["set_printoptions", "get_printoptions", "tensor_repr", "printoptions"]


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set options for printing (as torch.set_printoptions).

    profile: 'default', 'short' or 'full'; sci_mode: True/False forces (or forbids) scientific
    notation, None lets the formatter decide.
    """
    if profile is not None:
        if profile == "default":
            PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, 1000
            PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
        elif profile == "short":
            PRINT_OPTS.precision, PRINT_OPTS.threshold = 2, 1000
            PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 2, 80
        elif profile == "full":
            PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, math.inf
            PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    return dict(PRINT_OPTS.__dict__)


class printoptions:
    """Context manager that sets print options temporarily."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.old = None

    def __enter__(self):
        self.old = get_printoptions()
        set_printoptions(**self.kwargs)

    def __exit__(self, *exc):
        set_printoptions(**self.old)


class _Formatter:
    """Chooses integer / fixed / scientific notation and the common width of the elements."""

    def __init__(self, values: np.ndarray, floating: bool):
        self.floating_dtype = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
        else:
            finite = flat[np.isfinite(flat) & (flat != 0)]
            if finite.size == 0:
                return
            absv = np.abs(finite).astype(np.float64)
            vmin = float(absv.min())
            vmax = float(absv.max())
            if not np.all(np.ceil(finite) == finite):
                self.int_mode = False
            vals = finite.tolist()
            p = PRINT_OPTS.precision
            big_range = vmax / vmin > 1000.0 or vmax > 1.0e8
            sci = big_range if self.int_mode else (big_range or vmin < 1.0e-4)
            if PRINT_OPTS.sci_mode is not None:
                sci = PRINT_OPTS.sci_mode
            self.sci_mode = sci
            if sci:
                for v in vals:
                    self.max_width = max(self.max_width, len(f"{v:.{p}e}"))
            elif self.int_mode:
                for v in vals:
                    self.max_width = max(self.max_width, len(f"{v:.0f}") + 1)
            else:
                for v in vals:
                    self.max_width = max(self.max_width, len(f"{v:.{p}f}"))
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating_dtype:
            p = PRINT_OPTS.precision
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _complex_str(val, f1, f2):
    real_str = f1.format(val.real)
    imag_str = (f2.format(val.imag) + "j").lstrip()
    if imag_str[0] in "+-":
        return real_str + imag_str
    return real_str + "+" + imag_str


def _val_str(val, f1, f2):
    if f2 is not None:
        return _complex_str(val, f1, f2)
    return f1.format(val)


def _vector_str(a, indent, summarize, f1, f2):
    element_length = f1.width() + 2
    if f2 is not None:
        element_length += f2.width() + 1
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / element_length)))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = ([_val_str(v, f1, f2) for v in a[:e].tolist()] + [" ..."] +
                [_val_str(v, f1, f2) for v in a[-e:].tolist()])
    else:
        data = [_val_str(v, f1, f2) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _str_with_formatter(a, indent, summarize, f1, f2):
    dim = a.ndim
    if dim == 0:
        return _val_str(a.item(), f1, f2)
    if dim == 1:
        return _vector_str(a, indent, summarize, f1, f2)
    e = PRINT_OPTS.edgeitems
    if summarize and a.shape[0] > 2 * e:
        slices = ([_str_with_formatter(a[i], indent + 1, summarize, f1, f2) for i in range(e)] +
                  ["..."] +
                  [_str_with_formatter(a[i], indent + 1, summarize, f1, f2)
                   for i in range(a.shape[0] - e, a.shape[0])])
    else:
        slices = [_str_with_formatter(a[i], indent + 1, summarize, f1, f2)
                  for i in range(a.shape[0])]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(a):
    dim = a.ndim
    e = PRINT_OPTS.edgeitems
    if dim == 0:
        return a
    if dim == 1:
        if a.shape[0] > 2 * e:
            return np.concatenate((a[:e], a[-e:]))
        return a
    if not e:
        return np.empty([0] * dim, a.dtype)
    if a.shape[0] > 2 * e:
        rows = [a[i] for i in range(e)] + [a[i] for i in range(a.shape[0] - e, a.shape[0])]
    else:
        rows = list(a)
    return np.stack([_summarized(r) for r in rows])


def _tensor_str(a: np.ndarray, dtype: D.dtype, indent: int) -> str:
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    if dtype is D.float16 or dtype is D.bfloat16 or dtype in (D.float8_e4m3fn, D.float8_e5m2):
        a = a.astype(np.float32)
    if dtype.is_complex:
        src_r = _summarized(a.real) if summarize else a.real
        src_i = _summarized(a.imag) if summarize else a.imag
        f1 = _Formatter(np.asarray(src_r), True)
        f2 = _Formatter(np.asarray(src_i), True)
        return _str_with_formatter(a, indent, summarize, f1, f2)
    floating = dtype.is_floating_point
    f1 = _Formatter(_summarized(a) if summarize else a, floating)
    return _str_with_formatter(a, indent, summarize, f1, None)


def _add_suffixes(tensor_str, suffixes, indent):
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        n = len(suffix)
        if last_line_len + n + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + n
        else:
            parts.append(", " + suffix)
            last_line_len += n + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t) -> str:
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    dev = t._device
    if dev.type != "cpu":  # PyTorch compares with the C++ default device, always the CPU
        suffixes.append(f"device='{dev}'")
    dtype = t._dtype
    default = D.get_default_dtype()
    has_default_dtype = dtype in (default, D.default_complex(), D.int64, D.bool_)
    if dev.type == "meta":
        suffixes.append("size=" + str(tuple(t._shape)))
        if dtype is not default:
            suffixes.append("dtype=" + str(dtype))
        tensor_str = "..."
    elif t.numel() == 0:
        if t.ndim != 1:
            suffixes.append("size=" + str(tuple(t._shape)))
        if dtype is not default:
            suffixes.append("dtype=" + str(dtype))
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(t._shape)))
        if not has_default_dtype:
            suffixes.append("dtype=" + str(dtype))
        tensor_str = _tensor_str(np.asarray(t._numpy_view()), dtype, indent)
    fn = t._fn
    if fn is not None:
        suffixes.append(f"grad_fn=<{type(fn).__name__}>")
    elif t._rg:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + tensor_str, suffixes, indent)
