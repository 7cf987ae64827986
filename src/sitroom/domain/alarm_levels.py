"""The one rule for the alarm level a place shows, shared by the map, the report and the API.

1. An alarm counts on day D while it is open (new or acknowledged: nobody closed it) and it
   was raised for a day on or before D. The live map takes D as today, the report its day.
2. A place shows the highest level of its counting alarms, or none.
3. A border section that has a series of its own shows its own level. A section without one
   (the usual case: most sources report per country) shows its country's level, and says so,
   because the surge was seen in the country's total, not on that section.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from .alarms import OPEN_STATES, AlarmLevel, AlarmState

_RANK = {AlarmLevel.AMBER: 1, AlarmLevel.RED: 2}


class LevelSource(enum.StrEnum):
    SECTION = "section"  # the section's own series
    COUNTRY = "country"  # the section has no series: its country's alarms


@dataclass(frozen=True, slots=True)
class Counted:
    """What the rule needs of an alarm."""

    place: str
    day: date
    level: AlarmLevel
    state: AlarmState


@dataclass(frozen=True, slots=True)
class SectionLevel:
    level: AlarmLevel | None
    source: LevelSource


def counts_on(alarm: Counted, on: date | None) -> bool:
    return alarm.state in OPEN_STATES and (on is None or alarm.day <= on)


def levels_by_place(alarms: Iterable[Counted], *, on: date | None = None) -> dict[str, AlarmLevel]:
    """Rules 1 and 2: the level of every place that has a counting alarm."""
    found: dict[str, AlarmLevel] = {}
    for alarm in alarms:
        if not counts_on(alarm, on):
            continue
        current = found.get(alarm.place)
        if current is None or _RANK[alarm.level] > _RANK[current]:
            found[alarm.place] = alarm.level
    return found


def section_level(
    section: str,
    country: str,
    levels: dict[str, AlarmLevel],
    places_with_series: Collection[str],
) -> SectionLevel:
    """Rule 3."""
    if section in places_with_series:
        return SectionLevel(levels.get(section), LevelSource.SECTION)
    return SectionLevel(levels.get(country), LevelSource.COUNTRY)
