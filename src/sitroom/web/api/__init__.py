"""The JSON API under /api, with its OpenAPI document at /api/openapi.json."""

from fastapi import APIRouter

from . import admin, alarms, analysis, records, subscriptions, writes

router = APIRouter(prefix="/api")
for module in (records, analysis, alarms, subscriptions, writes, admin):
    router.include_router(module.router)
