"""Words for numbers, dates and measures, so generated sentences read right for any value."""

from __future__ import annotations

from datetime import date

from ..domain.measures import Measure

# (singular, plural): "1 person apprehended", "2 persons apprehended".
_NOUNS: dict[Measure, tuple[str, str]] = {
    Measure.APPREHENDED: ("person apprehended", "persons apprehended"),
    Measure.PREVENTED_ENTRY: ("person prevented from entering", "persons prevented from entering"),
    Measure.ATTEMPTED_CROSSING: ("attempted crossing", "attempted crossings"),
    Measure.CROSSING_DETECTED: ("irregular crossing detected", "irregular crossings detected"),
    Measure.IRREGULAR_ARRIVALS: ("irregular arrival", "irregular arrivals"),
    Measure.ASYLUM_APPLICATIONS: ("asylum application", "asylum applications"),
    Measure.ARRIVALS_AT_RECEPTION: ("arrival at reception", "arrivals at reception"),
    Measure.OCCUPANCY: ("person accommodated", "persons accommodated"),
    Measure.CAPACITY: ("place", "places"),
    Measure.DEATHS: ("death", "deaths"),
    Measure.INJURED: ("person injured", "persons injured"),
    Measure.FACILITATORS_APPREHENDED: ("facilitator apprehended", "facilitators apprehended"),
    Measure.PUSH_BACKS_OBSERVED: ("push-back observed", "push-backs observed"),
}


def count(value: float) -> str:
    """4112 → "4,112"; estimates are whole people, so fractions are rounded for reading."""
    return f"{round(value):,}"


def counted(value: float, measure: Measure) -> str:
    singular, plural = _NOUNS[measure]
    return f"{count(value)} {singular if round(value) == 1 else plural}"


def noun(measure: Measure) -> str:
    return _NOUNS[measure][1]


def plural(n: int, singular: str, many: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (many or singular + 's')}"


def day(value: date) -> str:
    """4 August 2021: day-month-year, as EU documents write it."""
    return f"{value.day} {value:%B %Y}"


def day_short(value: date) -> str:
    return f"{value.day} {value:%B}"


def span(start: date, end: date) -> str:
    if start == end:
        return day(start)
    if start.year == end.year:
        left = day_short(start) if start.month != end.month else str(start.day)
        return f"{left} – {day(end)}"
    return f"{day(start)} – {day(end)}"


def percent_change(current: float, previous: float) -> str:
    """ "up 40 %", "down 5 %", "unchanged", or "up from none" when there was nothing before."""
    if round(previous) == 0:
        return "unchanged at none" if round(current) == 0 else "up from none"
    change = 100.0 * (current - previous) / previous
    if abs(change) < 0.5:
        return "unchanged"
    return f"{'up' if change > 0 else 'down'} {abs(change):.0f} %"


def join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
