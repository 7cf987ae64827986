"""Reconciliation on small hand-made (synthetic) figures, one behaviour per test."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from sitroom.analysis.reconcile import (
    OFFICIAL_RANK,
    ConflictKind,
    DayMark,
    Figure,
    reconcile,
)
from sitroom.domain.measures import Nature, Qualifier

JUNE = date(2021, 6, 1)
JUNE_END = date(2021, 6, 30)


def day(n: int) -> date:
    return JUNE + timedelta(days=n - 1)


def one_day(fid: str, n: int, value: float, **kw: object) -> Figure:
    return Figure(fid, day(n), day(n), value, **kw)  # type: ignore[arg-type]


def test_a_months_exact_total_is_honoured_to_the_unit() -> None:
    figures = [Figure("june", JUNE, JUNE_END, 473), one_day("d10", 10, 30)]
    series = reconcile(figures, Nature.FLOW, date(2021, 5, 20), date(2021, 7, 10))
    assert abs(series.total(JUNE, JUNE_END) - 473) < 1e-3
    assert abs(series.estimate[series.index_of(day(10))] - 30) < 1e-3


def test_the_difference_of_two_running_totals_is_the_total_between_them() -> None:
    jan1 = date(2021, 1, 1)
    figures = [Figure("ytd-a", jan1, day(4), 1098), Figure("ytd-b", jan1, day(17), 2023)]
    series = reconcile(figures, Nature.FLOW, jan1, day(30))
    assert abs(series.total(day(5), day(17)) - (2023 - 1098)) < 1e-3


def test_a_rounded_figure_is_held_within_half_its_rounding_unit() -> None:
    figures = [
        Figure("aug", date(2021, 8, 1), date(2021, 8, 31), 3500, Qualifier.ROUNDED),
        one_day("d1", 1, 20),
    ]
    series = reconcile(figures, Nature.FLOW, JUNE, date(2021, 8, 31))
    assert abs(series.total(date(2021, 8, 1), date(2021, 8, 31)) - 3500) <= 50


def test_an_at_least_figure_bounds_the_total_from_below() -> None:
    figures = [
        one_day("d1", 1, 5),
        one_day("d30", 30, 5),
        Figure("more-than", day(10), day(19), 400, Qualifier.AT_LEAST),
    ]
    series = reconcile(figures, Nature.FLOW, JUNE, JUNE_END)
    assert series.total(day(10), day(19)) >= 400 - 1e-3


def test_an_at_most_figure_bounds_the_total_from_above() -> None:
    figures = [
        one_day("d1", 1, 80),
        one_day("d30", 30, 80),
        Figure("no-more-than", day(10), day(19), 100, Qualifier.AT_MOST),
    ]
    series = reconcile(figures, Nature.FLOW, JUNE, JUNE_END)
    assert series.total(day(10), day(19)) <= 100 + 1e-3


def test_a_partial_count_is_read_as_a_lower_bound() -> None:
    figures = [one_day("d1", 1, 10), one_day("part", 9, 170, qualifier=Qualifier.PARTIAL)]
    series = reconcile(figures, Nature.FLOW, JUNE, day(12))
    assert series.estimate[series.index_of(day(9))] >= 170 - 1e-3


def test_flows_stay_non_negative_next_to_a_quiet_month() -> None:
    figures = [
        Figure("may", date(2021, 5, 1), date(2021, 5, 31), 0),
        one_day("d1", 1, 300),
        one_day("d2", 2, 10),
        Figure("june", JUNE, JUNE_END, 320),
    ]
    series = reconcile(figures, Nature.FLOW, date(2021, 5, 1), JUNE_END)
    assert series.estimate.min() >= 0
    assert series.total(date(2021, 5, 1), date(2021, 5, 31)) < 1e-3


def test_the_band_is_narrow_where_totals_pin_days_and_wide_where_nothing_is_known() -> None:
    figures = [Figure("week", day(1), day(3), 300), one_day("d20", 20, 100)]
    series = reconcile(figures, Nature.FLOW, JUNE, date(2021, 8, 31))
    width = series.upper95 - series.lower95
    pinned = width[series.index_of(day(2))]
    far = width[series.index_of(date(2021, 8, 31))]
    assert pinned < far


def test_each_day_is_marked_observed_derived_or_estimated() -> None:
    figures = [Figure("week", day(1), day(7), 70), one_day("d10", 10, 12)]
    series = reconcile(figures, Nature.FLOW, JUNE, day(20))
    assert series.marks[series.index_of(day(3))] is DayMark.DERIVED
    assert series.marks[series.index_of(day(10))] is DayMark.OBSERVED
    assert series.marks[series.index_of(day(15))] is DayMark.ESTIMATED
    assert series.shaped_by[series.index_of(day(3))] == ("week",)


def test_two_exact_values_for_one_day_keep_the_later_publication() -> None:
    figures = [
        one_day("early", 5, 35, published=date(2021, 6, 6)),
        one_day("late", 5, 36, published=date(2021, 9, 1)),
    ]
    series = reconcile(figures, Nature.FLOW, JUNE, day(10))
    (conflict,) = series.conflicts
    assert conflict.kind is ConflictKind.SAME_PERIOD
    assert (conflict.winner_ids, conflict.loser_ids, conflict.gap) == (("late",), ("early",), -1)
    assert abs(series.estimate[series.index_of(day(5))] - 36) < 1e-3


def test_an_official_figure_beats_a_later_press_figure_for_the_same_day() -> None:
    figures = [
        one_day("ministry", 5, 40, source_rank=OFFICIAL_RANK, published=date(2021, 6, 6)),
        one_day("paper", 5, 55, published=date(2021, 6, 20)),
    ]
    series = reconcile(figures, Nature.FLOW, JUNE, day(10))
    assert series.conflicts[0].winner_ids == ("ministry",)
    assert "paper" in series.set_aside_ids


def test_a_month_total_below_its_exact_days_is_reported_with_the_gap() -> None:
    figures = [
        Figure("june", JUNE, JUNE_END, 50, published=date(2021, 7, 1)),
        one_day("d1", 1, 40, published=date(2021, 7, 2)),
        one_day("d2", 2, 30, published=date(2021, 7, 2)),
    ]
    series = reconcile(figures, Nature.FLOW, JUNE, JUNE_END)
    infeasible = [c for c in series.conflicts if c.kind is ConflictKind.INFEASIBLE]
    assert len(infeasible) == 1
    assert infeasible[0].loser_ids == ("june",)
    assert abs(infeasible[0].gap - (50 - 70)) < 1e-6
    assert series.estimate.min() >= 0


def test_a_correction_replaces_the_figure_it_corrects() -> None:
    figures = [
        Figure("june", JUNE, JUNE_END, 473),
        Figure("june-fixed", JUNE, JUNE_END, 437, corrects="june"),
    ]
    series = reconcile(figures, Nature.FLOW, JUNE, JUNE_END)
    assert abs(series.total(JUNE, JUNE_END) - 437) < 1e-3
    assert series.conflicts[0].kind is ConflictKind.CORRECTED
    assert series.conflicts[0].loser_ids == ("june",)


def test_an_about_figure_far_from_exact_totals_is_reported_and_set_aside() -> None:
    figures = [
        Figure("june", JUNE, JUNE_END, 300),
        Figure("about", day(1), day(10), 700, Qualifier.APPROX),
    ]
    series = reconcile(figures, Nature.FLOW, JUNE, JUNE_END)
    kinds = [c.kind for c in series.conflicts]
    assert ConflictKind.SOFT_CONTRADICTED in kinds or ConflictKind.INFEASIBLE in kinds
    assert abs(series.total(JUNE, JUNE_END) - 300) < 1e-3


def test_a_series_without_figures_is_empty_with_a_reason() -> None:
    series = reconcile([], Nature.FLOW, JUNE, JUNE_END)
    assert series.is_empty
    assert series.reason == "no figures"


def test_an_unreadable_figure_is_reported_not_raised() -> None:
    backwards = Figure("bad", day(5), day(1), 10)
    series = reconcile([backwards], Nature.FLOW, JUNE, JUNE_END)
    assert series.is_empty
    assert series.conflicts[0].kind is ConflictKind.INVALID


def test_a_stock_is_interpolated_between_its_observations() -> None:
    figures = [one_day("a", 1, 100), one_day("b", 11, 200)]
    series = reconcile(figures, Nature.STOCK, JUNE, day(11))
    middle = series.estimate[series.index_of(day(6))]
    assert 130 < middle < 170
    assert abs(series.estimate[0] - 100) < 1e-3


def test_occupancy_above_the_same_sources_capacity_is_reported() -> None:
    occupancy = [one_day("occ", 3, 300, source="ifrc")]
    capacity = [one_day("cap", 3, 250, source="ifrc")]
    series = reconcile(occupancy, Nature.STOCK, JUNE, day(5), capacity=capacity)
    (conflict,) = series.conflicts
    assert conflict.kind is ConflictKind.OVER_CAPACITY
    assert conflict.gap == 50


def test_a_single_day_window_with_a_single_figure_is_reconciled() -> None:
    stock = reconcile([one_day("only", 5, 120)], Nature.STOCK, day(5), day(5))
    assert stock.estimate.tolist() == [120.0]
    flow = reconcile([one_day("only", 5, 7)], Nature.FLOW, day(5), day(5))
    assert abs(float(flow.estimate[0]) - 7.0) < 1e-6


def test_a_day_held_at_zero_is_released_when_exact_totals_and_bounds_need_it() -> None:
    # synthetic: found by fuzzing; an add-only active set held days at zero that the exact
    # totals below needed, and both missed by over a hundred
    start = date(2022, 1, 1)

    def span(fid: str, a: int, b: int, value: float, q: Qualifier) -> Figure:
        return Figure(fid, start + timedelta(days=a), start + timedelta(days=b), value, q)

    figures = [
        span("f0", -1, 24, 306, Qualifier.PARTIAL),
        span("f1", 2, 26, 346, Qualifier.APPROX),
        span("f2", -5, 1, 788, Qualifier.AT_MOST),
        span("f3", -7, 20, 670, Qualifier.AT_MOST),
        span("f4", 8, 26, 704, Qualifier.EXACT),
        span("f5", -5, 12, 509, Qualifier.PARTIAL),
        span("dup", -1, 24, 306, Qualifier.EXACT),
    ]
    series = reconcile(figures, Nature.FLOW, start - timedelta(days=10), start + timedelta(days=30))
    held = [f for f in figures if f.id not in series.set_aside_ids]
    for f in held:
        total = series.total(f.start, f.end)
        if f.qualifier is Qualifier.EXACT:
            assert abs(total - f.value) < 1e-3
        elif f.qualifier is Qualifier.AT_MOST:
            assert total <= f.value + 1e-3
        elif f.qualifier is Qualifier.PARTIAL:
            assert total >= f.value - 1e-3
    assert (series.estimate >= 0).all()


def test_the_nearest_feasible_repair_meets_every_hard_figure_and_moves_little() -> None:
    from sitroom.analysis.reconcile.feasibility import nearest_feasible
    from sitroom.analysis.reconcile.placement import place

    # synthetic: a fit that misses a month total and a bound, repaired by the programme
    figures = [
        Figure("june", JUNE, JUNE_END, 300),
        Figure("first-week", JUNE, day(7), 120, Qualifier.AT_LEAST),
        Figure("last-day", day(30), day(30), 5, Qualifier.AT_MOST),
    ]
    hard = [place(f, (0,), JUNE, Nature.FLOW) for f in figures]
    mean = np.full(30, 9.0)
    repaired = nearest_feasible(hard, 30, 1, mean)
    assert repaired is not None
    assert abs(repaired.sum() - 300) < 1e-6
    assert repaired[:7].sum() >= 120 - 1e-6
    assert repaired[29] <= 5 + 1e-6
    assert (repaired >= -1e-9).all()
    assert np.abs(repaired - mean).sum() <= (120 - 63) + (300 - 270) + 4 + 1e-6
