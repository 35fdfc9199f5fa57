"""torch._dynamo.exc: the errors torch.compile raises."""
from __future__ import annotations

__all__ = ["TorchDynamoException", "Unsupported", "InvalidBackend", "BackendCompilerFailed"]


class TorchDynamoException(RuntimeError):
    pass


class Unsupported(TorchDynamoException):
    """The function cannot be compiled into one program (``fullgraph=True``)."""


class InvalidBackend(TorchDynamoException):
    def __init__(self, msg):
        super().__init__(msg)


class BackendCompilerFailed(TorchDynamoException):
    pass


for _c in (TorchDynamoException, Unsupported, InvalidBackend, BackendCompilerFailed):
    _c.__module__ = "jtorch._dynamo.exc"
