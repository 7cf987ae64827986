"""Server-rendered pages; each works without JavaScript except the map itself."""

from fastapi import APIRouter

from . import admin, auth, docs, forms, phones, reports, views

router = APIRouter(include_in_schema=False)
for module in (auth, views, forms, admin, phones, docs, reports):
    router.include_router(module.router)
