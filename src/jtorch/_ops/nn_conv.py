"""Convolutions: conv1d/2d/3d, conv_transpose1d/2d/3d (``torch.convolution``), and the
sliding-block ops ``unfold`` (im2col) and ``fold`` (col2im).

Every convolution is one op on ``lax.conv_general_dilated`` in PyTorch's NC(D)HW layout;
a transposed convolution is the same op on the input dilated by the stride with the kernel
flipped and its in/out channels swapped per group.  The non-zero padding modes of the
``Conv*d`` modules (reflect, replicate, circular) are done inside the same op.
"""
from __future__ import annotations

import warnings

import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from ._nnutil import fmt_shape
from ._registry import register

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "unfold", "fold"]

_SPEC = {1: ("NCH", "OIH", "NCH"), 2: ("NCHW", "OIHW", "NCHW"),
         3: ("NCDHW", "OIDHW", "NCDHW")}
_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


# --------------------------------------------------------------------------------------------
# the convolution op


def _conv_impl(*a):
    *arrays, stride, padding, dilation, transposed, output_padding, groups, has_bias, \
        pad_mode, mode_pad, acc = a
    x, w = arrays[0], arrays[1]
    dt = x.dtype
    n = w.ndim - 2
    if mode_pad is not None:
        # the padding modes of nn.Conv*d: pad the input first (reflect / edge / wrap)
        pads = [(0, 0), (0, 0)] + [tuple(p) for p in mode_pad]
        x = jnp.pad(x, pads, mode=_PAD_MODES[pad_mode])
    if not transposed:
        pads = [(p, p) if isinstance(p, int) else tuple(p) for p in padding]
        out = lax.conv_general_dilated(
            x, w, window_strides=stride, padding=pads, rhs_dilation=dilation,
            dimension_numbers=_SPEC[n], feature_group_count=groups,
            preferred_element_type=acc)
    else:
        # weight (Cin, Cout/g, k...) -> (Cout, Cin/g, k...) per group, kernel flipped
        cin, coutg = w.shape[0], w.shape[1]
        k = w.shape[2:]
        wg = jnp.reshape(w, (groups, cin // groups, coutg) + k)
        wg = jnp.swapaxes(wg, 1, 2)
        wt = jnp.reshape(wg, (groups * coutg, cin // groups) + k)
        wt = jnp.flip(wt, axis=tuple(range(2, 2 + n)))
        pads = [(dilation[i] * (k[i] - 1) - padding[i],
                 dilation[i] * (k[i] - 1) - padding[i] + output_padding[i]) for i in range(n)]
        out = lax.conv_general_dilated(
            x, wt, window_strides=(1,) * n, padding=pads, lhs_dilation=stride,
            rhs_dilation=dilation, dimension_numbers=_SPEC[n], feature_group_count=groups,
            preferred_element_type=acc)
    if has_bias:
        out = out + jnp.reshape(arrays[2], (1, -1) + (1,) * n).astype(out.dtype)
    return out.astype(dt)


def _ctype(dt):
    """The C++ scalar type name PyTorch's messages print (``float``, ``c10::Half``)."""
    return {D.float32: "float", D.float64: "double", D.float16: "c10::Half",
            D.bfloat16: "c10::BFloat16", D.int64: "long int", D.int32: "int",
            D.int16: "short int", D.int8: "signed char", D.uint8: "unsigned char",
            D.bool_: "bool"}.get(dt, dt._name)


def _legacy_type(dt):
    return f"torch.{dt._legacy}" if getattr(dt, "_legacy", None) else str(dt)


def _conv_prepare(sigs, static):
    stride, padding, dilation, transposed, output_padding, groups, has_bias, pad_mode, \
        mode_pad = static
    (xs, xd), (ws, wd) = sigs[0], sigs[1]
    if xd is not wd:
        raise RuntimeError(f"Input type ({_legacy_type(xd)}) and weight type "
                           f"({_legacy_type(wd)}) should be the same or input should be a MKLDNN "
                           "tensor and weight is a dense tensor")
    if has_bias and sigs[2][1] is not xd:
        raise RuntimeError(f"Input type ({_ctype(xd)}) and bias type ({_ctype(sigs[2][1])}) "
                           "should be the same")
    if xd is D.bool_ or xd.is_complex:
        raise NotImplementedError(f"\"slow_conv2d_cpu\" not implemented for '{D._short(xd)}'")
    acc = None
    if xd in (D.float16, D.bfloat16):
        acc = jnp.float32
    return static + (acc,)


CONV = engine.Op("convolution", _conv_impl, prepare=_conv_prepare, grad="ConvolutionBackward0")


def _expand(v, n, name):
    """An int or a sequence as an n-tuple, with PyTorch's message for a wrong length."""
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(i) for i in v)
    if len(v) == 1 and n > 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                           f"values to match the convolution dimensions, but got {name}="
                           f"{list(v)}")
    return v


def _tuple_arg(v, n):
    """F.convNd's ints-or-tuples argument: ints expand to n values (as PyTorch's parser)."""
    if isinstance(v, int):
        return (v,) * n
    return tuple(int(i) for i in v)


def _check_shape(x, w, b, stride, padding, dilation, transposed, output_padding, groups, same):
    n = w.ndim - 2
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(q < 0 for p in padding for q in (p if isinstance(p, tuple) else (p,))):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    # PyTorch's CPU backends word some errors differently: batch-1 ungrouped convolutions go
    # through the "slow" kernels, transposed ones through their own
    slow = not transposed and x.ndim >= 3 and x._shape[0] == 1 and groups == 1
    if any(d <= 0 for d in dilation):
        if transposed and n == 2:
            raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: "
                               f"{dilation[0]}, dilation_width: {dilation[1]}")
        if slow:
            shown = ((1,) + dilation) if n == 1 else dilation
            raise RuntimeError(f"dilation should be greater than zero, but got {list(shown)}")
        raise RuntimeError("non-positive dilation is not supported")
    if slow and w._dtype is not x._dtype:
        raise RuntimeError(f"expected scalar type {D._short(x._dtype)} but found "
                           f"{D._short(w._dtype)}")
    if x.ndim != w.ndim:
        raise RuntimeError(f"Expected {w.ndim}-dimensional input for {w.ndim}-dimensional weight "
                           f"{fmt_shape(w._shape)}, but got {x.ndim}-dimensional input of size "
                           f"{fmt_shape(x._shape)} instead")
    ws = w._shape
    if ws[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {fmt_shape(ws)} instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{fmt_shape(ws)}] instead")
    if not transposed:
        if x._shape[1] != ws[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {fmt_shape(ws)}, expected "
                               f"input{fmt_shape(x._shape)} to have {ws[1] * groups} channels, "
                               f"but got {x._shape[1]} channels instead")
        if b is not None and (b.ndim != 1 or b._shape[0] != ws[0]):
            raise RuntimeError(f"Given weight of size {fmt_shape(ws)}, expected bias to be "
                               f"1-dimensional with {ws[0]} elements, but got bias of size "
                               f"{fmt_shape(b._shape)} instead")
        padded = [x._shape[2 + i] + (sum(padding[i]) if same else 2 * padding[i])
                  for i in range(n)]
        kernel = [(ws[2 + i] - 1) * dilation[i] + 1 for i in range(n)]
        if any(p < k for p, k in zip(padded, kernel)):
            raise RuntimeError(f"Calculated padded input size per channel: "
                               f"({' x '.join(map(str, padded))}). Kernel size: "
                               f"({' x '.join(map(str, kernel))}). Kernel size can't be greater "
                               "than actual input size")
    else:
        if x._shape[1] != ws[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {fmt_shape(ws)}, expected "
                               f"input{fmt_shape(x._shape)} to have {ws[0]} channels, but got "
                               f"{x._shape[1]} channels instead")
        if b is not None and (b.ndim != 1 or b._shape[0] != ws[1] * groups):
            raise RuntimeError(f"Given transposed=1, weight of size {fmt_shape(ws)}, expected "
                               f"bias to be 1-dimensional with {ws[1] * groups} elements, but "
                               f"got bias of size {fmt_shape(b._shape)} instead")
        bad = any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation))
        if bad:
            names = {1: ("height", "width"), 2: ("height", "width"),
                     3: ("depth", "height", "width")}[n]
            vals = {"output_padding": output_padding, "stride": stride, "dilation": dilation}
            if n == 1:  # PyTorch runs 1-d convolutions as 2-d ones of height 1
                vals = {"output_padding": (0,) + output_padding, "stride": (1,) + stride,
                        "dilation": (1,) + dilation}
            parts = [f"{k}_{nm}: {v}" for k, vs in vals.items() for nm, v in zip(names, vs)]
            raise RuntimeError("output padding must be smaller than either stride or dilation, "
                               "but got " + " ".join(parts))


