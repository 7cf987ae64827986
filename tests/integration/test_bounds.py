"""One bad cell never breaks the database: values outside the bounds are rejected with a true
message; a row stored before the bounds existed stops only its own series, and `check`
moves it to the quarantine without losing it (SYNTHETIC figures)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from sitroom.domain.audiences import EVERYTHING
from sitroom.domain.measures import Measure
from sitroom.interchange.records.schema import RecordKind
from sitroom.report.build import build_report
from sitroom.report.markdown import render_markdown
from sitroom.services import detection, exports, ingest, queries, series, series_reads
from sitroom.services.check import check_stored
from sitroom.services.report import ImportReport
from sitroom.store.tables import FigureRow, QuarantineRow
from tests import factories

NOW = datetime(2021, 8, 4, 12, tzinfo=UTC)


def load(engine: Engine, path: Path, *, partial: bool = True) -> ImportReport:
    return ingest.import_file(engine, path, entered_by="t", partial=partial, now=NOW)


def rows_with(changes: list[dict[str, str]]) -> list[dict[str, str]]:
    rows = factories.figure_rows(len(changes))
    for row, change in zip(rows, changes, strict=True):
        row.update(change)
    return rows


def test_each_cell_outside_the_bounds_is_rejected_with_a_true_message(
    engine: Engine, tmp_path: Path
) -> None:
    rows = rows_with(
        [
            {"source_published": "2021-02-30"},
            {"value": "1e30"},
            {"value": "10^30"},
            {"value": "12.5"},
            {"period_start": "0001-01-01", "period_end": "9999-12-31"},
            {"value": "10000001"},
            {"value": "100001", "measure": "deaths"},
            {"period_start": "2021-02-29", "value": "-3", "source_published": "1989"},
            {"value": "10000000"},
        ]
    )
    report = load(engine, factories.figures_file(tmp_path / "f.csv", rows))

    assert report.accounted_for and (report.accepted, report.rejected) == (1, 8)
    found = {r.line: (r.field, r.reason) for r in report.rejections}
    assert found[2] == ("source_published", "2021-02-30 is not a date (February 2021 has 28 days)")
    for line, text in ((3, "'1e30'"), (4, "'10^30'"), (5, "'12.5'")):
        assert found[line] == (
            "value",
            f"{text} is not a whole number written in digits (no decimals, exponents or signs)",
        )
    assert found[6] == (
        "period_start",
        "0001-01-01 is before 1990-01-01, the earliest date sitroom accepts; period_end: "
        "9999-12-31 is after 2021-11-04, the latest date sitroom accepts (92 days from today)",
    )
    assert found[7][1].endswith("the largest apprehended figure sitroom accepts")
    assert found[8][1].endswith("more than 100,000, the largest deaths figure sitroom accepts")
    field, reason = found[9]
    assert field == "period_start"
    assert reason == (
        "2021-02-29 is not a date (February 2021 has 28 days); "
        "value: -3 is negative; a count is 0 or more; "
        "source_published: 1989 is before 1990-01-01, the earliest date sitroom accepts"
    )


def spoil(engine: Engine, place: str, **values: object) -> None:
    """What an older sitroom let through: the row changed in place, as no import can now."""
    with Session(engine) as session:
        session.execute(update(FigureRow).where(FigureRow.place == place).values(**values))
        session.commit()


def three_countries(engine: Engine, tmp_path: Path) -> None:
    rows = factories.figure_rows(3)
    for row, place in zip(rows, ("LT", "LV", "PL"), strict=True):
        row["place"] = place
    assert load(engine, factories.figures_file(tmp_path / "f.csv", rows)).committed


def test_a_stored_row_that_breaks_the_bounds_stops_only_its_own_series(
    engine: Engine, tmp_path: Path
) -> None:
    three_countries(engine, tmp_path)
    spoil(engine, "LT", source_published="2021-02-30")
    spoil(engine, "LV", period_start=date(1, 1, 1), period_end=date(9999, 12, 31))

    series.refresh_series(engine, now=NOW)
    detection.run_detection(engine, now=NOW)

    with Session(engine) as session:
        failed = series_reads.failed_series(session, EVERYTHING)
        healthy = series_reads.read_series(session, Measure.APPREHENDED, "PL", readers=EVERYTHING)
    assert [f.place for f in failed] == ["LT", "LV"]
    assert "2021-02-30 is not a date (February 2021 has 28 days)" in failed[0].failure
    assert "0001-01-01 is before 1990-01-01" in failed[1].failure
    assert all("sitroom check" in f.failure for f in failed)
    assert healthy is not None and healthy.failure is None and len(healthy.days) == 1


def test_check_moves_what_breaks_the_bounds_to_the_quarantine_and_the_series_heal(
    engine: Engine, tmp_path: Path
) -> None:
    three_countries(engine, tmp_path)
    spoil(engine, "LT", value=12.5)
    spoil(engine, "LV", period_end=date(9999, 12, 31))
    series.refresh_series(engine, now=NOW)

    looked = check_stored(engine, now=NOW, dry_run=True)
    run = check_stored(engine, now=NOW)

    assert looked.breaches == run.breaches
    assert run.examined == {RecordKind.FIGURES: 3, RecordKind.INCIDENTS: 0}
    assert [(b.field, b.reason) for b in run.breaches] == [
        ("value", "12.5 is not a whole number"),
        (
            "period_end",
            "9999-12-31 is after 2021-11-04, the latest date sitroom accepts (92 days from today)",
        ),
    ]
    with Session(engine) as session:
        assert [f.place for f in queries.list_figures(session, queries.FigureFilter())] == ["PL"]
        kept = queries.list_quarantine(session)
    assert [(q.cells["place"], q.cells["value"], q.cells["period_end"]) for q in kept] == [
        ("LT", "12.5", "2021-07-01"),
        ("LV", "2", "9999-12-31"),
    ]
    assert check_stored(engine, now=NOW).breaches == []

    series.refresh_series(engine, now=NOW)
    with Session(engine) as session:
        assert series_reads.failed_series(session, EVERYTHING) == []
        left = series_reads.visible_series(session, EVERYTHING)
    assert [place for _, place in left] == ["PL"]


def test_a_fixed_row_from_check_goes_back_in_through_the_quarantine_export(
    engine: Engine, tmp_path: Path
) -> None:
    three_countries(engine, tmp_path)
    spoil(engine, "LT", value=12.5)
    check_stored(engine, now=NOW)
    with Session(engine) as session:
        kept = queries.list_quarantine(session)
    fix = tmp_path / "fix.csv"
    exports.write_quarantine(kept, RecordKind.FIGURES, fix)
    text = fix.read_text(encoding="utf-8").replace(",12.5,", ",12,")

    fix.write_text(text, encoding="utf-8")
    report = load(engine, fix)

    assert (report.accepted, report.rejected) == (1, 0)
    with Session(engine) as session:
        assert queries.list_quarantine(session) == []
        assert session.scalar(select(func.count()).select_from(FigureRow)) == 3


def test_a_fix_file_imported_again_with_partial_does_not_quarantine_a_row_twice(
    engine: Engine, tmp_path: Path
) -> None:
    rows = rows_with([{"value": "12.5"}, {"value": "x"}, {}])
    load(engine, factories.figures_file(tmp_path / "f.csv", rows))
    fix = tmp_path / "fix.csv"
    with Session(engine) as session:
        exports.write_quarantine(queries.list_quarantine(session), RecordKind.FIGURES, fix)
    with fix.open(encoding="utf-8") as handle:
        fixed = list(csv.DictReader(handle))
    fixed[0]["value"] = "12"  # one fixed, one still wrong (and now differently)
    fixed[1]["value"] = "y"
    factories.write_rows(fix, list(fixed[0]), fixed)

    for _ in range(2):
        report = load(engine, fix)
        assert (report.accepted + report.duplicate, report.rejected) == (1, 1)

    with Session(engine) as session:
        waiting = queries.list_quarantine(session)
        every = session.scalar(select(func.count()).select_from(QuarantineRow))
    assert [(q.field, q.reason, q.cells["value"]) for q in waiting] == [
        (
            "value",
            "'y' is not a whole number written in digits (no decimals, exponents or signs)",
            "y",
        ),
    ]
    assert every == 2  # the resolved row and the one still waiting


def test_the_report_says_which_series_could_not_be_computed_under_what_is_missing(
    engine: Engine, tmp_path: Path
) -> None:
    three_countries(engine, tmp_path)
    spoil(engine, "LV", source_published="2021-02-30")
    series.refresh_series(engine, now=NOW)

    report = build_report(engine, date(2021, 7, 5), ["LT", "LV"], now=NOW)

    missing = {c.code: c.missing for c in report.countries}
    assert any(
        line.startswith("Apprehended at LV: the series could not be computed")
        and "February 2021 has 28 days" in line
        for line in missing["LV"]
    )
    assert not any("could not be computed" in line for line in missing["LT"])
    assert "could not be computed" in render_markdown(report)
