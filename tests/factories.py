"""Factories for SYNTHETIC test records and files: plausible shapes, invented values."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

from sitroom.domain.figures import ReportedFigure
from sitroom.domain.measures import Measure, Qualifier
from sitroom.domain.sources import Source, SourceKind
from sitroom.interchange.records.figures import COLUMNS as FIGURE_COLUMNS
from sitroom.interchange.records.figures import figure_cells
from sitroom.interchange.records.places import SECTION_COLUMNS

SYNTHETIC_URL = "https://example.org/synthetic-test-data"
MOMENT = datetime(2021, 8, 4, 9, 30, tzinfo=UTC)


def figure(**overrides: object) -> ReportedFigure:
    values: dict[str, object] = {
        "measure": Measure.APPREHENDED,
        "place": "LT",
        "period_start": date(2021, 7, 3),
        "period_end": date(2021, 7, 3),
        "value": 12.0,
        "qualifier": Qualifier.EXACT,
        "source": Source(
            SourceKind.OFFICIAL_FEED, SYNTHETIC_URL, "Test border guard", "2021-07-04"
        ),
        "entered_by": "alice",
        "entered_at": MOMENT,
    }
    values.update(overrides)
    return ReportedFigure(**values)  # type: ignore[arg-type]


def figure_rows(count: int, *, start_value: int = 1) -> list[dict[str, str]]:
    return [
        figure_cells(
            figure(
                value=float(start_value + n),
                period_start=date(2021, 7, 1 + n % 28),
                period_end=date(2021, 7, 1 + n % 28),
            )
        )
        for n in range(count)
    ]


def write_rows(path: Path, header: Iterable[str], rows: Iterable[dict[str, str]]) -> Path:
    names = list(header)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=names, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
    return path


def figures_file(path: Path, rows: list[dict[str, str]]) -> Path:
    return write_rows(path, [c.name for c in FIGURE_COLUMNS], rows)


def sections_file(path: Path) -> Path:
    rows = [
        {
            "id": f"LT-BY-{n}",
            "country": "LT",
            "neighbour": "BY",
            "name": f"Synthetic stretch {n}",
            "length_km": "100",
            "line": f"[[25.{n}, 54.0], [25.{n}, 54.5]]",
        }
        for n in (1, 2)
    ]
    return write_rows(path, [c.name for c in SECTION_COLUMNS], rows)


def incident_row(n: int, **overrides: str) -> dict[str, str]:
    row = {
        "external_ref": f"SYN-{n}",
        "occurred_at": f"2021-07-{1 + n % 28:02d}T02:10:00+03:00",
        "section": "LT-BY-1",
        "category": "apprehension",
        "persons": str(3 + n % 5),
        "minors": "1",
        "nationalities": "IQ:2",
        "source_kind": "official_feed",
        "source_organisation": "Test border guard",
        "source_url": SYNTHETIC_URL,
    }
    row.update(overrides)
    return row


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
