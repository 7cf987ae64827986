"""The nb model's filter for every parameter set of its grid at once, for one series or for
many series together.

`run_filter` is one pass over a series with the state of each grid point in a numpy array:
its cost is numpy's per-call overhead, about 15 calls a day, not arithmetic.
`run_filters` runs the same recursion for many series side by side (aligned on their last
day, earlier days missing), so that overhead is shared: `forecast_many` computes the
filters of a batch this way inside `prefiltered(...)`, and `grid_filter` then finds each
series' result by its inputs instead of running it again. The results are the same
elementwise operations on the same numbers, so a forecast does not depend on whether it
was made alone or in a batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from sitroom.analysis.forecast.result import FloatArray

Grid = tuple[FloatArray, FloatArray, FloatArray]

CAP = 4.0
MIN_LOG_LEVEL = math.log(0.02)
#: growth of at most ~10 % per step, so one wild month cannot project an explosion
TREND_CAP = 0.1
MAX_LOG_MEAN = math.log(1e7)
ALPHAS = (0.02, 0.05, 0.1, 0.2, 0.35, 0.5)
BETAS = (0.005, 0.02, 0.06)
PHIS = (0.8, 0.9, 0.97)


def grid_params() -> tuple[FloatArray, FloatArray, FloatArray]:
    rows = [(a, 0.0, 0.9) for a in ALPHAS]
    rows += [(a, b, p) for a in ALPHAS for b in BETAS for p in PHIS if b < a]
    arr = np.asarray(rows, dtype=np.float64)
    return arr[:, 0], arr[:, 1], arr[:, 2]


def run_filter(
    y: FloatArray,
    season_t: FloatArray,
    level0: float,
    alpha: FloatArray,
    beta: FloatArray,
    phi: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """States after each step (n x G) and the one-step log means before each step."""
    n, g = y.size, alpha.size
    levels = np.empty((n, g))
    trends = np.empty((n, g))
    log_mu = np.empty((n, g))
    level, trend = np.full(g, level0), np.zeros(g)
    carried, before, u, tmp = np.empty(g), np.empty(g), np.empty(g), np.empty(g)
    ys, ss = y.tolist(), season_t.tolist()
    log_ys = np.log(np.where(y > 0, y, 1.0)).tolist()
    # This loop runs once per day for every grid point: every ufunc writes in place, and
    # u = y exp(-log_mu) - 1 is exp(log y - log_mu) - 1, or -1 on a zero day.
    for t in range(n):
        np.multiply(phi, trend, out=carried)
        np.add(level, carried, out=before)
        lm = log_mu[t]
        np.add(before, ss[t], out=lm)
        level, trend = levels[t], trends[t]
        yt = ys[t]
        if yt == yt:  # not NaN
            if yt > 0:
                np.subtract(log_ys[t], lm, out=u)
                np.exp(u, out=u)
                u -= 1.0
                np.minimum(u, CAP, out=u)
            else:
                u.fill(-1.0)
            _correct(level, trend, before, carried, u, alpha, beta, tmp)
        else:
            level[:] = before
            trend[:] = carried
        np.maximum(level, MIN_LOG_LEVEL, out=level)
    # The cap guards exp() against overflow only; real counts never come near it.
    np.minimum(log_mu, MAX_LOG_MEAN, out=log_mu)
    return levels, trends, log_mu


def _correct(
    level: FloatArray,
    trend: FloatArray,
    before: FloatArray,
    carried: FloatArray,
    u: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    tmp: FloatArray,
) -> None:
    """The day's correction: level and trend move by alpha and beta times the relative error
    `u`, the trend within its cap (written into `level` and `trend`; `tmp` is scratch). One
    definition for the grid filter and the batched one, so they stay bit-identical."""
    np.multiply(alpha, u, out=tmp)
    np.add(before, tmp, out=level)
    np.multiply(beta, u, out=tmp)
    np.add(carried, tmp, out=trend)
    np.minimum(trend, TREND_CAP, out=trend)
    np.maximum(trend, -TREND_CAP, out=trend)


def run_one(
    y: FloatArray, season_t: FloatArray, level0: float, alpha: float, beta: float, phi: float
) -> tuple[FloatArray, FloatArray]:
    """`run_filter` for one parameter set, in plain floats (numpy calls on one-element
    arrays cost more than the arithmetic)."""
    n = y.size
    levels, trends = np.empty(n), np.empty(n)
    level, trend = level0, 0.0
    ys, ss = y.tolist(), season_t.tolist()
    for t in range(n):
        carried = phi * trend
        yt = ys[t]
        if yt == yt:  # not NaN
            lm = min(level + carried + ss[t], MAX_LOG_MEAN)
            u = min(yt * math.exp(-lm) - 1.0, CAP)
            level = level + carried + alpha * u
            trend = max(min(carried + beta * u, TREND_CAP), -TREND_CAP)
        else:
            level = level + carried
            trend = carried
        level = max(level, MIN_LOG_LEVEL)
        levels[t] = level
        trends[t] = trend
    return levels, trends


#: filter results computed ahead by `prefiltered`, by their inputs
_PREFILTERED: dict[bytes, Grid] = {}


def _key(y: FloatArray, season_t: FloatArray, level0: float) -> bytes:
    return y.tobytes() + season_t.tobytes() + np.float64(level0).tobytes()


def grid_filter(y: FloatArray, season_t: FloatArray, level0: float) -> Grid:
    """`run_filter` over the whole grid, or its result computed ahead in a batch."""
    ahead = _PREFILTERED.pop(_key(y, season_t, level0), None)
    return ahead if ahead is not None else run_filter(y, season_t, level0, *grid_params())


def run_filters(items: Sequence[tuple[FloatArray, FloatArray, float]]) -> list[Grid]:
    """`run_filter` over the grid for many (y, season_t, level0) at once."""
    alpha, beta, phi = grid_params()
    g, k = alpha.size, len(items)
    n = max(y.size for y, _, _ in items)
    # Aligned on the last day; the days before a series starts are missing, which leaves
    # its state at level0 with no trend, as if it started there.
    ys = np.full((n, k), np.nan)
    ss = np.zeros((n, k))
    level = np.empty((k, g))
    for j, (y, season_t, level0) in enumerate(items):
        ys[n - y.size :, j] = y
        ss[n - y.size :, j] = season_t
        level[j] = level0
    known = ~np.isnan(ys)
    log_ys = np.log(np.where(ys > 0, ys, 1.0))
    log_ys[ys == 0] = -np.inf  # exp(-inf) = 0, so u = -1 on a zero day as in run_filter
    levels, trends, log_mu = np.empty((n, k, g)), np.empty((n, k, g)), np.empty((n, k, g))
    trend = np.zeros((k, g))
    carried, before, u, tmp = (np.empty((k, g)) for _ in range(4))
    for t in range(n):
        np.multiply(phi, trend, out=carried)
        np.add(level, carried, out=before)
        lm = log_mu[t]
        np.add(before, ss[t][:, None], out=lm)
        level, trend = levels[t], trends[t]
        np.subtract(log_ys[t][:, None], lm, out=u)
        np.exp(u, out=u)
        u -= 1.0
        np.minimum(u, CAP, out=u)
        u *= known[t][:, None]  # a missing day: no update (u = 0)
        _correct(level, trend, before, carried, u, alpha, beta, tmp)
        np.maximum(level, MIN_LOG_LEVEL, out=level)
    np.minimum(log_mu, MAX_LOG_MEAN, out=log_mu)
    return [
        (
            levels[n - y.size :, j].copy(),
            trends[n - y.size :, j].copy(),
            log_mu[n - y.size :, j].copy(),
        )
        for j, (y, _, _) in enumerate(items)
    ]


@contextmanager
def prefiltered(items: Sequence[tuple[FloatArray, FloatArray, float]]) -> Iterator[None]:
    """Within the block, `grid_filter` finds these inputs' results already computed."""
    keys = [_key(*item) for item in items]
    if items:
        _PREFILTERED.update(zip(keys, run_filters(items), strict=True))
    try:
        yield
    finally:
        for key in keys:
            _PREFILTERED.pop(key, None)
