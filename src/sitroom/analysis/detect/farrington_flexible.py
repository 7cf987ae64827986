"""farringtonFlexible (Noufaily et al. 2013 improvements of Farrington 1996), as in R surveillance.

For each monitored point the reference values are the windows of +-w periods around the same
point 1..b years back (by calendar in date mode, by k - i*freq in index mode). A quasi-Poisson
regression with an optional linear trend and optional seasonal factor levels (the gaps between
windows split into ``no_periods - 1`` blocks) is fitted to them, outlying reference values are
down-weighted, and the upper bound is a one-sided (1 - alpha) prediction quantile, either on the
2/3-power scale ("delta") or from a negative binomial ("nbPlugin", "muan").

Presets ``ff_default`` (package defaults) and ``ff_noufaily`` (the vignette's Noufaily settings)
are exposed in the registry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from sitroom.analysis.detect.farrington_core import (
    Design,
    Prediction,
    fit_and_predict,
    pvalue_delta,
    pvalue_negbin,
    response_scale,
    subset_design,
    threshold_delta,
    threshold_negbin,
)
from sitroom.analysis.detect.farrington_reference import reference_positions
from sitroom.analysis.detect.result import (
    CountSeries,
    DetectionResult,
    FloatArray,
    finish,
    insufficient,
)


@dataclass(frozen=True)
class FlexibleControl:
    b: int = 5
    w: int = 3
    reweight: bool = True
    weights_threshold: float = 2.58
    alpha: float = 0.05
    trend: bool = True
    p_threshold_trend: float = 0.05
    limit54: tuple[int, int] = (5, 4)
    powertrans: str = "2/3"
    population_offset: bool = False
    no_periods: int = 1
    past_weeks_not_included: int | None = None  # None means w
    threshold_method: str = "delta"  # or "nbPlugin", "muan"
    by_date: bool = True  # calendar reference points (R's epochAsDate) when dates are given


NOUFAILY = FlexibleControl(
    b=4,
    w=3,
    weights_threshold=2.58,
    past_weeks_not_included=26,
    p_threshold_trend=1.0,
    threshold_method="nbPlugin",
    no_periods=10,
)


def _blocks(positions: np.ndarray, n: int, k: int, ctl: FlexibleControl) -> np.ndarray | None:
    """Seasonal level of every position (NaN = not used), as surveillance's ``blocks()``."""
    w, p = ctl.w, ctl.no_periods
    levels = np.full(n, np.nan)
    levels[max(k - w, 0) : k + 1] = p
    points = [int(v) for v in positions.tolist()]  # slicing with Python ints is much faster
    for i in range(1, ctl.b + 1):
        ref = points[i]
        levels[max(ref - w, 0) : ref + w + 1] = p
        if p != 1:
            period = points[i - 1] - 2 * w - 1 - ref
            if period < p - 1:
                return None
            # p - 1 blocks of period // (p - 1) days, the first period % (p - 1) one day longer
            length, longer = divmod(period, p - 1)
            edge = ref + w + 1
            for j in range(p - 1):
                end = edge + length + (j < longer)
                levels[edge:end] = j + 1
                edge = end
    pwni = ctl.w if ctl.past_weeks_not_included is None else ctl.past_weeks_not_included
    levels[max(k - pwni, 0) : k + 1] = np.nan
    return levels


