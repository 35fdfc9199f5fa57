"""nn.functional: activations and the softmax family; re-exports the other nncore families.

Every activation is one op whose body is written so that JAX's derivative is PyTorch's at the
kinks (``hardtanh`` has zero gradient at its bounds, ``leaky_relu`` the slope at 0, ...), and
whose unused branches stay finite (``expm1(min(x, 0))``) so a masked branch never turns a
gradient into NaN.  16-bit floats compute in float32 as PyTorch's CPU kernels do.

``nn/functional.py`` re-exports ``__all__``; the layers, dropout, normalization, embedding,
padding and distance functionals live in sibling modules (``nn_linear``, ``nn_dropout``,
``nn_norm``, ``nn_sparse``, ``nn_padding``, ``nn_distance``) and are gathered here.
"""
from __future__ import annotations

import math
import warnings

import jax
import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .. import _promotion as P
from .. import _random
from .._dispatch import dispatch
from .._engine import core as engine
from . import _inplace
from ._registry import register
from ._util import dtype_arg, wrap_dim
from .pointwise import relu as _relu, sigmoid as _sigmoid, tanh as _tanh

from .nn_linear import *  # noqa: F401,F403,E402
from .nn_linear import __all__ as _linear_all  # noqa: E402
from .nn_dropout import *  # noqa: F401,F403,E402
from .nn_dropout import __all__ as _dropout_all  # noqa: E402
from .nn_norm import *  # noqa: F401,F403,E402
from .nn_norm import __all__ as _norm_all  # noqa: E402
from .nn_sparse import *  # noqa: F401,F403,E402
from .nn_sparse import __all__ as _sparse_all  # noqa: E402
from .nn_padding import *  # noqa: F401,F403,E402
from .nn_padding import __all__ as _padding_all  # noqa: E402
from .nn_distance import *  # noqa: F401,F403,E402
from .nn_distance import __all__ as _distance_all  # noqa: E402
from . import nn_param  # noqa: F401,E402  (torch.norm_except_dim, torch._weight_norm)

__all__ = [
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_", "elu",
    "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish", "sigmoid", "tanh",
    "softplus", "softsign", "hardtanh", "hardtanh_", "hardswish", "hardsigmoid", "hardshrink",
    "softshrink", "tanhshrink", "threshold", "threshold_", "glu", "logsigmoid", "softmax",
    "log_softmax", "softmin", "gumbel_softmax",
] + _linear_all + _dropout_all + _norm_all + _sparse_all + _padding_all + _distance_all


def _cast(x, dt):
    return lax.convert_element_type(x, dt)


def _not_implemented(kernel, dt):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{D._short(dt)}'")


def activation(name, fn, grad, kernel, *, ints=False, bool_msg=None, kind=P.DEFAULT,
               saves=None, check=None, inplace_grad=None):
    """An elementwise activation op ``fn(x, *static)``.

    Floating inputs only, unless ``ints`` (integers keep their dtype; ``kind=INT_TO_FLOAT``
    maps them to the default float dtype); other dtypes raise PyTorch's "not implemented for"
    error naming its CPU ``kernel``.  ``bool_msg`` is the exception bool inputs raise instead.
    The op's ``inplace`` twin (``F.elu(x, inplace=True)``) is named ``inplace_grad`` (PyTorch's
    ``EluBackward1`` computes the gradient from the result) and checks only the result.
    """

    def prepare(sigs, static):
        dt = sigs[0][1]
        if dt is D.bool_ and bool_msg is not None:
            raise bool_msg
        if not dt.is_floating_point and not (ints and dt is not D.bool_ and not dt.is_complex):
            raise _not_implemented(kernel, dt)
        if check is not None:
            check(dt, static)
        ct, rt = P.elementwise_dtypes(sigs[:1], kind)
        return (ct.np, rt.np) + static

    def impl(x, ct, rt, *static):
        return _cast(fn(_cast(x, ct), *static), rt)

    op = engine.Op(name, impl, prepare=prepare, grad=grad, saves=saves)
    _INPLACE[op] = engine.Op(name + "_", impl, prepare=prepare, grad=inplace_grad or grad,
                             saves=("out",))
    return op


_INPLACE = {}


def _apply(op, input, static, inplace):
    """``op`` out of place, or written into ``input`` (the in-place twin's node)."""
    if not inplace:
        return dispatch(op, (input,), static)
    _inplace.check_inplace(input)
    return _inplace.apply_inplace(input, dispatch(_INPLACE[op], (input,), static))


