"""The row parser's rules for one cell text of an incident, as `incident_columns` applies them
once per distinct text of a column: most columns of a large file repeat a few values.

Each reader takes the text stripped and gives what the store keeps, or None where the row
parser would not read the text to itself (`incident_columns` then leaves the row to it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from ...domain.bounds import DateWindow, published_problem
from ...domain.errors import InvalidValue
from ...domain.incidents import Confidence, IncidentCategory, IncidentStatus
from ...domain.sources import SourceKind
from .cells import moment_fits
from .incidents import parse_nationalities
from .schema import EntryContext

TEXT_MAX = 2000
"""The longest texts the row parser lets through (see incidents._parse_clean)."""

Reader = Callable[[str], str | None]

_CATEGORIES = {c.value: c.value for c in IncidentCategory}
_STATUSES = {s.value: s.value for s in IncidentStatus}
_CONFIDENCES = {c.value: c.value for c in Confidence}
_SOURCE_KINDS = {k.value: k.value for k in SourceKind}


def readers(context: EntryContext, sections: Iterable[str]) -> dict[str, Reader]:
    """A reader for each column read once per distinct text. A section must be one of
    `sections`."""
    known = set(sections)
    return {
        "section": lambda v: u if (u := v.upper()) in known else None,
        "category": lambda v: _CATEGORIES.get(v.lower()),
        "status": lambda v: _STATUSES.get(v.lower()) if v else "reported",
        "confidence": lambda v: _CONFIDENCES.get(v.lower()) if v else "medium",
        "source_kind": lambda v: _SOURCE_KINDS.get(v.lower()),
        "source_published": lambda v: _published(v, context.dates),
        "entered_at": lambda v: _entered(v, context),
    }


def _published(text: str, window: DateWindow) -> str | None:
    if not text:
        return ""
    if len(text) > TEXT_MAX or published_problem(text, window) is not None:
        return None
    return text


def _entered(text: str, context: EntryContext) -> str | None:
    if not text:
        return context.entered_at.isoformat(timespec="seconds")
    if len(text) > TEXT_MAX:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None or not moment_fits(moment):
        return None
    if context.dates.problem(moment.date()) is not None:
        return None
    return moment.isoformat(timespec="seconds")


# Lists such as "IQ:3;SY:1" recur across the blocks of a file: each is read once (bounded).
_NATIONALITY_LISTS: dict[str, dict[str, object] | None] = {}
_LISTS_KEPT = 1 << 16


def nationalities(text: str) -> dict[str, object] | None:
    """A list such as "SY:1;IQ:3" as stored ("text", sorted by code), its "total" and its
    "least" count."""
    try:
        return _NATIONALITY_LISTS[text]
    except KeyError:
        pass
    if len(_NATIONALITY_LISTS) >= _LISTS_KEPT:
        _NATIONALITY_LISTS.clear()
    read = _NATIONALITY_LISTS[text] = _read_nationalities(text)
    return read


def _read_nationalities(text: str) -> dict[str, object] | None:
    if len(text) > TEXT_MAX:
        return None
    try:
        pairs = parse_nationalities(text)
    except (InvalidValue, ValueError):
        return None
    counts = [n for _, n in pairs]
    return {
        "text": ";".join(f"{code}:{n}" for code, n in pairs),
        "total": sum(counts),
        "least": min(counts, default=1),
    }
