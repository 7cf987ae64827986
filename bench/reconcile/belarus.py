"""The bundled 2021 Belarus-border figures as reconciliation input (real data).

Read exactly as the product reads them (`sitroom.datasets.belarus_2021.border_figures`: the
metric's measure, the qualifier, a daily average as its total), so the benchmark scores the
figures the demo stores, ranked by the source kind the demo stores them under.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sitroom.analysis.reconcile import Figure
from sitroom.datasets.belarus_2021 import SOURCE_KIND, BorderFigure, border_figures
from sitroom.domain.measures import Measure


def published_of(text: str) -> date | None:
    """'2021-07' sorts as the month's first day, as stored series read it (series_plan)."""
    return date.fromisoformat((text + "-01-01")[:10]) if text else None


def as_figure(border: BorderFigure) -> Figure:
    return Figure(
        id=f"L{border.line}",
        start=border.start,
        end=border.end,
        value=float(border.value),
        qualifier=border.qualifier,
        source_rank=SOURCE_KIND.rank,
        published=published_of(border.source_published),
        source=border.source_url,
    )


def load() -> dict[tuple[str, Measure], list[Figure]]:
    """Figures per (country, measure)."""
    series: dict[tuple[str, Measure], list[Figure]] = defaultdict(list)
    for border in border_figures():
        series[(border.country, border.measure)].append(as_figure(border))
    return dict(series)
