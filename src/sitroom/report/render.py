"""The report as one self-contained HTML file, an A4 PDF made from it, or Markdown."""

from __future__ import annotations

import base64
import enum
from collections.abc import Callable
from importlib import resources
from typing import Any

import jinja2

from .model import Number, Report
from .wording import count, day, day_short, span


class Format(enum.StrEnum):
    PDF = "pdf"
    HTML = "html"
    MD = "md"


def _template(name: str) -> str:
    return resources.files("sitroom.report").joinpath(f"templates/{name}").read_text("utf-8")


def _as_of(number: Number) -> str:
    if number.period is None:
        return ""
    start, end = number.period
    return f"as of {day(end)}" if start == end else f"for {span(start, end)}"


def _image(svg: str) -> str:
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img alt="" src="data:image/svg+xml;base64,{encoded}">'


def render_html(report: Report, *, charts_as_images: bool = False) -> str:
    """One self-contained file. `charts_as_images` puts each SVG in an <img> data: URI, which
    WeasyPrint draws with its SVG renderer far faster than inline SVG laid out as HTML."""
    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=False
    )
    helpers: dict[str, Any] = {
        "count": count,
        "day": day,
        "day_short": day_short,
        "span": span,
        "as_of": _as_of,
    }
    template = environment.from_string(_template("report.html.j2"), globals=helpers)
    chart: Callable[[str], str] = _image if charts_as_images else (lambda svg: svg)
    return template.render(r=report, css=_template("report.css"), chart=chart)


def render_pdf(report: Report) -> bytes:
    # WeasyPrint takes about a second to import; only PDF output should pay for it.
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    # Only data: URIs: a report rendered at a border post must never reach for the network or
    # the file system, and a refused fetch stops the rendering instead of leaving a hole.
    fetcher = URLFetcher(allowed_protocols=("data",), fail_on_errors=True)
    html = render_html(report, charts_as_images=True)
    pdf: bytes = HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf


def render(report: Report, output: Format) -> bytes:
    if output is Format.PDF:
        return render_pdf(report)
    if output is Format.HTML:
        return render_html(report).encode("utf-8")
    from .markdown import render_markdown

    return render_markdown(report).encode("utf-8")
