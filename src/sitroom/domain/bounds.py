"""The bounds every stored value keeps: real calendar dates inside a plausible window, and
whole counts below a sane maximum per measure. Importers, forms and `sitroom check` all ask
here, so a value is judged the same way wherever it arrives.

The window starts on 1 January 1990: the Schengen implementing convention was signed that
year, and no border or reception series sitroom is meant for (Frontex, Eurostat, the
national border guards) reaches further back. It ends 92 days after today: a figure may
describe the coming quarter (reception places planned to open, a forecast's 28 days with room
to spare), but a date further ahead is a typing error, and a series running to it would make
every analysis after it compute days nobody reported.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .errors import InvalidValue
from .measures import Measure

EARLIEST_DAY = date(1990, 1, 1)
FUTURE_MARGIN = timedelta(days=92)

# Most persons (or events, applications, places) one figure may report, per measure. Each is
# several times the largest value ever reported for a whole country and year (1.8 million
# irregular border crossings detected in the whole EU in 2015, 1.3 million asylum applications
# that year), so a true figure never reaches it and a typo such as 1e30 always does.
MOST_IN_ONE_FIGURE: dict[Measure, int] = {
    Measure.APPREHENDED: 10_000_000,
    Measure.PREVENTED_ENTRY: 10_000_000,
    Measure.ATTEMPTED_CROSSING: 10_000_000,
    Measure.CROSSING_DETECTED: 10_000_000,
    Measure.IRREGULAR_ARRIVALS: 10_000_000,
    Measure.ASYLUM_APPLICATIONS: 10_000_000,
    Measure.ARRIVALS_AT_RECEPTION: 10_000_000,
    Measure.OCCUPANCY: 10_000_000,
    Measure.CAPACITY: 10_000_000,
    Measure.DEATHS: 100_000,
    Measure.INJURED: 1_000_000,
    Measure.FACILITATORS_APPREHENDED: 1_000_000,
    Measure.PUSH_BACKS_OBSERVED: 1_000_000,
}
# Most persons in one incident: the largest single events at EU borders (Ceuta, May 2021;
# Evros, March 2020) involved about 10,000 people; ten times that is a typo.
MOST_IN_ONE_INCIDENT = 100_000

_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Digits in groups of three, as spreadsheets in many locales write them: 1,200 1.200 1 200.
_GROUPED = re.compile("\\d{1,3}(?:[,.\u00a0\u202f ]\\d{3})+")
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, slots=True)
class DateWindow:
    """The days a stored date may fall on, both ends included."""

    earliest: date
    latest: date

    @classmethod
    def around(cls, today: date, *, earliest: date = EARLIEST_DAY) -> DateWindow:
        return cls(earliest, today + FUTURE_MARGIN)

    def problem(self, day: date) -> str | None:
        """Why `day` is outside the window, or None."""
        if day < self.earliest:
            return f"{day} is before {self.earliest}, the earliest date sitroom accepts"
        if day > self.latest:
            return (
                f"{day} is after {self.latest}, the latest date sitroom accepts "
                f"({FUTURE_MARGIN.days} days from today)"
            )
        return None

    def check(self, day: date) -> date:
        if (problem := self.problem(day)) is not None:
            raise InvalidValue(problem)
        return day


def window_at(moment: datetime | date) -> DateWindow:
    """The default window as it stands at `moment` (an import's time, a check's)."""
    today = moment.date() if isinstance(moment, datetime) else moment
    return DateWindow.around(today)


def calendar_day(text: str) -> date:
    """`text` (YYYY-MM-DD) as a date; the message says what is wrong with it."""
    match = _ISO_DAY.match(text)
    if match is None:
        raise InvalidValue(f"{text!r} is not a date of the form YYYY-MM-DD")
    return _real_day(text, *(int(part) for part in match.groups()))


def partial_day(text: str) -> date:
    """A publication date as precise as the source gave it (YYYY, YYYY-MM or YYYY-MM-DD), as
    its first day; the message says what is wrong with it."""
    match = _PARTIAL.match(text)
    if match is None:
        raise InvalidValue(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    return _real_day(text, int(year), int(month or 1), int(day or 1))


def _real_day(text: str, year: int, month: int, day: int) -> date:
    if year < 1:
        raise InvalidValue(f"{text} is not a date (there is no year 0)")
    if not 1 <= month <= 12:
        raise InvalidValue(f"{text} is not a date (a year has 12 months)")
    length = calendar.monthrange(year, month)[1]
    if not 1 <= day <= length:
        name = calendar.month_name[month]
        raise InvalidValue(f"{text} is not a date ({name} {year} has {length} days)")
    return date(year, month, day)


def published_problem(text: str, window: DateWindow) -> str | None:
    """Why a publication date cannot be stored, or None. A year or month counts as inside the
    window when any of its days is."""
    try:
        first = partial_day(text)
    except InvalidValue as exc:
        return str(exc)
    last = first
    if len(text) == 4:
        last = date(first.year, 12, 31)
    elif len(text) == 7:
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if first > window.latest:
        return f"{text} is after {window.latest}, the latest date sitroom accepts"
    if last < window.earliest:
        return f"{text} is before {window.earliest}, the earliest date sitroom accepts"
    return None


def count_problem(
    text: str, most: int, limit: str = "the largest count sitroom accepts"
) -> str | None:
    """Why `text` is not a count of at most `most`, or None: digits only, as people count.
    `limit` names `most` in the message."""
    if text.isascii() and text.isdigit():
        if int(text) > most:
            return f"{text} is more than {most:,}, {limit}"
        return None
    if text.startswith("-") and text[1:].isascii() and text[1:].isdigit():
        return f"{text} is negative; a count is 0 or more"
    if _GROUPED.fullmatch(text):
        return f"{text!r}: write counts with digits only, no thousands separator"
    return f"{text!r} is not a whole number written in digits (no decimals, exponents or signs)"


def figure_count_problem(measure: Measure, text: str) -> str | None:
    return count_problem(text, MOST_IN_ONE_FIGURE[measure], figure_limit(measure))


def figure_limit(measure: Measure) -> str:
    return f"the largest {measure.value} figure sitroom accepts"


INCIDENT_LIMIT = "the most persons sitroom accepts in one incident"


def stored_count_problem(value: float, most: int, limit: str) -> str | None:
    """Why a count already stored breaks the rules above, or None."""
    if value != value or value in (float("inf"), float("-inf")):
        return f"{value} is not a number"
    if not float(value).is_integer():
        return f"{value:g} is not a whole number"
    if value < 0:
        return f"{value:g} is negative; a count is 0 or more"
    if value > most:
        return f"{value:.0f} is more than {most:,}, {limit}"
    return None
