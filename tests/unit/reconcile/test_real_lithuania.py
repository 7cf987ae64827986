"""Lithuania's 2021 apprehension figures as published (real data, tests/data/reconcile)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sitroom.analysis.reconcile import ConflictKind, DayMark, Figure, reconcile
from sitroom.domain.measures import Nature, Qualifier

DATA = Path(__file__).parents[2] / "data" / "reconcile" / "lt_apprehended_2021.csv"


def load() -> list[Figure]:
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        Figure(
            f"row{i}",
            date.fromisoformat(r["period_start"]),
            date.fromisoformat(r["period_end"]),
            float(r["value"]),
            Qualifier.EXACT,
            published=date.fromisoformat(r["source_pub_date"][:7] + "-01"),
        )
        for i, r in enumerate(rows)
    ]


def test_lithuanias_running_totals_hold_and_the_two_outlets_clash_is_reported() -> None:
    figures = load()
    series = reconcile(figures, Nature.FLOW, date(2021, 6, 1), date(2021, 8, 6))
    jan1 = date(2021, 1, 1)
    assert abs(series.total(date(2021, 7, 5), date(2021, 7, 17)) - (2023 - 1098)) < 1e-3
    assert abs(series.total(date(2021, 7, 28), date(2021, 8, 6)) - (4112 - 3027)) < 1e-3
    assert abs(series.total(date(2021, 6, 1), date(2021, 6, 30)) - 473) < 1e-3
    assert jan1 < series.start
    clash = [c for c in series.conflicts if c.kind is ConflictKind.INFEASIBLE]
    assert len(clash) == 1
    values = {f.id: f.value for f in figures}
    involved = {values[i] for i in clash[0].winner_ids + clash[0].loser_ids}
    assert {294.0, 287.0} <= involved
    assert series.marks[series.index_of(date(2021, 7, 16))] is DayMark.OBSERVED