def _layouts(positions: np.ndarray, ctl: FlexibleControl) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (from the oldest reference point - w) and levels of the rows each fit uses.

    The layout only depends on the gaps between reference points, so it is built once per
    distinct gap pattern. Returns (K, m) offsets (-1 = padding) and levels (NaN = padding).
    """
    diffs = np.diff(positions, axis=1)
    if np.all(diffs == diffs[:1]):  # one pattern (a fixed index spacing): no sort needed
        gaps, which = diffs[:1], np.zeros(diffs.shape[0], dtype=np.int64)
    else:
        gaps, which = np.unique(diffs, axis=0, return_inverse=True)
    patterns: list[tuple[np.ndarray, np.ndarray]] = []
    for gap in gaps:
        rel = np.concatenate([[0], np.cumsum(gap)]) - int(np.sum(gap)) + ctl.w
        rel = rel - rel[-1] + ctl.w  # oldest reference point sits at offset w
        levels = _blocks(rel, int(rel[0]) + 1, int(rel[0]), ctl)
        if levels is None:
            patterns.append((np.zeros(0, dtype=np.int64), np.zeros(0)))
        else:
            used = np.flatnonzero(~np.isnan(levels))
            patterns.append((used, levels[used]))
    width = max(max(p[0].size for p in patterns), 1)
    offsets = np.full((gaps.shape[0], width), -1, dtype=np.int64)
    levels_out = np.full((gaps.shape[0], width), np.nan)
    for g, (used, lv) in enumerate(patterns):
        offsets[g, : used.size], levels_out[g, : used.size] = used, lv
    return offsets[which.ravel()], levels_out[which.ravel()]


def _build_design(
    series: CountSeries, ks: np.ndarray, ctl: FlexibleControl
) -> tuple[Design, np.ndarray]:
    """Stack every monitored point's regression. Returns the design and the usable-k mask."""
    n = len(series)
    positions, found = reference_positions(series, ks, ctl.b, ctl.by_date)
    offsets, levels = _layouts(positions, ctl)
    oldest = positions[:, -1]
    # R silently ignores index 0 (here -1) when a window starts there, but fails further back
    found &= oldest - ctl.w >= -1
    pos = np.where(offsets >= 0, oldest[:, None] - ctl.w + offsets, -1)
    in_range = (offsets >= 0) & (pos >= 0) & found[:, None]
    safe = np.clip(pos, 0, n - 1)
    y = series.counts[safe]
    valid = in_range & np.isfinite(y)
    usable = valid.sum(axis=1) >= 3
    if not usable.all():
        pos, safe, y, valid, in_range, levels = (
            a[usable] for a in (pos, safe, y, valid, in_range, levels)
        )
    k_used = ks[usable]
    if ctl.by_date and series.dates is not None:
        stamp = series.dates.astype(np.int64).astype(np.float64)
        spacing = stamp[1] - stamp[0]
        first_used = np.take_along_axis(safe, np.argmax(in_range, axis=1)[:, None], axis=1)
        first_seen = np.take_along_axis(safe, np.argmax(valid, axis=1)[:, None], axis=1)[:, 0]
        wtime = (stamp[safe] - stamp[first_used]) / spacing
        wtime_new = (stamp[k_used] - stamp[first_seen]) / spacing
    else:
        wtime, wtime_new = safe + 1.0, k_used + 1.0
    level_list = np.unique(levels[valid]) if ctl.no_periods != 1 else np.zeros(0)
    dummies = level_list[1:]
    # built column-first: the fit works on one column at a time (x is a view, (K, n, p))
    columns = np.zeros((2 + dummies.size, k_used.size, pos.shape[1]))
    columns[0], columns[1] = 1.0, wtime
    x = np.moveaxis(columns, 0, 2)
    x_new = np.zeros((k_used.size, 2 + dummies.size))
    x_new[:, 0], x_new[:, 1] = 1.0, wtime_new
    lowest = np.min(np.where(valid, levels, np.inf), axis=1)  # R's baseline level per fit
    for d, level in enumerate(dummies):
        rows = valid & (levels == level)
        present = rows.any(axis=1) & (lowest != level)
        columns[2 + d] = rows & present[:, None]
        x_new[:, 2 + d] = present & (level == ctl.no_periods)
    offset = np.zeros_like(y)
    offset_new = np.zeros(k_used.size)
    if ctl.population_offset and series.population is not None:
        offset = np.where(valid, np.log(series.population[safe]), 0.0)
        offset_new = np.log(series.population[k_used])
    y = np.where(valid, y, 0.0)
    max_resp = np.max(np.where(valid, y, -np.inf), axis=1)
    # a level absent from one fit gives an all-zero column: dropped per batch below
    return Design(x, y, valid, offset, x_new, offset_new, max_resp), usable


def _split_by_columns(design: Design) -> list[tuple[np.ndarray, Design]]:
    """Group fits by which dummy columns are non-empty, dropping empty ones (full rank)."""
    nonempty = np.any(design.x[:, :, 2:] != 0, axis=1)
    if nonempty.all():  # the usual case: every level in every fit, nothing to drop
        return [(np.arange(design.x.shape[0]), design)]
    keys, which = np.unique(nonempty, axis=0, return_inverse=True)
    which = which.ravel()
    out = []
    for g, key in enumerate(keys):
        rows = np.flatnonzero(which == g)
        cols = [0, 1] + [2 + j for j, on in enumerate(key.tolist()) if on]
        out.append(
            (
                rows,
                Design(
                    design.x[rows][:, :, cols],
                    design.y[rows],
                    design.valid[rows],
                    design.offset[rows],
                    design.x_new[rows][:, cols],
                    design.offset_new[rows],
                    design.max_response[rows],
                ),
            )
        )
    return out


@dataclass(frozen=True, eq=False)
class _Fits:
    eta: FloatArray
    var: FloatArray
    disp: FloatArray
    phi: FloatArray
    failed: np.ndarray
    kept_trend: np.ndarray


