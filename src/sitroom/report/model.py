"""The situation report as data: what the templates render, with nothing left to compute."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..domain.alarms import AlarmLevel
from ..domain.measures import Measure, Nature


@dataclass(frozen=True, slots=True)
class Source:
    """One publication or feed, numbered in order of first citation; `used` lists the figures
    taken from it, so a reader can check each one."""

    number: int
    reference: str
    organisation: str | None
    published: str | None
    kind: str
    used: tuple[str, ...]

    @property
    def is_link(self) -> bool:
        return self.reference.startswith(("https://", "http://"))


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    citations: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    previous: float
    text: str


@dataclass(frozen=True, slots=True)
class Number:
    """A value in the report. `derived` when the reconciled series estimated it rather than a
    source reporting it for exactly that period."""

    value: float
    derived: bool
    citations: tuple[int, ...]
    qualifier: str = ""
    change: Change | None = None
    period: tuple[date, date] | None = None


@dataclass(frozen=True, slots=True)
class KeyFigure:
    measure: Measure
    nature: Nature
    latest: Number | None
    week: Number | None
    year: Number | None
    year_label: str


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    svg: str


@dataclass(frozen=True, slots=True)
class SectionLine:
    id: str
    name: str
    neighbour: str
    level: AlarmLevel | None
    week_total: Number | None


@dataclass(frozen=True, slots=True)
class SiteLine:
    id: str
    name: str
    kind: str
    capacity: Number | None
    occupancy: Number | None
    percent_full: float | None
    days_until_full: str


@dataclass(frozen=True, slots=True)
class CountrySection:
    code: str
    name: str
    key_figures: list[KeyFigure]
    charts: list[Chart]
    sections: list[SectionLine]
    sites: list[SiteLine]
    missing: list[str]


@dataclass(frozen=True, slots=True)
class AlarmLine:
    day: date
    place: str
    measure: Measure
    level: AlarmLevel
    state: str
    method: str
    observed: float
    expected: float
    place_name: str = ""
    citations: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ConflictLine:
    place: str
    measure: Measure
    kind: str
    detail: str
    kept: tuple[int, ...]
    set_aside: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AssistanceLine:
    request: str
    item: str
    unit: str
    asked: float | None
    offered: float
    committed: float  # accepted and in transit
    delivered: float
    uncovered: float | None
    citations: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AssistanceCountry:
    code: str
    name: str
    requests_open: int
    offers: int
    offers_delivered: int
    value_eur: float
    lines: list[AssistanceLine]


@dataclass(frozen=True, slots=True)
class TitleBlock:
    title: str
    day: date
    period_start: date
    period_end: date
    chart_start: date
    countries: list[str]
    issued_by: str
    data_cut_off: datetime | None
    generated_at: datetime


@dataclass(frozen=True, slots=True)
class Report:
    title: TitleBlock
    highlights: list[Sentence]
    countries: list[CountrySection]
    alarms: list[AlarmLine]
    conflicts: list[ConflictLine]
    sources: list[Source]
    method_note: list[str]
    missing: list[str] = field(default_factory=list)
    map_svg: str = ""
    assistance: list[AssistanceCountry] = field(default_factory=list)
