"""demo: a fresh database with the 2021 Belarus border data, and the first picture of it."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from ..config import Settings
from ..datasets import belarus_2021, frontex
from ..domain.countries import country_name
from ..domain.figures import ReportedFigure, format_value
from .common import Exit, compact_table, day_text, err, out, session
from .web import run_server

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ..services.picture import Picture


def demo(
    database: Path = typer.Option(Path("sitroom-demo.db"), help="The SQLite file to (re)create."),
    serve: bool | None = typer.Option(
        None,
        "--serve/--no-serve",
        help="Serve the situation room on http://127.0.0.1:8000 after loading "
        "(default: when the output is a terminal, so scripts and tests never block).",
    ),
    port: int = typer.Option(8000, help="Port to serve on."),
) -> None:
    """Load the real 2021 Belarus border data (LT, LV, PL figures, Lithuanian reception
    sites, border sections) into a fresh SQLite file, print the first picture, create demo
    users and serve the situation room."""
    # The services, the detectors and the database layer on use: see cli/common.py.
    from ..services.picture import first_picture
    from ..services.pipeline import drain
    from ..services.setup import load_belarus_2021
    from ..store.engine import make_engine
    from . import demo_users

    # The write-ahead log of an earlier demo must go with it, or SQLite would replay it.
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    db = make_engine(Settings(database_url=f"sqlite:///{database}"))
    load = load_belarus_2021(db)
    for report in load.reports:
        out.print(
            f"{report.file_name}: read {report.read}, accepted {report.accepted}, "
            f"rejected {report.rejected}"
        )
        if report.error or report.rejected:
            err.print(f"[red]the bundled data did not load cleanly[/red]: {report.as_dict()}")
            raise typer.Exit(Exit.ROWS_REJECTED)
    with session(db) as s:
        picture = first_picture(s, belarus_2021.PICTURE_DAY)
    _print_picture(picture)
    _print_frontex_context()
    _print_assistance(db)
    _print_skipped(load.skipped)
    out.print(
        f"database: {database} — explore with `SITROOM_DATABASE_URL=sqlite:///{database} "
        "sitroom figures --country LT`"
    )
    # The import marked every series stale: work through them now, so that the first page
    # already shows the picture (`serve` keeps it up to date from then on).
    drained = drain(db)
    out.print(
        f"reconciled series computed; {len(drained.alarm_ids)} alarms raised "
        "(every audience's series counted)"
    )
    credentials = demo_users.create(db)
    users = Table(
        "user", "password", "role", "organisation", title="Demo users (this database only)"
    )
    for person in credentials:
        users.add_row(person.username, person.password, person.role, person.organisation)
    out.print(users)
    db.dispose()
    if serve is None:
        serve = sys.stdout.isatty()
    if serve:
        os.environ["SITROOM_DATABASE_URL"] = f"sqlite:///{database.resolve()}"
        out.print(
            "[dim]Session cookies are sent over plain HTTP for this demo on 127.0.0.1; "
            "`sitroom serve` keeps them Secure (HTTPS only).[/dim]"
        )
        run_server("127.0.0.1", port, 1, insecure_cookies=True)


def _print_picture(picture: Picture) -> None:
    out.print(
        f"[bold]The situation as of {day_text(picture.as_of)}[/bold]: what the figures "
        "ending by then say (later ones are stored too; `sitroom figures` lists them)."
    )
    table = compact_table("country", "measure", "latest figure", "year to date")
    for line in picture.countries:
        table.add_row(
            country_name(line.country),
            line.measure.value,
            _say(line.latest),
            _say(line.year_to_date) if line.year_to_date else "—",
        )
    out.print(table)
    sites = compact_table("reception site", "capacity", "occupancy", "full")
    for site in picture.sites:
        full = site.full
        percent = full.percent if full is not None else None
        sites.add_row(
            f"{site.site.name} ({site.site.id})",
            _say(site.capacity) if site.capacity else "unknown",
            _say(site.occupancy) if site.occupancy else "unknown",
            f"{percent:.0f} % on {full.day}"
            if full is not None and percent is not None
            else "— (not reported for the same day)",
        )
    out.print(sites)


def _print_skipped(skipped: list[belarus_2021.Skipped]) -> None:
    """The source rows the demo could not load, grouped by why."""
    if not skipped:
        return
    by_reason: dict[tuple[str, str], list[belarus_2021.Skipped]] = {}
    for row in skipped:
        by_reason.setdefault((row.file, row.reason), []).append(row)
    out.print(f"{len(skipped)} rows of the bundled data were not loaded:")
    for (file, reason), rows in sorted(by_reason.items(), key=lambda item: -len(item[1])):
        lines = ", ".join(str(r.line) for r in rows)
        out.print(f"  {reason} ({len(rows)}): {file} lines {lines}")


def _print_assistance(db: Engine) -> None:
    """The 2021 pipeline on 4 August: the day Lithuania's first requests had been answered."""
    from ..domain.accounts import Role, User
    from ..services import assist_reads

    day = date(2021, 8, 4)
    with session(db) as s:
        view = assist_reads.pipeline_view(s, User(0, "demo", None, Role.COORDINATOR), day)
    table = Table(
        "to", "request", "item", "asked", "delivered", "uncovered", title=f"Assistance as of {day}"
    )
    for x in view.pipeline.lines:
        if x.asked is not None or x.delivered:
            table.add_row(
                x.recipient,
                x.request,
                x.item.label,
                _count(x.asked),
                _count(x.delivered),
                _count(x.uncovered),
            )
    out.print(table)
    out.print("[dim]the whole pipeline: `sitroom pipeline --as-of 2021-08-04`[/dim]")


def _count(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _print_frontex_context() -> None:
    months, years = frontex.monthly_detections(), frontex.yearly_detections()
    summer = ", ".join(f"{m}: {months[m]:,}" for m in ("2021-06", "2021-07", "2021-08"))
    out.print(
        f"Frontex, Eastern Borders Route, detections: 2020 {years[2020]:,}; "
        f"2021 {years[2021]:,} ({summer})"
    )


def _say(figure: ReportedFigure) -> str:
    period = (
        str(figure.period_end)
        if figure.days == 1
        else f"{figure.period_start} – {figure.period_end}"
    )
    mark = "" if figure.qualifier.value == "exact" else f" ({figure.qualifier.value})"
    return f"{format_value(figure.value)}{mark}\n[dim]{period}[/dim]"


def register(app: typer.Typer) -> None:
    app.command()(demo)
