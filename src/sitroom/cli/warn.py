"""detect and alarms: surge detection on the reconciled series, and the alarms it raises."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..domain.alarms import Alarm, AlarmState
from ..domain.audiences import EVERYTHING, SHARED_ONLY
from ..domain.errors import InvalidValue
from .browse import parse_day
from .common import (
    Exit,
    compact_table,
    engine,
    err,
    out,
    print_json,
    report_failed_series,
    session,
)
from .live import drain_pending

if TYPE_CHECKING:
    from sqlalchemy import Engine

# The detectors' names for --help, written out: the registry imports the detectors and scipy
# with them, which `sitroom --help` should not wait for (see cli/common.py). `detect` checks
# against the registry itself, and tests/unit/test_cli_imports.py that these two still match
# analysis.detect.registry.DETECTORS and services.detection.DEFAULT_METHODS.
METHODS = (
    "border",
    "cusum",
    "ears_c1",
    "ears_c2",
    "ears_c3",
    "farrington",
    "ff_default",
    "ff_farrington_jss",
    "ff_noufaily",
    "glrnb",
)
DEFAULT_METHODS = ("border",)


def detect(
    method: list[str] = typer.Option(
        list(DEFAULT_METHODS),
        "--method",
        help=f"Detection method, repeatable: {', '.join(sorted(METHODS))}.",
    ),
    since: str | None = typer.Option(None, "--since", help="Only raise alarms from this day."),
) -> None:
    """Run surge detection on every reconciled flow series (recomputing series whose figures
    changed first) and store the alarms. Running it again on the same data raises nothing new."""
    from ..analysis.detect.registry import DETECTORS
    from ..services import detection
    from ..services.setup import init_database

    unknown = [m for m in method if m not in DETECTORS]
    if unknown:
        err.print(
            f"[red]error:[/red] unknown method {', '.join(unknown)}; "
            f"known: {', '.join(sorted(DETECTORS))}"
        )
        raise typer.Exit(Exit.BAD_INPUT)
    db = engine()
    init_database(db)
    drain_pending(db)
    run = detection.run_detection(db, methods=tuple(method), since=parse_day(since, "--since"))
    for skipped in run.skipped:
        out.print(
            f"[dim]{skipped.measure.value} at {skipped.place} ({skipped.method}): "
            f"{skipped.reason}[/dim]"
        )
    report_failed_series(db)
    out.print(f"{len(run.raised)} new alarms, {run.already_known} already known")


alarms_app = typer.Typer(help="The alarms detection raised: list, acknowledge, close.")


@alarms_app.callback(invoke_without_command=True)
def alarms(
    context: typer.Context,
    everything: bool = typer.Option(False, "--all", help="Closed alarms too."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    cap: Path | None = typer.Option(
        None, "--cap", help="Write each alarm as a CAP 1.2 alert (XML) into this folder."
    ),
    sender: str = typer.Option(
        "sitroom@localhost", help="The CAP sender: an address that identifies this system."
    ),
    shared_only: bool = typer.Option(
        False,
        "--shared-only",
        help="Only the alarms raised on shared figures, as someone outside every organisation "
        "sees them: for alerts that leave the organisations whose figures are restricted.",
    ),
) -> None:
    """List the open alarms (new and acknowledged), newest day first; with --cap, write them
    as CAP 1.2 alerts that any alerting system can take. Alarms are raised from every figure,
    restricted ones included, unless --shared-only."""
    if context.invoked_subcommand is not None:
        return
    readers = SHARED_ONLY if shared_only else EVERYTHING
    if cap is not None:
        _write_cap(cap, sender, everything, readers)
        return
    from ..services import alarms as alarm_service
    from ..services.setup import init_database

    states = tuple(AlarmState) if everything else (AlarmState.NEW, AlarmState.ACKNOWLEDGED)
    db = engine()
    init_database(db)
    with session(db) as s:
        found = alarm_service.list_alarms(s, readers=readers, states=states)
    if as_json:
        print_json([{"id": i, **{k: getattr(a, k) for k in a.__slots__}} for i, a in found])
        return
    # Two lines a row keep the day, the measure and the place whole in 80 columns.
    table = compact_table(
        "id", "day", "measure\nplace", "method", "observed\nexpected", "threshold", "level\nstate"
    )
    for ident, a in found:
        table.add_row(
            str(ident),
            str(a.day),
            f"{a.measure.value}\n{a.place}",
            a.method,
            f"{a.observed:.0f}\n{a.expected:.1f}",
            f"{a.threshold:.1f}",
            f"{a.level.value}\n{a.state.value}",
        )
    out.print(table)


def _write_cap(folder: Path, sender: str, everything: bool, readers: tuple[str, ...]) -> None:
    from ..services import alarms as alarm_service
    from ..services.setup import init_database

    db = engine()
    init_database(db)
    try:
        files = alarm_service.write_cap(
            db,
            folder,
            sender=sender,
            now=datetime.now(UTC),
            everything=everything,
            readers=readers,
        )
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(Exit.BAD_INPUT) from None
    invalid = [f for f in files if f.problems]
    for bad in invalid:
        err.print(f"[red]invalid CAP[/red] {bad.path}: {'; '.join(bad.problems)}")
    out.print(f"wrote {len(files)} CAP alerts to {folder}")
    if invalid:
        raise typer.Exit(Exit.ROWS_REJECTED)


@alarms_app.command("ack")
def acknowledge(
    alarm_id: int,
    by: str = typer.Option(..., "--by", help="Who acknowledges it."),
    reason: str = typer.Option(..., "--reason", help="Why: what was checked or done."),
) -> None:
    """Acknowledge alarm ALARM_ID: someone has seen it, and says why it stays open."""
    from ..services import alarms as alarm_service

    _apply(lambda db: alarm_service.acknowledge(db, alarm_id, by=by, reason=reason))


@alarms_app.command("close")
def close(
    alarm_id: int,
    by: str = typer.Option(..., "--by", help="Who closes it."),
    reason: str = typer.Option("", "--reason", help="Why it is over (kept with the alarm)."),
) -> None:
    """Close alarm ALARM_ID: it no longer colours the map or the report."""
    from ..services import alarms as alarm_service

    _apply(lambda db: alarm_service.close(db, alarm_id, by=by, reason=reason))


def _apply(change: Callable[[Engine], Alarm]) -> None:
    db = engine()
    try:
        alarm = change(db)
    except InvalidValue as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(Exit.BAD_INPUT) from None
    out.print(f"alarm is now {alarm.state.value}")


def register(app: typer.Typer) -> None:
    app.command()(detect)
    app.add_typer(alarms_app, name="alarms")
