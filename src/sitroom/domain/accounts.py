"""Who may see and change what: users, roles, sharing levels and the rules, as pure functions.

Every record belongs to an organisation (or to none: data loaded before accounts existed, or
published data) and is either shared with all organisations or restricted to its own. The
rules live here so that the API, the pages and the services ask the same questions.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from .errors import InvalidValue

_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")


class Role(enum.StrEnum):
    VIEWER = "viewer"
    REPORTER = "reporter"
    ANALYST = "analyst"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class TokenScope(enum.StrEnum):
    """What an API token may do: `read` only reads, `write` also reports and imports, `admin`
    also manages organisations, users and tokens (and only an administrator holds one)."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


_SCOPE_ORDER = (TokenScope.READ, TokenScope.WRITE, TokenScope.ADMIN)


def scope_allows(scope: TokenScope, needed: TokenScope) -> bool:
    return _SCOPE_ORDER.index(scope) >= _SCOPE_ORDER.index(needed)


def highest_scope(user: User) -> TokenScope:
    """The widest scope a token of this user may carry: a token never exceeds its owner (nor
    the token it was made with)."""
    if can_administer(user):
        return TokenScope.ADMIN
    return TokenScope.WRITE if can_write(user) else TokenScope.READ


class Sharing(enum.StrEnum):
    SHARED = "shared"
    RESTRICTED = "restricted"


# Coordinators see across organisations: that is their job (the multi-country picture).
_SEES_EVERYTHING = frozenset({Role.COORDINATOR, Role.ADMIN})
_WRITES = frozenset({Role.REPORTER, Role.ANALYST, Role.COORDINATOR, Role.ADMIN})
# Border sections are geography every user's map and series share: only these define them.
_DEFINES_SECTIONS = frozenset({Role.COORDINATOR, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    organisation_id: int | None
    role: Role
    active: bool = True
    # Set when the user acts through an API token: the token's scope caps what the role
    # allows. None (a browser session, the command line) leaves the role alone.
    scope: TokenScope | None = None


def _scope_permits(user: User, needed: TokenScope) -> bool:
    return user.scope is None or scope_allows(user.scope, needed)


@dataclass(frozen=True, slots=True)
class Ownership:
    organisation_id: int | None
    sharing: Sharing


def sees_everything(user: User) -> bool:
    return user.active and user.role in _SEES_EVERYTHING


def can_read(user: User, owner: Ownership) -> bool:
    if not user.active:
        return False
    if owner.sharing is Sharing.SHARED or sees_everything(user):
        return True
    return owner.organisation_id is not None and owner.organisation_id == user.organisation_id


def can_write(user: User) -> bool:
    """Report new records (figures, incidents, occupancy, imports)."""
    return user.active and user.role in _WRITES and _scope_permits(user, TokenScope.WRITE)


def can_change(user: User, owner: Ownership) -> bool:
    """Change or correct a stored record: writers of its own organisation, or coordinators.
    A record of no organisation (bundled or published data) is corrected by a new figure,
    which any writer may report, but changed in place only by coordinators."""
    if not can_write(user):
        return False
    if sees_everything(user):
        return True
    return owner.organisation_id is not None and owner.organisation_id == user.organisation_id


def can_define_sections(user: User) -> bool:
    return user.active and user.role in _DEFINES_SECTIONS


def storage_scope(organisation_id: int | None, sharing: Sharing, username: str) -> str:
    """Where a stored figure's or incident's content ref must be unique: among the records of
    the same readers. A shared record is unique among shared ones (everybody sees them all); a
    restricted one among its organisation's restricted ones (which that organisation sees), so
    a writer's record can only ever be a duplicate of one the writer may read."""
    if sharing is Sharing.SHARED:
        return "shared"
    if organisation_id is not None:
        return f"org:{organisation_id}"
    return f"user:{username}"


def can_administer(user: User) -> bool:
    return user.active and user.role is Role.ADMIN and _scope_permits(user, TokenScope.ADMIN)


def username(value: str) -> str:
    text = value.strip().lower()
    if not _USERNAME.match(text):
        raise InvalidValue(
            f"{value!r} is not a user name: 2 to 40 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter"
        )
    return text


@dataclass(frozen=True, slots=True)
class Writer:
    """Who stores records, and how what they store is shared. A person writes as a `User`;
    the operator (the command line, the bundled data) writes with no user, sees every record
    and stores shared records of no organisation."""

    name: str
    user: User | None
    sharing: Sharing = Sharing.SHARED

    @classmethod
    def operator(cls, name: str) -> Writer:
        return cls(name, None, Sharing.SHARED)

    @classmethod
    def person(cls, user: User, sharing: Sharing) -> Writer:
        return cls(user.username, user, sharing)

    @property
    def organisation_id(self) -> int | None:
        return None if self.user is None else self.user.organisation_id

    @property
    def sees_everything(self) -> bool:
        return self.user is None or sees_everything(self.user)

    @property
    def defines_sections(self) -> bool:
        return self.user is None or can_define_sections(self.user)

    @property
    def deletes_sections(self) -> bool:
        return self.user is None or can_administer(self.user)

    @property
    def scope(self) -> str:
        return storage_scope(self.organisation_id, self.sharing, self.name)

    def may_correct(self, owner: Ownership) -> bool:
        """Whether a new figure may correct a stored one the writer can read: its own
        organisation's, any for coordinators and the operator; a figure of no organisation
        (published data) by anyone who reports."""
        if self.user is None or owner.organisation_id is None:
            return True
        return can_change(self.user, owner)

    def may_change(self, owner: Ownership) -> bool:
        return self.user is None or can_change(self.user, owner)
