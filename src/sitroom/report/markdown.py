"""The report as Markdown for chat tools: highlights, key figures, alarms and sources; no
charts (chat tools do not show inline SVG)."""

from __future__ import annotations

import re

from .model import Number, Report
from .wording import count, day, span

# Brackets open links and images; the backslash would undo an escape. Emphasis characters
# stay as typed: at worst they change how a name looks, and URLs are full of underscores.
_MARKUP = re.compile(r"[\\\[\]]")


def _text(value: str) -> str:
    """Words that came from a source (its name, its URL, a place's name) as text: Markdown
    renderers pass raw HTML through, so `<script>` or a `[link](javascript:…)` typed into a
    source field would run or link in whatever shows the report. Line breaks would start new
    blocks (a heading, a table row) and become spaces."""
    flat = " ".join(value.split())
    html = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKUP.sub(lambda m: "\\" + m.group(0), html)


def _cite(numbers: tuple[int, ...]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def _number(number: Number | None, empty: str = "no figure") -> str:
    if number is None:
        return empty
    text = f"{number.qualifier + ' ' if number.qualifier else ''}{count(number.value)}"
    text += "*" if number.derived else ""
    if number.change is not None:
        text += f" ({number.change.text})"
    return f"{text} {_cite(number.citations)}".strip()


def _opt(value: float | None) -> str:
    return "—" if value is None else count(value)


def render_markdown(report: Report) -> str:
    t = report.title
    lines = [
        f"# {t.title}",
        "",
        f"**{day(t.day)}** · period {span(t.period_start, t.period_end)} · "
        f"issued by {_text(t.issued_by)}",
        "",
        "## Highlights",
        "",
    ]
    lines += [f"- {_text(s.text)} {_cite(s.citations)}".rstrip() for s in report.highlights]
    lines += [f"- {_text(m)}" for m in report.missing]
    lines += ["", "## Key figures", "", "\\* derived: estimated by the reconciled series.", ""]
    for country in report.countries:
        lines += [f"### {_text(country.name)}", ""]
        if country.key_figures:
            lines += ["| measure | day | last 7 days | year |", "|---|---:|---:|---:|"]
            for k in country.key_figures:
                year = _number(k.year, "—")
                if k.year is not None and k.year_label != "year to date":
                    year += f" ({k.year_label})"
                lines.append(
                    f"| {k.measure.definition.label} | {_number(k.latest)} | "
                    f"{_number(k.week, '—')} | {year} |"
                )
            lines.append("")
        lines += [f"> {_text(m)}" for m in country.missing]
        lines.append("")
    lines += ["## Alarms", ""]
    lines += [
        f"- {a.day} {_text(a.place_name or a.place)}: {a.level.value} alarm, "
        f"{a.measure.definition.label}, {count(a.observed)} against {count(a.expected)} expected "
        f"({a.state}) {_cite(a.citations)}".rstrip()
        for a in report.alarms
    ] or ["- none"]
    lines += ["", "## Assistance", ""]
    for a in report.assistance:
        lines += [
            f"### {a.name}",
            "",
            f"{a.offers} offers standing, {a.offers_delivered} delivered, "
            f"{count(a.value_eur)} EUR pledged.",
            "",
            "| request | item | asked | offered | accepted, on the way | delivered | uncovered "
            "| sources |",
            "|---|---|---:|---:|---:|---:|---:|---|",
        ]
        lines += [
            f"| {x.request} | {x.item} ({x.unit}) | {_opt(x.asked)} | {count(x.offered)} | "
            f"{count(x.committed)} | {count(x.delivered)} | {_opt(x.uncovered)} | "
            f"{_cite(x.citations)} |"
            for x in a.lines
        ]
        lines.append("")
    if not report.assistance:
        lines.append("- none")
    lines += ["", "## Sources", ""]
    lines += [
        f"{s.number}. {_text(s.organisation) + ', ' if s.organisation else ''}"
        f"{_text(s.reference)}{' (' + _text(s.published) + ')' if s.published else ''}"
        for s in report.sources
    ] or ["none"]
    return "\n".join(lines) + "\n"
