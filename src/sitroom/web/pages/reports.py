"""The daily situation report in the browser, with its downloads. The report is built from
every figure, restricted ones included, so only those who may see every record open it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from ...domain.accounts import sees_everything
from ...domain.countries import country_code
from ...domain.errors import InvalidValue
from ...report.build import build_report
from ...report.render import Format, render
from ...services.accounts import NotAllowed
from ..deps import CurrentUser, EngineDep
from ..params import BlankIsNone

router = APIRouter()

Countries = Annotated[str | None, BlankIsNone, Query(pattern="^[A-Za-z, ]{0,60}$")]
MEDIA = {
    Format.PDF: "application/pdf",
    Format.HTML: "text/html; charset=utf-8",
    Format.MD: "text/markdown; charset=utf-8",
}


def _codes(countries: str | None) -> list[str] | None:
    if not countries:
        return None
    try:
        return [country_code(c) for c in countries.split(",") if c.strip()]
    except InvalidValue as exc:
        raise InvalidValue(f"countries: {exc}") from None


def _report(
    engine: EngineDep, user: CurrentUser, day: date, countries: str | None, fmt: Format
) -> bytes:
    if not sees_everything(user):
        raise NotAllowed(
            "the situation report uses every figure, restricted ones included: only "
            "coordinators and administrators may open it"
        )
    codes = _codes(countries)
    # A GET never writes: the report reads the series as the pipeline last left them, and
    # says how fresh they are.
    return render(build_report(engine, day, codes, issued_by="sitroom"), fmt)


@router.get("/reports/{day}")
def report_page(
    day: date, user: CurrentUser, engine: EngineDep, countries: Countries = None
) -> Response:
    page = _report(engine, user, day, countries, Format.HTML).decode("utf-8")
    query = f"&countries={countries}" if countries else ""
    bar = (
        '<nav style="font:14px sans-serif;margin:8px 0">'
        f'<a href="/reports/{day}/download?format=pdf{query}">Download PDF</a> · '
        f'<a href="/reports/{day}/download?format=html{query}">HTML</a> · '
        f'<a href="/reports/{day}/download?format=md{query}">Markdown</a> · '
        '<a href="/">Back to the situation</a></nav>'
    )
    head, sep, rest = page.partition("<body>")
    return HTMLResponse(head + sep + bar + rest if sep else bar + page)


@router.get("/reports/{day}/download")
def report_download(
    day: date,
    user: CurrentUser,
    engine: EngineDep,
    countries: Countries = None,
    format: Annotated[Format, Query()] = Format.PDF,
) -> Response:
    content = _report(engine, user, day, countries, format)
    name = f"sitroom-report-{day}.{format.value}"
    return Response(
        content,
        media_type=MEDIA[format],
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
