"""figures, history, sites and sections: what is stored, as tables or JSON."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from ..domain.figures import ReportedFigure, format_value
from ..domain.measures import Measure
from ..interchange.records.figures import figure_cells
from ..interchange.records.places import section_cells, site_cells
from .common import Exit, err, out, print_json, session


def figures(
    measure: Measure | None = typer.Option(None, help="Only this measure."),
    country: str | None = typer.Option(None, help="Only this country (ISO code), all its places."),
    place: str | None = typer.Option(None, help="Only this place (country, section or site id)."),
    start: str | None = typer.Option(None, "--from", help="Periods ending on or after this day."),
    end: str | None = typer.Option(None, "--to", help="Periods starting on or before this day."),
    incidents: bool = typer.Option(
        False, "--incidents", help="Add what incident reports sum to, per day and section."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """List reported figures, oldest period first, with their qualifier and source."""
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
        print_json([figure_cells(f) for f in found])
        return
    table = Table("ref", "measure", "place", "period", "value", "qualifier", "source")
    for f in found:
        period = str(f.period_start) if f.days == 1 else f"{f.period_start} – {f.period_end}"
        table.add_row(
            f.ref,
            f.measure.value,
            f.place,
            period,
            format_value(f.value),
            f.qualifier.value,
            f.source.reference,
        )
    out.print(table)
    out.print(f"{len(found)} figures")


def sites(
    country: str | None = typer.Option(None, help="Only this country."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List reception sites."""
    from ..services import queries

    with session() as db:
        found = queries.list_sites(db, country.upper() if country else None)
    if as_json:
        print_json([site_cells(s) for s in found])
        return
    table = Table("id", "name", "country", "kind", "operator")
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
        print_json([section_cells(s) for s in found])
        return
    table = Table("id", "country", "neighbour", "name", "km")
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
