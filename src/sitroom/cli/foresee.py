"""forecast and runway: what the next weeks may bring, and when reception will be full."""

from __future__ import annotations

from datetime import date

import typer

# Climate's module is light (no numpy); runway's and the services bring scipy and the
# forecast models, so they are imported in the commands: see cli/common.py.
from ..analysis.needs import Climate
from ..domain.measures import Measure
from .browse import parse_day
from .common import Exit, compact_table, engine, err, out, print_json
from .live import drain_pending


def forecast(
    measure: Measure = typer.Argument(..., help="The measure, e.g. apprehended."),
    place: str = typer.Argument(..., help="A country code, section id or site id."),
    horizon: int = typer.Option(28, help="Days ahead, 1 to 28."),
    cutoff: str | None = typer.Option(
        None, "--cutoff", help="Forecast from the data up to this day only (a hindcast)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Forecast the reconciled series of MEASURE at PLACE with 80 % and 95 % intervals. The
    model is chosen for this series by backtest; the output says which, and how it scored.
    The forecast is stored with its cut-off so it can be scored later."""
    from ..services import foresight
    from ..services.setup import init_database

    db = engine()
    init_database(db)
    drain_pending(db)
    try:
        made = foresight.make_forecast(
            db, measure, place.upper(), horizon=horizon, cutoff=parse_day(cutoff, "--cutoff")
        )
    except (foresight.NoSeries, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(Exit.BAD_INPUT) from None
    fc = made.forecast
    chosen = fc.chosen
    if as_json:
        print_json(
            {
                "measure": measure.value,
                "place": made.place,
                "cutoff": made.cutoff,
                "model": fc.model,
                "backtest_mase": chosen.mase if chosen else None,
                "warnings": list(fc.warnings),
                "days": [
                    {
                        "day": d,
                        "point": float(fc.point[i]),
                        "lo80": float(fc.lo80[i]),
                        "hi80": float(fc.hi80[i]),
                        "lo95": float(fc.lo95[i]),
                        "hi95": float(fc.hi95[i]),
                    }
                    for i, d in enumerate(fc.dates)
                ],
            }
        )
        return
    score = f", backtest MASE {chosen.mase:.2f}" if chosen else ""
    out.print(f"{measure.value} at {made.place}, data to {made.cutoff}: model {fc.model}{score}")
    for warning in fc.warnings:
        out.print(f"[yellow]note:[/yellow] {warning}")
    table = compact_table("day", "forecast", "80 %", "95 %")
    for i, day in enumerate(fc.dates):
        table.add_row(
            str(day),
            f"{fc.point[i]:.0f}",
            f"{fc.lo80[i]:.0f}–{fc.hi80[i]:.0f}",
            f"{fc.lo95[i]:.0f}–{fc.hi95[i]:.0f}",
        )
    out.print(table)


def runway(
    place: str = typer.Argument(
        ..., help="A reception site id, or a country code for all its sites."
    ),
    horizon: int = typer.Option(28, help="Days ahead, 1 to 28."),
    add_places: int = typer.Option(0, help="What if this many places were added ..."),
    from_day: str | None = typer.Option(None, "--from", help="... from this day."),
    divert: float = typer.Option(0.0, help="What if this share of arrivals went elsewhere."),
    climate: Climate = typer.Option(Climate.COLD, help="For the needs: cold or temperate."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """How many days until reception at PLACE is full, and with what probability: from its
    capacity and occupancy figures and the forecast arrivals, under stated assumptions.
    A site without a capacity figure is reported as "capacity unknown", never as endless."""
    from ..analysis.runway import CapacityChange, Scenario
    from ..services import foresight
    from ..services.setup import init_database

    db = engine()
    init_database(db)
    drain_pending(db)
    start = parse_day(from_day, "--from") or date.today()
    changes = (CapacityChange(start, float(add_places)),) if add_places else ()
    try:
        scenario = Scenario(
            "what if" if changes or divert else "as reported",
            changes,
            divert,
            start if divert else None,
        )
        answer = foresight.runway(
            db, place.upper(), horizon=horizon, scenario=scenario, climate=climate
        )
    except (foresight.NoSeries, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(Exit.BAD_INPUT) from None
    r = answer.runway
    if as_json:
        print_json(
            {
                "place": answer.place,
                "status": r.status.value,
                "message": r.message,
                "as_of": r.as_of,
                "capacity": r.capacity,
                "occupancy": r.occupancy,
                "arrivals_measure": answer.arrivals.value if answer.arrivals else None,
                "scenario": {
                    "name": scenario.name,
                    "added_places": [
                        {"from": c.from_date.isoformat(), "places": c.places}
                        for c in scenario.capacity_changes
                    ],
                    "divert_share": scenario.divert_share,
                    "divert_from": scenario.divert_from,
                },
                "p_full_within": r.p_full_within,
                "median_full_date": r.median_full_date,
                "assumptions": {
                    name: {
                        "value": getattr(r.assumptions, name).value,
                        "source": getattr(r.assumptions, name).source,
                    }
                    for name in r.assumptions.__slots__
                },
                "warnings": list(r.warnings),
                "needs": [
                    {"item": n.item, "quantity": n.quantity, "unit": n.unit, "source": n.source}
                    for n in answer.needs
                ],
            }
        )
        return
    out.print(f"{answer.place}: {r.message}")
    for change in scenario.capacity_changes:
        out.print(f"what if: {change.places:+,.0f} places from {change.from_date}")
    if scenario.divert_share:
        out.print(f"what if: {scenario.divert_share:.0%} of arrivals go elsewhere from {start}")
    if r.p_full_within:
        chances = ", ".join(f"{p:.0%} within {d} days" for d, p in sorted(r.p_full_within.items()))
        out.print(f"chance of being full: {chances}; median date full: {r.median_full_date or '—'}")
    for name in r.assumptions.__slots__:
        parameter = getattr(r.assumptions, name)
        out.print(f"[dim]{name.replace('_', ' ')}: {parameter.value:g} ({parameter.source})[/dim]")
    for warning in r.warnings:
        out.print(f"[yellow]note:[/yellow] {warning}")
    if answer.needs:
        table = compact_table("item", "quantity", "unit", "source", title="needs for the shortfall")
        for need in answer.needs:
            table.add_row(need.item, f"{need.quantity:,.0f}", need.unit, need.source)
        out.print(table)


def register(app: typer.Typer) -> None:
    app.command()(forecast)
    app.command()(runway)
