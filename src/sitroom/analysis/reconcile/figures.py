"""The figure that reconciliation reads, and how far each qualifier lets a value move."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from sitroom.domain.measures import Qualifier

# Source ranks as in sitroom.domain.sources.SourceKind.rank: higher wins a clash.
OFFICIAL_RANK = 3  # an official feed (border guard, ministry)
FIELD_RANK = 2  # a field report or web form
PRESS_RANK = 1  # a news article


@dataclass(frozen=True, slots=True)
class Figure:
    """One reported number for one measure at one place, as reconciliation reads it.

    A flow's value is the total over [start, end] (both days included); a stock's value is
    the level at the end of `end`. `source_rank` is the standing of its source
    (OFFICIAL_RANK over FIELD_RANK over PRESS_RANK), `source` names the source (an
    organisation, an outlet or a URL), `published` is when it was published, and `corrects`
    is the id of an earlier figure this one replaces. `rounding_unit` says what a ROUNDED
    value was rounded to (100 for "3,500"); when None it is read from trailing zeros.
    """

    id: str
    start: date
    end: date
    value: float
    qualifier: Qualifier = Qualifier.EXACT
    source_rank: int = PRESS_RANK
    published: date | None = None
    source: str = ""
    corrects: str | None = None
    rounding_unit: float | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


# "About 700" is read as 700 give or take 5 % (one standard deviation), so about 95 % of the
# true values a speaker would still call "about 700" lie within ±10 % (630-770): in the data
# we have, "about" figures sit within a few per cent of later exact ones, and a wider band
# would let them pull almost nothing.
APPROX_RELATIVE_SD = 0.05
# Beyond this many standard deviations a soft figure is reported as contradicted and dropped.
SOFT_CONFLICT_SDS = 3.0


def implied_rounding_unit(value: float) -> float:
    """The power of ten a round-looking number was most likely rounded to (3500 -> 100)."""
    magnitude = abs(round(value))
    if magnitude == 0:
        return 1.0
    unit = 1
    while magnitude % (unit * 10) == 0 and unit * 10 <= magnitude / 10:
        unit *= 10
    return float(unit)


def soft_sd(figure: Figure) -> float:
    """Standard deviation of the true value around a soft (approx or rounded) figure."""
    unit = figure.rounding_unit or implied_rounding_unit(figure.value)
    uniform_sd = unit / math.sqrt(12.0)
    if figure.qualifier is Qualifier.ROUNDED:
        return uniform_sd
    return max(APPROX_RELATIVE_SD * abs(figure.value), uniform_sd, 0.5)


def soft_tolerance(figure: Figure) -> float:
    """How far the truth may sit from a soft figure before the two are said to disagree."""
    if figure.qualifier is Qualifier.ROUNDED:
        unit = figure.rounding_unit or implied_rounding_unit(figure.value)
        return unit / 2.0 + 0.5
    return SOFT_CONFLICT_SDS * soft_sd(figure)


def is_soft(qualifier: Qualifier) -> bool:
    return qualifier in (Qualifier.APPROX, Qualifier.ROUNDED)


def is_lower_bound(qualifier: Qualifier) -> bool:
    # a partial count (part of the day or month) is all we know the period reached
    return qualifier in (Qualifier.AT_LEAST, Qualifier.PARTIAL)


def priority(figure: Figure) -> tuple[int, int, date]:
    """Which figure wins a clash: official over press, exact over soft over bounds, then the
    later publication (corrections are settled before priority is ever asked)."""
    exactness = 2 if figure.qualifier is Qualifier.EXACT else 1 if is_soft(figure.qualifier) else 0
    return (figure.source_rank, exactness, figure.published or date.min)
