"""Robust expected daily counts for the border-surge detector.

Every ``refit_every`` days a log-linear count model is fitted on the history before that day
(at most ``history_days``): level, plus a linear trend, one annual harmonic and weekday effects
once there is enough history for each. All refits of a series are fitted together as one batch.
Surge days are excluded softly: after each fit, days whose Anscombe residual exceeds
``robust_threshold`` get weight (threshold / residual)^2, and the model is refitted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sitroom.analysis.detect.result import CountSeries, FloatArray

_DAYS_PER_YEAR = 365.25


def periods(days: int, freq: int) -> int:
    """A span given in days, in periods of a series with ``freq`` periods a year."""
    return max(round(days * freq / 365), 1)


@dataclass(frozen=True)
class BaselineControl:
    history_days: int = 730
    min_history: int = 28
    refit_every: int = 14
    trend_after: int = 56
    season_after: int = 365
    weekday_after: int = 28
    robust_threshold: float = 1.5
    robust_rounds: int = 2
    max_eta_variance: float = 1.0
    max_size: float = 1000.0
    ridge: float = 0.5


@dataclass(frozen=True, eq=False)
class _Fit:
    coef: FloatArray  # (K, p)
    mu: FloatArray  # (K, n)
    cov: FloatArray  # (K, p, p) unscaled covariance (inverse penalised information)
    dispersion: FloatArray  # (K,) weighted Pearson dispersion


def _fit(
    x: FloatArray, y: FloatArray, w: FloatArray, coef: FloatArray | None, ridge: float
) -> _Fit:
    """Penalised Poisson IRLS by normal equations (fast; exactness to R is not needed here).

    The small ridge on everything but the level keeps weekday effects finite on sparse data.
    """
    k_fits, _, p = x.shape
    penalty = ridge * np.diag(np.r_[0.0, np.ones(p - 1)])
    if coef is None:
        level = np.log((np.sum(w * y, axis=1) + 0.5) / (np.sum(w, axis=1) + 1.0))
        coef = np.zeros((k_fits, p))
        coef[:, 0] = level
    eta = np.einsum("knp,kp->kn", x, coef)
    info = np.zeros((k_fits, p, p))
    for _ in range(30):
        mu = np.exp(np.clip(eta, -30.0, 30.0))
        work = w * mu
        xtw = np.swapaxes(x * work[:, :, None], 1, 2)
        info = xtw @ x + penalty
        rhs = xtw @ (eta + (y - mu) / mu)[:, :, None]
        coef = np.linalg.solve(info, rhs)[:, :, 0]
        new_eta = np.einsum("knp,kp->kn", x, coef)
        change = np.max(np.where(w > 0, np.abs(new_eta - eta), 0.0))
        eta = new_eta
        if change < 1e-7:
            break
    mu = np.exp(np.clip(eta, -30.0, 30.0))
    df = np.maximum(np.sum(w > 0, axis=1) - p, 1.0)
    dispersion = np.sum(w * (y - mu) ** 2 / mu, axis=1) / df
    cov = np.asarray(np.linalg.inv(info), dtype=np.float64)
    return _Fit(coef=coef, mu=mu, cov=cov, dispersion=dispersion)


@dataclass(frozen=True, eq=False)
class Baseline:
    mean: FloatArray  # expected count per monitored day
    size: FloatArray  # negative-binomial size, widened for the uncertainty of the mean


def _columns(
    days: FloatArray,
    weekdays: np.ndarray,
    origin: FloatArray | float,
    spec: tuple[bool, bool, bool],
) -> FloatArray:
    """Design columns for the given times (in years); spec = (trend, season, weekday)."""
    trend, season, weekday = spec
    cols = [np.ones_like(days)]
    if trend:
        cols.append(days - origin)
    if season:
        angle = 2.0 * np.pi * days
        cols += [np.sin(angle), np.cos(angle)]
    if weekday:
        cols += [(weekdays == d).astype(np.float64) for d in range(1, 7)]
    return np.stack(cols, axis=-1)


def fit_baseline(series: CountSeries, index: np.ndarray, ctl: BaselineControl) -> Baseline:
    n = len(series)
    # time in years; weekdays only mean something for daily data
    if series.dates is not None:
        day_number = series.dates.astype(np.int64)
        stamp = day_number / _DAYS_PER_YEAR
    else:
        day_number = np.arange(n, dtype=np.int64)
        stamp = day_number / float(series.freq)
    weekdays = (day_number + 4) % 7
    daily = series.freq == 365
    history, every = periods(ctl.history_days, series.freq), periods(ctl.refit_every, series.freq)
    thresholds = (ctl.trend_after, ctl.season_after, ctl.weekday_after)
    after = [periods(d, series.freq) for d in thresholds]
    y_all = series.counts
    if series.lower is not None and series.upper is not None:
        ranged = np.isfinite(series.lower) & np.isfinite(series.upper)
        y_all = np.where(~np.isfinite(y_all) & ranged, 0.5 * (series.lower + series.upper), y_all)
    refits = np.arange(int(index[0]), int(index[-1]) + 1, every)
    lo = np.maximum(refits - history, 0)
    span = refits - lo
    specs = [
        (bool(s >= after[0]), bool(s >= after[1]), daily and bool(s >= after[2])) for s in span
    ]
    mean = np.zeros(index.size)
    size = np.zeros(index.size)
    which = np.searchsorted(refits, index, side="right") - 1  # refit used by each monitored day
    for spec in sorted(set(specs)):
        group = np.array([i for i, s in enumerate(specs) if s == spec])
        rows = int(span[group].max())
        offsets = np.arange(rows)[None, :] - rows
        days_idx = refits[group, None] + offsets  # the ``rows`` days before each refit point
        valid = days_idx >= lo[group, None]
        days_idx = np.maximum(days_idx, 0)
        y = y_all[days_idx]
        valid &= np.isfinite(y)
        y = np.where(valid, y, 0.0)
        origin = stamp[refits[group]][:, None]
        x = _columns(stamp[days_idx], weekdays[days_idx], origin, spec)
        weights = valid.astype(np.float64)
        fit = _fit(x, y, weights, None, ctl.ridge)
        for _ in range(ctl.robust_rounds):
            phi = np.maximum(fit.dispersion, 1.0)[:, None]
            # Anscombe residuals; leverages are ~p/n and ignored over such long windows
            s = 1.5 * (y ** (2.0 / 3.0) * fit.mu ** (-1.0 / 6.0) - np.sqrt(fit.mu)) / np.sqrt(phi)
            with np.errstate(divide="ignore"):
                down = np.where(s > ctl.robust_threshold, (ctl.robust_threshold / s) ** 2, 1.0)
            weights = np.where(valid, down, 0.0)
            fit = _fit(x, y, weights, fit.coef, ctl.ridge)
        mu_fit = fit.mu
        with np.errstate(divide="ignore", invalid="ignore"):
            excess = np.sum(weights * ((y - mu_fit) ** 2 - mu_fit), axis=1)
            theta = np.where(excess > 0, np.sum(weights * mu_fit**2, axis=1) / excess, ctl.max_size)
        theta = np.clip(np.nan_to_num(theta, nan=ctl.max_size), 0.2, ctl.max_size)
        phi = np.maximum(np.nan_to_num(fit.dispersion, nan=1.0), 1.0)
        prior_floor = 0.5 / np.maximum(valid.sum(axis=1), 1.0)
        for g, refit_pos in enumerate(group):
            days = np.flatnonzero(which == refit_pos)
            if days.size == 0:
                continue
            target = index[days]
            xn = _columns(stamp[target], weekdays[target], float(stamp[refits[refit_pos]]), spec)
            eta = xn @ fit.coef[g]
            var_eta = np.einsum("dp,pq,dq->d", xn, fit.cov[g], xn) * phi[g]
            var_eta = np.minimum(
                np.nan_to_num(var_eta, nan=ctl.max_eta_variance), ctl.max_eta_variance
            )
            mean[days] = np.maximum(np.exp(eta), prior_floor[g])
            size[days] = 1.0 / (1.0 / theta[g] + var_eta)
    return Baseline(mean=mean, size=size)
