"""Border incidents read a column at a time: the vectorised twin of `incidents.parse_incident`.

A large file's rows are nearly all well formed. `parse_columns` checks whole columns at once
and turns every row that passes into the values the store keeps, exactly as
`parse_incident` followed by `store.mapping.incident_values` would. Its checks are stricter
than the row parser's: a row it has the least doubt about is handed back by position, for the
row parser to accept or reject with its usual line, field and reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

import polars as pl

from ...domain.countries import COUNTRY_CODES
from ...domain.errors import InvalidValue
from ...domain.incidents import Confidence, IncidentCategory, IncidentStatus
from ...domain.sources import SourceKind, partial_date
from .cells import MAX_COUNT, MAX_ORGANISATION, moment_fits
from .incidents import MAX_EXTERNAL_REF, MAX_NATIONALITIES, parse_nationalities
from .schema import EntryContext

V = TypeVar("V")

STORED = (
    "ref",
    "occurred_at",
    "day",
    "section",
    "country",
    "lon",
    "lat",
    "category",
    "persons",
    "minors",
    "nationalities",
    "description",
    "status",
    "confidence",
    "external_ref",
    "source_kind",
    "source_reference",
    "source_organisation",
    "source_published",
    "entered_by",
    "entered_at",
)
"""The incident table's columns that `parse_columns` fills, in `mapping.INCIDENT_COLUMNS`
order (the import batch is the caller's)."""

SCHEMA: dict[str, pl.DataType] = {
    **{name: pl.String() for name in STORED},
    "lon": pl.Float64(),
    "lat": pl.Float64(),
    "persons": pl.Int64(),
    "minors": pl.Int64(),
}

# The longest texts the row parser lets through (see incidents._parse_clean).
_TEXT_MAX = 2000
# A time datetime.fromisoformat reads as itself (the date is checked apart); "-00:00", which
# it writes back as "+00:00", is left to the row parser.
_MOMENT = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?"
    r"[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]$"
)
# One nationality as the row parser reads it to itself: a known code, a positive count.
_NATIONALITY = r"^[A-Z]{2}:[1-9][0-9]{0,8}$"
_COUNT = r"^[0-9]{1,15}$"
_DEGREES = r"^-?[0-9]{1,15}(?:\.[0-9]{1,15})?$"

_CATEGORIES = {c.value: c.value for c in IncidentCategory}
_STATUSES = {s.value: s.value for s in IncidentStatus}
_CONFIDENCES = {c.value: c.value for c in Confidence}
_SOURCE_KINDS = {k.value: k.value for k in SourceKind}


@dataclass(frozen=True, slots=True)
class Columns:
    stored: pl.DataFrame
    """One row per accepted input row: its `pos`, then the columns of `STORED` and `SCHEMA`."""
    doubtful: list[int]
    """Positions (in the input frame) of the rows left to the row parser."""


