"""Assistance under /api: requests, offers and their moves, the pipeline and the allocation
proposal. Every response has a typed model; refusals are 403 (not allowed), 404 (not there, or
not visible to you), 409 (changed since you read it) and 422 (not valid), each with a reason."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ...domain.accounts import Sharing
from ...domain.assistance import OfferStatus
from ...interchange.records.offers import offer_cells
from ...interchange.records.requests import request_cells
from ...interchange.records.schema import RecordKind
from ...services import assist_capacity, assist_plan, assist_reads, assist_writes
from ...services.assist_writes import Conflict
from ..deps import CurrentUser, EngineDep, SessionDep, Writer
from ..errors import error_docs
from ..params import BODY_TEXT, FormatQuery, Ref
from .common import DOWNLOADS_DOC, export, records_of
from .models import DOWNLOADS

router = APIRouter(tags=["assistance"])

Text = Annotated[str, Field(max_length=4000, pattern=BODY_TEXT)]
Short = Annotated[str, Field(max_length=200, pattern=BODY_TEXT)]
Amount = Annotated[float, Field(gt=0, le=1e11, allow_inf_nan=False)]


# The one error body (web/errors.py); 401/422/503 come with the /api router.
ERRORS: dict[int | str, dict[str, Any]] = error_docs(403, 404, 409)


class RecordOut(BaseModel):
    """A request line or an offer as in files (`sitroom export`), plus its sharing."""

    cells: dict[str, str]
    sharing: str
    version: int | None = None


class RecordsOut(BaseModel):
    items: list[RecordOut]


class EventOut(BaseModel):
    at: str
    actor: str
    from_status: str | None
    to_status: str
    quantity: float | None
    note: str


class OfferOut(RecordOut):
    events: list[EventOut]


class StoredOut(BaseModel):
    ref: str | None
    duplicate: bool


class RequestIn(BaseModel):
    ref: Annotated[str, Field(max_length=40)] = ""
    request: Annotated[str, Field(max_length=40)]
    requested_on: Annotated[str, Field(max_length=10)]
    country: Annotated[str, Field(max_length=2)]
    item: Annotated[str, Field(max_length=40)]
    quantity: Amount | None = None
    needed_by: date | None = None
    destination: Annotated[str, Field(max_length=64)] = ""
    priority: Annotated[str, Field(max_length=10)] = "normal"
    channel: Annotated[str, Field(max_length=20)] = "unspecified"
    requester: Short = ""
    description: Short = ""
    source_url: Text = "sitroom web form"
    note: Text = ""
    sharing: Sharing = Sharing.SHARED


class OfferIn(BaseModel):
    ref: Annotated[str, Field(max_length=40)] = ""
    request: Annotated[str, Field(max_length=40)] = ""
    provider: Short
    item: Annotated[str, Field(max_length=40)]
    quantity: Amount | None = None
    value_eur: Amount | None = None
    recipient: Short
    destination: Annotated[str, Field(max_length=64)] = ""
    available_on: date | None = None
    channel: Annotated[str, Field(max_length=20)] = "unspecified"
    offered_on: Annotated[str, Field(max_length=10)] = ""
    description: Short = ""
    source_url: Text = "sitroom web form"
    note: Text = ""
    sharing: Sharing = Sharing.RESTRICTED


class MoveIn(BaseModel):
    status: OfferStatus
    version: Annotated[int, Field(ge=1, le=2_000_000_000)] | None = None
    quantity: Amount | None = None
    note: Text = ""


class EditIn(BaseModel):
    version: Annotated[int, Field(ge=1, le=2_000_000_000)] | None = None
    quantity: Amount | None = None
    value_eur: Amount | None = None
    available_on: date | None = None
    note: Text | None = None


class MovedOut(BaseModel):
    ref: str
    status: OfferStatus
    delivered_quantity: float
    version: int


class CapacityIn(BaseModel):
    site: Annotated[str, Field(max_length=64)]
    day: date
    sharing: Sharing = Sharing.SHARED


class RaisedOut(BaseModel):
    site: str
    day: date
    before: float
    added: float
    capacity: float
    figure: str | None


def _cells(model: BaseModel) -> dict[str, str]:
    return {
        k: ("" if v is None else str(v)) for k, v in model.model_dump(exclude={"sharing"}).items()
    }


def _stored(result: Any, kind: str) -> Response:
    if not result.ok:
        reasons = "; ".join(f"{k}: {v}" for k, v in result.errors.items())
        return JSONResponse(
            {"error": f"the {kind} was not stored: {reasons}", "fields": result.errors},
            status_code=422,
        )
    return JSONResponse(
        {"ref": result.ref, "duplicate": result.duplicate},
        status_code=200 if result.duplicate else 201,
    )


def _conflict(exc: Conflict) -> HTTPException:
    return HTTPException(409, str(exc))


@router.get(
    "/requests",
    summary="Request line items you may see",
    response_model=RecordsOut | list[DOWNLOADS[RecordKind.REQUESTS]],  # type: ignore[valid-type]
    responses=DOWNLOADS_DOC,
)
def get_requests(
    session: SessionDep,
    user: CurrentUser,
    country: Annotated[str | None, Query(max_length=2)] = None,
    fmt: FormatQuery = None,
) -> Any:
    found = assist_reads.requests(session, user, country.upper() if country else None)
    if fmt is not None:
        return export(RecordKind.REQUESTS, fmt, records_of(found), "requests")
    return RecordsOut(
        items=[RecordOut(cells=request_cells(o.record), sharing=o.sharing.value) for o in found]
    )


@router.post(
    "/requests",
    status_code=201,
    summary="Post a request line item",
    response_model=StoredOut,
    responses=ERRORS,
)
def post_request(body: RequestIn, engine: EngineDep, user: Writer) -> Response:
    result = assist_writes.post_request(engine, user, _cells(body), sharing=body.sharing)
    return _stored(result, "request")


@router.get(
    "/offers",
    summary="Offers you may see",
    response_model=RecordsOut | list[DOWNLOADS[RecordKind.OFFERS]],  # type: ignore[valid-type]
    responses=DOWNLOADS_DOC,
)
def get_offers(
    session: SessionDep,
    user: CurrentUser,
    status: OfferStatus | None = None,
    fmt: FormatQuery = None,
) -> Any:
    found = assist_reads.offers(session, user, status=status)
    if fmt is not None:
        return export(RecordKind.OFFERS, fmt, (v.offer for v in found), "offers")
    return RecordsOut(
        items=[
            RecordOut(cells=offer_cells(v.offer), sharing=v.owner.sharing.value, version=v.version)
            for v in found
        ]
    )


@router.post(
    "/offers",
    status_code=201,
    summary="Offer items, against a request or unsolicited",
    response_model=StoredOut,
    responses=ERRORS,
)
def post_offer(body: OfferIn, engine: EngineDep, user: Writer) -> Response:
    result = assist_writes.post_offer(engine, user, _cells(body), sharing=body.sharing)
    return _stored(result, "offer")


@router.get(
    "/offers/{ref}", summary="One offer and its moves", response_model=OfferOut, responses=ERRORS
)
def get_offer(
    ref: Annotated[str, Field(max_length=40)], session: SessionDep, user: CurrentUser
) -> OfferOut:
    found = assist_reads.offer(session, user, ref)
    moves = assist_reads.events(session, user, ref)
    if found is None or moves is None:
        raise HTTPException(404, f"no offer {ref!r} that you may see")
    return OfferOut(
        cells=offer_cells(found.offer),
        sharing=found.owner.sharing.value,
        version=found.version,
        events=[
            EventOut(
                at=e.at.isoformat(),
                actor=e.actor,
                from_status=e.from_status,
                to_status=e.to_status,
                quantity=e.quantity,
                note=e.note,
            )
            for e in moves
        ],
    )


@router.post(
    "/offers/{ref}/status",
    summary="Move an offer on (accept, dispatch, deliver …)",
    response_model=MovedOut,
    responses=ERRORS,
)
def post_offer_status(ref: Ref, body: MoveIn, engine: EngineDep, user: Writer) -> MovedOut:
    try:
        moved = assist_writes.move_offer(
            engine,
            user,
            ref,
            body.status,
            version=body.version,
            quantity=body.quantity,
            note=body.note,
        )
    except Conflict as exc:
        raise _conflict(exc) from None
    if moved is None:
        raise HTTPException(404, f"no offer {ref!r} that you may see")
    return MovedOut(
        ref=moved.ref,
        status=moved.status,
        delivered_quantity=moved.delivered_quantity,
        version=moved.version,
    )


@router.patch(
    "/offers/{ref}", summary="Edit an open offer", response_model=MovedOut, responses=ERRORS
)
def patch_offer(ref: Ref, body: EditIn, engine: EngineDep, user: Writer) -> MovedOut:
    changes = body.model_dump(exclude={"version"}, exclude_unset=True)
    try:
        moved = assist_writes.edit_offer(engine, user, ref, changes, version=body.version)
    except Conflict as exc:
        raise _conflict(exc) from None
    if moved is None:
        raise HTTPException(404, f"no offer {ref!r} that you may see")
    return MovedOut(
        ref=moved.ref,
        status=moved.status,
        delivered_quantity=moved.delivered_quantity,
        version=moved.version,
    )


@router.post(
    "/offers/{ref}/capacity",
    summary="Raise a site's capacity by a delivered offer's places",
    response_model=RaisedOut,
    responses=ERRORS,
)
def post_offer_capacity(ref: Ref, body: CapacityIn, engine: EngineDep, user: Writer) -> Any:
    raised = assist_capacity.raise_capacity(
        engine, user, ref, body.site, body.day, sharing=body.sharing
    )
    if raised is None:
        raise HTTPException(404, f"no offer {ref!r} or site {body.site!r} that you may see")
    if raised.errors:
        return JSONResponse(
            {"error": "the capacity was not stored", "fields": raised.errors}, status_code=422
        )
    return RaisedOut(
        site=raised.site,
        day=raised.day,
        before=raised.before,
        added=raised.added,
        capacity=raised.capacity,
        figure=raised.figure,
    )


class LineOut(BaseModel):
    request: str
    recipient: str
    item: str
    unit: str
    asked: float | None
    offered: float
    pending: float
    accepted: float
    in_transit: float
    delivered: float
    uncovered: float | None
    value_eur: float
    offers: int
    offer_refs: list[str]


class TallyOut(BaseModel):
    name: str
    offers: int
    value_eur: float
    places_offered: float
    places_delivered: float


class PipelineOut(BaseModel):
    as_of: date
    lines: list[LineOut]
    providers: list[TallyOut]
    recipients: list[TallyOut]
    superseded: list[str]


def _tally(t: Any) -> TallyOut:
    return TallyOut(
        name=t.name,
        offers=t.offers,
        value_eur=t.value_eur,
        places_offered=t.places_offered,
        places_delivered=t.places_delivered,
    )


@router.get("/pipeline", summary="The assistance pipeline as of a day", response_model=PipelineOut)
def get_pipeline(
    session: SessionDep,
    user: CurrentUser,
    as_of: date | None = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
) -> PipelineOut:
    day = as_of or date.today()
    view = assist_reads.pipeline_view(session, user, day, country.upper() if country else None)
    return PipelineOut(
        as_of=day,
        lines=[
            LineOut(
                request=x.request,
                recipient=x.recipient,
                item=x.item.key,
                unit=x.item.unit,
                asked=x.asked,
                offered=x.offered,
                pending=x.pending,
                accepted=x.accepted,
                in_transit=x.in_transit,
                delivered=x.delivered,
                uncovered=x.uncovered,
                value_eur=x.value_eur,
                offers=x.offers,
                offer_refs=x.offer_refs,
            )
            for x in view.pipeline.lines
        ],
        providers=[_tally(t) for t in view.providers],
        recipients=[_tally(t) for t in view.recipients],
        superseded=view.pipeline.skipped_superseded,
    )


class MoveOut(BaseModel):
    offer: str
    request: str
    item: str
    quantity: float
    days_late: int


class ProposalOut(BaseModel):
    as_of: date
    moves: list[MoveOut]
    weighted_shortfall: float
    bound: float
    gap: float
    first_come_shortfall: float
    needs: int
    offers: int


@router.get(
    "/allocation",
    summary="A proposed allocation of open offers to uncovered needs",
    response_model=ProposalOut,
)
def get_allocation(
    session: SessionDep, user: CurrentUser, as_of: date | None = None
) -> ProposalOut:
    day = as_of or date.today()
    proposal = assist_plan.propose(session, user, day)
    best = proposal.allocation
    return ProposalOut(
        as_of=day,
        moves=[
            MoveOut(
                offer=m.supply,
                request=m.need.split("|")[0],
                item=m.need.split("|")[1],
                quantity=m.quantity,
                days_late=m.days_late,
            )
            for m in best.moves
        ],
        weighted_shortfall=best.cost,
        bound=best.bound,
        gap=min(best.gap, 1e9),
        first_come_shortfall=proposal.greedy.cost,
        needs=len(proposal.needs),
        offers=len(proposal.supplies),
    )


class AcceptMove(BaseModel):
    offer: Annotated[str, Field(max_length=40)]
    request: Annotated[str, Field(max_length=40)]
    quantity: Amount


class AcceptIn(BaseModel):
    moves: Annotated[list[AcceptMove], Field(max_length=5000)] = []


class AcceptedOut(BaseModel):
    offer: str
    request: str
    quantity: float
    accepted_as: str


@router.post(
    "/allocation/accept",
    summary="Accept moves of a proposal (coordinators), all or none",
    response_model=list[AcceptedOut],
    responses=ERRORS,
)
def post_allocation_accept(body: AcceptIn, engine: EngineDep, user: Writer) -> list[AcceptedOut]:
    moves = [(m.offer, m.request, m.quantity) for m in body.moves]
    try:
        done = assist_plan.accept_moves(engine, user, moves)
    except Conflict as exc:
        raise _conflict(exc) from None
    return [
        AcceptedOut(
            offer=d.offer, request=d.request, quantity=d.quantity, accepted_as=d.accepted_as
        )
        for d in done
    ]
