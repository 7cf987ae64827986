"""Importing files into a real database (SQLite and PostgreSQL), with SYNTHETIC rows."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sitroom.domain.measures import Measure
from sitroom.interchange.records.incidents import COLUMNS as INCIDENT_COLUMNS
from sitroom.services import exports, ingest, queries
from sitroom.store.tables import FigureRow, ImportBatchRow, IncidentRow, QuarantineRow
from tests import factories


def count(engine: Engine, table: type[object]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def run_import(engine: Engine, path: Path, **options: object) -> ingest.ImportReport:
    return ingest.import_file(engine, path, entered_by="alice", **options)  # type: ignore[arg-type]


def test_valid_figures_are_all_accepted(engine: Engine, tmp_path: Path) -> None:
    path = factories.figures_file(tmp_path / "f.csv", factories.figure_rows(30))
    report = run_import(engine, path)
    assert (report.read, report.accepted, report.duplicate, report.rejected) == (30, 30, 0, 0)
    assert report.committed and count(engine, FigureRow) == 30


def test_importing_the_same_file_twice_adds_nothing(engine: Engine, tmp_path: Path) -> None:
    path = factories.figures_file(tmp_path / "f.csv", factories.figure_rows(10))
    run_import(engine, path)
    again = run_import(engine, path)
    assert (again.read, again.accepted, again.duplicate) == (10, 0, 10)
    assert count(engine, FigureRow) == 10


def test_a_rejected_row_means_nothing_is_stored_without_partial(
    engine: Engine, tmp_path: Path
) -> None:
    rows = factories.figure_rows(5)
    rows[2]["period_start"] = "2021-13-01"
    report = run_import(engine, factories.figures_file(tmp_path / "f.csv", rows))
    assert (report.read, report.accepted, report.rejected) == (5, 4, 1)
    rejection = report.rejections[0]
    assert (rejection.line, rejection.field) == (4, "period_start")
    assert "2021-13-01 is not a date (a year has 12 months)" in rejection.reason
    assert not report.committed
    assert count(engine, FigureRow) == 0
    assert count(engine, QuarantineRow) == 0
    assert count(engine, ImportBatchRow) == 0


def test_with_partial_the_valid_rows_land_and_the_bad_ones_wait_in_quarantine(
    engine: Engine, tmp_path: Path
) -> None:
    rows = factories.figure_rows(4)
    rows[1]["value"] = "-5"
    rows[3]["place"] = "LT-NOWHERE"
    path = factories.figures_file(tmp_path / "f.csv", rows)
    report = run_import(engine, path, partial=True)
    assert (report.accepted, report.rejected) == (2, 2)
    assert count(engine, FigureRow) == 2
    with Session(engine) as session:
        waiting = queries.list_quarantine(session)
    assert [(q.line, q.field) for q in waiting] == [(3, "value"), (5, "place")]
    # The same bad file again quarantines nothing twice.
    run_import(engine, path, partial=True)
    assert count(engine, QuarantineRow) == 2


def test_a_fixed_quarantine_file_reimports_and_empties_the_quarantine(
    engine: Engine, tmp_path: Path
) -> None:
    rows = factories.figure_rows(3)
    rows[0]["qualifier"] = "roughly"
    run_import(engine, factories.figures_file(tmp_path / "f.csv", rows), partial=True)
    with Session(engine) as session:
        waiting = queries.list_quarantine(session)
    fix = tmp_path / "fix.csv"
    exports.write_quarantine(waiting, ingest.RecordKind.FIGURES, fix)
    text = fix.read_text(encoding="utf-8").replace(",roughly,", ",approx,")
    fix.write_text(text, encoding="utf-8")
    report = run_import(engine, fix)
    assert (report.accepted, report.rejected) == (1, 0)
    with Session(engine) as session:
        assert queries.list_quarantine(session) == []
    assert count(engine, FigureRow) == 3


def test_a_correction_is_a_new_figure_and_the_history_shows_both(
    engine: Engine, tmp_path: Path
) -> None:
    original = factories.figure(value=287.0)
    correction = factories.figure(value=294.0, corrects=original.ref, note="corrected by the BG")
    rows = [exports.SCHEMAS[ingest.RecordKind.FIGURES].to_cells(f) for f in (original, correction)]
    run_import(engine, factories.figures_file(tmp_path / "f.csv", rows))
    with Session(engine) as session:
        chain = queries.figure_history(session, correction.ref)
        from_original = queries.figure_history(session, original.ref)
    assert [f.value for f in chain] == [287.0, 294.0]
    assert [f.ref for f in from_original] == [original.ref, correction.ref]


def test_a_correction_of_an_unknown_figure_is_rejected(engine: Engine, tmp_path: Path) -> None:
    rows = [exports.SCHEMAS[ingest.RecordKind.FIGURES].to_cells(factories.figure(corrects="Fnope"))]
    report = run_import(engine, factories.figures_file(tmp_path / "f.csv", rows))
    assert report.rejections[0].field == "corrects"


def test_incidents_need_a_known_section(engine: Engine, tmp_path: Path) -> None:
    run_import(engine, factories.sections_file(tmp_path / "s.csv"))
    rows = [factories.incident_row(n) for n in range(5)] + [
        factories.incident_row(9, section="LV-BY-9")
    ]
    path = factories.write_rows(tmp_path / "i.csv", [c.name for c in INCIDENT_COLUMNS], rows)
    report = run_import(engine, path, partial=True)
    assert (report.accepted, report.rejected) == (5, 1)
    assert report.rejections[0].field == "section"
    assert count(engine, IncidentRow) == 5


def test_a_file_missing_required_columns_is_refused_whole_naming_every_one(
    engine: Engine, tmp_path: Path
) -> None:
    rows = factories.figure_rows(3)
    gone = ("qualifier", "source_url")
    for row in rows:
        for name in gone:
            del row[name]
    header = [
        c.name for c in exports.SCHEMAS[ingest.RecordKind.FIGURES].columns if c.name not in gone
    ]
    report = run_import(engine, factories.write_rows(tmp_path / "f.csv", header, rows))
    assert (report.read, report.rejected, report.committed) == (0, 0, False)
    assert report.error == "the header lacks 2 required columns of figures: qualifier, source_url"


def test_sites_defined_again_differently_are_refused_not_overwritten(
    engine: Engine, tmp_path: Path
) -> None:
    header = ["id", "name", "country", "kind"]
    first = [{"id": "LT-TEST", "name": "Synthetic centre", "country": "LT", "kind": "hostel"}]
    run_import(engine, factories.write_rows(tmp_path / "a.csv", header, first))
    changed = [{**first[0], "name": "Renamed"}]
    report = run_import(engine, factories.write_rows(tmp_path / "b.csv", header, changed))
    assert report.rejections[0].field == "id"
    with Session(engine) as session:
        assert [s.name for s in queries.list_sites(session)] == ["Synthetic centre"]


def test_incidents_add_up_to_a_lower_bound_per_day_and_section(
    engine: Engine, tmp_path: Path
) -> None:
    run_import(engine, factories.sections_file(tmp_path / "s.csv"))
    rows = [
        factories.incident_row(1, occurred_at="2021-07-03T02:10:00+03:00", persons="4"),
        factories.incident_row(2, occurred_at="2021-07-03T23:50:00+03:00", persons="6"),
        factories.incident_row(
            3, occurred_at="2021-07-03T12:00:00+03:00", persons="9", status="retracted"
        ),
        factories.incident_row(
            4, occurred_at="2021-07-03T12:00:00+03:00", persons="2", category="person_injured"
        ),
        factories.incident_row(
            5, occurred_at="2021-07-04T01:00:00+03:00", persons="5", section="LT-BY-2"
        ),
    ]
    path = factories.write_rows(tmp_path / "i.csv", [c.name for c in INCIDENT_COLUMNS], rows)
    assert run_import(engine, path).accepted == 5
    with Session(engine) as session:
        found = queries.incident_figures(
            session, queries.FigureFilter(measure=Measure.APPREHENDED, country="LT")
        )
    assert [(f.place, str(f.period_start), f.value, f.qualifier.value) for f in found] == [
        ("LT-BY-1", "2021-07-03", 10.0, "at_least"),
        ("LT-BY-2", "2021-07-04", 5.0, "at_least"),
    ]
    assert found[0].note == "2 incidents"