def parse_columns(cells: pl.DataFrame, context: EntryContext, sections: Iterable[str]) -> Columns:
    """`cells`: one text column per header name (stripped of nothing) and a `pos` column.
    Rows whose section is not one of `sections` are left to the row parser, which says so."""
    text = {name: _stripped(cells, name) for name in _INPUT}
    known = set(sections)
    frame = cells.select(
        pl.col("pos"),
        *(expr.alias(name) for name, expr in text.items()),
    )
    occurred = pl.col("occurred_at")
    moment_ok = occurred.str.contains(_MOMENT) & ~occurred.str.ends_with("-00:00")
    frame = frame.with_columns(
        # The time as datetime.isoformat writes it: seconds added when the file leaves them out.
        pl.when(moment_ok)
        .then(
            pl.when(occurred.str.len_bytes() == len("2021-07-03T02:10+03:00"))
            .then(pl.concat_str(occurred.str.slice(0, 16), pl.lit(":00"), occurred.str.slice(16)))
            .otherwise(occurred)
        )
        .alias("occurred_at"),
        pl.when(moment_ok).then(occurred.str.slice(0, 10)).alias("day"),
        _nationalities_vectorised(),
    )
    frame = frame.with_columns(
        _lookup(frame, "section", lambda v: u if (u := v.upper()) in known else None),
        _lookup(frame, "category", lambda v: _CATEGORIES.get(v.lower())),
        _lookup(frame, "status", lambda v: _STATUSES.get(v.lower()) if v else "reported"),
        _lookup(frame, "confidence", lambda v: _CONFIDENCES.get(v.lower()) if v else "medium"),
        _lookup(frame, "source_kind", lambda v: _SOURCE_KINDS.get(v.lower())),
        _lookup(frame, "source_published", _published),
        _lookup(frame, "entered_at", lambda v: _entered(v, context)),
        _lookup(frame, "day", _day),
        _rest_of_nationalities(frame),
    )
    persons = pl.col("persons").cast(pl.Int64, strict=False)
    minors = pl.when(pl.col("minors") == "").then(0).otherwise(pl.col("minors").cast(pl.Int64))
    lon = pl.col("lon").cast(pl.Float64, strict=False)
    lat = pl.col("lat").cast(pl.Float64, strict=False)
    both = (pl.col("lon") != "") & (pl.col("lat") != "")
    neither = (pl.col("lon") == "") & (pl.col("lat") == "")
    nat = pl.col("nationalities").struct
    good = (
        pl.col("day").is_not_null()
        & pl.col("section").is_not_null()
        & pl.col("category").is_not_null()
        & pl.col("status").is_not_null()
        & pl.col("confidence").is_not_null()
        & pl.col("source_kind").is_not_null()
        & pl.col("entered_at").is_not_null()
        & pl.col("source_published").is_not_null()
        & nat.field("text").is_not_null()
        & pl.col("persons").str.contains(_COUNT)
        & ((pl.col("minors") == "") | pl.col("minors").str.contains(_COUNT))
        & (
            neither
            | (both & pl.col("lon").str.contains(_DEGREES) & pl.col("lat").str.contains(_DEGREES))
        )
        & (pl.col("source_url") != "")
        & (pl.col("entered_by").str.len_chars() <= 120)
        & (pl.col("description").str.len_chars() <= 5000)
        & (pl.col("source_url").str.len_chars() <= _TEXT_MAX)
        # The store's limits, which PostgreSQL enforces (incidents.MAX_EXTERNAL_REF ...).
        & (pl.col("external_ref").str.len_chars() <= MAX_EXTERNAL_REF)
        & (pl.col("source_organisation").str.len_chars() <= MAX_ORGANISATION)
        & (nat.field("text").str.len_chars() <= MAX_NATIONALITIES)
    )
    frame = frame.with_columns(good.fill_null(False).alias("good"))
    # The numeric checks run only where the texts were well formed, so no cast fails.
    checked = frame.filter("good").with_columns(
        persons.alias("persons_n"), minors.alias("minors_n"), lon.alias("lon_n"), lat.alias("lat_n")
    )
    sound = (
        (pl.col("minors_n") <= pl.col("persons_n"))
        & (nat.field("total") <= pl.col("persons_n"))
        & (nat.field("least") > 0)
        & (pl.col("persons_n") <= MAX_COUNT)
        & (pl.col("lon_n").is_null() | pl.col("lon_n").is_between(-180.0, 180.0))
        & (pl.col("lat_n").is_null() | pl.col("lat_n").is_between(-90.0, 90.0))
    )
    checked = checked.filter(sound)
    doubtful = sorted(set(cells.get_column("pos").to_list()) - set(checked["pos"].to_list()))
    empty_to_null = {
        n: pl.when(pl.col(n) == "").then(None).otherwise(pl.col(n))
        for n in ("external_ref", "source_organisation")
    }
    stored = checked.select(
        pl.col("pos"),
        pl.lit(None, pl.String()).alias("ref"),
        pl.col("occurred_at"),
        pl.col("day"),
        pl.col("section"),
        pl.col("section").str.slice(0, 2).alias("country"),
        pl.col("lon_n").alias("lon"),
        pl.col("lat_n").alias("lat"),
        pl.col("category"),
        pl.col("persons_n").alias("persons"),
        pl.col("minors_n").alias("minors"),
        nat.field("text").alias("nationalities"),
        pl.col("description"),
        pl.col("status"),
        pl.col("confidence"),
        empty_to_null["external_ref"].alias("external_ref"),
        pl.col("source_kind"),
        pl.col("source_url").alias("source_reference"),
        empty_to_null["source_organisation"].alias("source_organisation"),
        pl.when(pl.col("source_published") == "")
        .then(None)
        .otherwise(pl.col("source_published"))
        .alias("source_published"),
        pl.when(pl.col("entered_by") == "")
        .then(pl.lit(context.entered_by))
        .otherwise(pl.col("entered_by"))
        .alias("entered_by"),
        pl.col("entered_at"),
    )
    stored = stored.with_columns(pl.Series("ref", refs(stored), pl.String()))
    return Columns(stored, doubtful)


def refs(stored: pl.DataFrame) -> list[str]:
    """`Incident.ref` of each stored row: the reporter's own reference with the organisation
    when there is one, else the content."""
    keys = stored.select(
        pl.when(pl.col("external_ref").is_not_null())
        .then(
            pl.concat_str(
                pl.col("source_organisation").fill_null(""),
                pl.col("external_ref"),
                separator="\x1f",
            )
        )
        .otherwise(
            pl.concat_str(
                pl.col("occurred_at"),
                pl.col("section"),
                pl.col("category"),
                pl.col("persons").cast(pl.String),
                pl.col("source_reference"),
                separator="\x1f",
            )
        )
    ).to_series()
    blake2b = hashlib.blake2b
    return ["I" + blake2b(k.encode(), digest_size=10).hexdigest() for k in keys]


