"""Create or upgrade a database, and load the bundled 2021 dataset into it."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from ..datasets import assistance_2021, belarus_2021
from ..domain.accounts import Writer
from ..store.migrate import upgrade
from .ingest import import_file
from .report import ImportReport


def init_database(engine: Engine) -> None:
    upgrade(engine)


@dataclass(frozen=True, slots=True)
class DemoLoad:
    reports: list[ImportReport]
    skipped: list[belarus_2021.Skipped]


def load_belarus_2021(engine: Engine, *, now: datetime | None = None) -> DemoLoad:
    """Import the bundled 2021 data — border figures, sites, sections, then the assistance
    asked for and offered — through the same importer users run."""
    upgrade(engine)
    reports = []
    with tempfile.TemporaryDirectory(prefix="sitroom-demo-") as folder:
        files, skipped = belarus_2021.write_import_files(Path(folder))
        assistance, not_loaded = assistance_2021.write_import_files(Path(folder))
        files, skipped = [*files, *assistance], [*skipped, *not_loaded]
        for path in files:
            operator = Writer.operator(belarus_2021.ENTERED_BY)
            reports.append(
                import_file(engine, path, entered_by=operator.name, writer=operator, now=now)
            )
    return DemoLoad(reports, skipped)
