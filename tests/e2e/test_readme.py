"""The README's examples run as written on the demo's database (the real 2021 data)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitroom.config import Settings
from sitroom.services.setup import load_belarus_2021
from sitroom.store.engine import make_engine
from sitroom.store.tables import FigureRow
from tests.e2e.conftest import run_in_process

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_commands() -> list[list[str]]:
    """The `sitroom` lines of the README's "Using it" block, without their comments."""
    text = README.read_text(encoding="utf-8")
    block = text.split("## Using it", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [line.split("  #", 1)[0].strip() for line in block.splitlines()]
    return [shlex.split(line) for line in lines if line.startswith("sitroom ")]


@pytest.mark.usefixtures("cli_in_process")
def test_the_readme_examples_run_as_written_on_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = "sqlite:///sitroom-demo.db"
    db = make_engine(Settings(database_url=url))
    load_belarus_2021(db)
    with Session(db) as session:
        stored = session.scalar(select(func.count()).select_from(FigureRow))
    db.dispose()
    assert f"importer with {stored} figures" in " ".join(README.read_text(encoding="utf-8").split())
    ref = json.loads(run_in_process(["figures", "--place", "LT", "--json"], url)[1])[0]["ref"]

    commands = readme_commands()
    outputs = {}
    for command in commands:
        args = [ref if word == "REF" else word for word in command[1:]]
        code, output = run_in_process(args, url)
        assert code == 0, (command, output)
        outputs[command[1]] = output

    assert len(commands) >= 20
    assert "what if: +200 places from 2021-07-15" in outputs["runway"]
    runway = run_in_process(
        ["runway", "LT-PABRADE-TENTS", "--add-places", "200", "--from", "2021-07-15", "--json"],
        url,
    )
    added = json.loads(runway[1])["scenario"]["added_places"]
    assert added == [{"from": "2021-07-15", "places": 200.0}]
    assert (tmp_path / "sitrep.pdf").read_bytes().startswith(b"%PDF")
