"""The Subscriptions page: each person's own subscriptions to alarms, by email or signed
webhook (services.notifications.subscriptions; docs/notifications.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ...domain.alarms import AlarmLevel
from ...domain.errors import FieldErrors, InvalidValue
from ...domain.measures import Measure
from ...domain.subscriptions import Channel
from ...services.notifications import subscriptions
from ..deps import CurrentAuth, EngineDep, SessionDep, SettingsDep
from .common import render

router = APIRouter()


def _page(
    request: Request,
    auth: CurrentAuth,
    session: SessionDep,
    *,
    secret: str | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "subscriptions": subscriptions.list_subscriptions(session, auth.user),
        "levels": list(AlarmLevel),
        "measures": list(Measure),
        "channels": list(Channel),
        "secret": secret,
        "errors": errors or {},
        "typed": typed or {},
    }
    return render(request, "subscriptions.html", auth, context, status_code=status_code)


@router.get("/subscriptions")
def subscriptions_page(request: Request, auth: CurrentAuth, session: SessionDep) -> Response:
    return _page(request, auth, session)


@router.post("/subscriptions")
def add_subscription(
    request: Request,
    auth: CurrentAuth,
    engine: EngineDep,
    session: SessionDep,
    settings: SettingsDep,
    channel: Annotated[Channel, Form()],
    target: Annotated[str, Form(max_length=2000)],
    places: Annotated[str, Form(max_length=2000)] = "",
    measures: Annotated[list[Measure] | None, Form()] = None,
    min_level: Annotated[AlarmLevel, Form()] = AlarmLevel.AMBER,
) -> Response:
    wanted = [p for p in places.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    request_ = subscriptions.SubscriptionRequest(wanted, measures or [], min_level, channel, target)
    try:
        _, secret = subscriptions.subscribe(
            engine, auth.user, request_, settings=settings.database.notifications
        )
    except FieldErrors as exc:
        typed = {"places": places, "target": target, "channel": channel.value}
        return _page(request, auth, session, errors=exc.errors, typed=typed, status_code=422)
    if secret is None:
        return RedirectResponse("/subscriptions", status_code=303)
    return _page(request, auth, session, secret=secret)


@router.post("/subscriptions/{subscription_id}/delete")
def remove_subscription(
    request: Request,
    auth: CurrentAuth,
    engine: EngineDep,
    session: SessionDep,
    subscription_id: int,
) -> Response:
    try:
        subscriptions.unsubscribe(engine, auth.user, subscription_id)
    except InvalidValue as exc:
        errors = {"list": str(exc)}
        return _page(request, auth, session, errors=errors, status_code=404)
    return RedirectResponse("/subscriptions", status_code=303)
