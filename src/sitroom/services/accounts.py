"""Organisations, users, passwords and login sessions (API tokens: `services.tokens`); each
write commits once, with its audit entry. Passwords are hashed with argon2; session tokens are
random and only their SHA-256 is stored (they carry 256 bits, so a slow hash would add
nothing)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.accounts import Role, User, can_administer, username
from ..domain.countries import country_code
from ..domain.errors import AlreadyExists, InvalidValue, NotFound
from ..domain.passwords import check_password
from ..domain.places import Organisation, OrganisationKind
from ..store.account_tables import LoginSessionRow, UserRow
from ..store.engine import UnitOfWork
from ..store.tables import OrganisationRow
from . import audit
from .tokens import digest as _digest
from .tokens import revoke_every_token_of

DEFAULT_HASHER = PasswordHasher()
# Verified when the user name is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = DEFAULT_HASHER.hash("not a password of anyone")


class NotAllowed(PermissionError):
    """The acting user may not do this; the message says what would be needed."""


def _user(row: UserRow) -> User:
    return User(row.id, row.username, row.organisation_id, Role(row.role), row.active)


def _require_admin(actor: User | None) -> None:
    if actor is not None and not can_administer(actor):
        raise NotAllowed("only an administrator can manage organisations, users and tokens")


@dataclass(frozen=True, slots=True)
class OrganisationInfo:
    id: int
    name: str
    kind: str
    country: str | None


def create_organisation(
    engine: Engine, organisation: Organisation, *, actor: User | None
) -> OrganisationInfo:
    """`actor` None is the system itself (setup, the demo); otherwise an administrator."""
    _require_admin(actor)
    country = country_code(organisation.country) if organisation.country else None
    with UnitOfWork(engine) as uow:
        row = OrganisationRow(
            name=organisation.name.strip()[:200], kind=organisation.kind.value, country=country
        )
        uow.session.add(row)
        try:
            uow.session.flush()
        except IntegrityError:
            raise AlreadyExists(f"an organisation named {organisation.name!r} exists") from None
        info = OrganisationInfo(row.id, row.name, row.kind, row.country)
        audit.record(uow.session, actor, "create", "organisation", str(row.id), after=_org(info))
        uow.commit()
    return info


def _org(info: OrganisationInfo) -> dict[str, object]:
    return {"name": info.name, "kind": info.kind, "country": info.country}


def list_organisations(session: Session) -> list[OrganisationInfo]:
    rows = session.scalars(select(OrganisationRow).order_by(OrganisationRow.name))
    return [OrganisationInfo(r.id, r.name, r.kind, r.country) for r in rows]


def create_user(
    engine: Engine,
    name: str,
    password: str,
    *,
    organisation_id: int | None,
    role: Role,
    actor: User | None,
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> User:
    _require_admin(actor)
    name = username(name)
    check_password(password, username=name)
    with UnitOfWork(engine) as uow:
        if (
            organisation_id is not None
            and uow.session.get(OrganisationRow, organisation_id) is None
        ):
            raise InvalidValue(f"there is no organisation {organisation_id}")
        row = UserRow(
            username=name,
            password_hash=hasher.hash(password),
            organisation_id=organisation_id,
            role=role.value,
            active=True,
            created_at=datetime.now(UTC),
        )
        uow.session.add(row)
        try:
            uow.session.flush()
        except IntegrityError:
            raise AlreadyExists(f"the user name {name!r} is taken") from None
        user = _user(row)
        after = {"username": name, "organisation_id": organisation_id, "role": role.value}
        audit.record(uow.session, actor, "create", "user", name, after=after)
        uow.commit()
    return user


def change_user(
    engine: Engine, user_id: int, *, role: Role | None, active: bool | None, actor: User
) -> User:
    _require_admin(actor)
    with UnitOfWork(engine) as uow:
        row = uow.session.get(UserRow, user_id)
        if row is None:
            raise NotFound(f"there is no user {user_id}")
        before = {"role": row.role, "active": row.active}
        if role is not None:
            row.role = role.value
        if active is not None:
            row.active = active
            if not active:
                # Ended for good: enabling the account again revives no session or token.
                _end_sessions(uow.session, row.id)
                revoke_every_token_of(uow.session, row.id, datetime.now(UTC))
        after = {"role": row.role, "active": row.active}
        audit.record(uow.session, actor, "change", "user", row.username, before=before, after=after)
        uow.commit()
        return _user(row)


def _end_sessions(session: Session, user_id: int, *, keep: str | None = None) -> None:
    query = delete(LoginSessionRow).where(LoginSessionRow.user_id == user_id)
    if keep is not None:
        query = query.where(LoginSessionRow.token_hash != _digest(keep))
    session.execute(query)


class WrongPassword(InvalidValue):
    """The current password given to change it is not the account's password."""


