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
_REFITS_PER_BATCH = 64  # bounds the (refits x days) weight matrix on long series
_ROUGH = 1e-4  # fits that only set the robust weights need not be precise


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
    # (K, p, p) penalised information. Its inverse, the unscaled covariance, is only needed
    # for the final fit (in _day_values), so the rough fits do not pay for it.
    info: FloatArray
    dispersion: FloatArray  # (K,) weighted Pearson dispersion


@dataclass(frozen=True, eq=False)
class _Rows:
    """What every fit on the same day rows ``x`` (days x p) shares, computed once."""

    x: FloatArray
    x_t: FloatArray  # x.T
    outer: FloatArray  # (days, p(p+1)/2) the distinct products x_i x_i'
    lower: np.ndarray  # where each distinct product goes below the diagonal of (p, p)
    upper: np.ndarray  # ... and on or above it
    penalty: FloatArray  # (p, p)

    @staticmethod
    def of(x: FloatArray, ridge: float) -> _Rows:
        p = x.shape[1]
        upper = np.triu_indices(p)
        outer = x[:, upper[0]] * x[:, upper[1]]
        return _Rows(
            x,
            x.T,
            outer,
            upper[1] * p + upper[0],
            upper[0] * p + upper[1],
            ridge * np.diag(np.r_[0.0, np.ones(p - 1)]),
        )


def _fit(
    rows: _Rows,
    y: FloatArray,
    w: FloatArray,
    coef: FloatArray | None,
    tol: float = 1e-7,
) -> _Fit:
    """Penalised Poisson IRLS by normal equations (fast; exactness to R is not needed here).

    All fits share the rows ``x`` (days x p) and ``y`` and differ by their weights ``w``
    (fits x days; 0 outside a fit's window), so every step is a few matrix products:
    X'WX = W @ (x_i x_i') and X'Wz = (W z) @ X. The small ridge on everything but the level
    keeps weekday effects finite on sparse data.
    """
    x, x_t, penalty = rows.x, rows.x_t, rows.penalty
    k_fits, p = w.shape[0], x.shape[1]
    if coef is None:
        level = np.log((w @ y + 0.5) / (np.sum(w, axis=1) + 1.0))
        coef = np.zeros((k_fits, p))
        coef[:, 0] = level
    # (fits x days) arrays go to reused buffers (fresh ones cost more than the arithmetic),
    # with the operations of the expressions in the comments, in their order
    mu_b, work_b, rhs_b, tmp_b, eta_b, other_b = np.empty((6, k_fits, x.shape[0]))
    eta: FloatArray = np.matmul(coef, x_t, out=eta_b)
    info = np.zeros((k_fits, p, p))
    used = w > 0
    for _ in range(30):
        # mu = exp(clip(eta, -30, 30)), work = w mu
        mu = np.exp(np.minimum(np.maximum(eta, -30.0, out=mu_b), 30.0, out=mu_b), out=mu_b)
        work = np.multiply(w, mu, out=work_b)
        info = np.empty((k_fits, p * p))
        info[:, rows.upper] = info[:, rows.lower] = work @ rows.outer
        info = info.reshape(k_fits, p, p)
        info += penalty
        # rhs = (work eta + w (y - mu)) @ x
        np.multiply(w, np.subtract(y, mu, out=tmp_b), out=tmp_b)
        rhs = np.add(np.multiply(work, eta, out=rhs_b), tmp_b, out=rhs_b) @ x
        coef = np.asarray(np.linalg.solve(info, rhs[:, :, None])[:, :, 0], dtype=np.float64)
        new_eta = np.matmul(coef, x_t, out=other_b)
        change = np.max(
            np.abs(np.subtract(new_eta, eta, out=tmp_b), out=tmp_b), where=used, initial=0.0
        )
        eta, other_b = new_eta, eta
        if change < tol:
            break
    mu = np.exp(np.minimum(np.maximum(eta, -30.0), 30.0))
    df = np.maximum(np.sum(used, axis=1) - p, 1.0)
    dispersion = np.sum(w * (y - mu) ** 2 / mu, axis=1) / df
    return _Fit(coef=coef, mu=mu, info=info, dispersion=dispersion)


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
        same = np.array([i for i, s in enumerate(specs) if s == spec])
        for part in range(0, same.size, _REFITS_PER_BATCH):
            group = same[part : part + _REFITS_PER_BATCH]
            first, last = int(lo[group].min()), int(refits[group].max())
            days = np.arange(first, last)
            origin = float(stamp[last])  # one time origin for all: the level absorbs it
            x = _columns(stamp[days], weekdays[days], origin, spec)
            y = y_all[first:last]
            known = np.isfinite(y)
            y = np.where(known, y, 0.0)
            valid = (days[None, :] >= lo[group, None]) & (days[None, :] < refits[group, None])
            valid &= known[None, :]
            fit, weights = _robust_fit(x, y, valid, ctl)
            at = np.flatnonzero(np.isin(which, group))  # the days these refits serve
            if at.size:
                t = index[at]
                xn = _columns(stamp[t], weekdays[t], origin, spec)
                g = np.searchsorted(group, which[at])
                mean[at], size[at] = _day_values(fit, weights, valid, y, g, xn, ctl)
    return Baseline(mean=mean, size=size)


