"""What the page routes share: rendering with the signed-in user and the form's CSRF token."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ...domain.accounts import can_administer, can_write
from ..deps import Auth


def render(
    request: Request,
    name: str,
    auth: Auth | None,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    user = auth.user if auth else None
    base = {
        "user": user,
        "csrf": auth.csrf if auth else "",
        "may_write": bool(user and can_write(user)),
        "may_administer": bool(user and can_administer(user)),
        "number": number,
        "path": request.url.path,
    }
    return templates.TemplateResponse(
        request, name, {**base, **(context or {})}, status_code=status_code
    )


def number(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) < 0.05:
        return "0"  # a reconciled estimate of -0.01 reads as "no change", not "-0.0"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    return f"{value:,.1f}".replace(",", " ")


def query_string(params: dict[str, Any], **changes: Any) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    return urlencode(merged)


async def form_fields(request: Request) -> dict[str, str]:
    """Every text field of the posted form; files and the CSRF token are left out."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
