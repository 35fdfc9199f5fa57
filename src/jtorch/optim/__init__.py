"""torch.optim: optimizers on Optax, and learning-rate schedulers.

Each optimizer keeps PyTorch's constructor, ``param_groups``, ``state`` and ``state_dict``
layout; its update rule is a chain of Optax gradient transformations with PyTorch's
hyper-parameters, applied to all parameters as one recorded op per ``step()``.
"""
from __future__ import annotations

from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

# as PyTorch: the per-optimizer modules are importable (``torch.optim.adam``) but not
# attributes of the package
del adadelta, adagrad, adam, adamw, sparse_adam, adamax, asgd, sgd, radam, rprop, rmsprop  # noqa
del optimizer, nadam, lbfgs  # noqa: F821

__all__ = ["Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "ASGD", "LBFGS", "lr_scheduler",
           "NAdam", "Optimizer", "RAdam", "RMSprop", "Rprop", "SGD", "SparseAdam", "swa_utils"]


from .._unsupported import module_getattr as _module_getattr  # noqa: E402

# torch.optim.X that PyTorch has and jtorch lacks: UnsupportedError (jtorch._unsupported)
__getattr__ = _module_getattr("torch.optim")
