"""One reconciled series as a chart: band, estimate, reported figures and alarms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import matplotlib.dates as mdates
from matplotlib.axes import Axes

from ..domain.alarms import Alarm, AlarmLevel
from ..domain.figures import ReportedFigure
from ..domain.measures import Nature
from ..domain.series import StoredSeries
from .svg import chart_style, new_figure, to_svg

# Greys and shapes carry the meaning so that a black-and-white print still reads; colour only
# tells the two alarm levels apart on screen (their shapes differ too).
BAND95 = "#e4e4e4"
BAND80 = "#c8c8c8"
INK = "#111111"
ALARM_FILL = {AlarmLevel.RED: "#c0392b", AlarmLevel.AMBER: "#f0b400"}
MAX_SPAN_DAYS = 31
ALARM_MARKER = {AlarmLevel.RED: "^", AlarmLevel.AMBER: "v"}


def series_svg(
    series: StoredSeries,
    figures: Sequence[ReportedFigure],
    alarms: Sequence[Alarm],
    *,
    start: date | None = None,
    end: date | None = None,
    width: int = 640,
    height: int = 240,
    title: str = "",
) -> str:
    """A self-contained SVG of the series between start and end (default: all of it)."""
    days = [
        d
        for d in series.days
        if (start is None or d.day >= start) and (end is None or d.day <= end)
    ]
    first = start or (days[0].day if days else _first_day(figures))
    last = end or (days[-1].day if days else _last_day(figures))
    label = series.measure.definition.label
    description = _describe(series, days, figures, alarms, first, last)
    with chart_style(f"{series.measure.value}|{series.place}|{first}|{last}|{title}"):
        figure = new_figure(width, height)
        axes = figure.add_axes((0.09, 0.14, 0.89, 0.74 if title else 0.80))
        if days:
            x = [_x(d.day) for d in days]
            axes.fill_between(
                x,
                [d.lower95 for d in days],
                [d.upper95 for d in days],
                color=BAND95,
                linewidth=0,
                label="95 % band",
                step=None,
            )
            axes.fill_between(
                x,
                [d.lower80 for d in days],
                [d.upper80 for d in days],
                color=BAND80,
                linewidth=0,
                label="80 % band",
            )
            axes.plot(x, [d.estimate for d in days], color=INK, linewidth=1.3, label="estimate")
        _plot_figures(axes, series.nature, figures, first, last)
        _plot_alarms(axes, alarms, first, last)
        if not days and not figures:
            axes.text(
                0.5,
                0.5,
                "no data for this period",
                transform=axes.transAxes,
                ha="center",
                va="center",
                color=INK,
            )
        _style_axes(axes, first, last, series.measure.definition.unit)
        if title:
            axes.set_title(title, loc="left", color=INK)
        handles, labels = axes.get_legend_handles_labels()
        if handles:
            axes.legend(
                handles,
                labels,
                loc="upper left",
                ncols=min(len(handles), 5),
                fontsize=7,
                handlelength=1.6,
                columnspacing=1.0,
                bbox_to_anchor=(0.0, 1.0),
            )
        return to_svg(
            figure, width=width, height=height, title=title or label, description=description
        )


def _x(day: date) -> float:
    """Matplotlib's day number: typed plotting calls take floats, not dates."""
    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]


def _first_day(figures: Sequence[ReportedFigure]) -> date:
    return min((f.period_start for f in figures), default=date.today())


def _last_day(figures: Sequence[ReportedFigure]) -> date:
    return max((f.period_end for f in figures), default=date.today())


def _plot_figures(
    axes: Axes, nature: Nature, figures: Sequence[ReportedFigure], first: date, last: date
) -> None:
    points_x: list[float] = []
    points_y: list[float] = []
    spans_drawn = False
    for figure in figures:
        if figure.period_end < first or figure.period_start > last:
            continue
        if figure.days == 1 or nature is Nature.STOCK:
            if first <= figure.period_end <= last:
                points_x.append(_x(figure.period_end))
                points_y.append(figure.value)
            continue
        # A total over several days is drawn as its daily average across its period, so that it
        # sits on the same scale as the daily estimate; a year's total would be a flat line near
        # zero that says nothing about the days, so only totals up to a month are drawn.
        if figure.days > MAX_SPAN_DAYS:
            continue
        lo, hi = max(figure.period_start, first), min(figure.period_end, last)
        axes.plot(
            [_x(lo), _x(hi + timedelta(days=1))],
            [figure.value / figure.days] * 2,
            color=INK,
            linewidth=0.8,
            linestyle=(0, (3, 2)),
            label=None if spans_drawn else "reported total, per day",
        )
        spans_drawn = True
    if points_x:
        axes.plot(
            points_x,
            points_y,
            linestyle="none",
            marker="o",
            markersize=3.5,
            markerfacecolor="white",
            markeredgecolor=INK,
            markeredgewidth=0.9,
            label="reported",
        )


def _plot_alarms(axes: Axes, alarms: Sequence[Alarm], first: date, last: date) -> None:
    for level in (AlarmLevel.RED, AlarmLevel.AMBER):
        chosen = [a for a in alarms if a.level is level and first <= a.day <= last]
        if chosen:
            axes.plot(
                [_x(a.day) for a in chosen],
                [a.observed for a in chosen],
                linestyle="none",
                marker=ALARM_MARKER[level],
                markersize=7,
                markerfacecolor=ALARM_FILL[level],
                markeredgecolor=INK,
                markeredgewidth=0.8,
                label=f"{level.value} alarm",
            )


def _style_axes(axes: Axes, first: date, last: date, unit: str) -> None:
    axes.set_xlim(_x(first), _x(last + timedelta(days=1)))
    axes.set_ylim(bottom=0)
    low, high = axes.get_ylim()
    # Headroom for the legend above the data.
    axes.set_ylim(low, high * 1.22 if high > 0 else 1)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.set_ylabel(f"{unit} per day", color=INK)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(colors=INK, labelsize=7)
    axes.grid(axis="y", color="#dddddd", linewidth=0.5)
    axes.set_axisbelow(True)


def _describe(
    series: StoredSeries,
    days: Sequence[object],
    figures: Sequence[ReportedFigure],
    alarms: Sequence[Alarm],
    first: date,
    last: date,
) -> str:
    shown_alarms = sum(1 for a in alarms if first <= a.day <= last)
    shown = sum(1 for f in figures if f.period_end >= first and f.period_start <= last)
    return (
        f"{series.measure.definition.label} at {series.place}, {first} to {last}: "
        f"reconciled daily estimate on {_count(len(days), 'day')} with 80 % and 95 % bands, "
        f"{_count(shown, 'reported figure')}, {_count(shown_alarms, 'alarm')}."
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