def _fit_all(design: Design, ctl: FlexibleControl) -> _Fits:
    """Fit every stacked regression, with R's trend decision and refit without trend."""
    k_fits = design.x.shape[0]

    def blank() -> FloatArray:
        return np.full(k_fits, np.nan)

    out = _Fits(
        blank(),
        blank(),
        blank(),
        blank(),
        np.zeros(k_fits, dtype=np.bool_),
        np.zeros(k_fits, dtype=np.bool_),
    )

    def fit_model(des: Design, trend: bool) -> Prediction:
        return fit_and_predict(
            des,
            trend=trend,
            reweight=ctl.reweight,
            weights_threshold=ctl.weights_threshold,
            fail_without_convergence=True,
            weights_replace_working=True,
        )

    # with b < 3 a trend is never kept, and dropping it refits from scratch: skip that fit
    trend = ctl.trend and ctl.b >= 3
    for rows, des in _split_by_columns(design):
        pred = fit_model(des, trend)
        if trend:
            mu_trend = np.maximum(np.exp(pred.eta), np.finfo(np.float64).eps)
            keep = (
                pred.has_trend
                & (pred.p_trend < ctl.p_threshold_trend)
                & (mu_trend <= des.max_response)
            )
            redo = np.flatnonzero(pred.has_trend & ~keep)
            if redo.size:
                again = fit_model(subset_design(des, redo), False)
                for field in ("eta", "var_unscaled", "dispersion", "phi", "failed"):
                    getattr(pred, field)[redo] = getattr(again, field)
            out.kept_trend[rows] = keep
        out.eta[rows], out.var[rows], out.disp[rows] = pred.eta, pred.var_unscaled, pred.dispersion
        out.phi[rows], out.failed[rows] = pred.phi, pred.failed
    return out


def farrington_flexible(
    series: CountSeries, *, start: int | None = None, control: FlexibleControl | None = None
) -> DetectionResult:
    ctl = control or FlexibleControl()
    if ctl.no_periods != 1 and ctl.past_weeks_not_included is None:
        ctl = replace(ctl, past_weeks_not_included=ctl.w)
    name = "farrington_flexible"
    n = len(series)
    needed = series.freq * ctl.b + ctl.w + 1
    first = needed - 1 if start is None else start
    if first >= n or n < needed:
        return insufficient(name, needed, n)
    ks = np.arange(first, n, dtype=np.int64)
    design, usable = _build_design(series, ks, ctl)
    return _finish(name, series, ks, usable, _fit_all(design, ctl), ctl)


def _finish(
    name: str,
    series: CountSeries,
    ks: np.ndarray,
    usable: np.ndarray,
    fits: _Fits,
    ctl: FlexibleControl,
) -> DetectionResult:
    """Thresholds, limit54 and alarms for one series, from its fitted regressions."""
    k_used = ks[usable]
    eta, phi, failed = fits.eta, fits.phi, fits.failed
    se_link = np.sqrt(fits.var * fits.disp)  # R quirk: se.fit uses the uncapped dispersion
    y = series.counts[k_used]
    if ctl.threshold_method == "delta":
        z = float(stats.norm.ppf(1.0 - ctl.alpha))
        fit, se_fit = response_scale(eta, se_link)
        upper = threshold_delta(fit, se_fit, phi, z, ctl.powertrans)
        pvalue = pvalue_delta(y, fit, se_fit, phi)
        expected = fit
    else:
        if ctl.threshold_method == "nbPlugin":
            mu_q = np.exp(eta)
        else:
            mu_q = np.exp(stats.norm.ppf(1.0 - ctl.alpha, loc=eta, scale=se_link))
        upper = threshold_negbin(mu_q, phi, ctl.alpha)
        pvalue = pvalue_negbin(y, mu_q, phi)
        fit, expected = eta, np.exp(eta)  # R quirk: the score uses the link-scale fit
    with np.errstate(divide="ignore", invalid="ignore"):
        score = (y - fit) / (upper - fit)
    cases, period = ctl.limit54
    enough = recent_sums(series.counts, k_used, period) >= cases
    upper = np.where(enough & ~failed, upper, np.nan)
    expected = np.where(enough & ~failed & np.isfinite(upper), expected, np.nan)
    alarm = enough & ~failed & (score > 1) & (y != 0)
    return scatter(
        name,
        series,
        ks,
        usable,
        expected,
        upper,
        score,
        alarm,
        ~failed,
        {"pvalue": pvalue, "phi": phi, "trend": fits.kept_trend.astype(np.float64)},
    )


def recent_sums(counts: FloatArray, ks: np.ndarray, period: int) -> FloatArray:
    """Sum of the counts k-period+1..k for each k (NaN if any is missing), for limit54."""
    padded = np.concatenate([np.zeros(period), counts])
    window = np.lib.stride_tricks.sliding_window_view(padded, period)
    out: FloatArray = window[ks + 1].sum(axis=1)
    return out


def scatter(
    name: str,
    series: CountSeries,
    ks: np.ndarray,
    usable: np.ndarray,
    expected: FloatArray,
    upper: FloatArray,
    score: FloatArray,
    alarm: np.ndarray,
    decided: np.ndarray,
    extras: dict[str, FloatArray],
) -> DetectionResult:
    """Spread results over all monitored points; points without reference data are undefined."""

    def full(values: FloatArray) -> FloatArray:
        out = np.full(ks.size, np.nan)
        out[usable] = values
        return out

    alarm_all = np.zeros(ks.size, dtype=np.bool_)
    alarm_all[usable] = alarm
    defined = np.zeros(ks.size, dtype=np.bool_)
    defined[usable] = decided
    return finish(
        name,
        series,
        ks,
        expected=full(expected),
        upperbound=full(upper),
        score=full(score),
        alarm=alarm_all,
        defined=defined,
        reason_if_partial="no decision where reference values are missing or a fit failed",
        extras={key: full(v) for key, v in extras.items()},
    )
