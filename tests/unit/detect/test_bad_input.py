"""Short, all-zero and gappy series give a clear status, never a crash or a silent NaN alarm."""

from __future__ import annotations

import numpy as np
import pytest

from sitroom.analysis.detect.registry import DETECTORS
from sitroom.analysis.detect.result import CountSeries, Status
from tests.unit.detect.synthetic import daily

METHODS = sorted(DETECTORS)
DAYS = 6 * 365  # enough history for the package defaults of Farrington (5 years back)
START = DAYS - 200


@pytest.mark.parametrize("name", METHODS)
def test_a_series_too_short_is_reported_as_not_enough_history(name: str) -> None:
    series = CountSeries.of([3, 4, 2, 5, 1], dates=np.datetime64("2024-01-01") + np.arange(5))
    result = DETECTORS[name](series)
    assert result.status is Status.INSUFFICIENT_HISTORY
    assert result.reason.startswith("not enough history: needs ")
    assert result.reason.endswith(", has 5")
    assert len(result) == 0 and not result.alarm.any()


@pytest.mark.parametrize("name", METHODS)
def test_an_all_zero_series_raises_no_alarm_and_no_error(name: str) -> None:
    days = 3 * 365
    series = CountSeries.of(np.zeros(days), dates=np.datetime64("2019-01-01") + np.arange(days))
    result = DETECTORS[name](series)
    assert not result.alarm.any()
    assert result.alarm.dtype == np.bool_
    if result.status is not Status.OK:
        assert result.reason  # every non-OK status says why


@pytest.mark.parametrize("name", METHODS)
def test_missing_days_never_carry_an_alarm(name: str) -> None:
    series, _ = daily(DAYS, 20.0, seed=11, surges=((DAYS - 100, 4.0),))  # synthetic
    counts = series.counts.copy()
    gaps = np.arange(START + 50, DAYS, 9)
    counts[gaps] = np.nan
    gappy = CountSeries.of(counts, dates=series.dates)
    result = DETECTORS[name](gappy, start=START)
    at_gap = np.isin(result.index, gaps)
    assert at_gap.any()
    assert not result.alarm[at_gap].any()
    assert not result.defined[at_gap].any()
    assert result.status is Status.PARTIAL
    assert np.all(result.defined | ~result.alarm)


@pytest.mark.parametrize("name", METHODS)
def test_every_alarm_is_on_a_defined_day_with_a_finite_count(name: str) -> None:
    series, _ = daily(DAYS, 5.0, seed=3, size=2.0, surges=((DAYS - 100, 5.0),))  # synthetic
    result = DETECTORS[name](series, start=START)
    assert result.alarm.any()
    assert np.all(result.defined[result.alarm])
    assert np.all(np.isfinite(result.observed[result.alarm]))


def test_glrnb_needs_a_history_without_gaps_and_says_so() -> None:
    series, _ = daily(800, 10.0, seed=5)  # synthetic
    counts = series.counts.copy()
    counts[100] = np.nan
    result = DETECTORS["glrnb"](CountSeries.of(counts, dates=series.dates), start=400)
    assert result.status is Status.INSUFFICIENT_HISTORY
    assert "not enough history" in result.reason


def test_farrington_reports_how_much_history_it_needs() -> None:
    series, _ = daily(400, 10.0, seed=8)  # synthetic: b=5 years are not there
    result = DETECTORS["ff_default"](series)
    assert result.status is Status.INSUFFICIENT_HISTORY
    assert result.reason == "not enough history: needs 1829 days, has 400"
