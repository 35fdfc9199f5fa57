"""torch.distributed's exception classes."""
from __future__ import annotations

__all__ = ["DistError", "DistBackendError", "DistNetworkError", "DistStoreError"]


class DistError(RuntimeError):
    """Base class of the errors of torch.distributed."""


class DistBackendError(DistError):
    """A collective failed in the backend (e.g. a peer process died)."""


class DistNetworkError(DistError):
    """A network error (e.g. the store could not be reached)."""


class DistStoreError(DistError):
    """A store operation failed (e.g. a rendezvous timed out)."""

