"""Highlights: small functions, each returning one true sentence about the data, or nothing.

Each takes plain report data, not the database, so it can be tested on any case; each says
its numbers with their qualifier ("about", "at least", "an estimated") and cites them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from ..domain.alarms import AlarmLevel
from ..domain.measures import Measure
from .model import AlarmLine, KeyFigure, Number, Sentence, SiteLine
from .wording import count, counted, day, day_short, join, noun

MAX_HIGHLIGHTS = 6


@dataclass(frozen=True, slots=True)
class CountryFacts:
    name: str
    key_figures: Sequence[KeyFigure]
    previous_year: dict[Measure, Number]
    sites: Sequence[SiteLine]
    has_figures: bool
    has_daily_figures: bool


def amount(number: Number, measure: Measure) -> str:
    if number.qualifier:
        return f"{number.qualifier} {counted(number.value, measure)}"
    if number.derived:
        return f"an estimated {counted(number.value, measure)}"
    return counted(number.value, measure)


def _cites(*groups: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sorted({n for group in groups for n in group}))


def new_alarms(alarms: Sequence[AlarmLine], start: date, end: date) -> Sentence | None:
    raised = sorted((a for a in alarms if start <= a.day <= end), key=lambda a: a.day)
    if not raised:
        return None
    if len(raised) == 1:
        a = raised[0]
        article = "An" if a.level is AlarmLevel.AMBER else "A"
        return Sentence(
            f"{article} {a.level.value} alarm was raised for {noun(a.measure)} in "
            f"{a.place_name or a.place} on {day_short(a.day)}: {count(a.observed)} against "
            f"about {count(a.expected)} expected.",
            a.citations,
        )
    levels = [
        f"{n} {level.value}"
        for level in (AlarmLevel.RED, AlarmLevel.AMBER)
        if (n := sum(1 for a in raised if a.level is level))
    ]
    last = raised[-1]
    return Sentence(
        f"{len(raised)} alarms were raised from {day_short(start)} to {day_short(end)} "
        f"({join(levels)}), the latest for {noun(last.measure)} in "
        f"{last.place_name or last.place} on {day_short(last.day)}.",
        _cites(*(a.citations for a in raised)),
    )


def sites_over_capacity(facts: CountryFacts) -> Sentence | None:
    over = sorted(
        (s for s in facts.sites if s.percent_full is not None and s.percent_full > 100),
        key=lambda s: -(s.percent_full or 0),
    )
    if not over:
        return None
    fullest = over[0]
    assert fullest.occupancy is not None and fullest.capacity is not None
    cites = _cites(*(c for s in over for c in _site_cites(s)))
    holding = (
        f"{amount(fullest.occupancy, Measure.OCCUPANCY)} for "
        f"{amount(fullest.capacity, Measure.CAPACITY)} ({fullest.percent_full:.0f} % full)"
    )
    if len(over) == 1:
        return Sentence(f"{fullest.name} in {facts.name} is over capacity: {holding}.", cites)
    return Sentence(
        f"{len(over)} reception sites in {facts.name} are over capacity; the fullest, "
        f"{fullest.name}, holds {holding}.",
        cites,
    )


def _site_cites(site: SiteLine) -> list[tuple[int, ...]]:
    return [n.citations for n in (site.capacity, site.occupancy) if n is not None]


def year_against_previous(facts: CountryFacts, on: date) -> Sentence | None:
    for key in facts.key_figures:
        previous = facts.previous_year.get(key.measure)
        if key.year is None or previous is None or key.year_label != "year to date":
            continue
        before = "none" if round(previous.value) == 0 else _bare(previous)
        return Sentence(
            f"{facts.name} recorded {amount(key.year, key.measure)} in {on.year} up to "
            f"{day_short(on)}, against {before} in the whole of {on.year - 1}.",
            _cites(key.year.citations, previous.citations),
        )
    return None


def _bare(number: Number) -> str:
    prefix = number.qualifier or ("an estimated" if number.derived else "")
    return f"{prefix} {count(number.value)}".strip()


def week_change(facts: CountryFacts, on: date) -> Sentence | None:
    # A week spread from a long total says little about the week: prefer reported weeks, and
    # use an estimated one only where some daily figures shaped it.
    weeks = [k for k in facts.key_figures if k.week is not None and not k.week.derived]
    if facts.has_daily_figures:
        weeks += [k for k in facts.key_figures if k.week is not None and k.week.derived]
    for key in weeks:
        assert key.week is not None
        change = (
            f", {key.week.change.text} on the 7 days before" if key.week.change is not None else ""
        )
        return Sentence(
            f"In the 7 days to {day_short(on)}, {facts.name} recorded "
            f"{amount(key.week, key.measure)}{change}.",
            key.week.citations,
        )
    return None


def missing_figures(facts: CountryFacts, on: date, window_days: int) -> Sentence | None:
    if not facts.has_figures:
        return Sentence(f"No figures for {facts.name} cover the {window_days} days to {day(on)}.")
    if not facts.has_daily_figures:
        return Sentence(
            f"{facts.name} reported no daily figures in the {window_days} days to "
            f"{day_short(on)}; its daily values are estimates spread from totals over "
            "longer periods."
        )
    return None


def choose(
    countries: Sequence[CountryFacts],
    alarms: Sequence[AlarmLine],
    on: date,
    week_start: date,
    window_days: int,
) -> list[Sentence]:
    """At most six, the most urgent first: alarms, full sites, then each country's picture."""
    per_country: list[Callable[[CountryFacts], Sentence | None]] = [
        sites_over_capacity,
        lambda f: year_against_previous(f, on),
        lambda f: week_change(f, on),
        lambda f: missing_figures(f, on, window_days),
    ]
    found = [new_alarms(alarms, week_start, on)]
    for rule in per_country:
        found.extend(rule(facts) for facts in countries)
    return [s for s in found if s is not None][:MAX_HIGHLIGHTS]
