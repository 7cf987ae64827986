"""Running the `sitroom` command in this process (Typer's runner), as a shell would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from sitroom.cli import common
from sitroom.cli.main import app
from sitroom.config import Settings
from sitroom.store import engine as store_engine


@pytest.fixture
def cli_in_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The command's engines are disposed after the test, as the end of its process would,
    and its consoles are 80 columns wide (they read COLUMNS when first imported)."""
    made: list[Engine] = []

    def recorded(settings: Settings) -> Engine:
        made.append(real(settings))
        return made[-1]

    real = store_engine.make_engine
    monkeypatch.setattr(store_engine, "make_engine", recorded)
    monkeypatch.setattr(common.out, "width", 80)
    monkeypatch.setattr(common.err, "width", 80)
    yield
    for db in made:
        db.dispose()


def run_in_process(args: list[str], url: str) -> tuple[int, str]:
    """Exit code and output (stdout and stderr) of `sitroom ARGS` on the database at `url`."""
    done = CliRunner().invoke(app, args, env={"SITROOM_DATABASE_URL": url, "NO_COLOR": "1"})
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return done.exit_code, done.output
