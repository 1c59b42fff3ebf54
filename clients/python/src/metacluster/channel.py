"""The gRPC channel to a coordinator: plain or TLS from the URL's scheme, the bearer token on every
call, and retries of calls that found the coordinator unavailable."""
from __future__ import annotations

import json
import os
import warnings
from typing import Any, Callable, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

import grpc

__all__ = ["open_channel", "resolve_url", "resolve_token", "RETRY_SERVICE_CONFIG"]

_SERVICE = "metacluster.api.v1.ClusterApi"

# Only UNAVAILABLE is retried: the call never reached a coordinator (restarting, connection reset),
# so repeating it cannot do anything twice. StartRun is safe too because the client always sends a
# request_id. gRPC retries a stream only until its first message arrives; Run.watch reconnects
# after that itself.
RETRY_SERVICE_CONFIG = {
    "methodConfig": [
        {
            "name": [{"service": _SERVICE}],
            "retryPolicy": {
                "maxAttempts": 5,
                "initialBackoff": "0.2s",
                "maxBackoff": "3s",
                "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE"],
            },
        }
    ]
}

_LOOPBACK = {"localhost", "127.0.0.1", "::1"}

# The coordinator accepts messages up to 8 MiB; predictions for a large query set can come close.
_MAX_MESSAGE_BYTES = 16 << 20


def resolve_url(url: Optional[str]) -> str:
    """The coordinator's URL: ``url``, else ``METACLUSTER_COORDINATOR``; ValueError if neither is an http(s) URL."""
    url = url or os.environ.get("METACLUSTER_COORDINATOR")
    if not url:
        raise ValueError("no coordinator URL: pass Client(url) or set METACLUSTER_COORDINATOR (e.g. http://127.0.0.1:7100)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the coordinator URL must be http://HOST:PORT or https://HOST:PORT, got {url!r}")
    return url


def resolve_token(token: Optional[str]) -> Optional[str]:
    """The bearer token: ``token``, else ``METACLUSTER_TOKEN``, else ``CLUSTER_TOKEN``; ``""`` means none."""
    if token is None:
        token = os.environ.get("METACLUSTER_TOKEN") or os.environ.get("CLUSTER_TOKEN")
    return token or None


def open_channel(
    url: str,
    token: Optional[str],
    root_certificates: Optional[bytes] = None,
    certificate_chain: Optional[bytes] = None,
    private_key: Optional[bytes] = None,
    options: Sequence[Tuple[str, Any]] = (),
) -> grpc.Channel:
    """A channel to ``url`` (http: plain text, https: TLS, with a client certificate for mTLS when
    given) that sends ``token`` on every call."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = f"[{parts.hostname}]:{port}" if ":" in (parts.hostname or "") else f"{parts.hostname}:{port}"
    channel_options: List[Tuple[str, Any]] = [
        ("grpc.enable_retries", 1),
        ("grpc.service_config", json.dumps(RETRY_SERVICE_CONFIG)),
        ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
    ]
    channel_options.extend(options)
    if parts.scheme == "https":
        if (certificate_chain is None) != (private_key is None):
            raise ValueError("a client certificate needs both certificate_chain and private_key")
        credentials = grpc.ssl_channel_credentials(root_certificates, private_key, certificate_chain)
        channel = grpc.secure_channel(target, credentials, options=channel_options)
    else:
        if root_certificates is not None or certificate_chain is not None or private_key is not None:
            raise ValueError("certificates need an https:// coordinator URL")
        if token is not None and parts.hostname not in _LOOPBACK:
            warnings.warn(f"the token goes in clear text to {parts.hostname} over http://; use https:// off this machine",
                          stacklevel=3)
        channel = grpc.insecure_channel(target, options=channel_options)
    if token is None:
        return channel
    return grpc.intercept_channel(channel, _BearerToken(token))


class _BearerToken(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
):
    """Adds ``authorization: Bearer <token>`` to every call's metadata.

    Plain metadata rather than ``grpc.access_token_call_credentials``: call credentials are only
    allowed on TLS channels, and a coordinator on loopback may require a token over plain HTTP/2.
    """

    def __init__(self, token: str) -> None:
        self._header = ("authorization", f"Bearer {token}")

    def _with_token(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        metadata = list(details.metadata or []) + [self._header]
        return _CallDetails(details.method, details.timeout, metadata, details.credentials,
                            getattr(details, "wait_for_ready", None), getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation: Callable, client_call_details: grpc.ClientCallDetails, request: Any) -> Any:
        return continuation(self._with_token(client_call_details), request)

    def intercept_unary_stream(self, continuation: Callable, client_call_details: grpc.ClientCallDetails, request: Any) -> Any:
        return continuation(self._with_token(client_call_details), request)


class _CallDetails(grpc.ClientCallDetails):
    """A mutable copy of a call's details (grpc's own is an opaque namedtuple-like object)."""

    def __init__(self, method, timeout, metadata, credentials, wait_for_ready, compression) -> None:  # type: ignore[no-untyped-def]
        self.method = method
        self.timeout = timeout
        self.metadata = metadata
        self.credentials = credentials
        self.wait_for_ready = wait_for_ready
        self.compression = compression
