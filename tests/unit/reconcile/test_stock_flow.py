"""A reception site's occupancy tied to its arrivals and departures (synthetic figures)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from sitroom.analysis.reconcile import (
    ConflictKind,
    Figure,
    StockFlowSeries,
    reconcile_stock_flow,
)
from sitroom.domain.measures import Qualifier

START = date(2021, 7, 1)


def day(k: int) -> date:
    return START + timedelta(days=k)


def one(id_: str, k: int, value: float, qualifier: Qualifier = Qualifier.EXACT) -> Figure:
    return Figure(id_, day(k), day(k), value, qualifier)


def balance_gap(result: StockFlowSeries) -> float:
    s, i, o = result.stock.estimate, result.inflow.estimate, result.outflow.estimate
    change = s[1:] - s[:-1] - i[1:] + o[1:]
    return float(np.abs(change - result.unexplained[1:]).max())


def test_occupancy_follows_arrivals_and_keeps_every_exact_figure() -> None:
    stock = [one("s0", 0, 100), one("s10", 10, 400), one("s20", 20, 380)]
    inflow = [Figure("july-1-21", day(0), day(20), 900), one("a3", 3, 60), one("a12", 12, 10)]
    result = reconcile_stock_flow(stock, inflow, day(0), day(20))
    s, i, o = result.stock.estimate, result.inflow.estimate, result.outflow.estimate
    assert balance_gap(result) < 1e-4
    assert np.abs(result.unexplained).max() < 0.05  # nothing contradicts: no real slack
    assert result.conflicts == ()
    assert abs(s[0] - 100) < 1e-3 and abs(s[10] - 400) < 1e-3 and abs(s[20] - 380) < 1e-3
    assert abs(i.sum() - 900) < 1e-3
    assert abs(i[3] - 60) < 1e-3 and abs(i[12] - 10) < 1e-3
    assert (o >= 0).all() and (i >= 0).all() and (s >= 0).all()
    # between day 0 and day 10 the site gained 300: arrivals there are at least that
    assert i[1:11].sum() >= 300 - 1e-3
    for series in (result.stock, result.inflow, result.outflow):
        assert (series.lower95 <= series.estimate + 1e-9).all()
        assert (series.estimate <= series.upper95 + 1e-9).all()
    assert result.outflow.notes  # departures nobody reported are derived, and say so
    # days 8-10: the site fills faster than arrivals allow with anyone leaving, so departures
    # are held at zero; their band still comes from the figures, not from that rule
    held = np.flatnonzero(o[1:] == 0) + 1
    assert held.size and (result.outflow.upper95[held] > 1).all()


def test_months_and_their_quarter_hold_together() -> None:
    months = [(0, 30), (31, 58), (59, 89)]
    inflow = [Figure(f"m{a}", day(a), day(b), 300.0 + a) for a, b in months]
    inflow.append(Figure("quarter", day(0), day(89), sum(300.0 + a for a, _ in months)))
    stock = [one("s0", 0, 50), one("s45", 45, 10), one("s89", 89, 120)]
    result = reconcile_stock_flow(stock, inflow, day(0), day(89))
    i = result.inflow.estimate
    for a, b in months:
        assert abs(i[a : b + 1].sum() - (300 + a)) < 1e-3
    assert balance_gap(result) < 1e-4 and result.conflicts == ()


def test_a_jump_the_flows_cannot_explain_is_a_conflict_not_an_exception() -> None:
    stock = [one("s0", 0, 100), one("s1", 1, 400)]
    inflow = [one("a0", 0, 5), one("a1", 1, 20)]
    result = reconcile_stock_flow(stock, inflow, day(0), day(3))
    assert len(result.conflicts) == 1
    conflict = result.conflicts[0]
    assert conflict.kind is ConflictKind.STOCK_FLOW
    assert abs(conflict.gap - 280) < 0.5
    assert {"s0", "s1"} <= set(conflict.loser_ids) and "a1" in conflict.winner_ids
    assert conflict in result.stock.conflicts
    # both figures are kept as reported
    assert abs(result.stock.estimate[1] - 400) < 1e-3
    assert abs(result.inflow.estimate[1] - 20) < 1e-3
    assert balance_gap(result) < 1e-4


def test_reported_departures_and_bounds_are_kept() -> None:
    stock = [one("s0", 0, 200), one("s9", 9, 150)]
    inflow = [
        Figure("in", day(0), day(9), 120),
        Figure("in-min", day(0), day(4), 90, Qualifier.AT_LEAST),
    ]
    outflow = [Figure("out", day(1), day(9), 170), one("out5", 5, 40)]
    result = reconcile_stock_flow(stock, inflow, day(0), day(9), outflow=outflow)
    s, i, o = result.stock.estimate, result.inflow.estimate, result.outflow.estimate
    assert balance_gap(result) < 1e-4
    assert abs(i.sum() - 120) < 1e-3
    assert i[:5].sum() >= 90 - 1e-3
    assert abs(o[1:].sum() - 170) < 1e-3 and abs(o[5] - 40) < 1e-3
    assert abs(s[0] - 200) < 1e-3 and abs(s[9] - 150) < 1e-3
    assert result.outflow.notes == ()  # reported, not derived


def test_without_arrivals_nothing_is_tied_and_the_reason_is_given() -> None:
    result = reconcile_stock_flow([one("s0", 0, 100)], [], day(0), day(5))
    assert result.inflow.is_empty
    assert result.outflow.is_empty and result.outflow.reason
    assert result.stock.estimate.size == 6


def test_consistent_figures_are_tied_without_any_unexplained_change() -> None:
    """Arrivals only on days 1-3, none after: the site must be full by day 3. A prior that
    pulls the stock toward a straight line must not leak in as an 'unexplained' rise."""
    stock = [one("s0", 0, 100), one("s9", 9, 250)]
    inflow = [one(f"a{k}", k, 60.0 if k in (1, 2, 3) else 0.0) for k in range(10)]
    result = reconcile_stock_flow(stock, inflow, day(0), day(9))
    assert result.conflicts == ()
    assert np.abs(result.unexplained).max() < 0.05
    assert (result.stock.estimate[3:] > 250 - 0.05).all()
