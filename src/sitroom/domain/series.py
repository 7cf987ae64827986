"""The reconciled series as stored and read back: the read model that the pages, the report
and the charts share, and how fresh it is. No database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .measures import Measure, Nature


@dataclass(frozen=True, slots=True)
class SeriesDay:
    day: date
    estimate: float
    lower80: float
    upper80: float
    lower95: float
    upper95: float
    mark: str
    shaped_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoredConflict:
    measure: Measure
    place: str
    kind: str
    winners: tuple[str, ...]
    losers: tuple[str, ...]
    gap: float
    rule: str
    detail: str


@dataclass(frozen=True, slots=True)
class StoredSeries:
    measure: Measure
    place: str
    nature: Nature
    days: list[SeriesDay]
    conflicts: list[StoredConflict]
    computed_at: datetime
    reason: str | None
    failure: str | None = None
    """Why the series could not be computed (it then has no days), or None."""


@dataclass(frozen=True, slots=True)
class Freshness:
    """How current the stored series are: when the pipeline last finished a run, the newest
    figure change it had taken in, and how many series wait for it (their figures changed
    after it last ran)."""

    computed_at: datetime | None
    figures_up_to: datetime | None
    pending: int
    failed: int

    @property
    def current(self) -> bool:
        return self.pending == 0 and self.failed == 0

    def sentence(self) -> str:
        """ "computed 14:02 from figures up to 13:58", or "updating: 3 series pending"."""
        if self.pending:
            return f"updating: {self.pending} series pending"
        if self.computed_at is None:
            return "not computed yet"
        said = f"computed {_clock(self.computed_at)}"
        if self.figures_up_to is not None:
            said += f" from figures up to {_clock(self.figures_up_to)}"
        if self.failed:
            said += f"; {self.failed} series failed (see `sitroom jobs failed`)"
        return said


def _clock(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
