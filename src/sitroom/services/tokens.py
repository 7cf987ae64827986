"""API tokens: made with a scope (read, write, admin) and an expiry, stored as a SHA-256 only,
shown once. A token made with another token is recorded as its child: it can carry no wider
scope and live no longer than its parent, and revoking a token revokes every token it made,
and theirs. A disabled user's tokens are revoked, so enabling them again revives none."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from ..domain.accounts import Role, TokenScope, User, can_administer, highest_scope, scope_allows
from ..domain.errors import InvalidValue, NotFound
from ..store.account_tables import ApiTokenRow, UserRow
from ..store.engine import UnitOfWork
from . import audit

TOKEN_PREFIX = "srt_"
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365


class TokenRefused(PermissionError):
    """The token asked for would exceed what its owner or its parent token may do."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    name: str
    prefix: str
    username: str
    scope: TokenScope
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    made_by_token_id: int | None = None


@dataclass(frozen=True, slots=True)
class Bearer:
    """Who presented a valid token: the user (their permissions capped by the token's scope),
    and the token itself, which any token it mints will descend from."""

    user: User
    token_id: int
    scope: TokenScope
    expires_at: datetime | None


def _info(row: ApiTokenRow, username: str) -> TokenInfo:
    return TokenInfo(
        row.id,
        row.name,
        row.prefix,
        username,
        TokenScope(row.scope),
        row.created_at,
        row.expires_at,
        row.revoked_at,
        row.made_by_token_id,
    )


def create_token(
    engine: Engine,
    owner: User,
    name: str,
    *,
    actor: User,
    scope: TokenScope | None = None,
    days: int = DEFAULT_TOKEN_DAYS,
    parent: Bearer | None = None,
    now: datetime | None = None,
) -> tuple[TokenInfo, str]:
    """A new API token for `owner`; the secret is returned once and never stored. Without a
    `scope`, the widest the owner (and the parent token) allows."""
    if actor.id != owner.id and not can_administer(actor):
        raise TokenRefused("only an administrator can make a token for someone else")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidValue(f"a token lives from 1 to {MAX_TOKEN_DAYS} days")
    ceiling = highest_scope(replace(owner, scope=parent.scope if parent else None))
    chosen = scope or ceiling
    if not scope_allows(ceiling, chosen):
        raise TokenRefused(f"a {chosen.value} token is wider than this account or token allows")
    now = now or datetime.now(UTC)
    expires = now + timedelta(days=days)
    if parent is not None and parent.expires_at is not None:
        expires = min(expires, parent.expires_at)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    label = name.strip()[:120] or "unnamed"
    with UnitOfWork(engine) as uow:
        row = ApiTokenRow(
            token_hash=digest(secret),
            prefix=secret[:12],
            name=label,
            user_id=owner.id,
            created_at=now,
            scope=chosen.value,
            expires_at=expires,
            made_by_token_id=parent.token_id if parent else None,
        )
        uow.session.add(row)
        uow.session.flush()
        info = _info(row, owner.username)
        after = {
            "name": label,
            "prefix": row.prefix,
            "user": owner.username,
            "scope": chosen.value,
            "expires_at": expires.isoformat(),
            "made_by_token": row.made_by_token_id,
        }
        audit.record(uow.session, actor, "create", "api_token", str(row.id), after=after, now=now)
        uow.commit()
    return info, secret


def revoke_token(engine: Engine, token_id: int, *, actor: User, now: datetime | None = None) -> int:
    """Revoke a token and every token descending from it; how many were revoked."""
    now = now or datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        row = uow.session.get(ApiTokenRow, token_id)
        if row is None or (row.user_id != actor.id and not can_administer(actor)):
            # Someone else's token is "not found", not "forbidden": its existence is private.
            raise NotFound(f"there is no token {token_id} of yours")
        family = _descendants(uow.session, [row.id])
        revoked = _revoke(uow.session, family, now)
        if revoked:
            after = {"tokens": sorted(family)}
            audit.record(uow.session, actor, "revoke", "api_token", str(row.id), after=after)
        uow.commit()
    return revoked


def _descendants(session: Session, roots: list[int]) -> set[int]:
    """The tokens and every token made from them, level by level (a chain is short)."""
    found, frontier = set(roots), list(roots)
    while frontier:
        children = session.scalars(
            select(ApiTokenRow.id).where(ApiTokenRow.made_by_token_id.in_(frontier))
        ).all()
        frontier = [c for c in children if c not in found]
        found.update(frontier)
    return found


def _revoke(session: Session, ids: set[int], now: datetime) -> int:
    if not ids:
        return 0
    result = session.execute(
        update(ApiTokenRow)
        .where(ApiTokenRow.id.in_(ids), ApiTokenRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def revoke_every_token_of(session: Session, user_id: int, now: datetime) -> int:
    """In the caller's transaction: a disabled account or a reset password ends its tokens
    and every token they made (even one made for someone else by an administrator)."""
    own = list(session.scalars(select(ApiTokenRow.id).where(ApiTokenRow.user_id == user_id)))
    return _revoke(session, _descendants(session, own), now)


def list_tokens(session: Session, viewer: User) -> list[TokenInfo]:
    query = (
        select(ApiTokenRow, UserRow.username)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .order_by(ApiTokenRow.id)
    )
    if not can_administer(viewer):
        query = query.where(ApiTokenRow.user_id == viewer.id)
    return [_info(t, name) for t, name in session.execute(query)]


def bearer(session: Session, secret: str, *, now: datetime | None = None) -> Bearer | None:
    """The holder of a token that is known, not revoked, not expired and whose user is active;
    one query."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    found = session.execute(
        select(ApiTokenRow, UserRow)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .where(ApiTokenRow.token_hash == digest(secret), ApiTokenRow.revoked_at.is_(None))
    ).first()
    if found is None:
        return None
    token, row = found
    now = now or datetime.now(UTC)
    if not row.active or (token.expires_at is not None and token.expires_at <= now):
        return None
    scope = TokenScope(token.scope)
    user = User(row.id, row.username, row.organisation_id, Role(row.role), row.active, scope)
    return Bearer(user, token.id, scope, token.expires_at)