def change_password(
    engine: Engine,
    user: User,
    current: str,
    new: str,
    *,
    keep_session: str | None = None,
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> None:
    """The user's own change: the current password first, then the policy; every other
    session of the account ends (`keep_session` is the one the change was made from)."""
    with UnitOfWork(engine) as uow:
        row = uow.session.get(UserRow, user.id)
        if row is None or not row.active:
            raise WrongPassword("the current password is wrong")
        try:
            hasher.verify(row.password_hash, current)
        except (VerificationError, InvalidHashError):
            raise WrongPassword("the current password is wrong") from None
        if secrets.compare_digest(current.encode(), new.encode()):
            raise InvalidValue("the new password is the current one")
        check_password(new, username=row.username)
        row.password_hash = hasher.hash(new)
        _end_sessions(uow.session, row.id, keep=keep_session)
        audit.record(uow.session, user, "change_password", "user", row.username)
        uow.commit()


def reset_password(
    engine: Engine,
    user_id: int,
    new: str,
    *,
    actor: User,
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> User:
    """An administrator sets a new password: as after a compromise, every session and API
    token of the account ends."""
    _require_admin(actor)
    with UnitOfWork(engine) as uow:
        row = uow.session.get(UserRow, user_id)
        if row is None:
            raise NotFound(f"there is no user {user_id}")
        check_password(new, username=row.username)
        row.password_hash = hasher.hash(new)
        _end_sessions(uow.session, row.id)
        revoked = revoke_every_token_of(uow.session, row.id, datetime.now(UTC))
        audit.record(
            uow.session, actor, "reset_password", "user", row.username, after={"tokens": revoked}
        )
        uow.commit()
        return _user(row)


def list_users(session: Session) -> list[User]:
    return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.username))]


def authenticate(
    engine: Engine, name: str, password: str, *, hasher: PasswordHasher = DEFAULT_HASHER
) -> User | None:
    # Its own short session: the connection goes back to the pool before the slow hash.
    with Session(engine) as session:
        query = select(UserRow).where(UserRow.username == name.strip().lower())
        row = session.scalars(query).first()
    try:
        hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    return _user(row)


@dataclass(frozen=True, slots=True)
class LoginSession:
    token: str
    csrf_token: str
    user: User


def start_session(engine: Engine, user: User, *, lifetime: timedelta) -> LoginSession:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        # Expired sessions are of no use to anyone: each login sweeps them away.
        uow.session.execute(delete(LoginSessionRow).where(LoginSessionRow.expires_at <= now))
        uow.session.add(
            LoginSessionRow(
                token_hash=_digest(token),
                user_id=user.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + lifetime,
            )
        )
        audit.record(uow.session, user, "login", "user", user.username, now=now)
        uow.commit()
    return LoginSession(token, csrf, user)


def session_user(session: Session, token: str) -> LoginSession | None:
    """One query: the session and its user, if the session has not expired."""
    found = session.execute(
        select(LoginSessionRow, UserRow)
        .join(UserRow, UserRow.id == LoginSessionRow.user_id)
        .where(LoginSessionRow.token_hash == _digest(token))
    ).first()
    if found is None:
        return None
    login, row = found
    if login.expires_at <= datetime.now(UTC) or not row.active:
        return None
    return LoginSession(token, login.csrf_token, _user(row))


def end_session(engine: Engine, token: str) -> None:
    with UnitOfWork(engine) as uow:
        uow.session.execute(
            delete(LoginSessionRow).where(LoginSessionRow.token_hash == _digest(token))
        )
        uow.commit()


def organisation_kind(value: str) -> OrganisationKind:
    try:
        return OrganisationKind(value)
    except ValueError:
        choices = ", ".join(k.value for k in OrganisationKind)
        raise InvalidValue(f"{value!r} is not an organisation kind: use one of {choices}") from None


def user_of(row: UserRow) -> User:
    """The person a stored row describes, for services that join users into their queries."""
    return _user(row)
