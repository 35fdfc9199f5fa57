"""torch.nn: modules, parameters, functional, init, utils."""
from __future__ import annotations

from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import functional, init, utils  # noqa: F401
