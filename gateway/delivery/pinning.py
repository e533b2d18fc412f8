"""The worker's HTTP transport: resolves the webhook's host once, refuses it when any
address it resolves to is not on the public internet, and connects to that checked
address only (pinned), so a name cannot answer the check with one address and the
connection with another (DNS rebinding). The request keeps the name in its Host
header and, over TLS, as SNI and as the name the certificate is verified against.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from typing import Any

import httpx2

from gateway.delivery import addresses

Resolver = Callable[..., Sequence[tuple[Any, ...]]]
DEFAULT_PORTS = {"http": 80, "https": 443}


class ForbiddenAddress(httpx2.TransportError):
    """The webhook's host is, or resolves to, an address of a private network."""


class PinnedTransport(httpx2.HTTPTransport):
    def __init__(self, *, loopback: bool, resolve: Resolver | None = None, **options: Any) -> None:
        # No connection kept alive: one to a pinned address is not reused for another
        # name served there, whose certificate it never checked.
        options.setdefault("limits", httpx2.Limits(max_keepalive_connections=0))
        super().__init__(**options)
        self.loopback = loopback
        self.resolve = resolve

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        url = request.url
        host = url.host
        address = self.checked(host, url.port or DEFAULT_PORTS.get(url.scheme, 443), request)
        request.url = url.copy_with(host=str(address))
        if url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": host}
        return super().handle_request(request)

    def checked(self, host: str, port: int, request: httpx2.Request) -> addresses.IPAddress:
        """The first address of `host`, once all of them are allowed."""
        try:
            resolve = self.resolve or socket.getaddrinfo
            found = resolve(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpx2.ConnectError(
                "The webhook's host does not resolve.", request=request
            ) from exc
        resolved: list[addresses.IPAddress] = []
        for info in found:
            address = addresses.literal(str(info[4][0]))
            if address is None or addresses.forbidden(address, loopback=self.loopback):
                raise ForbiddenAddress(
                    "The webhook's host is an internal address.", request=request
                )
            resolved.append(address)
        if not resolved:
            raise httpx2.ConnectError("The webhook's host does not resolve.", request=request)
        return resolved[0]
