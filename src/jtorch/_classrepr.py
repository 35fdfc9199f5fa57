"""Classes print as PyTorch's do (``<class 'torch.Size'>``) while pickling by their real path."""
from __future__ import annotations

__all__ = ["TorchClassRepr"]


class TorchClassRepr(type):
    def __repr__(cls):
        mod = cls.__module__
        if mod == "jtorch" or mod.startswith("jtorch."):
            mod = "torch" + mod[len("jtorch"):]
        return f"<class '{mod}.{cls.__qualname__}'>"