def _inplace_result(input, result):
    """Write an activation's result into ``input`` (the ``inplace=True`` / ``X_`` forms)."""
    _inplace.check_inplace(input)
    return _inplace.apply_inplace(input, result)


def _zero(x):
    return jnp.zeros_like(x)


# --------------------------------------------------------------------------------------------
# ReLU family


def relu(input, inplace=False):
    """max(input, 0) elementwise (``torch.relu``); in place with ``inplace=True``."""
    return input.relu_() if inplace else _relu(input)


def relu_(input):
    """In-place :func:`relu`."""
    return input.relu_()


def _hardtanh_fn(x, lo, hi):
    # the gradient is zero at the bounds themselves, as PyTorch's hardtanh_backward
    return jnp.where(x <= lo, jnp.asarray(lo, x.dtype), jnp.where(x >= hi, jnp.asarray(hi, x.dtype),
                                                                   x))


_HARDTANH = activation("hardtanh", _hardtanh_fn, "HardtanhBackward0", "hardtanh_cpu", ints=True,
                       bool_msg=RuntimeError("Bool inputs not supported for hardtanh"))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val]; zero gradient outside and at the bounds."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _apply(_HARDTANH, input, (min_val, max_val), inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(0, x), 6) (PyTorch computes it as hardtanh(x, 0, 6))."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _leaky_fn(x, slope):
    return jnp.where(x > 0, x, x * slope)


_LEAKY = activation("leaky_relu", _leaky_fn, "LeakyReluBackward0", "leaky_relu_cpu",
                    inplace_grad="LeakyReluBackward1")


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x."""
    return _apply(_LEAKY, input, (negative_slope,), inplace)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def _elu_fn(x, alpha, scale, input_scale):
    # where, not minimum: the negative branch owns x == 0 (minimum would split its gradient)
    neg = jnp.expm1(jnp.where(x > 0, _zero(x), x) * input_scale) * (alpha * scale)
    return jnp.where(x > 0, x * scale, neg)


_ELU = activation("elu", _elu_fn, "EluBackward0", "elu_cpu", inplace_grad="EluBackward1")
_CELU = activation("celu", _elu_fn, "CeluBackward0", "elu_cpu", inplace_grad="CeluBackward1")
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return _apply(_ELU, input, (float(alpha), 1.0, 1.0), inplace)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


@register(method=False)
def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants."""
    return _apply(_ELU, input, (_SELU_ALPHA, _SELU_SCALE, 1.0), inplace)


@register(method=False)
def selu_(input):
    return selu(input, inplace=True)


@register(method=False)
def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _apply(_CELU, input, (float(alpha), 1.0, 1.0 / alpha), inplace)


@register(method=False)
def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def _prelu_prepare(sigs, static):
    (xs, xd), (ws, wd) = sigs
    if not xd.is_floating_point:
        raise _not_implemented("prelu_cpu", xd)
    n = ws[0] if ws else 1
    w_numel = 1
    for s in ws:
        w_numel *= s
    if len(ws) > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {len(ws)}")
    if w_numel != 1:
        if not xs:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = xs[1] if len(xs) >= 2 else 1
        if n != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {n} and channel size = {channels}.")
    ct, rt = P.elementwise_dtypes(sigs, P.DEFAULT)
    return (ct.np, rt.np, len(xs))


def _prelu_impl(x, w, ct, rt, ndim):
    x = _cast(x, ct)
    w = _cast(w, ct)
    if w.size != 1 and ndim >= 2:
        w = w.reshape((1, -1) + (1,) * (ndim - 2))
    elif w.size == 1:
        w = w.reshape(())
    return _cast(jnp.where(x > 0, x, w * x), rt)


_PRELU = engine.Op("prelu", _prelu_impl, prepare=_prelu_prepare, grad="PreluKernelBackward0")


@register()
def prelu(input, weight):
    """x if x > 0 else weight * x, with one weight per channel (dim 1) or one shared."""
    return dispatch(_PRELU, (input, weight))


def _rrelu_noise_impl(x, key, ct, rt, lower, upper):
    x = _cast(x, ct)
    slope = jax.random.uniform(key, x.shape, ct, lower, upper)
    return _cast(jnp.where(x > 0, x, x * lax.stop_gradient(slope)), rt)


