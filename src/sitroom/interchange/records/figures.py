"""Reported figures in files: one row per figure, sources inline."""

from __future__ import annotations

from datetime import date, datetime

from ...domain.bounds import MOST_IN_ONE_FIGURE, figure_limit
from ...domain.figures import ReportedFigure, format_value
from ...domain.measures import Measure, Qualifier
from ..table import CellKind, Column
from .cells import MAX_COUNT, CellReader
from .schema import EntryContext, RecordKind, RecordSchema

COLUMNS = [
    Column("ref", "#meta+id", description="sitroom's reference, derived from the content"),
    Column("measure", "#indicator+name", required=True),
    Column("place", "#loc+code", required=True, description="country code, section or site id"),
    Column("period_start", "#date+start", required=True),
    Column("period_end", "#date+end", description="empty for a one-day period"),
    Column("value", "#indicator+num", required=True, kind=CellKind.NUMBER),
    Column("qualifier", "#meta+qualifier", required=True),
    Column("source_kind", "#meta+source+type", required=True),
    Column("source_organisation", "#org+source"),
    Column("source_url", "#meta+source+url", required=True),
    Column("source_published", "#date+published"),
    Column("corrects", "#meta+corrects", description="ref of the figure this one corrects"),
    Column("entered_by", "#contact+entered"),
    Column("entered_at", "#date+entered"),
    Column("note", "#description"),
]


def parse_figure(cells: dict[str, str], context: EntryContext) -> ReportedFigure:
    row = CellReader(cells, context.dates)
    measure = row.choice("measure", Measure)
    place = row.text("place", required=True, max_length=64).upper()
    start = row.day("period_start")
    end = row.day("period_end", required=False) if row.text("period_end") else start
    if start != date.min and end != date.min and end < start:
        row.fail("period_end", f"the period ends ({end}) before it starts ({start})")
    # An unknown measure is named on its own; the value is then held to the widest limit.
    most = MOST_IN_ONE_FIGURE.get(measure, 0) if "measure" not in row.errors else MAX_COUNT
    value = float(row.integer("value", required=True, most=most, limit=figure_limit(measure)))
    qualifier = row.choice("qualifier", Qualifier)
    source = row.source()
    entered_at = context.entered_at
    if row.text("entered_at"):
        entered_at = row.moment("entered_at")
    entered_by = row.text("entered_by", max_length=120) or context.entered_by
    corrects = row.optional("corrects")
    note = row.text("note")
    row.done()
    assert source is not None  # done() raised if the source was incomplete
    return ReportedFigure(
        measure=measure,
        place=place,
        period_start=start,
        period_end=end,
        value=value,
        qualifier=qualifier,
        source=source,
        entered_by=entered_by,
        entered_at=entered_at,
        corrects=corrects,
        note=note,
    )


def figure_cells(figure: ReportedFigure) -> dict[str, str]:
    return {
        "ref": figure.ref,
        "measure": figure.measure.value,
        "place": figure.place,
        "period_start": figure.period_start.isoformat(),
        "period_end": figure.period_end.isoformat(),
        "value": format_value(figure.value),
        "qualifier": figure.qualifier.value,
        "source_kind": figure.source.kind.value,
        "source_organisation": figure.source.organisation or "",
        "source_url": figure.source.reference,
        "source_published": figure.source.published or "",
        "corrects": figure.corrects or "",
        "entered_by": figure.entered_by,
        "entered_at": format_moment(figure.entered_at),
        "note": figure.note,
    }


def format_moment(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


FIGURES = RecordSchema(RecordKind.FIGURES, COLUMNS, parse_figure, figure_cells)
