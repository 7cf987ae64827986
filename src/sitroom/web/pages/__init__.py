"""Server-rendered pages; each works without JavaScript except the map itself."""

from fastapi import APIRouter

from . import admin, assistance, auth, docs, forms, reports, views

router = APIRouter(include_in_schema=False)
for module in (auth, views, forms, assistance, admin, docs, reports):
    router.include_router(module.router)
