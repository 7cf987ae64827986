"""The OpenRosa tests' world: the web world's people each with a phone, an app whose files
go to a temporary folder, and the requests Collect sends (SYNTHETIC reports)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from sqlalchemy import func, select

from sitroom.services.field_devices import create_device
from sitroom.web.app import create_app
from tests import phone
from tests.web.conftest import FAST_HASHER, World

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

RESPONSE_NS = "{http://openrosa.org/http/response}"


@dataclass
class Field:
    world: World
    app: object
    folder: Path
    logins: dict[str, dict[str, str]]

    def phone(self, name: str, *, https: bool = True) -> TestClient:
        scheme = "https" if https else "http"
        client = TestClient(self.app, base_url=f"{scheme}://testserver")
        client.headers.update(self.logins[name])
        client.headers["X-OpenRosa-Version"] = "1.0"
        return client

    def count(self, table: type) -> int:
        with self.world.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(table)) or 0)

    def stored_files(self) -> list[Path]:
        return [p for p in (self.folder / "attachments").rglob("*") if p.is_file()]


def field_world(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Field]:
    folder = tmp_path_factory.mktemp("field")
    settings = replace(world.app.state.settings, field_dir=folder)
    app = create_app(settings, hasher=FAST_HASHER)
    logins = {}
    for name in ("alice", "charlie"):
        made = create_device(world.engine, world.users[name], f"{name}'s phone", hasher=FAST_HASHER)
        logins[name] = phone.basic(made.device.login, made.password)
    yield Field(world, app, folder, logins)
    app.state.engine.dispose()


def message(response: httpx.Response) -> str:
    root = ElementTree.fromstring(response.content)
    found = root.find(f"{RESPONSE_NS}message")
    assert found is not None and found.text
    return found.text


def post(
    client: TestClient, xml: bytes, photos: dict[str, bytes] | None = None, **kw: bool
) -> httpx.Response:
    """HEAD, then the multipart POST, as Collect sends each report."""
    assert client.head("/openrosa/submission").status_code == 204
    return client.post("/openrosa/submission", **phone.submission_files(xml, photos, **kw))
