"""`sitroom check`: the stored figures and incidents held to today's rules (domain.bounds).
A row stored before a rule existed that breaks it is moved to the quarantine with every cell
it had and the reason, as if an import had just rejected it: nothing is lost, it can be
exported, fixed and imported again, and until then no series is computed from it. One
commit; `dry_run` only says what it would move."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from ..domain import bounds
from ..domain.errors import filed_reason
from ..domain.incidents import IncidentCategory
from ..domain.measures import Measure, Qualifier
from ..domain.sources import SourceKind
from ..interchange.records.schema import RecordKind
from ..store.engine import UnitOfWork
from ..store.tables import FigureRow, ImportBatchRow, IncidentRow, QuarantineRow

if TYPE_CHECKING:
    from sqlalchemy import Engine

_BLOCK = 10_000


@dataclass(frozen=True, slots=True)
class Breach:
    kind: RecordKind
    ref: str
    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class CheckRun:
    examined: dict[RecordKind, int]
    breaches: list[Breach]
    quarantined: bool


Problems = Callable[[dict[str, Any], bounds.DateWindow], dict[str, str]]


def check_stored(engine: Engine, *, now: datetime | None = None, dry_run: bool = False) -> CheckRun:
    """Every stored figure and incident against the rules as of `now`; those that break one
    leave their table for the quarantine unless `dry_run`."""
    now = now or datetime.now(UTC)
    window = bounds.window_at(now)
    examined: dict[RecordKind, int] = {}
    breaches: list[Breach] = []
    with UnitOfWork(engine) as uow:
        for kind, table, problems, cells in _KINDS:
            found = list(_breaking(uow.session, table, problems, window, examined, kind))
            breaches += [Breach(kind, row["ref"], *filed_reason(errors)) for row, errors in found]
            if found and not dry_run:
                _quarantine(uow.session, kind, table, found, cells, examined[kind], now)
        if not dry_run:
            uow.commit()
    return CheckRun(examined, breaches, quarantined=not dry_run)


def _breaking(
    session: Session,
    table: Table,
    problems: Problems,
    window: bounds.DateWindow,
    examined: dict[RecordKind, int],
    kind: RecordKind,
) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
    examined[kind] = 0
    query = select(table).order_by(table.c.id).execution_options(yield_per=_BLOCK)
    for row in session.execute(query).mappings():
        examined[kind] += 1
        values = dict(row)
        if errors := problems(values, window):
            yield values, errors


def _quarantine(
    session: Session,
    kind: RecordKind,
    table: Table,
    found: list[tuple[dict[str, Any], dict[str, str]]],
    cells: Callable[[dict[str, Any]], dict[str, str]],
    examined: int,
    now: datetime,
) -> None:
    refs = "\n".join(row["ref"] for row, _ in found)
    batch = ImportBatchRow(
        file_name="sitroom check",
        file_sha256=hashlib.sha256(refs.encode()).hexdigest(),
        record_kind=kind.value,
        file_format="stored",
        imported_by="sitroom check",
        imported_at=now,
        rows_read=examined,
        rows_accepted=0,
        rows_duplicate=0,
        rows_rejected=len(found),
    )
    session.add(batch)
    session.flush()
    rows = []
    for row, errors in found:
        field, reason = filed_reason(errors)
        # The row's ownership and where it came from travel with its cells: nothing is lost.
        kept = {
            **cells(row),
            "stored_id": str(row["id"]),
            "import_batch_id": _text(row["import_batch_id"]),
            "organisation_id": _text(row["organisation_id"]),
            "sharing": _text(row["sharing"]),
        }
        digest = hashlib.blake2b(
            json.dumps(["stored", kind.value, row["ref"]]).encode(), digest_size=16
        )
        rows.append(
            {
                "ref": digest.hexdigest(),
                "batch_id": batch.id,
                "record_kind": kind.value,
                "line": 0,
                "raw": kept,
                "field": field[:64],
                "reason": reason,
            }
        )
    session.execute(insert(QuarantineRow), rows)
    ids = [row["id"] for row, _ in found]
    for start in range(0, len(ids), 1000):
        session.execute(delete(table).where(table.c.id.in_(ids[start : start + 1000])))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _day_problem(value: object, window: bounds.DateWindow) -> str | None:
    if not isinstance(value, date):
        try:
            value = bounds.calendar_day(str(value))
        except ValueError as exc:
            return str(exc)
    return window.problem(value)


def _moment_problem(text: str, window: bounds.DateWindow) -> str | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return f"{text!r} is not a time like 2021-07-03T02:10+03:00"
    return window.problem(moment.date())


def _source_problems(row: dict[str, Any], window: bounds.DateWindow) -> dict[str, str]:
    errors: dict[str, str] = {}
    if row["source_kind"] not in _SOURCE_KINDS:
        errors["source_kind"] = f"{row['source_kind']!r} is not a kind of source"
    published = row["source_published"]
    if published and (problem := bounds.published_problem(published, window)):
        errors["source_published"] = problem
    if problem := _moment_problem(row["entered_at"], window):
        errors["entered_at"] = problem
    return errors


def figure_problems(row: dict[str, Any], window: bounds.DateWindow) -> dict[str, str]:
    """What in a stored figure row breaks today's rules, by field."""
    errors: dict[str, str] = {}
    measure = _MEASURES.get(row["measure"])
    if measure is None:
        errors["measure"] = f"{row['measure']!r} is not a measure"
    for name in ("period_start", "period_end"):
        if problem := _day_problem(row[name], window):
            errors[name] = problem
    if measure is not None:
        most = bounds.MOST_IN_ONE_FIGURE[measure]
        limit = bounds.figure_limit(measure)
        if problem := bounds.stored_count_problem(float(row["value"]), most, limit):
            errors["value"] = problem
    if row["qualifier"] not in _QUALIFIERS:
        errors["qualifier"] = f"{row['qualifier']!r} is not a qualifier"
    return errors | _source_problems(row, window)


