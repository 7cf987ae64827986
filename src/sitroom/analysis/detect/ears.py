"""EARS C1, C2 and C3 (CDC Early Aberration Reporting System), as ``surveillance::earsC``.

C1 compares today with the mean and standard deviation of the 7 days before; C2 does the same
with a 2-day guard gap (days t-9..t-3); C3 sums today's C2 excess with those of the two days
before, so a run of moderately high days adds up. Upper bound: the count at which today would
alarm. Defaults (baseline 7, minSigma 0, alpha 0.001 / 0.001 / 0.025) are the package's.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import stats

from sitroom.analysis.detect.result import (
    CountSeries,
    DetectionResult,
    FloatArray,
    finish,
    insufficient,
)


def _baseline_stats(
    counts: FloatArray, targets: np.ndarray, lag: int, baseline: int
) -> tuple[FloatArray, FloatArray]:
    """Mean and sample sd of counts[t-lag-baseline+1 .. t-lag] for every target t."""
    windows = sliding_window_view(counts, baseline)  # windows[i] = counts[i : i+baseline]
    picked = windows[targets - lag - baseline + 1]
    mean: FloatArray = picked.mean(axis=1)
    sd: FloatArray = picked.std(axis=1, ddof=1)
    return mean, sd


def _ears(
    method: str,
    series: CountSeries,
    *,
    start: int | None,
    baseline: int,
    min_sigma: float,
    alpha: float,
) -> DetectionResult:
    if baseline < 3:
        raise ValueError("EARS needs a baseline of at least 3 days")
    max_lag = {"C1": baseline, "C2": baseline + 2, "C3": baseline + 4}[method]
    name = f"ears_{method.lower()}"
    first = max_lag if start is None else start
    n = len(series)
    if first < max_lag or first >= n:
        return insufficient(name, max_lag + 1, n if start is None else start)
    y = series.counts
    z = float(stats.norm.ppf(1.0 - alpha))
    targets = np.arange(first, n, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "C3":
            c2_targets = np.arange(first - 2, n, dtype=np.int64)
            mean, sd = _baseline_stats(y, c2_targets, 3, baseline)
            sigma = np.maximum(sd, min_sigma)
            c2 = (y[c2_targets] - mean) / sigma
            excess = np.maximum(0.0, c2 - 1.0)
            upper = y[targets] + sigma[2:] * (z - (excess[:-2] + excess[1:-1]))
            upper = np.maximum(0.0, upper)
            expected = mean[2:]
        else:
            lag = 1 if method == "C1" else 3
            mean, sd = _baseline_stats(y, targets, lag, baseline)
            upper = mean + z * np.maximum(sd, min_sigma)
            expected = mean
        score = (y[targets] - expected) / (upper - expected)
    defined = np.isfinite(upper)
    alarm = defined & (y[targets] > np.where(defined, upper, np.inf))
    return finish(
        name,
        series,
        targets,
        expected=expected,
        upperbound=upper,
        score=score,
        alarm=alarm,
        defined=defined,
        reason_if_partial="no decision where the baseline has zero variance or counts are missing",
    )


def ears_c1(
    series: CountSeries,
    *,
    start: int | None = None,
    baseline: int = 7,
    min_sigma: float = 0.0,
    alpha: float = 0.001,
) -> DetectionResult:
    return _ears("C1", series, start=start, baseline=baseline, min_sigma=min_sigma, alpha=alpha)


def ears_c2(
    series: CountSeries,
    *,
    start: int | None = None,
    baseline: int = 7,
    min_sigma: float = 0.0,
    alpha: float = 0.001,
) -> DetectionResult:
    return _ears("C2", series, start=start, baseline=baseline, min_sigma=min_sigma, alpha=alpha)


def ears_c3(
    series: CountSeries,
    *,
    start: int | None = None,
    baseline: int = 7,
    min_sigma: float = 0.0,
    alpha: float = 0.025,
) -> DetectionResult:
    return _ears("C3", series, start=start, baseline=baseline, min_sigma=min_sigma, alpha=alpha)
