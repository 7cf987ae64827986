"""The one authorisation path of every write: what a record refers to (the place of a figure,
the figure it corrects, an incident's section, a site or section it defines) is looked up
here, as the writer may see it, and nowhere else.

Every sink (`sinks.SINKS`), the column importer, the forms, the API and the command line store
records through a `WriteGate` made for their `Writer`. A record the writer may not see is
answered exactly as one that does not exist, with the same words; a figure or incident is
stored in the writer's scope (`domain.accounts.storage_scope`), so it can only be a duplicate
of one the writer may read. Lookups go a block at a time, one query per kind of reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import ColumnElement, FromClause, select, true
from sqlalchemy.orm import Session

from ..domain.accounts import Ownership, Sharing, Writer, can_write
from ..domain.figures import ReportedFigure
from ..domain.incidents import Incident
from ..domain.places import ReceptionSite
from ..interchange.records.schema import RecordKind
from ..store.assistance_tables import RequestItemRow
from ..store.mapping import Owner
from ..store.tables import FigureRow, IncidentRow, SectionRow, SiteRow
from .access import visible
from .accounts import NotAllowed
from .parsed import Parsed, Refused
from .places import KnownPlaces

Check = Callable[["WriteGate", Sequence[Parsed]], list[Refused]]


def unknown_place(place: str) -> str:
    return f"{place!r} is not a known country code, border section or reception site"


def unknown_section(section: str) -> str:
    return f"{section!r} is not a known border section"


def no_correctable_figure(ref: str) -> str:
    # The same words whether no figure has the ref or the writer may not see or change it.
    return f"no figure you may correct has the ref {ref!r}"


def id_taken(record_id: str) -> str:
    # The same words whether the holder is hidden from the writer or differs from theirs.
    return f"{record_id} is already defined, not as in this row; give yours a new id"


SECTIONS_NEED_A_COORDINATOR = "only administrators and coordinators define border sections"


def allowed_to_write(writer: Writer) -> Writer:
    """The writer, or NotAllowed for a person whose role only reads."""
    if writer.user is not None and not can_write(writer.user):
        role = writer.user.role.value
        raise NotAllowed(f"a {role} can read but not report; ask for the reporter role")
    return writer


class WriteGate:
    """The references of one write (a form, a request, a file), checked as `writer` sees
    them. `check` is the only way a sink learns which of its rows it may store."""

    def __init__(self, session: Session, writer: Writer) -> None:
        self.session, self.writer = session, allowed_to_write(writer)
        self._places: KnownPlaces | None = None
        # Figures passed earlier in the same write: later rows may correct them.
        self._passed: set[str] = set()

    @property
    def owner(self) -> Owner:
        """What a stored figure or incident of this write carries in `OWNER_COLUMNS`."""
        w = self.writer
        return (w.organisation_id, w.sharing.value, w.scope)

    def visible(self, table: FromClause) -> ColumnElement[bool]:
        """The writer's sharing rule as SQL (the operator sees everything)."""
        user = self.writer.user
        return true() if user is None else visible(user, table)

    def places(self) -> KnownPlaces:
        """The places the writer may refer to: every country and border section (shared
        geography), the reception sites they may see."""
        if self._places is None:
            sites = select(SiteRow.id).where(self.visible(SiteRow.__table__))
            self._places = KnownPlaces(
                sections=frozenset(self.session.scalars(select(SectionRow.id))),
                sites=frozenset(self.session.scalars(sites)),
            )
        return self._places

    def check(self, kind: RecordKind, block: Sequence[Parsed]) -> list[Refused]:
        """The rows of `block` the writer may not store, each with the field and the reason;
        every other row may go on to the sink."""
        return CHECKS[kind](self, block)

    def passed(self, ref: str) -> None:
        """A figure of this write that later rows of it may correct."""
        self._passed.add(ref)

    def correctable(self, refs: Iterable[str]) -> set[str]:
        """Those of `refs` that name a stored figure the writer may see and correct."""
        wanted = set(refs) - self._passed
        table = FigureRow.__table__
        query = select(FigureRow.ref, FigureRow.organisation_id, FigureRow.sharing).where(
            FigureRow.ref.in_(wanted), self.visible(table)
        )
        found = {
            ref
            for ref, organisation, sharing in self.session.execute(query)
            if self.writer.may_correct(Ownership(organisation, Sharing(sharing)))
        }
        return found | (set(refs) & self._passed)

    def hidden_ids(self, row_type: type[SiteRow], ids: Iterable[str]) -> set[str]:
        """Those of `ids` held by a record the writer may not see."""
        query = select(row_type.id).where(
            row_type.id.in_(set(ids)), ~self.visible(row_type.__table__)
        )
        return set(self.session.scalars(query))

    def section_to_delete(self, section_id: str) -> SectionRow | None:
        """The section `section_id` for an administrator to delete; NotAllowed for others."""
        if not self.writer.deletes_sections:
            raise NotAllowed("only an administrator can delete border sections")
        return self.session.get(SectionRow, section_id)

    def incident_to_change(self, ref: str) -> IncidentRow | None:
        """The incident `ref` for a change of its status: None when the writer may not see
        it (as when there is none), NotAllowed when they see but may not change it."""
        rows = self.session.scalars(
            select(IncidentRow)
            .where(IncidentRow.ref == ref, self.visible(IncidentRow.__table__))
            .order_by(IncidentRow.id)
        ).all()
        for row in rows:
            if self.writer.may_change(Ownership(row.organisation_id, Sharing(row.sharing))):
                return row
        if rows:
            raise NotAllowed("only the reporting organisation or a coordinator can change it")
        return None


