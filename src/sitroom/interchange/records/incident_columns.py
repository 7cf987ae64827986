"""Border incidents read a column at a time: the vectorised twin of `incidents.parse_incident`.

A large file's rows are nearly all well formed. `parse_columns` checks whole columns at once
and turns every row that passes into the values the store keeps, exactly as
`parse_incident` followed by `store.mapping.incident_values` would. Its checks are stricter
than the row parser's: a row it has the least doubt about is handed back by position, for the
row parser to accept or reject with its usual line, field and reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from ...domain.bounds import MOST_IN_ONE_INCIDENT, DateWindow
from ...domain.countries import COUNTRY_CODES
from .cells import MAX_ORGANISATION
from .incident_readers import TEXT_MAX, Reader, nationalities, readers
from .incidents import MAX_EXTERNAL_REF, MAX_NATIONALITIES
from .schema import EntryContext

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

# A time datetime.fromisoformat reads as itself (the date is checked apart); "-00:00", which
# it writes back as "+00:00", is left to the row parser.
_MOMENT = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?"
    r"[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]$"
)
# A list of nationalities as the row parser reads it to itself: known codes (all two capital
# letters), positive counts.
_CODE = "|".join(sorted(code for code in COUNTRY_CODES if re.fullmatch("[A-Z]{2}", code)))
_NATIONALITY = rf"(?:{_CODE}):[1-9][0-9]{{0,8}}"
_NATIONALITY_LIST = rf"^{_NATIONALITY}(?:;{_NATIONALITY})*$"
_COUNT = r"^[0-9]{1,15}$"
_DEGREES = r"^-?[0-9]{1,15}(?:\.[0-9]{1,15})?$"


@dataclass(frozen=True, slots=True)
class Columns:
    stored: pl.DataFrame
    """One row per accepted input row: its `pos`, then the columns of `STORED` and `SCHEMA`."""
    doubtful: list[int]
    """Positions (in the input frame) of the rows left to the row parser."""


def parse_columns(cells: pl.DataFrame, context: EntryContext, sections: Iterable[str]) -> Columns:
    """`cells`: one text column per header name (stripped of nothing) and a `pos` column.
    Rows whose section is not one of `sections` are left to the row parser, which says so."""
    # Two queries: the first gathers the distinct texts of the columns Python reads (once per
    # text); the second checks every row with those readings.
    texts, distinct, nationalities = pl.collect_all(_first_pass(cells))
    looked_up = distinct.row(0, named=True)
    checked = (
        texts.lazy()
        .with_columns(
            *(
                _lookup(name, looked_up[name], read)
                for name, read in readers(context, sections).items()
            ),
            _read_nationalities_table(nationalities),
            pl.when(_real_day(pl.col("day"), context.dates)).then(pl.col("day")).alias("day"),
        )
        .with_columns(_NUMBERS)
        .select(
            pl.col("pos"),
            # A null (from a text that is not a number, say) keeps the row out, as a failed check.
            (_WELL_FORMED & _SOUND).fill_null(False).alias("keep"),
            *_stored_columns(context),
        )
        .collect()
    )
    keep = checked.get_column("keep")
    doubtful = checked.get_column("pos").filter(~keep).to_list()
    stored = checked.filter(keep).drop("keep")
    stored = stored.with_columns(pl.Series("ref", refs(stored), pl.String()))
    return Columns(stored, sorted(doubtful))


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
        .cast(pl.Binary)
    ).to_series()
    # Copying an empty hash costs about half of what blake2b(key, digest_size=10) does (which
    # parses its keyword arguments on every call), for the same digest. This loop holds the GIL.
    fresh = _BLAKE2B_10.copy
    digests: list[str] = []
    add = digests.append
    for key in keys.to_list():
        digest = fresh()
        digest.update(key)
        add("I" + digest.hexdigest())
    return digests


_BLAKE2B_10 = hashlib.blake2b(digest_size=10)

# Read whole columns, stripped.
_STRIPPED = (
    "external_ref",
    "occurred_at",
    "lon",
    "lat",
    "persons",
    "minors",
    "description",
    "source_organisation",
    "source_url",
    "entered_by",
)
# Read once per distinct text by `incident_readers.readers`, which get it stripped: a few
# distinct texts are cheaper to strip than a column.
_LOOKED_UP = (
    "section",
    "category",
    "status",
    "confidence",
    "source_kind",
    "source_published",
    "entered_at",
)

_NATIONALITIES = pl.Struct({"text": pl.String(), "total": pl.Int64(), "least": pl.Int64()})


def _first_pass(cells: pl.DataFrame) -> list[pl.LazyFrame]:
    """The texts the checks read, with the time as stored and its day (null unless the time is
    well formed); the distinct texts of each column of `_LOOKED_UP`; and the distinct
    nationality lists, read where `_nationalities_vectorised` can."""
    occurred = pl.col("occurred_at")
    moment_ok = occurred.str.contains(_MOMENT) & ~occurred.str.ends_with("-00:00")
    texts = cells.lazy().select(
        pl.col("pos"),
        *(_cell(cells, name).str.strip_chars().alias(name) for name in _STRIPPED),
        *(_cell(cells, name).alias(name) for name in (*_LOOKED_UP, "nationalities")),
    )
    texts = texts.with_columns(
        # The time as datetime.isoformat writes it: seconds added when the file leaves them out.
        pl.when(moment_ok)
        .then(
            pl.when(occurred.str.len_bytes() == len("2021-07-03T02:10+03:00"))
            .then(pl.concat_str(occurred.str.slice(0, 16), pl.lit(":00"), occurred.str.slice(16)))
            .otherwise(occurred)
        )
        .alias("occurred_at"),
        pl.when(moment_ok).then(occurred.str.slice(0, 10)).alias("day"),
    )
    distinct = texts.select(pl.col(name).unique().drop_nulls().implode() for name in _LOOKED_UP)
    lists = texts.select(pl.col("nationalities").unique().drop_nulls())
    lists = lists.with_columns(_nationalities_vectorised(pl.col("nationalities").str.strip_chars()))
    return [texts, distinct, lists]


def _cell(cells: pl.DataFrame, name: str) -> pl.Expr:
    """Column `name` as read, or empty texts when the file has no such column."""
    # Stripped, it is what the row parser reads: Python's str.strip and polars' strip_chars
    # agree on every whitespace character except \x1c-\x1f, which are control characters, and
    # rows holding them never reach this module.
    return pl.col(name) if name in cells.columns else pl.lit("", pl.String())


def _lookup(name: str, distinct: list[str], read: Reader) -> pl.Expr:
    """Column `name` read through `read`, once per distinct text, stripped: most columns of a
    large file repeat a few values. A text `read` maps to None gives null, which sends the row
    to the row parser; so does a null."""
    values = pl.Series([read(text.strip()) for text in distinct], dtype=pl.String())
    return _replaced(name, distinct, values)


def _replaced(name: str, texts: Sequence[str] | pl.Series, values: pl.Series) -> pl.Expr:
    """Column `name` with each of `texts` (distinct) replaced by the value in the same place
    of `values`, and anything else by null. Read as an index into `texts`, which costs about
    half of what `replace_strict` does, and much less on a small block."""
    where = pl.col(name).cast(pl.Enum(texts), strict=False).to_physical()
    return pl.lit(values).gather(where).alias(name)


def _real_day(day: pl.Expr, window: DateWindow) -> pl.Expr:
    """Whether `day`, four digits, a dash, two, a dash and two, is a date that
    `date.fromisoformat` reads (and so writes back unchanged), inside `window`. Both follow
    the Gregorian calendar, but polars also has a year 0, which Python's dates do not."""
    date = day.str.to_date("%Y-%m-%d", strict=False, cache=False)
    return (
        date.is_not_null()
        & ~day.str.starts_with("0000")
        & date.is_between(pl.lit(window.earliest), pl.lit(window.latest))
    )


