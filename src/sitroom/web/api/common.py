"""What the API routes share: record JSON, pages of results, and `?format=` exports."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any, TypeVar

from fastapi import Query, Request
from fastapi.responses import StreamingResponse

from ...domain.accounts import Sharing
from ...interchange.records.registry import SCHEMAS
from ...interchange.records.schema import RecordKind
from ...interchange.registry import MEDIA_TYPES, WRITERS, Format
from ...services.access import Owned, Page

T = TypeVar("T")

FormatQuery = Annotated[
    Format | None,
    Query(alias="format", description="Download every matching record as csv, hxl, xlsx or json"),
]
Limit = Annotated[int, Query(ge=1, le=500, description="At most this many records")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many records")]


def record_json(
    kind: RecordKind, owned: Owned[Any], organisations: dict[int, str]
) -> dict[str, Any]:
    cells: dict[str, Any] = dict(SCHEMAS[kind].to_cells(owned.record))
    cells["sharing"] = owned.sharing.value
    org = owned.organisation_id
    cells["owner"] = organisations.get(org) if org is not None else None
    return cells


def page_json(
    request: Request, kind: RecordKind, page: Page[Owned[Any]], organisations: dict[int, str]
) -> dict[str, Any]:
    next_url = None
    if page.more:
        next_url = str(request.url.include_query_params(offset=page.offset + page.limit))
    return {
        "items": [record_json(kind, o, organisations) for o in page.items],
        "limit": page.limit,
        "offset": page.offset,
        "next": next_url,
    }


def export(kind: RecordKind, fmt: Format, records: Iterable[Any], name: str) -> StreamingResponse:
    """Write to a spooled file first: the writers push into a file, and the response must not
    hold the database session while a slow client reads."""
    schema = SCHEMAS[kind]
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (closed by _chunks)
    WRITERS[fmt]((schema.to_cells(r) for r in records), schema.columns, spool)  # type: ignore[arg-type]
    spool.seek(0)
    suffix = "csv" if fmt is Format.HXL else fmt.value
    return StreamingResponse(
        _chunks(spool),
        media_type=MEDIA_TYPES[fmt],
        headers={"content-disposition": f'attachment; filename="{name}.{suffix}"'},
    )


def _chunks(spool: Any) -> Iterator[bytes]:
    try:
        while block := spool.read(1 << 16):
            yield block
    finally:
        spool.close()


def sharing_of(value: str | None) -> Sharing:
    return Sharing(value) if value else Sharing.RESTRICTED


def records_of(items: Iterable[Owned[T]]) -> Iterator[T]:
    return (o.record for o in items)


Loader = Callable[[], Iterable[Any]]
