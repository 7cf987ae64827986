"""Reads as a user may make them: every query here carries the sharing rule of
domain.accounts as a WHERE clause, so a restricted record never leaves the database for a
user who may not see it. Each function runs a fixed number of queries whatever the data size."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, FromClause, Select, or_, select, true
from sqlalchemy.orm import Session

from ..domain.accounts import Sharing, User, sees_everything
from ..domain.figures import ReportedFigure
from ..domain.incidents import Incident, IncidentCategory, IncidentStatus
from ..domain.places import ReceptionSite
from ..store import mapping
from ..store.tables import FigureRow, IncidentRow, OrganisationRow, SiteRow
from . import queries
from .queries import FigureFilter

T = TypeVar("T")
AnySelect = Select[*tuple[Any, ...]]
Q = TypeVar("Q", bound=AnySelect)
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class Owned(Generic[T]):
    """A record with who owns it and who else may read it."""

    record: T
    organisation_id: int | None
    sharing: Sharing


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    limit: int
    offset: int
    more: bool


def visible(user: User, table: FromClause) -> ColumnElement[bool]:
    """The sharing rule as SQL: shared rows, the user's organisation's rows, or all of them
    for coordinators and administrators."""
    if sees_everything(user):
        return true()
    own = table.c.organisation_id == user.organisation_id
    shared = table.c.sharing == Sharing.SHARED.value
    return or_(shared, own) if user.organisation_id is not None else shared


def _page(session: Session, query: AnySelect, limit: int, offset: int) -> tuple[list[Any], bool]:
    limit = max(1, min(limit, MAX_PAGE))
    # One row more than asked tells whether there is a next page without counting a million.
    rows = list(session.execute(query.limit(limit + 1).offset(max(0, offset))).mappings())
    return rows[:limit], len(rows) > limit


def _owned(row: Any, record: T) -> Owned[T]:
    return Owned(record, row["organisation_id"], Sharing(row["sharing"]))


def figures(
    session: Session, user: User, where: FigureFilter, *, limit: int = 100, offset: int = 0
) -> Page[Owned[ReportedFigure]]:
    table = FigureRow.__table__
    query = (
        where.apply(select(table))
        .where(visible(user, table))
        .order_by(FigureRow.period_start.desc(), FigureRow.id.desc())
    )
    rows, more = _page(session, query, limit, offset)
    items = [_owned(r, mapping.figure_from_row(r)) for r in rows]
    return Page(items, limit, offset, more)


def figure_chain(session: Session, user: User, ref: str) -> list[Owned[ReportedFigure]]:
    """The figure and its corrections (both ways), oldest first, as far as the user may see.
    A chain is a handful of figures: its length, not the data size, bounds the queries."""
    table = FigureRow.__table__
    found: dict[str, Owned[ReportedFigure]] = {}
    frontier = {ref}
    while frontier:
        query = select(table).where(
            visible(user, table), FigureRow.ref.in_(frontier) | FigureRow.corrects.in_(frontier)
        )
        new = [_owned(r, mapping.figure_from_row(r)) for r in session.execute(query).mappings()]
        new = [o for o in new if o.record.ref not in found]
        found.update((o.record.ref, o) for o in new)
        frontier = {o.record.ref for o in new} | {
            o.record.corrects for o in new if o.record.corrects and o.record.corrects not in found
        }
    if ref not in found:
        return []
    return sorted(found.values(), key=lambda o: (o.record.entered_at, o.record.ref))


@dataclass(frozen=True, slots=True)
class IncidentFilter:
    country: str | None = None
    section: str | None = None
    category: IncidentCategory | None = None
    status: IncidentStatus | None = None
    start: date | None = None
    end: date | None = None

    def apply(self, query: Q) -> Q:
        if self.country is not None:
            query = query.where(IncidentRow.country == self.country)
        if self.section is not None:
            query = query.where(IncidentRow.section == self.section)
        if self.category is not None:
            query = query.where(IncidentRow.category == self.category.value)
        if self.status is not None:
            query = query.where(IncidentRow.status == self.status.value)
        if self.start is not None:
            query = query.where(IncidentRow.day >= self.start)
        if self.end is not None:
            query = query.where(IncidentRow.day <= self.end)
        return query


def incidents(
    session: Session, user: User, where: IncidentFilter, *, limit: int = 100, offset: int = 0
) -> Page[Owned[Incident]]:
    table = IncidentRow.__table__
    query = (
        where.apply(select(table))
        .where(visible(user, table))
        .order_by(IncidentRow.day.desc(), IncidentRow.id.desc())
    )
    rows, more = _page(session, query, limit, offset)
    return Page([_owned(r, mapping.incident_from_row(r)) for r in rows], limit, offset, more)


def incident(session: Session, user: User, ref: str) -> Owned[Incident] | None:
    table = IncidentRow.__table__
    row = (
        session.execute(select(table).where(IncidentRow.ref == ref, visible(user, table)))
        .mappings()
        .first()
    )
    return None if row is None else _owned(row, mapping.incident_from_row(row))


def incident_totals(
    session: Session, user: User, where: IncidentFilter, *, limit: int = 200
) -> list[ReportedFigure]:
    """What the incidents the user may see add up to, per day, section and measure: each a
    lower bound (at_least), as incidents are only what was reported."""
    # Every key descending, so that an index on (day, section, category) read backwards
    # yields the groups in order and the LIMIT ends the scan (ascending section and category
    # within a descending day would need every group summed and sorted first); the page is
    # then put in reading order.
    query = (
        queries.incident_totals_query()
        .where(visible(user, IncidentRow.__table__))
        .order_by(IncidentRow.day.desc(), IncidentRow.section.desc(), IncidentRow.category.desc())
        .limit(max(1, min(limit, MAX_PAGE)))
    )
    totals = [queries.incident_total_figure(row) for row in session.execute(where.apply(query))]
    return sorted(totals, key=lambda f: (-f.period_start.toordinal(), f.place, f.measure.value))


def sites(session: Session, user: User, country: str | None = None) -> list[Owned[ReceptionSite]]:
    table = SiteRow.__table__
    query = select(table).where(visible(user, table)).order_by(SiteRow.country, SiteRow.id)
    if country:
        query = query.where(SiteRow.country == country)
    return [_owned(r, mapping.site_from_row(r)) for r in session.execute(query).mappings()]


def organisation_names(session: Session) -> dict[int, str]:
    rows = session.execute(select(OrganisationRow.id, OrganisationRow.name))
    return {row[0]: row[1] for row in rows}


def ownership_of(
    session: Session, user: User, refs: Sequence[str]
) -> dict[str, tuple[int | None, Sharing]]:
    """Owner and sharing of the figures among `refs` that the user may see."""
    table = FigureRow.__table__
    query = select(FigureRow.ref, FigureRow.organisation_id, FigureRow.sharing).where(
        FigureRow.ref.in_(list(refs)), visible(user, table)
    )
    return {ref: (org, Sharing(sharing)) for ref, org, sharing in session.execute(query)}


def iter_figures(session: Session, user: User, where: FigureFilter) -> Iterator[ReportedFigure]:
    """Every matching figure the user may see, streamed: for exports."""
    table = FigureRow.__table__
    query = where.apply(select(table)).where(visible(user, table)).order_by(FigureRow.id)
    for row in session.execute(query.execution_options(yield_per=2000)).mappings():
        yield mapping.figure_from_row(row)


def iter_incidents(session: Session, user: User, where: IncidentFilter) -> Iterator[Incident]:
    table = IncidentRow.__table__
    query = where.apply(select(table)).where(visible(user, table)).order_by(IncidentRow.id)
    for row in session.execute(query.execution_options(yield_per=5000)).mappings():
        yield mapping.incident_from_row(row)


def site(session: Session, user: User, site_id: str) -> Owned[ReceptionSite] | None:
    table = SiteRow.__table__
    row = (
        session.execute(select(table).where(SiteRow.id == site_id, visible(user, table)))
        .mappings()
        .first()
    )
    return None if row is None else _owned(row, mapping.site_from_row(row))
