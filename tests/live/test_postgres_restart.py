"""The PostgreSQL server restarted while a worker runs the pipeline, on a server of the test's
own: the worker carries on once it is back, no job is lost, none is done twice. SYNTHETIC."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from sitroom.config import Settings
from sitroom.store.analysis_tables import AlarmRow, SeriesRow
from sitroom.store.engine import make_engine
from sitroom.store.migrate import upgrade
from sitroom.store.pipeline_tables import PipelineRunRow, StaleSeriesRow
from tests.integration.test_series_and_alarms import daily_rows, load
from tests.live.private_postgres import PrivatePostgres, remove, start_private_postgres
from tests.live.test_pipeline import QUIET_THEN_SURGE
from tests.live.test_worker import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def server() -> Iterator[PrivatePostgres]:
    if not os.environ.get("SITROOM_TEST_POSTGRES_URL"):
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL fault tests")
        pytest.skip("no PostgreSQL: run the suite with scripts/test")
    started = start_private_postgres()
    yield started
    remove(started)


def settled(db: Engine) -> bool:
    try:
        with Session(db) as session:
            return session.scalar(select(func.count()).select_from(StaleSeriesRow)) == 0
    except OperationalError:  # the server is still coming back
        return False


def test_a_restarted_server_loses_no_job_and_repeats_none(
    server: PrivatePostgres, tmp_path: Path
) -> None:
    db = make_engine(Settings(database_url=server.url))
    upgrade(db)
    env = {**os.environ, "SITROOM_DATABASE_URL": server.url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "sitroom.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        load(db, tmp_path, daily_rows(QUIET_THEN_SURGE * 12))
        server.restart()
        db.dispose()
        wait_for(lambda: settled(db), 120, "the pipeline after the restart")
        assert worker.poll() is None, "the worker stopped with the server"
        with Session(db) as session:
            runs = session.scalars(select(PipelineRunRow)).all()
            series = session.scalar(select(func.count()).select_from(SeriesRow))
            per_alarm = (
                session.execute(
                    select(func.count())
                    .select_from(AlarmRow)
                    .group_by(AlarmRow.day, AlarmRow.method)
                )
                .scalars()
                .all()
            )
        assert series == 1 and [r.series_computed for r in runs] == [1]
        assert per_alarm and set(per_alarm) == {1}
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        db.dispose()
