"""serve: the web situation room (API and pages) with uvicorn."""

from __future__ import annotations

import os

import typer

from .common import Exit, err, out

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
    public_url: str = typer.Option(
        "",
        help="The address people reach sitroom at, e.g. https://sitroom.example.org: the API's "
        "links (a list's next page) start with it. Default: SITROOM_PUBLIC_URL, else links "
        "are paths. Never taken from the request's Host header.",
    ),
) -> None:
    """Serve the situation room. Put it behind HTTPS: session cookies are Secure by default,
    so over plain HTTP a browser only keeps them with --insecure-cookies."""
    run_server(host, port, workers, insecure_cookies=insecure_cookies, public_url=public_url)


def run_server(
    host: str, port: int, workers: int, *, insecure_cookies: bool, public_url: str = ""
) -> None:
    import uvicorn  # imported on use: every other command starts faster without it

    # The workers build their app from the environment, so the choices travel there.
    if insecure_cookies:
        os.environ["SITROOM_INSECURE_COOKIES"] = "1"
    if public_url:
        os.environ["SITROOM_PUBLIC_URL"] = public_url
    from ..web.settings import load_web_settings

    try:
        load_web_settings()  # a bad setting is refused here, not once per worker
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(Exit.BAD_INPUT) from None
    out.print(f"sitroom is serving on http://{host}:{port} (Ctrl+C stops it)")
    uvicorn.run(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=False,
    )


def register(app: typer.Typer) -> None:
    app.command()(serve)
