"""Who a derived record is computed for.

A reconciled series, its conflicts and its alarms are computed from figures, and some figures
are restricted to their organisation. A series computed from every figure would show a
restricted figure's effect to people who may not read that figure. So each series is computed
once per *audience*:

- `ALL`: from every figure — for coordinators, administrators and the operator's CLI;
- `SHARED`: from shared figures only — kept only when the series has restricted figures;
- `organisation(id)`: shared figures plus that organisation's restricted ones — kept only for
  organisations that have restricted figures in the series.

A reader takes, per series, the first audience of `audiences_of(user)` that was computed. That
is always the right one: `SHARED` is missing only when nothing is restricted (so `ALL` holds
exactly the shared figures), and an organisation's audience is missing only when it has no
restricted figures there (so `SHARED` is its picture).
"""

from __future__ import annotations

from collections.abc import Iterable

from .accounts import Sharing, User, sees_everything

ALL = "all"
SHARED = "shared"
EVERYTHING: tuple[str, ...] = (ALL,)
"""What the operator and the situation report read: every figure."""
SHARED_ONLY: tuple[str, ...] = (SHARED, ALL)
"""What a reader outside every organisation reads: shared figures only (for what leaves the
organisations, such as CAP alerts sent to the public)."""


def organisation(organisation_id: int) -> str:
    return f"org:{organisation_id}"


def audiences_of(user: User) -> tuple[str, ...]:
    """The audiences whose series this user may read, the one that fits best first."""
    if sees_everything(user):
        return EVERYTHING
    if not user.active:
        return ()
    if user.organisation_id is None:
        return (SHARED, ALL)
    return (organisation(user.organisation_id), SHARED, ALL)


def audiences_for(owners: Iterable[tuple[int | None, Sharing]]) -> dict[str, set[int] | None]:
    """The audiences to compute for a series whose figures have these owners, each with the
    restricted organisations whose figures it includes (None: every figure)."""
    restricted = {org for org, sharing in owners if sharing is Sharing.RESTRICTED}
    if not restricted:
        return {ALL: None}
    found: dict[str, set[int] | None] = {ALL: None, SHARED: set()}
    for org in restricted:
        if org is not None:
            found[organisation(org)] = {org}
    return found


def includes(audience_orgs: set[int] | None, owner: int | None, sharing: Sharing) -> bool:
    """Whether a figure with this owner and sharing feeds the audience."""
    if audience_orgs is None or sharing is Sharing.SHARED:
        return True
    return owner is not None and owner in audience_orgs
