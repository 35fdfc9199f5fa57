"""torch.autocast: mixed precision by casting the inputs of listed ops.

Inside ``torch.autocast(device_type, dtype)`` every op reaches ``jtorch._dispatch`` through
``hook`` below, which looks the op up in the device type's policy (PyTorch's autocast op lists,
checked against PyTorch on CPU):

- ``lower``: matrix products, convolutions, linear, attention... run in the autocast dtype:
  their float32 inputs are cast to it (float64 inputs are left alone, as in PyTorch);
- ``fp32``: ops that need the range or precision (losses, norms, reductions such as ``prod``,
  linear algebra decompositions...) run in float32: float16/bfloat16 inputs are cast up;
- ``promote``: ops that need one dtype (``cat``, ``stack``, ``index_copy``) get the widest
  floating dtype of their inputs.

Every other op runs in the dtype of its inputs.  The casts are ordinary ``Tensor.to`` calls,
so autograd sees them as PyTorch does (``ToCopyBackward0``) and gradients reach the float32
leaves in float32.  With ``cache_enabled`` the cast of a leaf that requires grad (a weight) is
made once per outermost autocast region.
"""
from __future__ import annotations

import functools
import warnings

from .. import _dispatch
from .. import _dtype as D
from .._engine import core as engine

__all__ = ["autocast", "is_autocast_available", "custom_fwd", "custom_bwd"]

# -- op lists (engine op names) ---------------------------------------------------------------

_LOWER_CPU = frozenset({
    "convolution", "bmm", "mm", "vecdot", "baddbmm", "addmm", "addbmm", "linear", "matmul",
    "einsum", "multi_dot", "linalg_matrix_power", "prelu", "scaled_dot_product_attention",
    "_native_multi_head_attention", "rnn", "lstm_cell", "gru_cell",
})
_FP32_CPU = frozenset({
    "avg_pool3d", "binary_cross_entropy", "grid_sampler_2d", "grid_sampler_3d", "polar", "prod",
    "quantile", "cdist", "trace", "cholesky", "cholesky_inverse", "cholesky_solve",
    "linalg_cholesky_ex", "linalg_inv_ex", "linalg_lu_solve", "linalg_qr", "linalg_svd",
    "linalg_svdvals", "linalg_eigh", "linalg_eigvalsh", "linalg_eig", "linalg_eigvals",
    "linalg_lstsq", "linalg_solve_ex", "linalg_solve_triangular", "linalg_lu",
    "linalg_lu_factor_ex", "linalg_matrix_exp", "linalg_cond", "linalg_matrix_rank",
    "triangular_solve", "max_pool3d", "max_unpool2d", "max_unpool3d", "adaptive_avg_pool3d",
    "adaptive_max_pool3d", "fractional_max_pool2d", "fractional_max_pool3d", "reflect_pad",
    "replicate_pad", "mse_loss", "cosine_embedding_loss", "nll_loss", "cross_entropy",
    "hinge_embedding_loss", "poisson_nll_loss", "smooth_l1_loss", "l1_loss", "huber_loss",
    "margin_ranking_loss", "soft_margin_loss", "triplet_margin_loss", "multi_margin_loss",
    "ctc_loss", "kl_div", "multilabel_margin_loss", "binary_cross_entropy_with_logits",
})
_PROMOTE_CPU = frozenset({"stack", "cat", "index_copy"})

_LOWER_CUDA = frozenset({
    "convolution", "prelu", "addmm", "addmv", "addr", "matmul", "einsum", "mm", "mv", "vecdot",
    "linear", "addbmm", "baddbmm", "bmm", "multi_dot", "lstm_cell", "gru_cell", "rnn_tanh_cell",
    "rnn_relu_cell", "rnn", "scaled_dot_product_attention", "_native_multi_head_attention",
    "linalg_matrix_power",
})
_FP32_CUDA = frozenset({
    "acos", "asin", "cosh", "erfinv", "exp", "expm1", "log", "log10", "log2", "log1p",
    "reciprocal", "rsqrt", "sinh", "tan", "pow", "softplus", "layer_norm", "group_norm",
    "norm", "linalg_vector_norm", "linalg_matrix_norm", "cosine_similarity", "poisson_nll_loss",
    "cosine_embedding_loss", "nll_loss", "cross_entropy", "hinge_embedding_loss", "kl_div",
    "l1_loss", "smooth_l1_loss", "huber_loss", "mse_loss", "margin_ranking_loss",
    "multilabel_margin_loss", "soft_margin_loss", "triplet_margin_loss", "multi_margin_loss",
    "binary_cross_entropy_with_logits", "dist", "pdist", "cdist", "renorm", "logsumexp",
    "upsample_nearest", "upsample_nearest-exact", "upsample_linear", "upsample_bilinear",
    "upsample_trilinear", "upsample_bicubic",
    # PyTorch's fp32_set_opt_dtype ops (run in float32 unless a dtype is given)
    "prod", "softmax", "log_softmax", "cumprod", "cumsum", "sum",
})
_PROMOTE_CUDA = frozenset({
    "addcdiv", "addcmul", "atan2", "bilinear", "cross", "dot", "grid_sampler_2d",
    "grid_sampler_3d", "index_put", "scatter_add", "tensordot", "stack", "cat", "index_copy",
})

