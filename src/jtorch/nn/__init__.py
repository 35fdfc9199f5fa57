"""torch.nn: modules, parameters, functional, init, utils."""
from __future__ import annotations

import importlib as _importlib

from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import functional, init  # noqa: F401
from . import parallel  # noqa: F401
from .parallel import DataParallel  # noqa: F401

# ``from .modules import *`` brought in the submodule ``nn.modules.utils`` under the name
# ``utils``; ``nn.utils`` is the package torch.nn.utils
utils = _importlib.import_module(__name__ + ".utils")


from .._unsupported import module_getattr as _module_getattr  # noqa: E402

# torch.nn.X that PyTorch has and jtorch lacks: UnsupportedError (jtorch._unsupported)
__getattr__ = _module_getattr("torch.nn")
