"""The statistical model of daily counts, linearised so exact Gaussian algebra applies.

Flows: a smooth level m_t whose logarithm is a random walk (daily volatility
`level_volatility`), and the day's count x_t = weekday_t * m_t + noise with the variance of a
negative binomial (mean + mean^2 / shape). Stocks: the level itself, a random walk with a
little daily noise, so a stock is interpolated almost linearly between observations.
The log-scale walk and the count variance are made Gaussian around a current guess of the
level (a Laplace-style linearisation), and the guess is refined a few times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse
from numpy.typing import NDArray

from sitroom.analysis.reconcile.gaussian import (
    DayEvidence,
    FloatArray,
    Posterior,
    PriorBands,
    RowEvidence,
    condition,
)
from sitroom.analysis.reconcile.placement import Placed, Role
from sitroom.domain.measures import Nature

_PIN = 1e9  # relative precision that holds a day at a value "exactly"
_ACTIVE_SET_ROUNDS = 12


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """The model's assumptions; the defaults are discussed in docs/reconciliation.md."""

    level_volatility: float = 0.15  # sd of the day-to-day change of log(level)
    noise_shape: float = 1.0  # negative-binomial shape: day counts vary around the level
    stock_volatility: float = 0.05  # sd of the daily relative change of a stock
    stock_noise: float = 0.01  # a stock's relative day-to-day wobble around its trend
    level_floor: float = 0.05  # a flow's level is never assumed below this (per day)
    weekday_effect: bool = False
    weekday_min_days: int = 28  # one-day values needed before weekday factors are estimated
    weekday_shrinkage: float = 10.0  # pseudo-days pulling each weekday factor towards 1
    relinearisations: int = 0


@dataclass(frozen=True, slots=True)
class Grid:
    """The model's days: `groups` places of `days` days each, laid end to end."""

    groups: int
    days: int
    first_weekday: int  # Monday = 0, of day 0

    @property
    def size(self) -> int:
        return self.groups * self.days

    def cells(self, item: Placed) -> FloatArray:
        row = np.zeros(self.size)
        for g in item.groups:
            row[g * self.days + item.first : g * self.days + item.last + 1] = 1.0
        return row


def initial_level(items: Sequence[Placed], grid: Grid, nature: Nature) -> FloatArray:
    """A rough level per day: the rate of the shortest figure covering it, interpolated."""
    level = np.full(grid.size, np.nan)
    for item in sorted(items, key=lambda p: p.last - p.first, reverse=True):
        if item.role is Role.UPPER:
            continue
        share = item.figure.value / len(item.groups)
        if nature is Nature.FLOW:
            share /= item.last - item.first + 1
        for g in item.groups:
            level[g * grid.days + item.first : g * grid.days + item.last + 1] = share
    days = np.arange(grid.days)
    for g in range(grid.groups):
        part = level[g * grid.days : (g + 1) * grid.days]
        known = np.isfinite(part)
        if not known.any():
            part[:] = np.nanmean(level) if np.isfinite(level).any() else 1.0
        elif not known.all():
            part[:] = np.interp(days, days[known], part[known])
        if nature is Nature.FLOW and grid.days > 7:
            part[:] = np.convolve(np.pad(part, 3, mode="edge"), np.ones(7) / 7, mode="valid")
    return level


def _prior(
    level: FloatArray, weekday: FloatArray, grid: Grid, nature: Nature, s: ModelSettings
) -> PriorBands:
    if nature is Nature.FLOW:
        level = np.maximum(level, s.level_floor)
        step_var = (s.level_volatility * level) ** 2 + 1e-4
        expected = weekday * level
        noise_var = expected + expected**2 / s.noise_shape + 1e-3
    else:
        level = np.maximum(np.abs(level), 1.0)
        step_var = (s.stock_volatility * level) ** 2 + 1.0
        noise_var = (s.stock_noise * level) ** 2 + 0.25
    starts = np.arange(grid.groups) * grid.days
    step_var[starts] = np.inf
    anchor_var = np.full(grid.size, np.inf)
    anchor_var[starts] = (2.0 * level[starts] + 1.0) ** 2
    return PriorBands(step_var, noise_var, weekday, level.copy(), anchor_var)


def rows_matrix(items: Sequence[Placed], grid: Grid) -> scipy.sparse.csr_matrix:
    """One row of ones per figure over the cells (group, day) it covers."""
    indptr = [0]
    indices: list[NDArray[np.int64]] = []
    for item in items:
        for g in item.groups:
            indices.append(np.arange(g * grid.days + item.first, g * grid.days + item.last + 1))
        indptr.append(indptr[-1] + (item.last - item.first + 1) * len(item.groups))
    cols = np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64)
    return scipy.sparse.csr_matrix(
        (np.ones(cols.size), cols, np.array(indptr)), shape=(len(items), grid.size)
    )


@dataclass(slots=True)
class _Evidence:
    pin_value: FloatArray  # nan where a day is not held
    soft_precision: FloatArray
    soft_value: FloatArray
    row_items: list[Placed]
    row_values: list[float]
    row_vars: list[float]
    _rows: RowEvidence | None = None

    def days(self, noise_var: FloatArray) -> DayEvidence:
        pinned = np.isfinite(self.pin_value)
        precision = np.where(pinned, _PIN / noise_var, self.soft_precision)
        value = np.where(pinned, self.pin_value, self.soft_value)
        return DayEvidence(precision, np.nan_to_num(value))

    def row_evidence(self, grid: Grid) -> RowEvidence:
        if self._rows is None:
            self._rows = RowEvidence(
                rows_matrix(self.row_items, grid),
                np.array(self.row_values),
                np.array(self.row_vars),
            )
        return self._rows

    def add_row(self, item: Placed, value: float) -> None:
        self.row_items.append(item)
        self.row_values.append(value)
        self.row_vars.append(0.0)
        self._rows = None

    def copy(self) -> _Evidence:
        return _Evidence(
            self.pin_value.copy(), self.soft_precision, self.soft_value,
            list(self.row_items), list(self.row_values), list(self.row_vars), self._rows,
        )


