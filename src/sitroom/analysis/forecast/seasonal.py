"""Weekday (or month-of-year) effects as log multipliers, estimated robustly and shrunk."""

from __future__ import annotations

import numpy as np

from sitroom.analysis.forecast.result import FloatArray


def _centred_ma_kernel(period: int) -> FloatArray:
    if period % 2:
        return np.full(period, 1.0 / period)
    kernel = np.ones(period + 1)
    kernel[0] = kernel[-1] = 0.5
    return kernel / period


def seasonal_log_effects(
    y: FloatArray,
    phase0: int,
    period: int,
    *,
    min_cycles: int = 3,
    prior_cycles: float = 4.0,
) -> FloatArray:
    """Log seasonal multipliers by phase, normalised so that they average to one.

    Ratio-to-moving-average: each value is compared with the centred moving average around
    it, and the median log ratio per phase is the effect. Each effect is
    shrunk towards no effect by n / (n + prior_cycles), so a few weeks of data cannot invent
    a strong weekday pattern. With fewer than `min_cycles` full cycles there is no effect.
    """
    n = y.size
    if n < (min_cycles + 1) * period:
        return np.zeros(period)
    valid = ~np.isnan(y)
    kernel = _centred_ma_kernel(period)
    sums = np.convolve(np.where(valid, y, 0.0), kernel, mode="valid")
    weights = np.convolve(valid.astype(float), kernel, mode="valid")
    half = (kernel.size - 1) // 2
    centre = np.arange(half, half + sums.size)
    ok = (weights > 0.75) & valid[centre]
    trend = np.where(ok, sums / np.where(weights > 0, weights, 1.0), np.nan)
    phases = ((phase0 + centre) % period)[ok]
    # The median over cycles, so one surge year cannot pass itself off as a season.
    log_ratio = np.log((y[centre][ok] + 0.5) / (trend[ok] + 0.5))
    counts = np.bincount(phases, minlength=period)
    # The median per phase from one sort by (phase, value): the middle one or two values
    # of each phase's run, as np.median takes them.
    ordered = log_ratio[np.lexsort((log_ratio, phases))]
    starts = np.cumsum(counts) - counts
    seen = counts > 0
    lo = (starts + (counts - 1) // 2)[seen]
    hi = (starts + counts // 2)[seen]
    effects = np.zeros(period)
    effects[seen] = counts[seen] / (counts[seen] + prior_cycles) * ((ordered[lo] + ordered[hi]) / 2)
    return np.asarray(effects - np.log(np.mean(np.exp(effects))), dtype=np.float64)
