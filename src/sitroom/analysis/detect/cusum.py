"""CUSUM on standardised counts, as ``surveillance::algo.cusum`` with its defaults.

The in-control mean m is the mean of everything before the first monitored point. Each count
is standardised as (y - m) / sqrt(m); the chart accumulates excesses over k = 1.04 and alarms
when it reaches h = 2.26. As in R, the chart is not reset after an alarm. Upper bound: the
smallest count that would alarm today, ceiling(sqrt(m) * (h + k - C_{t-1}) + m).
"""

from __future__ import annotations

import numpy as np

from sitroom.analysis.detect.result import (
    CountSeries,
    DetectionResult,
    Status,
    empty_result,
    finish,
    insufficient,
)

_NO_BASELINE = (
    "not enough history: the {days} days before the first monitored day need counts on "
    "every day and a positive total"
)


def cusum(
    series: CountSeries,
    *,
    start: int | None = None,
    k: float = 1.04,
    h: float = 2.26,
) -> DetectionResult:
    n = len(series)
    first = series.freq if start is None else start
    if first < 1 or first >= n:
        return insufficient("cusum", series.freq + 1, n)
    history = series.counts[:first]
    if not np.all(np.isfinite(history)) or not np.any(history > 0):
        # R would return NaN everywhere (m = NA or m = 0); say why instead
        return empty_result("cusum", Status.INSUFFICIENT_HISTORY, _NO_BASELINE.format(days=first))
    m = float(history.mean())
    index = np.arange(first, n, dtype=np.int64)
    y = series.counts[index]
    standard = np.where(np.isfinite(y), (y - m) / np.sqrt(m), 0.0)
    # C_t = max(0, C_{t-1} + s_t - k) equals S_t - min(0, min_{j<=t} S_j) with S the cumsum.
    walk = np.cumsum(standard - k)
    chart = walk - np.minimum(0.0, np.minimum.accumulate(walk))
    previous = np.concatenate([[0.0], chart[:-1]])
    upper = np.maximum(0.0, np.ceil(np.sqrt(m) * (h + k - previous) + m))
    return finish(
        "cusum",
        series,
        index,
        expected=np.full(index.size, m),
        upperbound=upper,
        score=chart / h,
        alarm=chart >= h,
        defined=np.ones(index.size, dtype=np.bool_),
    )
