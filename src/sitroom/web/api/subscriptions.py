"""The caller's own subscriptions to alarms: list, add (a webhook's signing secret is shown
once, in the answer), remove. See docs/notifications.md."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field

from ...domain.alarms import AlarmLevel
from ...domain.errors import InvalidValue
from ...domain.measures import Measure
from ...domain.subscriptions import Channel, Subscription
from ...services.notifications import subscriptions
from ..deps import CurrentUser, EngineDep, SessionDep, SettingsDep
from ..errors import error_docs
from ..params import RowId
from .alarms import ERRORS

router = APIRouter(tags=["notifications"])


class SubscriptionIn(BaseModel):
    places: Annotated[
        list[Annotated[str, Field(max_length=64)]],
        Field(
            max_length=subscriptions.MAX_PLACES,
            description="Countries, border sections or reception sites; none: everywhere",
        ),
    ] = []
    measures: Annotated[list[Measure], Field(description="None: every measure")] = []
    min_level: AlarmLevel = AlarmLevel.AMBER
    channel: Channel
    target: Annotated[
        str, Field(min_length=1, max_length=2000, description="An email address or https URL")
    ]


class SubscriptionOut(BaseModel):
    id: int
    places: list[str]
    measures: list[Measure]
    min_level: AlarmLevel
    channel: Channel
    target: str
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, s: Subscription) -> SubscriptionOut:
        return cls(
            id=s.id,
            places=list(s.places),
            measures=list(s.measures),
            min_level=s.min_level,
            channel=s.channel,
            target=s.target,
            active=s.active,
            created_at=s.created_at,
        )


class SubscriptionMade(SubscriptionOut):
    secret: str | None = Field(
        description="A webhook's HMAC-SHA256 signing key, shown only in this answer"
    )


@router.get("/subscriptions", summary="The caller's subscriptions", responses=ERRORS)
def list_subscriptions(session: SessionDep, user: CurrentUser) -> list[SubscriptionOut]:
    return [SubscriptionOut.of(s) for s in subscriptions.list_subscriptions(session, user)]


@router.post(
    "/subscriptions",
    status_code=201,
    summary="Subscribe to alarms by email or signed webhook",
    responses=ERRORS,
)
def post_subscription(
    body: SubscriptionIn, engine: EngineDep, settings: SettingsDep, user: CurrentUser
) -> SubscriptionMade:
    request = subscriptions.SubscriptionRequest(
        body.places, body.measures, body.min_level, body.channel, body.target
    )
    made, secret = subscriptions.subscribe(
        engine, user, request, settings=settings.database.notifications
    )
    return SubscriptionMade(**SubscriptionOut.of(made).model_dump(), secret=secret)


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=204,
    summary="Unsubscribe",
    responses={**ERRORS, **error_docs(404)},
)
def delete_subscription(engine: EngineDep, user: CurrentUser, subscription_id: RowId) -> Response:
    try:
        subscriptions.unsubscribe(engine, user, subscription_id)
    except InvalidValue as exc:
        raise HTTPException(404, str(exc)) from None
    return Response(status_code=204)
