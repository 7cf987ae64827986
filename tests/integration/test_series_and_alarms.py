"""Reconciled series and alarms stored in a real database, from SYNTHETIC figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sitroom.domain.alarms import AlarmState
from sitroom.domain.audiences import ALL, EVERYTHING
from sitroom.domain.errors import InvalidValue
from sitroom.domain.measures import Measure
from sitroom.domain.sources import Source, SourceKind
from sitroom.interchange.records.figures import figure_cells
from sitroom.services import alarms, detection, ingest, series_reads
from sitroom.services import series as series_service
from tests import factories

START = date(2021, 3, 1)
MOMENT = datetime(2021, 8, 4, 12, 0, tzinfo=UTC)


def daily_rows(
    counts: list[int],
    *,
    place: str = "LT",
    measure: Measure = Measure.APPREHENDED,
    start: date = START,
) -> list[dict[str, str]]:
    return [
        figure_cells(
            factories.figure(
                measure=measure,
                place=place,
                value=float(n),
                period_start=start + timedelta(days=i),
                period_end=start + timedelta(days=i),
            )
        )
        for i, n in enumerate(counts)
    ]


def load(engine: Engine, tmp_path: Path, rows: list[dict[str, str]], name: str = "f.csv") -> None:
    report = ingest.import_file(
        engine, factories.figures_file(tmp_path / name, rows), entered_by="t"
    )
    assert report.committed, report.rejections


def test_only_series_whose_figures_changed_are_recomputed(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, daily_rows([5, 7, 6, 8]) + daily_rows([1, 2, 3], place="LV"))
    first = series_service.refresh_series(engine)
    assert sorted(k.place for k in first.computed) == ["LT", "LV"]
    assert {k.audience for k in first.computed} == {ALL}
    again = series_service.refresh_series(engine)
    assert (again.computed, again.unchanged) == ([], 2)
    load(engine, tmp_path, daily_rows([4], place="LV", start=START + timedelta(days=3)), "g.csv")
    third = series_service.refresh_series(engine)
    assert third.computed == [series_service.SeriesKey(Measure.APPREHENDED, "LV", ALL)]
    assert third.unchanged == 1


def test_a_stored_series_honours_observed_days_and_a_period_total(
    engine: Engine, tmp_path: Path
) -> None:
    week = factories.figure(period_start=START, period_end=START + timedelta(days=6), value=70.0)
    rows = [*daily_rows([10, 12]), figure_cells(week)]
    load(engine, tmp_path, rows)
    series_service.refresh_series(engine)
    with Session(engine) as session:
        stored = series_reads.read_series(session, Measure.APPREHENDED, "LT", readers=EVERYTHING)
    assert stored is not None and len(stored.days) == 7
    estimates = [d.estimate for d in stored.days]
    assert estimates[:2] == pytest.approx([10, 12], abs=1e-6)
    assert sum(estimates) == pytest.approx(70, abs=1e-3)
    assert [d.mark for d in stored.days][:2] == ["observed", "observed"]
    assert all(d.lower95 <= d.estimate <= d.upper95 for d in stored.days)


def test_two_exact_figures_for_one_day_are_a_stored_conflict(
    engine: Engine, tmp_path: Path
) -> None:
    rows = daily_rows([10, 12, 9])
    other_outlet = Source(SourceKind.PRESS, "https://example.org/another-synthetic")
    same_day = factories.figure(
        value=15.0, source=other_outlet, period_start=START, period_end=START
    )
    rows.append(figure_cells(same_day))
    load(engine, tmp_path, rows)
    series_service.refresh_series(engine)
    with Session(engine) as session:
        conflicts = series_reads.list_conflicts(session, readers=EVERYTHING)
    assert len(conflicts) == 1
    assert conflicts[0].gap == pytest.approx(5.0)


def surge(quiet_days: int = 400, surge_days: int = 20) -> list[int]:
    """SYNTHETIC: a quiet border (about 3 a day, more on weekends), then a ramp."""
    rng = np.random.default_rng(7)
    quiet = [int(v) for v in rng.poisson(3.0, quiet_days)]
    ramp = [int(v) for v in rng.poisson(np.linspace(10, 80, surge_days))]
    return quiet + ramp


def test_detection_raises_alarms_in_a_surge_and_nothing_new_the_second_time(
    engine: Engine, tmp_path: Path
) -> None:
    counts = surge()
    load(engine, tmp_path, daily_rows(counts))
    series_service.refresh_series(engine)
    surge_start = START + timedelta(days=400)
    first = detection.run_detection(engine, since=START + timedelta(days=380))
    assert first.raised, first.skipped
    assert min(a.day for a in first.raised) <= surge_start + timedelta(days=3)
    assert all(a.observed > a.expected for a in first.raised)
    second = detection.run_detection(engine, since=START + timedelta(days=380))
    assert (second.raised, second.already_known) == ([], len(first.raised))


def test_an_alarm_is_acknowledged_with_who_and_why_then_closed(
    engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path, daily_rows(surge()))
    series_service.refresh_series(engine)
    detection.run_detection(engine, since=START + timedelta(days=380))
    with Session(engine) as session:
        alarm_id, _ = alarms.list_alarms(session, readers=EVERYTHING)[0]
    with pytest.raises(InvalidValue, match="who"):
        alarms.acknowledge(engine, alarm_id, by="bob", reason=" ")
    acknowledged = alarms.acknowledge(engine, alarm_id, by="bob", reason="checked with the BG")
    assert acknowledged.state is AlarmState.ACKNOWLEDGED
    assert alarms.close(engine, alarm_id, by="bob").state is AlarmState.CLOSED
    with pytest.raises(InvalidValue, match="closed"):
        alarms.acknowledge(engine, alarm_id, by="bob", reason="again")
    with Session(engine) as session:
        assert alarm_id not in [i for i, _ in alarms.list_alarms(session, readers=EVERYTHING)]


def test_alarms_become_cap_alerts_that_validate(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, daily_rows(surge()))
    series_service.refresh_series(engine)
    run = detection.run_detection(engine, since=START + timedelta(days=380))
    with Session(engine) as session:
        first_id, _ = alarms.list_alarms(session, readers=EVERYTHING)[0]
    alarms.acknowledge(engine, first_id, by="bob", reason="checked")
    files = alarms.write_cap(engine, tmp_path / "cap", sender="sitroom@example.org", now=MOMENT)
    assert len(files) == len(run.raised)
    assert all(f.problems == [] for f in files)
    kinds = [f.path.read_text(encoding="utf-8") for f in files]
    assert sum("<msgType>Update</msgType>" in k for k in kinds) == 1
    assert sum("<msgType>Alert</msgType>" in k for k in kinds) == len(files) - 1
    assert all("<category>Security</category>" in k for k in kinds)
