"""The border-surge method on synthetic daily series (all data here is simulated)."""

from __future__ import annotations

import numpy as np

from sitroom.analysis.detect.border import border_surge
from sitroom.analysis.detect.result import CountSeries, Level, Status
from tests.unit.detect.synthetic import daily

YEAR = 365


def _first_red(result_alarm: np.ndarray, index: np.ndarray, start: int) -> int | None:
    hits = index[result_alarm & (index >= start)]
    return int(hits[0] - start) if hits.size else None


def test_a_ramping_surge_turns_red_within_two_weeks() -> None:
    surge_start = 2 * YEAR + 100
    series, _ = daily(3 * YEAR, 30.0, seed=1, size=10.0, surges=((surge_start, 3.0),))
    result = border_surge(series, start=2 * YEAR)
    delay = _first_red(result.alarm, result.index, surge_start)
    assert delay is not None and delay <= 14


def test_a_quiet_year_with_a_strong_weekday_pattern_gives_at_most_two_red_days() -> None:
    series, _ = daily(3 * YEAR, 40.0, seed=2, size=8.0, weekend_factor=0.3)
    result = border_surge(series, start=2 * YEAR)
    assert result.status is Status.OK
    assert result.alarm.sum() <= 2


def test_an_earlier_surge_in_the_baseline_does_not_hide_the_next_one() -> None:
    later = 2 * YEAR + 150
    series, _ = daily(3 * YEAR, 10.0, seed=4, size=5.0,
                      surges=((2 * YEAR - 60, 5.0), (later, 2.5)))
    result = border_surge(series, start=2 * YEAR)
    delay = _first_red(result.alarm, result.index, later)
    assert delay is not None and delay <= 21


def test_arrivals_after_an_empty_history_raise_red_but_a_single_one_does_not() -> None:
    dates = np.datetime64("2023-01-01") + np.arange(200)
    counts = np.zeros(200)
    counts[150] = 1
    lone = border_surge(CountSeries.of(counts, dates=dates), start=100)
    assert not lone.alarm.any()
    counts[170:173] = [3, 4, 6]
    burst = border_surge(CountSeries.of(counts, dates=dates), start=100)
    assert burst.alarm[burst.index >= 170].any()


def test_days_known_only_as_a_range_count_as_evidence_when_the_range_is_high() -> None:
    surge_start = 2 * YEAR + 60
    series, _ = daily(3 * YEAR, 20.0, seed=6, size=10.0, surges=((surge_start, 4.0),))
    counts = series.counts.copy()
    lower = np.full(counts.size, np.nan)
    upper = np.full(counts.size, np.nan)
    blurred = np.arange(surge_start, surge_start + 28)
    lower[blurred] = np.floor(counts[blurred] * 0.9)
    upper[blurred] = np.ceil(counts[blurred] * 1.1)
    counts[blurred] = np.nan  # only the range is known on those days
    ranged = CountSeries.of(counts, dates=series.dates, lower=lower, upper=upper)
    result = border_surge(ranged, start=2 * YEAR)
    assert result.alarm[np.isin(result.index, blurred)].any()
    assert result.defined[np.isin(result.index, blurred)].all()


def test_a_wide_range_around_the_usual_level_is_no_evidence() -> None:
    series, _ = daily(3 * YEAR, 20.0, seed=7, size=10.0)
    counts = series.counts.copy()
    lower = np.full(counts.size, np.nan)
    upper = np.full(counts.size, np.nan)
    vague = np.arange(2 * YEAR + 10, 2 * YEAR + 60)
    counts[vague], lower[vague], upper[vague] = np.nan, 0.0, 200.0
    result = border_surge(CountSeries.of(counts, dates=series.dates, lower=lower, upper=upper),
                          start=2 * YEAR)
    assert not result.alarm[np.isin(result.index, vague)].any()


def test_levels_and_probabilities_are_consistent_with_the_alarms() -> None:
    series, _ = daily(3 * YEAR, 15.0, seed=9, size=4.0, surges=((2 * YEAR + 200, 4.0),))
    result = border_surge(series, start=2 * YEAR)
    assert result.probability is not None and result.level is not None
    assert np.all((result.probability >= 0) & (result.probability <= 1))
    assert np.array_equal(result.level == Level.RED, result.alarm)
    assert np.all(result.probability[result.alarm] >= 0.5)
    amber = result.level == Level.AMBER
    assert amber.any()
    assert np.all(result.probability[result.level == Level.GREEN] < 0.5)


def test_the_upper_bound_is_the_count_that_turns_a_day_red() -> None:
    series, _ = daily(3 * YEAR, 25.0, seed=12, size=6.0)
    result = border_surge(series, start=2 * YEAR)
    day = 40  # a quiet day: replace its count by the bound, then by one less
    position = int(result.index[day])
    for count, red in ((result.upperbound[day], True), (result.upperbound[day] - 1, False)):
        counts = series.counts.copy()
        counts[position] = count
        again = border_surge(CountSeries.of(counts, dates=series.dates), start=2 * YEAR)
        assert bool(again.alarm[day]) is red


def test_weekly_data_without_dates_is_handled_in_weeks() -> None:
    rng = np.random.default_rng(13)  # synthetic weekly counts, a surge in the last year
    counts = rng.poisson(60.0, 4 * 52).astype(float)
    counts[-30:-20] *= 2.5
    result = border_surge(CountSeries.of(counts, freq=52), start=3 * 52)
    assert result.status is Status.OK
    assert result.alarm[-30:-20].any()
    assert not result.alarm[:-35].any()
