"""The column-at-a-time incident import gives exactly what the row importer gives (SYNTHETIC
rows), and CSV exports cannot smuggle formulas into a spreadsheet."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, inspect, text

from sitroom.interchange import csv_blocks
from sitroom.interchange.csv_format import neutralise, restore
from sitroom.interchange.records.incidents import COLUMNS
from sitroom.interchange.records.schema import RecordKind
from sitroom.interchange.registry import Format
from sitroom.services import exports, ingest, ingest_columns
from sitroom.store import bulk
from tests import factories

NAMES = [c.name for c in COLUMNS]
STORED = (
    "ref, occurred_at, day, section, country, lon, lat, category, persons, minors, "
    "nationalities, description, status, confidence, external_ref, source_kind, "
    "source_reference, source_organisation, source_published, entered_by, entered_at"
)

# Cell values a row may carry, good and bad, for every check the row parser makes.
VARIANTS = {
    "external_ref": ["", "X1", " X1 ", "\u3000", "'-x", "''=y", "a'b", "x" * 2001],
    "occurred_at": [
        " 2021-07-03T02:10+03:00 ",
        "2021-07-03T02:10:59+03:00",
        "2021-07-03T02:10-00:00",
        "2021-07-03T02:10Z",
        "2021-02-30T02:10+03:00",
        "2021-07-03T24:10+03:00",
        "2021-07-03T02:10",
        "2021-07-03T02:10:00.5+03:00",
        "",
        "2021-07-03T02:10+23:59",
        "0000-01-01T00:00+01:00",
        "２０２１-07-03T02:10+03:00",
    ],
    "section": ["lt-by-1", " LT-BY-1 ", "XX-1", "", "LT-BY-1\xa0"],
    "lon": ["", "25.1", "-25.1", "181", "1e1", "+25.1", "25.", ".5", "nan", "1,5", "٣"],
    "lat": ["", "54.2", "-90", "91", "inf"],
    "category": ["APPREHENSION", " other ", "bogus", ""],
    "persons": ["0", "-1", "1.0", "1.5", "007", "", "x", "１", " 3 "],
    "minors": ["", "0", "6", "-1", "2.0"],
    "nationalities": [
        "IQ:1;SY:1",
        "SY:1;IQ:1",
        "iq:1",
        "IQ:1;IQ:1",
        "IQ:0",
        "XX:1",
        "IQ",
        " IQ:1 ",
        "IQ:1;",
        "IQ: 1",
        "IQ:100",
        "IQ:02",
    ],
    "description": ["d", " spaced ", "a'b", "'=cmd", "x" * 5001],
    "status": ["VERIFIED", "bogus", " retracted "],
    "confidence": ["low", "bogus"],
    "source_kind": ["PRESS", "bogus", "", " web_form "],
    "source_organisation": ["", " Org ", "'+o"],
    "source_url": ["", " https://example.org/synthetic/1 ", "\u3000"],
    "source_published": ["2021", "2021-07", "2021-13", "x", "２０２１"],
    "entered_by": ["bob", " bob ", "z" * 121],
    "entered_at": ["2021-07-03T02:10+03:00", "2021-07-03T02:10", "x", "2021-07-03T02:10Z"],
}


def messy_file(path: Path, rows: int, seed: int) -> Path:
    """Mostly good rows, with bad cells, blank lines, short and long rows, control
    characters, an HXL row and a line that is not UTF-8 mixed in."""
    rnd = random.Random(seed)
    lines = [",".join(NAMES), "#meta+id,#meta+id+external"]
    for n in range(rows):
        roll = rnd.random()
        if roll < 0.02:
            lines.append(rnd.choice(["", ",,, ,", "a,b", ",".join(["x"] * 21)]))
            continue
        row = dict.fromkeys(NAMES, "") | factories.incident_row(n)
        if rnd.random() < 0.3:
            row["external_ref"] = rnd.choice(["", "X1", "X2"])
        for _ in range(rnd.choice([0, 0, 1, 2])):
            name = rnd.choice(list(VARIANTS))
            row[name] = rnd.choice(VARIANTS[name])
        line = ",".join(row[name] for name in NAMES)
        if rnd.random() < 0.01:
            line = line.replace("LT", "L\x01T", 1)
        lines.append(line)
    data = "\n".join(lines).encode() + b"\n"
    cut = data.index(b"\n", len(data) // 2)
    path.write_bytes(data[:cut] + b",\xff\xfe" + data[cut:])
    return path


def stored(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return list(connection.execute(text(f"SELECT {STORED} FROM incidents ORDER BY ref")))


def clear(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in ("incidents", "quarantine", "import_batches"):
            connection.execute(text(f"DELETE FROM {table}"))


@pytest.mark.parametrize("partial", [True, False])
def test_the_column_import_stores_and_rejects_exactly_what_the_row_import_does(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, partial: bool
) -> None:
    ingest.import_file(engine, factories.sections_file(tmp_path / "s.csv"), entered_by="t")
    path = messy_file(tmp_path / "messy.csv", 1500, seed=7)
    # Small blocks, so that rows cross block boundaries and blocks fall back whole.
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", 4096)
    with path.open("rb") as stream:
        assert ingest_columns.qualifies(RecordKind.INCIDENTS, "csv", NAMES, stream)
    columns = ingest.import_file(engine, path, entered_by="t", partial=partial)
    by_columns = stored(engine)
    clear(engine)
    monkeypatch.setattr(ingest_columns, "qualifies", lambda *args: False)
    rows = ingest.import_file(engine, path, entered_by="t", partial=partial)

    assert columns.accounted_for and rows.accounted_for
    counts = (columns.read, columns.accepted, columns.duplicate, columns.rejected)
    assert counts == (rows.read, rows.accepted, rows.duplicate, rows.rejected)
    assert columns.accepted > 500 and columns.rejected > 100
    assert sorted((r.line, r.field, r.reason, r.cells) for r in columns.rejections) == sorted(
        (r.line, r.field, r.reason, r.cells) for r in rows.rejections
    )
    # Entry times default to the moment of the import: compare everything else.
    assert [r[:-1] for r in by_columns] == [r[:-1] for r in stored(engine)]
    assert columns.committed is partial and (len(by_columns) > 0) is partial


def test_a_large_import_rebuilds_the_indexes_and_a_repeat_adds_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest.import_file(engine, factories.sections_file(tmp_path / "s.csv"), entered_by="t")
    monkeypatch.setattr(bulk, "REBUILD_FROM_ROWS", 10)
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", 2048)
    rows = [factories.incident_row(n) for n in range(200)]
    path = factories.write_rows(tmp_path / "i.csv", NAMES, rows)
    indexes = {i["name"] for i in inspect(engine).get_indexes("incidents")}

    first = ingest.import_file(engine, path, entered_by="t")
    again = ingest.import_file(engine, path, entered_by="t")

    assert (first.read, first.accepted, first.duplicate) == (200, 200, 0)
    assert (again.read, again.accepted, again.duplicate) == (200, 0, 200)
    assert {i["name"] for i in inspect(engine).get_indexes("incidents")} == indexes
    assert indexes >= {"ix_incidents_section_day", "ix_incidents_country_day"}
    assert len(stored(engine)) == 200


@given(st.text(max_size=12))
def test_restore_undoes_neutralise_and_no_cell_starts_a_formula(value: str) -> None:
    written = neutralise(value)
    assert restore(written) == value
    if written[:1] in ("=", "+", "-", "@", "\t", "\r"):
        float(written)  # only plain numbers such as -27.5 keep their sign


def test_exported_csv_cells_cannot_start_a_formula_and_still_round_trip(
    engine: Engine, tmp_path: Path
) -> None:
    ingest.import_file(engine, factories.sections_file(tmp_path / "s.csv"), entered_by="t")
    rows = [
        factories.incident_row(1, description='=HYPERLINK("http://x")', lon="-25.5", lat="54"),
        factories.incident_row(2, description="@SUM(A1)", source_organisation="+org"),
        factories.incident_row(3, description="'=already quoted", external_ref="-7-"),
        factories.incident_row(4, description="'plain apostrophe"),
    ]
    path = factories.write_rows(tmp_path / "i.csv", [*rows[0]], rows)
    report = ingest.import_file(engine, path, entered_by="t")
    assert report.accepted == 4
    before = stored(engine)

    out = io.BytesIO()
    exports.export_records(engine, RecordKind.INCIDENTS, Format.CSV, out)
    cells = list(csv.DictReader(io.StringIO(out.getvalue().decode())))
    texts = {c["description"] for c in cells}
    assert texts == {
        '\'=HYPERLINK("http://x")',
        "'@SUM(A1)",
        "'=already quoted",  # an apostrophe before = in a file is taken as the writer's
        "'plain apostrophe",
    }
    assert {c["source_organisation"] for c in cells} >= {"'+org"}
    assert {c["lon"] for c in cells} >= {"-25.5"}
    assert all(not v.startswith(("=", "+", "@", "\t", "\r")) for c in cells for v in c.values())

    exported = tmp_path / "exported.csv"
    exported.write_bytes(out.getvalue())
    clear(engine)
    again = ingest.import_file(engine, exported, entered_by="t")
    assert (again.accepted, again.rejected) == (4, 0)
    assert stored(engine) == before
    second = io.BytesIO()
    exports.export_records(engine, RecordKind.INCIDENTS, Format.CSV, second)
    assert second.getvalue() == out.getvalue()


@pytest.mark.parametrize("stored_before", [0, 30])
def test_a_large_load_with_repeated_refs_keeps_the_first_and_rebuilds_every_constraint(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stored_before: int
) -> None:
    # A large import into a smaller table drops the unique ref and the indexes (on PostgreSQL
    # the primary key too), loads, and builds them again: refs repeated within the file or
    # stored before must still count as duplicates, the first in the file winning, as row by
    # row.
    ingest.import_file(engine, factories.sections_file(tmp_path / "s.csv"), entered_by="t")
    monkeypatch.setattr(bulk, "REBUILD_FROM_ROWS", 10)
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", 2048)
    before = [factories.incident_row(n) for n in range(stored_before)]
    rows = [factories.incident_row(n, description=f"d{n}") for n in range(200)]
    rows += [factories.incident_row(n, description=f"again {n}") for n in range(0, 200, 7)]
    path = factories.write_rows(tmp_path / "i.csv", NAMES, rows)
    shape = inspect(engine)
    constraints = (
        shape.get_pk_constraint("incidents"),
        shape.get_unique_constraints("incidents"),
        sorted(i["name"] for i in shape.get_indexes("incidents")),
    )

    outcomes = []
    for columns in (True, False):
        clear(engine)
        if before:
            first = factories.write_rows(tmp_path / "before.csv", NAMES, before)
            ingest.import_file(engine, first, entered_by="t")
        with monkeypatch.context() as patch:
            if not columns:
                patch.setattr(ingest_columns, "qualifies", lambda *args: False)
            report = ingest.import_file(engine, path, entered_by="t")
        outcomes.append(
            ((report.read, report.accepted, report.duplicate, report.rejected), stored(engine))
        )
        shape = inspect(engine)
        assert constraints == (
            shape.get_pk_constraint("incidents"),
            shape.get_unique_constraints("incidents"),
            sorted(i["name"] for i in shape.get_indexes("incidents")),
        )

    (counts, by_columns), (row_counts, by_rows) = outcomes
    assert counts == row_counts == (229, 200 - stored_before, 29 + stored_before, 0)
    assert [r[:-1] for r in by_columns] == [r[:-1] for r in by_rows]
    assert "again" not in str(by_columns)


def test_a_large_load_keeps_a_key_another_table_refers_to(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Dropping a primary key that another table's foreign key needs would fail: the import
    # then takes the staged way and stores the same.
    ingest.import_file(engine, factories.sections_file(tmp_path / "s.csv"), entered_by="t")
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE incident_notes (incident_id INTEGER REFERENCES incidents (id))")
        )
    monkeypatch.setattr(bulk, "REBUILD_FROM_ROWS", 10)
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", 2048)
    rows = [factories.incident_row(n) for n in range(100)]
    report = ingest.import_file(
        engine, factories.write_rows(tmp_path / "i.csv", NAMES, rows), entered_by="t"
    )
    assert (report.read, report.accepted, report.duplicate) == (100, 100, 0)
    assert len(stored(engine)) == 100
    assert inspect(engine).get_pk_constraint("incidents")["constrained_columns"] == ["id"]
