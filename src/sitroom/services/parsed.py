"""A parsed row on its way to be stored, and a row refused on the way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
