"""Baselines every other model must beat, and the fallback for series too short to model.

Their intervals come from resampling their own past errors (a residual bootstrap), so they
make no distributional assumption; futures are floored at zero because counts cannot fall
below it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sitroom.analysis.forecast.base import BacktestPlan, Fitted, ForecastModel, observed
from sitroom.analysis.forecast.result import FloatArray


def _resample(pool: FloatArray, size: tuple[int, ...], rng: np.random.Generator) -> FloatArray:
    if pool.size == 0:
        return np.zeros(size)
    return rng.choice(pool, size=size, replace=True)


def recent_window(period: int) -> int:
    """How far back errors are taken from: a year of days, ten years of months. Older
    errors belong to a calmer (or wilder) regime and would set the interval width wrong."""
    return 364 if period == 7 else 120


def _last_seen_by_lag(y: FloatArray, lag: int) -> npt.NDArray[np.int64]:
    """For each position, the latest position at or before it, `lag` apart, with a value
    (-1 if none): where the seasonal naive rule looks."""
    idx = np.where(np.isnan(y), -1, np.arange(y.size))
    out = np.empty(y.size, dtype=np.int64)
    for r in range(min(lag, y.size)):
        out[r::lag] = np.maximum.accumulate(idx[r::lag])
    return out


def _recent_mean(y: FloatArray, period: int) -> float:
    """What the seasonal naive rule falls back on for a phase never seen."""
    recent = observed(y[-4 * period :])
    return float(recent.mean()) if recent.size else float(np.nanmean(y))


def _floor(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(np.maximum(values, 0.0), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class _SeasonalNaiveFit(Fitted):
    last_by_phase: FloatArray  # indexed by phase
    next_phase: int
    residuals: FloatArray

    def _phases(self, horizon: int) -> FloatArray:
        period = self.last_by_phase.size
        return self.last_by_phase[(self.next_phase + np.arange(horizon)) % period]

    def point(self, horizon: int) -> FloatArray:
        return self._phases(horizon)

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> FloatArray:
        # Each further season ahead adds one more seasonal difference, as in the textbook
        # variance sigma^2 * (k + 1) of the seasonal naive method.
        period = self.last_by_phase.size
        cycles = -(-horizon // period)
        shocks = _resample(self.residuals, (n_paths, cycles, period), rng).cumsum(axis=1)
        walk = shocks.reshape(n_paths, cycles * period)[:, :horizon]
        return _floor(self._phases(horizon)[None, :] + walk)


class SeasonalNaive(ForecastModel):
    name = "seasonal_naive"
    description = "Seasonal naive: the last value seen on the same weekday (or month)."

    def min_obs(self, period: int) -> int:
        return period + 2

    def fit(self, y: FloatArray, phase0: int, period: int) -> Fitted:
        n = y.size
        phases = (phase0 + np.arange(n)) % period
        last = np.full(period, _recent_mean(y, period))
        for p in range(period):
            seen = y[(phases == p) & ~np.isnan(y)]
            if seen.size:
                last[p] = seen[-1]
        diffs = y[period:] - y[:-period] if n > period else np.empty(0)
        recent = observed(diffs)[-recent_window(period) :]
        return _SeasonalNaiveFit(last, int((phase0 + n) % period), recent)

    def backtest(
        self, y: FloatArray, phase0: int, period: int, plan: BacktestPlan
    ) -> tuple[FloatArray, FloatArray]:
        # All origins at once (a loop of fits costs more than the arithmetic). The errors
        # resampled are those seen before the first origin, as for the nb model.
        o = np.asarray(plan.origins)
        horizon, n_paths = plan.horizon, plan.n_paths
        first = int(o[0])
        last_seen = _last_seen_by_lag(y, period)
        h = np.arange(horizon)
        where = last_seen[o[:, None] - period + h[None, :] % period]
        fill = np.array([_recent_mean(y[:k], period) for k in o])
        points = np.where(where >= 0, y[np.maximum(where, 0)], fill[:, None])
        diffs = y[period:first] - y[: first - period]
        pool = observed(diffs)[-recent_window(period) :]
        cycles = -(-horizon // period)
        shocks = _resample(pool, (o.size * n_paths, cycles, period), plan.rng).cumsum(axis=1)
        walk = shocks.reshape(o.size * n_paths, cycles * period)[:, :horizon]
        paths = _floor(np.repeat(points, n_paths, axis=0) + walk)
        return points, paths.reshape(o.size, n_paths, horizon)


@dataclass(frozen=True, slots=True)
class _DriftFit(Fitted):
    last: float
    steps_since_last: int
    slope: float
    residuals: FloatArray

    def point(self, horizon: int) -> FloatArray:
        steps = self.steps_since_last + np.arange(1, horizon + 1)
        return _floor(self.last + self.slope * steps)

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> FloatArray:
        steps = self.steps_since_last + horizon
        walk = _resample(self.residuals, (n_paths, steps), rng).cumsum(axis=1)[:, -horizon:]
        trend = self.last + self.slope * np.arange(self.steps_since_last + 1, steps + 1)
        return _floor(trend[None, :] + walk)


class Drift(ForecastModel):
    name = "drift"
    description = "Drift: the last value plus the average change per step so far."

    def min_obs(self, period: int) -> int:
        return 3

    def fit(self, y: FloatArray, phase0: int, period: int) -> Fitted:
        where = np.flatnonzero(~np.isnan(y))
        first, last = int(where[0]), int(where[-1])
        slope = (y[last] - y[first]) / (last - first) if last > first else 0.0
        # Differences across a gap are spread over the gap so each counts as one step.
        gaps = np.diff(where).astype(float)
        steps = np.diff(y[where]) / np.where(gaps > 0, gaps, 1.0)
        residuals = (steps - slope)[-recent_window(period) :]
        return _DriftFit(float(y[last]), y.size - 1 - last, float(slope), residuals)

    def backtest(
        self, y: FloatArray, phase0: int, period: int, plan: BacktestPlan
    ) -> tuple[FloatArray, FloatArray]:
        # All origins at once; errors resampled from before the first origin.
        o = np.asarray(plan.origins)
        horizon, n_paths = plan.horizon, plan.n_paths
        pool = self.fit(y[: int(o[0])], phase0, period)
        assert isinstance(pool, _DriftFit)
        seen = np.maximum.accumulate(np.where(np.isnan(y), -1, np.arange(y.size)))
        first = int(np.flatnonzero(~np.isnan(y))[0])
        last = seen[o - 1]
        span = np.maximum(last - first, 1)
        slope = np.where(last > first, (y[last] - y[first]) / span, 0.0)
        gap = o - 1 - last
        steps = gap[:, None] + np.arange(1, horizon + 1)[None, :]
        points = _floor(y[last][:, None] + slope[:, None] * steps)
        total = int(gap.max()) + horizon
        walk = _resample(pool.residuals, (o.size * n_paths, total), plan.rng).cumsum(axis=1)
        cols = np.repeat(gap, n_paths)[:, None] + np.arange(horizon)[None, :]
        walk = np.take_along_axis(walk, cols, axis=1)
        trend = np.repeat(y[last][:, None] + slope[:, None] * steps, n_paths, axis=0)
        paths = _floor(trend + walk)
        return points, paths.reshape(o.size, n_paths, horizon)


@dataclass(frozen=True, slots=True)
class _ShortMeanFit(Fitted):
    level: float
    n_obs: int

    def point(self, horizon: int) -> FloatArray:
        return np.full(horizon, self.level)

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> FloatArray:
        # The mean of a handful of counts is itself uncertain (gamma, shape = n) and the days
        # scatter around it geometrically (negative binomial, size 1): deliberately wide.
        shape = float(max(self.n_obs, 1))
        rate = max(self.level, 0.5 / shape)
        lam = rng.gamma(shape, rate / shape, size=(n_paths, 1)) * np.ones((1, horizon))
        mixed = rng.gamma(1.0, lam)
        return rng.poisson(mixed).astype(float)


class ShortSeriesMean(ForecastModel):
    name = "short_series_mean"
    description = (
        "Fallback for short series: the mean of the recent values, with a deliberately "
        "wide negative-binomial interval."
    )
    candidate = False

    def min_obs(self, period: int) -> int:
        return 1

    def fit(self, y: FloatArray, phase0: int, period: int) -> Fitted:
        recent = observed(y)[-2 * period :]
        return _ShortMeanFit(float(max(recent.mean(), 0.0)), int(recent.size))
