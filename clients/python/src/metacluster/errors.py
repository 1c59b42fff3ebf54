"""The exceptions the client raises, one per gRPC status a caller can act on.

Every error of a call to the coordinator is a :class:`MetaClusterError`; the status codes that mean
something different to a caller get a subclass (bad input, unknown run, wrong token, coordinator
down, deadline). They also derive from the built-in exception a Python user would catch for the
same thing (``ValueError``, ``LookupError``, ``PermissionError``, ``ConnectionError``,
``TimeoutError``), so generic handlers keep working.
"""
from __future__ import annotations

import contextlib
from typing import Dict, Iterator, Optional, Type

import grpc

__all__ = [
    "MetaClusterError",
    "InvalidArgument",
    "NotFound",
    "FailedPrecondition",
    "Unauthenticated",
    "PermissionDenied",
    "Unavailable",
    "DeadlineExceeded",
    "RunFailed",
    "from_rpc_error",
    "translated",
]


class MetaClusterError(Exception):
    """A call to the coordinator failed.

    Attributes:
        message: the server's one-line explanation (or the client's, for client-side errors).
        code: the gRPC status code, or None for errors raised by the client itself.
    """

    def __init__(self, message: str, code: Optional[grpc.StatusCode] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class InvalidArgument(MetaClusterError, ValueError):
    """The server refused the request's content (INVALID_ARGUMENT); the message names the field,
    e.g. ``definition.algorithm``."""


class NotFound(MetaClusterError, LookupError):
    """No such run or file (NOT_FOUND)."""


class FailedPrecondition(MetaClusterError):
    """The run is not in a state that allows the call, e.g. predicting with an unfinished run."""


class Unauthenticated(MetaClusterError, PermissionError):
    """The coordinator requires a token and got none, or a wrong one (UNAUTHENTICATED)."""


class PermissionDenied(MetaClusterError, PermissionError):
    """The credentials are valid but not allowed to make this call (PERMISSION_DENIED)."""


class Unavailable(MetaClusterError, ConnectionError):
    """The coordinator could not be reached, even after the channel's retries (UNAVAILABLE)."""


class DeadlineExceeded(MetaClusterError, TimeoutError):
    """The call did not finish within its timeout (DEADLINE_EXCEEDED)."""


class RunFailed(MetaClusterError):
    """The run ended in the FAILED state; ``message`` is the server's reason.

    Attributes:
        run_id: the run that failed.
    """

    def __init__(self, run_id: str, message: str) -> None:
        super().__init__(f"run {run_id} failed: {message}")
        self.run_id = run_id
        self.reason = message


_BY_CODE: Dict[grpc.StatusCode, Type[MetaClusterError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.OUT_OF_RANGE: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
}


def from_rpc_error(error: grpc.RpcError) -> MetaClusterError:
    """The client's exception for a failed gRPC call."""
    code = error.code() if hasattr(error, "code") else None
    details = error.details() if hasattr(error, "details") else None
    message = details or (code.name if code is not None else str(error))
    return _BY_CODE.get(code, MetaClusterError)(message, code)


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Re-raises a ``grpc.RpcError`` raised inside the block as the client's exception."""
    try:
        yield
    except grpc.RpcError as error:
        raise from_rpc_error(error) from error
