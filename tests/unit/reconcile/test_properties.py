"""Properties that must hold for any consistent set of figures (synthetic count paths)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st

from sitroom.analysis.reconcile import DayMark, Figure, reconcile
from sitroom.analysis.reconcile.annotate import marks_and_sources
from sitroom.analysis.reconcile.gaussian import (
    Conditioner,
    DayEvidence,
    PriorBands,
    RowEvidence,
    condition,
)
from sitroom.analysis.reconcile.placement import place
from sitroom.domain.measures import Nature, Qualifier

START = date(2022, 1, 1)


@st.composite
def consistent_figures(draw: st.DrawFn) -> tuple[int, list[Figure]]:
    """Figures read off one synthetic count path, so they can all hold together."""
    days = draw(st.integers(20, 90))
    counts = draw(st.lists(st.integers(0, 300), min_size=days, max_size=days))
    spans = draw(
        st.lists(st.tuples(st.integers(0, days - 1), st.integers(0, 30)), min_size=1, max_size=8)
    )
    figures = []
    for i, (first, length) in enumerate(spans):
        last = min(first + length, days - 1)
        figures.append(
            Figure(
                f"f{i}",
                START + timedelta(days=first),
                START + timedelta(days=last),
                float(sum(counts[first : last + 1])),
            )
        )
    return days, figures


@settings(max_examples=40, deadline=None)
@given(consistent_figures())
def test_exact_totals_always_hold(case: tuple[int, list[Figure]]) -> None:
    days, figures = case
    series = reconcile(figures, Nature.FLOW, START, START + timedelta(days=days - 1))
    assert not series.conflicts
    for f in figures:
        assert abs(series.total(f.start, f.end) - f.value) <= 1e-3 * (1 + f.value)


@settings(max_examples=40, deadline=None)
@given(consistent_figures())
def test_flows_are_never_negative_and_bands_always_contain_the_estimate(
    case: tuple[int, list[Figure]],
) -> None:
    days, figures = case
    series = reconcile(figures, Nature.FLOW, START, START + timedelta(days=days - 1))
    assert (series.estimate >= 0).all()
    assert (series.lower95 <= series.lower80 + 1e-9).all()
    assert (series.lower80 <= series.estimate + 1e-9).all()
    assert (series.estimate <= series.upper80 + 1e-9).all()
    assert (series.upper80 <= series.upper95 + 1e-9).all()


@settings(max_examples=30, deadline=None)
@given(consistent_figures(), st.integers(0, 1000))
def test_any_figures_even_contradictory_give_a_result_and_never_an_exception(
    case: tuple[int, list[Figure]], noise: int
) -> None:
    days, figures = case
    rng = np.random.default_rng(noise)
    qualifiers = list(Qualifier)
    shaken = [
        Figure(
            f.id,
            f.start,
            f.end,
            float(rng.integers(0, 500)),
            qualifiers[int(rng.integers(0, len(qualifiers)))],
        )
        for f in figures
    ]
    series = reconcile(shaken, Nature.FLOW, START, START + timedelta(days=days - 1))
    assert series.estimate.size == days
    assert (series.estimate >= 0).all()


def test_the_fast_solver_matches_dense_gaussian_conditioning() -> None:
    rng = np.random.default_rng(0)
    n = 30
    step = rng.uniform(0.5, 2, n)
    step[0] = np.inf
    noise = rng.uniform(1, 3, n)
    weekday = rng.uniform(0.8, 1.2, n)
    anchor_mean = np.zeros(n)
    anchor_mean[0] = 3
    anchor_var = np.full(n, np.inf)
    anchor_var[0] = 100
    precision = np.zeros(n)
    value = np.zeros(n)
    precision[5], value[5], precision[20], value[20] = 4.0, 4.0, 2.0, 7.0
    rows = np.zeros((2, n))
    rows[0, 2:12] = 1
    rows[1, 15:29] = 1
    prior = PriorBands(step, noise, weekday, anchor_mean, anchor_var)
    evidence = RowEvidence.from_matrix(
        scipy.sparse.csr_matrix(rows), np.array([30.0, 50.0]), np.array([0.0, 4.0])
    )
    fast = condition(prior, DayEvidence(precision, value), evidence, with_variance=True)

    big = np.zeros((2 * n, 2 * n))
    h = np.zeros(2 * n)
    for t in range(n):
        m, x = 2 * t, 2 * t + 1
        w = weekday[t]
        big[np.ix_([m, x], [m, x])] += np.array([[w * w, -w], [-w, 1.0]]) / noise[t]
        big[x, x] += precision[t]
        h[x] += precision[t] * value[t]
        if t == 0:
            big[m, m] += 1 / anchor_var[0]
            h[m] += anchor_mean[0] / anchor_var[0]
        else:
            big[np.ix_([m - 2, m], [m - 2, m])] += np.array([[1, -1], [-1, 1]]) / step[t]
    cov = np.linalg.inv(big)
    lifted = np.zeros((2, 2 * n))
    lifted[:, 1::2] = rows
    gain = cov @ lifted.T @ np.linalg.inv(lifted @ cov @ lifted.T + np.diag([0.0, 4.0]))
    mean = cov @ h + gain @ (evidence.values - lifted @ cov @ h)
    posterior_cov = cov - gain @ lifted @ cov
    np.testing.assert_allclose(fast.count_mean, mean[1::2], atol=1e-8)
    assert fast.count_var is not None
    np.testing.assert_allclose(fast.count_var, np.diag(posterior_cov)[1::2], atol=1e-8)


def test_totals_added_block_by_block_give_the_same_posterior_as_all_at_once() -> None:
    rng = np.random.default_rng(1)  # synthetic prior and totals
    n = 40
    step = rng.uniform(0.5, 2, n)
    step[0] = np.inf
    anchor_var = np.full(n, np.inf)
    anchor_var[0] = 100.0
    prior = PriorBands(step, rng.uniform(1, 3, n), np.ones(n), np.full(n, 3.0), anchor_var)
    days = DayEvidence(np.zeros(n), np.zeros(n))
    rows = np.zeros((4, n))
    rows[0, 0:10], rows[1, 5:30], rows[2, 33:34], rows[3, 20:40] = 1, 1, 1, 1
    values, variances = np.array([20.0, 80.0, 0.0, 70.0]), np.array([0.0, 9.0, 0.0, 0.0])
    at_once = Conditioner(prior, days)
    at_once.add(RowEvidence.from_matrix(scipy.sparse.csr_matrix(rows), values, variances))
    in_blocks = Conditioner(prior, days)
    for part in (slice(0, 2), slice(2, 4)):
        in_blocks.add(
            RowEvidence.from_matrix(
                scipy.sparse.csr_matrix(rows[part]), values[part], variances[part]
            )
        )
    for a, b in zip(at_once.mean(), in_blocks.mean(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-8)
    np.testing.assert_allclose(at_once.variance()[0], in_blocks.variance()[0], atol=1e-8)
    assert abs(in_blocks.mean()[1][5:30].sum() - 80.0) < 3 * 3.0
    assert abs(in_blocks.mean()[1][20:40].sum() - 70.0) < 1e-6


def test_rows_made_of_several_runs_sum_spread_and_lift_like_their_dense_matrix() -> None:
    rng = np.random.default_rng(2)  # synthetic rows: a country total spans two sections
    dense = np.zeros((3, 20))
    dense[0, 2:5], dense[0, 12:15] = 1, 1
    dense[1, 0:20] = 1
    dense[2, 7:8] = 1
    rows = RowEvidence.from_matrix(scipy.sparse.csr_matrix(dense), np.zeros(3), np.zeros(3))
    x, columns, weights = rng.normal(size=20), rng.normal(size=(20, 4)), rng.normal(size=3)
    np.testing.assert_allclose(rows.totals(x), dense @ x)
    np.testing.assert_allclose(rows.run_sums(columns), dense @ columns)
    np.testing.assert_allclose(rows.spread(weights, 20), dense.T @ weights)
    np.testing.assert_allclose(rows.lifted(20, x), dense.T * x[:, None])
    for order in ("C", "F"):  # Fortran order takes one scatter, any other a loop over runs
        out = np.ones((20, 3), order=order)
        rows.add_runs(out, x)
        np.testing.assert_allclose(out, 1.0 + dense.T * x[:, None])


def test_marks_and_sources_of_a_window_are_those_days_of_the_whole_span() -> None:
    origin = START
    figures = [  # synthetic: a month, a day inside it, two overlapping weeks, a gap, a day
        Figure("month", START, START + timedelta(days=30), 300.0),
        Figure("day", START + timedelta(days=3), START + timedelta(days=3), 12.0),
        Figure("wk1", START + timedelta(days=20), START + timedelta(days=26), 70.0),
        Figure("wk2", START + timedelta(days=24), START + timedelta(days=33), 90.0),
        Figure("late", START + timedelta(days=50), START + timedelta(days=50), 9.0),
    ]
    items = [place(f, (0,), origin, Nature.FLOW) for f in figures]
    for agreeing in ({}, {"wk1": ["wk1-copy"], "late": ["late-a", "late-b"]}):
        marks, sources = marks_and_sources(items, 60, agreeing)
        assert len(marks) == len(sources) == 60
        assert marks[3] is DayMark.OBSERVED and marks[10] is DayMark.DERIVED
        assert marks[40] is DayMark.ESTIMATED and marks[59] is DayMark.ESTIMATED
        assert sources[40][0] == "wk2" and sources[40][-1].startswith("late")
        for lo, hi in ((0, 60), (3, 4), (18, 45), (55, 60), (59, 60)):
            part = marks_and_sources(items, 60, agreeing, slice(lo, hi))
            assert part == (marks[lo:hi], sources[lo:hi])
