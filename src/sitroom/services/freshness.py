"""How fresh the stored series are, for the pages, the API and the report: when the pipeline
last ran, the newest figure change it took in, and what still waits for it. Two queries."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.series import Freshness
from ..store.analysis_tables import SeriesRow
from ..store.pipeline_tables import PipelineRunRow, StaleSeriesRow
from .pipeline import MAX_ATTEMPTS


def freshness(session: Session) -> Freshness:
    computed_at, up_to = session.execute(
        select(func.max(PipelineRunRow.finished_at), func.max(PipelineRunRow.figures_up_to))
    ).one()
    if computed_at is None:
        # Series stored before the pipeline kept its record.
        computed_at = session.scalar(select(func.max(SeriesRow.computed_at)))
    waiting = (
        select(func.max(StaleSeriesRow.attempts).label("attempts"))
        .group_by(StaleSeriesRow.measure, StaleSeriesRow.place)
        .subquery()
    )
    failed = waiting.c.attempts >= MAX_ATTEMPTS
    counts = session.execute(select(failed, func.count()).group_by(failed)).all()
    by_state = {bool(failed): int(n) for failed, n in counts}
    return Freshness(computed_at, up_to, by_state.get(False, 0), by_state.get(True, 0))
