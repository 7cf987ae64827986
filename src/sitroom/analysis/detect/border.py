"""A surge detector built for daily border-crossing counts.

What border data look like, and what this method does about it:

- **Weekday pattern, season, trend.** The expected count is a negative-binomial log-linear
  model fitted on up to two years of history: level, linear trend, one annual harmonic (once a
  year of history exists) and weekday effects (daily data, once four weeks exist), refitted
  every 14 days.
- **Baselines contaminated by earlier surges.** The fit is robust: after a first fit, days with
  large positive Anscombe residuals are down-weighted (twice), so a past surge barely moves the
  baseline, while a long window keeps the estimate precise.
- **Short or near-zero baselines.** With few days or only zeros the expected count is floored
  by a weak prior (half a crossing over the history), so a handful of arrivals after a quiet
  spell raises a signal, but a single one does not.
- **Surges that ramp up over days.** Evidence accumulates: for each of a few surge sizes
  (x1.25 .. x5) a negative-binomial CUSUM of log-likelihood ratios runs, and the statistic is
  their maximum (a GLR over the size). A red alarm restarts the accumulation.
- **Uncertain days.** Days known only within [lower, upper] contribute the likelihood ratio of
  that interval; missing days contribute nothing.

Outputs per day: expected count, the count that would turn the day red, the statistic (score),
an approximate probability that a surge is under way, and a level (green / amber / red).
The probability is the logistic of (statistic - red threshold): a Bayes-factor reading of the
GLR with a prior onset rate of exp(-threshold); it is a ranking aid, not a calibrated frequency.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from sitroom.analysis.detect.border_baseline import BaselineControl, fit_baseline, periods
from sitroom.analysis.detect.result import (
    CountSeries,
    DetectionResult,
    FloatArray,
    Level,
    finish,
    insufficient,
)


@dataclass(frozen=True)
class BorderControl:
    baseline: BaselineControl = field(default_factory=BaselineControl)
    shifts: tuple[float, ...] = (1.25, 1.5, 2.0, 3.0, 5.0)
    red_threshold: float = 4.5
    amber_threshold: float = 3.0
    spike_pvalue: float = 1e-3  # a single very unlikely day is at least amber


def _llr(kappa: FloatArray, y: FloatArray, mu: FloatArray, size: FloatArray) -> FloatArray:
    """Log-likelihood ratio of NB(mean mu*e^kappa) against NB(mean mu), same size."""
    out: FloatArray = kappa * y - (y + size) * np.log((size + mu * np.exp(kappa)) / (size + mu))
    return out


def _interval_llr(
    kappa: FloatArray, lo: FloatArray, hi: FloatArray, mu: FloatArray, size: FloatArray
) -> FloatArray:
    def prob(mean: FloatArray) -> FloatArray:
        p = size / (size + mean)
        inside: FloatArray = stats.nbinom.cdf(hi, size, p) - stats.nbinom.cdf(lo - 1, size, p)
        return np.maximum(inside, 1e-300)

    out: FloatArray = np.log(prob(mu * np.exp(kappa))) - np.log(prob(mu))
    return out


def _accumulate(terms: FloatArray, threshold: float) -> tuple[FloatArray, np.ndarray]:
    """CUSUMs (one per surge size) restarted after each crossing of the threshold by their max.

    Returns the per-size charts (days x sizes) and the alarm days.
    """
    days = terms.shape[0]
    charts = np.zeros_like(terms)
    alarm = np.zeros(days, dtype=np.bool_)
    done = 0
    while done < days:
        walk = np.cumsum(terms[done:], axis=0)
        floor = np.minimum(0.0, np.minimum.accumulate(walk, axis=0))
        floor = np.vstack([np.zeros((1, walk.shape[1])), floor[:-1]])
        chart = walk - floor
        hits = np.flatnonzero(chart.max(axis=1) >= threshold)
        stop = hits[0] + 1 if hits.size else days - done
        charts[done : done + stop] = chart[:stop]
        if hits.size:
            alarm[done + hits[0]] = True
        done += stop
    return charts, alarm


def border_surge(
    series: CountSeries, *, start: int | None = None, control: BorderControl | None = None
) -> DetectionResult:
    ctl = control or BorderControl()
    name = "border"
    n = len(series)
    needed = periods(ctl.baseline.min_history, series.freq)
    first = needed if start is None else start
    seen = int(np.sum(np.isfinite(series.counts[:first])))
    if first >= n or seen < needed:
        return insufficient(name, needed, seen)
    index = np.arange(first, n, dtype=np.int64)
    base = fit_baseline(series, index, ctl.baseline)
    mu, size = base.mean, base.size
    y = series.counts[index]
    known = np.isfinite(y)
    kappa = np.log(np.asarray(ctl.shifts))[None, :]
    y0 = np.where(known, y, 0.0)
    terms = np.where(known[:, None], _llr(kappa, y0[:, None], mu[:, None], size[:, None]), 0.0)
    if series.lower is not None and series.upper is not None:
        lo, hi = series.lower[index], series.upper[index]
        ranged = np.isfinite(lo) & np.isfinite(hi) & (hi > lo)
        if ranged.any():
            terms[ranged] = _interval_llr(
                kappa, lo[ranged, None], hi[ranged, None], mu[ranged, None], size[ranged, None]
            )
            known = known | ranged
    charts, alarm = _accumulate(terms, ctl.red_threshold)
    statistic = np.maximum(charts.max(axis=1), 0.0)
    p_spike = stats.nbinom.sf(y0 - 1, size, size / (size + mu))
    probability = 1.0 / (1.0 + np.exp(ctl.red_threshold - statistic))
    level = np.full(index.size, Level.GREEN, dtype=np.int8)
    amber = (statistic >= ctl.amber_threshold) | (known & (p_spike < ctl.spike_pvalue))
    level[amber] = Level.AMBER
    level[alarm] = Level.RED
    restarted = np.where(alarm[:, None], 0.0, np.maximum(charts, 0.0))
    previous = np.vstack([np.zeros((1, charts.shape[1])), restarted[:-1]])
    upper = _red_count(previous, mu, size, ctl)
    return finish(
        name,
        series,
        index,
        expected=mu,
        upperbound=upper,
        score=statistic,
        alarm=alarm,
        defined=known,
        known=known,
        probability=probability,
        level=level,
        extras={"daily_pvalue": p_spike, "nb_size": size},
        reason_if_partial="no decision on days with missing counts",
    )


def _red_count(
    previous: FloatArray, mu: FloatArray, size: FloatArray, ctl: BorderControl
) -> FloatArray:
    """Smallest count that would make today red, given the charts of the day before.

    Each chart is C_t = max(C_{t-1}, 0) + increment, and the increment is linear in the count,
    y * (kappa - c) - size * c with c = log((size + mu e^kappa) / (size + mu)) < kappa, so the
    threshold count is explicit.
    """
    kappa = np.log(np.asarray(ctl.shifts))[None, :]
    c = np.log((size[:, None] + mu[:, None] * np.exp(kappa)) / (size[:, None] + mu[:, None]))
    counts = (ctl.red_threshold - previous + size[:, None] * c) / (kappa - c)
    out: FloatArray = np.ceil(np.maximum(counts.min(axis=1), 0.0))
    return out
