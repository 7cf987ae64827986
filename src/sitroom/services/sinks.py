"""Where parsed rows go, per record kind: the writer's checks (`write_gate`, the one
authorisation path), then the insert with the writer's ownership."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from ..domain.figures import ReportedFigure
from ..domain.incidents import Incident
from ..interchange.records.schema import RecordKind
from ..store import mapping
from ..store.bulk import insert_new
from ..store.staleness import note_changed_series
from ..store.tables import SectionRow, SiteRow
from .parsed import Parsed, Refused
from .write_gate import WriteGate, id_taken

__all__ = ["SINKS", "ChunkOutcome", "Parsed", "Refused", "Sink"]


@dataclass(slots=True)
class ChunkOutcome:
    accepted: int
    duplicate: int
    refused: list[Refused]
    stored_lines: list[int]


class Sink(Protocol):
    def take(self, chunk: Sequence[Parsed]) -> ChunkOutcome: ...


def _passing(
    gate: WriteGate, kind: RecordKind, chunk: Sequence[Parsed]
) -> tuple[list[Parsed], list[Refused]]:
    """The chunk's rows the writer may store, and the refused ones (write_gate)."""
    refused = gate.check(kind, chunk)
    lines = {r.line for r in refused}
    return [p for p in chunk if p.line not in lines], refused


class FigureSink:
    def __init__(self, session: Session, batch_id: int, gate: WriteGate) -> None:
        self.session, self.batch_id, self.gate = session, batch_id, gate

    def take(self, chunk: Sequence[Parsed]) -> ChunkOutcome:
        good, refused = _passing(self.gate, RecordKind.FIGURES, chunk)
        places, owner = self.gate.places(), self.gate.owner
        rows: list[tuple[Any, ...]] = []
        for item in good:
            figure: ReportedFigure = item.record
            kind = places.kind_of(figure.place)
            assert kind is not None  # the gate refused unknown places
            rows.append(mapping.figure_values(figure, kind, self.batch_id, owner))
        inserted = insert_new(self.session, "figures", mapping.FIGURE_COLUMNS, rows)
        if inserted:
            # Duplicates among them are marked too: recomputing an unchanged series is a no-op.
            changed = {(p.record.measure.value, p.record.place) for p in good}
            note_changed_series(self.session, changed)
        return ChunkOutcome(inserted, len(rows) - inserted, refused, [p.line for p in good])


class IncidentSink:
    def __init__(self, session: Session, batch_id: int, gate: WriteGate) -> None:
        self.session, self.batch_id, self.gate = session, batch_id, gate

    def take(self, chunk: Sequence[Parsed]) -> ChunkOutcome:
        good, refused = _passing(self.gate, RecordKind.INCIDENTS, chunk)
        owner = self.gate.owner
        rows: list[tuple[Any, ...]] = []
        for item in good:
            incident: Incident = item.record
            rows.append(mapping.incident_values(incident, self.batch_id, owner))
        inserted = insert_new(self.session, "incidents", mapping.INCIDENT_COLUMNS, rows)
        return ChunkOutcome(inserted, len(rows) - inserted, refused, [p.line for p in good])


class _DefinitionSink:
    """Sites and sections are defined once: the same definition again is a duplicate, a
    different one under the same id is refused rather than silently overwriting it."""

    kind: RecordKind
    row_type: type[SiteRow] | type[SectionRow]
    values: Callable[[Any], dict[str, Any]]
    # Sites are owned by whoever defines them (found by their batch too); sections are shared
    # geography that nobody owns.
    owned = False

    def __init__(self, session: Session, batch_id: int, gate: WriteGate) -> None:
        self.session, self.batch_id, self.gate = session, batch_id, gate

    def take(self, chunk: Sequence[Parsed]) -> ChunkOutcome:
        accepted = duplicate = 0
        passing, refused = _passing(self.gate, self.kind, chunk)
        good: list[int] = []
        for item in passing:
            values = type(self).values(item.record)
            # The gate refused ids held by a definition the writer may not see.
            existing = self.session.get(self.row_type, values["id"])
            if existing is None:
                self.session.add(self.row_type(**values, **self._ownership()))
                self.session.flush()
                accepted += 1
            elif all(getattr(existing, k) == v for k, v in values.items()):
                duplicate += 1
            else:
                refused.append(Refused(item.line, "id", id_taken(values["id"])))
                continue
            good.append(item.line)
        return ChunkOutcome(accepted, duplicate, refused, good)

    def _ownership(self) -> dict[str, Any]:
        if not self.owned:
            return {}
        organisation, sharing, _ = self.gate.owner
        return {
            "import_batch_id": self.batch_id,
            "organisation_id": organisation,
            "sharing": sharing,
        }


class SiteSink(_DefinitionSink):
    kind = RecordKind.SITES
    row_type = SiteRow
    values = staticmethod(mapping.site_values)
    owned = True


class SectionSink(_DefinitionSink):
    kind = RecordKind.SECTIONS
    row_type = SectionRow
    values = staticmethod(mapping.section_values)


SINKS: dict[RecordKind, Callable[[Session, int, WriteGate], Sink]] = {
    RecordKind.FIGURES: FigureSink,
    RecordKind.INCIDENTS: IncidentSink,
    RecordKind.SITES: SiteSink,
    RecordKind.SECTIONS: SectionSink,
}

# Requests and offers have their own module, which builds on the classes above.
from .assist_sinks import OfferSink, RequestSink  # noqa: E402

SINKS[RecordKind.REQUESTS] = RequestSink
SINKS[RecordKind.OFFERS] = OfferSink
