"""Series reconciled together: a country with its border sections (the sections add up to no
more than the country on every day), a site's occupancy with its arrivals (occupancy rises
no faster than people arrive). SYNTHETIC figures."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sitroom.domain.audiences import EVERYTHING
from sitroom.domain.measures import Measure
from sitroom.domain.series import StoredSeries
from sitroom.interchange.records.figures import figure_cells
from sitroom.interchange.records.places import SITE_COLUMNS
from sitroom.services import ingest, series_reads
from sitroom.services.series import refresh_series
from tests import factories

JULY = date(2021, 7, 1)
DAYS = 31


def _figure(
    place: str, start: date, end: date, value: float, measure: Measure = Measure.APPREHENDED
) -> dict[str, str]:
    return figure_cells(
        factories.figure(
            measure=measure,
            place=place,
            value=float(value),
            period_start=start,
            period_end=end,
        )
    )


def _load(engine: Engine, tmp_path: Path, rows: list[dict[str, str]], name: str) -> None:
    sections = factories.sections_file(tmp_path / f"{name}-sections.csv")
    ingest.import_file(engine, sections, entered_by="t")
    report = ingest.import_file(
        engine, factories.figures_file(tmp_path / f"{name}.csv", rows), entered_by="t"
    )
    assert report.committed, report.rejections


def _read(session: Session, place: str, measure: Measure = Measure.APPREHENDED) -> StoredSeries:
    found = series_reads.read_series(session, measure, place, readers=EVERYTHING)
    assert found is not None, place
    return found


def test_sections_add_up_to_no_more_than_their_country(engine: Engine, tmp_path: Path) -> None:
    month_total = 900.0
    rows = [_figure("LT", JULY, JULY + timedelta(days=DAYS - 1), month_total)]
    # Section 1 reports every day of the first fortnight; section 2 one week's total.
    rows += [
        _figure("LT-BY-1", JULY + timedelta(days=i), JULY + timedelta(days=i), 12)
        for i in range(14)
    ]
    rows.append(_figure("LT-BY-2", JULY + timedelta(days=7), JULY + timedelta(days=13), 140))
    _load(engine, tmp_path, rows, "hierarchy")
    refresh_series(engine)
    with Session(engine) as session:
        country = _read(session, "LT")
        one, two = _read(session, "LT-BY-1"), _read(session, "LT-BY-2")
    assert sum(d.estimate for d in country.days) == pytest.approx(month_total, abs=1e-3)
    assert [d.estimate for d in one.days[:14]] == pytest.approx([12.0] * 14, abs=1e-6)
    assert sum(d.estimate for d in two.days[7:14]) == pytest.approx(140, abs=1e-3)
    by_day = {d.day: d.estimate for d in country.days}
    for a, b in zip(one.days, two.days, strict=True):
        assert a.day == b.day
        assert a.estimate + b.estimate <= by_day[a.day] + 1e-6
    # The sections' own figures shape the country's days: the first fortnight is pinned to
    # at least what the sections reported.
    assert all(by_day[JULY + timedelta(days=i)] >= 12 - 1e-6 for i in range(14))


def test_a_section_reported_alone_is_reconciled_on_its_own(engine: Engine, tmp_path: Path) -> None:
    rows = [
        _figure("LT-BY-1", JULY + timedelta(days=i), JULY + timedelta(days=i), 5) for i in range(5)
    ]
    _load(engine, tmp_path, rows, "alone")
    refresh_series(engine)
    with Session(engine) as session:
        alone = _read(session, "LT-BY-1")
        assert (
            series_reads.read_series(session, Measure.APPREHENDED, "LT", readers=EVERYTHING) is None
        )
    assert [d.day for d in alone.days] == [JULY + timedelta(days=i) for i in range(5)]


def test_a_sites_occupancy_rises_no_faster_than_people_arrive(
    engine: Engine, tmp_path: Path
) -> None:
    site = {
        "id": "LT-SYNTHETIC-CAMP",
        "name": "Synthetic camp",
        "country": "LT",
        "kind": "tent_camp",
        "lon": "25.1",
        "lat": "54.6",
        "operator": "",
    }
    path = factories.write_rows(tmp_path / "site.csv", [c.name for c in SITE_COLUMNS], [site])
    assert ingest.import_file(engine, path, entered_by="t").committed
    day = [JULY + timedelta(days=i) for i in range(10)]
    occupancy, arrivals = Measure.OCCUPANCY, Measure.ARRIVALS_AT_RECEPTION
    rows = [
        _figure(site["id"], day[0], day[0], 100, occupancy),
        _figure(site["id"], day[9], day[9], 250, occupancy),
    ]
    # Everyone arrives on days 1-3; nobody on days 4-9.
    rows += [
        _figure(site["id"], d, d, 60 if i in (1, 2, 3) else 0, arrivals) for i, d in enumerate(day)
    ]
    _load(engine, tmp_path, rows, "camp")
    refresh_series(engine)
    with Session(engine) as session:
        stock = _read(session, site["id"], occupancy)
        inflow = _read(session, site["id"], arrivals)
    present = {d.day: d.estimate for d in stock.days}
    came = {d.day: d.estimate for d in inflow.days}
    assert present[day[0]] == pytest.approx(100, abs=1e-3)
    assert present[day[9]] == pytest.approx(250, abs=1e-3)
    for before, after in itertools.pairwise(day):
        assert present[after] - present[before] <= came[after] + 0.05
    # With no arrivals after day 3, the camp already held its 250 by then.
    assert present[day[4]] >= 250 - 0.05
