"""Organisations, users, API tokens and the audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

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
from ..password_checks import checked

router = APIRouter(tags=["administration"])

Name = Annotated[str, Field(min_length=1, max_length=200)]


class OrganisationIn(BaseModel):
    name: Name
    kind: Annotated[str, Field(max_length=32)]
    country: Annotated[str | None, Field(max_length=2)] = None


class UserIn(BaseModel):
    username: Annotated[str, Field(max_length=40)]
    password: Annotated[str, Field(max_length=1024)]
    organisation_id: int | None = None
    role: Role = Role.VIEWER


class UserChange(BaseModel):
    role: Role | None = None
    active: bool | None = None


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


@router.get("/me", summary="Who the caller is")
def me(user: CurrentUser) -> dict[str, Any]:
    return user_json(user)


@router.get("/organisations", summary="Every organisation (names are not secret)")
def list_organisations(session: SessionDep, _user: CurrentUser) -> list[dict[str, Any]]:
    return [
        {"id": o.id, "name": o.name, "kind": o.kind, "country": o.country}
        for o in accounts.list_organisations(session)
    ]


@router.post("/organisations", status_code=201, summary="Add an organisation (admin)")
def post_organisation(body: OrganisationIn, engine: EngineDep, user: Admin) -> dict[str, Any]:
    kind = accounts.organisation_kind(body.kind)
    info = accounts.create_organisation(
        engine, Organisation(body.name, kind, body.country or None), actor=user
    )
    return {"id": info.id, "name": info.name, "kind": info.kind, "country": info.country}


@router.get("/users", summary="Every user (admin)")
def list_users(session: SessionDep, _admin: Admin) -> list[dict[str, Any]]:
    return [user_json(u) for u in accounts.list_users(session)]


@router.post("/users", status_code=201, summary="Add a user (admin)")
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


@router.patch("/users/{user_id}", summary="Change a user's role or block them (admin)")
def patch_user(user_id: int, body: UserChange, engine: EngineDep, user: Admin) -> dict[str, Any]:
    changed = accounts.change_user(engine, user_id, role=body.role, active=body.active, actor=user)
    return user_json(changed)


@router.post("/me/password", summary="Change one's own password (the current one first)")
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


@router.post("/users/{user_id}/password", summary="Set a user's password (admin)")
def post_user_password(
    user_id: int, body: PasswordReset, engine: EngineDep, hasher: HasherDep, user: Admin
) -> dict[str, Any]:
    changed = accounts.reset_password(engine, user_id, body.password, actor=user, hasher=hasher)
    return {**user_json(changed), "sessions": "ended", "tokens": "revoked"}


@router.get("/tokens", summary="The caller's API tokens (an admin sees all)")
def list_tokens(session: SessionDep, user: CurrentUser) -> list[dict[str, Any]]:
    return [token_json(t) for t in tokens.list_tokens(session, user)]


@router.post("/tokens", status_code=201, summary="A new API token: its secret is shown once")
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


@router.delete("/tokens/{token_id}", summary="Revoke an API token and every token it made")
def delete_token(token_id: int, engine: EngineDep, user: CurrentUser) -> JSONResponse:
    count = tokens.revoke_token(engine, token_id, actor=user)
    return JSONResponse({"revoked": token_id, "tokens_revoked": count})


@router.get("/audit", summary="The audit trail (own organisation; all for coordinators)")
def get_audit(
    request: Request, session: SessionDep, user: CurrentUser, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    del request
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
        for e in audit.list_entries(
            session, user, limit=max(1, min(limit, 500)), offset=max(0, offset)
        )
    ]
