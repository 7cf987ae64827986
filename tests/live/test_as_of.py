"""The situation as it was on a past day, from SYNTHETIC figures: only what had been published
and whose period had ended by then counts, it is recomputed in memory, and nothing is stored."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sitroom.domain.accounts import Role, User
from sitroom.domain.sources import Source, SourceKind
from sitroom.interchange.records.figures import figure_cells
from sitroom.services import pipeline
from sitroom.services.as_of import known_on, situation_as_of
from sitroom.store.analysis_tables import AlarmRow, SeriesRow
from tests import factories
from tests.integration.test_series_and_alarms import START, daily_rows, load
from tests.live.test_pipeline import QUIET_THEN_SURGE

ADMIN = User(1, "ada", None, Role.ADMIN)
SURGE_DAY = START + timedelta(days=len(QUIET_THEN_SURGE) - 1)


def stored_counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in (SeriesRow, AlarmRow)
        )


def test_a_figure_is_known_once_its_period_ended_and_it_was_published() -> None:
    day = date(2021, 8, 4)
    source = Source(SourceKind.PRESS, factories.SYNTHETIC_URL, "Synthetic", "2021-08-10")
    assert known_on(factories.figure(period_start=day, period_end=day)) == day
    late = factories.figure(period_start=day, period_end=day, source=source)
    assert known_on(late) == date(2021, 8, 10)
    monthly = Source(SourceKind.PRESS, factories.SYNTHETIC_URL, "Synthetic", "2021-07")
    june = factories.figure(
        source=monthly, period_start=date(2021, 6, 1), period_end=date(2021, 6, 30)
    )
    assert known_on(june) == date(2021, 7, 1)


def test_the_day_before_the_surge_shows_no_alarm_and_the_surge_day_does(
    engine: Engine, tmp_path: Path
) -> None:
    rows = daily_rows(QUIET_THEN_SURGE)
    for row in rows:
        row["source_published"] = ""  # known at the end of its day
    load(engine, tmp_path, rows)
    before = stored_counts(engine)
    with Session(engine) as session:
        calm = situation_as_of(session, ADMIN, SURGE_DAY - timedelta(days=2))
        surge = situation_as_of(session, ADMIN, SURGE_DAY)
    assert calm.alarms == [] and calm.as_of == SURGE_DAY - timedelta(days=2)
    assert [(k.country, k.day) for k in calm.key_figures] == [("LT", SURGE_DAY - timedelta(days=2))]
    assert calm.key_figures[0].value == pytest.approx(QUIET_THEN_SURGE[-3], abs=1e-6)
    assert SURGE_DAY in {a.day for a in surge.alarms}
    assert surge.key_figures[0].value == pytest.approx(QUIET_THEN_SURGE[-1], abs=1e-6)
    assert stored_counts(engine) == before  # a read, even of the past, stores nothing


def test_a_figure_published_after_the_day_is_left_out(engine: Engine, tmp_path: Path) -> None:
    day = START + timedelta(days=3)
    early = daily_rows([5, 6, 7, 8])
    for row in early:
        row["source_published"] = ""
    late = factories.figure(
        period_start=day + timedelta(days=1),
        period_end=day + timedelta(days=1),
        value=900.0,
        source=Source(SourceKind.PRESS, factories.SYNTHETIC_URL, "Synthetic", "2021-09-01"),
    )
    load(engine, tmp_path, [*early, figure_cells(late)])
    pipeline.drain(engine)
    with Session(engine) as session:
        # Its day has passed, but it was published only on 1 September.
        then = situation_as_of(session, ADMIN, day + timedelta(days=1))
        later = situation_as_of(session, ADMIN, date(2021, 9, 1))
    assert (then.key_figures[0].day, then.key_figures[0].value) == (day, pytest.approx(8, abs=1e-6))
    assert (later.key_figures[0].day, later.key_figures[0].value) == (
        day + timedelta(days=1),
        pytest.approx(900, abs=1e-6),
    )
