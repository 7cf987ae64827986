"""The JSON API under /api, with its OpenAPI document at /api/openapi.json. Every operation is
documented with the refusals any of them may give (web/errors.py: API_ERRORS)."""

from fastapi import APIRouter

from ..errors import API_ERRORS
from . import admin, alarms, analysis, assistance, records, subscriptions, writes

router = APIRouter(prefix="/api", responses=API_ERRORS)
for module in (records, analysis, alarms, subscriptions, writes, assistance, admin):
    router.include_router(module.router)
