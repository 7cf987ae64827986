"""The demo's real 2021 data, loaded once per module for the read-only report tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sitroom.config import Settings
from sitroom.report.build import build_report
from sitroom.report.model import Report
from sitroom.services import detection
from sitroom.services.series import refresh_series
from sitroom.services.setup import load_belarus_2021
from sitroom.store.engine import make_engine

REPORT_DAY = date(2021, 8, 4)
WRITTEN = datetime(2021, 8, 5, 7, 0, tzinfo=UTC)
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The demo database with its series reconciled and alarms raised, as users see it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = make_engine(Settings(database_url=f"sqlite:///{path}"))
    load_belarus_2021(db)
    refresh_series(db)
    detection.run_detection(db)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def demo_report(demo_engine: Engine) -> Report:
    return build_report(demo_engine, REPORT_DAY, ["LT", "LV", "PL"], now=WRITTEN)