def incident_problems(row: dict[str, Any], window: bounds.DateWindow) -> dict[str, str]:
    """What in a stored incident row breaks today's rules, by field."""
    errors: dict[str, str] = {}
    if problem := _moment_problem(row["occurred_at"], window):
        errors["occurred_at"] = problem
    if row["category"] not in _CATEGORIES:
        errors["category"] = f"{row['category']!r} is not a category"
    for name in ("persons", "minors"):
        most, limit = bounds.MOST_IN_ONE_INCIDENT, bounds.INCIDENT_LIMIT
        if problem := bounds.stored_count_problem(float(row[name]), most, limit):
            errors[name] = problem
    return errors | _source_problems(row, window)


def _figure_cells(row: dict[str, Any]) -> dict[str, str]:
    return {
        "ref": row["ref"],
        "measure": row["measure"],
        "place": row["place"],
        "period_start": _text(row["period_start"]),
        "period_end": _text(row["period_end"]),
        "value": _text(row["value"]),
        "qualifier": row["qualifier"],
        "source_kind": row["source_kind"],
        "source_organisation": _text(row["source_organisation"]),
        "source_url": row["source_reference"],
        "source_published": _text(row["source_published"]),
        "corrects": _text(row["corrects"]),
        "entered_by": row["entered_by"],
        "entered_at": row["entered_at"],
        "note": _text(row["note"]),
    }


def _incident_cells(row: dict[str, Any]) -> dict[str, str]:
    return {
        "ref": row["ref"],
        "external_ref": _text(row["external_ref"]),
        "occurred_at": row["occurred_at"],
        "section": row["section"],
        "lon": _text(row["lon"]),
        "lat": _text(row["lat"]),
        "category": row["category"],
        "persons": _text(row["persons"]),
        "minors": _text(row["minors"]),
        "nationalities": _text(row["nationalities"]),
        "description": _text(row["description"]),
        "status": row["status"],
        "confidence": row["confidence"],
        "source_kind": row["source_kind"],
        "source_organisation": _text(row["source_organisation"]),
        "source_url": row["source_reference"],
        "source_published": _text(row["source_published"]),
        "entered_by": row["entered_by"],
        "entered_at": row["entered_at"],
    }


_MEASURES = {m.value: m for m in Measure}
_QUALIFIERS = {q.value for q in Qualifier}
_CATEGORIES = {c.value for c in IncidentCategory}
_SOURCE_KINDS = {k.value for k in SourceKind}

_KINDS: list[tuple[RecordKind, Table, Problems, Callable[[dict[str, Any]], dict[str, str]]]] = [
    (RecordKind.FIGURES, FigureRow.__table__, figure_problems, _figure_cells),  # type: ignore[list-item]
    (RecordKind.INCIDENTS, IncidentRow.__table__, incident_problems, _incident_cells),  # type: ignore[list-item]
]
