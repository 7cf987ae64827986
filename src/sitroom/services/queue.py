"""The pipeline's jobs on PostgreSQL, with procrastinate: the queue is PostgreSQL itself.

`sitroom worker` processes, on any number of machines, take jobs with row locks (procrastinate's
`FOR UPDATE SKIP LOCKED`), retry with back-off, and leave a job that keeps failing in the
`failed` state, listed by `sitroom jobs failed` and retried by `sitroom jobs retry ID`.

Jobs are triggers, not the truth: every worker looks at the stale marks a few times a second
and defers one `refresh_group` job per pending group (a queueing lock per group keeps one
waiting at most), and at the runs whose alarms were never handed to the notifications. A job
lost with a killed worker is found again that way, and every job is idempotent, so running
one twice changes nothing the second time. Why procrastinate rather than pgqueuer: see
docs/live.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.types import JSONValue
from sqlalchemy import Engine, make_url
from sqlalchemy.orm import Session

from ..config import Settings
from ..store.engine import make_engine
from . import jobs, pipeline

log = logging.getLogger(__name__)

REFRESH = "refresh_group"
NOTIFY = "deliver_notifications"
POLL_SECONDS = 0.2
STALLED_SECONDS = 30.0
SWEEP_SECONDS = 5.0
ID_OVERLAP = 200
NOTIFY_RETRIES = 12  # exponential back-off: 2 s, 4 s … about 2 hours in all


def conninfo(settings: Settings) -> str:
    """The libpq address of sitroom's database (search_path and other options included)."""
    url = make_url(settings.database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@dataclass(frozen=True, slots=True)
class Queue:
    app: procrastinate.App
    engine: Engine
    settings: Settings


def make_queue(settings: Settings, *, engine: Engine | None = None) -> Queue:
    """The procrastinate app with sitroom's two tasks, bound to these settings."""
    if settings.is_sqlite:
        raise ValueError("the job queue needs PostgreSQL; on SQLite `sitroom serve` runs the jobs")
    engine = engine or make_engine(settings)
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(settings)))

    @app.task(
        name=REFRESH,
        # procrastinate counts retries after the first attempt.
        retry=procrastinate.RetryStrategy(
            max_attempts=pipeline.MAX_ATTEMPTS - 1, exponential_wait=2
        ),
    )
    def refresh_group(key: str) -> None:
        try:
            outcome = pipeline.refresh_group(engine, key)
        except Exception as exc:
            # Kept on the marks too: `jobs failed` shows it, and the poller waits it out.
            pipeline.record_failure(engine, key, f"{type(exc).__name__}: {exc}")
            raise
        if outcome.run_id is not None and outcome.alarm_ids:
            _defer_notify(app, outcome.run_id, outcome.alarm_ids)

    @app.task(
        name=NOTIFY,
        retry=procrastinate.RetryStrategy(max_attempts=NOTIFY_RETRIES, exponential_wait=2),
    )
    def deliver_notifications(run_id: int, alarm_ids: list[int]) -> None:
        jobs.notify_run(engine, settings, run_id, alarm_ids)

    return Queue(app, engine, settings)


def _defer_notify(app: procrastinate.App, run_id: int, alarm_ids: Sequence[int]) -> None:
    with contextlib.suppress(AlreadyEnqueued):
        app.configure_task(NOTIFY, queueing_lock=f"notify/{run_id}").defer(
            run_id=run_id, alarm_ids=_json_ids(alarm_ids)
        )


def _json_ids(ids: Sequence[int]) -> list[JSONValue]:
    return [int(i) for i in ids]


def _pending(
    engine: Engine, after: int | None
) -> tuple[list[str], list[tuple[int, list[int]]], int]:
    """The groups to defer (all that are ready, or, when the newest mark id moved past
    `after`, those marked since), the runs whose alarms lost their job, and the newest mark
    id. Marks are looked at a little before `after` too: a transaction that took its id
    earlier may have committed later (deferring twice is harmless, the queueing lock keeps
    one)."""
    with Session(engine) as session:
        newest = pipeline.newest_mark(session)
        if after is not None and newest <= after:
            keys: list[str] = []
        else:
            since = None if after is None else max(0, after - ID_OVERLAP)
            keys = pipeline.pending_groups(session, after=since)
        # A run older than a few seconds whose alarms were never handed over lost its job.
        runs = jobs.unnotified_runs(session, older_than=timedelta(seconds=10))
    return keys, runs, newest


