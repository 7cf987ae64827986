"""Rolling-origin backtests: where the origins go, and how forecasts made there are scored."""

from __future__ import annotations

import numpy as np

from sitroom.analysis.forecast.calibrate import pit_bounds
from sitroom.analysis.forecast.result import FloatArray, ModelScore


def mase_scale(history: FloatArray, period: int) -> float:
    """In-sample mean absolute error of the one-step seasonal naive rule (MASE denominator).

    Falls back to the non-seasonal naive rule, then to 1 (plain MAE), so that a flat or
    very short history never divides by zero.
    """
    for lag in (period, 1):
        if history.size > lag:
            d = np.abs(history[lag:] - history[:-lag])
            d = d[~np.isnan(d)]
            if d.size and d.mean() > 0:
                return float(d.mean())
    return 1.0


def choose_origins(
    n: int, horizon: int, period: int, *, min_train: int, max_origins: int
) -> list[int]:
    """Origins (the number of values known) for a backtest, newest last, a week (or a month)
    apart, each leaving `horizon` values to score."""
    step = 7 if period == 7 else 1
    last = n - horizon
    origins = [last - k * step for k in range(max_origins)]
    return sorted(o for o in origins if o >= min_train)


def interval_hits(bounds: FloatArray, levels: tuple[float, ...]) -> list[FloatArray]:
    """Whether each actual value lies in the closed central interval of its futures, per
    level, from `pit_bounds` (2 x origins x horizon): a value is at or above the
    inverted-CDF quantile Q(q) when the share of futures at or below it is at least q, and
    at or below Q(q) when the share strictly below it is under q."""
    below, at_or_below = bounds[0], bounds[1]
    hits = []
    for c in levels:
        tail = (1.0 - c) / 2.0
        hits.append((at_or_below >= tail) & (below < 1.0 - tail))
    return hits


def mase_scales(y: FloatArray, period: int, origins: list[int]) -> FloatArray:
    """`mase_scale` of the history before each origin, as a column (origins x 1)."""
    return np.array([mase_scale(y[:o], period) for o in origins])[:, None]


def score_forecasts(
    name: str,
    points: FloatArray,
    paths: FloatArray,
    y: FloatArray,
    origins: list[int],
    scales: FloatArray,
) -> tuple[ModelScore, FloatArray]:
    """A model's backtest score from its forecasts at each origin (points: origins x
    horizon; paths: origins x n_paths x horizon), and the `pit_bounds` of the held-out
    data. `scales` are the `mase_scales` of the origins."""
    horizon = points.shape[1]
    actual = np.stack([y[o : o + horizon] for o in origins])
    err = np.abs(points - actual) / scales
    known = ~np.isnan(actual)
    bounds = pit_bounds(paths, actual)
    hits80, hits95 = interval_hits(bounds, (0.8, 0.95))
    count = max(int(known.sum()), 1)
    score = ModelScore(
        model=name,
        mase=float(np.nanmean(err)) if known.any() else float("nan"),
        coverage80=float(hits80[known].sum() / count),
        coverage95=float(hits95[known].sum() / count),
        n_origins=len(origins),
        horizon=horizon,
    )
    return score, bounds
