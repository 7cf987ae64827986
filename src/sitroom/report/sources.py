"""Numbering sources as the report cites them: one number per publication, first cited first."""

from __future__ import annotations

from collections.abc import Iterable

from ..domain.figures import ReportedFigure, format_value
from ..domain.sources import Source as FigureSource
from .model import Source


def _key(source: FigureSource) -> tuple[str, str, str, str]:
    return (source.kind.value, source.reference, source.organisation or "", source.published or "")


def describe(figure: ReportedFigure) -> str:
    period = (
        figure.period_end.isoformat()
        if figure.days == 1
        else f"{figure.period_start.isoformat()} to {figure.period_end.isoformat()}"
    )
    qualifier = "" if figure.qualifier.value == "exact" else f" ({figure.qualifier.value})"
    return (
        f"{figure.measure.definition.label}, {figure.place}, {period}: "
        f"{format_value(figure.value)}{qualifier}"
    )


class SourceBook:
    def __init__(self) -> None:
        self._numbers: dict[tuple[str, str, str, str], int] = {}
        self._sources: dict[int, FigureSource] = {}
        self._used: dict[int, dict[str, str]] = {}

    def cite(self, figures: Iterable[ReportedFigure]) -> tuple[int, ...]:
        """The numbers of the sources of these figures, in order, each once."""
        numbers: list[int] = []
        for figure in figures:
            key = _key(figure.source)
            number = self._numbers.get(key)
            if number is None:
                number = len(self._numbers) + 1
                self._numbers[key] = number
                self._sources[number] = figure.source
                self._used[number] = {}
            self._used[number].setdefault(figure.ref, describe(figure))
            if number not in numbers:
                numbers.append(number)
        return tuple(sorted(numbers))

    def cite_source(self, source: FigureSource, ref: str, description: str) -> int:
        """The number of a source that is not a figure's (an offer's, a request's)."""
        key = _key(source)
        number = self._numbers.get(key)
        if number is None:
            number = len(self._numbers) + 1
            self._numbers[key] = number
            self._sources[number] = source
            self._used[number] = {}
        self._used[number].setdefault(ref, description)
        return number

    def sources(self) -> list[Source]:
        return [
            Source(
                number=number,
                reference=source.reference,
                organisation=source.organisation,
                published=source.published,
                kind=source.kind.value,
                used=tuple(self._used[number].values()),
            )
            for number, source in sorted(self._sources.items())
        ]
