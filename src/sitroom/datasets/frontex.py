"""Frontex's monthly detections on the Eastern Borders Route (bundled; see PROVENANCE.md)."""

from __future__ import annotations

import csv
from collections import defaultdict
from importlib import resources

DATA = resources.files("sitroom") / "data" / "frontex" / "eastern_borders_route_monthly.csv"


def monthly_detections() -> dict[str, int]:
    """Detections per month ("2021-07" → 3236), summed over nationalities and land/sea."""
    totals: dict[str, float] = defaultdict(float)
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            totals[row["t"]] += float(row["n"])
    return {month: round(total) for month, total in sorted(totals.items())}


def yearly_detections() -> dict[int, int]:
    years: dict[int, int] = defaultdict(int)
    for month, total in monthly_detections().items():
        years[int(month[:4])] += total
    return dict(years)
