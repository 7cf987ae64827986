"""Malformed files of every sort (SYNTHETIC): a clear message and every row accounted for."""

from __future__ import annotations

import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from sitroom.interchange.records.schema import RecordKind
from sitroom.services import ingest

HEADER = "measure,place,period_start,period_end,value,qualifier,source_kind,source_url\n"
GOOD = "apprehended,LT,2021-07-03,2021-07-03,12,exact,official_feed,https://example.org/s\n"


def check(report: ingest.ImportReport) -> None:
    assert report.accounted_for
    if report.error is None:
        assert all(r.reason and r.field for r in report.rejections)
        assert report.rejected == len(report.rejections)
    else:
        assert report.read == 0 and not report.committed


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(garbage=st.binary(max_size=400), position=st.integers(0, 3))
def test_any_bytes_anywhere_in_a_file_are_accounted_for(
    engine: Engine, tmp_path: Path, garbage: bytes, position: int
) -> None:
    lines = [HEADER.encode(), GOOD.encode(), GOOD.replace("12", "13").encode()]
    lines.insert(min(position, len(lines)), garbage + b"\n")
    path = tmp_path / "fuzz.csv"
    path.write_bytes(b"".join(lines))
    check(ingest.import_file(engine, path, entered_by="t", partial=True))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300))
def test_any_text_as_a_row_is_accounted_for(engine: Engine, tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_text(HEADER + text + "\n" + GOOD, encoding="utf-8")
    check(ingest.import_file(engine, path, entered_by="t", partial=True))


def test_named_bad_files_get_clear_messages(engine: Engine, tmp_path: Path) -> None:
    cases: dict[str, bytes] = {
        "empty.csv": b"",
        "bom-only.csv": b"\xef\xbb\xbf",
        "latin1.csv": (HEADER + GOOD.replace("LT", "LT\xe9")).encode("latin-1"),
        "stray-quote.csv": (HEADER + 'apprehended,"LT,2021-07-03\n' + GOOD).encode(),
        "missing-columns.csv": b"measure,value\napprehended,3\n",
        "extra-columns.csv": (HEADER.strip() + ",colour\n" + GOOD.strip() + ",red\n").encode(),
        "huge.csv": (HEADER + "x" * 300_000 + "\n" + GOOD).encode(),
        "garbage.bin": bytes(range(256)) * 50,
        "fake.xlsx": b"PK\x03\x04 not really a zip",
    }
    archive = tmp_path / "other.xlsx"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme.txt", "a ZIP of something else")
    outcomes = {}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        outcomes[name] = ingest.import_file(engine, path, entered_by="t", partial=True)
    outcomes["other.xlsx"] = ingest.import_file(engine, archive, entered_by="t", partial=True)
    for report in outcomes.values():
        check(report)
    assert outcomes["empty.csv"].error is not None and "empty" in outcomes["empty.csv"].error
    assert "no spreadsheet" in (outcomes["other.xlsx"].error or "")
    assert "ZIP" in (outcomes["fake.xlsx"].error or "")
    assert (
        outcomes["latin1.csv"]
        .rejections[0]
        .reason.endswith("save the file as UTF-8 (CSV UTF-8 in spreadsheet programs)")
    )
    assert outcomes["extra-columns.csv"].accepted + outcomes["extra-columns.csv"].duplicate == 1
    assert "colour" in outcomes["extra-columns.csv"].notes[0]
    huge = outcomes["huge.csv"]
    assert (huge.accepted + huge.duplicate, huge.rejected) == (1, 1)
    assert "--kind" in (outcomes["missing-columns.csv"].error or "")
    named = ingest.import_file(
        engine, tmp_path / "missing-columns.csv", entered_by="t", kind=RecordKind.FIGURES
    )
    assert named.read == 0 and named.error == (
        "the header lacks 5 required columns of figures: "
        "place, period_start, qualifier, source_kind, source_url"
    )


def test_a_file_that_does_not_exist_is_an_error_not_a_crash(engine: Engine, tmp_path: Path) -> None:
    report = ingest.import_file(engine, tmp_path / "nope.csv", entered_by="t")
    assert report.error is not None and "cannot read" in report.error


def test_a_semicolon_separated_file_is_read_like_a_comma_separated_one(
    engine: Engine, tmp_path: Path
) -> None:
    # What Excel writes in Lithuanian, Latvian and Polish locales (SYNTHETIC rows).
    path = tmp_path / "semicolons.csv"
    path.write_text(
        HEADER.replace(",", ";")
        + GOOD.replace(",", ";")
        + "apprehended;LT;2021-02-30;;12,5;exact;official_feed;https://example.org/s\n",
        encoding="utf-8-sig",
    )
    report = ingest.import_file(engine, path, entered_by="t", partial=True)
    assert (report.read, report.accepted + report.duplicate, report.rejected) == (2, 1, 1)
    (rejection,) = report.rejections
    assert (rejection.line, rejection.field) == (3, "period_start")
    assert rejection.reason.startswith("2021-02-30 is not a date (February 2021 has 28 days);")
    assert "value: '12,5' is not a whole number" in rejection.reason
