"""The documentation names every column, measure and command that exists."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from sitroom.cli.main import app
from sitroom.domain.incidents import IncidentCategory
from sitroom.domain.measures import Measure, Qualifier
from sitroom.interchange.records.registry import SCHEMAS

DOCS = Path(__file__).resolve().parents[2] / "docs"
README = DOCS.parent / "README.md"


def test_every_file_column_is_documented() -> None:
    text = (DOCS / "data.md").read_text(encoding="utf-8")
    for schema in SCHEMAS.values():
        for column in schema.columns:
            assert f"`{column.name}`" in text, f"{schema.kind}.{column.name} is not in docs/data.md"


def test_every_measure_qualifier_and_category_is_documented() -> None:
    text = (DOCS / "data.md").read_text(encoding="utf-8")
    for name in [*Measure, *Qualifier, *IncidentCategory]:
        assert name.value in text, f"{name.value} is not in docs/data.md"


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    group = get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help, f"sitroom {name} has no help"
        assert f"sitroom {name}" in readme, f"sitroom {name} is not in the README"