def _figures(gate: WriteGate, block: Sequence[Parsed]) -> list[Refused]:
    places = gate.places()
    figures: list[tuple[int, ReportedFigure]] = [(p.line, p.record) for p in block]
    correctable = gate.correctable(f.corrects for _, f in figures if f.corrects)
    refused: list[Refused] = []
    for line, figure in figures:
        if places.kind_of(figure.place) is None:
            refused.append(Refused(line, "place", unknown_place(figure.place)))
        elif figure.corrects and figure.corrects not in correctable:
            refused.append(Refused(line, "corrects", no_correctable_figure(figure.corrects)))
        else:
            gate.passed(figure.ref)
            correctable.add(figure.ref)
    return refused


def _incidents(gate: WriteGate, block: Sequence[Parsed]) -> list[Refused]:
    sections = gate.places().sections
    incidents: list[tuple[int, Incident]] = [(p.line, p.record) for p in block]
    return [
        Refused(line, "section", unknown_section(incident.section))
        for line, incident in incidents
        if incident.section not in sections
    ]


def _sites(gate: WriteGate, block: Sequence[Parsed]) -> list[Refused]:
    sites: list[tuple[int, ReceptionSite]] = [(p.line, p.record) for p in block]
    hidden = gate.hidden_ids(SiteRow, (site.id for _, site in sites))
    return [Refused(line, "id", id_taken(site.id)) for line, site in sites if site.id in hidden]


def _sections(gate: WriteGate, block: Sequence[Parsed]) -> list[Refused]:
    if gate.writer.defines_sections:
        return []
    return [Refused(p.line, "id", SECTIONS_NEED_A_COORDINATOR) for p in block]


def _unknown_destination(place: str) -> str:
    return f"{place!r} is not a known reception site"


def _requests(gate: WriteGate, block: Sequence[Parsed]) -> list[Refused]:
    """A request's destination: a site the writer may see (a hidden one reads as none)."""
    sites = gate.places().sites
    return [
        Refused(p.line, "destination", _unknown_destination(p.record.destination))
        for p in block
        if p.record.destination and p.record.destination not in sites
    ]


def _offers(gate: WriteGate, block: Sequence[Parsed]) -> list[Refused]:
    """An offer's destination as a request's, and the request it answers: one the writer may
    see (a hidden request reads as none)."""
    refused = _requests(gate, block)
    lines = {r.line for r in refused}
    wanted = {p.record.request for p in block if p.record.request and p.line not in lines}
    table = RequestItemRow.__table__
    seen = set(
        gate.session.scalars(
            select(RequestItemRow.request).where(
                RequestItemRow.request.in_(wanted), gate.visible(table)
            )
        )
    )
    refused += [
        Refused(p.line, "request", f"no request {p.record.request!r} is stored")
        for p in block
        if p.line not in lines and p.record.request and p.record.request not in seen
    ]
    return refused


CHECKS: dict[RecordKind, Check] = {
    RecordKind.FIGURES: _figures,
    RecordKind.INCIDENTS: _incidents,
    RecordKind.SITES: _sites,
    RecordKind.SECTIONS: _sections,
    RecordKind.REQUESTS: _requests,
    RecordKind.OFFERS: _offers,
}
"""Every record kind's reference checks; a kind without an entry cannot be written."""
