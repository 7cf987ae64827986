"""`sitroom worker` processes on PostgreSQL, for real: they take the pipeline's jobs from the
queue, and a worker killed with SIGKILL in the middle of a job loses nothing and does nothing
twice. SYNTHETIC figures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from sitroom.store.analysis_tables import AlarmRow, SeriesRow
from sitroom.store.pipeline_tables import PipelineRunRow, StaleSeriesRow
from tests.integration.test_series_and_alarms import daily_rows, load
from tests.live.test_pipeline import QUIET_THEN_SURGE

pytestmark = pytest.mark.slow


@pytest.fixture
def postgres_engine(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("the job queue is PostgreSQL's; SQLite runs the pipeline in `serve`")
    return engine


Start = Callable[[], subprocess.Popen[bytes]]


@pytest.fixture
def start_worker(database_url: str, tmp_path: Path) -> Iterator[Start]:
    started: list[subprocess.Popen[bytes]] = []
    logs: list[BinaryIO] = []

    def start() -> subprocess.Popen[bytes]:
        env = {**os.environ, "SITROOM_DATABASE_URL": database_url}
        log = (tmp_path / f"worker{len(started)}.log").open("wb")
        logs.append(log)
        worker = subprocess.Popen(
            [sys.executable, "-m", "sitroom.cli", "worker", "--name", f"w{len(started)}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    for log in logs:
        log.close()


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen in {seconds} s"
        time.sleep(0.1)


def count(engine: Engine, table: type[object]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def test_a_worker_brings_a_new_figure_through_to_the_series_and_its_alarm(
    postgres_engine: Engine, tmp_path: Path, start_worker: Start
) -> None:
    start_worker()
    load(postgres_engine, tmp_path, daily_rows(QUIET_THEN_SURGE))
    wait_for(lambda: count(postgres_engine, StaleSeriesRow) == 0, 60, "the worker's run")
    assert count(postgres_engine, SeriesRow) == 1
    assert count(postgres_engine, AlarmRow) > 0
    with Session(postgres_engine) as session:
        run = session.scalars(select(PipelineRunRow)).one()
    assert (run.group_key, run.series_computed) == ("apprehended/LT", 1)
    # Its alarms are handed to the notifications by a job of their own.
    wait_for(lambda: _notified(postgres_engine, run.id), 30, "the notification job")


def _notified(engine: Engine, run_id: int) -> bool:
    with Session(engine) as session:
        return session.get(PipelineRunRow, run_id).notified_at is not None  # type: ignore[union-attr]


def test_a_worker_killed_mid_job_loses_nothing_and_does_nothing_twice(
    postgres_engine: Engine, tmp_path: Path, start_worker: Start
) -> None:
    # Long enough that the job is still running when the worker is killed.
    long_series = daily_rows(QUIET_THEN_SURGE * 12)
    first = start_worker()
    load(postgres_engine, tmp_path, long_series)
    wait_for(lambda: _doing(postgres_engine), 60, "a job in progress")
    first.send_signal(signal.SIGKILL)
    first.wait()
    # Killed in its transaction: nothing it did is stored, the marks are still there.
    assert count(postgres_engine, SeriesRow) == 0
    assert count(postgres_engine, StaleSeriesRow) == 1
    start_worker()
    wait_for(lambda: count(postgres_engine, StaleSeriesRow) == 0, 90, "the second worker's run")
    assert count(postgres_engine, SeriesRow) == 1
    with Session(postgres_engine) as session:
        runs = session.scalars(select(PipelineRunRow)).all()
        alarms = session.execute(
            select(AlarmRow.day, AlarmRow.method, func.count()).group_by(
                AlarmRow.day, AlarmRow.method
            )
        ).all()
    assert [r.series_computed for r in runs] == [1]
    assert alarms and all(n == 1 for _, _, n in alarms)


def _doing(engine: Engine) -> bool:
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")
        ).scalar()
    return bool(found)
