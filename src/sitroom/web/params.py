"""Query and path parameters, checked at the edge for the API and the pages alike.

Every value a route reads from an address is one of these types, so a value the database
could not hold (a NUL character, an integer past 64 bits) is a 422 naming the parameter, never
a 500. Each constraint is written into the OpenAPI document too (a pattern, a range, an enum),
so what the schema promises and what the server accepts are the same thing; the contract test
(tests/web/test_api_contract.py) holds them to it.

Pages send every field of a filter form, empty or not: their variants (`Page*`) read an empty
value as "not given"; the API's refuse it, as its schema says."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BeforeValidator, StringConstraints

from ..domain.alarms import AlarmState
from ..domain.incidents import IncidentCategory, IncidentStatus
from ..domain.measures import Measure
from ..interchange.registry import Format

# Printable text only: no C0 control characters (NUL among them: PostgreSQL refuses it in
# text) and no DEL. Tabs and line breaks have no place in a filter or an identifier either.
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
# A body's free text (a description, a note) may hold tabs and line breaks, and no other
# control character: the same rule the file readers apply (interchange/text_checks.py).
BODY_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
COUNTRY = r"^[A-Za-z]{2}$"
# Ids are INTEGER columns: PostgreSQL's 32-bit range is the narrower of the two databases.
MAX_ID = 2**31 - 1
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
MAX_TEXT = 64

_ISO_DATE = re.compile(ISO_DATE)


def _iso_date(value: Any) -> Any:
    # pydantic would also read 0, "1625097600" or "2021-07-03T00:00" as a day; the schema
    # says format: date, and so does the server.
    if value is None or isinstance(value, date):
        return value
    if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


IsoDate = BeforeValidator(_iso_date)
BlankIsNone = BeforeValidator(_blank_is_none)

# --- the API's query parameters -------------------------------------------------------------

Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"At most this many records (1–{MAX_LIMIT})")
]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many records")]
MeasureQuery = Annotated[Measure | None, Query(description="One measure of the controlled list")]
CountryQuery = Annotated[str | None, Query(pattern=COUNTRY, description="ISO 3166-1 alpha-2 code")]
PlaceQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=MAX_TEXT,
        pattern=PRINTABLE,
        description="A country code, border section or reception site id",
    ),
]
RequiredPlace = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_TEXT,
        pattern=PRINTABLE,
        description="A country code, border section or reception site id",
    ),
]
DayQuery = Annotated[date | None, IsoDate, Query(description="A day, YYYY-MM-DD (inclusive)")]
CategoryQuery = Annotated[IncidentCategory | None, Query(description="An incident category")]
StatusQuery = Annotated[IncidentStatus | None, Query(description="An incident's status")]
AlarmStates = Annotated[
    list[AlarmState] | None,
    Query(max_length=len(AlarmState), description="Alarm states; open ones when not given"),
]
FormatQuery = Annotated[
    Format | None,
    Query(alias="format", description="Download every matching record as csv, hxl, xlsx or json"),
]

# --- path parameters ------------------------------------------------------------------------

Ref = Annotated[
    str,
    Path(min_length=1, max_length=MAX_TEXT, pattern=PRINTABLE, description="A record's ref"),
]
PlaceId = Annotated[
    str,
    Path(min_length=1, max_length=MAX_TEXT, pattern=PRINTABLE, description="A place's id"),
]
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="A stored row's number")]

# --- the pages' variants: an empty form field means "any" -----------------------------------

PageMeasure = Annotated[Measure | None, BlankIsNone, Query()]
# The constraints sit on the text itself: they apply once an empty value has become None.
_PageCountryText = Annotated[str, StringConstraints(pattern=r"^\s*[A-Za-z]{2}\s*$")]
_PagePlaceText = Annotated[str, StringConstraints(max_length=MAX_TEXT, pattern=PRINTABLE)]
PageCountry = Annotated[_PageCountryText | None, BlankIsNone, Query()]
PagePlace = Annotated[_PagePlaceText | None, BlankIsNone, Query()]
# Before-validators run right to left: the blank is gone before the day is read.
PageDay = Annotated[date | None, IsoDate, BlankIsNone, Query()]
PageCategory = Annotated[IncidentCategory | None, BlankIsNone, Query()]
PageStatus = Annotated[IncidentStatus | None, BlankIsNone, Query()]
PageOffset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
PageNote = Annotated[str | None, Query(max_length=MAX_TEXT, pattern=PRINTABLE)]