def _rrelu_prepare(sigs, static):
    dt = sigs[0][1]
    if not dt.is_floating_point:
        raise _not_implemented("rrelu_with_noise_cpu", dt)
    ct, rt = P.elementwise_dtypes(sigs[:1], P.DEFAULT)
    return (ct.np, rt.np) + static


_RRELU_TRAIN = engine.Op("rrelu", _rrelu_noise_impl, prepare=_rrelu_prepare,
                         grad="RreluWithNoiseBackward0", nondiff=(1,))
_RRELU_TRAIN_INPLACE = engine.Op("rrelu_", _rrelu_noise_impl, prepare=_rrelu_prepare,
                                 grad="RreluWithNoiseBackward1", nondiff=(1,), saves=("out",))
_RRELU_EVAL = activation("rrelu", _leaky_fn, "RreluWithNoiseBackward0", "rrelu_with_noise_cpu",
                         inplace_grad="RreluWithNoiseBackward1")


@register(method=False)
def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: a slope drawn from U(lower, upper) per element in training, the
    mean slope (lower + upper) / 2 otherwise."""
    if not training:
        return _apply(_RRELU_EVAL, input, ((lower + upper) / 2,), inplace)
    op = _RRELU_TRAIN_INPLACE if inplace else _RRELU_TRAIN
    out = dispatch(op, (input, _random.next_key(None, input._device)), (float(lower), float(upper)))
    return _inplace_result(input, out) if inplace else out


@register(method=False)
def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def _threshold_fn(x, threshold, value):
    return jnp.where(x > threshold, x, jnp.asarray(value, x.dtype))


_THRESHOLD = activation("threshold", _threshold_fn, "ThresholdBackward0", "threshold_cpu",
                        ints=True, inplace_grad="ThresholdBackward1")


@register(method=False)
def threshold(input, threshold, value, inplace=False):
    """x if x > threshold else value."""
    return _apply(_THRESHOLD, input, (threshold, value), inplace)


@register(method=False)
def threshold_(input, threshold, value):
    return globals()["threshold"](input, threshold, value, inplace=True)


# --------------------------------------------------------------------------------------------
# smooth activations

_SQRT1_2 = 0.7071067811865476
_SQRT_2_PI = 0.7978845608028654


def _gelu_fn(x, tanh):
    if tanh:
        return 0.5 * x * (1 + jnp.tanh(_SQRT_2_PI * (x + 0.044715 * x * x * x)))
    return 0.5 * x * (1 + lax.erf(x * _SQRT1_2))


_GELU = activation("gelu", _gelu_fn, "GeluBackward0", "GeluKernelImpl")


def gelu(input, approximate="none"):
    """x * Phi(x) (``approximate='tanh'``: the tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return dispatch(_GELU, (input,), (approximate == "tanh",))


def _silu_fn(x):
    return x * lax.logistic(x)


_SILU = activation("silu", _silu_fn, "SiluBackward0", "silu_cpu")


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    return _apply(_SILU, input, (), inplace)


def _softplus_fn(x, beta, threshold):
    bx = x * beta
    # log1p(exp(.)) only below the threshold, so the masked branch stays finite
    soft = jnp.log1p(jnp.exp(jnp.where(bx > threshold, jnp.zeros_like(bx), bx))) / beta
    return jnp.where(bx > threshold, x, soft)


def _mish_fn(x):
    return x * jnp.tanh(_softplus_fn(x, 1.0, 20.0))


_MISH = activation("mish", _mish_fn, "MishBackward0", "mish_cpu")


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return _apply(_MISH, input, (), inplace)


_SOFTPLUS = activation("softplus", _softplus_fn, "SoftplusBackward0", "softplus_cpu")


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, linear above ``threshold``."""
    return dispatch(_SOFTPLUS, (input,), (float(beta), float(threshold)))


def _logsigmoid_fn(x):
    # min(x, 0) - log1p(exp(-|x|)), with PyTorch's derivative 1/2 at x == 0
    neg = x < 0
    return jnp.where(neg, x, _zero(x)) - jnp.log1p(jnp.exp(jnp.where(neg, x, -x)))


_LOGSIGMOID = activation("log_sigmoid", _logsigmoid_fn, "LogSigmoidBackward0", "log_sigmoid_cpu")


def logsigmoid(input):
    """log(sigmoid(x)), computed stably."""
    return dispatch(_LOGSIGMOID, (input,))


def sigmoid(input):
    """1 / (1 + exp(-x)) (``torch.sigmoid``)."""
    return _sigmoid(input)


def tanh(input):
    """Hyperbolic tangent (``torch.tanh``)."""
    return _tanh(input)


_SOFTSIGN = activation("softsign", lambda x: x / (jnp.abs(x) + 1), "DivBackward0", "softsign",
                       ints=True, kind=P.INT_TO_FLOAT,
                       bool_msg=NotImplementedError("\"abs_cpu\" not implemented for 'Bool'"))
_TANHSHRINK = activation("tanhshrink", lambda x: x - jnp.tanh(x), "SubBackward0", "tanhshrink",
                         ints=True, kind=P.INT_TO_FLOAT, bool_msg=RuntimeError(
                             "Subtraction, the `-` operator, with a bool tensor is not supported. "
                             "If you are trying to invert a mask, use the `~` or `logical_not()` "
                             "operator instead."))


def softsign(input):
    """x / (1 + |x|)."""
    return dispatch(_SOFTSIGN, (input,))


def tanhshrink(input):
    """x - tanh(x)."""
    return dispatch(_TANHSHRINK, (input,))


def _hardswish_fn(x):
    # PyTorch's backward: 0 up to -3, x/3 + 1/2 strictly inside (-3, 3), 1 from 3
    return jnp.where(x <= -3, _zero(x), jnp.where(x < 3, x * (x + 3) / 6, x))


def _hardsigmoid_fn(x):
    # PyTorch's backward: 1/6 strictly inside (-3, 3), 0 elsewhere
    inside = (x > -3) & (x < 3)
    return jnp.where(inside, x / 6 + 0.5, jnp.where(x <= -3, _zero(x), jnp.ones_like(x)))


_HARDSWISH = activation("hardswish", _hardswish_fn, "HardswishBackward0", "hardswish_cpu")
_HARDSIGMOID = activation("hardsigmoid", _hardsigmoid_fn, "HardsigmoidBackward0",
                          "hardsigmoid_cpu")


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    return _apply(_HARDSWISH, input, (), inplace)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    return _apply(_HARDSIGMOID, input, (), inplace)


def _hardshrink_fn(x, lambd):
    return jnp.where((x >= -lambd) & (x <= lambd), _zero(x), x)


def _softshrink_fn(x, lambd):
    return jnp.where(x > lambd, x - lambd, jnp.where(x < -lambd, x + lambd, _zero(x)))


_HARDSHRINK = activation("hardshrink", _hardshrink_fn, "HardshrinkBackward0", "hardshrink_cpu")
_FLOAT_MAX = {"Float": "3.40282e+38", "Double": "1.79769e+308", "Half": "65504",
              "BFloat16": "3.38953e+38"}


def _softshrink_check(dt, static):
    (lambd,) = static
    if lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, {_FLOAT_MAX[D._short(dt)]}] for input "
                           f"dtype {D._short(dt)}, but found {lambd}")


_SOFTSHRINK = activation("softshrink", _softshrink_fn, "SoftshrinkBackward0", "softshrink_check",
                         check=_softshrink_check)


@register()
def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0."""
    return dispatch(_HARDSHRINK, (input,), (float(lambd),))


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    return dispatch(_SOFTSHRINK, (input,), (float(lambd),))


def _glu_prepare(sigs, static):
    (shape, dt), = sigs
    (dim,) = static
    dim = wrap_dim(dim, len(shape))
    if shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size "
                           f"{shape[dim]}")
    if not dt.is_floating_point:
        raise _not_implemented("glu_cpu", dt)
    return (P.opmath(dt).np, dt.np, dim)


