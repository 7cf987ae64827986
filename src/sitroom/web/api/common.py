"""What the API routes share: record JSON, pages of results, and `?format=` exports."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.datastructures import URL

from ...domain.accounts import Sharing
from ...interchange.records.registry import SCHEMAS
from ...interchange.records.schema import RecordKind
from ...interchange.registry import MEDIA_TYPES, WRITERS, Format
from ...services.access import Owned, Page
from ..settings import WebSettings

T = TypeVar("T")

# What `?format=` downloads are served as, for the OpenAPI document: JSON is documented with
# the list's own JSON answer.
DOWNLOAD_CONTENT: dict[str, dict[str, Any]] = {
    MEDIA_TYPES[Format.CSV].split(";")[0]: {"schema": {"type": "string"}},
    MEDIA_TYPES[Format.XLSX]: {"schema": {"type": "string", "format": "binary"}},
}
DOWNLOADS_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A page of records; with ?format= every matching record as a file "
        "(csv and hxl as text/csv, xlsx as a workbook, json as an array)",
        "content": DOWNLOAD_CONTENT,
    }
}


def record_json(
    kind: RecordKind, owned: Owned[Any], organisations: dict[int, str]
) -> dict[str, Any]:
    cells: dict[str, Any] = dict(SCHEMAS[kind].to_cells(owned.record))
    cells["sharing"] = owned.sharing.value
    org = owned.organisation_id
    cells["owner"] = organisations.get(org) if org is not None else None
    return cells


def next_link(request: Request, settings: WebSettings, offset: int) -> str:
    """The same request from `offset` on, at the configured public address (or as a path)."""
    here = URL(request.url.path + ("?" + request.url.query if request.url.query else ""))
    return settings.public_url + str(here.include_query_params(offset=offset))


def page_json(
    request: Request,
    kind: RecordKind,
    page: Page[Owned[Any]],
    organisations: dict[int, str],
    settings: WebSettings,
) -> dict[str, Any]:
    next_url = None
    if page.more:
        next_url = next_link(request, settings, page.offset + page.limit)
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
