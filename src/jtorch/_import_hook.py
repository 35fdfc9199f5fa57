"""Make ``import torch`` (and every ``torch.*`` submodule) resolve to jtorch."""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

__all__ = ["install_as_torch"]


class _TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch.X`` by importing ``jtorch.X`` and registering it under both names."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "torch" or fullname.startswith("torch."):
            real = "jtorch" + fullname[len("torch"):]
            try:
                spec = importlib.util.find_spec(real)
            except (ImportError, ValueError):
                spec = None
            if spec is None:
                return None
            return importlib.util.spec_from_loader(fullname, self, is_package=spec.submodule_search_locations is not None)
        return None

    def create_module(self, spec):
        real = "jtorch" + spec.name[len("torch"):]
        return importlib.import_module(real)

    def exec_module(self, module):
        # the jtorch module is already executed; keep its own __name__ and __spec__
        pass

    def get_code(self, fullname):
        # ``python -m torch.X`` (runpy) runs jtorch.X's code as __main__
        real = "jtorch" + fullname[len("torch"):]
        return importlib.util.find_spec(real).loader.get_code(real)


_installed = []


def install_as_torch() -> None:
    """Route ``import torch`` / ``import torch.nn`` / ``from torch.utils.data import ...`` to
    jtorch, so unmodified PyTorch code runs on jtorch.  Idempotent."""
    if _installed:
        return
    import jtorch
    finder = _TorchAlias()
    sys.meta_path.insert(0, finder)
    _installed.append(finder)
    sys.modules.setdefault("torch", jtorch)
    for name, mod in list(sys.modules.items()):
        if name.startswith("jtorch.") and mod is not None:
            sys.modules.setdefault("torch" + name[len("jtorch"):], mod)
