"""SYNTHETIC figures for what analysis derives under sharing: a quiet shared series on
LT-BY-2 (as if published), and alice's restricted surge on top of it, with one restricted
figure that contradicts a shared one."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np

from sitroom.domain.measures import Measure
from sitroom.interchange.records.figures import figure_cells
from sitroom.services import detection, entries
from sitroom.services.ingest import import_file
from sitroom.services.series import refresh_series
from tests import factories
from tests.web.conftest import World

SECTION = "LT-BY-2"
QUIET_START = date(2020, 6, 1)
QUIET_DAYS = 400
SURGE_START = QUIET_START + timedelta(days=QUIET_DAYS)
SURGE = [40, 60, 90, 130, 180, 240, 300, 360, 420, 480]
CONTRADICTED_DAY = QUIET_START + timedelta(days=QUIET_DAYS - 1)


def daily_rows(values: list[int], start: date, place: str = SECTION) -> list[dict[str, str]]:
    return [
        figure_cells(
            factories.figure(
                measure=Measure.APPREHENDED,
                place=place,
                value=float(v),
                period_start=start + timedelta(days=i),
                period_end=start + timedelta(days=i),
            )
        )
        for i, v in enumerate(values)
    ]


def load_restricted_surge(world: World, folder: Path) -> World:
    """Store the quiet shared series and alice's restricted surge, reconcile, detect."""
    quiet = [int(v) for v in np.random.default_rng(11).poisson(3.0, QUIET_DAYS)]
    shared = factories.figures_file(folder / "published.csv", daily_rows(quiet, QUIET_START))
    assert import_file(world.engine, shared, entered_by="setup").committed
    restricted = daily_rows(SURGE, SURGE_START) + daily_rows([quiet[-1] + 50], CONTRADICTED_DAY)
    data = factories.figures_file(folder / "alice-surge.csv", restricted).read_bytes()
    report = entries.import_upload(world.engine, world.users["alice"], "surge.csv", data)
    assert report.committed and report.rejected == 0, report.rejections
    refresh_series(world.engine)
    detection.run_detection(world.engine, since=SURGE_START - timedelta(days=30))
    return world
