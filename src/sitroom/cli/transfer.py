"""init, import, export and the quarantine of rejected rows."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..interchange.records.schema import RecordKind
from ..interchange.registry import Format
from .common import Exit, compact_table, engine, err, out, print_json, session

if TYPE_CHECKING:
    from ..services import queries
    from ..services.report import ImportReport

# The services are imported in the commands (see cli/common.py): an import of a million rows
# should not start by loading what `sitroom export` or the analysis need.


def init() -> None:
    """Create the database, or upgrade it to the current schema (safe to run again)."""
    from ..services.setup import init_database

    init_database(engine(ready=False))
    out.print("database ready")


def import_(
    file: Path = typer.Argument(
        ..., help="A CSV or XLSX file of figures, incidents, sites or sections."
    ),
    kind: RecordKind | None = typer.Option(
        None, help="What the file holds; guessed from its header if not given."
    ),
    partial: bool = typer.Option(
        False,
        "--partial",
        help="Store the valid rows even when some are rejected; quarantine the rest.",
    ),
    entered_by: str = typer.Option(
        "cli", help="Who is entering the data, for rows that do not say."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Import FILE. Every row is accepted, a duplicate (already stored), or rejected with its line,
    field and reason. Without --partial a single rejected row means nothing is stored.
    Exit codes: 0 all stored (or, with --partial, the rest quarantined); 1 rows rejected and
    nothing stored; 2 the file could not be read."""
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from ..domain.accounts import Writer
    from ..services import ingest
    from ..services.setup import init_database

    db = engine(ready=False)  # an import creates or upgrades the database it fills
    init_database(db)
    size = file.stat().st_size if file.exists() else 0
    with Progress(
        TextColumn("importing {task.fields[name]}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]} rows"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task("import", total=size or None, name=file.name, rows=0)
        report = ingest.import_file(
            db,
            file,
            entered_by=entered_by,
            # The command line is the operator's: it sees and may refer to every record.
            writer=Writer.operator(entered_by),
            kind=kind,
            partial=partial,
            progress=lambda rows, done: bar.update(task, completed=done, rows=rows),
        )
    if as_json:
        print_json(report.as_dict())
    else:
        _print_report(report)
    if report.error:
        raise typer.Exit(Exit.BAD_INPUT)
    if report.rejected and not partial:
        raise typer.Exit(Exit.ROWS_REJECTED)


def _print_report(report: ImportReport) -> None:
    if report.error:
        err.print(f"[red]error:[/red] {report.file_name}: {report.error}")
        return
    for note in report.notes:
        err.print(f"[yellow]note:[/yellow] {note}")
    out.print(
        f"{report.file_name} ({report.kind}, {report.file_format}): read {report.read}, "
        f"accepted {report.accepted}, duplicate {report.duplicate}, "
        f"rejected {report.rejected}"
    )
    if report.rejections:
        table = compact_table("line", "field", "reason", title="rejected rows")
        for rejection in report.rejections[:50]:
            table.add_row(str(rejection.line), rejection.field, rejection.reason)
        out.print(table)
        if len(report.rejections) > 50:
            out.print(f"... and {len(report.rejections) - 50} more (use --json for all)")
    if report.rejected and not report.committed:
        out.print("[red]nothing was stored[/red]: fix the rows above, or import with --partial")
    elif report.rejected:
        out.print("rejected rows are in the quarantine: `sitroom quarantine export FILE`")


def export(
    kind: RecordKind = typer.Argument(..., help="figures, incidents, sites or sections"),
    file: Path = typer.Argument(..., help="Where to write; '-' for standard output."),
    fmt: Format = typer.Option(
        Format.CSV, "--format", help="csv, xlsx, json, or hxl (CSV with HXL hashtags)."
    ),
) -> None:
    """Export every stored record of KIND to FILE."""
    from ..services import exports

    db = engine()
    if str(file) == "-":
        count = exports.export_records(db, kind, fmt, sys.stdout.buffer)
    else:
        with file.open("wb") as stream:
            count = exports.export_records(db, kind, fmt, stream)
        err.print(f"wrote {count} {kind.value} to {file}")


def check(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Only list the rows that break the rules; move nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Hold every stored figure and incident to today's rules (real dates from 1990 to 92 days
    ahead, whole counts below each measure's maximum). Rows stored before a rule existed that
    break it move to the quarantine with all their cells and the reason; nothing is lost:
    `sitroom quarantine export FILE`, fix, and import the file again."""
    from ..services.check import check_stored

    run = check_stored(engine(), dry_run=dry_run)
    if as_json:
        print_json(
            {
                "examined": {kind.value: n for kind, n in run.examined.items()},
                "quarantined": run.quarantined,
                "breaches": [
                    {"kind": b.kind.value, "ref": b.ref, "field": b.field, "reason": b.reason}
                    for b in run.breaches
                ],
            }
        )
        return
    examined = ", ".join(f"{n} {kind.value}" for kind, n in run.examined.items())
    if not run.breaches:
        out.print(f"checked {examined}: every row keeps the rules")
        return
    table = compact_table("kind", "ref", "field", "reason", title="rows that break the rules")
    for b in run.breaches:
        table.add_row(b.kind.value, b.ref, b.field, b.reason)
    out.print(table)
    moved = "moved to the quarantine" if run.quarantined else "would move (--dry-run)"
    out.print(f"checked {examined}: {len(run.breaches)} {moved}")


quarantine_app = typer.Typer(
    help="Rows rejected by partial imports, kept raw until fixed.", no_args_is_help=True
)


@quarantine_app.command("list")
def quarantine_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """List the rejected rows still waiting for a fix."""
    from ..services import queries

    with session() as db:
        rows = queries.list_quarantine(db)
    if as_json:
        print_json([_as_dict(r) for r in rows])
        return
    table = compact_table("id", "batch", "kind", "line", "field", "reason")
    for row in rows:
        table.add_row(
            str(row.id), str(row.batch_id), row.kind, str(row.line), row.field, row.reason
        )
    out.print(table)


def _as_dict(row: queries.QuarantinedRow) -> dict[str, object]:
    return {
        "id": row.id,
        "batch": row.batch_id,
        "kind": row.kind,
        "line": row.line,
        "field": row.field,
        "reason": row.reason,
        "cells": row.cells,
    }


@quarantine_app.command("export")
def quarantine_export(
    file: Path,
    kind: RecordKind = typer.Option(RecordKind.FIGURES, help="Which kind of rows to export."),
) -> None:
    """Write the quarantined rows of one kind to a CSV with their `quarantine_id` and reason.
    Fix the rows and import the file again: each row that is then stored leaves the quarantine."""
    from ..services import exports, queries

    with session() as db:
        rows = [r for r in queries.list_quarantine(db) if r.kind == kind.value]
    exports.write_quarantine(rows, kind, file)
    err.print(f"wrote {len(rows)} rows to {file}")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command("import")(import_)
    app.command()(export)
    app.command()(check)
    app.add_typer(quarantine_app, name="quarantine")