_POLICY = {}
for _names, _kind in ((_LOWER_CPU, "lower"), (_FP32_CPU, "fp32"), (_PROMOTE_CPU, "promote")):
    for _n in _names:
        _POLICY[("cpu", _n)] = _kind
for _names, _kind in ((_LOWER_CUDA, "lower"), (_FP32_CUDA, "fp32"), (_PROMOTE_CUDA, "promote")):
    for _n in _names:
        _POLICY[("cuda", _n)] = _kind

# -- state ------------------------------------------------------------------------------------

_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")
_AVAILABLE = ("cpu", "cuda", "xpu", "ipu", "hpu", "xla", "mps", "mtia", "privateuseone")


class _State:
    __slots__ = ("enabled", "dtype")

    def __init__(self, dtype):
        self.enabled = False
        self.dtype = dtype


_state = {"cpu": _State(D.bfloat16), "cuda": _State(D.float16)}
_cache_enabled = [True]
_nesting = [0]
_cache: dict = {}


def _check_type(device_type):
    if device_type not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of "
                           f"device string: {device_type}")


def _st(device_type):
    _check_type(device_type)
    s = _state.get(device_type)
    if s is None:
        s = _state[device_type] = _State(D.float16 if device_type != "cpu" else D.bfloat16)
    return s


def _refresh():
    """Install the dispatch hook while any device type has autocast on (else no cost)."""
    on = any(s.enabled for s in _state.values())
    _dispatch.autocast_hook = hook if on else None


def state_key():
    """A hashable summary of the autocast state (part of torch.compile's cache key)."""
    return tuple((k, s.enabled, s.dtype) for k, s in sorted(_state.items()) if s.enabled)


# -- the public state functions (torch.X) -----------------------------------------------------


def is_autocast_enabled(device_type=None) -> bool:
    """Whether autocast is on for ``device_type`` (no argument: for any device type)."""
    if device_type is None:
        return any(s.enabled for s in _state.values())
    return _st(device_type).enabled


def set_autocast_enabled(device_type, enabled=None) -> None:
    """``set_autocast_enabled(device_type, enabled)`` (or the legacy ``(enabled)`` for CUDA)."""
    if enabled is None:
        device_type, enabled = "cuda", device_type
    _st(device_type).enabled = bool(enabled)
    _refresh()


def get_autocast_dtype(device_type):
    """The dtype autocast casts to on ``device_type`` (CPU: bfloat16, CUDA: float16)."""
    return _st(device_type).dtype


def set_autocast_dtype(device_type, dtype) -> None:
    _st(device_type).dtype = dtype