@register(method=False)
def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups):
    """``torch.convolution``: the N-d (transposed) convolution every conv function calls."""
    if weight.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    n = weight.ndim - 2
    stride = _expand(stride, n, "stride")
    padding = _expand(padding, n, "padding")
    dilation = _expand(dilation, n, "dilation")
    output_padding = _expand(output_padding, n, "output_padding")
    return _convolution(input, weight, bias, stride, padding, dilation, bool(transposed),
                        output_padding, int(groups))


def _convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                 groups, pad_mode=None, mode_pad=None, same=False):
    _check_shape(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                 groups, same)
    inputs = (input, weight) if bias is None else (input, weight, bias)
    return dispatch(CONV, inputs, (stride, padding, dilation, transposed, output_padding,
                                   groups, bias is not None, pad_mode, mode_pad))


def _same_padding(weight, dilation, n):
    """padding='same': total dilation * (k - 1), the extra pixel (if odd) on the right."""
    pads = []
    warn = False
    for i in range(n):
        total = dilation[i] * (weight._shape[2 + i] - 1)
        left = total // 2
        pads.append((left, total - left))
        if total % 2:
            warn = True
    if warn:
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require "
                      "a zero-padded copy of the input be created (Triggered internally at "
                      "/__w/pytorch/pytorch/aten/src/ATen/native/Convolution.cpp:1101.)",
                      stacklevel=4)
    return tuple(pads)


