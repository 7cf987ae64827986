"""One synthetic world per test module and backend: two states' border guards, their people,
records of each sharing level, and a client per persona.

Personas: alice (reporter, LT border guard), bob (analyst, same organisation), charlie
(reporter, PL border guard), viola (viewer, LT), cora (coordinator, EU crisis cell) and an
admin. Logging in through the form
costs an argon2 hash, so clients get their session or token from the services directly;
tests/web/test_pages.py logs in through the form once."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, text, update

from sitroom.config import Settings
from sitroom.domain.accounts import Role, Sharing, User
from sitroom.domain.places import Organisation, OrganisationKind
from sitroom.interchange.records.places import SITE_COLUMNS
from sitroom.interchange.records.schema import RecordKind
from sitroom.services import accounts, assist_writes, entries, tokens
from sitroom.services.ingest import import_file
from sitroom.store.engine import make_engine
from sitroom.store.migrate import upgrade
from sitroom.store.tables import SiteRow
from sitroom.web.app import create_app
from sitroom.web.deps import SESSION_COOKIE
from sitroom.web.settings import WebSettings
from tests import factories
from tests.conftest import BACKENDS, postgres_url

with warnings.catch_warnings():
    # Starlette asks for httpx2 instead of httpx; the lock has httpx, which works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
# Markers that must never reach charlie: each sits in one of alice's restricted records.
SECRET_FIGURE_NOTE = "alice-secret-figure-note"
SECRET_INCIDENT_TEXT = "alice-secret-incident-text"
SECRET_SITE_NAME = "Alice secret camp"
SECRET_SITE = "LT-SECRETCAMP"
SECRET_REQUEST_NOTE = "alice-secret-request-note"
SECRET_OFFER_NOTE = "alice-secret-offer-note"
SECRETS = (
    SECRET_FIGURE_NOTE,
    SECRET_INCIDENT_TEXT,
    SECRET_SITE_NAME,
    SECRET_SITE,
    SECRET_REQUEST_NOTE,
    SECRET_OFFER_NOTE,
)


@dataclass
class World:
    app: Any
    engine: Engine
    users: dict[str, User]
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    batch: int = 0

    def api(self, name: str) -> TestClient:
        client = TestClient(self.app, base_url="https://testserver")
        client.headers["authorization"] = f"Bearer {self.tokens[name]}"
        return client

    def browser(self, name: str) -> tuple[TestClient, str]:
        """A client with a login session, and the session's CSRF token."""
        login = accounts.start_session(self.engine, self.users[name], lifetime=timedelta(hours=1))
        client = TestClient(self.app, base_url="https://testserver", follow_redirects=False)
        client.cookies.set(SESSION_COOKIE, login.token)
        return client, login.csrf_token


@pytest.fixture(scope="module", params=BACKENDS)
def world_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
        return
    base = postgres_url()
    schema = f"w_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="module")
