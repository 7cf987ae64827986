"""refresh, worker and jobs: the live pipeline from the command line.

Figures written anywhere mark their series stale; `sitroom serve` on SQLite works through them
in a thread of its own, `sitroom worker` on PostgreSQL takes them as jobs, and `refresh` does
what is pending here and now. The commands that read series (series, conflicts, detect,
forecast, runway, report) drain what is pending first, so they never show a stale picture.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from .common import Exit, err, out, print_json

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ..config import Settings


def drain_pending(db: Engine) -> None:
    """Bring every stale series group up to date (and detect on it) before reading; a group
    that fails is reported and left for `sitroom jobs failed`."""
    from ..services import pipeline

    drained = pipeline.drain(db)
    for key, error in drained.failed:
        err.print(
            f"[yellow]series group {key} failed:[/yellow] {error} (see `sitroom jobs failed`)"
        )


def refresh(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    follow: bool = typer.Option(
        False,
        "--follow",
        help="Keep doing it as figures arrive, until stopped: what `sitroom serve` runs beside "
        "itself on SQLite.",
    ),
    parent: int | None = typer.Option(
        None, "--parent", help="With --follow: stop when the process with this id is gone."
    ),
) -> None:
    """Recompute every series group whose figures changed, rerun detection on it and store the
    alarms, here and now (what `sitroom serve` or `sitroom worker` otherwise do by themselves)."""
    from sqlalchemy.orm import Session

    from ..config import load_settings
    from ..services import jobs, pipeline
    from ..services.setup import init_database
    from .common import engine

    db = engine()
    init_database(db)
    if follow:
        _follow(db, load_settings(), parent)
        return
    drained = pipeline.drain(db)
    with Session(db) as session:
        runs = jobs.unnotified_runs(session)
    for run_id, alarm_ids in runs:
        jobs.notify_run(db, load_settings(), run_id, alarm_ids)
    if as_json:
        print_json(
            {
                "groups": drained.groups,
                "series_computed": drained.series_computed,
                "alarm_ids": drained.alarm_ids,
                "failed": [{"group": k, "error": e} for k, e in drained.failed],
            }
        )
    else:
        out.print(
            f"{drained.groups} series groups brought up to date, {drained.series_computed} "
            f"series computed, {len(drained.alarm_ids)} alarms raised or updated"
        )
        for key, error in drained.failed:
            err.print(f"[red]failed[/red] {key}: {error}")
    if drained.failed:
        raise typer.Exit(Exit.ROWS_REJECTED)


def _follow(db: Engine, settings: Settings, parent: int | None) -> None:
    import os
    import signal

    from ..services.jobs import PipelineRunner

    runner = PipelineRunner(db, settings)
    signal.signal(signal.SIGTERM, lambda *_: runner.stop(0))
    # Started by `sitroom serve`: when serve is gone (even killed), so is this.
    alive = (lambda: os.getppid() == parent) if parent else (lambda: True)
    with contextlib.suppress(KeyboardInterrupt):
        runner.run(alive)


def worker(
    name: str | None = typer.Option(None, help="The worker's name in the queue's records."),
) -> None:
    """Take the pipeline's jobs from the PostgreSQL queue until stopped (Ctrl+C or SIGTERM):
    run as many as you like, on any machine that reaches the database. On SQLite there is
    nothing to run: `sitroom serve` does the work in-process."""
    from ..config import load_settings
    from ..services import queue
    from ..services.setup import init_database
    from .common import engine

    settings = load_settings()
    if settings.is_sqlite:
        err.print(
            "[red]error:[/red] `sitroom worker` needs PostgreSQL (SITROOM_DATABASE_URL); "
            "on SQLite `sitroom serve` runs the pipeline itself and `sitroom refresh` runs it once"
        )
        raise typer.Exit(Exit.BAD_INPUT)
    init_database(engine())
    out.print("sitroom worker: taking jobs (Ctrl+C stops it)")
    queue.run_worker(settings, name=name)


jobs_app = typer.Typer(help="The pipeline's jobs that failed every attempt: list and retry.")


@jobs_app.command("failed")
def jobs_failed(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the jobs that failed every attempt (the dead letter), with their last error. On
    PostgreSQL these are the queue's failed jobs; on SQLite the series groups left aside."""
    from sqlalchemy.orm import Session

    from ..config import load_settings
    from ..services import pipeline, queue
    from ..services.setup import init_database
    from .common import engine

    settings = load_settings()
    db = engine()
    init_database(db)
    rows: list[dict[str, object]]
    if settings.is_sqlite:
        with Session(db) as session:
            rows = [
                {"id": f.key, "task": queue.REFRESH, "attempts": f.attempts, "error": f.error}
                for f in pipeline.failed_groups(session)
            ]
    else:
        rows = [
            {"id": j.id, "task": j.task, "args": j.args, "attempts": j.attempts, "error": j.error}
            for j in queue.failed_jobs(queue.make_queue(settings, engine=db))
        ]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "task", "attempts", "error", title="Failed jobs")
    for row in rows:
        table.add_row(str(row["id"]), str(row["task"]), str(row["attempts"]), str(row["error"]))
    out.print(table)


@jobs_app.command("retry")
def jobs_retry(
    job: str = typer.Argument(
        ..., help="The id `jobs failed` shows: a number on PostgreSQL, a series group on SQLite."
    ),
) -> None:
    """Put a failed job back: it runs again with its attempts restored."""
    from ..config import load_settings
    from ..services import pipeline, queue
    from ..services.setup import init_database
    from .common import engine

    settings = load_settings()
    db = engine()
    init_database(db)
    if settings.is_sqlite:
        found = pipeline.retry_group(db, job) > 0
    elif job.isdigit():
        found = queue.retry_job(queue.make_queue(settings, engine=db), int(job))
    else:
        found = False
    if not found:
        err.print(f"[red]error:[/red] no failed job {job}; see `sitroom jobs failed`")
        raise typer.Exit(Exit.BAD_INPUT)
    out.print(f"job {job} goes back to the queue")


def register(app: typer.Typer) -> None:
    app.command()(refresh)
    app.command()(worker)
    app.add_typer(jobs_app, name="jobs")
