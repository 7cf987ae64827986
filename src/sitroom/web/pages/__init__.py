"""Server-rendered pages; each works without JavaScript except the map itself."""

from fastapi import APIRouter

from . import (
    admin,
    alarms,
    assistance,
    auth,
    docs,
    feeds,
    forms,
    phones,
    reports,
    sections,
    subscriptions,
    views,
)

router = APIRouter(include_in_schema=False)
for module in (
    auth,
    views,
    alarms,
    subscriptions,
    forms,
    assistance,
    admin,
    phones,
    sections,
    docs,
    reports,
    feeds,
):
    router.include_router(module.router)
