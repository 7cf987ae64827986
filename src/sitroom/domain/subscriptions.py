"""Subscriptions: which alarms a person wants to hear about, and through which channel."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from .alarms import Alarm, AlarmLevel
from .measures import Measure

_RANK = {AlarmLevel.AMBER: 1, AlarmLevel.RED: 2}


class Channel(enum.StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


@dataclass(frozen=True, slots=True)
class Subscription:
    """`places` are countries, border sections or reception sites; a country covers every
    place in it. No places means everywhere, no measures every measure."""

    id: int
    user_id: int
    places: tuple[str, ...]
    measures: tuple[Measure, ...]
    min_level: AlarmLevel
    channel: Channel
    target: str
    active: bool
    created_at: datetime

    def wants(self, alarm: Alarm) -> bool:
        """Whether the alarm is one this subscription asks for. Whether its owner may read
        the figures behind it is the delivery's check, not this one."""
        if not self.active or _RANK[alarm.level] < _RANK[self.min_level]:
            return False
        if self.measures and alarm.measure not in self.measures:
            return False
        return not self.places or any(covers(place, alarm.place) for place in self.places)


def covers(subscribed: str, place: str) -> bool:
    """A country code covers its own series and every section and site in it (their ids
    start with the country code and a dash)."""
    if subscribed == place:
        return True
    return len(subscribed) == 2 and place.startswith(f"{subscribed}-")
