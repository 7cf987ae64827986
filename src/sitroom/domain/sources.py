"""Where a figure came from: the reporting organisation, the channel and the reference."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from .errors import InvalidValue

# A publication date is often known only to the month or year ("2021-07"); keep the precision
# the source gave rather than invent a day.
_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


class SourceKind(enum.StrEnum):
    OFFICIAL_FEED = "official_feed"
    FIELD_REPORT = "field_report"
    WEB_FORM = "web_form"
    PRESS = "press"

    @property
    def rank(self) -> int:
        """Higher ranks win conflicts: an official feed over a field report over the press."""
        return _RANKS[self]


_RANKS = {
    SourceKind.OFFICIAL_FEED: 3,
    SourceKind.FIELD_REPORT: 2,
    SourceKind.WEB_FORM: 2,
    SourceKind.PRESS: 1,
}


@dataclass(frozen=True, slots=True)
class Source:
    kind: SourceKind
    reference: str
    organisation: str | None = None
    published: str | None = None

    def __post_init__(self) -> None:
        if not self.reference.strip():
            raise InvalidValue("a source needs a URL or a reference")
        if self.published is not None:
            partial_date(self.published)


def partial_date(value: str) -> str:
    text = value.strip()
    if not _PARTIAL_DATE.match(text):
        raise InvalidValue(f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    return text
