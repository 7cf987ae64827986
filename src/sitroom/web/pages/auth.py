"""Logging in and out. The login form carries a CSRF token too (a double-submit cookie), so
that no other site can sign a browser into an account of its choosing."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ...services import accounts
from ..deps import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentAuth,
    EngineDep,
    HasherDep,
    LoginGateDep,
    MaybeAuth,
    SettingsDep,
)
from ..password_checks import Throttled, checked
from .common import render

router = APIRouter()


def _safe_next(target: str) -> str:
    # Only a path on this site: "//evil.example" or "https://..." would leave it.
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(
    request: Request, auth: MaybeAuth, settings: SettingsDep, next: str = "/"
) -> Response:
    if auth is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", None, {"login_csrf": token, "next": _safe_next(next)})
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="strict",
        max_age=3600,
    )
    return response


@router.post("/login")
async def login(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    hasher: HasherDep,
    gate: LoginGateDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected.encode(), csrf_token.encode()):
        return _again(request, settings.secure_cookies, "the login form expired: try again", next)
    try:
        user = await checked(
            request,
            gate,
            username,
            lambda: accounts.authenticate(engine, username, password, hasher=hasher),
            failed=lambda found: found is None,
        )
    except Throttled as exc:
        response = _again(request, settings.secure_cookies, str(exc), next, status_code=429)
        response.headers["retry-after"] = str(exc.seconds)
        return response
    if user is None:
        return _again(request, settings.secure_cookies, "wrong user name or password", next)
    lifetime = timedelta(hours=settings.session_hours)
    login_session = await run_in_threadpool(accounts.start_session, engine, user, lifetime=lifetime)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        login_session.token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


def _again(
    request: Request, secure: bool, message: str, next_page: str, *, status_code: int = 400
) -> Response:
    token = secrets.token_urlsafe(32)
    context = {"login_csrf": token, "next": _safe_next(next_page), "error": message}
    response = render(request, "login.html", None, context, status_code=status_code)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, secure=secure, samesite="strict", max_age=3600
    )
    return response


@router.post("/logout")
def logout(auth: CurrentAuth, engine: EngineDep) -> Response:
    if auth.session_token:
        accounts.end_session(engine, auth.session_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
