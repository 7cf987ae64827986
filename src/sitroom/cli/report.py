"""report: the daily situation report as PDF, HTML or Markdown."""

from __future__ import annotations

from pathlib import Path

import typer

from ..domain.countries import country_code
from ..domain.errors import InvalidValue

# report.render is light at import (jinja2; WeasyPrint is imported when a PDF is made); the
# report's model, its charts (matplotlib) and the services are imported in the command: see
# cli/common.py.
from ..report.render import Format
from .browse import parse_day
from .common import Exit, engine, err, out
from .live import drain_pending


def report(
    day: str = typer.Option(..., "--date", help="The report's day, YYYY-MM-DD."),
    countries: str | None = typer.Option(
        None, "--countries", help="Comma-separated ISO codes (LT,LV,PL); default: all."
    ),
    output_format: Format = typer.Option(Format.PDF, "--format", help="pdf, html or md."),
    out_file: Path | None = typer.Option(
        None, "--out", help="Where to write it; default sitroom-report-<date>.<format>."
    ),
    issued_by: str = typer.Option("sitroom", "--issued-by", help="The issuing organisation."),
) -> None:
    """Write the situation report for a day: highlights, key figures, per-country charts,
    sites, alarms, conflicting figures and numbered sources. Series whose figures changed are
    reconciled first; alarms are those `sitroom detect` raised."""
    from ..report.build import build_report
    from ..report.render import render
    from ..report.wording import plural
    from ..services.setup import init_database

    on = parse_day(day, "--date")
    assert on is not None
    try:
        codes = [country_code(c) for c in countries.split(",") if c.strip()] if countries else None
    except InvalidValue as exc:
        err.print(f"[red]error:[/red] --countries: {exc}")
        raise typer.Exit(Exit.BAD_INPUT) from None
    db = engine()
    init_database(db)
    # Like `sitroom series`: the report reads the series, so bring them up to date with the
    # figures first (a no-op when nothing changed).
    drain_pending(db)
    built = build_report(db, on, codes, issued_by=issued_by)
    target = out_file or Path(f"sitroom-report-{on}.{output_format.value}")
    target.write_bytes(render(built, output_format))
    out.print(
        f"{target}: {plural(len(built.highlights), 'highlight')}, "
        f"{plural(len(built.sources), 'source')}, {plural(len(built.alarms), 'alarm')}"
    )


def register(app: typer.Typer) -> None:
    app.command()(report)
