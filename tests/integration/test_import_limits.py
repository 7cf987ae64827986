"""Values that SQLite would store but PostgreSQL's column types refuse (an INTEGER over
2,147,483,647, a VARCHAR over its length) are rejected with their line, field and reason, the
same on both databases and on both import paths, instead of failing the import (SYNTHETIC)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sitroom.domain.countries import COUNTRY_CODES
from sitroom.interchange.records.incidents import COLUMNS
from sitroom.interchange.records.schema import RecordKind
from sitroom.services import ingest, ingest_columns
from sitroom.store.tables import FigureRow, IncidentRow, SiteRow
from tests import factories

NAMES = [c.name for c in COLUMNS]
TOO_MANY = "2147483648"
MOST = "100,000"  # domain.bounds.MOST_IN_ONE_INCIDENT, as the message writes it
# 2021-07-03T02:10:00+03:00:00.5 would be written out 35 characters long: more than String(32).
ODD_OFFSET = "2021-07-03T02:10:00+03:00:00.500000"
LONG_NATIONALITIES = ";".join(f"{code}:1" for code in sorted(COUNTRY_CODES)[:90])

# Each bad row (its overrides) and the field it must be rejected on.
BAD_INCIDENTS: list[tuple[dict[str, str], str, str]] = [
    ({"persons": TOO_MANY, "minors": "0", "nationalities": ""}, "persons", MOST),
    ({"persons": "99999999999999", "minors": "0", "nationalities": ""}, "persons", MOST),
    ({"persons": "100001", "minors": "0", "nationalities": ""}, "persons", MOST),
    ({"persons": "3", "minors": TOO_MANY}, "minors", MOST),
    ({"persons": "12.5", "nationalities": ""}, "persons", "not a whole number"),
    ({"persons": "1e3", "nationalities": ""}, "persons", "not a whole number"),
    ({"external_ref": "R" * 121}, "external_ref", "longer than 120"),
    ({"source_organisation": "O" * 201}, "source_organisation", "longer than 200"),
    ({"nationalities": LONG_NATIONALITIES, "persons": "90"}, "nationalities", "longer than 400"),
    ({"nationalities": "IQ:²"}, "nationalities", "CODE:COUNT"),
    ({"entered_at": ODD_OFFSET}, "entered_at", "hours and minutes"),
    ({"occurred_at": ODD_OFFSET}, "occurred_at", "hours and minutes"),
    ({"occurred_at": "2021-02-29T10:00+02:00"}, "occurred_at", "(February 2021 has 28 days)"),
    ({"occurred_at": "1989-12-31T23:00+02:00"}, "occurred_at", "before 1990-01-01"),
    ({"occurred_at": "9999-12-31T23:00+02:00"}, "occurred_at", "is after"),
    ({"source_published": "2021-02-30"}, "source_published", "(February 2021 has 28 days)"),
    ({"source_published": "1989"}, "source_published", "before 1990-01-01"),
    ({"entered_at": "0001-01-01T00:00+00:00"}, "entered_at", "before 1990-01-01"),
]
# Rows just within the limits, which must be stored.
EDGE_INCIDENTS: list[dict[str, str]] = [
    {"persons": "100000", "minors": "100000", "nationalities": ""},
    {"occurred_at": "1990-01-01T00:00+00:00", "source_published": "1990"},
    {"external_ref": "R" * 120, "source_organisation": "O" * 200},
    {"nationalities": ";".join(f"{c}:1" for c in sorted(COUNTRY_CODES)[:80]), "persons": "80"},
    {"entered_at": "2021-07-03T02:10:00+03:00:30"},
]


def count(engine: Engine, table: type[object]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def incidents_file(path: Path) -> Path:
    rows = [factories.incident_row(n) for n in range(20)]
    rows += [factories.incident_row(100 + n, **o) for n, (o, _, _) in enumerate(BAD_INCIDENTS)]
    rows += [factories.incident_row(200 + n, **o) for n, o in enumerate(EDGE_INCIDENTS)]
    return factories.write_rows(path, NAMES, rows)


@pytest.mark.parametrize("columns", [True, False], ids=["column-path", "row-path"])
@pytest.mark.parametrize("partial", [True, False])
def test_values_beyond_the_column_types_are_rejected_not_a_database_error(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    columns: bool,
    partial: bool,
) -> None:
    ingest.import_file(engine, factories.sections_file(tmp_path / "s.csv"), entered_by="t")
    path = incidents_file(tmp_path / "i.csv")
    if not columns:
        monkeypatch.setattr(ingest_columns, "qualifies", lambda *args: False)
    else:
        with path.open("rb") as stream:
            assert ingest_columns.qualifies(RecordKind.INCIDENTS, "csv", NAMES, stream)

    report = ingest.import_file(engine, path, entered_by="t", partial=partial)

    assert report.accounted_for
    good = 20 + len(EDGE_INCIDENTS)
    assert (report.read, report.accepted, report.rejected) == (
        good + len(BAD_INCIDENTS),
        good,
        len(BAD_INCIDENTS),
    )
    found = sorted((r.line, r.field, r.reason) for r in report.rejections)
    for (line, field, reason), (_, want_field, want_reason) in zip(
        found, BAD_INCIDENTS, strict=True
    ):
        assert field == want_field, (line, reason)
        assert want_reason in reason, (line, reason)
    assert [line for line, _, _ in found] == list(range(22, 22 + len(BAD_INCIDENTS)))
    assert report.committed is partial
    assert count(engine, IncidentRow) == (good if partial else 0)
    if partial:
        with Session(engine) as session:
            largest = session.scalar(select(func.max(IncidentRow.persons)))
        assert largest == 100000


def test_figures_and_sites_beyond_the_column_types_are_rejected(
    engine: Engine, tmp_path: Path
) -> None:
    rows = factories.figure_rows(4)
    rows[1]["source_organisation"] = "O" * 201
    rows[2]["entered_at"] = ODD_OFFSET
    rows[3]["corrects"] = "F" * 300
    path = factories.figures_file(tmp_path / "f.csv", rows)
    report = ingest.import_file(engine, path, entered_by="t", partial=True)
    assert report.accounted_for and (report.accepted, report.rejected) == (1, 3)
    fields = sorted((r.line, r.field) for r in report.rejections)
    assert fields == [(3, "source_organisation"), (4, "entered_at"), (5, "corrects")]
    assert count(engine, FigureRow) == 1

    sites = factories.write_rows(
        tmp_path / "sites.csv",
        ["id", "name", "country", "kind", "operator"],
        [
            {"id": "LT-S1", "name": "Site", "country": "LT", "kind": "hostel", "operator": "o"},
            {
                "id": "LT-S2",
                "name": "Site",
                "country": "LT",
                "kind": "hostel",
                "operator": "o" * 201,
            },
        ],
    )
    report = ingest.import_file(engine, sites, entered_by="t", partial=True)
    assert report.accounted_for and (report.accepted, report.rejected) == (1, 1)
    assert [(r.line, r.field) for r in report.rejections] == [(3, "operator")]
    assert count(engine, SiteRow) == 1
