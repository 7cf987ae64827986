"""The bundled 2021 dataset maps onto sitroom's vocabulary without losing a figure."""

from __future__ import annotations

import csv
from datetime import date

from sitroom.datasets import belarus_2021, frontex
from sitroom.domain.measures import Qualifier


def test_every_one_of_the_111_border_figures_becomes_a_figure_row() -> None:
    with (belarus_2021.DATA / "border_figures.csv").open(encoding="utf-8") as handle:
        raw = list(csv.DictReader(handle))
    rows = list(belarus_2021.figure_rows())
    assert len(raw) == len(rows) == 111
    assert {r["country"] for r in raw} == {r["place"] for r in rows} == {"LT", "LV", "PL"}


DAY = date(2021, 8, 1)


def test_free_text_qualifiers_are_read_conservatively() -> None:
    assert belarus_2021.border_qualifier('approx. (">7900")', DAY, DAY) is Qualifier.AT_LEAST
    assert belarus_2021.border_qualifier("rounded", DAY, DAY) is Qualifier.ROUNDED
    assert belarus_2021.border_qualifier('approx. ("about 700")', DAY, DAY) is Qualifier.APPROX
    assert belarus_2021.border_qualifier('"fewer than 1,400"', DAY, DAY) is Qualifier.AT_MOST
    assert belarus_2021.border_qualifier('"just over 300"', DAY, DAY) is Qualifier.AT_LEAST
    assert belarus_2021.border_qualifier('partial day ("already")', DAY, DAY) is Qualifier.PARTIAL
    assert (
        belarus_2021.border_qualifier("past 24h reported 2021-08-02", DAY, DAY) is Qualifier.EXACT
    )


def test_a_24_hour_count_over_two_calendar_days_is_a_lower_bound_on_them() -> None:
    # Morning to morning: the two days together hold at least that many.
    two_days = belarus_2021.border_qualifier("past 24h reported 2021-08-02", DAY, date(2021, 8, 2))
    assert two_days is Qualifier.AT_LEAST


def test_a_partial_month_is_exact_over_the_days_it_was_cut_to_and_partial_over_the_month() -> None:
    july_1 = date(2021, 7, 1)
    cut = belarus_2021.border_qualifier("partial month (to 27 Jul)", july_1, date(2021, 7, 27))
    whole = belarus_2021.border_qualifier("partial month (to 27 Jul)", july_1, date(2021, 7, 31))
    assert (cut, whole) == (Qualifier.EXACT, Qualifier.PARTIAL)


def test_what_one_unit_of_the_border_guard_counted_is_part_of_the_countrys_figure() -> None:
    text = "period total (detained by Podlasie Border Guard unit, 6-9 Aug)"
    four_days = belarus_2021.border_qualifier(text, date(2021, 8, 6), date(2021, 8, 9))
    assert four_days is Qualifier.PARTIAL


def test_the_stored_rows_carry_the_one_reading_of_the_qualifiers() -> None:
    rows = {(r["place"], r["period_start"], r["value"]): r for r in belarus_2021.figure_rows()}
    assert rows[("LT", "2021-07-01", "2366")]["qualifier"] == "exact"
    assert rows[("PL", "2021-08-06", "349")]["qualifier"] == "partial"
    assert rows[("LT", "2021-08-01", "287")]["qualifier"] == "at_least"


def test_each_border_figure_keeps_its_line_in_the_file() -> None:
    figures = list(belarus_2021.border_figures())
    assert [f.line for f in figures] == list(range(2, 113))
    podlasie = next(f for f in figures if f.country == "PL" and f.value == 349)
    assert podlasie.line == 90


def test_a_daily_average_becomes_the_total_over_its_days_and_says_so() -> None:
    row = next(r for r in belarus_2021.figure_rows() if "daily_prevented_entry_avg" in r["note"])
    assert row["value"] == str(45 * 43)
    assert "43 days" in row["note"]


def test_vague_dates_become_the_part_of_the_month_they_name() -> None:
    assert belarus_2021.as_of_period("2021-06 (early)") == (date(2021, 6, 1), date(2021, 6, 10))
    assert belarus_2021.as_of_period("2021-08-02") == (date(2021, 8, 2), date(2021, 8, 2))
    assert belarus_2021.as_of_period("pre-2021 (undated)") is None


def test_every_reception_row_is_either_loaded_or_listed_with_a_reason() -> None:
    loaded, skipped = belarus_2021.reception_rows()
    with (belarus_2021.DATA / "reception_lithuania.csv").open(encoding="utf-8") as handle:
        total = sum(1 for _ in csv.DictReader(handle))
    assert len(loaded) + len(skipped) == total
    assert all(s.reason for s in skipped)
    assert any(r["place"] == "LT-PABRADE" and r["value"] == "250" for r in loaded)


def test_frontex_monthly_detections_sum_over_nationalities() -> None:
    months = frontex.monthly_detections()
    # SOURCES.md of the compiled data: 601 detections in June 2021, 3,236 in July.
    assert (months["2021-06"], months["2021-07"]) == (601, 3236)
    assert min(months) == "2009-01" and max(months) == "2025-04"
    assert frontex.yearly_detections()[2021] == sum(
        v for m, v in months.items() if m.startswith("2021")
    )
