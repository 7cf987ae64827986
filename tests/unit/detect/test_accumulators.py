"""The vectorised accumulators equal their day-by-day definitions (random synthetic inputs)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sitroom.analysis.detect.border import _accumulate
from sitroom.analysis.detect.cusum import cusum
from sitroom.analysis.detect.result import CountSeries

increments = st.lists(st.floats(-3, 3, allow_nan=False), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(increments, increments)
def test_the_restarting_chart_family_equals_the_day_by_day_recursion(a: list[float],
                                                                     b: list[float]) -> None:
    days = min(len(a), len(b))
    terms = np.stack([np.array(a[:days]), np.array(b[:days])], axis=1)
    threshold = 2.5
    charts, alarm = _accumulate(terms, threshold)
    state = np.zeros(2)
    for t in range(days):
        state = np.maximum(state, 0.0) + terms[t]
        assert np.allclose(charts[t], state)
        assert bool(alarm[t]) is bool(state.max() >= threshold)
        if alarm[t]:
            state = np.zeros(2)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=12, max_size=80))
def test_cusum_equals_its_day_by_day_recursion(counts: list[int]) -> None:
    series = CountSeries.of(np.array(counts, dtype=float) + 1.0, freq=5)
    result = cusum(series)
    m = float(np.mean(series.counts[:5]))
    chart = 0.0
    for i, y in zip(result.index, series.counts[5:], strict=True):
        previous = chart
        chart = max(0.0, chart + (y - m) / np.sqrt(m) - 1.04)
        position = int(np.flatnonzero(result.index == i)[0])
        assert np.isclose(result.score[position] * 2.26, chart)
        assert bool(result.alarm[position]) is bool(chart >= 2.26)
        bound = max(0.0, np.ceil(np.sqrt(m) * (2.26 + 1.04 - previous) + m))  # R floors at 0
        assert result.upperbound[position] == bound