def _glu_impl(x, ct, rt, dim):
    a, b = jnp.split(_cast(x, ct), 2, axis=dim)
    return _cast(a * lax.logistic(b), rt)


_GLU = engine.Op("glu", _glu_impl, prepare=_glu_prepare, grad="GluBackward0")


def glu(input, dim=-1):
    """a * sigmoid(b) where a, b are the two halves of ``input`` along ``dim``."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    return dispatch(_GLU, (input,), (dim,))


# --------------------------------------------------------------------------------------------
# softmax family


def _softmax_prepare(kernel):
    def prepare(sigs, static):
        (shape, dt), = sigs
        dim, dtype, negate = static
        dim = wrap_dim(dim, len(shape))
        src = dtype if dtype is not None else dt
        if not src.is_floating_point:
            raise _not_implemented(kernel, dt if dtype is None else src)
        return (dim, P.opmath(src).np, src.np, negate)
    return prepare


def _softmax_impl(x, dim, ct, rt, negate):
    x = _cast(x, ct)
    if negate:
        x = -x
    if x.ndim == 0:
        x = x.reshape(1)
        return _cast(_softmax_body(x, 0).reshape(()), rt)
    return _cast(_softmax_body(x, dim), rt)


def _softmax_body(x, dim):
    m = lax.stop_gradient(jnp.max(x, axis=dim, keepdims=True))
    m = jnp.where(jnp.isfinite(m), m, jnp.zeros_like(m))
    e = jnp.exp(x - m)
    return e / jnp.sum(e, axis=dim, keepdims=True)


def _log_softmax_impl(x, dim, ct, rt, negate):
    x = _cast(x, ct)
    if x.ndim == 0:
        return _cast(_log_softmax_body(x.reshape(1), 0).reshape(()), rt)
    return _cast(_log_softmax_body(x, dim), rt)


def _log_softmax_body(x, dim):
    m = lax.stop_gradient(jnp.max(x, axis=dim, keepdims=True))
    m = jnp.where(jnp.isfinite(m), m, jnp.zeros_like(m))
    s = x - m
    return s - jnp.log(jnp.sum(jnp.exp(s), axis=dim, keepdims=True))


_SOFTMAX = engine.Op("softmax", _softmax_impl, prepare=_softmax_prepare(
    "softmax_lastdim_kernel_impl"), grad="SoftmaxBackward0", saves=("out",))
_LOG_SOFTMAX = engine.Op("log_softmax", _log_softmax_impl, prepare=_softmax_prepare(
    "log_softmax_lastdim_kernel_impl"), grad="LogSoftmaxBackward0", saves=("out",))


def _softmax_dim(name, input, dim, stacklevel):
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                      "call to include dim=X as an argument.", stacklevel=stacklevel)
        return 0 if input.dim() in (0, 1, 3) else 1
    return dim


@register("softmax")
def _torch_softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim`` (``dtype``: cast the input first)."""
    return dispatch(_SOFTMAX, (input,), (dim, dtype_arg(dtype), False))


