"""serve: the web situation room (API and pages) with uvicorn."""

from __future__ import annotations

import os
import subprocess
import sys

import typer

from .common import Exit, engine, err, out

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
    trusted_proxy: str = typer.Option(
        "",
        help="Address of the HTTPS proxy in front (e.g. 127.0.0.1): its X-Forwarded-For and "
        "X-Forwarded-Proto are believed, so that login throttling counts per person's "
        "address and phones (OpenRosa, which refuses plain HTTP) are seen to use HTTPS.",
    ),
) -> None:
    """Serve the situation room. Put it behind HTTPS: session cookies are Secure by default,
    so over plain HTTP a browser only keeps them with --insecure-cookies. On SQLite it also
    keeps the series and alarms up to date as figures arrive (one process, whatever the
    number of workers); on PostgreSQL run `sitroom worker` processes for that."""
    run_server(
        host,
        port,
        workers,
        insecure_cookies=insecure_cookies,
        public_url=public_url,
        trusted_proxy=trusted_proxy,
    )


def run_server(
    host: str,
    port: int,
    workers: int,
    *,
    insecure_cookies: bool,
    public_url: str = "",
    trusted_proxy: str = "",
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
    engine().dispose()  # a database never initialised is said here, not in every request
    out.print(f"sitroom is serving on http://{host}:{port} (Ctrl+C stops it)")
    runner = _pipeline_runner()
    try:
        uvicorn.run(
            FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            # Only a named proxy may say who the client is: anyone else could forge the
            # header and spread their guesses over invented addresses.
            proxy_headers=bool(trusted_proxy),
            forwarded_allow_ips=trusted_proxy or None,
        )
    finally:
        if runner is not None:
            _stop(runner)


def _pipeline_runner() -> subprocess.Popen[bytes] | None:
    """On SQLite, the pipeline's worker: `sitroom refresh --follow` as a process of its own
    beside the web server (its reconciliations then never hold up a request), one whatever
    the number of uvicorn workers. Started after the database is brought to the current
    schema, so it never races a migration."""
    from ..config import load_settings
    from ..services.setup import init_database
    from ..store.engine import make_engine

    settings = load_settings()
    if not settings.is_sqlite:
        out.print(
            "[dim]PostgreSQL: series and alarms are kept up to date by `sitroom worker`.[/dim]"
        )
        return None
    db = make_engine(settings)
    init_database(db)
    db.dispose()
    argv = [
        sys.executable,
        "-m",
        "sitroom.cli",
        "refresh",
        "--follow",
        "--parent",
        str(os.getpid()),
    ]
    return subprocess.Popen(argv)


def _stop(runner: subprocess.Popen[bytes]) -> None:
    runner.terminate()
    try:
        runner.wait(timeout=15)
    except subprocess.TimeoutExpired:
        runner.kill()
        runner.wait()


def register(app: typer.Typer) -> None:
    app.command()(serve)
