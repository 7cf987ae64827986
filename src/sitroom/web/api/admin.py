"""Organisations, users, API tokens and the audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StrictBool, StrictInt

from ...domain.accounts import Role, TokenScope, User
from ...domain.places import Organisation
from ...services import accounts, audit, tokens
from ...services.tokens import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, TokenInfo
from ..deps import (
    Admin,
    CurrentAuth,
    CurrentUser,
    EngineDep,
    HasherDep,
    LoginGateDep,
    SessionDep,
)
from ..errors import error_docs
from ..params import MAX_ID, Limit, Offset, RowId
from ..password_checks import checked
from . import models

router = APIRouter(tags=["administration"])
ADMIN_ERRORS = error_docs(403)

Name = Annotated[str, Field(min_length=1, max_length=200)]


class OrganisationIn(BaseModel):
    name: Name
    kind: Annotated[str, Field(max_length=32)]
    country: Annotated[str | None, Field(max_length=2)] = None


class UserIn(BaseModel):
    username: Annotated[str, Field(max_length=40)]
    password: Annotated[str, Field(max_length=1024)]
    organisation_id: Annotated[StrictInt, Field(ge=1, le=MAX_ID)] | None = None
    role: Role = Role.VIEWER


class UserChange(BaseModel):
    role: Role | None = None
    active: StrictBool | None = None  # `1` or "yes" are not booleans in JSON


class TokenIn(BaseModel):
    name: Annotated[str, Field(max_length=120)] = ""
    # None: the widest the account (and the token making it) may hold.
    scope: TokenScope | None = None
    days: Annotated[int, Field(ge=1, le=MAX_TOKEN_DAYS)] = DEFAULT_TOKEN_DAYS


class PasswordChange(BaseModel):
    current: Annotated[str, Field(max_length=1024)]
    new: Annotated[str, Field(max_length=1024)]


class PasswordReset(BaseModel):
    password: Annotated[str, Field(max_length=1024)]


def token_json(t: TokenInfo) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "prefix": t.prefix,
        "user": t.username,
        "scope": t.scope.value,
        "created_at": t.created_at.isoformat(),
        "expires_at": t.expires_at.isoformat() if t.expires_at else None,
        "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        "made_by_token": t.made_by_token_id,
    }


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "organisation_id": user.organisation_id,
        "role": user.role.value,
        "active": user.active,
    }


@router.get("/me", summary="Who the caller is", response_model=models.UserOut)
def me(user: CurrentUser) -> dict[str, Any]:
    return user_json(user)


@router.get(
    "/organisations",
    summary="Every organisation (names are not secret)",
    response_model=list[models.OrganisationOut],
)
def list_organisations(session: SessionDep, _user: CurrentUser) -> list[dict[str, Any]]:
    return [
        {"id": o.id, "name": o.name, "kind": o.kind, "country": o.country}
        for o in accounts.list_organisations(session)
    ]


@router.post(
    "/organisations",
    status_code=201,
    summary="Add an organisation (admin)",
    response_model=models.OrganisationOut,
    responses={**ADMIN_ERRORS, **error_docs(409, 413)},
)
def post_organisation(body: OrganisationIn, engine: EngineDep, user: Admin) -> dict[str, Any]:
    kind = accounts.organisation_kind(body.kind)
    info = accounts.create_organisation(
        engine, Organisation(body.name, kind, body.country or None), actor=user
    )
    return {"id": info.id, "name": info.name, "kind": info.kind, "country": info.country}


@router.get(
    "/users",
    summary="Every user (admin)",
    response_model=list[models.UserOut],
    responses=ADMIN_ERRORS,
)
def list_users(session: SessionDep, _admin: Admin) -> list[dict[str, Any]]:
    return [user_json(u) for u in accounts.list_users(session)]


@router.post(
    "/users",
    status_code=201,
    summary="Add a user (admin)",
    response_model=models.UserOut,
    responses={**ADMIN_ERRORS, **error_docs(409, 413)},
)
def post_user(body: UserIn, engine: EngineDep, hasher: HasherDep, user: Admin) -> dict[str, Any]:
    created = accounts.create_user(
        engine,
        body.username,
        body.password,
        organisation_id=body.organisation_id,
        role=body.role,
        actor=user,
        hasher=hasher,
    )
    return user_json(created)


@router.patch(
    "/users/{user_id}",
    summary="Change a user's role or block them (admin)",
    response_model=models.UserOut,
    responses={**ADMIN_ERRORS, **error_docs(404, 413)},
)
def patch_user(user_id: RowId, body: UserChange, engine: EngineDep, user: Admin) -> dict[str, Any]:
    changed = accounts.change_user(engine, user_id, role=body.role, active=body.active, actor=user)
    return user_json(changed)


@router.post(
    "/me/password",
    summary="Change one's own password (the current one first)",
    response_model=models.PasswordChanged,
    responses=error_docs(429),
)
async def post_my_password(
    request: Request,
    body: PasswordChange,
    auth: CurrentAuth,
    engine: EngineDep,
    hasher: HasherDep,
    gate: LoginGateDep,
) -> dict[str, Any]:
    def change() -> str | None:
        try:
            accounts.change_password(
                engine,
                auth.user,
                body.current,
                body.new,
                keep_session=auth.session_token,
                hasher=hasher,
            )
        except accounts.WrongPassword as exc:
            return str(exc)
        return None

    wrong = await checked(request, gate, auth.user.username, change, failed=lambda w: w is not None)
    if wrong is not None:
        raise accounts.WrongPassword(wrong)
    return {"changed": True, "other_sessions": "ended"}


@router.post(
    "/users/{user_id}/password",
    summary="Set a user's password (admin)",
    response_model=models.PasswordReset,
    responses={**ADMIN_ERRORS, **error_docs(404)},
)
def post_user_password(
    user_id: RowId, body: PasswordReset, engine: EngineDep, hasher: HasherDep, user: Admin
) -> dict[str, Any]:
    changed = accounts.reset_password(engine, user_id, body.password, actor=user, hasher=hasher)
    return {**user_json(changed), "sessions": "ended", "tokens": "revoked"}


@router.get(
    "/tokens",
    summary="The caller's API tokens (an admin sees all)",
    response_model=list[models.TokenOut],
)
def list_tokens(session: SessionDep, user: CurrentUser) -> list[dict[str, Any]]:
    return [token_json(t) for t in tokens.list_tokens(session, user)]


@router.post(
    "/tokens",
    status_code=201,
    summary="A new API token: its secret is shown once",
    response_model=models.NewToken,
    responses=error_docs(403, 413),
)
def post_token(body: TokenIn, engine: EngineDep, auth: CurrentAuth) -> dict[str, Any]:
    info, secret = tokens.create_token(
        engine,
        auth.user,
        body.name,
        actor=auth.user,
        scope=body.scope,
        days=body.days,
        parent=auth.token,
    )
    return {**token_json(info), "token": secret, "shown": "once"}


@router.delete(
    "/tokens/{token_id}",
    summary="Revoke an API token and every token it made",
    response_model=models.Revoked,
    responses=error_docs(403, 404),
)
def delete_token(token_id: RowId, engine: EngineDep, user: CurrentUser) -> dict[str, int]:
    count = tokens.revoke_token(engine, token_id, actor=user)
    return {"revoked": token_id, "tokens_revoked": count}


@router.get(
    "/audit",
    summary="The audit trail (own organisation; all for coordinators)",
    response_model=list[models.AuditEntryOut],
)
def get_audit(
    session: SessionDep, user: CurrentUser, limit: Limit = 100, offset: Offset = 0
) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "at": e.at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "record_kind": e.record_kind,
            "record_ref": e.record_ref,
            "before": e.before,
            "after": e.after,
        }
        for e in audit.list_entries(session, user, limit=limit, offset=offset)
    ]