@register("log_softmax")
def _torch_log_softmax(input, dim, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably."""
    return dispatch(_LOG_SOFTMAX, (input,), (dim, dtype_arg(dtype), False))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Softmax along ``dim`` (an implicit dim is deprecated: warns and picks PyTorch's)."""
    dim = _softmax_dim("softmax", input, dim, _stacklevel)
    return dispatch(_SOFTMAX, (input,), (dim, dtype_arg(dtype), False))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``."""
    dim = _softmax_dim("softmin", input, dim, _stacklevel)
    return dispatch(_SOFTMAX, (input,), (dim, dtype_arg(dtype), True))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along ``dim``."""
    dim = _softmax_dim("log_softmax", input, dim, _stacklevel)
    return dispatch(_LOG_SOFTMAX, (input,), (dim, dtype_arg(dtype), False))


def _gumbel_impl(logits, key, tau, ct, rt, dim, hard):
    x = _cast(logits, ct)
    # -log(Exponential(1)) ~ Gumbel(0, 1)
    e = jax.random.exponential(key, x.shape, ct)
    y = _softmax_body((x - jnp.log(e)) / tau, dim)
    if hard:
        idx = jnp.argmax(y, axis=dim, keepdims=True)
        onehot = (lax.broadcasted_iota(jnp.int64, x.shape, dim) == idx).astype(ct)
        y = onehot - lax.stop_gradient(y) + y
    return _cast(y, rt)


def _gumbel_prepare(sigs, static):
    shape, dt = sigs[0]
    dim, hard = static
    if not dt.is_floating_point:
        raise _not_implemented("exponential_cpu", dt)
    return (P.opmath(dt).np, dt.np, wrap_dim(dim, len(shape)), hard)


_GUMBEL = engine.Op("gumbel_softmax", _gumbel_impl, prepare=_gumbel_prepare,
                    grad="SoftmaxBackward0", nondiff=(1,))
_GUMBEL_HARD = engine.Op("gumbel_softmax", _gumbel_impl, prepare=_gumbel_prepare,
                         grad="AddBackward0", nondiff=(1,))


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Samples from the Gumbel-softmax distribution (one-hot with straight-through gradients
    when ``hard``)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    op = _GUMBEL_HARD if hard else _GUMBEL
    return dispatch(op, (logits, _random.next_key(None, logits._device), float(tau)), (dim, bool(hard)))


del math
