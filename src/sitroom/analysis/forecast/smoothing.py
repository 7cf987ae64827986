"""Exponential smoothing of the seasonally adjusted counts: a local level, multiplicative
weekday (month) effects, and intervals from the model's own relative errors.

With s_t the seasonal multiplier of step t (the same robust effects as the nb model's),
z_t = y_t / s_t is smoothed as an ETS(M,N,M)-like local level:

    forecast  y_{t+h} = level_t * s_{t+h}
    update    level_t = level_{t-1} + alpha * (z_t - level_{t-1})

alpha is chosen on a grid by the squared one-step error on the count scale. Every alpha is
one linear filter (scipy.signal.lfilter), so the whole grid costs a few hundred
microseconds; a missing value is filled with the last seen one, which leaves the level
nearly where it was. Futures draw relative errors eps = z / level - 1 (>= -1) from the
last year (ten years of months): y_h = level_{h-1} * (1 + eps_h) * s_h, and the level moves
by the same draw winsorised at the pool's 5th and 95th percentiles (e_h),
level_h = level_{h-1} * (1 + alpha * e_h): futures are never negative, widen with the
horizon, and a few extreme errors in the pool cannot make the level grow geometrically.
The point forecast is the level times the seasonal
multiplier times the median relative error (absolute error, which MASE scores, is smallest
at the median).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

from sitroom.analysis.forecast.base import BacktestPlan, Fitted, ForecastModel
from sitroom.analysis.forecast.baselines import recent_window
from sitroom.analysis.forecast.result import FloatArray
from sitroom.analysis.forecast.seasonal import seasonal_log_effects

ALPHAS = np.array([0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.4, 0.55, 0.7, 0.85, 1.0])
#: a relative error of +10 (eleven times the level) is kept; beyond that it is noise on ~0
MAX_REL = 10.0
MIN_LEVEL = 0.05
#: the errors that move the level in the futures are winsorised at these tail shares
WINSOR = 0.05


def _ffill(z: FloatArray) -> FloatArray:
    """Missing values replaced by the last seen one (the first seen one before that)."""
    ok = ~np.isnan(z)
    idx = np.where(ok, np.arange(z.size), 0)
    np.maximum.accumulate(idx, out=idx)
    out = z[idx]
    first = np.flatnonzero(ok)
    return np.where(np.isnan(out), z[first[0]] if first.size else 0.0, out)


@dataclass(frozen=True, slots=True)
class _Pass:
    """One filter pass over a window for every alpha: the one-step forecasts (before each
    step) and levels (after each step) on the adjusted scale, and the multipliers."""

    z: FloatArray  # adjusted values, NaN where missing (n,)
    mult: FloatArray  # seasonal multipliers (n,)
    before: FloatArray  # (alphas, n)
    after: FloatArray  # (alphas, n)
    sq_err: FloatArray  # cumulative squared one-step errors on the count scale (alphas, n)


def _filter(win: FloatArray, mult: FloatArray, period: int) -> _Pass:
    z = win / mult
    head = z[: 2 * period]
    head = head[~np.isnan(head)]
    level0 = float(head.mean()) if head.size else 0.0
    filled = _ffill(z)
    after = np.empty((ALPHAS.size, z.size))
    for i, a in enumerate(ALPHAS):
        after[i] = lfilter([a], [1.0, a - 1.0], filled, zi=[(1.0 - a) * level0])[0]
    before = np.empty_like(after)
    before[:, 0] = level0
    before[:, 1:] = after[:, :-1]
    err = (z[None, :] - before) * mult[None, :]
    burn = min(2 * period, z.size // 3)
    err[:, :burn] = 0.0
    sq = np.where(np.isnan(err), 0.0, err * err)
    return _Pass(z, mult, before, after, np.cumsum(sq, axis=1))


@dataclass(frozen=True, slots=True)
class SmoothingParams:
    alpha: float
    index: int
    rel_errors: FloatArray  # resampled for the futures
    feedback: FloatArray  # the same errors as they move the level: winsorised
    median_rel: float
    season: FloatArray  # log effects by phase


def _choose(p: _Pass, season: FloatArray, upto: int) -> SmoothingParams:
    """Parameters from the pass, using only its first `upto` steps (the filter is causal)."""
    period = season.size
    best = int(np.argmin(p.sq_err[:, upto - 1]))
    lvl = np.maximum(p.before[best, :upto], MIN_LEVEL)
    rel = p.z[:upto] / lvl - 1.0
    burn = min(2 * period, upto // 3)
    rel = rel[burn:]
    rel = rel[~np.isnan(rel)][-recent_window(period) :]
    rel = np.minimum(rel, MAX_REL) if rel.size else np.zeros(1)
    # In the futures the level moves by the errors winsorised at their 5th and 95th
    # percentiles: a few extreme days in the pool (a jump between two spread monthly
    # totals) cannot make it grow geometrically.
    fb = np.clip(rel, *np.quantile(rel, [WINSOR, 1.0 - WINSOR]))
    return SmoothingParams(
        float(ALPHAS[best]), best, rel, fb, float(np.median(rel)), np.asarray(season)
    )


def _simulate(
    params: SmoothingParams,
    level: FloatArray,
    mult: FloatArray,
    n_paths: int,
    rng: np.random.Generator,
) -> FloatArray:
    """Futures for each starting level (k,) with multipliers (k, horizon): (k * n_paths, H)."""
    k, horizon = mult.shape
    pick = rng.integers(0, params.rel_errors.size, size=(k * n_paths, horizon))
    eps = params.rel_errors[pick]
    growth = np.maximum(1.0 + params.alpha * params.feedback[pick], 0.0)
    path_level = np.empty_like(growth)
    path_level[:, 0] = 1.0
    np.cumprod(growth[:, :-1], axis=1, out=path_level[:, 1:])
    path_level *= np.repeat(level, n_paths)[:, None]
    return np.asarray(path_level * (1.0 + eps) * np.repeat(mult, n_paths, axis=0))


@dataclass(frozen=True, slots=True)
class _SmoothingFit(Fitted):
    params: SmoothingParams
    level: float
    next_phase: int

    def _mult(self, horizon: int) -> FloatArray:
        season = self.params.season
        return np.exp(season[(self.next_phase + np.arange(horizon)) % season.size])

    def point(self, horizon: int) -> FloatArray:
        return self.level * self._mult(horizon) * (1.0 + self.params.median_rel)

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> FloatArray:
        mult = self._mult(horizon)[None, :]
        return _simulate(self.params, np.array([self.level]), mult, n_paths, rng)


class SeasonalSmoothing(ForecastModel):
    name = "seasonal_smoothing"
    description = (
        "Exponential smoothing of the seasonally adjusted counts (local level, weekday or "
        "month multipliers), bootstrapped relative-error intervals."
    )

    def __init__(self, fit_window: int = 730, fit_window_monthly: int = 120) -> None:
        self.fit_window = fit_window
        self.fit_window_monthly = fit_window_monthly

    def min_obs(self, period: int) -> int:
        return 2 * period

    def _start(self, n: int, period: int) -> int:
        return max(0, n - (self.fit_window if period == 7 else self.fit_window_monthly))

    def _pass(
        self, y: FloatArray, phase0: int, period: int, start: int, season: FloatArray
    ) -> _Pass:
        ph0 = (phase0 + start) % period
        mult = np.exp(season[(ph0 + np.arange(y.size - start)) % period])
        return _filter(y[start:], mult, period)

    def _season(self, y: FloatArray, phase0: int, period: int, start: int) -> FloatArray:
        return seasonal_log_effects(y[start:], (phase0 + start) % period, period)

    def fit(self, y: FloatArray, phase0: int, period: int) -> Fitted:
        start = self._start(y.size, period)
        season = self._season(y, phase0, period, start)
        p = self._pass(y, phase0, period, start, season)
        params = _choose(p, season, p.z.size)
        level = max(float(p.after[params.index, -1]), 0.0)
        return _SmoothingFit(params, level, (phase0 + y.size) % period)

    def fit_with_backtest(
        self, y: FloatArray, phase0: int, period: int, plan: BacktestPlan
    ) -> tuple[Fitted, FloatArray, FloatArray]:
        """Parameters and seasonal effects from the data before the first origin, the level
        at every origin from one pass of the filter (causal, so each origin sees only its
        past); then the final fit on everything."""
        first = plan.origins[0]
        start = self._start(first, period)
        season = self._season(y[:first], phase0, period, start)
        p = self._pass(y[: plan.origins[-1]], phase0, period, start, season)
        params = _choose(p, season, first - start)
        o = np.asarray(plan.origins)
        horizon, n_paths = plan.horizon, plan.n_paths
        level = np.maximum(p.after[params.index, o - 1 - start], 0.0)
        steps = (phase0 + o[:, None] + np.arange(horizon)[None, :]) % period
        mult = np.exp(season[steps])
        points = level[:, None] * mult * (1.0 + params.median_rel)
        paths = _simulate(params, level, mult, n_paths, plan.rng)
        return (
            self.fit(y, phase0, period),
            points,
            paths.reshape(o.size, n_paths, horizon),
        )

    def backtest(
        self, y: FloatArray, phase0: int, period: int, plan: BacktestPlan
    ) -> tuple[FloatArray, FloatArray]:
        _, points, paths = self.fit_with_backtest(y, phase0, period, plan)
        return points, paths
