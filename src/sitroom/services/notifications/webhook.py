"""Webhooks: a JSON body POSTed to the subscriber's URL, signed with HMAC-SHA256 so that the
receiver can tell it came from sitroom and was not replayed (docs/notifications.md shows how
to check it). The connection goes to the address the SSRF guard vetted; redirects are not
followed (a redirect could point anywhere)."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
from datetime import datetime

from ...notify_settings import NotificationSettings
from .messages import Notice
from .targets import check_webhook_url, tls_context

SIGNATURE_HEADER = "X-Sitroom-Signature"
DELIVERY_HEADER = "X-Sitroom-Delivery"


class WebhookRefused(OSError):
    """The receiver answered, but not with a 2xx status."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def send_webhook(
    settings: NotificationSettings, url: str, secret: str, notice: Notice, now: datetime
) -> None:
    target = check_webhook_url(url, allow_loopback=settings.allow_loopback_webhooks)
    body = notice.body(now)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "sitroom-webhook/1",
        SIGNATURE_HEADER: signature(secret, int(now.timestamp()), body),
        DELIVERY_HEADER: notice.key,
    }
    timeout = settings.timeout_seconds
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHttps(target.host, target.port, target.address, timeout)
    else:
        connection = _PinnedHttp(target.host, target.port, target.address, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        if not 200 <= response.status < 300:
            raise WebhookRefused(f"the webhook answered {response.status} {response.reason}")
    finally:
        connection.close()


class _PinnedHttp(http.client.HTTPConnection):
    """Connects to the vetted address; the Host header keeps the name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHttps(http.client.HTTPSConnection):
    """Connects to the vetted address; TLS checks the certificate against the name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self._tls = tls_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
