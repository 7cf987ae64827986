"""The one guard between a webhook URL and the network (SSRF): only https, only to addresses
on the public internet. The name is resolved here, and the webhook connects to the address
this guard vetted, never resolving the name again, so a name that later points inside the
network (DNS rebinding) cannot take a delivery there."""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from ...domain.errors import InvalidValue

MAX_URL_LENGTH = 2000


class UnsafeTarget(InvalidValue):
    """A webhook URL sitroom refuses to call."""


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with its query string
    address: str  # the vetted IP address to connect to


def check_webhook_url(url: str, *, allow_loopback: bool = False) -> Target:
    """The URL's parts and the address to call, or UnsafeTarget with the reason.
    `allow_loopback` (tests only, see NotificationSettings) also lets http and 127.0.0.0/8 or
    ::1 through; private, link-local and other non-public ranges stay refused."""
    if len(url) > MAX_URL_LENGTH or any(c in url for c in "\r\n\t "):
        raise UnsafeTarget("the webhook URL is too long or holds spaces or line breaks")
    parts = urlsplit(url)
    allowed = ("https", "http") if allow_loopback else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeTarget("a webhook URL must start with https://")
    if parts.username or parts.password:
        raise UnsafeTarget("a webhook URL cannot carry a user name or password")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise UnsafeTarget("the webhook URL's port is not a number from 1 to 65535") from None
    if not host:
        raise UnsafeTarget("the webhook URL names no host")
    address = _vetted_address(host, port or 443, allow_loopback)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(
        parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path, address
    )


def _vetted_address(host: str, port: int, allow_loopback: bool) -> str:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeTarget(f"the webhook host {host!r} cannot be resolved") from None
    addresses = sorted({str(info[4][0]) for info in found})
    if not addresses:
        raise UnsafeTarget(f"the webhook host {host!r} cannot be resolved")
    # Every address must be safe: a name with one public and one private address could be
    # answered with either.
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])
        if address.is_global and not address.is_multicast:
            continue
        if allow_loopback and address.is_loopback:
            continue
        raise UnsafeTarget(
            f"the webhook host {host!r} resolves to {address}, which is not on the public "
            "internet (loopback, private, link-local or reserved addresses are refused)"
        )
    return addresses[0]


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The system's trusted CAs, loaded once: loading them costs about 90 ms, more than a
    whole delivery to a server nearby."""
    return ssl.create_default_context()
