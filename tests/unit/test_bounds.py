"""The bounds every stored value keeps, and the messages that say what is wrong."""

from __future__ import annotations

from datetime import date

import pytest

from sitroom.domain import bounds
from sitroom.domain.errors import InvalidValue
from sitroom.domain.measures import Measure

WINDOW = bounds.window_at(date(2021, 8, 4))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2021-02-30", "2021-02-30 is not a date (February 2021 has 28 days)"),
        ("2020-02-30", "2020-02-30 is not a date (February 2020 has 29 days)"),
        ("2021-04-31", "2021-04-31 is not a date (April 2021 has 30 days)"),
        ("2021-13-01", "2021-13-01 is not a date (a year has 12 months)"),
        ("0000-01-01", "0000-01-01 is not a date (there is no year 0)"),
        ("2021-7-3", "'2021-7-3' is not a date of the form YYYY-MM-DD"),
    ],
)
def test_a_day_that_is_not_in_the_calendar_is_refused_with_the_reason(
    text: str, message: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        bounds.calendar_day(text)
    assert str(refused.value) == message


def test_the_window_runs_from_1990_to_92_days_after_today() -> None:
    assert (WINDOW.earliest, WINDOW.latest) == (date(1990, 1, 1), date(2021, 11, 4))
    assert WINDOW.problem(date(1990, 1, 1)) is None and WINDOW.problem(date(2021, 11, 4)) is None
    assert WINDOW.problem(date(1989, 12, 31)) == (
        "1989-12-31 is before 1990-01-01, the earliest date sitroom accepts"
    )
    assert WINDOW.problem(date(2021, 11, 5)) == (
        "2021-11-05 is after 2021-11-04, the latest date sitroom accepts (92 days from today)"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2021", None),
        ("1990", None),
        ("2021-11", None),  # November has days inside the window
        ("1989-12", "1989-12 is before 1990-01-01, the earliest date sitroom accepts"),
        ("2021-12", "2021-12 is after 2021-11-04, the latest date sitroom accepts"),
        ("2021-02-29", "2021-02-29 is not a date (February 2021 has 28 days)"),
        ("2021-7", "'2021-7' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"),
    ],
)
def test_a_publication_date_keeps_its_precision_and_the_window(
    text: str, problem: str | None
) -> None:
    assert bounds.published_problem(text, WINDOW) == problem


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0", None),
        ("10000000", None),
        (
            "10000001",
            "10000001 is more than 10,000,000, the largest apprehended figure sitroom accepts",
        ),
        (
            "12.5",
            "'12.5' is not a whole number written in digits (no decimals, exponents or signs)",
        ),
        (
            "1e30",
            "'1e30' is not a whole number written in digits (no decimals, exponents or signs)",
        ),
        (
            "10^30",
            "'10^30' is not a whole number written in digits (no decimals, exponents or signs)",
        ),
        ("-3", "-3 is negative; a count is 0 or more"),
        ("1,200", "'1,200': write counts with digits only, no thousands separator"),
        ("1 200", "'1 200': write counts with digits only, no thousands separator"),
        ("١٢", "'١٢' is not a whole number written in digits (no decimals, exponents or signs)"),
    ],
)
def test_a_count_is_whole_in_digits_and_below_its_measures_maximum(
    text: str, problem: str | None
) -> None:
    assert bounds.figure_count_problem(Measure.APPREHENDED, text) == problem


def test_every_measure_has_a_maximum() -> None:
    assert set(bounds.MOST_IN_ONE_FIGURE) == set(Measure)
    assert (
        bounds.MOST_IN_ONE_FIGURE[Measure.DEATHS] < bounds.MOST_IN_ONE_FIGURE[Measure.APPREHENDED]
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (12.0, None),
        (12.5, "12.5 is not a whole number"),
        (-1.0, "-1 is negative; a count is 0 or more"),
        (1e30, "1000000000000000019884624838656 is more than 100, the limit"),
        (float("nan"), "nan is not a number"),
    ],
)
def test_a_stored_count_is_held_to_the_same_rules(value: float, problem: str | None) -> None:
    assert bounds.stored_count_problem(value, 100, "the limit") == problem
