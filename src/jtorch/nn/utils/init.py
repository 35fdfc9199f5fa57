"""torch.nn.utils.skip_init: build a module without running its initialisation."""
from __future__ import annotations

import inspect

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """An instance of ``module_cls`` whose parameters are left uninitialised (here: built,
    then left as drawn; the values are unspecified as in PyTorch)."""
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    kwargs["device"] = None
    return module_cls(*args, **kwargs).to_empty(device=final_device)
