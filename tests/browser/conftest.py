"""A real server on loopback with the 2021 data and a real Chromium (Debian's, never a
downloaded one). Without Chromium these tests skip on a developer's machine and FAIL in CI."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from argon2 import PasswordHasher

from sitroom.config import Settings
from sitroom.domain.accounts import Role
from sitroom.domain.places import Organisation, OrganisationKind
from sitroom.services import accounts
from sitroom.services.detection import run_detection
from sitroom.services.series import refresh_series
from sitroom.services.setup import load_belarus_2021
from sitroom.store.engine import make_engine
from sitroom.web.app import create_app
from sitroom.web.settings import WebSettings

CHROMIUM = Path(os.environ.get("SITROOM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
PASSWORD = "browser test password"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@dataclass(frozen=True)
class Server:
    base: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'situation.db'}"
    engine = make_engine(Settings(database_url=url))
    load_belarus_2021(engine)
    refresh_series(engine)
    run_detection(engine)
    lt = accounts.create_organisation(
        engine, Organisation("LT border guard", OrganisationKind.BORDER_GUARD, "LT"), actor=None
    )
    accounts.create_user(
        engine,
        "alice",
        PASSWORD,
        organisation_id=lt.id,
        role=Role.REPORTER,
        actor=None,
        hasher=FAST_HASHER,
    )
    engine.dispose()
    # Plain HTTP on loopback: the session cookie cannot be Secure here.
    settings = WebSettings(database=Settings(database_url=url), secure_cookies=False)
    app = create_app(settings, hasher=FAST_HASHER)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}")
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"Chromium is missing at {CHROMIUM}: scripts/setup --test installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # launch() gives Chromium a fresh temporary profile of its own each time (and removes it).
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh page that records every URL it requests."""
    context = browser.new_context(base_url=server.base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requested = []
    page.on("request", lambda request: page.requested.append(request.url))
    yield page
    context.close()


def shoot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Any) -> None:
    page.goto("/login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
