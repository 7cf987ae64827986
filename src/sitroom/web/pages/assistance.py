"""Assistance pages: the pipeline (what a coordinator looks at first: the gap), requests,
offers with their moves, and the allocation proposal. Forms post to the same services as the
API; a refused move comes back with its reason."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ...domain.accounts import Sharing, can_write, sees_everything
from ...domain.assistance import OfferStatus
from ...domain.assistance_items import ITEMS, Channel, Priority
from ...domain.errors import InvalidValue
from ...services import assist_plan, assist_reads, assist_writes
from ...services.accounts import NotAllowed
from ..deps import CurrentAuth, EngineDep, SessionDep
from .common import form_fields, render

router = APIRouter()
Country = Annotated[str | None, Query(pattern="^[A-Za-z]{0,2}$")]


def _day(value: date | None) -> date:
    return value or date.today()


@router.get("/assistance")
def pipeline_page(
    request: Request,
    auth: CurrentAuth,
    session: SessionDep,
    as_of: date | None = None,
    country: Country = None,
) -> Response:
    day = _day(as_of)
    wanted = country.upper() if country else None
    view = assist_reads.pipeline_view(session, auth.user, day, wanted)
    gaps = [x for x in view.pipeline.lines if x.uncovered]
    context = {"view": view, "day": day, "country": wanted or "", "gaps": gaps}
    return render(request, "assistance.html", auth, context)


def _choices(auth: CurrentAuth) -> dict[str, Any]:
    return {
        "items": list(ITEMS.values()),
        "channels": list(Channel),
        "priorities": list(Priority),
        "sharings": list(Sharing),
        "may_write": can_write(auth.user),
    }


@router.get("/assistance/requests")
def requests_page(
    request: Request,
    auth: CurrentAuth,
    session: SessionDep,
    country: Country = None,
    stored: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    found = assist_reads.requests(session, auth.user, country.upper() if country else None)
    context = {
        **_choices(auth),
        "requests": found,
        "stored": stored,
        "values": {},
        "errors": {},
        "form": "",
    }
    return render(request, "assistance_requests.html", auth, context)


async def _post(
    request: Request, auth: CurrentAuth, engine: EngineDep, session: SessionDep, which: str
) -> Response:
    values = await form_fields(request)
    sharing = Sharing.SHARED if values.get("sharing") == "shared" else Sharing.RESTRICTED
    cells = {k: v for k, v in values.items() if k != "sharing"}
    cells.setdefault("source_url", "sitroom web form")
    cells["source_url"] = cells["source_url"] or "sitroom web form"
    post = assist_writes.post_request if which == "request" else assist_writes.post_offer
    result = await run_in_threadpool(post, engine, auth.user, cells, sharing=sharing)
    target = "/assistance/requests" if which == "request" else "/assistance/offers"
    if result.ok:
        return RedirectResponse(f"{target}?stored={quote(result.ref or '')}", status_code=303)
    found = assist_reads.requests(session, auth.user)
    context = {
        **_choices(auth),
        "requests": found,
        "stored": None,
        "values": values,
        "errors": result.errors,
        "form": which,
    }
    return render(request, "assistance_requests.html", auth, context, status_code=422)


@router.post("/assistance/requests")
async def post_request(
    request: Request, auth: CurrentAuth, engine: EngineDep, session: SessionDep
) -> Response:
    return await _post(request, auth, engine, session, "request")


@router.post("/assistance/offers")
async def post_offer(
    request: Request, auth: CurrentAuth, engine: EngineDep, session: SessionDep
) -> Response:
    return await _post(request, auth, engine, session, "offer")


@router.get("/assistance/offers")
def offers_page(
    request: Request,
    auth: CurrentAuth,
    session: SessionDep,
    status: OfferStatus | None = None,
    stored: Annotated[str | None, Query(max_length=40)] = None,
    refused: Annotated[str | None, Query(max_length=400)] = None,
) -> Response:
    found = assist_reads.offers(session, auth.user, status=status)
    context = {
        "offers": found,
        "statuses": list(OfferStatus),
        "status": status,
        "stored": stored,
        "refused": refused,
        "next_moves": _next_moves,
    }
    return render(request, "assistance_offers.html", auth, context)


def _next_moves(status: OfferStatus) -> list[str]:
    from ...domain.assistance import NEXT

    moves = sorted(s.value for s in NEXT[status])
    return moves + (
        ["delivered"] if status is OfferStatus.DISPATCHED and "delivered" not in moves else []
    )


@router.post("/assistance/offers/{ref}/move")
async def move_offer(ref: str, request: Request, auth: CurrentAuth, engine: EngineDep) -> Response:
    values = await form_fields(request)
    try:
        target = OfferStatus(values.get("status", ""))
        version = int(values["version"]) if values.get("version", "").isdigit() else None
        quantity = float(values["quantity"]) if values.get("quantity") else None
        moved = await run_in_threadpool(
            assist_writes.move_offer,
            engine,
            auth.user,
            ref,
            target,
            version=version,
            quantity=quantity,
        )
    except (ValueError, InvalidValue, assist_writes.Conflict, NotAllowed) as exc:
        return RedirectResponse(
            f"/assistance/offers?refused={quote(str(exc)[:380])}", status_code=303
        )
    if moved is None:
        return RedirectResponse(
            f"/assistance/offers?refused={quote(f'no offer {ref}')}", status_code=303
        )
    return RedirectResponse(f"/assistance/offers?stored={quote(moved.ref)}", status_code=303)


@router.get("/assistance/proposal")
def proposal_page(
    request: Request,
    auth: CurrentAuth,
    session: SessionDep,
    as_of: date | None = None,
    accepted: Annotated[int | None, Query(ge=0)] = None,
    refused: Annotated[str | None, Query(max_length=400)] = None,
) -> Response:
    day = _day(as_of)
    proposal = assist_plan.propose(session, auth.user, day)
    context = {
        "proposal": proposal,
        "day": day,
        "accepted": accepted,
        "refused": refused,
        "may_accept": can_write(auth.user) and sees_everything(auth.user),
    }
    return render(request, "assistance_proposal.html", auth, context)


@router.post("/assistance/proposal/accept")
async def accept_proposal(request: Request, auth: CurrentAuth, engine: EngineDep) -> Response:
    form = await request.form()
    moves = []
    for value in form.getlist("move"):
        offer, request_ref, quantity = str(value).split("|")
        moves.append((offer, request_ref, float(quantity)))
    try:
        done = await run_in_threadpool(assist_plan.accept_moves, engine, auth.user, moves)
    except (ValueError, InvalidValue, assist_writes.Conflict) as exc:
        return RedirectResponse(
            f"/assistance/proposal?refused={quote(str(exc)[:380])}", status_code=303
        )
    return RedirectResponse(f"/assistance/proposal?accepted={len(done)}", status_code=303)