def _data_evidence(items: Sequence[Placed], grid: Grid) -> tuple[_Evidence, list[Placed]]:
    """Exact and soft figures become evidence; bounds are returned to be enforced later."""
    ev = _Evidence(
        np.full(grid.size, np.nan), np.zeros(grid.size), np.zeros(grid.size), [], [], []
    )
    bounds = []
    for item in items:
        role = item.role
        if role in (Role.LOWER, Role.UPPER):
            bounds.append(item)
        elif item.is_single_cell:
            cell = item.groups[0] * grid.days + item.first
            if role is Role.EXACT:
                ev.pin_value[cell] = item.figure.value
            else:
                ev.soft_precision[cell] = 1.0 / item.sd**2
                ev.soft_value[cell] = item.figure.value
        else:
            ev.row_items.append(item)
            ev.row_values.append(item.figure.value)
            ev.row_vars.append(0.0 if role is Role.EXACT else item.sd**2)
    return ev, bounds


def _enforce_bounds(
    mean: FloatArray, bounds: Sequence[Placed], grid: Grid, ev: _Evidence
) -> bool:
    """Hold every violated bound at its limit (and negative days at zero); True if any was."""
    changed = False
    negative = (mean < -1e-3) & ~np.isfinite(ev.pin_value)
    if negative.any():
        ev.pin_value[negative] = 0.0
        changed = True
    for item in bounds:
        total = float(grid.cells(item) @ mean)
        value = item.figure.value
        lower = item.role is Role.LOWER
        if (lower and total >= value - 1e-6) or (not lower and total <= value + 1e-6):
            continue
        changed = True
        if item.is_single_cell:
            ev.pin_value[item.groups[0] * grid.days + item.first] = value
        else:
            ev.add_row(item, value)
    return changed


def _solve_mean(
    prior: PriorBands, ev: _Evidence, bounds: Sequence[Placed], grid: Grid
) -> tuple[Posterior, bool]:
    """Mean under all evidence, adding active bounds until none is violated (add-only
    active set: a bound once held stays held). False when rounds ran out."""
    for _ in range(_ACTIVE_SET_ROUNDS):
        posterior = condition(
            prior, ev.days(prior.noise_var), ev.row_evidence(grid), with_variance=False
        )
        if not _enforce_bounds(posterior.count_mean, bounds, grid, ev):
            return posterior, True
    return posterior, False


def _weekday_factors(
    items: Sequence[Placed], level: FloatArray, grid: Grid, s: ModelSettings
) -> FloatArray:
    flat = np.ones(grid.size)
    observed = [p for p in items if p.is_single_cell and p.role in (Role.EXACT, Role.SOFT)]
    if not s.weekday_effect or len(observed) < s.weekday_min_days:
        return flat
    sums, counts = np.zeros(7), np.zeros(7)
    for item in observed:
        cell = item.groups[0] * grid.days + item.first
        weekday = (grid.first_weekday + item.first) % 7
        sums[weekday] += np.log((item.figure.value + 0.5) / (level[cell] + 0.5))
        counts[weekday] += 1
    log_factor = sums / (counts + s.weekday_shrinkage)
    log_factor -= log_factor.mean()
    day_of_week = (grid.first_weekday + np.arange(grid.days)) % 7
    return np.tile(np.exp(log_factor)[day_of_week], grid.groups)


@dataclass(frozen=True, slots=True)
class Fit:
    mean: FloatArray
    variance: FloatArray
    level: FloatArray
    # False when bounds or non-negativity could not all be met: figures may contradict
    consistent: bool
    # per day, the variance of the sum over groups (None for a single group)
    sum_variance: FloatArray | None = None


def fit(items: Sequence[Placed], grid: Grid, nature: Nature, s: ModelSettings) -> Fit:
    """Best estimate and marginal variance of every cell given the figures."""
    data, bounds = _data_evidence(items, grid)
    level = initial_level(items, grid, nature)
    weekday = np.ones(grid.size)
    active = data.copy()
    for _ in range(s.relinearisations):
        prior = _prior(level, weekday, grid, nature, s)
        posterior, _ = _solve_mean(prior, active, bounds, grid)
        level = posterior.level_mean
        if nature is Nature.FLOW:
            weekday = _weekday_factors(items, level, grid, s)
    prior = _prior(level, weekday, grid, nature, s)
    # the spread comes from the data alone (a day held at zero by the non-negativity rule is
    # still uncertain upwards); when no bound binds, the same solve gives the mean too
    posterior = condition(prior, data.days(prior.noise_var), data.row_evidence(grid),
                          with_variance=True, groups=grid.groups)
    spread, sum_spread = posterior.count_var, posterior.sum_var
    assert spread is not None
    settled = True
    if _enforce_bounds(posterior.count_mean, bounds, grid, active):
        posterior, settled = _solve_mean(prior, active, bounds, grid)
    mean = posterior.count_mean
    consistent = settled and bool(np.all(mean > -1e-3 * (1.0 + np.abs(mean).max())))
    return Fit(
        np.maximum(mean, 0.0), spread, posterior.level_mean, consistent, sum_spread,
    )
