"""figures, history, sites and sections: what is stored, as tables or JSON."""

from __future__ import annotations

from datetime import date

import typer

from ..domain.figures import ReportedFigure, format_value
from ..domain.measures import Measure
from ..interchange.records.figures import COLUMNS as FIGURE_COLUMNS
from ..interchange.records.figures import figure_cells
from ..interchange.records.places import SECTION_COLUMNS, SITE_COLUMNS, section_cells, site_cells
from ..interchange.table import typed_record
from .common import WIDE, Exit, compact_table, err, out, print_json, session


def figures(
    measure: Measure | None = typer.Option(None, help="Only this measure."),
    country: str | None = typer.Option(None, help="Only this country (ISO code), all its places."),
    place: str | None = typer.Option(None, help="Only this place (country, section or site id)."),
    start: str | None = typer.Option(
        None,
        "--from",
        help="Figures whose period overlaps the days from this one: it ends on or after it.",
    ),
    end: str | None = typer.Option(
        None,
        "--to",
        help="Figures whose period overlaps the days up to this one: it starts on or before it.",
    ),
    incidents: bool = typer.Option(
        False, "--incidents", help="Add what incident reports sum to, per day and section."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """List reported figures, oldest period first, with their qualifier and source.
    --from and --to keep every figure whose period overlaps the days between them (a year's
    total overlaps every one of its days), not only those starting within them."""
    from ..services import queries  # on use, like every service: see cli/common.py

    where = queries.FigureFilter(
        measure=measure,
        country=country.upper() if country else None,
        place=place.upper() if place else None,
        start=parse_day(start, "--from"),
        end=parse_day(end, "--to"),
    )
    with session() as db:
        found = queries.list_figures(db, where)
        if incidents:
            found += queries.incident_figures(db, where)
            found.sort(key=lambda f: (f.period_start, f.period_end))
    _show_figures(found, as_json)


def history(ref: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Show a figure with what it corrects and what corrected it, oldest first."""
    from ..services import queries

    with session() as db:
        chain = queries.figure_history(db, ref)
    if not chain:
        err.print(f"[red]error:[/red] no figure has the ref {ref!r}")
        raise typer.Exit(Exit.BAD_INPUT)
    _show_figures(chain, as_json)


def _show_figures(found: list[ReportedFigure], as_json: bool) -> None:
    if as_json:
        print_json([typed_record(figure_cells(f), FIGURE_COLUMNS) for f in found])
        return
    # Refs, measures and dates are never cut: in a narrow terminal the cells take two lines
    # and the source is left to --json.
    wide = out.width >= WIDE
    table = compact_table()
    for name in ("ref", "measure", "place") if wide else ("ref", "measure\nplace"):
        table.add_column(name, no_wrap=True)
    table.add_column("period" if wide else "from\nto", no_wrap=True)
    table.add_column("value" if wide else "value\nqualifier", justify="right", no_wrap=True)
    if wide:
        table.add_column("qualifier", no_wrap=True)
        table.add_column("source", overflow="fold")
    for f in found:
        value = format_value(f.value)
        if wide:
            period = str(f.period_start) if f.days == 1 else f"{f.period_start} – {f.period_end}"
            cells = [f.ref, f.measure.value, f.place, period, value, f.qualifier.value]
            table.add_row(*cells, f.source.reference)
        else:
            table.add_row(
                f.ref,
                f"{f.measure.value}\n{f.place}",
                f"{f.period_start}\n{f.period_end}",
                f"{value}\n{f.qualifier.value}",
            )
    out.print(table)
    sources = "" if wide else f" (sources: --json, or a terminal {WIDE} columns wide)"
    out.print(f"{len(found)} figures{sources}")


def sites(
    country: str | None = typer.Option(None, help="Only this country."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List reception sites."""
    from ..services import queries

    with session() as db:
        found = queries.list_sites(db, country.upper() if country else None)
    if as_json:
        print_json([typed_record(site_cells(s), SITE_COLUMNS) for s in found])
        return
    table = compact_table("id", "name", "country", "kind", "operator")
    for s in found:
        table.add_row(s.id, s.name, s.country, s.kind.value, s.operator or "")
    out.print(table)


def sections(
    country: str | None = typer.Option(None, help="Only this country."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List border sections with their neighbour and length."""
    from ..services import queries

    with session() as db:
        found = queries.list_sections(db, country.upper() if country else None)
    if as_json:
        print_json([typed_record(section_cells(s), SECTION_COLUMNS) for s in found])
        return
    table = compact_table("id", "country", "neighbour", "name", "km")
    for s in found:
        table.add_row(s.id, s.country, s.neighbour, s.name, f"{s.length_km:.0f}")
    out.print(table)


def parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        err.print(f"[red]error:[/red] {option} {text!r} is not a date of the form YYYY-MM-DD")
        raise typer.Exit(Exit.BAD_INPUT) from None


def register(app: typer.Typer) -> None:
    for command in (figures, history, sites, sections):
        app.command()(command)
