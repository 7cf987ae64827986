"""requests, offers, pipeline and allocate: assistance coordination from the command line.
Requests and offers come in through `sitroom import` (their kind is guessed from the header, or
`--kind requests|offers`) and go out through `sitroom export requests|offers`. The command line
is the operator's: it sees every request and offer, and its moves are audited under `--by`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from .common import Exit, engine, err, out, print_json, session

if TYPE_CHECKING:
    from ..domain.accounts import User

requests_app = typer.Typer(
    help="Requests for assistance and their line items.", no_args_is_help=True
)
offers_app = typer.Typer(help="Offers and pledges, and their moves.", no_args_is_help=True)


def _operator(by: str) -> User:
    from ..domain.accounts import Role, User

    return User(0, by, None, Role.COORDINATOR)


def _n(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}".replace(",", " ")


@requests_app.command("items")
def items() -> None:
    """The item vocabulary: every item with its category, unit and the persons one unit
    shelters or beds."""
    from ..domain.assistance_items import ITEMS

    table = Table("item", "category", "unit", "persons", "label")
    for i in ITEMS.values():
        table.add_row(i.key, i.category.value, i.unit, str(i.persons or ""), i.label)
    out.print(table)


@requests_app.command("list")
def requests_list(
    country: str | None = typer.Option(None, help="Only this requesting state."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Every request line item."""
    from ..interchange.records.requests import request_cells
    from ..services import assist_reads

    with session() as db:
        rows = [
            r for r in assist_reads.every_request(db) if not country or r.country == country.upper()
        ]
    if as_json:
        print_json([request_cells(r) for r in rows])
        return
    table = Table("ref", "asked on", "country", "channel", "item", "quantity", "needed by")
    for r in rows:
        table.add_row(
            r.ref,
            r.requested_on,
            r.country,
            r.channel.value,
            r.item.key,
            _n(r.quantity),
            str(r.needed_by or ""),
        )
    out.print(table)


@requests_app.command("draft")
def draft(
    place: str = typer.Argument(..., help="A reception site id (LT-PABRADE) or a country."),
    out_file: Path | None = typer.Option(
        None, "--out", help="Write the draft as a requests CSV to edit and import."
    ),
    request: str = typer.Option("REQ-DRAFT", help="The request ref the draft's lines get."),
    shortfall: int | None = typer.Option(
        None, help="Places short, when you know it: skips the runway forecast."
    ),
    days: int | None = typer.Option(None, help="With --shortfall: days until full."),
) -> None:
    """A draft request from the capacity runway's forecast shortfall and the needs calculator
    (Sphere minimums; see docs/assistance.md). Nothing is stored: edit it, then import it."""
    from ..interchange.csv_format import write_csv
    from ..interchange.records.requests import COLUMNS
    from ..services.assist_plan import draft_for
    from ..services.foresight import NoSeries

    try:
        if shortfall is not None:
            from ..analysis.assist.draft import draft_request
            from ..analysis.needs import Climate, needs_for_shortfall

            needs = needs_for_shortfall(shortfall, Climate.COLD)
            found = draft_request(place.upper(), shortfall, needs, full_on=None, days_to_full=days)
        else:
            found = draft_for(engine(), place)
    except NoSeries as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(Exit.BAD_INPUT) from None
    out.print(found.summary)
    rows = [
        {
            "ref": f"{request}.{n}",
            "request": request,
            "requested_on": date.today().isoformat(),
            "country": found.place[:2],
            "item": line.item.key,
            "quantity": f"{line.quantity:g}",
            "needed_by": found.needed_by.isoformat() if found.needed_by else "",
            "destination": found.place if len(found.place) > 2 else "",
            "priority": found.priority.value,
            "description": line.item.label,
            "source_url": f"sitroom runway of {found.place}",
            "note": line.why,
        }
        for n, line in enumerate(found.lines, start=1)
    ]
    for row in rows:
        out.print(f"  {row['item']}: {row['quantity']}  [dim]{row['note'][:90]}[/dim]")
    if out_file is not None:
        with out_file.open("wb") as stream:
            write_csv(rows, COLUMNS, stream)
        err.print(f"wrote the draft to {out_file}; edit it, then `sitroom import {out_file}`")


