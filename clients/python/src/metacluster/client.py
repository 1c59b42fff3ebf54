"""The entry point: a connection to one coordinator (``Coordinator serve``) and its public API."""
from __future__ import annotations

import os
import uuid
from typing import Any, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from ._proto.api.v1 import cluster_api_pb2 as api
from ._proto.api.v1 import cluster_api_pb2_grpc as api_grpc
from .channel import open_channel, resolve_token, resolve_url
from .errors import translated
from .messages import Progress, WorkerInfo
from .options import run_definition
from .run import Run

__all__ = ["Client"]

PathOrBytes = Union[bytes, str, "os.PathLike[str]"]


class Client:
    """A connection to a coordinator's public gRPC API.

    Args:
        url: ``http://HOST:PORT`` (plain text) or ``https://HOST:PORT`` (TLS); default: the
            ``METACLUSTER_COORDINATOR`` environment variable.
        token: sent as ``authorization: Bearer <token>`` on every call; default: the
            ``METACLUSTER_TOKEN`` (else ``CLUSTER_TOKEN``) environment variable; ``""`` sends none.
        root_certificates: PEM bytes or a file of the CAs to trust for https (default: the system's).
        certificate_chain, private_key: PEM bytes or files of a client certificate, for a
            coordinator that requires mTLS (``serve --tls-client-ca``).
        timeout: seconds a single call may take (streams excepted); None: no limit.
        options: extra gRPC channel options, ``[("grpc.keepalive_time_ms", 30000)]``.

    Calls that find the coordinator unavailable are retried by the channel (5 attempts, backoff
    from 0.2 s). Use as a context manager, or call ``close()``, to release the connection.
    """

    def __init__(
        self,
        url: Optional[str] = None,
        token: Optional[str] = None,
        *,
        root_certificates: Optional[PathOrBytes] = None,
        certificate_chain: Optional[PathOrBytes] = None,
        private_key: Optional[PathOrBytes] = None,
        timeout: Optional[float] = 300.0,
        options: Sequence[Tuple[str, Any]] = (),
    ) -> None:
        self.url = resolve_url(url)
        self.timeout = timeout
        self._channel = open_channel(self.url, resolve_token(token), _pem(root_certificates),
                                     _pem(certificate_chain), _pem(private_key), options)
        self._stub = api_grpc.ClusterApiStub(self._channel)

    def __repr__(self) -> str:
        return f"Client({self.url!r})"

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connection; runs go on on the coordinator."""
        self._channel.close()

    def submit(
        self,
        name: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        request_id: Optional[str] = None,
        **options: Any,
    ) -> Run:
        """Starts a meta-training run and returns its handle.

        Args:
            name: a human name for the run (at most 200 characters).
            tags: free ``key: value`` labels to find it by (``runs(tags=…)``).
            request_id: makes the call idempotent: submitting the same id again returns the run the
                first call started (``run.created`` is then False). Default: a fresh UUID, so that
                the channel's retries never start a run twice.
            **options: the run's definition, named like ``Coordinator train``'s flags with ``_``
                for ``-``: ``task``, ``algorithm``, ``data=[…]``, ``meta_batch``, ``meta_steps``,
                ``eval_inner_steps=[1, 10]``, … (``metacluster.OPTION_NAMES`` lists them). Options
                left out, or None, take ``train``'s defaults.

        Raises:
            TypeError: an unknown option or a value of the wrong type, before anything is sent.
            InvalidArgument: the coordinator refused the definition; the message names the field
                (``definition.algorithm``).
        """
        request = api.StartRunRequest(
            definition=run_definition(options),
            request_id=request_id if request_id is not None else uuid.uuid4().hex,
            name=name or "",
            tags=dict(tags or {}),
        )
        with translated():
            reply = self._stub.StartRun(request, timeout=self.timeout)
        return Run(self, reply.run_id, created=reply.created)

    def run(self, run_id: str) -> Run:
        """The handle of an existing run; ``NotFound`` if the coordinator has no such run."""
        run = Run(self, run_id)
        run.info()
        return run

    def runs(self, tags: Optional[Mapping[str, str]] = None, page_size: int = 100) -> Iterator[Progress]:
        """Every run of the coordinator (newest first), fetching pages as the iteration goes.

        Args:
            tags: only runs carrying all of these tags with these values.
            page_size: runs per call (1 to 1000).
        """
        token = ""
        while True:
            request = api.ListRunsRequest(page_size=page_size, page_token=token, tags=dict(tags or {}))
            with translated():
                reply = self._stub.ListRuns(request, timeout=self.timeout)
            for progress in reply.runs:
                yield Progress.from_proto(progress)
            token = reply.next_page_token
            if not token:
                return

    def workers(self) -> List[WorkerInfo]:
        """The cluster's live workers."""
        with translated():
            reply = self._stub.ListWorkers(api.ListWorkersRequest(), timeout=self.timeout)
        return [WorkerInfo.from_proto(w) for w in reply.workers]


def _pem(value: Optional[PathOrBytes]) -> Optional[bytes]:
    if value is None or isinstance(value, bytes):
        return value
    with open(value, "rb") as f:
        return f.read()
