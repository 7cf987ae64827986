"""Known truth: Italy's real daily sea landings, thinned to what an analyst usually gets.

Kept: every month's exact total, running totals (1 January to the 15th) of every third
month, and one day in ten rounded to the nearest 10. Everything else is scored against the
true days. Data: "Liberiamoli tutti!" (CC BY 4.0), see data/PROVENANCE.md.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from sitroom.analysis.reconcile import Figure, ModelSettings, reconcile
from sitroom.domain.measures import Nature, Qualifier

DATA = Path(__file__).parent / "data" / "daily_sea_landings_2019_2025.csv"


def load_truth() -> tuple[date, np.ndarray]:
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    first = date.fromisoformat(rows[0]["date"])
    values = np.array([float(r["landings"]) for r in rows])
    assert len(rows) == (date.fromisoformat(rows[-1]["date"]) - first).days + 1
    return first, values


def thin(first: date, truth: np.ndarray) -> tuple[list[Figure], np.ndarray]:
    """The figures an analyst would have, and a mask of the days given as one-day values."""
    last = first + timedelta(days=truth.size - 1)
    figures: list[Figure] = []
    observed = np.zeros(truth.size, dtype=bool)

    def total(a: date, b: date) -> float:
        return float(truth[(a - first).days : (b - first).days + 1].sum())

    month = date(first.year, first.month, 1)
    while month <= last:
        nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        end = min(nxt - timedelta(days=1), last)
        figures.append(Figure(f"month {month:%Y-%m}", month, end, total(month, end)))
        day15 = month + timedelta(days=14)
        if month.month % 3 == 2 and day15 <= last:
            year_start = max(date(month.year, 1, 1), first)
            figures.append(Figure(f"ytd {day15}", year_start, day15, total(year_start, day15)))
        month = nxt
    for i in range(3, truth.size, 10):
        day = first + timedelta(days=i)
        figures.append(
            Figure(
                f"day {day}",
                day,
                day,
                float(round(truth[i], -1)),
                Qualifier.ROUNDED,
                rounding_unit=10.0,
            )
        )
        observed[i] = True
    return figures, observed


def score(settings: ModelSettings) -> dict[str, float]:
    first, truth = load_truth()
    figures, observed = thin(first, truth)
    last = first + timedelta(days=truth.size - 1)
    result = reconcile(figures, Nature.FLOW, first, last, settings=settings)
    hidden = ~observed
    est = result.estimate
    worst_total = max(
        abs(result.total(f.start, f.end) - f.value)
        for f in figures
        if f.qualifier is Qualifier.EXACT
    )
    month_flat = np.empty(truth.size)
    for f in figures:
        if f.id.startswith("month"):
            a, b = (f.start - first).days, (f.end - first).days + 1
            month_flat[a:b] = f.value / (b - a)
    inside80 = (result.lower80 <= truth) & (truth <= result.upper80)
    inside95 = (result.lower95 <= truth) & (truth <= result.upper95)
    return {
        "days_scored": float(hidden.sum()),
        "figures": float(len(figures)),
        "mae_model": float(np.abs(est - truth)[hidden].mean()),
        "mae_month_spread_evenly": float(np.abs(month_flat - truth)[hidden].mean()),
        "coverage80": float(inside80[hidden].mean()),
        "coverage95": float(inside95[hidden].mean()),
        "worst_exact_total_error": float(worst_total),
        "conflicts": float(len(result.conflicts)),
    }
