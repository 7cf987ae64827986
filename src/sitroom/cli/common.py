"""What every command shares: the engine from settings, the consoles and the exit codes.

The command modules import at module level only what Typer needs to build the commands
(typer, rich, light enums and parse helpers); services, analysis, the report and the database
layer are imported inside the commands that use them, so that `sitroom --help` and
`sitroom import` do not pay, in time and memory, for scipy, matplotlib, polars or WeasyPrint
they never use. tests/e2e/test_cli_imports.py keeps it that way.
"""

from __future__ import annotations

import enum
import json
from datetime import date
from typing import TYPE_CHECKING, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from ..config import SettingsError, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

out = Console()
err = Console(stderr=True)
# From this width on, tables show every column on one line; below it (80 columns is the
# usual terminal) they wrap cells or leave the least needed column to --json.
WIDE = 120


class Exit(enum.IntEnum):
    """Exit codes scripts can rely on."""

    OK = 0
    ROWS_REJECTED = 1
    BAD_INPUT = 2


def engine(*, ready: bool = True) -> Engine:
    """The engine from settings. With `ready`, a database that was never initialised (or is
    at an older schema) stops the command with how to fix it, instead of a traceback;
    commands that initialise the database themselves pass `ready=False`."""
    from ..store.engine import make_engine  # on use: see the module docstring

    try:
        db = make_engine(load_settings())
    except SettingsError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(Exit.BAD_INPUT) from None
    if ready:
        from ..store.migrate import schema_problem

        if (problem := schema_problem(db)) is not None:
            db.dispose()
            err.print(
                f"[red]error:[/red] {problem}. Run `sitroom init` to create or upgrade it "
                "(SITROOM_DATABASE_URL names the database; ./sitroom.db by default)."
            )
            raise typer.Exit(Exit.BAD_INPUT)
    return db


def session(db: Engine | None = None) -> Session:
    """A session on `db`, or on the engine from settings."""
    from sqlalchemy.orm import Session

    return Session(db if db is not None else engine())


def compact_table(*headers: str, title: str | None = None) -> Table:
    """A table that spends its width on the cells (80 columns go far): no outer frame, one
    rule under the header; long cells wrap at spaces, never cut."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, title=title)
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def day_text(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def print_json(data: Any) -> None:
    # Plain print, not Rich: scripts parse this, and Rich would wrap long lines.
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def report_failed_series(db: Engine) -> None:
    """Say which series could not be computed: every other series was, and what was derived
    from them stands, but these are missing from it."""
    from ..domain.audiences import EVERYTHING
    from ..services import series_reads

    with session(db) as s:
        failed = series_reads.failed_series(s, EVERYTHING)
    for f in failed:
        err.print(
            f"[yellow]warning:[/yellow] {f.measure.value} at {f.place} could not be computed: "
            f"{f.failure}"
        )
