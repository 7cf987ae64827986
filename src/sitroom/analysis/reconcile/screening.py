"""Settle what can be settled before any arithmetic: unreadable figures, corrections, and
two values for the very same period."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sitroom.analysis.reconcile.figures import (
    Figure,
    is_soft,
    priority,
    soft_tolerance,
)
from sitroom.analysis.reconcile.result import Conflict, ConflictKind
from sitroom.domain.measures import Nature, Qualifier


@dataclass(slots=True)
class Screened:
    kept: list[Figure] = field(default_factory=list)
    # id of a kept figure -> ids of figures that said the same thing and so also shaped it
    agreeing: dict[str, list[str]] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)


def why_first_wins(first: Figure, second: Figure) -> str:
    a, b = priority(first), priority(second)
    if a[0] != b[0]:
        return "higher-ranked source over lower (official over press)"
    if a[1] != b[1]:
        return f"{first.qualifier.value} over {second.qualifier.value}"
    if a[2] != b[2]:
        return "later publication over earlier"
    return "equal standing: the first listed is kept"


def _invalid_reason(figure: Figure) -> str | None:
    if not math.isfinite(figure.value):
        return "value is not a finite number"
    if figure.value < 0:
        return "a count cannot be negative"
    if figure.end < figure.start:
        return "period ends before it starts"
    return None


def _drop_unreadable(figures: Sequence[Figure], out: Screened) -> list[Figure]:
    seen: set[str] = set()
    readable = []
    for figure in figures:
        reason = _invalid_reason(figure)
        if figure.id in seen:
            reason = "a second figure with the same id"
        if reason is not None:
            out.conflicts.append(
                Conflict(ConflictKind.INVALID, (), (figure.id,), 0.0, "unreadable", reason)
            )
            out.set_aside.append(figure.id)
            continue
        seen.add(figure.id)
        readable.append(figure)
    return readable


def _apply_corrections(figures: list[Figure], out: Screened) -> list[Figure]:
    by_id = {f.id: f for f in figures}
    superseded: set[str] = set()
    for figure in figures:
        target = by_id.get(figure.corrects or "")
        if target is None or target.id == figure.id:
            continue
        superseded.add(target.id)
        out.conflicts.append(
            Conflict(
                ConflictKind.CORRECTED,
                (figure.id,),
                (target.id,),
                target.value - figure.value,
                "a correction replaces what it corrects",
                f"{target.id} ({target.value:g}) corrected to {figure.value:g}",
            )
        )
    out.set_aside.extend(sorted(superseded))
    return [f for f in figures if f.id not in superseded]


def _agree(best: Figure, other: Figure) -> bool:
    tolerance = 0.5
    for figure in (best, other):
        if is_soft(figure.qualifier):
            tolerance = max(tolerance, soft_tolerance(figure))
    return abs(best.value - other.value) <= tolerance


def _is_valued(figure: Figure) -> bool:
    return figure.qualifier is Qualifier.EXACT or is_soft(figure.qualifier)


def _settle_same_period(figures: list[Figure], nature: Nature, out: Screened) -> None:
    groups: dict[tuple[object, ...], list[Figure]] = defaultdict(list)
    for figure in figures:
        key = (figure.end,) if nature is Nature.STOCK else (figure.start, figure.end)
        groups[key].append(figure)
    for members in groups.values():
        if len(members) == 1:
            out.kept.append(members[0])
            continue
        valued = [f for f in members if _is_valued(f)]
        # bounds are kept as constraints of their own; the feasibility check judges them
        out.kept.extend(f for f in members if not _is_valued(f))
        if not valued:
            continue
        ranked = sorted(valued, key=priority, reverse=True)
        best = ranked[0]
        out.kept.append(best)
        for other in ranked[1:]:
            if _agree(best, other):
                out.agreeing.setdefault(best.id, []).append(other.id)
                continue
            out.conflicts.append(
                Conflict(
                    ConflictKind.SAME_PERIOD,
                    (best.id,),
                    (other.id,),
                    other.value - best.value,
                    why_first_wins(best, other),
                    f"{other.value:g} against {best.value:g} for {other.start}..{other.end}",
                )
            )
            out.set_aside.append(other.id)


def screen(figures: Sequence[Figure], nature: Nature) -> Screened:
    out = Screened()
    readable = _drop_unreadable(figures, out)
    current = _apply_corrections(readable, out)
    _settle_same_period(current, nature, out)
    order = {f.id: i for i, f in enumerate(figures)}
    out.kept.sort(key=lambda f: order[f.id])
    return out
