"""Classic Farrington et al. (1996) detector, as ``surveillance::algo.farrington``.

Reference values: windows of +-w periods around the same point 1..b years back. A quasi-Poisson
regression with a linear trend (kept only if significant, b >= 3 and not extrapolating beyond
the data) is fitted, reference values with large Anscombe residuals are down-weighted, and the
upper bound is a **two-sided** (1 - alpha/2) prediction limit on the 2/3-power scale. With fewer
than 5 cases in the last 4 periods the bound is 0 and no alarm is raised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from sitroom.analysis.detect.farrington_core import (
    Design,
    fit_and_predict,
    months_back,
    response_scale,
    subset_design,
    threshold_delta,
    weekday,
    years_back,
)
from sitroom.analysis.detect.farrington_flexible import recent_sums, scatter
from sitroom.analysis.detect.farrington_reference import years_back_all
from sitroom.analysis.detect.result import CountSeries, DetectionResult, insufficient


@dataclass(frozen=True)
class ClassicControl:
    b: int = 5
    w: int = 3
    reweight: bool = True
    alpha: float = 0.05
    trend: bool = True
    limit54: tuple[int, int] = (5, 4)
    powertrans: str = "2/3"
    by_date: bool = True


def _step(day: np.datetime64, steps: int, freq: int) -> np.datetime64:
    if freq == 12:
        return months_back(day, -steps)
    return day + np.timedelta64(steps * (7 if freq == 52 else 1), "D")


def _reference_indices(series: CountSeries, k: int, ctl: ClassicControl) -> np.ndarray:
    """0-based positions of the reference values of point k (missing ones dropped)."""
    if not (ctl.by_date and series.dates is not None):
        offsets = np.concatenate(
            [k - series.freq * i + np.arange(-ctl.w, ctl.w + 1) for i in range(ctl.b, 0, -1)]
        )
        return offsets[offsets >= 0]
    dates = series.dates
    t0 = dates[k]
    wanted: list[np.datetime64] = []
    for j in range(1, ctl.b + 1):
        ref = years_back(t0, j)
        wanted.extend(_step(ref, s, series.freq) for s in range(-ctl.w, ctl.w + 1))
    days = np.array(wanted, dtype="datetime64[D]")
    if series.freq == 52:
        wd0 = weekday(t0)
        wds = np.array([weekday(d) for d in days])
        fwd, bwd = (wd0 - wds) % 7, (wds - wd0) % 7
        days = days + np.where(fwd < bwd, fwd, -bwd).astype("timedelta64[D]")
    elif series.freq == 12:
        dom0 = t0.astype(object).day
        days = days - np.array([d.astype(object).day - dom0 for d in days]).astype("timedelta64[D]")
    pos = np.searchsorted(dates, days)
    ok = (pos < dates.size) & (dates[np.minimum(pos, dates.size - 1)] == days)
    found: np.ndarray = pos[ok]
    return found


def _all_references(
    series: CountSeries, ks: np.ndarray, ctl: ClassicControl
) -> tuple[np.ndarray, np.ndarray]:
    """Reference positions of every point (K, m) and which are usable, in the order of
    ``_reference_indices`` with the usable ones first. Monthly dates go point by point."""
    span = np.arange(-ctl.w, ctl.w + 1)
    if not (ctl.by_date and series.dates is not None):
        back = np.arange(ctl.b, 0, -1)
        pos = (ks[:, None, None] - series.freq * back[None, :, None] + span).reshape(ks.size, -1)
        ok = pos >= 0
    elif series.freq == 12:
        rows = [_reference_indices(series, int(k), ctl) for k in ks]
        width = max((r.size for r in rows), default=1)
        pos = np.zeros((ks.size, width), dtype=np.int64)
        ok = np.zeros((ks.size, width), dtype=np.bool_)
        for i, r in enumerate(rows):
            pos[i, : r.size], ok[i, : r.size] = r, True
    else:
        dates = series.dates
        t0 = dates[ks]
        refs = years_back_all(t0[:, None], np.arange(1, ctl.b + 1)[None, :])
        step = 7 if series.freq == 52 else 1
        days = (refs[:, :, None] + (step * span).astype("timedelta64[D]")).reshape(ks.size, -1)
        if series.freq == 52:  # snap to the weekday of the monitored point
            wd0 = (t0.astype(np.int64)[:, None] + 4) % 7
            wds = (days.astype(np.int64) + 4) % 7
            fwd, bwd = (wd0 - wds) % 7, (wds - wd0) % 7
            days = days + np.where(fwd < bwd, fwd, -bwd).astype("timedelta64[D]")
        pos = np.searchsorted(dates, days)
        ok = (pos < dates.size) & (dates[np.minimum(pos, dates.size - 1)] == days)
    ok &= np.isfinite(series.counts[np.clip(pos, 0, len(series) - 1)])
    order = np.argsort(~ok, axis=1, kind="stable")  # usable first, in their original order
    return np.take_along_axis(pos, order, axis=1), np.take_along_axis(ok, order, axis=1)


def farrington(
    series: CountSeries, *, start: int | None = None, control: ClassicControl | None = None
) -> DetectionResult:
    ctl = control or ClassicControl()
    n = len(series)
    needed = series.freq * ctl.b + ctl.w + 1
    first = needed - 1 if start is None else start
    name = "farrington"
    if first >= n or n < needed:
        return insufficient(name, needed, n)
    ks = np.arange(first, n, dtype=np.int64)
    pos, ok = _all_references(series, ks, ctl)
    usable = ok.sum(axis=1) >= 3
    k_used = ks[usable]
    width = max(int(ok[usable].sum(axis=1).max(initial=1)), 1)
    pos, valid = pos[usable, :width], ok[usable, :width]
    x = np.zeros((k_used.size, width, 2))
    x[:, :, 0] = np.where(valid, 1.0, 0.0)
    x[:, :, 1] = np.where(valid, pos + 1.0, 0.0)  # R's wtime is the 1-based index
    y = np.where(valid, series.counts[np.clip(pos, 0, len(series) - 1)], 0.0)
    x_new = np.stack([np.ones(k_used.size), k_used + 1.0], axis=1)
    max_resp = np.max(np.where(valid, y, -np.inf), axis=1) if k_used.size else np.zeros(0)
    design = Design(x, y, valid, np.zeros_like(y), x_new, np.zeros(k_used.size), max_resp)

    def fit(des: Design, trend: bool) -> tuple[np.ndarray, ...]:
        p = fit_and_predict(
            des,
            trend=trend,
            reweight=ctl.reweight,
            weights_threshold=1.0,
            fail_without_convergence=False,
        )
        return p.eta, p.var_unscaled, p.phi, p.has_trend, p.p_trend

    eta, var, phi, has_trend, p_trend = fit(design, ctl.trend)
    if ctl.trend and k_used.size:
        mu_hat = np.maximum(np.exp(eta), np.finfo(np.float64).eps)
        keep = has_trend & (ctl.b >= 3) & (p_trend < 0.05) & (mu_hat <= max_resp)
        redo = np.flatnonzero(has_trend & ~keep)
        if redo.size:
            e2, v2, ph2, _, _ = fit(subset_design(design, redo), False)
            eta[redo], var[redo], phi[redo] = e2, v2, ph2
    mu0, se_fit = response_scale(eta, np.sqrt(var * phi))
    z = float(stats.norm.ppf(1.0 - ctl.alpha / 2.0))
    upper = threshold_delta(mu0, se_fit, phi, z, ctl.powertrans)
    y_now = series.counts[k_used]
    cases, period = ctl.limit54
    enough = recent_sums(series.counts, k_used, period) >= cases
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(enough, (y_now - mu0) / (upper - mu0), 0.0)
    upper = np.where(enough, upper, 0.0)
    alarm = score > 1
    return scatter(
        name, series, ks, usable, mu0, upper, score, alarm, np.ones(k_used.size, dtype=np.bool_), {}
    )
