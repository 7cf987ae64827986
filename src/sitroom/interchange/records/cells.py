"""Turning cell text into typed values, collecting every problem of a row at once."""

from __future__ import annotations

import enum
import math
from datetime import date, datetime
from typing import TypeVar

from ...domain import bounds
from ...domain.errors import FieldErrors, InvalidValue
from ...domain.sources import Source, SourceKind

E = TypeVar("E", bound=enum.Enum)

# The largest count a column of the store holds: PostgreSQL's INTEGER (SQLite would take more,
# so a file must be refused the same on both, here, rather than fail the whole import there).
MAX_COUNT = 2_147_483_647
# The longest organisation name the store holds (String(200)).
MAX_ORGANISATION = 200


class CellReader:
    """Reads one row's cells; each failed field is remembered, and `done()` raises them all.
    Dates must fall in `window` (domain.bounds)."""

    def __init__(self, cells: dict[str, str], window: bounds.DateWindow) -> None:
        self.cells = cells
        self.window = window
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

    def integer(
        self,
        name: str,
        *,
        required: bool = False,
        default: int = 0,
        most: int = MAX_COUNT,
        limit: str = "the largest count stored",
    ) -> int:
        """A count written in digits, at most `most` (`limit` names it in the message)."""
        raw = self.text(name, required=required)
        if not raw:
            return default
        if (problem := bounds.count_problem(raw, most, limit)) is not None:
            self.errors[name] = problem
            return default
        return int(raw)

    def number(self, name: str, *, required: bool = False) -> float:
        raw = self.text(name, required=required)
        if not raw:
            return math.nan
        if "," in raw:
            self.errors[name] = (
                f"{raw!r}: write numbers with a decimal point and no thousands separator, "
                "e.g. 1234.5"
            )
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
                return self.window.check(bounds.calendar_day(raw))
            except InvalidValue as exc:
                self.errors[name] = str(exc)
        return date.min

    def moment(self, name: str, *, required: bool = True) -> datetime:
        raw = self.text(name, required=required)
        if raw:
            try:
                value = datetime.fromisoformat(raw)
            except ValueError:
                self.errors[name] = _moment_problem(raw)
            else:
                if value.tzinfo is None:
                    self.errors[name] = f"{raw!r} has no time zone; add one, e.g. +03:00 or Z"
                elif not moment_fits(value):
                    self.errors[name] = (
                        f"{raw!r}: give the time zone in hours and minutes, e.g. +03:00"
                    )
                elif (problem := self.window.problem(value.date())) is not None:
                    self.errors[name] = problem
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
            problem = bounds.published_problem(published, self.window)
            if problem is not None:
                self.errors["source_published"] = problem
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


def _moment_problem(raw: str) -> str:
    """Why `raw` is not a time: its date part's own fault when it has one, said plainly."""
    try:
        bounds.calendar_day(raw[:10])
    except InvalidValue as exc:
        if len(raw) > 10 and raw[4:5] == "-" and raw[7:8] == "-":
            return f"{exc} in {raw!r}"
    return f"{raw!r} is not a time like 2021-07-03T02:10+03:00"


def moment_fits(value: datetime) -> bool:
    """Whether `value` written with seconds fits the store's time columns (String(32)): not
    when its time zone offset has fractions of a second, which no real offset has."""
    offset = value.utcoffset()
    return offset is None or not offset.microseconds
