"""ASGI middleware: a cap on request bodies, and headers that keep the browser on this origin."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Only this origin: no CDN, no tiles, no fonts from elsewhere. Inline styles are allowed for
# the SVG charts and Leaflet's positioning; inline scripts are not.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse a body over `max_bytes` with 413, whether it declares its length or streams."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # A NUL in the path would reach file lookups; one in the query is refused by the
        # parameter it was sent for (web/params.py), with the parameter's name.
        if "\x00" in scope.get("path", ""):
            await _refuse(send, 400, "the address holds a NUL character")
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _too_large(send, self.max_bytes)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except TooLarge:
            if not started:
                await _too_large(send, self.max_bytes)


async def _too_large(send: Send, limit: int) -> None:
    message = f"the request is larger than {limit // (1024 * 1024)} MiB: split the file"
    await _refuse(send, 413, message)


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message, "fields": {}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


# What anyone may cache: sitroom's own scripts and styles, Leaflet, the bundled borders.
PUBLIC_PREFIXES = ("/static/", "/vendor/", "/geo/")


class SecurityHeaders:
    """The headers every response carries. Every page, API answer and download may hold
    restricted records, so none may be kept by the browser or a proxy (`no-store`: the
    back button or a shared machine's cache would show them after logging out)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        public = str(scope.get("path", "")).startswith(PUBLIC_PREFIXES)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if public or k != b"cache-control"
                ]
                if not public:
                    headers.append((b"cache-control", b"no-store"))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
