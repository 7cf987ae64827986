"""Where imported requests and offers go: each is defined once by its ref (the same row again is
a duplicate; other values under a stored ref are refused), and every reference it makes — the
request it answers, its package, the offers it revises, its destination — must exist."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.assistance import Offer, RequestItem
from ..interchange.records.schema import RecordKind
from ..store import assistance_mapping as mapping
from ..store.assistance_tables import OfferRow, RequestItemRow
from ..store.tables import ImportBatchRow
from .sinks import ChunkOutcome, Parsed, Refused
from .write_gate import WriteGate

# What sitroom itself changes after an offer is stored; a file holding the older state of an
# offer that has moved on since is the same offer, not a conflicting one.
LIFECYCLE = frozenset(
    {"status", "accepted_on", "dispatched_on", "delivered_on", "delivered_quantity"}
)


class _AssistanceSink:
    row_type: type[RequestItemRow] | type[OfferRow]

    kind: RecordKind

    def __init__(self, session: Session, batch_id: int, gate: WriteGate) -> None:
        self.session, self.batch_id, self.gate = session, batch_id, gate
        batch = session.get(ImportBatchRow, batch_id)
        assert batch is not None
        self.entered_by, self.entered_at = batch.imported_by, batch.imported_at
        self.sites = gate.places().sites

    def check(self, record: Any) -> Refused | None:
        raise NotImplementedError

    def values(self, record: Any) -> dict[str, Any]:
        raise NotImplementedError

    def take(self, chunk: Sequence[Parsed]) -> ChunkOutcome:
        accepted = duplicate = 0
        refused = self.gate.check(self.kind, chunk)
        gated = {r.line for r in refused}
        good: list[int] = []
        for item in chunk:
            if item.line in gated:
                continue
            problem = self.check(item.record)
            if problem is not None:
                refused.append(Refused(item.line, problem.field, problem.reason))
                continue
            values = self.values(item.record)
            # Stored as the writer's, in the insert itself (write_gate.owner for figures).
            values["organisation_id"] = self.gate.writer.organisation_id
            values["sharing"] = self.gate.writer.sharing.value
            existing = self.session.scalars(
                select(self.row_type).where(self.row_type.ref == values["ref"])
            ).first()
            if existing is None:
                self.session.add(self.row_type(**values, import_batch_id=self.batch_id))
                self.session.flush()
                accepted += 1
            elif self._same(existing, values):
                duplicate += 1
            else:
                refused.append(
                    Refused(
                        item.line,
                        "ref",
                        f"{values['ref']} is already stored with other values; change it "
                        "through sitroom, or give a new record a new ref",
                    )
                )
                continue
            good.append(item.line)
        return ChunkOutcome(accepted, duplicate, refused, good)

    def _same(self, existing: Any, values: dict[str, Any]) -> bool:
        ignored = set(mapping.SAME_RECORD_IGNORES)
        if getattr(existing, "version", 1) > 1:
            ignored |= LIFECYCLE
        return all(getattr(existing, k) == v for k, v in values.items() if k not in ignored)

    def _unknown_site(self, destination: str | None) -> Refused | None:
        if destination and destination not in self.sites:
            return Refused(0, "destination", f"{destination!r} is not a known reception site")
        return None


class RequestSink(_AssistanceSink):
    kind = RecordKind.REQUESTS
    row_type = RequestItemRow

    def check(self, record: RequestItem) -> Refused | None:
        return self._unknown_site(record.destination)

    def values(self, record: RequestItem) -> dict[str, Any]:
        return mapping.request_values(record, self.entered_by, self.entered_at)


class OfferSink(_AssistanceSink):
    kind = RecordKind.OFFERS
    row_type = OfferRow

    def check(self, record: Offer) -> Refused | None:
        if record.request and not self._request_owner_known(record.request):
            return Refused(0, "request", f"no request {record.request!r} is stored")
        if record.package:
            found = self.session.scalar(
                select(OfferRow.is_package).where(OfferRow.ref == record.package)
            )
            if not found:
                return Refused(
                    0, "package", f"{record.package!r} is not a stored package row (is_package)"
                )
        if record.supersedes:
            stored = set(
                self.session.scalars(
                    select(OfferRow.ref).where(OfferRow.ref.in_(record.supersedes))
                )
            )
            if missing := [r for r in record.supersedes if r not in stored]:
                return Refused(0, "supersedes", f"no stored offer {missing[0]!r} to revise")
        return self._unknown_site(record.destination)

    def _request_owner_known(self, request: str) -> bool:
        count = self.session.scalar(
            select(func.count())
            .select_from(RequestItemRow)
            .where(RequestItemRow.request == request)
        )
        return bool(count)

    def values(self, record: Offer) -> dict[str, Any]:
        values = mapping.offer_values(record, self.entered_by, self.entered_at)
        if record.request:
            values["recipient_organisation_id"] = self.session.scalar(
                select(func.min(RequestItemRow.organisation_id)).where(
                    RequestItemRow.request == record.request
                )
            )
        return values
