"""A forecast shortfall of places as a draft request: "Pabradė full in 9 days: 340 places
short → 6 large tents, 340 beds, 1,020 blankets, 68 heaters, 7 generators".

The quantities come from the needs calculator (analysis.needs: Sphere minimums and stated
planning assumptions); the tents are large 60-person tents (Sphere's 3.5 m² per person gives
about 210 m² of covered space each). A draft is never stored by itself: a person reads it,
changes it and posts it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from ...domain.assistance_items import ITEMS, Item, Priority
from ..needs import NeedLine

# The needs calculator's lines that are items one can send, by sitroom item.
_FROM_NEEDS = {"beds": "bed", "blankets": "blanket", "heaters": "heater", "generators": "generator"}
TENT = "tent_60"


@dataclass(frozen=True, slots=True)
class DraftLine:
    item: Item
    quantity: float
    why: str


@dataclass(frozen=True, slots=True)
class DraftRequest:
    place: str
    shortfall: float
    needed_by: date | None
    priority: Priority
    lines: list[DraftLine]
    summary: str


def priority_for(days_to_full: int | None) -> Priority:
    if days_to_full is None:
        return Priority.NORMAL
    if days_to_full <= 0:
        return Priority.CRITICAL
    return Priority.HIGH if days_to_full <= 14 else Priority.NORMAL


def draft_request(
    place: str,
    shortfall: float,
    needs: list[NeedLine],
    *,
    full_on: date | None,
    days_to_full: int | None,
    place_name: str = "",
) -> DraftRequest:
    people = max(0, math.ceil(shortfall))
    lines: list[DraftLine] = []
    if people:
        tent = ITEMS[TENT]
        tents = math.ceil(people / (tent.persons or 1))
        lines.append(DraftLine(tent, float(tents), f"{people} places / {tent.persons} per tent"))
    for need in needs:
        key = _FROM_NEEDS.get(need.item)
        if key and need.quantity > 0:
            lines.append(
                DraftLine(
                    ITEMS[key], need.quantity, f"{need.per_person:g} per person: {need.source}"
                )
            )
    when = (
        "full now"
        if days_to_full is not None and days_to_full <= 0
        else (f"full in {days_to_full} days" if days_to_full is not None else "shortfall forecast")
    )
    said = ", ".join(f"{line.quantity:,.0f} {line.item.label.lower()}" for line in lines)
    summary = f"{place_name or place} {when}: {people} places short → {said or 'nothing'}"
    return DraftRequest(place, float(people), full_on, priority_for(days_to_full), lines, summary)
