"""The demo's people: two organisations of two states, and who works where."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import Engine

from ..domain.accounts import Role
from ..domain.places import Organisation, OrganisationKind
from ..services import accounts


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    password: str
    role: str
    organisation: str


LT = Organisation("State Border Guard Service (LT)", OrganisationKind.BORDER_GUARD, "LT")
PL = Organisation("Border Guard (PL)", OrganisationKind.BORDER_GUARD, "PL")
EU = Organisation("EU crisis cell (demo)", OrganisationKind.EU_BODY, None)


def create(engine: Engine) -> list[Credentials]:
    """Fresh random passwords each time: the demo database may be left on a shared machine."""
    orgs = {o.name: accounts.create_organisation(engine, o, actor=None) for o in (LT, PL, EU)}
    people = [
        ("alice", Role.REPORTER, LT),
        ("bob", Role.ANALYST, LT),
        ("charlie", Role.REPORTER, PL),
        ("admin", Role.ADMIN, EU),
    ]
    made = []
    for name, role, org in people:
        password = secrets.token_urlsafe(9)
        accounts.create_user(
            engine,
            name,
            password,
            organisation_id=orgs[org.name].id,
            role=role,
            actor=None,
        )
        made.append(Credentials(name, password, role.value, org.name))
    return made
