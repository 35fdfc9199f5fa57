"""torch.nn: modules, parameters, functional, init, utils."""
from __future__ import annotations

from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import functional, init  # noqa: F401
# the star import above binds nn.modules.utils as "utils"; import the nn.utils package itself
import importlib as _importlib  # noqa: E402

utils = _importlib.import_module(__name__ + ".utils")
