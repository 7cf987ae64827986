"""Where parsed rows go, per record kind: checks against what is stored, then the insert."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.figures import ReportedFigure
from ..domain.incidents import Incident
from ..interchange.records.schema import RecordKind
from ..store import mapping
from ..store.bulk import insert_new
from ..store.tables import FigureRow, SectionRow, SiteRow
from .places import KnownPlaces, known_places


@dataclass(frozen=True, slots=True)
class Parsed:
    line: int
    record: Any
    cells: dict[str, str]


@dataclass(frozen=True, slots=True)
class Refused:
    line: int
    field: str
    reason: str


@dataclass(slots=True)
class ChunkOutcome:
    accepted: int
    duplicate: int
    refused: list[Refused]
    stored_lines: list[int]


class Sink(Protocol):
    def take(self, chunk: Sequence[Parsed]) -> ChunkOutcome: ...


class FigureSink:
    def __init__(self, session: Session, batch_id: int) -> None:
        self.session, self.batch_id = session, batch_id
        self.places: KnownPlaces = known_places(session)
        self.refs_in_file: set[str] = set()

    def take(self, chunk: Sequence[Parsed]) -> ChunkOutcome:
        wanted = {p.record.corrects for p in chunk if p.record.corrects} - self.refs_in_file
        stored = set(self.session.scalars(select(FigureRow.ref).where(FigureRow.ref.in_(wanted))))
        refused: list[Refused] = []
        good: list[Parsed] = []
        rows: list[tuple[Any, ...]] = []
        for item in chunk:
            figure: ReportedFigure = item.record
            kind = self.places.kind_of(figure.place)
            if kind is None:
                refused.append(
                    Refused(
                        item.line,
                        "place",
                        f"{figure.place!r} is not a known "
                        "country code, border section or reception site",
                    )
                )
                continue
            if figure.corrects and figure.corrects not in stored | self.refs_in_file:
                refused.append(
                    Refused(
                        item.line, "corrects", f"no stored figure has the ref {figure.corrects!r}"
                    )
                )
                continue
            self.refs_in_file.add(figure.ref)
            good.append(item)
            rows.append(mapping.figure_values(figure, kind, self.batch_id))
        inserted = insert_new(self.session, "figures", mapping.FIGURE_COLUMNS, rows)
        return ChunkOutcome(inserted, len(rows) - inserted, refused, [p.line for p in good])


class IncidentSink:
    def __init__(self, session: Session, batch_id: int) -> None:
        self.session, self.batch_id = session, batch_id
        self.sections = known_places(session).sections

    def take(self, chunk: Sequence[Parsed]) -> ChunkOutcome:
        refused: list[Refused] = []
        good: list[int] = []
        rows: list[tuple[Any, ...]] = []
        for item in chunk:
            incident: Incident = item.record
            if incident.section not in self.sections:
                refused.append(
                    Refused(
                        item.line, "section", f"{incident.section!r} is not a known border section"
                    )
                )
                continue
            good.append(item.line)
            rows.append(mapping.incident_values(incident, self.batch_id))
        inserted = insert_new(self.session, "incidents", mapping.INCIDENT_COLUMNS, rows)
        return ChunkOutcome(inserted, len(rows) - inserted, refused, good)


class _DefinitionSink:
    """Sites and sections are defined once: the same definition again is a duplicate, a
    different one under the same id is refused rather than silently overwriting it."""

    row_type: type[SiteRow] | type[SectionRow]
    values: Callable[[Any], dict[str, Any]]
    # Sites are owned by whoever uploads them, found by their batch; sections are shared
    # geography that nobody owns.
    keeps_batch = False

    def __init__(self, session: Session, batch_id: int) -> None:
        self.session = session
        self.batch_id = batch_id

    def take(self, chunk: Sequence[Parsed]) -> ChunkOutcome:
        accepted = duplicate = 0
        refused: list[Refused] = []
        good: list[int] = []
        for item in chunk:
            values = type(self).values(item.record)
            existing = self.session.get(self.row_type, values["id"])
            if existing is None:
                batch = {"import_batch_id": self.batch_id} if self.keeps_batch else {}
                self.session.add(self.row_type(**values, **batch))
                self.session.flush()
                accepted += 1
            elif all(getattr(existing, k) == v for k, v in values.items()):
                duplicate += 1
            else:
                refused.append(
                    Refused(
                        item.line,
                        "id",
                        f"{values['id']} is already defined "
                        "with other values; give the changed one a new id",
                    )
                )
                continue
            good.append(item.line)
        return ChunkOutcome(accepted, duplicate, refused, good)


class SiteSink(_DefinitionSink):
    row_type = SiteRow
    values = staticmethod(mapping.site_values)
    keeps_batch = True


class SectionSink(_DefinitionSink):
    row_type = SectionRow
    values = staticmethod(mapping.section_values)


SINKS: dict[RecordKind, Callable[[Session, int], Sink]] = {
    RecordKind.FIGURES: FigureSink,
    RecordKind.INCIDENTS: IncidentSink,
    RecordKind.SITES: SiteSink,
    RecordKind.SECTIONS: SectionSink,
}

# Requests and offers have their own module, which builds on the classes above.
from .assist_sinks import OfferSink, RequestSink  # noqa: E402

SINKS[RecordKind.REQUESTS] = RequestSink
SINKS[RecordKind.OFFERS] = OfferSink