@offers_app.command("list")
def offers_list(
    status: str | None = typer.Option(None, help="offered, accepted, dispatched, delivered …"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Every offer with its status."""
    from ..interchange.records.offers import offer_cells
    from ..services import assist_reads

    with session() as db:
        rows = [o for o in assist_reads.every_offer(db) if not status or o.status.value == status]
    if as_json:
        print_json([offer_cells(o) for o in rows])
        return
    table = Table("ref", "provider", "request", "item", "quantity", "EUR", "status", "delivered")
    for o in rows:
        table.add_row(
            o.ref,
            o.provider,
            o.request or "",
            o.item.key,
            _n(o.quantity),
            _n(o.value_eur),
            o.status.value,
            _n(o.delivered_quantity or None),
        )
    out.print(table)


@offers_app.command("move")
def move(
    ref: str,
    status: str = typer.Argument(
        ..., help="accepted, declined, withdrawn, dispatched or delivered"
    ),
    quantity: float | None = typer.Option(None, help="For a partial delivery: how much arrived."),
    by: str = typer.Option("cli", help="Who is making the move, for the audit trail."),
    note: str = typer.Option(""),
) -> None:
    """Move an offer on (offered → accepted → dispatched → delivered, or declined/withdrawn)."""
    from ..domain.assistance import OfferStatus
    from ..domain.errors import InvalidValue
    from ..services.assist_writes import Conflict, move_offer

    try:
        moved = move_offer(
            engine(), _operator(by), ref, OfferStatus(status), quantity=quantity, note=note
        )
    except (ValueError, InvalidValue, Conflict) as exc:
        err.print(f"[red]refused:[/red] {exc}")
        raise typer.Exit(Exit.ROWS_REJECTED) from None
    if moved is None:
        err.print(f"[red]no offer {ref}[/red]")
        raise typer.Exit(Exit.BAD_INPUT)
    out.print(f"{moved.ref} is {moved.status.value}; delivered {moved.delivered_quantity:g}")


def pipeline(
    as_of: str = typer.Option(date.today().isoformat(), "--as-of", help="The day (YYYY-MM-DD)."),
    country: str | None = typer.Option(None, help="Only what goes to this country."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Per request and item: asked, offered, accepted, in transit, delivered, still uncovered."""
    from ..services import assist_reads

    day = date.fromisoformat(as_of)
    with session() as db:
        view = assist_reads.pipeline_view(
            db, _operator("cli"), day, country.upper() if country else None
        )
    lines = view.pipeline.lines
    if as_json:
        print_json(
            [
                {
                    "request": x.request,
                    "recipient": x.recipient,
                    "item": x.item.key,
                    "unit": x.item.unit,
                    "asked": x.asked,
                    "offered": x.offered,
                    "pending": x.pending,
                    "accepted": x.accepted,
                    "in_transit": x.in_transit,
                    "delivered": x.delivered,
                    "uncovered": x.uncovered,
                    "value_eur": x.value_eur,
                    "offers": x.offers,
                    "offer_refs": x.offer_refs,
                }
                for x in lines
            ]
        )
        return
    table = Table(
        "to",
        "request",
        "item",
        "asked",
        "offered",
        "accepted",
        "in transit",
        "delivered",
        "uncovered",
        title=f"Assistance pipeline as of {day}",
    )
    for x in lines:
        table.add_row(
            x.recipient,
            x.request,
            x.item.key,
            _n(x.asked),
            _n(x.offered),
            _n(x.accepted),
            _n(x.in_transit),
            _n(x.delivered),
            _n(x.uncovered),
        )
    out.print(table)


def allocate(
    as_of: str = typer.Option(date.today().isoformat(), "--as-of"),
    accept: bool = typer.Option(
        False, "--accept", help="Accept every proposed move (as the operator)."
    ),
    by: str = typer.Option("cli"),
) -> None:
    """Propose who should send what where (open offers to uncovered request lines), against a
    first-come allocation; with --accept, accept the proposal."""
    from ..services import assist_plan

    day = date.fromisoformat(as_of)
    with session() as db:
        proposal = assist_plan.propose(db, _operator(by), day)
    best, first = proposal.allocation, proposal.greedy
    table = Table("offer", "to request", "item", "quantity", "days late", title="Proposal")
    for m in best.moves:
        request, item = m.need.split("|")
        table.add_row(m.supply, request, item, _n(m.quantity), str(m.days_late))
    out.print(table)
    out.print(
        f"weighted shortfall {best.cost:,.1f} (solver bound {best.bound:,.1f}, "
        f"gap {best.gap:.2%}); first-come: {first.cost:,.1f}; "
        f"{len(proposal.needs)} needs, {len(proposal.supplies)} offers"
    )
    if accept and best.moves:
        moves = [(m.supply, m.need.split("|")[0], m.quantity) for m in best.moves]
        done = assist_plan.accept_moves(engine(), _operator(by), moves)
        out.print(f"accepted {len(done)} moves")


def register(app: typer.Typer) -> None:
    app.add_typer(requests_app, name="requests")
    app.add_typer(offers_app, name="offers")
    app.command()(pipeline)
    app.command()(allocate)
