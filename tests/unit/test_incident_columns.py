"""The column-at-a-time incident checks agree with the Python functions they stand in for
(SYNTHETIC values)."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import polars as pl

from sitroom.domain.bounds import DateWindow, calendar_day, window_at
from sitroom.interchange.csv_blocks import blocks
from sitroom.interchange.records import incident_columns
from sitroom.interchange.text_checks import cell_problem


def python_reads(day: str, window: DateWindow) -> bool:
    try:
        return window.check(calendar_day(day)).isoformat() == day
    except ValueError:
        return False


def test_a_day_is_real_exactly_when_the_domain_reads_it_inside_the_window() -> None:
    every_year = [f"{y:04d}-{md}" for y in range(10_000) for md in ("02-29", "01-01", "12-31")]
    every_month_and_day = [
        f"{y}-{m:02d}-{d:02d}"
        for y in ("0000", "0001", "1900", "2000", "2021", "2024", "9999")
        for m in range(100)
        for d in range(100)
    ]
    days = pl.DataFrame({"day": every_year + every_month_and_day})
    for window in (DateWindow(date(1, 1, 1), date(9999, 12, 31)), window_at(date(2021, 8, 4))):
        real = days.select(incident_columns._real_day(pl.col("day"), window)).to_series()

        assert real.to_list() == [python_reads(day, window) for day in days.get_column("day")]


def test_a_block_says_whether_a_line_may_hold_a_control_character() -> None:
    for code in [*range(0x80), 0x85, 0xA0, 0x2028, 0x3000]:
        data = f"a,b\nx{chr(code)}y,1\n".encode()
        (block,) = blocks(io.BytesIO(data), ["a", "b"])
        has_one = cell_problem(chr(code)) is not None
        assert block.controls is has_one, hex(code)


def test_refs_are_the_blake2b_digests_of_the_reference_or_the_content() -> None:
    stored = pl.DataFrame(
        {
            "external_ref": ["Ž-7", None],
            "source_organisation": [None, "ignored when there is no reference"],
            "occurred_at": ["2021-07-03T02:10:00+03:00"] * 2,
            "section": ["LT-BY-1"] * 2,
            "category": ["other"] * 2,
            "persons": [3, 12],
            "source_reference": ["https://example.org/synthetic/ü"] * 2,
        }
    )
    keys = [
        "\x1fŽ-7",
        "2021-07-03T02:10:00+03:00\x1fLT-BY-1\x1fother\x1f12\x1fhttps://example.org/synthetic/ü",
    ]

    expected = ["I" + hashlib.blake2b(k.encode(), digest_size=10).hexdigest() for k in keys]
    assert incident_columns.refs(stored) == expected
