"""Negative-binomial GLR detector for an increase of the intercept, as ``surveillance::glrnb``.

The in-control mean mu0 is a negative-binomial regression with one pair of annual harmonics
fitted once on the history (everything before the first monitored point; never refitted). At
time n the statistic is the generalised likelihood ratio of "the mean has been mu0 * e^kappa,
kappa > 0, since some time k" against "it is mu0", maximised over k and kappa. It alarms when the
statistic reaches c.ARL = 5 and then restarts from the next point. Upper bound = the statistic.

Computation: for a fixed kappa the maximum over k is a CUSUM, so the statistic is the largest
of a family of CUSUMs. A grid of kappas finds the best change points cheaply; a few Newton
steps on those windows then give the exact maximum (what R's brute force over k finds).
"""

from __future__ import annotations

import numpy as np

from sitroom.analysis.detect.negbin import fit_negbin
from sitroom.analysis.detect.result import (
    CountSeries,
    DetectionResult,
    FloatArray,
    Status,
    empty_result,
    finish,
    insufficient,
)

_KAPPA_GRID = np.geomspace(1e-3, 8.0, 72)
_CANDIDATES = 3
_CHUNK = 16
_MAX_CHUNK = 128


_NO_BASELINE = (
    "not enough history: the {days} days before the first monitored day need counts on "
    "every day and a positive total"
)


def _window_terms(kappa: FloatArray, x: FloatArray, mu: FloatArray, alpha: float) -> FloatArray:
    """Per-day log-likelihood ratio of mean mu*e^kappa against mu (NB with dispersion alpha)."""
    out: FloatArray = kappa * x + (x + 1.0 / alpha) * np.log(
        (1.0 + alpha * mu) / (1.0 + alpha * mu * np.exp(kappa))
    )
    return out


def _newton(
    kappa: FloatArray,
    first: np.ndarray,
    last: np.ndarray,
    x: FloatArray,
    mu: FloatArray,
    alpha: float,
    *,
    r_style: bool,
) -> FloatArray:
    """Maximum-likelihood kappa of every window ``first[i]..last[i]``.

    ``r_style`` copies the C code: plain Newton steps until they change by less than 1e-6, or
    kappa falls below -18 (then R reports kappa = 0, i.e. no evidence). Otherwise steps are
    limited to 1 so that a poor start cannot overshoot, and iterated to full precision.
    """
    kappa = kappa.astype(np.float64).copy()
    tol, floor = (1e-6, -18.0) if r_style else (1e-9, -30.0)
    rows = np.arange(kappa.size)
    if rows.size == 0:
        return kappa
    # each window's counts and means, zero outside it (a zero day adds exactly 0 below)
    lo, hi = int(first.min()), int(last.max()) + 1
    span = np.arange(lo, hi)[None, :]
    inside = (span >= first[:, None]) & (span <= last[:, None])
    xs = np.where(inside, x[None, lo:hi], 0.0)
    ms = np.where(inside, mu[None, lo:hi], 0.0)
    weight = ms * (alpha * xs + 1.0)  # the constant numerator of the information
    denom, resid = np.empty_like(xs), np.empty_like(xs)
    k = kappa.copy()  # the kappas of the windows still iterating (``rows``)
    # The same operations in the same order as 1 + alpha*grow*ms, (xs - grow*ms) / denom and
    # ms*(alpha*xs + 1) / denom**2, in place and with few calls per step: bit for bit the
    # same iterations as the plain expressions, at a fraction of numpy's per-call overhead.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(200 if r_style else 60):
            grow = np.exp(np.minimum(k, 50.0))
            np.multiply((alpha * grow)[:, None], ms, out=denom)
            np.add(1.0, denom, out=denom)
            np.multiply(grow[:, None], ms, out=resid)
            np.subtract(xs, resid, out=resid)
            np.divide(resid, denom, out=resid)
            score = np.add.reduce(resid, axis=1)
            np.square(denom, out=denom)
            np.divide(weight, denom, out=denom)
            step = score / (grow * np.add.reduce(denom, axis=1))
            if not r_style:
                step = np.minimum(np.maximum(step, -1.0), 1.0)
            step = np.where(np.isfinite(step), step, 0.0)
            k += step
            going = (np.abs(step) > tol) & (k > floor)
            left = int(np.count_nonzero(going))
            if left < rows.size:
                kappa[rows] = k
                if left == 0:
                    return kappa
                rows, k, xs, ms, weight = rows[going], k[going], xs[going], ms[going], weight[going]
                denom, resid = denom[:left], resid[:left]
    kappa[rows] = k
    return kappa


