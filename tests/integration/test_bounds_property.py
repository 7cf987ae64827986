"""Any row the importer accepts can be reconciled, detected and reported: generated figure
files mixing valid and hostile cells (SYNTHETIC) go through the whole pipeline without an
exception, every row accounted for, no series that cannot be computed, and no series longer
than the window of dates sitroom accepts (the work done is bounded by the figures' periods).
The long run, with timings, is bench/bounds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, text

from sitroom.services import ingest
from tests.figure_files import FigureFile, figure_files, place_files, through_everything

NOW = datetime(2021, 8, 4, 12, tzinfo=UTC)


def forget_figures(engine: Engine) -> None:
    """Back to the places alone (sites keep the import that defined them)."""
    with engine.begin() as connection:
        for table in ("alarms", "conflicts", "series_days", "series", "quarantine", "figures"):
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(
            text(
                "DELETE FROM import_batches WHERE id NOT IN (SELECT import_batch_id FROM "
                "reception_sites WHERE import_batch_id IS NOT NULL)"
            )
        )


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(file=figure_files(NOW.date()))
def test_any_row_the_importer_accepts_is_reconciled_detected_and_reported(
    engine: Engine, tmp_path: Path, file: FigureFile
) -> None:
    if not any(p.name == "sites.csv" for p in tmp_path.iterdir()):
        for path in place_files(tmp_path):
            assert ingest.import_file(engine, path, entered_by="t", now=NOW).committed
    forget_figures(engine)
    path = tmp_path / "figures.csv"
    path.write_bytes(file.encode())

    outcome = through_everything(engine, path, NOW)

    written = sum(1 for row in file.rows if any(cell.strip() for cell in row.values()))
    assert outcome.accounted_for and outcome.rows == written
    assert outcome.failed_series == []
    assert outcome.series_days_within_window
