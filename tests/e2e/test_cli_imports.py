"""The `sitroom` command loads only what the command run needs (issue #2).

`sitroom --help` and `sitroom import` must not load the analysis libraries: scipy and
statsmodels come with the detectors, forecasts and reconciliation, matplotlib with the charts,
WeasyPrint with the PDF report. Each check runs in a fresh process, which reports the modules
it loaded when it exits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import factories

ANALYSIS = ("scipy", "statsmodels", "matplotlib", "weasyprint")
# Polars reads the files `sitroom import` takes, so only the import may load it.
NOT_FOR_HELP = (*ANALYSIS, "polars")

# Runs `sitroom ARGS...` in this process and, whatever the exit, writes which of the
# packages named in SITROOM_WATCH it loaded to the file SITROOM_LOADED.
PROBE = """
import atexit, json, os, sys
def loaded():
    watch = os.environ["SITROOM_WATCH"].split(",")
    with open(os.environ["SITROOM_LOADED"], "w") as out:
        json.dump(sorted(name for name in watch if name in sys.modules), out)
atexit.register(loaded)
from sitroom.cli.main import run
sys.argv = ["sitroom", *sys.argv[1:]]
run()
"""


def loaded_by(
    *args: str, watch: tuple[str, ...], tmp_path: Path, url: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    record = tmp_path / "loaded.json"
    env = {
        **os.environ,
        "SITROOM_DATABASE_URL": url,
        "SITROOM_WATCH": ",".join(watch),
        "SITROOM_LOADED": str(record),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done, json.loads(record.read_text(encoding="utf-8"))


def test_importing_the_command_loads_no_analysis_library() -> None:
    code = (
        "import sys, sitroom.cli.main\n"
        f"print(' '.join(n for n in {NOT_FOR_HELP!r} if n in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout.split() == [], (
        "importing sitroom.cli.main loads these; import them inside the commands that use "
        "them (see src/sitroom/cli/common.py)"
    )


def test_help_loads_no_analysis_library_nor_polars(tmp_path: Path) -> None:
    # --help builds every command's signature, so this covers the options' types and defaults.
    done, loaded = loaded_by(
        "--help",
        watch=NOT_FOR_HELP,
        tmp_path=tmp_path,
        url=f"sqlite:///{tmp_path / 'unused.db'}",
    )
    assert done.returncode == 0, done.stderr
    assert "import" in done.stdout
    assert loaded == []


def test_import_loads_no_analysis_library(database_url: str, tmp_path: Path) -> None:
    figures = factories.figures_file(tmp_path / "figures.csv", factories.figure_rows(3))
    done, loaded = loaded_by(
        "import", str(figures), "--json", watch=ANALYSIS, tmp_path=tmp_path, url=database_url
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["accepted"] == 3
    assert loaded == [], "`sitroom import` should load only the import path"


def test_the_detection_methods_in_the_help_match_the_registry() -> None:
    # cli/warn.py writes the names out so that --help need not import the detectors.
    from sitroom.analysis.detect.registry import DETECTORS
    from sitroom.cli import warn
    from sitroom.services.detection import DEFAULT_METHODS

    assert sorted(warn.METHODS) == sorted(DETECTORS)
    assert warn.DEFAULT_METHODS == DEFAULT_METHODS
