"""The permission rules as pure functions: who reads, writes, changes and administers."""

from __future__ import annotations

import pytest

from sitroom.domain.accounts import (
    Ownership,
    Role,
    Sharing,
    User,
    can_administer,
    can_change,
    can_read,
    can_write,
    username,
)
from sitroom.domain.errors import InvalidValue
from sitroom.domain.passwords import check_password

LT, PL = 1, 2
RESTRICTED_LT = Ownership(LT, Sharing.RESTRICTED)
SHARED_LT = Ownership(LT, Sharing.SHARED)


def person(role: Role, org: int | None = LT, *, active: bool = True) -> User:
    return User(1, "someone", org, role, active)


@pytest.mark.parametrize("role", list(Role))
def test_shared_records_are_read_by_every_active_role(role: Role) -> None:
    assert can_read(person(role, PL), SHARED_LT)
    assert not can_read(person(role, PL, active=False), SHARED_LT)


@pytest.mark.parametrize(
    ("role", "org", "reads"),
    [
        (Role.VIEWER, LT, True),
        (Role.REPORTER, LT, True),
        (Role.REPORTER, PL, False),
        (Role.ANALYST, PL, False),
        (Role.REPORTER, None, False),
        (Role.COORDINATOR, PL, True),
        (Role.ADMIN, None, True),
    ],
)
def test_restricted_records_are_read_by_their_organisation_and_coordinators(
    role: Role, org: int | None, reads: bool
) -> None:
    assert can_read(person(role, org), RESTRICTED_LT) is reads


def test_viewers_never_write_and_only_the_owner_or_a_coordinator_changes() -> None:
    assert not can_write(person(Role.VIEWER))
    assert not can_change(person(Role.VIEWER), RESTRICTED_LT)
    assert can_change(person(Role.REPORTER, LT), RESTRICTED_LT)
    assert not can_change(person(Role.REPORTER, PL), SHARED_LT)
    assert can_change(person(Role.COORDINATOR, PL), RESTRICTED_LT)
    assert not can_change(person(Role.REPORTER, LT), Ownership(None, Sharing.SHARED))


def test_only_admins_administer() -> None:
    assert [r for r in Role if can_administer(person(r))] == [Role.ADMIN]


def test_user_names_and_passwords_are_checked() -> None:
    assert username("  Alice ") == "alice"
    for bad in ("a", "1alice", "al ice", "x" * 41):
        with pytest.raises(InvalidValue):
            username(bad)
    with pytest.raises(InvalidValue, match="at least"):
        check_password("short")
