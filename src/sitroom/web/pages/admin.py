"""Administration: organisations, users, roles and password resets for administrators; one's
own password and API tokens for everyone; the audit trail as far as the user may read it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ...domain.accounts import (
    Role,
    TokenScope,
    can_administer,
    can_define_sections,
    highest_scope,
    scope_allows,
)
from ...domain.errors import InvalidValue
from ...domain.passwords import MIN_PASSWORD_LENGTH
from ...domain.places import Organisation
from ...services import accounts, audit, queries, tokens
from ...services.accounts import NotAllowed
from ...services.tokens import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS
from ..deps import CurrentAuth, EngineDep, HasherDep, LoginGateDep, SessionDep
from ..params import RowId
from ..password_checks import checked
from .common import render

router = APIRouter()


def page(
    request: Request,
    auth: CurrentAuth,
    session: SessionDep,
    *,
    secret: str | None = None,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    admin = can_administer(auth.user)
    widest = highest_scope(auth.user)
    context = {
        "organisations": accounts.list_organisations(session),
        "users": accounts.list_users(session) if admin else [],
        "tokens": tokens.list_tokens(session, auth.user),
        "audit": audit.list_entries(session, auth.user, limit=50),
        "roles": list(Role),
        "sections": queries.list_sections(session) if can_define_sections(auth.user) else [],
        "may_define_sections": can_define_sections(auth.user),
        "scopes": [s for s in TokenScope if scope_allows(widest, s)],
        "min_password": MIN_PASSWORD_LENGTH,
        "max_token_days": MAX_TOKEN_DAYS,
        "default_token_days": DEFAULT_TOKEN_DAYS,
        "secret": secret,
        "error": error,
        "notice": notice,
    }
    return render(request, "admin.html", auth, context, status_code=status_code)


@router.get("/admin")
def admin_page(request: Request, auth: CurrentAuth, session: SessionDep) -> Response:
    return page(request, auth, session)


@router.post("/admin/organisations")
def add_organisation(
    request: Request,
    auth: CurrentAuth,
    engine: EngineDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=32)],
    country: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    try:
        organisation = Organisation(name, accounts.organisation_kind(kind), country or None)
        accounts.create_organisation(engine, organisation, actor=auth.user)
    except InvalidValue as exc:
        return page(request, auth, session, error=str(exc), status_code=422)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/users")
async def add_user(
    request: Request,
    auth: CurrentAuth,
    engine: EngineDep,
    session: SessionDep,
    hasher: HasherDep,
    username: Annotated[str, Form(max_length=40)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[Role, Form()],
    organisation_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    if not can_administer(auth.user):
        raise NotAllowed("only an administrator can add users")
    org = int(organisation_id) if organisation_id.isdigit() else None
    try:
        await run_in_threadpool(
            lambda: accounts.create_user(
                engine,
                username,
                password,
                organisation_id=org,
                role=role,
                actor=auth.user,
                hasher=hasher,
            )
        )
    except InvalidValue as exc:
        return page(request, auth, session, error=str(exc), status_code=422)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/users/{user_id}")
def change_user(
    user_id: RowId,
    auth: CurrentAuth,
    engine: EngineDep,
    role: Annotated[Role | None, Form()] = None,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    state = {"yes": True, "no": False}.get(active)
    accounts.change_user(engine, user_id, role=role, active=state, actor=auth.user)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/users/{user_id}/password")
def reset_password(
    request: Request,
    user_id: int,
    auth: CurrentAuth,
    engine: EngineDep,
    session: SessionDep,
    hasher: HasherDep,
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    try:
        changed = accounts.reset_password(engine, user_id, password, actor=auth.user, hasher=hasher)
    except InvalidValue as exc:
        return page(request, auth, session, error=str(exc), status_code=422)
    notice = f"{changed.username}'s password is reset; their sessions and tokens are ended"
    return page(request, auth, session, notice=notice)


@router.post("/admin/password")
async def change_password(
    request: Request,
    auth: CurrentAuth,
    engine: EngineDep,
    session: SessionDep,
    hasher: HasherDep,
    gate: LoginGateDep,
    current: Annotated[str, Form(max_length=1024)],
    new: Annotated[str, Form(max_length=1024)],
) -> Response:
    def change() -> InvalidValue | None:
        try:
            accounts.change_password(
                engine, auth.user, current, new, keep_session=auth.session_token, hasher=hasher
            )
        except InvalidValue as exc:
            return exc
        return None

    problem = await checked(
        request,
        gate,
        auth.user.username,
        change,
        failed=lambda p: isinstance(p, accounts.WrongPassword),
    )
    if problem is not None:
        return page(request, auth, session, error=str(problem), status_code=422)
    notice = "your password is changed; your other sessions are ended"
    return page(request, auth, session, notice=notice)


@router.post("/admin/tokens")
def add_token(
    request: Request,
    auth: CurrentAuth,
    engine: EngineDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=120)] = "",
    scope: Annotated[TokenScope, Form()] = TokenScope.READ,
    days: Annotated[int, Form(ge=1, le=MAX_TOKEN_DAYS)] = DEFAULT_TOKEN_DAYS,
) -> Response:
    _info, secret = tokens.create_token(
        engine, auth.user, name, actor=auth.user, scope=scope, days=days, parent=auth.token
    )
    # Shown on this response only: the database keeps its hash.
    return page(request, auth, session, secret=secret, status_code=201)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, token_id: RowId, auth: CurrentAuth, engine: EngineDep, session: SessionDep
) -> Response:
    try:
        tokens.revoke_token(engine, token_id, actor=auth.user)
    except InvalidValue as exc:
        return page(request, auth, session, error=str(exc), status_code=404)
    return RedirectResponse("/admin", status_code=303)