_INPUT = (
    "external_ref",
    "occurred_at",
    "section",
    "lon",
    "lat",
    "category",
    "persons",
    "minors",
    "nationalities",
    "description",
    "status",
    "confidence",
    "source_kind",
    "source_organisation",
    "source_url",
    "source_published",
    "entered_by",
    "entered_at",
)

_NATIONALITIES = pl.Struct({"text": pl.String(), "total": pl.Int64(), "least": pl.Int64()})


def _stripped(cells: pl.DataFrame, name: str) -> pl.Expr:
    # Python's str.strip and polars' strip_chars agree on every whitespace character except
    # \x1c-\x1f, which are control characters: rows holding them never reach this module.
    if name not in cells.columns:
        return pl.lit("", pl.String())
    return pl.col(name).str.strip_chars()


def _lookup(
    frame: pl.DataFrame,
    name: str,
    read: Callable[[str], V | None],
    *,
    dtype: pl.DataType | None = None,
) -> pl.Expr:
    """Column `name` read through `read`, once per distinct text: most columns of a large
    file repeat a few values. A text `read` maps to None gives null, which sends the row to
    the row parser; so does a null."""
    distinct = frame.get_column(name).unique().drop_nulls().to_list()
    values = [read(text) for text in distinct]
    target = dtype or pl.String()
    return (
        pl.col(name)
        .replace_strict(
            distinct,
            pl.Series(values, dtype=target),
            default=pl.lit(None, target),
            return_dtype=target,
        )
        .alias(name)
    )


def _nationalities_vectorised() -> pl.Expr:
    """Lists such as "SY:1;IQ:3" read a column at a time: the stored text (sorted by code),
    the total and the least count; null where any part is not CODE:COUNT with a known code
    and a positive count, or a code repeats (`_rest_of_nationalities` reads those)."""
    text = pl.col("nationalities")
    parts = text.str.split(";")
    codes = parts.list.eval(pl.element().str.slice(0, 2))
    counts = parts.list.eval(pl.element().str.slice(3).cast(pl.Int64, strict=False))
    plain = (
        parts.list.eval(pl.element().str.contains(_NATIONALITY)).list.all()
        & codes.list.eval(pl.element().is_in(sorted(COUNTRY_CODES))).list.all()
        & (codes.list.n_unique() == parts.list.len())
    )
    # Codes are two letters and unique, so sorting "IQ:3" parts sorts by code.
    read = pl.struct(
        parts.list.sort().list.join(";").alias("text"),
        counts.list.sum().alias("total"),
        counts.list.min().alias("least"),
    )
    empty = pl.struct(
        pl.lit("").alias("text"),
        pl.lit(0, pl.Int64).alias("total"),
        pl.lit(1, pl.Int64).alias("least"),
    )
    return pl.when(text == "").then(empty).when(plain).then(read).alias("nationalities_read")


def _rest_of_nationalities(frame: pl.DataFrame) -> pl.Expr:
    """The lists `_nationalities_vectorised` left, read by the row parser's own function."""
    rest = frame.filter(pl.col("nationalities_read").is_null())
    distinct = rest.get_column("nationalities").unique().to_list()
    values = [_nationalities(text) for text in distinct]
    slow = pl.col("nationalities").replace_strict(
        distinct,
        pl.Series(values, dtype=_NATIONALITIES),
        default=pl.lit(None, _NATIONALITIES),
        return_dtype=_NATIONALITIES,
    )
    return pl.coalesce(pl.col("nationalities_read"), slow).alias("nationalities")


def _published(text: str) -> str | None:
    if not text:
        return ""
    if len(text) > _TEXT_MAX:
        return None
    try:
        return partial_date(text)
    except InvalidValue:
        return None


def _entered(text: str, context: EntryContext) -> str | None:
    if not text:
        return context.entered_at.isoformat(timespec="seconds")
    if len(text) > _TEXT_MAX:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None or not moment_fits(moment):
        return None
    return moment.isoformat(timespec="seconds")


# Lists such as "IQ:3;SY:1" recur across the blocks of a file: each is read once (bounded).
_NATIONALITY_LISTS: dict[str, dict[str, object] | None] = {}
_LISTS_KEPT = 1 << 16


def _nationalities(text: str) -> dict[str, object] | None:
    try:
        return _NATIONALITY_LISTS[text]
    except KeyError:
        pass
    if len(_NATIONALITY_LISTS) >= _LISTS_KEPT:
        _NATIONALITY_LISTS.clear()
    read = _NATIONALITY_LISTS[text] = _read_nationalities(text)
    return read


def _read_nationalities(text: str) -> dict[str, object] | None:
    if len(text) > _TEXT_MAX:
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


def _day(text: str) -> str | None:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None
