"""The PostgreSQL queue's dead letter, with a real procrastinate worker run in this process: a
series group whose model fails is retried with back-off, ends in the failed jobs with its
error, does not hold up the other groups, and runs again when retried. SYNTHETIC figures."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sitroom.config import Settings
from sitroom.services import pipeline, queue, series_plan
from sitroom.store.analysis_tables import SeriesRow
from tests.integration.test_series_and_alarms import daily_rows, load
from tests.live.own_loop import in_own_thread

pytestmark = pytest.mark.slow


def places(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.scalars(select(SeriesRow.place)))


def work(jobs: queue.Queue, until: float) -> None:
    """Take every job that is due, again and again until `until` (back-offs come due)."""
    while time.monotonic() < until:
        in_own_thread(
            lambda: jobs.app.run_worker(
                wait=False, install_signal_handlers=False, listen_notify=False
            )
        )
        time.sleep(0.5)


def test_a_poison_group_ends_in_the_failed_jobs_and_runs_again_when_retried(
    engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the job queue is PostgreSQL's")
    real = series_plan.reconcile_group

    def failing_on_lv(
        group: series_plan.SeriesGroup, figures: list[object], **options: object
    ) -> object:
        if any(place == "LV" for _, place in group.members):
            raise FloatingPointError("the model diverged (SYNTHETIC fault)")
        return real(group, figures, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(series_plan, "reconcile_group", failing_on_lv)
    load(engine, tmp_path, daily_rows([5, 6, 7]) + daily_rows([1, 2, 3], place="LV"))
    jobs = queue.make_queue(Settings(database_url=database_url), engine=engine)
    with Session(engine) as session:
        keys = pipeline.pending_groups(session)
    with jobs.app.open():
        for key in keys:
            jobs.app.configure_task(queue.REFRESH, queueing_lock=key).defer(key=key)
    deadline = time.monotonic() + 90
    while not queue.failed_jobs(jobs) and time.monotonic() < deadline:
        work(jobs, time.monotonic() + 3)
    failed = queue.failed_jobs(jobs)
    assert [(f.task, f.args) for f in failed] == [(queue.REFRESH, {"key": "apprehended/LV"})]
    assert "model diverged" in failed[0].error and failed[0].attempts == pipeline.MAX_ATTEMPTS
    assert places(engine) == ["LT"]  # the poison group held nobody up
    with Session(engine) as session:
        assert pipeline.pending_groups(session) == []  # left aside, not deferred again
    monkeypatch.setattr(series_plan, "reconcile_group", real)
    assert queue.retry_job(jobs, failed[0].id)
    work(jobs, time.monotonic() + 5)
    assert places(engine) == ["LT", "LV"]
    assert queue.failed_jobs(jobs) == []