def world(world_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("files")
    engine = make_engine(Settings(database_url=world_url))
    upgrade(engine)
    built = build_world(engine, folder, world_url)
    yield built
    built.app.state.engine.dispose()  # the lifespan runs only when a client enters it
    engine.dispose()


def build_world(engine: Engine, folder: Path, url: str) -> World:
    import_file(engine, factories.sections_file(folder / "sections.csv"), entered_by="setup")
    sites = [
        {
            "id": "LT-OPENCAMP",
            "name": "Open camp",
            "country": "LT",
            "kind": "tent_camp",
            "lon": "25.1",
            "lat": "54.6",
            "operator": "",
        },
        {
            "id": SECRET_SITE,
            "name": SECRET_SITE_NAME,
            "country": "LT",
            "kind": "tent_camp",
            "lon": "25.2",
            "lat": "54.7",
            "operator": "",
        },
    ]
    path = factories.write_rows(folder / "sites.csv", [c.name for c in SITE_COLUMNS], sites)
    assert import_file(engine, path, entered_by="setup").committed
    lt = accounts.create_organisation(
        engine, Organisation("LT border guard", OrganisationKind.BORDER_GUARD, "LT"), actor=None
    )
    pl = accounts.create_organisation(
        engine, Organisation("PL border guard", OrganisationKind.BORDER_GUARD, "PL"), actor=None
    )
    cell = accounts.create_organisation(
        engine, Organisation("EU crisis cell", OrganisationKind.EU_BODY, None), actor=None
    )
    with engine.begin() as connection:
        connection.execute(
            update(SiteRow)
            .where(SiteRow.id == SECRET_SITE)
            .values(organisation_id=lt.id, sharing=Sharing.RESTRICTED.value)
        )
    people = {
        "alice": (Role.REPORTER, lt.id),
        "bob": (Role.ANALYST, lt.id),
        "charlie": (Role.REPORTER, pl.id),
        "viola": (Role.VIEWER, lt.id),
        "cora": (Role.COORDINATOR, cell.id),
        "admin": (Role.ADMIN, None),
    }
    users = {
        name: accounts.create_user(
            engine, name, PASSWORD, organisation_id=org, role=role, actor=None, hasher=FAST_HASHER
        )
        for name, (role, org) in people.items()
    }
    # No situation cache: the tests read what they just wrote, and count every query.
    settings = WebSettings(database=Settings(database_url=url), situation_cache_seconds=0)
    app = create_app(settings, hasher=FAST_HASHER)
    world = World(app, engine, users)
    for name, user in users.items():
        info, secret = tokens.create_token(engine, user, f"{name}'s test token", actor=user)
        world.tokens[name], world.token_ids[name] = secret, info.id
    alice = users["alice"]
    figure = entries.report_record(
        engine,
        alice,
        RecordKind.FIGURES,
        {
            "measure": "apprehended",
            "place": "LT-BY-1",
            "period_start": "2021-07-03",
            "value": "4242",
            "qualifier": "exact",
            "source_kind": "web_form",
            "source_url": "form",
            "note": SECRET_FIGURE_NOTE,
        },
        sharing=Sharing.RESTRICTED,
    )
    incident = entries.report_record(
        engine,
        alice,
        RecordKind.INCIDENTS,
        {
            **factories.incident_row(1),
            "description": SECRET_INCIDENT_TEXT,
            "persons": "17",
            "minors": "0",
            "nationalities": "",
        },
        sharing=Sharing.RESTRICTED,
    )
    shared = entries.report_record(
        engine,
        alice,
        RecordKind.INCIDENTS,
        {**factories.incident_row(2), "description": "alice-shared-incident"},
        sharing=Sharing.SHARED,
    )
    request = assist_writes.post_request(
        engine,
        alice,
        {
            "request": "REQ-A",
            "requested_on": "2021-07-15",
            "country": "LT",
            "item": "heater",
            "quantity": "20",
            "source_url": "https://example.org/synthetic-test-data",
            "note": SECRET_REQUEST_NOTE,
        },
        sharing=Sharing.RESTRICTED,
    )
    offer = assist_writes.post_offer(
        engine,
        alice,
        {
            "provider": "LT border guard",
            "item": "drone",
            "quantity": "5",
            "recipient": "LV",
            "source_url": "https://example.org/synthetic-test-data",
            "note": SECRET_OFFER_NOTE,
        },
        sharing=Sharing.RESTRICTED,
    )
    assert figure.ref and incident.ref and shared.ref, (figure, incident, shared)
    assert request.ref and offer.ref, (request, offer)
    world.refs = {
        "figure": figure.ref,
        "incident": incident.ref,
        "shared_incident": shared.ref,
        "request": request.ref,
        "offer": offer.ref,
    }
    bad = factories.figure_rows(2)
    bad[1]["measure"] = "arrivals_by_balloon"
    data = factories.figures_file(folder / "alice.csv", bad).read_bytes()
    report = entries.import_upload(engine, alice, "alice.csv", data)
    assert report.batch_id is not None and report.rejected == 1
    world.batch = report.batch_id
    return world
