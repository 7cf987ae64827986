"""What a record kind needs to travel through files: its columns, a parser and a formatter."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from ...domain.bounds import DateWindow, window_at
from ..table import Column

T = TypeVar("T")


class RecordKind(enum.StrEnum):
    FIGURES = "figures"
    INCIDENTS = "incidents"
    SITES = "sites"
    SECTIONS = "sections"
    REQUESTS = "requests"
    OFFERS = "offers"


@dataclass(frozen=True, slots=True)
class EntryContext:
    """Who is importing and when: the defaults for rows that do not say. The dates a row may
    carry lie in `window`, by default the plausible window as of `entered_at`."""

    entered_by: str
    entered_at: datetime
    window: DateWindow | None = None

    @property
    def dates(self) -> DateWindow:
        return self.window or window_at(self.entered_at)


@dataclass(frozen=True, slots=True)
class RecordSchema(Generic[T]):
    kind: RecordKind
    columns: list[Column]
    parse: Callable[[dict[str, str], EntryContext], T]
    to_cells: Callable[[T], dict[str, str]]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def missing_columns(self, header: list[str]) -> list[str]:
        return [name for name in self.required if name not in header]

    def unknown_columns(self, header: list[str]) -> list[str]:
        known = {c.name for c in self.columns} | {"quarantine_id", "rejected_because"}
        return [name for name in header if name and name not in known]