def _deprecated(old, new):
    warnings.warn(f"torch.{old}() is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled() -> bool:
    _deprecated("is_autocast_cpu_enabled", "is_autocast_enabled('cpu')")
    return _st("cpu").enabled


def set_autocast_cpu_enabled(enabled) -> None:
    _deprecated("set_autocast_cpu_enabled", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype", "get_autocast_dtype('cpu')")
    return _st("cpu").dtype


def set_autocast_cpu_dtype(dtype) -> None:
    _deprecated("set_autocast_cpu_dtype", "set_autocast_dtype('cpu', dtype)")
    _st("cpu").dtype = dtype


def get_autocast_gpu_dtype():
    _deprecated("get_autocast_gpu_dtype", "get_autocast_dtype('cuda')")
    return _st("cuda").dtype


def set_autocast_gpu_dtype(dtype) -> None:
    _deprecated("set_autocast_gpu_dtype", "set_autocast_dtype('cuda', dtype)")
    _st("cuda").dtype = dtype


def is_autocast_cache_enabled() -> bool:
    return _cache_enabled[0]


def set_autocast_cache_enabled(enabled) -> None:
    _cache_enabled[0] = bool(enabled)


def clear_autocast_cache() -> None:
    _cache.clear()


def autocast_increment_nesting() -> int:
    _nesting[0] += 1
    return _nesting[0]


def autocast_decrement_nesting() -> int:
    _nesting[0] -= 1
    return _nesting[0]


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast supports ``device_type``."""
    _check_type(device_type)
    return device_type in _AVAILABLE


# -- the context manager ----------------------------------------------------------------------


class autocast:
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: a context
    manager (or decorator) running the listed ops of ``device_type`` in ``dtype`` (default
    ``torch.get_autocast_dtype(device_type)``) or float32; see the module documentation."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _DEVICE_TYPES:
            raise RuntimeError(f"Invalid device string: '{device_type}'")
        self.device = device_type
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self._enabled = enabled
        self._cache_enabled = is_autocast_cache_enabled() if cache_enabled is None \
            else cache_enabled
        if enabled and device_type == "cpu" and self.fast_dtype not in (D.bfloat16, D.float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", stacklevel=2)
            self._enabled = False
        elif enabled and device_type == "cuda":
            from .._devices import cuda_available
            if not cuda_available():
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                              "autocast.", stacklevel=2)
                self._enabled = False
            elif self.fast_dtype not in (D.bfloat16, D.float16):
                raise RuntimeError("Current CUDA Device does not support bfloat16. Please switch "
                                   "dtype to float16." if self.fast_dtype is D.bfloat16 else
                                   "In CUDA autocast, but the target dtype is not supported. "
                                   "Disabling autocast.\nCUDA Autocast only supports dtypes of "
                                   "torch.float16 and torch.bfloat16 currently.")
        elif enabled and device_type not in ("cpu", "cuda"):
            raise NotImplementedError(f"torch.autocast('{device_type}'): jtorch supports autocast "
                                      "on 'cpu' and 'cuda'")

    def __enter__(self):
        s = _st(self.device)
        self._prev = (s.enabled, s.dtype, _cache_enabled[0])
        s.enabled = bool(self._enabled)
        s.dtype = self.fast_dtype
        _cache_enabled[0] = bool(self._cache_enabled)
        _nesting[0] += 1
        _refresh()
        return self

    def __exit__(self, *exc):
        _nesting[0] -= 1
        if _nesting[0] == 0:
            _cache.clear()
        s = _st(self.device)
        s.enabled, s.dtype, _cache_enabled[0] = self._prev
        _refresh()
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorate_autocast


autocast.__module__ = "torch.amp.autocast_mode"


# -- the dispatch hook ------------------------------------------------------------------------


def _eligible(t):
    d = t._dtype
    return d.is_floating_point and d is not D.float64


def _cast(t, dtype):
    if _cache_enabled[0] and t._rg and t._fn is None and not engine.is_tracing():
        k = (id(t), dtype)
        hit = _cache.get(k)
        if hit is not None and hit[0] is t and hit[1] == t._ver[0]:
            return hit[2]
        out = t.to(dtype)
        _cache[k] = (t, t._ver[0], out)
        return out
    return t.to(dtype)


_UPSAMPLE_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear",
                   "area")
_KIND: dict = {}
_MISSING = object()


def _policy_name(op):
    """The op's name in the lists: engine op names are not unique (an upsampling op is named
    after its mode, 'linear' or 'bilinear'), so those are told apart by their module."""
    mod = getattr(op.impl, "__module__", "") or ""
    if mod.endswith("nn_upsample") and op.name in _UPSAMPLE_MODES:
        return "upsample_" + op.name
    return op.name


def hook(op, inputs):
    """The inputs ``op`` runs on under the current autocast state (``inputs`` if unchanged)."""
    dev_type = None
    for x in inputs:
        if type(x) is not int and type(x) is not float and hasattr(x, "_dtype"):
            dev_type = x._device.type
            break
    if dev_type is None:
        return inputs
    k = (dev_type, op)
    kind = _KIND.get(k, _MISSING)
    if kind is _MISSING:
        kind = _KIND[k] = _POLICY.get((dev_type, _policy_name(op)))
    if kind is None:
        return inputs
    s = _state.get(dev_type)
    if s is None or not s.enabled:
        return inputs
    from .._tensor import Tensor
    if kind == "lower":
        target = s.dtype
    elif kind == "fp32":
        target = D.float32
    else:
        target = None
        for x in inputs:
            if isinstance(x, Tensor) and _eligible(x):
                target = x._dtype if target is None else D.promote_types(target, x._dtype)
        if target is None:
            return inputs
    if not any(isinstance(x, Tensor) and _eligible(x) and x._dtype is not target
               for x in inputs):
        return inputs
    prev = _dispatch.autocast_hook
    _dispatch.autocast_hook = None  # the casts themselves are not autocast
    try:
        return tuple(_cast(x, target) if isinstance(x, Tensor) and _eligible(x) and
                     x._dtype is not target else x for x in inputs)
    finally:
        _dispatch.autocast_hook = prev


# -- custom autograd functions ----------------------------------------------------------------


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for ``Function.forward`` under autocast: with ``cast_inputs`` the forward runs
    with autocast off and its floating inputs cast to ``cast_inputs``."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        from .._tensor import Tensor
        ctx = args[0]
        ctx._fwd_used_autocast = is_autocast_enabled(device_type)
        ctx._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None or not is_autocast_enabled(device_type):
            return fwd(*args, **kwargs)

        def cast(v):
            if isinstance(v, Tensor) and _eligible(v):
                return v.to(cast_inputs)
            return v
        with autocast(device_type=device_type, enabled=False):
            return fwd(*[cast(a) for a in args], **{k: cast(v) for k, v in kwargs.items()})

    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for ``Function.backward``: runs it in the autocast state of the forward."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        ctx = args[0]
        with autocast(device_type=device_type, enabled=getattr(ctx, "_fwd_used_autocast", False),
                      dtype=getattr(ctx, "_dtype", None)):
            return bwd(*args, **kwargs)

    return decorate_bwd
