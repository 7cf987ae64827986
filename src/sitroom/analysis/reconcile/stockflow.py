"""Keep a stock consistent with its flows: occupancy today = occupancy yesterday + arrivals
today - departures today.

The stock (e.g. people present at a reception site) and its inflow (arrivals at reception),
and its outflow (departures) when reported, are first reconciled on their own. Their
estimates and bands are then taken as independent Gaussian beliefs and conditioned jointly
on the balance of every day, keeping what the figures fixed: exactly known days do not move,
exact multi-day totals keep their sums, bounds (at least / at most) hold, and no count goes
below zero. Unreported departures get a wide belief centred on what the separate series imply
(yesterday + arrivals - today, at least zero), so the balance mostly moves them.

A change of the stock that no non-negative flow can explain within the figures (the stock
jumps by 300 on a day with 20 arrivals, both exact) is not forced into the figures: a
per-day "unexplained change" (transfers, unreported arrivals, a miscount) takes it, and it
is reported as a STOCK_FLOW conflict, never raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import scipy.sparse
import scipy.sparse.linalg

from sitroom.analysis.reconcile.annotate import Z80, Z95
from sitroom.analysis.reconcile.figures import Figure, is_lower_bound
from sitroom.analysis.reconcile.gaussian import FloatArray
from sitroom.analysis.reconcile.model import ModelSettings
from sitroom.analysis.reconcile.result import Conflict, ConflictKind, DayMark, ReconciledSeries
from sitroom.analysis.reconcile.series import DEFAULT_SETTINGS, reconcile
from sitroom.domain.measures import Nature, Qualifier

UNEXPLAINED_SD = 0.01  # far narrower than any unpinned day: used only where nothing else gives
_ROUNDS = 30
_REFINEMENTS = 50
_NEGATIVE = -1e-6
_REPORTED = 0.5  # an unexplained change of at least half a person is reported


@dataclass(frozen=True, eq=False)
class StockFlowSeries:
    """A stock, its inflow and its outflow over the same days, tied by the daily balance.

    `unexplained[t]` is the change of the stock on day t (t >= 1) that the flows cannot
    explain: stock[t] - stock[t-1] - inflow[t] + outflow[t]; 0 on the first day and wherever
    the figures allow the balance to hold. `conflicts` lists the STOCK_FLOW conflicts only
    (each series keeps its own conflicts too).
    """

    stock: ReconciledSeries
    inflow: ReconciledSeries
    outflow: ReconciledSeries
    unexplained: FloatArray
    conflicts: tuple[Conflict, ...]


@dataclass(slots=True)
class _Problem:
    """minimise sum (z - mean)^2 / var subject to rows @ z = values (var 0: z fixed)."""

    mean: FloatArray
    var: FloatArray
    rows: list[tuple[np.ndarray, float]]  # (indices, value): sum of z over indices
    lower: list[tuple[np.ndarray, float, bool]]  # (indices, value, is_lower) inequalities


def _signed(indices: Sequence[int], negative: Sequence[int] = ()) -> np.ndarray:
    """Row entries: +1 on `indices`, -1 on `negative` (stored as -(i + 1) to keep 0's sign)."""
    return np.array([*indices, *(-(i + 1) for i in negative)], dtype=np.int64)


def _columns(signed: np.ndarray) -> np.ndarray:
    return np.where(signed < 0, -signed - 1, signed)


def _solve(
    problem: _Problem, active: Sequence[tuple[np.ndarray, float]]
) -> tuple[FloatArray, scipy.sparse.linalg.SuperLU, scipy.sparse.csr_matrix]:
    every = [*problem.rows, *active]
    data = np.concatenate([np.where(r < 0, -1.0, 1.0) for r, _ in every])
    cols = np.concatenate([_columns(r) for r, _ in every])
    indptr = np.cumsum([0, *(r.size for r, _ in every)])
    a = scipy.sparse.csr_matrix((data, cols, indptr), shape=(len(every), problem.mean.size))
    values = np.array([v for _, v in every], dtype=np.float64)
    scaled = a @ scipy.sparse.diags(problem.var)
    small = (scaled @ a.T).tocsc()
    jitter = 1e-9 * (1.0 + float(np.abs(small.diagonal()).max()))
    small = small + jitter * scipy.sparse.identity(small.shape[0], format="csc")
    lu = scipy.sparse.linalg.splu(small)
    z = problem.mean.copy()
    # Refinement: the jitter that keeps the small system regular leaves a residual, largest
    # where a row's own variance is as small as the jitter (the unexplained change); repeat
    # until it is gone.
    for _ in range(_REFINEMENTS):
        residual = values - a @ z
        if np.abs(residual).max(initial=0.0) < 1e-9 * (1.0 + np.abs(values).max(initial=0.0)):
            break
        z += problem.var * (a.T @ lu.solve(residual))
    return z, lu, scaled.tocsr()


def _variance(
    problem: _Problem, lu: scipy.sparse.linalg.SuperLU, scaled: scipy.sparse.csr_matrix, upto: int
) -> FloatArray:
    """diag(D - D A^T (A D A^T)^-1 A D) for the first `upto` variables, in column blocks."""
    out = problem.var[:upto].copy()
    for lo in range(0, upto, 512):
        hi = min(lo + 512, upto)
        block = scaled[:, lo:hi].toarray()
        out[lo:hi] -= np.einsum("ij,ij->j", block, lu.solve(block))
    return np.maximum(out, 0.0)


def _belief(series: ReconciledSeries) -> tuple[FloatArray, FloatArray]:
    sd = (series.upper95 - series.estimate) / Z95
    # A day known to a thousandth of a person is known: held fixed, so that the small
    # variance of the unexplained change does not move it.
    var = np.where(sd < 1e-3, 0.0, sd * sd)
    return series.estimate.astype(np.float64), var


def _figure_rows(
    figures: Sequence[Figure], series: ReconciledSeries, offset: int, problem: _Problem
) -> None:
    """Exact totals keep their sums over the days in the window; bounds become inequalities."""
    n = series.estimate.size
    used = set(series.used_ids)
    for f in figures:
        if f.id not in used or (f.days == 1 and f.qualifier is Qualifier.EXACT):
            continue
        lo = max((f.start - series.start).days, 0)
        hi = min((f.end - series.start).days, n - 1)
        if hi < lo:
            continue
        cells = np.arange(offset + lo, offset + hi + 1)
        inside = lo == (f.start - series.start).days and hi == (f.end - series.start).days
        if f.qualifier is Qualifier.EXACT:
            kept = f.value if inside else float(series.estimate[lo : hi + 1].sum())
            problem.rows.append((cells, kept))
        elif inside and (is_lower_bound(f.qualifier) or f.qualifier is Qualifier.AT_MOST):
            problem.lower.append((cells, f.value, is_lower_bound(f.qualifier)))


def _unexplained_conflicts(
    unexplained: FloatArray, stock: ReconciledSeries, inflow: ReconciledSeries
) -> list[Conflict]:
    found = []
    flagged = np.abs(unexplained) >= _REPORTED
    t = 1
    while t < flagged.size:
        if not flagged[t]:
            t += 1
            continue
        end = t
        while (
            end + 1 < flagged.size
            and flagged[end + 1]
            and np.sign(unexplained[end + 1]) == np.sign(unexplained[t])
        ):
            end += 1
        gap = float(unexplained[t : end + 1].sum())
        stock_ids = tuple(
            dict.fromkeys(i for d in range(t - 1, end + 1) for i in stock.shaped_by[d])
        )
        flow_ids = tuple(dict.fromkeys(i for d in range(t, end + 1) for i in inflow.shaped_by[d]))
        days = stock.dates
        what = "rose" if gap > 0 else "fell"
        found.append(
            Conflict(
                ConflictKind.STOCK_FLOW,
                flow_ids,
                stock_ids,
                gap,
                "both kept: the change the flows cannot explain is shown, not hidden",
                f"the stock {what} by {abs(gap):.0f} more than arrivals and departures allow "
                f"from {days[t - 1]} to {days[end]}",
            )
        )
        t = end + 1
    return found


def reconcile_stock_flow(
    stock: Sequence[Figure],
    inflow: Sequence[Figure],
    start: date,
    end: date,
    *,
    outflow: Sequence[Figure] = (),
    capacity: Sequence[Figure] = (),
    settings: ModelSettings = DEFAULT_SETTINGS,
) -> StockFlowSeries:
    """A stock (value at the end of each day), its inflow and its outflow over [start, end],
    with stock[t] = stock[t-1] + inflow[t] - outflow[t] for every day after `start`."""
    s = reconcile(stock, Nature.STOCK, start, end, settings=settings, capacity=capacity)
    i = reconcile(inflow, Nature.FLOW, start, end, settings=settings)
    o = reconcile(outflow, Nature.FLOW, start, end, settings=settings) if outflow else None
    if s.is_empty or i.is_empty:
        reason = "a stock and its inflow are both needed to tie them"
        none = ReconciledSeries.empty(Nature.FLOW, start, end, reason)
        return StockFlowSeries(s, i, o if o is not None else none, np.zeros(0), ())
    n = s.estimate.size
    s_mean, s_var = _belief(s)
    i_mean, i_var = _belief(i)
    if o is not None and not o.is_empty:
        o_mean, o_var = _belief(o)
    else:
        implied = np.zeros(n)
        implied[1:] = s_mean[:-1] + i_mean[1:] - s_mean[1:]
        o_mean = np.maximum(implied, 0.0)
        spread = np.zeros(n)
        spread[1:] = s_var[:-1] + s_var[1:] + i_var[1:]
        o_var = spread + (np.abs(implied) + 10.0) ** 2
    mean = np.concatenate([s_mean, i_mean, o_mean, np.zeros(n - 1)])
    var = np.concatenate([s_var, i_var, o_var, np.full(n - 1, UNEXPLAINED_SD**2)])
    problem = _Problem(mean, var, [], [])
    for t in range(1, n):
        # stock[t] - stock[t-1] - inflow[t] + outflow[t] - unexplained[t] = 0
        row = _signed([t, 2 * n + t], [t - 1, n + t, 3 * n + t - 1])
        problem.rows.append((row, 0.0))
    _figure_rows(inflow, i, n, problem)
    if o is not None and not o.is_empty:
        _figure_rows(outflow, o, 2 * n, problem)
    z, lu, scaled = _solve(problem, [])
    # the spread comes from the figures and the balance alone, before any count is held at
    # zero (a day held there is still uncertain upwards), as in `reconcile`
    spread_var = _variance(problem, lu, scaled, 3 * n)
    z = _settle(problem, 3 * n, z)
    unexplained = np.concatenate([[0.0], z[3 * n :]])
    conflicts = _unexplained_conflicts(unexplained, s, i)
    stock_out = _rebanded(s, z[:n], spread_var[:n], conflicts)
    inflow_out = _rebanded(i, z[n : 2 * n], spread_var[n : 2 * n], ())
    if o is not None and not o.is_empty:
        outflow_out = _rebanded(o, z[2 * n : 3 * n], spread_var[2 * n :], ())
    else:
        outflow_out = _derived_outflow(s, i, z[2 * n : 3 * n], spread_var[2 * n :])
    return StockFlowSeries(stock_out, inflow_out, outflow_out, unexplained, tuple(conflicts))


def _settle(problem: _Problem, counts: int, z: FloatArray) -> FloatArray:
    """Counts >= 0 and bounds by an add-only active set: a count below zero is held at zero,
    a violated bound at its limit (the problem's beliefs are changed in place)."""
    active: list[tuple[np.ndarray, float]] = []
    held: set[int] = set()
    for _ in range(_ROUNDS):
        negative = np.flatnonzero(z[:counts] < _NEGATIVE).tolist()
        for c in negative:
            problem.mean[c] = 0.0
            problem.var[c] = 0.0
        new = []
        for k, (cells, value, lower) in enumerate(problem.lower):
            total = float(z[cells].sum())
            if k not in held and (total < value - 1e-6 if lower else total > value + 1e-6):
                held.add(k)
                new.append((cells, value))
        if not negative and not new:
            break
        active.extend(new)
        z, _, _ = _solve(problem, active)
    return z


def _rebanded(
    series: ReconciledSeries, estimate: FloatArray, variance: FloatArray, extra: Sequence[Conflict]
) -> ReconciledSeries:
    estimate = np.maximum(estimate, 0.0)
    sd = np.sqrt(variance)
    return replace(
        series,
        estimate=estimate,
        lower80=np.maximum(estimate - Z80 * sd, 0.0),
        upper80=estimate + Z80 * sd,
        lower95=np.maximum(estimate - Z95 * sd, 0.0),
        upper95=estimate + Z95 * sd,
        conflicts=(*series.conflicts, *extra),
    )


def _derived_outflow(
    stock: ReconciledSeries, inflow: ReconciledSeries, estimate: FloatArray, variance: FloatArray
) -> ReconciledSeries:
    """Departures nobody reported: what the balance leaves of yesterday + arrivals - today."""
    n = estimate.size
    shaped = [tuple(dict.fromkeys((*stock.shaped_by[0], *inflow.shaped_by[0])))]
    shaped += [
        tuple(dict.fromkeys((*stock.shaped_by[t - 1], *stock.shaped_by[t], *inflow.shaped_by[t])))
        for t in range(1, n)
    ]
    marks = tuple(DayMark.DERIVED if v < 0.25 else DayMark.ESTIMATED for v in variance.tolist())
    base = ReconciledSeries.empty(Nature.FLOW, stock.start, stock.end, "")
    return _rebanded(
        replace(
            base,
            estimate=estimate,
            marks=marks,
            shaped_by=tuple(shaped),
            reason=None,
            notes=("derived: yesterday's stock + arrivals - today's stock (none reported)",),
        ),
        estimate,
        variance,
        (),
    )