def _refine(
    n_idx: np.ndarray,
    k_idx: np.ndarray,
    kappa_grid: FloatArray,
    x: FloatArray,
    mu: FloatArray,
    alpha: float,
) -> FloatArray:
    """Exact log-likelihood ratio of the candidate windows k..n, with R's Newton behaviour."""
    # R warm-starts each window's Newton at the previous window's (clipped) estimate, or 0.5
    # for the first window after a restart, and gives up below -18; reproduce where it diverges.
    previous = _newton(kappa_grid, np.maximum(k_idx - 1, 0), n_idx, x, mu, alpha, r_style=False)
    r_start = np.where(k_idx == 0, 0.5, np.maximum(0.0, previous))
    r_kappa = _newton(r_start, k_idx, n_idx, x, mu, alpha, r_style=True)
    kappa = r_kappa
    kappa = np.where(np.isfinite(kappa), np.maximum(kappa, 0.0), 0.0)
    lo, hi = int(k_idx.min()), int(n_idx.max()) + 1
    span = np.arange(lo, hi)[None, :]
    inside = (span >= k_idx[:, None]) & (span <= n_idx[:, None])
    terms = _window_terms(kappa[:, None], x[None, lo:hi], mu[None, lo:hi], alpha)
    out: FloatArray = np.sum(np.where(inside, terms, 0.0), axis=1)
    return out


class _Walks:
    """The CUSUM walks of one segment for the whole kappa grid, computed only as far as asked.

    ``walk`` = S_n (cumulative sums of the terms), ``before`` = S_{n-1} (S_{-1} = 0),
    ``running_min`` = min_{j<=n} S_{j-1} and ``start`` = the latest j <= n where S_{j-1} is
    that minimum. Extending a prefix continues each accumulation from its last row, so the
    values are bit for bit those of one pass over the whole segment; a segment that ends
    with an early alarm no longer pays for the days after it.
    """

    def __init__(self, terms: FloatArray) -> None:
        self.terms = terms
        self.walk = np.empty_like(terms)
        self.before = np.empty_like(terms)
        self.running_min = np.empty_like(terms)
        self.start = np.empty(terms.shape, dtype=np.int64)
        self.ready = 0

    def extend(self, end: int) -> None:
        a = self.ready
        if end <= a:
            return
        walk, before, low, start = self.walk, self.before, self.running_min, self.start
        block = walk[a:end]
        block[...] = self.terms[a:end]
        if a:
            block[0] += walk[a - 1]
        np.add.accumulate(block, axis=0, out=block)
        if a:
            before[a] = walk[a - 1]
        else:
            before[0] = 0.0
        before[a + 1 : end] = walk[a : end - 1]
        low[a:end] = before[a:end]
        if a:
            np.minimum(low[a], low[a - 1], out=low[a])
        np.minimum.accumulate(low[a:end], axis=0, out=low[a:end])
        rows = np.arange(a, end)[:, None]
        start[a:end] = np.where(before[a:end] <= low[a:end], rows, 0)
        if a:
            np.maximum(start[a], start[a - 1], out=start[a])
        np.maximum.accumulate(start[a:end], axis=0, out=start[a:end])
        self.ready = end