async def _defer_pending(queue: Queue, after: int | None) -> int:
    keys, runs, newest = await asyncio.to_thread(_pending, queue.engine, after)
    for key in keys:
        with contextlib.suppress(AlreadyEnqueued):
            await queue.app.configure_task(REFRESH, queueing_lock=key).defer_async(key=key)
    for run_id, alarm_ids in runs:
        with contextlib.suppress(AlreadyEnqueued):
            await queue.app.configure_task(NOTIFY, queueing_lock=f"notify/{run_id}").defer_async(
                run_id=run_id, alarm_ids=_json_ids(alarm_ids)
            )
    return newest


async def _retry_stalled(queue: Queue) -> None:
    """Jobs left `doing` by a worker that stopped sending heartbeats (killed, or its machine
    gone) go back to the queue."""
    manager = queue.app.job_manager
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS):
        await manager.retry_job(job)


async def _poll(queue: Queue) -> None:
    """Defer the groups marked since the last look, a few times a second; every
    SWEEP_SECONDS, every pending group (those waiting out a back-off, those whose job was
    lost) and the jobs of workers that stopped."""
    loop = asyncio.get_running_loop()
    last_sweep = -SWEEP_SECONDS
    newest = 0
    while True:
        try:
            sweep = loop.time() - last_sweep >= SWEEP_SECONDS
            newest = await _defer_pending(queue, None if sweep else newest)
            if sweep:
                last_sweep = loop.time()
                await _retry_stalled(queue)
        except Exception:  # PostgreSQL restarting: try again in a moment
            log.exception("looking for pending work failed; trying again")
            await asyncio.sleep(2.0)
        await asyncio.sleep(POLL_SECONDS)


def run_worker(settings: Settings, *, name: str | None = None) -> None:
    """Take jobs until stopped (Ctrl+C or SIGTERM); one job at a time, as they use the CPU."""
    queue = make_queue(settings)

    async def main() -> None:
        async with queue.app.open_async():
            poller = asyncio.create_task(_poll(queue))
            try:
                await queue.app.run_worker_async(
                    name=name or "sitroom-worker",
                    concurrency=1,
                    delete_jobs="successful",
                    install_signal_handlers=True,
                    update_heartbeat_interval=5.0,
                    stalled_worker_timeout=STALLED_SECONDS,
                )
            finally:
                poller.cancel()

    asyncio.run(main())


@dataclass(frozen=True, slots=True)
class FailedJob:
    id: int
    task: str
    args: dict[str, Any]
    attempts: int
    error: str
    scheduled_at: datetime | None


def failed_jobs(queue: Queue) -> list[FailedJob]:
    """The dead letter: jobs that failed every attempt, with the group's last error."""
    with queue.app.open():
        found = queue.app.job_manager.list_jobs(status="failed")
    with Session(queue.engine) as session:
        errors = {f.key: f.error for f in pipeline.failed_groups(session)}
    return [
        FailedJob(
            job.id or 0,
            job.task_name,
            dict(job.task_kwargs),
            job.attempts,
            errors.get(str(job.task_kwargs.get("key", "")), ""),
            job.scheduled_at,
        )
        for job in found
    ]


def retry_job(queue: Queue, job_id: int) -> bool:
    """Put a failed job back in the queue (a refresh job's group gets its attempts back)."""
    with queue.app.open():
        found = queue.app.job_manager.list_jobs(id=job_id, status="failed")
        if not found:
            return False
        job = found[0]
        if job.task_name == REFRESH:
            pipeline.retry_group(queue.engine, str(job.task_kwargs["key"]))
        queue.app.job_manager.retry_job_by_id(job_id, retry_at=datetime.now(UTC))
    return True
