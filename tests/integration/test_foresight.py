"""Forecasts and the capacity runway on a real database, from SYNTHETIC figures."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sitroom.analysis.runway import RunwayStatus
from sitroom.domain.measures import Measure
from sitroom.interchange.records.figures import figure_cells
from sitroom.services import foresight, ingest
from sitroom.services import series as series_service
from sitroom.store.analysis_tables import ForecastRow
from tests import factories

START = date(2021, 5, 1)
DAYS = 60


def setup_country(engine: Engine, tmp_path: Path, *, capacity: bool) -> None:
    header = ["id", "name", "country", "kind"]
    site = [{"id": "LT-SYN", "name": "Synthetic centre", "country": "LT", "kind": "tent_camp"}]
    ingest.import_file(
        engine, factories.write_rows(tmp_path / "s.csv", header, site), entered_by="t"
    )
    last = START + timedelta(days=DAYS - 1)
    rows = [
        figure_cells(
            factories.figure(
                measure=Measure.ARRIVALS_AT_RECEPTION,
                value=float(20 + i % 5),
                period_start=START + timedelta(days=i),
                period_end=START + timedelta(days=i),
            )
        )
        for i in range(DAYS)
    ]
    rows.append(
        figure_cells(
            factories.figure(
                measure=Measure.OCCUPANCY,
                place="LT-SYN",
                value=150.0,
                period_start=last,
                period_end=last,
            )
        )
    )
    if capacity:
        rows.append(
            figure_cells(
                factories.figure(
                    measure=Measure.CAPACITY,
                    place="LT-SYN",
                    value=250.0,
                    period_start=last,
                    period_end=last,
                )
            )
        )
    report = ingest.import_file(
        engine, factories.figures_file(tmp_path / "f.csv", rows), entered_by="t"
    )
    assert report.committed, report.rejections
    series_service.refresh_series(engine)


def test_a_site_filling_by_twenty_a_day_is_full_within_a_week_or_so(
    engine: Engine, tmp_path: Path
) -> None:
    setup_country(engine, tmp_path, capacity=True)
    answer = foresight.runway(engine, "LT-SYN", horizon=28)
    assert answer.arrivals is Measure.ARRIVALS_AT_RECEPTION
    runway = answer.runway
    assert runway.status is RunwayStatus.PROJECTED
    # 100 free places, about 22 arrivals a day, nobody leaving: full in about 5 days.
    assert runway.p_full_within[7] > 0.8
    assert runway.p_full_within[28] >= runway.p_full_within[14] >= runway.p_full_within[7]
    assert runway.median_full_date is not None
    assert runway.median_full_date <= START + timedelta(days=DAYS - 1 + 8)
    assert answer.needs and all(n.quantity > 0 for n in answer.needs)


def test_a_site_without_a_capacity_figure_has_no_runway(engine: Engine, tmp_path: Path) -> None:
    setup_country(engine, tmp_path, capacity=False)
    runway = foresight.runway(engine, "LT-SYN").runway
    assert runway.status is RunwayStatus.CAPACITY_UNKNOWN
    assert runway.p_full_within == {}


def test_a_forecast_is_kept_with_the_last_day_it_saw(engine: Engine, tmp_path: Path) -> None:
    setup_country(engine, tmp_path, capacity=True)
    cutoff = START + timedelta(days=40)
    made = foresight.make_forecast(
        engine, Measure.ARRIVALS_AT_RECEPTION, "LT", horizon=14, cutoff=cutoff
    )
    assert made.cutoff == cutoff
    assert made.forecast.dates[0] == cutoff + timedelta(days=1)
    assert all(made.forecast.lo95 <= made.forecast.lo80)
    with Session(engine) as session:
        stored = session.scalars(select(ForecastRow)).one()
        assert session.scalar(select(func.count()).select_from(ForecastRow)) == 1
    assert stored.cutoff == cutoff and len(stored.days) == 14
    assert stored.model == made.forecast.model
