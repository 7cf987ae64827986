"""The second, real client: ODK's own XForms engine (@getodk/xforms-engine from npm, the core
of ODK Web Forms) in Chromium loads the forms sitroom serves with their choice lists, fills
one and submits the instance it serialises; sitroom stores it as a phone's report."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import uvicorn
from sqlalchemy import select

from sitroom.config import Settings
from sitroom.domain.accounts import Role
from sitroom.domain.places import Organisation, OrganisationKind
from sitroom.services import accounts
from sitroom.services.field_devices import create_device
from sitroom.services.ingest import import_file
from sitroom.store.engine import make_engine
from sitroom.store.field_tables import FieldSubmissionRow
from sitroom.store.migrate import upgrade
from sitroom.store.tables import IncidentRow
from sitroom.web.app import create_app
from sitroom.web.settings import WebSettings
from tests import factories, phone
from tests.browser.conftest import FAST_HASHER

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "node_modules" / "@getodk" / "xforms-engine" / "dist"
CLIENT = Path(__file__).with_name("xforms_engine_client.js")
TYPES = {".js": "text/javascript", ".html": "text/html", ".map": "application/json"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def field_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Any]]:
    if not (ENGINE / "index.js").is_file():
        pytest.fail("@getodk/xforms-engine is missing: scripts/setup runs npm ci")
    folder = tmp_path_factory.mktemp("engine")
    url = f"sqlite:///{folder / 'field.db'}"
    engine = make_engine(Settings(database_url=url))
    upgrade(engine)
    import_file(engine, factories.sections_file(folder / "sections.csv"), entered_by="setup")
    lt = accounts.create_organisation(
        engine, Organisation("LT border guard", OrganisationKind.BORDER_GUARD, "LT"), actor=None
    )
    alice = accounts.create_user(
        engine,
        "alice",
        "a long enough password",
        organisation_id=lt.id,
        role=Role.REPORTER,
        actor=None,
        hasher=FAST_HASHER,
    )
    made = create_device(engine, alice, "engine", hasher=FAST_HASHER)
    # Plain HTTP on loopback, for this test only: a phone's credentials otherwise need HTTPS.
    settings = WebSettings(
        database=Settings(database_url=url), field_dir=folder / "files", field_over_http=True
    )
    app = create_app(settings, hasher=FAST_HASHER)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    auth = phone.basic(made.device.login, made.password)["authorization"]
    yield f"http://127.0.0.1:{port}", auth, engine
    running.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


def _serve_engine(route: Any) -> None:
    name = route.request.url.split("/xforms-engine/", 1)[1].split("?")[0]
    if name == "index.html":
        route.fulfill(body="<!doctype html><title>engine</title>", content_type="text/html")
        return
    path = CLIENT if name == "client.js" else ENGINE / name
    if ".." in name or not path.is_file():
        route.fulfill(status=404, body="")
        return
    route.fulfill(body=path.read_bytes(), content_type=TYPES.get(path.suffix, "text/plain"))


def test_odks_xforms_engine_fills_a_served_form_and_sitroom_stores_it(
    browser: Any, field_server: tuple[str, str, Any]
) -> None:
    base, auth, engine = field_server
    context = browser.new_context(base_url=base)
    page = context.new_page()
    # The engine's files come from node_modules, answered by the browser test itself on the
    # server's origin, so that the engine's requests to /openrosa are same-origin.
    page.route(f"{base}/xforms-engine/**", _serve_engine)
    page.goto("/xforms-engine/index.html")
    answers = {
        "section": "LT-BY-2",
        "occurred_at": "2026-12-05T02:10:00+02:00",
        "category": "apprehension",
        "persons": "9",
        "minors": "2",
        "nationalities": "IQ:9",
        "description": "SYNTHETIC report from the ODK engine",
    }
    result = page.evaluate(
        "async (args) => (await import('/xforms-engine/client.js')).fillAndSubmit(args)",
        {"auth": auth, "formId": "sitroom_incident", "answers": answers},
    )
    context.close()
    assert result["status"] == "ready", result
    assert result["choices"]["section"] == ["LT-BY-1", "LT-BY-2"]
    assert (result["head"], result["posted"]) == (204, 201), result
    assert "stored 1 record" in result["reply"]
    sent = ElementTree.fromstring(result["instanceXml"])
    instance_id = next(e.text for e in sent.iter() if e.tag.endswith("instanceID"))
    assert sent.get("id") == "sitroom_incident" and instance_id
    with engine.connect() as connection:
        stored = connection.execute(
            select(IncidentRow.section, IncidentRow.persons, IncidentRow.minors).where(
                IncidentRow.external_ref == instance_id
            )
        ).all()
        submission = connection.scalar(
            select(FieldSubmissionRow.form_version).where(
                FieldSubmissionRow.instance_id == instance_id
            )
        )
    assert stored == [("LT-BY-2", 9, 2)], result
    assert submission == "2026120501"
