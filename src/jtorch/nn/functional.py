"""torch.nn.functional: the functional form of every layer and loss.

Each function is an op of the op table (``jtorch/_ops/nn_*.py``, ``loss.py``); this module
only gathers them under PyTorch's names.
"""
from __future__ import annotations

from .._ops.nn_activation import *  # noqa: F401,F403
from .._ops.nn_conv import *  # noqa: F401,F403
from .._ops.nn_pool import *  # noqa: F401,F403
from .._ops.loss import *  # noqa: F401,F403
from .._ops.nn_attention import *  # noqa: F401,F403
from .._ops.nn_rnn import *  # noqa: F401,F403


from .._unsupported import module_getattr as _module_getattr  # noqa: E402

# torch.nn.functional.X that PyTorch has and jtorch lacks: UnsupportedError (jtorch._unsupported)
__getattr__ = _module_getattr("torch.nn.functional")
