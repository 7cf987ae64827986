"""The report as one self-contained HTML file, an A4 PDF made from it, or Markdown."""

from __future__ import annotations

import enum
from importlib import resources
from typing import Any

import jinja2

from .model import Number, Report
from .wording import count, day, day_short, span


class Format(enum.StrEnum):
    PDF = "pdf"
    HTML = "html"
    MD = "md"


class BlockedFetch(ValueError):
    """WeasyPrint asked for something outside the document; a report never goes online."""


def _template(name: str) -> str:
    return resources.files("sitroom.report").joinpath(f"templates/{name}").read_text("utf-8")


def _as_of(number: Number) -> str:
    if number.period is None:
        return ""
    start, end = number.period
    return f"as of {day(end)}" if start == end else f"for {span(start, end)}"


def render_html(report: Report) -> str:
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
    return template.render(r=report, css=_template("report.css"))


def refuse_fetch(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, Any]:
    """Only data: URIs; anything else would reach the network or the file system."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher  # type: ignore[import-untyped]

        result: dict[str, Any] = default_url_fetcher(url, timeout, ssl_context)
        return result
    raise BlockedFetch(f"the report refers to {url!r}; only data: URIs are allowed")


def render_pdf(report: Report) -> bytes:
    # WeasyPrint takes about a second to import; only PDF output should pay for it.
    from weasyprint import HTML  # type: ignore[import-untyped]

    document = HTML(string=render_html(report), url_fetcher=refuse_fetch)
    pdf: bytes = document.write_pdf()
    return pdf


def render(report: Report, output: Format) -> bytes:
    if output is Format.PDF:
        return render_pdf(report)
    if output is Format.HTML:
        return render_html(report).encode("utf-8")
    from .markdown import render_markdown

    return render_markdown(report).encode("utf-8")
