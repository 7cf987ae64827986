"""series and conflicts: the reconciled daily picture, and the figures that disagree."""

from __future__ import annotations

import csv
import sys

import typer
from rich.table import Table

from ..domain.audiences import EVERYTHING
from ..domain.measures import Measure
from .browse import parse_day
from .common import Exit, compact_table, engine, err, out, print_json, session
from .live import drain_pending


def series(
    measure: Measure = typer.Argument(..., help="The measure, e.g. apprehended."),
    place: str = typer.Argument(..., help="A country code, section id or site id."),
    start: str | None = typer.Option(None, "--from", help="First day to show (YYYY-MM-DD)."),
    end: str | None = typer.Option(None, "--to", help="Last day to show (YYYY-MM-DD)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV."),
) -> None:
    """Show the reconciled daily series of MEASURE at PLACE: each day's best estimate, its 80 %
    and 95 % intervals, and whether it was observed, derived from totals, or estimated.
    Series whose figures changed are brought up to date first."""
    # The services (and scipy under them) on use: see cli/common.py.
    from ..services import series_reads
    from ..services.setup import init_database

    db = engine()
    init_database(db)
    drain_pending(db)
    with session(db) as s:
        found = series_reads.read_series(
            s,
            measure,
            place.upper(),
            readers=EVERYTHING,
            start=parse_day(start, "--from"),
            end=parse_day(end, "--to"),
        )
    if found is None:
        err.print(f"[red]error:[/red] no figures for {measure.value} at {place.upper()}")
        raise typer.Exit(Exit.BAD_INPUT)
    if found.failure and not as_json:
        err.print(f"[red]error:[/red] this series could not be computed: {found.failure}")
        raise typer.Exit(Exit.ROWS_REJECTED)
    if as_json:
        print_json(
            {
                "measure": found.measure.value,
                "place": found.place,
                "nature": found.nature.value,
                "computed_at": found.computed_at.isoformat(),
                "reason": found.reason,
                "failure": found.failure,
                "days": [vars_of(d) for d in found.days],
                "conflicts": [vars_of(c) for c in found.conflicts],
            }
        )
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(
            ["day", "estimate", "lower80", "upper80", "lower95", "upper95", "mark", "shaped_by"]
        )
        for d in found.days:
            writer.writerow(
                [
                    d.day,
                    f"{d.estimate:.2f}",
                    f"{d.lower80:.2f}",
                    f"{d.upper80:.2f}",
                    f"{d.lower95:.2f}",
                    f"{d.upper95:.2f}",
                    d.mark,
                    " ".join(d.shaped_by),
                ]
            )
        return
    table = Table(
        "day", "estimate", "80 %", "95 %", "mark", title=f"{found.measure.value} at {found.place}"
    )
    for d in found.days:
        table.add_row(
            str(d.day),
            f"{d.estimate:.0f}",
            f"{d.lower80:.0f}–{d.upper80:.0f}",
            f"{d.lower95:.0f}–{d.upper95:.0f}",
            d.mark,
        )
    out.print(table)
    if found.reason:
        out.print(found.reason)
    if found.conflicts:
        out.print(f"{len(found.conflicts)} conflicts: see `sitroom conflicts`")


def vars_of(item: object) -> dict[str, object]:
    return {name: getattr(item, name) for name in item.__slots__}  # type: ignore[attr-defined]


def conflicts(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the figures that cannot all hold, which one was preferred, by which rule and by
    how much they disagree."""
    from ..services import series_reads
    from ..services.setup import init_database

    db = engine()
    init_database(db)
    drain_pending(db)
    with session(db) as s:
        found = series_reads.list_conflicts(s, readers=EVERYTHING)
    if as_json:
        print_json([vars_of(c) for c in found])
        return
    # Refs are never cut: each on its own line, + for the preferred, - for those set aside.
    table = compact_table("measure\nplace", "figures", "kind, gap and rule")
    for c in found:
        refs = [f"+ {ref}" for ref in c.winners] + [f"- {ref}" for ref in c.losers]
        table.add_row(
            f"{c.measure.value}\n{c.place}",
            "\n".join(refs),
            f"{c.kind}, gap {c.gap:.0f}: {c.rule}",
        )
    out.print(table)
    out.print(f"{len(found)} conflicts")


def register(app: typer.Typer) -> None:
    app.command()(series)
    app.command()(conflicts)
