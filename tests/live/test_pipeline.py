"""The live pipeline on a real database, from SYNTHETIC figures: writes mark their series
stale in their own transaction, and a run brings exactly those groups up to date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sitroom.domain.measures import Measure
from sitroom.services import pipeline, series_plan
from sitroom.store.analysis_tables import AlarmRow, SeriesRow
from sitroom.store.pipeline_tables import PipelineRunRow, StaleSeriesRow
from tests import factories
from tests.integration.test_series_and_alarms import START, daily_rows, load

QUIET_THEN_SURGE = [5, 6, 4, 5, 7, 5, 6] * 8 + [60, 80]


def marks(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.execute(select(StaleSeriesRow.measure, StaleSeriesRow.place)).all()
    return sorted((m, p) for m, p in rows)


def test_an_import_marks_the_series_it_changed_stale_in_its_own_transaction(
    engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path, daily_rows([5, 7]) + daily_rows([1], place="LV"))
    assert marks(engine) == [("apprehended", "LT"), ("apprehended", "LV")]


def test_a_failed_import_marks_nothing(engine: Engine, tmp_path: Path) -> None:
    rows = daily_rows([5, 7])
    rows[1]["value"] = "many"
    path = factories.figures_file(tmp_path / "bad.csv", rows)
    from sitroom.services import ingest

    report = ingest.import_file(engine, path, entered_by="t")
    assert not report.committed
    assert marks(engine) == []


def test_a_run_brings_the_stale_groups_up_to_date_raises_the_surge_and_consumes_the_marks(
    engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path, daily_rows(QUIET_THEN_SURGE))
    drained = pipeline.drain(engine)
    assert (drained.groups, drained.series_computed, drained.failed) == (1, 1, [])
    with Session(engine) as session:
        alarms = session.scalars(select(AlarmRow)).all()
        runs = session.scalars(select(PipelineRunRow)).all()
    assert alarms and sorted(drained.alarm_ids) == sorted(a.id for a in alarms)
    assert START + timedelta(days=len(QUIET_THEN_SURGE) - 1) in {a.day for a in alarms}
    assert [(r.group_key, r.series_computed) for r in runs] == [("apprehended/LT", 1)]
    assert runs[0].figures_up_to is not None and runs[0].notified_at is None
    assert marks(engine) == []


def test_running_again_with_nothing_stale_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, daily_rows(QUIET_THEN_SURGE))
    pipeline.drain(engine)
    with Session(engine) as session:
        before = session.scalar(select(func.count()).select_from(AlarmRow))
    again = pipeline.drain(engine)
    # The same group run twice by two workers: the second finds its series unchanged.
    twice = pipeline.refresh_group(engine, "apprehended/LT")
    assert (again.groups, twice.series_computed, twice.alarm_ids, twice.run_id) == (0, 0, [], None)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AlarmRow)) == before


def test_only_the_group_whose_figures_changed_is_recomputed(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, daily_rows([5, 6, 7]) + daily_rows([1, 2], place="LV"))
    pipeline.drain(engine)
    with Session(engine) as session:
        computed_lt = session.scalar(select(SeriesRow.computed_at).where(SeriesRow.place == "LT"))
    load(engine, tmp_path, daily_rows([3], place="LV", start=START + timedelta(days=2)), "g.csv")
    assert marks(engine) == [("apprehended", "LV")]
    drained = pipeline.drain(engine)
    assert drained.series_computed == 1
    with Session(engine) as session:
        assert (
            session.scalar(select(SeriesRow.computed_at).where(SeriesRow.place == "LT"))
            == computed_lt
        )


def test_a_poison_group_is_left_aside_after_its_attempts_and_never_blocks_the_others(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fault injection: the reconciler fails on LV's figures, as a model fails on bad data.
    real = series_plan.reconcile_group

    def failing_on_lv(
        group: series_plan.SeriesGroup, figures: list[object], **options: object
    ) -> object:
        if any(place == "LV" for _, place in group.members):
            raise FloatingPointError("the model diverged (SYNTHETIC fault)")
        return real(group, figures, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(series_plan, "reconcile_group", failing_on_lv)
    load(engine, tmp_path, daily_rows([5, 6]) + daily_rows([1, 2], place="LV"))
    first = pipeline.drain(engine)
    assert first.groups == 1 and [k for k, _ in first.failed] == ["apprehended/LV"]
    with Session(engine) as session:
        assert session.scalar(select(SeriesRow.place)) == "LT"
    for _ in range(pipeline.MAX_ATTEMPTS - 1):
        with Session(engine) as session:
            session.execute(StaleSeriesRow.__table__.update().values(retry_at=None))
            session.commit()
        pipeline.drain(engine)
    with Session(engine) as session:
        failed = pipeline.failed_groups(session)
        assert pipeline.pending_groups(session) == []
    assert [(f.key, f.attempts) for f in failed] == [("apprehended/LV", pipeline.MAX_ATTEMPTS)]
    assert "model diverged" in failed[0].error
    monkeypatch.setattr(series_plan, "reconcile_group", real)
    assert pipeline.retry_group(engine, "apprehended/LV") == 1
    assert pipeline.drain(engine).groups == 1
    assert marks(engine) == []


def test_a_country_and_its_section_are_one_group(engine: Engine, tmp_path: Path) -> None:
    from sitroom.services import ingest

    ingest.import_file(engine, factories.sections_file(tmp_path / "s.csv"), entered_by="t")
    load(engine, tmp_path, daily_rows([10, 12]) + daily_rows([4, 5], place="LT-BY-1"))
    with Session(engine) as session:
        assert pipeline.pending_groups(session) == ["apprehended/LT"]
    assert pipeline.drain(engine).series_computed == 2
    assert Measure.APPREHENDED.value == "apprehended"


def test_on_sqlite_a_run_gives_way_to_one_of_its_group_that_committed_meanwhile(
    engine: Engine, tmp_path: Path
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("on PostgreSQL an advisory lock keeps runs of a group apart")
    load(engine, tmp_path, daily_rows([5, 6, 7]))
    # Another runner's run of the group finished after this one started.
    later = datetime.now(UTC) + timedelta(hours=1)
    with Session(engine) as session:
        session.add(
            PipelineRunRow(
                group_key="apprehended/LT",
                started_at=later,
                finished_at=later,
                series_computed=0,
                alarm_ids=[],
                notified_at=later,
            )
        )
        session.commit()
    outcome = pipeline.refresh_group(engine, "apprehended/LT")
    assert (outcome.run_id, outcome.series_computed) == (None, 0)
    assert marks(engine) == [("apprehended", "LT")]  # left for the next run
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(SeriesRow)) == 0
