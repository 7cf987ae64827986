"""Export → import → export gives the same file, for any figures Hypothesis can think of."""

from __future__ import annotations

import io
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from sitroom.config import Settings
from sitroom.domain.bounds import MOST_IN_ONE_FIGURE
from sitroom.domain.figures import ReportedFigure
from sitroom.domain.measures import Measure, Qualifier
from sitroom.domain.sources import Source, SourceKind
from sitroom.interchange.records.schema import RecordKind
from sitroom.interchange.registry import Format
from sitroom.interchange.xlsx_format import read_xlsx
from sitroom.services import exports, ingest
from sitroom.store.engine import make_engine
from sitroom.store.migrate import upgrade
from tests import factories

# Text that survives any cell: no control characters, no lone surrogates, trimmed.
cell_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029\x85"),
    max_size=40,
).map(str.strip)


@st.composite
def figures(draw: st.DrawFn) -> ReportedFigure:
    start = draw(st.dates(date(2015, 1, 1), date(2025, 12, 31)))
    measure = draw(st.sampled_from(Measure))
    return ReportedFigure(
        measure=measure,
        place=draw(st.sampled_from(["LT", "LV", "PL"])),
        period_start=start,
        period_end=start + timedelta(days=draw(st.integers(0, 400))),
        # Counts, whole and within their measure's bound (domain.bounds), as sources report them.
        value=float(draw(st.integers(0, MOST_IN_ONE_FIGURE[measure]))),
        qualifier=draw(st.sampled_from(Qualifier)),
        source=Source(
            draw(st.sampled_from(SourceKind)),
            draw(cell_text.filter(bool)),
            draw(st.one_of(st.none(), cell_text.filter(bool))),
            draw(st.one_of(st.none(), st.sampled_from(["2021", "2021-07", "2021-07-04"]))),
        ),
        entered_by=draw(cell_text.filter(bool)),
        entered_at=factories.MOMENT,
        note=draw(cell_text),
    )


def export(engine: Engine, fmt: Format) -> bytes:
    buffer = io.BytesIO()
    exports.export_records(engine, RecordKind.FIGURES, fmt, buffer)
    return buffer.getvalue()


def clear(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in ("quarantine", "figures", "import_batches"):
            connection.execute(text(f"DELETE FROM {table}"))


def cells_of(workbook: bytes) -> list[list[str]]:
    source = read_xlsx(io.BytesIO(workbook))
    return [source.header] + [list(r.cells.values()) for r in source.rows]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(figures(), min_size=1, max_size=8))
def test_figures_survive_export_import_export_unchanged(
    engine: Engine, batch: list[ReportedFigure], tmp_path: Path
) -> None:
    clear(engine)
    rows = [exports.SCHEMAS[RecordKind.FIGURES].to_cells(f) for f in batch]
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        seed = factories.figures_file(Path(folder) / "seed.csv", rows)
        assert ingest.import_file(engine, seed, entered_by="t").committed
        for fmt in (Format.CSV, Format.HXL, Format.XLSX):
            first = export(engine, fmt)
            path = Path(folder) / f"out.{fmt.value}"
            path.write_bytes(first)
            second_db = make_engine(Settings(database_url=f"sqlite:///{folder}/{fmt.value}.db"))
            upgrade(second_db)
            report = ingest.import_file(second_db, path, entered_by="someone else")
            assert report.rejected == 0, report.rejections
            second = export(second_db, fmt)
            second_db.dispose()
            if fmt is Format.XLSX:
                assert cells_of(second) == cells_of(first)
            else:
                assert second == first
