"""The JSON API under /api, with its OpenAPI document at /api/openapi.json."""

from fastapi import APIRouter

from . import admin, analysis, assistance, records, writes

router = APIRouter(prefix="/api")
for module in (records, analysis, writes, assistance, admin):
    router.include_router(module.router)
