"""Record kinds by name, and which kind a file holds, judged from its header."""

from __future__ import annotations

from typing import Any

from .figures import FIGURES
from .incidents import INCIDENTS
from .offers import OFFERS
from .places import SECTIONS, SITES
from .requests import REQUESTS
from .schema import RecordKind, RecordSchema

SCHEMAS: dict[RecordKind, RecordSchema[Any]] = {
    RecordKind.FIGURES: FIGURES,
    RecordKind.INCIDENTS: INCIDENTS,
    RecordKind.SITES: SITES,
    RecordKind.SECTIONS: SECTIONS,
    RecordKind.REQUESTS: REQUESTS,
    RecordKind.OFFERS: OFFERS,
}


def guess_kind(header: list[str]) -> RecordKind | None:
    """The kind whose required columns the header covers best; None if none fits at all."""
    score, kind = _scored(header)[0]
    return kind if score >= 0.5 else None


def closest_kind(header: list[str]) -> RecordKind:
    """The kind whose required columns the header covers best, however few."""
    return _scored(header)[0][1]


def _scored(header: list[str]) -> list[tuple[float, RecordKind]]:
    return sorted(
        (
            (len(set(s.required) & set(header)) / len(s.required), kind)
            for kind, s in SCHEMAS.items()
        ),
        reverse=True,
    )
