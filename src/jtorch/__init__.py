"""jtorch: PyTorch's API running on JAX.

    import jtorch as torch

gives a module shaped like ``torch``: tensors, dtypes, autograd, nn, optim, utils.data, ... with
every computation done by XLA.
"""
__version__ = "0.1.0"

from . import _dtype
from ._dtype import (bfloat16, complex64, complex128, dtype, finfo, float8_e4m3fn, float8_e5m2,
                     float16, float32, float64, get_default_dtype, iinfo, int8, int16, int32,
                     int64, promote_types, uint8, uint16, uint32, uint64)
from ._dtype import bool_ as bool  # noqa: A001  (torch.bool)
from ._dtype import can_cast
from ._size import Size
from ._device import device
from ._layout import (channels_last, channels_last_3d, contiguous_format, layout,
                      memory_format, preserve_format, sparse_coo, strided)
from ._tensor import Tensor, is_tensor
from ._default_device import get_default_device, set_default_device
from . import autograd
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.grad_mode import is_inference_mode_enabled
from . import _ops
from ._ops.creation import LEGACY as _LEGACY
from ._random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed,
                      seed, set_rng_state)
from ._tensor_str import get_printoptions, printoptions, set_printoptions
from . import engine
from .engine import sync
from . import backends, cuda, nn, optim, utils  # noqa: E402
from . import distributed  # noqa: E402
from . import linalg  # noqa: E402
from . import special  # noqa: E402
from ._import_hook import install_as_torch  # noqa: E402
from . import serialization  # noqa: E402
from .serialization import load, save  # noqa: E402
from . import return_types  # noqa: E402
from . import _dynamo, compiler, func  # noqa: E402
from ._dynamo.eval_frame import compile  # noqa: E402,A001  (torch.compile)
from .func import vmap  # noqa: E402  (torch.vmap)
from . import interop  # noqa: E402
from . import amp, cpu  # noqa: E402
from .amp.autocast_mode import (autocast, autocast_decrement_nesting,  # noqa: E402
                                autocast_increment_nesting, clear_autocast_cache,
                                get_autocast_cpu_dtype, get_autocast_dtype,
                                get_autocast_gpu_dtype, is_autocast_cache_enabled,
                                is_autocast_cpu_enabled, is_autocast_enabled,
                                set_autocast_cache_enabled, set_autocast_cpu_dtype,
                                set_autocast_cpu_enabled, set_autocast_dtype,
                                set_autocast_enabled, set_autocast_gpu_dtype)
from .interop import from_dlpack, from_jax, jax_function  # noqa: E402

float = float32  # noqa: A001
double = float64
half = float16
int = int32  # noqa: A001
long = int64
short = int16
cfloat = complex64
cdouble = complex128

_ops.install(globals(), Tensor)
globals().update(_LEGACY)
from ._functions import *  # noqa: E402,F401,F403  (constants, settings, torch.X_ functions)
from ._functions import inplace_functions as _inplace_functions  # noqa: E402
globals().update(_inplace_functions())
interop._register_pytrees()


def set_default_dtype(d):
    """Set the default floating dtype (float32 unless changed)."""
    _dtype.set_default_dtype(d)
    from ._engine.core import clear_caches
    clear_caches()


def is_floating_point(input):
    """True if ``input`` has a floating dtype."""
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def numel(input):
    """The number of elements of ``input``."""
    return input.numel()


def result_type(tensor1, tensor2):
    """The dtype of an arithmetic op on the two operands (PyTorch's promotion rules)."""
    from ._promotion import result_type_sigs
    sigs = tuple((t._shape, t._dtype) if isinstance(t, Tensor) else type(t)
                 for t in (tensor1, tensor2))
    return result_type_sigs(sigs)



_matmul_precision = ["highest"]


def set_float32_matmul_precision(precision):
    """'highest' (full float32), 'high' (TF32 on GPUs) or 'medium' (bfloat16 passes) for
    float32 matrix products; mapped to JAX's default matmul precision."""
    import jax
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid float32 matmul precision: {precision}")
    _matmul_precision[0] = precision
    jax.config.update("jax_default_matmul_precision",
                      {"highest": "highest", "high": "tensorfloat32", "medium": "bfloat16"}[
                          precision])
    from ._engine.core import clear_caches
    clear_caches()


def get_float32_matmul_precision():
    return _matmul_precision[0]


# torch.X for a PyTorch API jtorch lacks: an UnsupportedError naming it (hasattr still False)
from ._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("torch")
