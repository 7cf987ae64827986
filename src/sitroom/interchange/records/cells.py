"""Turning cell text into typed values, collecting every problem of a row at once."""

from __future__ import annotations

import enum
import math
from datetime import date, datetime
from typing import TypeVar

from ...domain.errors import FieldErrors, InvalidValue
from ...domain.sources import Source, SourceKind, partial_date

E = TypeVar("E", bound=enum.Enum)

# The largest count a column of the store holds: PostgreSQL's INTEGER (SQLite would take more,
# so a file must be refused the same on both, here, rather than fail the whole import there).
MAX_COUNT = 2_147_483_647
# The longest organisation name the store holds (String(200)).
MAX_ORGANISATION = 200


class CellReader:
    """Reads one row's cells; each failed field is remembered, and `done()` raises them all."""

    def __init__(self, cells: dict[str, str]) -> None:
        self.cells = cells
        self.errors: dict[str, str] = {}

    def text(self, name: str, *, required: bool = False, max_length: int = 2000) -> str:
        value = self.cells.get(name, "").strip()
        if required and not value:
            self.errors[name] = "is required" if name in self.cells else "column is missing"
        elif len(value) > max_length:
            self.errors[name] = f"is longer than {max_length} characters"
        return value

    def optional(self, name: str) -> str | None:
        return self.text(name) or None

    def integer(self, name: str, *, required: bool = False, default: int = 0) -> int:
        raw = self.text(name, required=required)
        if not raw:
            return default
        try:
            number = float(raw)
        except ValueError:
            self.errors[name] = f"{raw!r} is not a whole number"
            return default
        if not number.is_integer():
            self.errors[name] = f"{raw!r} is not a whole number"
            return default
        if number > MAX_COUNT:
            self.errors[name] = f"{raw!r} is more than {MAX_COUNT}, the largest count stored"
            return default
        return int(number)

    def number(self, name: str, *, required: bool = False) -> float:
        raw = self.text(name, required=required)
        if not raw:
            return math.nan
        if "," in raw:
            self.errors[name] = f"{raw!r}: write numbers with digits only, no thousands separator"
            return math.nan
        try:
            return float(raw)
        except ValueError:
            self.errors[name] = f"{raw!r} is not a number"
            return math.nan

    def optional_number(self, name: str) -> float | None:
        value = self.number(name)
        return None if math.isnan(value) else value

    def day(self, name: str, *, required: bool = True) -> date:
        raw = self.text(name, required=required)
        if raw:
            try:
                return date.fromisoformat(raw)
            except ValueError:
                self.errors[name] = f"{raw!r} is not a date of the form YYYY-MM-DD"
        return date.min

    def moment(self, name: str, *, required: bool = True) -> datetime:
        raw = self.text(name, required=required)
        if raw:
            try:
                value = datetime.fromisoformat(raw)
            except ValueError:
                self.errors[name] = f"{raw!r} is not a time like 2021-07-03T02:10+03:00"
            else:
                if value.tzinfo is None:
                    self.errors[name] = f"{raw!r} has no time zone; add one, e.g. +03:00 or Z"
                elif not moment_fits(value):
                    self.errors[name] = (
                        f"{raw!r}: give the time zone in hours and minutes, e.g. +03:00"
                    )
                return value
        return datetime.min

    def choice(self, name: str, options: type[E], *, default: E | None = None) -> E:
        raw = self.text(name, required=default is None).lower()
        if not raw and default is not None:
            return default
        try:
            return options(raw)
        except ValueError:
            if raw:
                allowed = ", ".join(str(o.value) for o in options)
                self.errors[name] = f"{raw!r} is not one of: {allowed}"
            return default if default is not None else next(iter(options))

    def source(self) -> Source | None:
        kind = self.choice("source_kind", SourceKind)
        reference = self.text("source_url", required=True)
        published = self.optional("source_published")
        if published:
            try:
                partial_date(published)
            except InvalidValue as exc:
                self.errors["source_published"] = str(exc)
                published = None
        organisation = self.text("source_organisation", max_length=MAX_ORGANISATION) or None
        if "source_kind" in self.errors or "source_url" in self.errors:
            return None
        return Source(kind, reference, organisation, published)

    def fail(self, name: str, reason: str) -> None:
        self.errors.setdefault(name, reason)

    def done(self) -> None:
        if self.errors:
            raise FieldErrors(self.errors)


def moment_fits(value: datetime) -> bool:
    """Whether `value` written with seconds fits the store's time columns (String(32)): not
    when its time zone offset has fractions of a second, which no real offset has."""
    offset = value.utcoffset()
    return offset is None or not offset.microseconds
