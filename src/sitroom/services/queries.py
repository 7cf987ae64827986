"""Read use cases: figures by series, a figure's correction history, sites and sections."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, Row, Select, func, select
from sqlalchemy.orm import Session

from ..domain.figures import ReportedFigure
from ..domain.incidents import Incident, IncidentCategory, IncidentStatus
from ..domain.measures import Measure, Qualifier
from ..domain.places import BorderSection, ReceptionSite
from ..domain.sources import Source, SourceKind
from ..store import mapping
from ..store.tables import FigureRow, IncidentRow, QuarantineRow, SectionRow, SiteRow


@dataclass(frozen=True, slots=True)
class FigureFilter:
    measure: Measure | None = None
    country: str | None = None
    place: str | None = None
    start: date | None = None
    end: date | None = None

    def apply(self, query: Select[tuple[FigureRow]]) -> Select[tuple[FigureRow]]:
        if self.measure is not None:
            query = query.where(FigureRow.measure == self.measure.value)
        if self.country is not None:
            query = query.where(FigureRow.country == self.country)
        if self.place is not None:
            query = query.where(FigureRow.place == self.place)
        if self.start is not None:
            query = query.where(FigureRow.period_end >= self.start)
        if self.end is not None:
            query = query.where(FigureRow.period_start <= self.end)
        return query


def list_figures(session: Session, where: FigureFilter) -> list[ReportedFigure]:
    query = where.apply(select(FigureRow.__table__)).order_by(
        FigureRow.period_start, FigureRow.period_end, FigureRow.id
    )
    return [mapping.figure_from_row(row) for row in session.execute(query).mappings()]


def iter_figures(session: Session, where: FigureFilter) -> Iterator[ReportedFigure]:
    query = where.apply(select(FigureRow.__table__)).order_by(FigureRow.id)
    for row in session.execute(query.execution_options(yield_per=2000)).mappings():
        yield mapping.figure_from_row(row)


def figure_history(session: Session, ref: str) -> list[ReportedFigure]:
    """The chain a figure belongs to, oldest first: what it corrects, and what corrected it."""
    found: dict[str, ReportedFigure] = {}
    frontier = {ref}
    while frontier:
        query = select(FigureRow.__table__).where(
            FigureRow.ref.in_(frontier) | FigureRow.corrects.in_(frontier)
        )
        new = [
            figure
            for figure in map(mapping.figure_from_row, session.execute(query).mappings())
            if figure.ref not in found
        ]
        found.update((figure.ref, figure) for figure in new)
        frontier = {f.ref for f in new} | {
            f.corrects for f in new if f.corrects and f.corrects not in found
        }
    return sorted(found.values(), key=lambda f: (_depth(f, found), f.entered_at))


def _depth(figure: ReportedFigure, chain: dict[str, ReportedFigure]) -> int:
    depth, current = 0, figure
    while current.corrects in chain and depth < len(chain):
        current, depth = chain[current.corrects or ""], depth + 1
    return depth


MEASURE_OF_CATEGORY = {c.value: c.measure for c in IncidentCategory if c.measure is not None}


def incident_totals_query() -> Select[date, str, str, int, int, str]:
    """Per day, section and category, the persons in incidents not retracted, how many
    incidents and when the last was entered; callers add their filters and order."""
    return (
        select(
            IncidentRow.day,
            IncidentRow.section,
            IncidentRow.category,
            func.sum(IncidentRow.persons),
            func.count(),
            func.max(IncidentRow.entered_at),
        )
        .where(IncidentRow.status != IncidentStatus.RETRACTED.value)
        .where(IncidentRow.category.in_(list(MEASURE_OF_CATEGORY)))
        .group_by(IncidentRow.day, IncidentRow.section, IncidentRow.category)
    )


def incident_total_figure(row: Row[date, str, str, int, int, str]) -> ReportedFigure:
    """One row of `incident_totals_query` as a figure. Incidents are what was reported, so
    the sum is a lower bound (at_least)."""
    day, section, category, persons, count, latest = row
    on = day if isinstance(day, date) else date.fromisoformat(day)
    return ReportedFigure(
        measure=MEASURE_OF_CATEGORY[category],
        place=section,
        period_start=on,
        period_end=on,
        value=float(persons),
        qualifier=Qualifier.AT_LEAST,
        source=Source(SourceKind.FIELD_REPORT, f"sitroom:incidents/{section}/{on}"),
        entered_by="sitroom (sum of incident reports)",
        entered_at=datetime.fromisoformat(latest),
        note=f"{count} incident{'s' if count != 1 else ''}",
    )


def incident_figures(session: Session, where: FigureFilter) -> list[ReportedFigure]:
    """What incidents add up to, per day, section and measure (see incident_total_figure)."""
    query = incident_totals_query().order_by(
        IncidentRow.day, IncidentRow.section, IncidentRow.category
    )
    if where.measure is not None:
        categories = [c for c, m in MEASURE_OF_CATEGORY.items() if m is where.measure]
        query = query.where(IncidentRow.category.in_(categories))
    if where.country is not None:
        query = query.where(IncidentRow.country == where.country)
    if where.place is not None:
        column = IncidentRow.country if len(where.place) == 2 else IncidentRow.section
        query = query.where(column == where.place)
    if where.start is not None:
        query = query.where(IncidentRow.day >= where.start)
    if where.end is not None:
        query = query.where(IncidentRow.day <= where.end)
    return [incident_total_figure(row) for row in session.execute(query)]


def iter_incidents(session: Session, section: str | None = None) -> Iterator[Incident]:
    query = select(IncidentRow.__table__).order_by(IncidentRow.id)
    if section is not None:
        query = query.where(IncidentRow.section == section)
    for row in session.execute(query.execution_options(yield_per=5000)).mappings():
        yield mapping.incident_from_row(row)


def list_sites(session: Session, country: str | None = None) -> list[ReceptionSite]:
    query = select(SiteRow.__table__).order_by(SiteRow.country, SiteRow.id)
    if country:
        query = query.where(SiteRow.country == country)
    return [mapping.site_from_row(r) for r in session.execute(query).mappings()]


def list_sections(session: Session, country: str | None = None) -> list[BorderSection]:
    query = select(SectionRow.__table__).order_by(SectionRow.country, SectionRow.id)
    if country:
        query = query.where(SectionRow.country == country)
    return [mapping.section_from_row(r) for r in session.execute(query).mappings()]


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    id: int
    batch_id: int
    kind: str
    line: int
    field: str
    reason: str
    cells: dict[str, str]


def list_quarantine(session: Session, *, include_resolved: bool = False) -> list[QuarantinedRow]:
    query = select(QuarantineRow).order_by(QuarantineRow.id)
    if not include_resolved:
        query = query.where(QuarantineRow.resolved_at.is_(None))
    return [
        QuarantinedRow(q.id, q.batch_id, q.record_kind, q.line, q.field, q.reason, dict(q.raw))
        for q in session.scalars(query)
    ]


def known_countries(session: Session) -> list[str]:
    """The countries that have figures or reception sites; two queries."""
    found = set(session.scalars(select(FigureRow.country).distinct()))
    found |= set(session.scalars(select(SiteRow.country).distinct()))
    return sorted(found)


def read_session(engine: Engine) -> Session:
    """A session for reading only; callers close it (use it as a context manager)."""
    return Session(engine)