def _nationalities_vectorised(text: pl.Expr) -> pl.Expr:
    """Lists such as "SY:1;IQ:3" read a column at a time: the stored text (sorted by code),
    the total and the least count; null where any part is not CODE:COUNT with a known code
    and a positive count, or a code repeats (`_read_nationalities_table` reads those)."""
    parts = text.str.split(";")
    codes = parts.list.eval(pl.element().str.slice(0, 2))
    counts = parts.list.eval(pl.element().str.slice(3).cast(pl.Int64, strict=False))
    plain = text.str.contains(_NATIONALITY_LIST) & (codes.list.n_unique() == parts.list.len())
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


def _read_nationalities_table(table: pl.DataFrame) -> pl.Expr:
    """The nationalities column read through `table` (each distinct list and its reading by
    `_nationalities_vectorised`); the row parser's own function reads the lists it left."""
    done = table.filter(pl.col("nationalities_read").is_not_null())
    rest = table.filter(pl.col("nationalities_read").is_null()).get_column("nationalities")
    slow = pl.Series([nationalities(text.strip()) for text in rest], dtype=_NATIONALITIES)
    return _replaced(
        "nationalities",
        pl.concat([done.get_column("nationalities"), rest]),
        pl.concat([done.get_column("nationalities_read"), slow]),
    )


