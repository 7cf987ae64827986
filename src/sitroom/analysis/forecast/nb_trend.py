"""Negative-binomial local level with a damped trend and weekday effects, on the log scale.

The expected count on day t is

    mu_t = kappa * exp(level_{t-1} + phi * trend_{t-1} + season_{phase(t)})

and each observed count y_t moves the state by a bounded score, u_t = clip(y_t / m_t - 1,
-1, CAP), where m_t is mu_t without kappa (the score of a log-link count model scaled by its
information, as in score-driven / DCS models):

    level_t = level_{t-1} + phi * trend_{t-1} + alpha * u_t
    trend_t = clip(phi * trend_{t-1} + beta * u_t, -0.1, 0.1)

Bounding u keeps a single outlier day from throwing the level, while a run of high days
turns it within a few steps (a surge). Counts are drawn from a negative binomial with mean
mu_t and size r (over-dispersion); simulated futures feed their own draws back into the
state, so intervals widen with the horizon as the level itself wanders.

(alpha, beta, phi) are chosen on a grid by the Poisson deviance of forecasts 1, 7 and 14
steps ahead (1 and 3 for monthly series); kappa corrects the small downward bias the bound
introduces; r is the maximum-likelihood size given the one-step means. A missing day
(NaN) leaves the state to run on without an update.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sitroom.analysis.forecast.base import BacktestPlan, Fitted, ForecastModel, observed
from sitroom.analysis.forecast.baselines import recent_window
from sitroom.analysis.forecast.nb_filter import (
    CAP,
    MAX_LOG_MEAN,
    MIN_LOG_LEVEL,
    TREND_CAP,
    grid_filter,
    grid_params,
    run_one,
)
from sitroom.analysis.forecast.negbin import best_size, nb_median
from sitroom.analysis.forecast.result import FloatArray
from sitroom.analysis.forecast.seasonal import seasonal_log_effects


@dataclass(frozen=True, slots=True)
class NBParams:
    alpha: float
    beta: float
    phi: float
    kappa: float
    size: float
    season: FloatArray  # log effects by phase
    grid_index: int = -1  # the column of the grid filter these parameters are


def simulate_states(
    params: NBParams,
    level: FloatArray,
    trend: FloatArray,
    phase: FloatArray,
    horizon: int,
    rng: np.random.Generator,
) -> FloatArray:
    """Futures from many starting states at once (one row per state), shape (N, horizon)."""
    period = params.season.size
    level, trend = level.copy(), trend.copy()
    n = level.size
    out = np.empty((horizon, n))  # one contiguous row per step, transposed at the end
    ph = phase.astype(np.int64)
    # Gamma-Poisson mixture = negative binomial; the gamma part does not depend on the
    # state, so it is drawn for every step at once (fewer calls in the loop).
    mix = rng.standard_gamma(params.size, size=(horizon, n))
    mix *= params.kappa / params.size
    seasons = params.season[(ph[None, :] + np.arange(horizon)[:, None]) % period]
    u, m, carried = np.empty(n), np.empty(n), np.empty(n)
    for h in range(horizon):
        np.multiply(params.phi, trend, out=carried)
        np.add(level, carried, out=m)
        m += seasons[h]
        np.minimum(m, MAX_LOG_MEAN, out=m)
        np.exp(m, out=m)
        mix[h] *= m
        yh = out[h]
        yh[:] = rng.poisson(mix[h])
        np.divide(yh, m, out=u)
        u -= 1.0
        np.minimum(u, CAP, out=u)
        level += carried
        np.multiply(params.alpha, u, out=m)
        level += m
        np.maximum(level, MIN_LOG_LEVEL, out=level)
        np.multiply(params.beta, u, out=trend)
        trend += carried
        np.minimum(trend, TREND_CAP, out=trend)
        np.maximum(trend, -TREND_CAP, out=trend)
    return np.ascontiguousarray(out.T)


@dataclass(frozen=True, slots=True)
class _NBFit(Fitted):
    params: NBParams
    level: float
    trend: float
    next_phase: int

    def point(self, horizon: int) -> FloatArray:
        p = self.params
        h = np.arange(1, horizon + 1)
        damp = np.cumsum(p.phi**h)
        phases = (self.next_phase + h - 1) % p.season.size
        lm = np.minimum(self.level + damp * self.trend + p.season[phases], MAX_LOG_MEAN)
        return nb_median(p.kappa * np.exp(lm), p.size)

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> FloatArray:
        return simulate_states(
            self.params,
            np.full(n_paths, self.level),
            np.full(n_paths, self.trend),
            np.full(n_paths, float(self.next_phase)),
            horizon,
            rng,
        )


class NBDampedTrend(ForecastModel):
    name = "nb_damped_trend"
    description = (
        "Negative-binomial local level with damped trend and seasonal effects on the log "
        "scale (score-driven), simulated negative-binomial intervals."
    )

    def __init__(self, fit_window: int = 730, eval_horizons: tuple[int, ...] = (1, 7, 14)):
        self.fit_window = fit_window
        self.eval_horizons = eval_horizons

    def min_obs(self, period: int) -> int:
        return 3 * period

    def _horizons(self, period: int) -> tuple[int, ...]:
        return self.eval_horizons if period == 7 else (1, 3)

    def _window(
        self, y: FloatArray, phase0: int, period: int, season: FloatArray | None = None
    ) -> tuple[int, FloatArray, FloatArray, float]:
        """Window start, seasonal effects, their value on each day of the window, level0."""
        start = max(0, y.size - self.fit_window)
        win = y[start:]
        ph0 = (phase0 + start) % period
        if season is None:
            season = seasonal_log_effects(win, ph0, period)
        season_t = season[(ph0 + np.arange(win.size)) % period]
        head = observed(win[: 2 * period])
        level0 = float(np.log(max(head.mean() if head.size else 0.0, 0.0) + 0.5))
        return start, season, season_t, level0

    def _choose(
        self,
        win: FloatArray,
        season: FloatArray,
        season_t: FloatArray,
        grid: tuple[FloatArray, FloatArray, FloatArray],
        upto: int,
    ) -> NBParams:
        """Parameters from the grid filter's output, using only the first `upto` values (the
        filter is causal, so its rows before `upto` are those of a run on `win[:upto]`)."""
        period = season.size
        levels, trends, log_mu = grid
        alpha, beta, phi = grid_params()
        burn = min(2 * period, upto // 3)
        score = np.zeros(alpha.size)
        for h in self._horizons(period):
            if upto - h <= burn:
                continue
            damp = np.power.outer(phi, np.arange(1, h + 1)).sum(axis=1)
            origin = np.arange(burn, upto - h)
            target = win[origin + h]
            keep = ~np.isnan(target)
            lm = levels[origin] + trends[origin] * damp[None, :] + season_t[origin + h][:, None]
            lm = np.minimum(lm[keep], MAX_LOG_MEAN)
            # Poisson deviance less the terms that do not depend on the mean (same argmin)
            dev = np.exp(lm) - target[keep][:, None] * lm
            score += dev.mean(axis=0) if dev.size else 0.0
        best = int(np.argmin(score))
        one_step = np.exp(log_mu[burn:upto, best])
        target = win[burn:upto]
        keep = ~np.isnan(target)
        kappa = float(np.clip((target[keep].sum() + 0.5) / (one_step[keep].sum() + 0.5), 0.5, 2))
        # Dispersion from the recent past only: after a surge the counts scatter far more
        # than in the quiet years before, and the intervals must say so.
        recent = np.flatnonzero(keep)[-recent_window(period) :]
        size = best_size(target[recent], kappa * one_step[recent])
        return NBParams(
            float(alpha[best]), float(beta[best]), float(phi[best]), kappa, size, season, best
        )

    def estimate(self, y: FloatArray, phase0: int, period: int) -> tuple[NBParams, int]:
        """Parameters from `y` and the offset of the fitting window into `y`."""
        start, season, season_t, level0 = self._window(y, phase0, period)
        win = y[start:]
        grid = grid_filter(win, season_t, level0)
        return self._choose(win, season, season_t, grid, win.size), start

    def _states(
        self, y: FloatArray, phase0: int, params: NBParams, start: int
    ) -> tuple[FloatArray, FloatArray]:
        period = params.season.size
        win = y[start:]
        season_t = params.season[((phase0 + start) % period + np.arange(win.size)) % period]
        head = observed(win[: 2 * period])
        level0 = float(np.log(max(head.mean() if head.size else 0.0, 0.0) + 0.5))
        return run_one(win, season_t, level0, params.alpha, params.beta, params.phi)

    def fit(self, y: FloatArray, phase0: int, period: int) -> Fitted:
        params, start = self.estimate(y, phase0, period)
        levels, trends = self._states(y, phase0, params, start)
        return _NBFit(params, float(levels[-1]), float(trends[-1]), (phase0 + y.size) % period)

    def backtest(
        self, y: FloatArray, phase0: int, period: int, plan: BacktestPlan
    ) -> tuple[FloatArray, FloatArray]:
        # Parameters are fitted once, on data before the first origin; the state is then
        # filtered forward, so each origin still sees only its own past.
        params, start = self.estimate(y[: plan.origins[0]], phase0, period)
        levels, trends = self._states(y[: max(plan.origins)], phase0, params, start)
        return self._backtest_from(params, levels, trends, start, phase0, plan)

    def shared_window(
        self, y: FloatArray, phase0: int, period: int, origins: list[int]
    ) -> tuple[int, FloatArray, FloatArray, float] | None:
        """Where one grid filter can serve both the backtest and the final fit: the window
        start, the weekday effects from the data before the first origin, their value on
        each day of the window, level0; None where it cannot."""
        start = max(0, y.size - self.fit_window)
        # Only for daily series: weekday effects a few weeks old are as good as new, while
        # a monthly backtest spans two years, too long to keep month effects that old.
        if period != 7 or start != max(0, origins[0] - self.fit_window):
            return None
        train_season = self._window(y[: origins[0]], phase0, period)[1]
        _, season, season_t, level0 = self._window(y, phase0, period, train_season)
        return start, season, season_t, level0

    def fit_with_backtest(
        self, y: FloatArray, phase0: int, period: int, plan: BacktestPlan
    ) -> tuple[Fitted, FloatArray, FloatArray]:
        """One grid filter over the whole window serves both the backtest (scored on the
        values before the first origin) and the final fit (on all of them). The weekday
        effects of both come from the data before the first origin, so the backtest stays
        blind to its future; the final fit's are a few weeks older than they could be."""
        shared = self.shared_window(y, phase0, period, plan.origins)
        if shared is None:
            return super().fit_with_backtest(y, phase0, period, plan)
        start, season, season_t, level0 = shared
        win = y[start:]
        grid = grid_filter(win, season_t, level0)
        params = self._choose(win, season, season_t, grid, plan.origins[0] - start)
        # The filter's grid columns are the states of each parameter set (same effects,
        # same start), so neither the backtest nor the final fit needs a run of its own.
        col = params.grid_index
        points, paths = self._backtest_from(
            params, grid[0][:, col], grid[1][:, col], start, phase0, plan
        )
        final = self._choose(win, season, season_t, grid, win.size)
        last = grid[0][-1, final.grid_index], grid[1][-1, final.grid_index]
        fitted = _NBFit(final, float(last[0]), float(last[1]), (phase0 + y.size) % period)
        return fitted, points, paths

    def _backtest_from(
        self,
        params: NBParams,
        levels: FloatArray,
        trends: FloatArray,
        start: int,
        phase0: int,
        plan: BacktestPlan,
    ) -> tuple[FloatArray, FloatArray]:
        """Forecasts from each origin, given the filtered states over the window."""
        origins, horizon, n_paths = plan.origins, plan.horizon, plan.n_paths
        period = params.season.size
        idx = np.asarray(origins) - 1 - start
        level = np.repeat(levels[idx], n_paths)
        trend = np.repeat(trends[idx], n_paths)
        phase = np.repeat((phase0 + np.asarray(origins)) % period, n_paths).astype(float)
        paths = simulate_states(params, level, trend, phase, horizon, plan.rng)
        h = np.arange(1, horizon + 1)
        damp = np.cumsum(params.phi**h)
        phases = (phase0 + np.asarray(origins)[:, None] + h[None, :] - 1) % period
        lm = levels[idx][:, None] + damp[None, :] * trends[idx][:, None] + params.season[phases]
        mean = params.kappa * np.exp(np.minimum(lm, MAX_LOG_MEAN))
        points = nb_median(mean, params.size)
        return points, paths.reshape(len(origins), n_paths, horizon)
