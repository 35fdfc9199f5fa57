"""Helpers of the data loader (as ``torch.utils.data._utils``): collation, fetching, workers.

Worker processes only run functions defined at module level (the ``spawn`` and ``forkserver``
start methods pickle them), so these live here rather than in ``dataloader.py``.
"""
from __future__ import annotations

import atexit
import sys
import traceback

IS_WINDOWS = sys.platform == "win32"

MP_STATUS_CHECK_INTERVAL = 5.0
"""Seconds between checks that the other side of a worker queue is still alive."""

python_exit_status = False
"""True once the interpreter is shutting down (worker shutdown then does nothing)."""

try:
    import numpy  # noqa: F401

    HAS_NUMPY = True
except ModuleNotFoundError:  # pragma: no cover
    HAS_NUMPY = False


def _set_python_exit_flag() -> None:
    global python_exit_status
    python_exit_status = True


atexit.register(_set_python_exit_flag)


class KeyErrorMessage(str):
    """A str whose repr is itself (a KeyError's message would otherwise show quoted)."""

    __slots__ = ()

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception and its traceback text, to re-raise in another thread or process."""

    def __init__(self, exc_info=None, where="in background"):
        # keep the text only: the traceback object would hold the failing frames alive
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the wrapped exception type with "Caught X <where>.\\nOriginal Traceback ..."."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:  # noqa: BLE001  (an exception type that takes other arguments)
            raise RuntimeError(msg) from None
        raise exception


from . import collate, fetch, worker  # noqa: E402

__all__ = ["ExceptionWrapper", "MP_STATUS_CHECK_INTERVAL", "collate", "fetch", "worker"]