def conv_nd(name, n, input, weight, bias, stride, padding, dilation, groups, pad_mode=None,
            mode_pad=None):
    """F.conv{n}d: (un)batched input, int/tuple/'same'/'valid' padding, padding modes."""
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, "
                           f"but got input of size: {fmt_shape(input._shape)}")
    if weight.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    unbatched = input.ndim == n + 1
    if unbatched:
        input = input.unsqueeze(0)
    stride = _expand(_tuple_arg(stride, n), weight.ndim - 2, "stride")
    dilation = _expand(_tuple_arg(dilation, n), weight.ndim - 2, "dilation")
    same = False
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * n
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            if input.ndim == weight.ndim:
                padding = _same_padding(weight, dilation, weight.ndim - 2)
                same = True
            else:
                padding = (0,) * n
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _expand(_tuple_arg(padding, n), weight.ndim - 2, "padding")
    out = _convolution(input, weight, bias, stride, padding, dilation, False,
                       (0,) * (weight.ndim - 2), int(groups), pad_mode, mode_pad, same)
    return out.squeeze(0) if unbatched else out


def conv_transpose_nd(name, n, input, weight, bias, stride, padding, output_padding, groups,
                      dilation):
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, "
                           f"but got input of size: {fmt_shape(input._shape)}")
    if weight.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    unbatched = input.ndim == n + 1
    if unbatched:
        input = input.unsqueeze(0)
    k = weight.ndim - 2
    out = _convolution(input, weight, bias, _expand(_tuple_arg(stride, n), k, "stride"),
                       _expand(_tuple_arg(padding, n), k, "padding"),
                       _expand(_tuple_arg(dilation, n), k, "dilation"), True,
                       _expand(_tuple_arg(output_padding, n), k, "output_padding"), int(groups))
    return out.squeeze(0) if unbatched else out


@register(method=False)
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution over (N, C, L) or unbatched (C, L) input."""
    return conv_nd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


@register(method=False)
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution over (N, C, H, W) or unbatched (C, H, W) input."""
    return conv_nd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


@register(method=False)
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution over (N, C, D, H, W) or unbatched (C, D, H, W) input."""
    return conv_nd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


@register(method=False)
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-d transposed convolution ("deconvolution"); weight is (C_in, C_out / groups, k)."""
    return conv_transpose_nd("conv_transpose1d", 1, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


@register(method=False)
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-d transposed convolution; weight is (C_in, C_out / groups, kH, kW)."""
    return conv_transpose_nd("conv_transpose2d", 2, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


@register(method=False)
def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-d transposed convolution; weight is (C_in, C_out / groups, kD, kH, kW)."""
    return conv_transpose_nd("conv_transpose3d", 3, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


# --------------------------------------------------------------------------------------------
# unfold (im2col) and fold (col2im): one strided slice / add per kernel offset


def _blocks(size, k, d, p, s):
    return (size + 2 * p - (d * (k - 1) + 1)) // s + 1


def _im2col_impl(x, kernel, dilation, padding, stride, unbatched):
    if unbatched:
        return _im2col_impl(x[None], kernel, dilation, padding, stride, False)[0]
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel, dilation, padding, stride
    n, c, h, w = x.shape
    oh, ow = _blocks(h, kh, dh, ph, sh), _blocks(w, kw, dw, pw, sw)
    xp = jnp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = []
    for i in range(kh):
        for j in range(kw):
            cols.append(lax.slice(xp, (0, 0, i * dh, j * dw),
                                  (n, c, i * dh + sh * (oh - 1) + 1, j * dw + sw * (ow - 1) + 1),
                                  (1, 1, sh, sw)))
    out = jnp.stack(cols, axis=2)  # (n, c, kh*kw, oh, ow)
    return jnp.reshape(out, (n, c * kh * kw, oh * ow))


def _col2im_impl(x, output_size, kernel, dilation, padding, stride, unbatched):
    if unbatched:
        return _col2im_impl(x[None], output_size, kernel, dilation, padding, stride, False)[0]
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel, dilation, padding, stride
    h, w = output_size
    n = x.shape[0]
    c = x.shape[1] // (kh * kw)
    oh, ow = _blocks(h, kh, dh, ph, sh), _blocks(w, kw, dw, pw, sw)
    cols = jnp.reshape(x, (n, c, kh, kw, oh, ow))
    out = jnp.zeros((n, c, h + 2 * ph, w + 2 * pw), x.dtype)
    for i in range(kh):
        for j in range(kw):
            out = out.at[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                         j * dw:j * dw + sw * (ow - 1) + 1:sw].add(cols[:, :, i, j])
    return out[:, :, ph:ph + h, pw:pw + w]


IM2COL = engine.Op("im2col", _im2col_impl, grad="Im2ColBackward0", linear=True)
COL2IM = engine.Op("col2im", _col2im_impl, grad="Col2ImBackward0", linear=True)


def _pair2(v, name):
    v = (v, v) if isinstance(v, int) else tuple(int(i) for i in v)
    if len(v) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
    return v


def _check_block_args(kernel, dilation, padding, stride):
    if kernel[0] <= 0 or kernel[1] <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: "
                           f"{kernel[0]} kernel_width: {kernel[1]}")
    if dilation[0] <= 0 or dilation[1] <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: "
                           f"{dilation[0]} dilation_width: {dilation[1]}")
    if padding[0] < 0 or padding[1] < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {padding[0]} "
                           f"pad_width: {padding[1]}")
    if stride[0] <= 0 or stride[1] <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: "
                           f"{stride[0]} stride_width: {stride[1]}")