_NUMBERS = (
    # Non-strict: a text that is not a number is null here, and its row is not `_WELL_FORMED`.
    pl.col("persons").cast(pl.Int64, strict=False).alias("persons_n"),
    pl.when(pl.col("minors") == "")
    .then(0)
    .otherwise(pl.col("minors").cast(pl.Int64, strict=False))
    .alias("minors_n"),
    pl.col("lon").cast(pl.Float64, strict=False).alias("lon_n"),
    pl.col("lat").cast(pl.Float64, strict=False).alias("lat_n"),
)


def _well_formed() -> pl.Expr:
    """Every text is one the row parser reads the same way, within its length limits."""
    both = (pl.col("lon") != "") & (pl.col("lat") != "")
    neither = (pl.col("lon") == "") & (pl.col("lat") == "")
    nat = pl.col("nationalities").struct
    return (
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
        & (pl.col("source_url").str.len_chars() <= TEXT_MAX)
        # The store's limits, which PostgreSQL enforces (incidents.MAX_EXTERNAL_REF ...).
        & (pl.col("external_ref").str.len_chars() <= MAX_EXTERNAL_REF)
        & (pl.col("source_organisation").str.len_chars() <= MAX_ORGANISATION)
        & (nat.field("text").str.len_chars() <= MAX_NATIONALITIES)
    )


def _sound() -> pl.Expr:
    """The numbers agree: no more minors or nationals than persons, coordinates on Earth."""
    nat = pl.col("nationalities").struct
    return (
        (pl.col("minors_n") <= pl.col("persons_n"))
        & (nat.field("total") <= pl.col("persons_n"))
        & (nat.field("least") > 0)
        & (pl.col("persons_n") <= MOST_IN_ONE_INCIDENT)
        & (pl.col("lon_n").is_null() | pl.col("lon_n").is_between(-180.0, 180.0))
        & (pl.col("lat_n").is_null() | pl.col("lat_n").is_between(-90.0, 90.0))
    )


_WELL_FORMED = _well_formed()
_SOUND = _sound()


def _stored_columns(context: EntryContext) -> list[pl.Expr]:
    """The columns of `STORED` (`ref` still empty) as the store keeps them."""

    def null_if_empty(name: str) -> pl.Expr:
        return pl.when(pl.col(name) == "").then(None).otherwise(pl.col(name)).alias(name)

    return [
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
        pl.col("nationalities").struct.field("text").alias("nationalities"),
        pl.col("description"),
        pl.col("status"),
        pl.col("confidence"),
        null_if_empty("external_ref"),
        pl.col("source_kind"),
        pl.col("source_url").alias("source_reference"),
        null_if_empty("source_organisation"),
        null_if_empty("source_published"),
        pl.when(pl.col("entered_by") == "")
        .then(pl.lit(context.entered_by))
        .otherwise(pl.col("entered_by"))
        .alias("entered_by"),
        pl.col("entered_at"),
    ]
