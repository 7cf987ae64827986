"""Which audiences a series is computed for, and which one each reader gets."""

from __future__ import annotations

from sitroom.domain import audiences
from sitroom.domain.accounts import Role, Sharing, User

SHARED, RESTRICTED = Sharing.SHARED, Sharing.RESTRICTED


def user(role: Role, organisation: int | None = 1, active: bool = True) -> User:
    return User(1, "someone", organisation, role, active)


def test_a_series_of_shared_figures_is_computed_once_for_everyone() -> None:
    assert audiences.audiences_for([(1, SHARED), (None, SHARED)]) == {audiences.ALL: None}


def test_restricted_figures_add_the_shared_view_and_one_per_owning_organisation() -> None:
    found = audiences.audiences_for(
        [(1, SHARED), (2, RESTRICTED), (3, RESTRICTED), (None, RESTRICTED)]
    )
    assert found == {
        audiences.ALL: None,
        audiences.SHARED: set(),
        audiences.organisation(2): {2},
        audiences.organisation(3): {3},
    }


def test_an_audience_includes_shared_figures_and_its_own_restricted_ones() -> None:
    own = {2}
    assert audiences.includes(own, 7, SHARED)
    assert audiences.includes(own, 2, RESTRICTED)
    assert not audiences.includes(own, 3, RESTRICTED)
    assert not audiences.includes(set(), None, RESTRICTED)
    assert audiences.includes(None, 3, RESTRICTED)


def test_readers_get_their_narrowest_computed_audience_first() -> None:
    assert audiences.audiences_of(user(Role.COORDINATOR)) == audiences.EVERYTHING
    assert audiences.audiences_of(user(Role.ADMIN, None)) == audiences.EVERYTHING
    assert audiences.audiences_of(user(Role.REPORTER, 4)) == (
        audiences.organisation(4),
        audiences.SHARED,
        audiences.ALL,
    )
    assert audiences.audiences_of(user(Role.VIEWER, None)) == (audiences.SHARED, audiences.ALL)
    assert audiences.audiences_of(user(Role.COORDINATOR, active=False)) == ()