def _robust_fit(
    x: FloatArray, y: FloatArray, valid: np.ndarray, ctl: BaselineControl
) -> tuple[_Fit, FloatArray]:
    """Fit, then down-weight days with large positive Anscombe residuals and refit."""
    weights = valid.astype(np.float64)
    rows = _Rows.of(x, ctl.ridge)
    # Start every refit from the first one's fit, shifted by the change in its mean level (the
    # windows overlap almost entirely). A seed far from the plain level (say an all-zero
    # window, where the level runs off to -inf) would be a bad start: then start from scratch.
    raw = np.log((weights @ y + 0.5) / (np.sum(weights, axis=1) + 1.0))
    seed = _fit(rows, y, weights[:1], None, _ROUGH).coef
    start: FloatArray | None = None
    if abs(seed[0, 0] - raw[0]) <= 3.0:
        start = np.repeat(seed, valid.shape[0], axis=0)
        start[:, 0] += raw - raw[0]
    fit = _fit(rows, y, weights, start, _ROUGH if ctl.robust_rounds else 1e-7)
    for round_ in range(ctl.robust_rounds):
        phi = np.maximum(fit.dispersion, 1.0)[:, None]
        # Anscombe residuals; leverages are ~p/n and ignored over such long windows
        root_mu = np.sqrt(fit.mu)
        s = 1.5 * (np.cbrt(y) ** 2 / np.sqrt(np.cbrt(fit.mu)) - root_mu) / np.sqrt(phi)
        with np.errstate(divide="ignore"):
            down = np.where(s > ctl.robust_threshold, (ctl.robust_threshold / s) ** 2, 1.0)
        weights = np.where(valid, down, 0.0)
        last = round_ == ctl.robust_rounds - 1
        fit = _fit(rows, y, weights, fit.coef, 1e-7 if last else _ROUGH)
    return fit, weights


def _day_values(
    fit: _Fit,
    weights: FloatArray,
    valid: np.ndarray,
    y: FloatArray,
    g: np.ndarray,
    xn: FloatArray,
    ctl: BaselineControl,
) -> tuple[FloatArray, FloatArray]:
    """Expected count and NB size on given days, each from its refit ``g``.

    The size is the moment estimate from the weighted fit, widened by the uncertainty of the
    fitted mean; the expected count is floored at half a crossing over the history.
    """
    mu = fit.mu
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = np.sum(weights * ((y - mu) ** 2 - mu), axis=1)
        theta = np.where(excess > 0, np.sum(weights * mu**2, axis=1) / excess, ctl.max_size)
    theta = np.clip(np.nan_to_num(theta, nan=ctl.max_size), 0.2, ctl.max_size)
    phi = np.maximum(np.nan_to_num(fit.dispersion, nan=1.0), 1.0)
    floor = 0.5 / np.maximum(valid.sum(axis=1), 1.0)
    cov = np.asarray(np.linalg.inv(fit.info), dtype=np.float64)
    var_eta = np.einsum("dp,dpq,dq->d", xn, cov[g], xn) * phi[g]
    var_eta = np.minimum(np.nan_to_num(var_eta, nan=ctl.max_eta_variance), ctl.max_eta_variance)
    eta = np.einsum("dp,dp->d", xn, fit.coef[g])
    return np.maximum(np.exp(eta), floor[g]), 1.0 / (1.0 / theta[g] + var_eta)
