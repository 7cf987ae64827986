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

from sitroom.analysis.reconcile.active import ActiveSet
from sitroom.analysis.reconcile.gaussian import (
    Conditioner,
    DayEvidence,
    FloatArray,
    PriorBands,
    RowEvidence,
)
from sitroom.analysis.reconcile.placement import Placed, Role
from sitroom.domain.measures import Nature

_PIN = 1e9  # relative precision that holds a day at a value "exactly"


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


def item_rows(
    items: Sequence[Placed], grid: Grid, values: Sequence[float], variances: Sequence[float]
) -> RowEvidence:
    """One row per figure: the runs of cells (one per group) it covers."""
    if grid.groups == 1:  # one run per figure, on the only group's days
        count = len(items)
        return RowEvidence(
            np.arange(count, dtype=np.int64),
            np.fromiter([item.first for item in items], np.int64, count),
            np.fromiter([item.last + 1 for item in items], np.int64, count),
            np.array(values, dtype=np.float64),
            np.array(variances, dtype=np.float64),
        )
    run_row = [i for i, item in enumerate(items) for _ in item.groups]
    lo = [g * grid.days + item.first for item in items for g in item.groups]
    hi = [g * grid.days + item.last + 1 for item in items for g in item.groups]
    return RowEvidence(
        np.array(run_row, dtype=np.int64),
        np.array(lo, dtype=np.int64),
        np.array(hi, dtype=np.int64),
        np.array(values, dtype=np.float64),
        np.array(variances, dtype=np.float64),
    )


def item_totals(items: Sequence[Placed], grid: Grid, x: FloatArray) -> FloatArray:
    """Each figure's period total of x."""
    return item_rows(items, grid, [0.0] * len(items), [0.0] * len(items)).totals(x)


@dataclass(slots=True)
class _Evidence:
    pin_value: FloatArray  # nan where a day is not held
    soft_precision: FloatArray
    soft_value: FloatArray
    rows: RowEvidence

    def days(self, noise_var: FloatArray) -> DayEvidence:
        pinned = np.isfinite(self.pin_value)
        precision = np.where(pinned, _PIN / noise_var, self.soft_precision)
        value = np.where(pinned, self.pin_value, self.soft_value)
        return DayEvidence(precision, np.nan_to_num(value))


def _data_evidence(items: Sequence[Placed], grid: Grid) -> tuple[_Evidence, list[Placed]]:
    """Exact and soft figures become evidence; bounds are returned to be enforced later."""
    pin_value = np.full(grid.size, np.nan)
    soft_precision, soft_value = np.zeros(grid.size), np.zeros(grid.size)
    bounds, row_items, row_values, row_vars = [], [], [], []
    for item in items:
        role = item.role
        if role in (Role.LOWER, Role.UPPER):
            bounds.append(item)
        elif item.is_single_cell:
            cell = item.groups[0] * grid.days + item.first
            if role is Role.EXACT:
                pin_value[cell] = item.figure.value
            else:
                soft_precision[cell] = 1.0 / item.sd**2
                soft_value[cell] = item.figure.value
        else:
            row_items.append(item)
            row_values.append(item.figure.value)
            row_vars.append(0.0 if role is Role.EXACT else item.sd**2)
    rows = item_rows(row_items, grid, row_values, row_vars)
    return _Evidence(pin_value, soft_precision, soft_value, rows), bounds


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
    pinned = np.isfinite(data.pin_value)
    bound_runs = item_rows(bounds, grid, [0.0] * len(bounds), [0.0] * len(bounds))
    level = initial_level(items, grid, nature)
    weekday = np.ones(grid.size)
    for _ in range(s.relinearisations):
        prior = _prior(level, weekday, grid, nature, s)
        days = data.days(prior.noise_var)
        conditioner = Conditioner(prior, days)
        conditioner.add(data.rows)
        level, mean = conditioner.mean()
        active = ActiveSet(prior, days, data.rows, bounds, bound_runs, pinned)
        level, _, _ = active.settle(conditioner, level, mean)
        if nature is Nature.FLOW:
            weekday = _weekday_factors(items, level, grid, s)
    prior = _prior(level, weekday, grid, nature, s)
    days = data.days(prior.noise_var)
    conditioner = Conditioner(prior, days)
    conditioner.add(data.rows)
    level, mean = conditioner.mean()
    # the spread comes from the data alone (a day held at zero by the non-negativity rule is
    # still uncertain upwards), so it is taken before any bound is held
    spread, sum_spread = conditioner.variance(grid.groups)
    active = ActiveSet(prior, days, data.rows, bounds, bound_runs, pinned)
    level, mean, settled = active.settle(conditioner, level, mean)
    consistent = settled and bool(np.all(mean > -1e-3 * (1.0 + np.abs(mean).max())))
    return Fit(np.maximum(mean, 0.0), spread, level, consistent, sum_spread)
