"""`sitroom serve` on SQLite, in a real process, keeps the series and alarms up to date by
itself: figures imported by another process reach them with no further command, and figures
imported while it was stopped are taken up when it starts again. SYNTHETIC figures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sitroom.config import Settings
from sitroom.store.analysis_tables import AlarmRow, SeriesRow
from sitroom.store.engine import make_engine
from sitroom.store.pipeline_tables import StaleSeriesRow
from tests import factories
from tests.integration.test_series_and_alarms import daily_rows
from tests.live.test_pipeline import QUIET_THEN_SURGE
from tests.live.test_worker import wait_for
from tests.web.test_serve import free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[tuple[dict[str, str], Engine]]:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    env = {**os.environ, "SITROOM_DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "sitroom.cli", "init"], env=env, check=True)
    db = make_engine(Settings(database_url=url))
    yield env, db
    db.dispose()


def serve(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sitroom.cli", "serve", "--port", str(free_port())],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    server.wait(timeout=30)


def imported(env: dict[str, str], path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sitroom.cli", "import", str(path)], env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr


def count(db: Engine, table: type[object]) -> int:
    with Session(db) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def test_serve_brings_figures_imported_elsewhere_through_to_series_and_alarms(
    sqlite_file: tuple[dict[str, str], Engine], tmp_path: Path
) -> None:
    env, db = sqlite_file
    server = serve(env)
    try:
        imported(env, factories.figures_file(tmp_path / "f.csv", daily_rows(QUIET_THEN_SURGE)))
        wait_for(lambda: count(db, StaleSeriesRow) == 0, 60, "the serve process's pipeline")
        assert count(db, SeriesRow) == 1 and count(db, AlarmRow) > 0
    finally:
        stop(server)


def test_figures_imported_while_serve_was_stopped_are_taken_up_when_it_starts(
    sqlite_file: tuple[dict[str, str], Engine], tmp_path: Path
) -> None:
    env, db = sqlite_file
    imported(env, factories.figures_file(tmp_path / "f.csv", daily_rows([4, 5, 6])))
    assert (count(db, StaleSeriesRow), count(db, SeriesRow)) == (1, 0)
    server = serve(env)
    try:
        wait_for(lambda: count(db, SeriesRow) == 1, 60, "the pipeline after a restart")
        assert count(db, StaleSeriesRow) == 0
    finally:
        stop(server)
