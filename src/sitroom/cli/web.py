"""serve: the web situation room (API and pages) with uvicorn."""

from __future__ import annotations

import os

import typer

from .common import out

FACTORY = "sitroom.web.main:app_from_environment"


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes."),
    insecure_cookies: bool = typer.Option(
        False,
        "--insecure-cookies",
        help="Send the session cookie over plain HTTP too: only for a demo on 127.0.0.1.",
    ),
    forwarded_allow_ips: str = typer.Option(
        "",
        help="Addresses of the TLS proxy in front (e.g. 127.0.0.1) whose X-Forwarded-Proto "
        "and X-Forwarded-For are believed: phones report only over HTTPS.",
    ),
) -> None:
    """Serve the situation room. Put it behind HTTPS: session cookies are Secure by default,
    so over plain HTTP a browser only keeps them with --insecure-cookies; phones (OpenRosa,
    /openrosa) are refused over plain HTTP, so name the proxy with --forwarded-allow-ips."""
    run_server(
        host, port, workers, insecure_cookies=insecure_cookies, forwarded=forwarded_allow_ips
    )


def run_server(
    host: str, port: int, workers: int, *, insecure_cookies: bool, forwarded: str = ""
) -> None:
    import uvicorn  # imported on use: every other command starts faster without it

    if insecure_cookies:
        # The workers build their app from the environment, so the choice travels there.
        os.environ["SITROOM_INSECURE_COOKIES"] = "1"
    out.print(f"sitroom is serving on http://{host}:{port} (Ctrl+C stops it)")
    uvicorn.run(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=bool(forwarded),
        forwarded_allow_ips=forwarded or None,
    )


def register(app: typer.Typer) -> None:
    app.command()(serve)