def _first_of_each(keys: np.ndarray) -> np.ndarray:
    """Where each distinct key first occurs, by increasing key (``np.unique``'s
    ``return_index``, without its overhead)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    new = np.empty(ordered.size, dtype=np.bool_)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    out: np.ndarray = order[new]
    return out


def _glr_until_alarm(
    terms: FloatArray, x: FloatArray, mu: FloatArray, alpha: float, c_arl: float
) -> FloatArray:
    """GLR statistic from the start of a segment up to and including its first alarm.

    ``terms`` holds the per-day log-likelihood ratios for the kappa grid (days x grid).
    """
    size = x.size
    walks = _Walks(terms)
    glr = np.zeros(size)
    lo, step = 0, _CHUNK
    while lo < size:
        # chunks grow while no alarm comes: few large batches on quiet stretches
        chunk = np.arange(lo, min(lo + step, size))
        lo, step = lo + step, min(2 * step, _MAX_CHUNK)
        walks.extend(int(chunk[-1]) + 1)
        # the best window ending at n is a CUSUM
        chart = walks.walk[chunk] - walks.running_min[chunk]
        best = np.argpartition(-chart, _CANDIDATES, axis=1)[:, :_CANDIDATES]
        top = np.take_along_axis(chart, best, axis=1).max(axis=1)
        positive = top > 0
        if positive.any():
            n_idx = np.repeat(chunk[positive], _CANDIDATES)
            cand = best[positive].ravel()
            k_idx = walks.start[n_idx, cand]
            # several sizes often point at the same window: refine each window once
            first = _first_of_each(n_idx * size + k_idx)
            n_idx, k_idx, cand = n_idx[first], k_idx[first], cand[first]
            value = _refine(n_idx, k_idx, _KAPPA_GRID[cand], x, mu, alpha)
            np.maximum.at(glr, n_idx, value)
        hits = np.flatnonzero(glr[chunk] >= c_arl)
        if hits.size:
            return glr[: chunk[hits[0]] + 1]
    return glr


def glrnb(
    series: CountSeries,
    *,
    start: int | None = None,
    c_arl: float = 5.0,
    harmonics: int = 1,
) -> DetectionResult:
    n = len(series)
    first = series.freq if start is None else start
    name = "glrnb"
    history = series.counts[:first]
    if first >= n or first < 2 * harmonics + 3:
        return insufficient(name, series.freq + 1, n)
    if not np.all(np.isfinite(history)) or not np.any(history > 0):
        # R would return NaN everywhere (m = NA or m = 0); say why instead
        return empty_result(name, Status.INSUFFICIENT_HISTORY, _NO_BASELINE.format(days=first))
    t_all = np.arange(1, n + 1, dtype=np.float64)
    columns = [np.ones(n)]
    for s in range(1, harmonics + 1):
        angle = 2.0 * s * np.pi / series.freq * t_all
        columns += [np.cos(angle), np.sin(angle)]
    design = np.stack(columns, axis=1)
    model = fit_negbin(design[:first], history)
    mu0 = np.exp(design[first:] @ model.coef)
    alpha = 1.0 / model.theta
    x = series.counts[first:]
    x_used = np.where(np.isfinite(x), x, 0.0)
    mu_used = np.where(np.isfinite(x), mu0, 0.0)  # a missing day carries no evidence
    values = np.zeros(x.size)
    alarm = np.zeros(x.size, dtype=np.bool_)
    terms = _window_terms(_KAPPA_GRID[None, :], x_used[:, None], mu_used[:, None], alpha)
    done = 0
    while done < x.size:
        seg = _glr_until_alarm(terms[done:], x_used[done:], mu_used[done:], alpha, c_arl)
        values[done : done + seg.size] = seg
        if seg[-1] >= c_arl:
            alarm[done + seg.size - 1] = True
        done += seg.size
    index = np.arange(first, n, dtype=np.int64)
    return finish(
        name,
        series,
        index,
        expected=mu0,
        upperbound=values,
        score=values / c_arl,
        alarm=alarm,
        defined=np.isfinite(x),
        extras={"theta": np.full(x.size, model.theta)},
    )
