"""What the `sitroom` command says when the database is not ready, the file is wrong, or the
terminal is 80 columns wide (SYNTHETIC data). The command runs in this process (Typer's
runner), with the environment a shell would give it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import factories
from tests.e2e.conftest import run_in_process

EVERY_COMMAND_BUT_THOSE_THAT_CREATE_IT = [
    ["figures"],
    ["history", "F00000000000000000000"],
    ["sites"],
    ["sections"],
    ["export", "figures", "out.csv"],
    ["quarantine", "list"],
    ["quarantine", "export", "fix.csv"],
    ["check"],
    ["series", "apprehended", "LT"],
    ["conflicts"],
    ["detect"],
    ["alarms"],
    ["alarms", "ack", "1", "--by", "alice", "--reason", "seen"],
    ["alarms", "close", "1", "--by", "alice"],
    ["forecast", "apprehended", "LT"],
    ["runway", "LT-PABRADE"],
    ["report", "--date", "2021-08-04"],
    ["serve"],
]


pytestmark = pytest.mark.usefixtures("cli_in_process")


def run(args: list[str], url: str) -> tuple[int, str]:
    return run_in_process(args, url)


@pytest.mark.parametrize("args", EVERY_COMMAND_BUT_THOSE_THAT_CREATE_IT, ids=" ".join)
def test_a_database_never_initialised_says_how_to_initialise_it(
    args: list[str], database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = run(args, database_url)
    assert code == 2, output
    assert "Run `sitroom init` to create or upgrade it" in " ".join(output.split())
    assert not (tmp_path / "test.db").exists()


def test_the_figures_table_at_80_columns_keeps_refs_dates_measures_whole(
    database_url: str, tmp_path: Path
) -> None:
    rows = factories.figure_rows(3)
    rows[0].update(measure="facilitators_apprehended", period_end="2021-07-31")
    rows[1].update(source_url="https://example.org/a/very/long/synthetic/source/address/" * 2)
    path = factories.figures_file(tmp_path / "f.csv", rows)
    assert run(["import", str(path)], database_url)[0] == 0

    code, output = run(["figures"], database_url)
    listed = json.loads(run(["figures", "--json"], database_url)[1])

    assert code == 0
    assert max(len(line) for line in output.splitlines()) <= 80
    for figure in listed:
        for part in ("ref", "measure", "period_start", "period_end"):
            assert figure[part] in output, (part, output)
    assert "…" not in output
    assert [f["value"] for f in listed] == [1, 2, 3]


def test_import_names_every_missing_column_and_exits_2(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("measure,place,value\napprehended,LT,3\n", encoding="utf-8")

    code, output = run(["import", str(path), "--kind", "figures"], database_url)

    assert code == 2
    assert "period_start, qualifier, source_kind, source_url" in " ".join(output.split())