def _fmt_t(t):
    return "(" + ", ".join(map(str, t)) + ")"


@register("im2col", function=False, method=False)
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks: (N, C, H, W) -> (N, C * prod(kernel_size), L)."""
    kernel = _pair2(kernel_size, "kernel_size")
    dilation = _pair2(dilation, "dilation")
    padding = _pair2(padding, "padding")
    stride = _pair2(stride, "stride")
    _check_block_args(kernel, dilation, padding, stride)
    nd = input.ndim
    if nd < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], "
                         f"but got 2)")
    if nd not in (3, 4) or any(s == 0 for s in input._shape[nd - 3:]):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and "
                           f"other non-zero dimensions for input, but got: "
                           f"{fmt_shape(input._shape)}")
    h, w = input._shape[-2:]
    oh = _blocks(h, kernel[0], dilation[0], padding[0], stride[0])
    ow = _blocks(w, kernel[1], dilation[1], padding[1], stride[1])
    if oh < 1 or ow < 1:
        raise RuntimeError(f"Given input with spatial size {_fmt_t((h, w))}, kernel_size="
                           f"{_fmt_t(kernel)}, dilation={_fmt_t(dilation)}, padding="
                           f"{_fmt_t(padding)}, calculated shape of the array of sliding blocks "
                           f"as {_fmt_t((oh, ow))}, but its components must be at least one.")
    return dispatch(IM2COL, (input,), (kernel, dilation, padding, stride, nd == 3))


@register("col2im", function=False, method=False)
def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding local blocks into a tensor, summing overlaps:
    (N, C * prod(kernel_size), L) -> (N, C, *output_size)."""
    output_size = _pair2(output_size, "output_size")
    kernel = _pair2(kernel_size, "kernel_size")
    dilation = _pair2(dilation, "dilation")
    padding = _pair2(padding, "padding")
    stride = _pair2(stride, "stride")
    if output_size[0] <= 0 or output_size[1] <= 0:
        raise RuntimeError(f"output size should be greater than zero, but got output_height: "
                           f"{output_size[0]} output_width: {output_size[1]}")
    _check_block_args(kernel, dilation, padding, stride)
    nd = input.ndim
    if nd not in (2, 3) or any(s == 0 for s in input._shape[nd - 2:]):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{fmt_shape(input._shape)}")
    c_k = input._shape[-2]
    if c_k % (kernel[0] * kernel[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={c_k} and kernel_size="
                           f"{_fmt_t(kernel)}.")
    oh = _blocks(output_size[0], kernel[0], dilation[0], padding[0], stride[0])
    ow = _blocks(output_size[1], kernel[1], dilation[1], padding[1], stride[1])
    if input._shape[-1] != oh * ow:
        raise RuntimeError(f"Given output_size={_fmt_t(output_size)}, kernel_size="
                           f"{_fmt_t(kernel)}, dilation={_fmt_t(dilation)}, padding="
                           f"{_fmt_t(padding)}, stride={_fmt_t(stride)}, expected size of input's "
                           f"dimension 2 to match the calculated number of sliding blocks {oh} * "
                           f"{ow} = {oh * ow}, but got input.size(2)={input._shape[-1]}.")
    return dispatch(COL2IM, (input,), (output_size, kernel, dilation, padding, stride, nd == 2))
