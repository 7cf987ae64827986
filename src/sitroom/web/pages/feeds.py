"""Feeds anyone may read, signed in or not: /alerts.atom, the alarms on shared figures as
Atom entries that each carry a CAP 1.2 alert (services.alert_feed)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...services import alert_feed
from ..deps import SessionDep, SettingsDep

router = APIRouter()


@router.get("/alerts.atom")
def alerts_atom(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    body = alert_feed.public_feed(
        session,
        feed_url=str(request.url_for("alerts_atom")),
        sender=settings.database.notifications.cap_sender,
        now=datetime.now(UTC),
    )
    return Response(body, media_type="application/atom+xml")
