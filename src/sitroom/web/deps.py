"""Typed dependencies: the database session of a request, who is asking, and the CSRF check."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Literal

from argon2 import PasswordHasher
from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ..domain.accounts import TokenScope, User, can_administer, can_write, scope_allows
from ..services import accounts, tokens
from ..services.accounts import NotAllowed
from ..services.tokens import Bearer
from .login_gate import LoginGate
from .settings import WebSettings

SESSION_COOKIE = "sitroom_session"
LOGIN_CSRF_COOKIE = "sitroom_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotSignedIn(Exception):
    """No valid session or token: the API answers 401, a page sends the browser to log in."""


class BadCsrf(Exception):
    """A form or cookie-authenticated call without the session's CSRF token."""


@dataclass(frozen=True, slots=True)
class Auth:
    user: User
    via: Literal["session", "token"]
    csrf: str | None = None
    session_token: str | None = None
    token: Bearer | None = None


# Dependencies that only read request state are async: FastAPI runs sync ones in the thread
# pool, and on the hot path (the map polling its data) each hop costs more than the work.
async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


async def get_hasher(request: Request) -> PasswordHasher:
    hasher: PasswordHasher = request.app.state.hasher
    return hasher


async def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> AsyncIterator[Session]:
    # Making a Session does no I/O; closing it hands its connection back to the pool.
    with Session(engine) as session:
        yield session


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[WebSettings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
HasherDep = Annotated[PasswordHasher, Depends(get_hasher)]


async def get_login_gate(request: Request) -> LoginGate:
    gate: LoginGate = request.app.state.login_gate
    return gate


LoginGateDep = Annotated[LoginGate, Depends(get_login_gate)]


def get_auth(request: Request, session: SessionDep) -> Auth | None:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        holder = tokens.bearer(session, secret.strip()) if scheme.lower() == "bearer" else None
        if holder is None:
            raise NotSignedIn("the API token is unknown, expired or revoked")
        return Auth(holder.user, "token", token=holder)
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if cookie:
        login = accounts.session_user(session, cookie)
        if login is not None:
            return Auth(login.user, "session", login.csrf_token, cookie)
    return None


MaybeAuth = Annotated[Auth | None, Depends(get_auth)]


async def current_auth(request: Request, auth: MaybeAuth) -> Auth:
    if auth is None:
        raise NotSignedIn("sign in at /login, or send 'Authorization: Bearer <API token>'")
    if request.method in UNSAFE_METHODS:
        if auth.via == "session":
            await _check_csrf(request, auth.csrf or "")
        elif auth.token is not None and not scope_allows(auth.token.scope, TokenScope.WRITE):
            # Every change, whatever the route (records, alarms, tokens, passwords, logout).
            raise NotAllowed("this API token may only read: make a token with the write scope")
    return auth


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not expected or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise BadCsrf("the form is out of date or was not sent from sitroom: reload and retry")


CurrentAuth = Annotated[Auth, Depends(current_auth)]


async def current_user(auth: CurrentAuth) -> User:
    return auth.user


CurrentUser = Annotated[User, Depends(current_user)]


async def writer(user: CurrentUser) -> User:
    if not can_write(user):
        raise NotAllowed(f"a {user.role.value} can read but not report; ask for the reporter role")
    return user


async def admin(user: CurrentUser) -> User:
    if not can_administer(user):
        # A token's scope is part of the user (domain.accounts.User.scope), so an
        # administrator's read or write token lands here too.
        raise NotAllowed(
            "only an administrator (with a session or an admin-scope token) can manage "
            "organisations, users and tokens"
        )
    return user


Writer = Annotated[User, Depends(writer)]
Admin = Annotated[User, Depends(admin)]
