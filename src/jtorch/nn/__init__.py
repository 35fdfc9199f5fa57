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
