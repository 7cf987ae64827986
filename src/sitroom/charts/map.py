"""A small static map for the report: countries, border sections by alarm level, and reception
sites sized by how many people they hold."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.lines import Line2D

from ..domain.alarms import AlarmLevel
from ..domain.countries import country_name
from ..domain.places import BorderSection
from .series import ALARM_FILL, INK
from .svg import chart_style, new_figure, to_svg

_ISO3 = {"BLR": "BY", "LTU": "LT", "LVA": "LV", "EST": "EE", "POL": "PL"}
Ring = tuple[tuple[float, float], ...]
LineStyle = Literal["solid"] | tuple[float, tuple[float, float]]


@dataclass(frozen=True, slots=True)
class MapSite:
    name: str
    lon: float
    lat: float
    occupancy: float | None
    capacity: float | None

    @property
    def over_capacity(self) -> bool:
        return bool(self.capacity and self.occupancy is not None and self.occupancy > self.capacity)


@lru_cache(maxsize=1)
def country_rings() -> dict[str, tuple[Ring, ...]]:
    """Outer rings of the bundled country polygons by ISO alpha-2 code; holes are left out
    (at this scale they are invisible)."""
    path = resources.files("sitroom.data").joinpath("geo/countries_10m_LT_LV_PL_EE_BY.geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    rings: dict[str, tuple[Ring, ...]] = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        code = _ISO3.get(feature["properties"]["iso3"], feature["properties"]["iso3"])
        rings[code] = tuple(_thin(polygon[0]) for polygon in polygons)
    return rings


def _thin(ring: list[list[float]], step: float = 0.02) -> Ring:
    """Drop points closer than `step` degrees to the last one kept: a report map is a few
    hundred points wide, and the full coastline makes the PDF slow to draw."""
    kept = [(ring[0][0], ring[0][1])]
    for x, y in ring[1:]:
        if abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= step:
            kept.append((x, y))
    kept.append((ring[-1][0], ring[-1][1]))
    return tuple(kept)


def map_svg(
    sections: Sequence[BorderSection],
    sites: Sequence[MapSite],
    *,
    levels: Mapping[str, AlarmLevel] | None = None,
    countries: Sequence[str] = (),
    width: int = 420,
    height: int = 340,
    title: str = "",
) -> str:
    """Countries in `countries` are drawn white and named, the others grey; a section is drawn
    thick and dashed when its level is amber, thick and solid when red."""
    levels = levels or {}
    rings = country_rings()
    focus = [c for c in countries if c in rings] or list(rings)
    # Frame the border sections and sites when there are any: the whole of Poland would leave
    # the border a thin line.
    # A section may come without its line: frame what has coordinates.
    drawn = any(s.line for s in sections) or bool(sites)
    around = [] if drawn else [r for c in focus for r in rings[c]]
    west, east, south, north = _extent(around, sections, sites)
    description = (
        f"Map of {', '.join(country_name(c) for c in focus)}: {len(sections)} border sections, "
        f"{sum(1 for s in levels.values() if s)} with alarms; {len(sites)} reception sites."
    )
    # The map keeps the region's shape: `width` and `height` bound it, and one of them shrinks.
    shape = (east - west) * math.cos(math.radians((south + north) / 2)) / (north - south)
    top = 0.93 if title else 1.0
    width, height = (
        (width, max(120, round(width / shape / top)))
        if width / (height * top) < shape
        else (max(120, round(height * top * shape)), height)
    )
    with chart_style(f"map|{'|'.join(focus)}|{title}"):
        figure = new_figure(width, height)
        axes = figure.add_axes((0.0, 0.0, 1.0, top))
        for code, country in rings.items():
            inside = code in focus
            axes.add_collection(
                PolyCollection(
                    [list(r) for r in country],
                    facecolors="white" if inside else "#e3e3e3",
                    edgecolors=INK if inside else "#8a8a8a",
                    linewidths=0.6,
                )
            )
        _draw_sections(axes, sections, levels)
        _draw_sites(axes, sites)
        for code in focus:
            lon, lat = _label_point(rings[code], west, east, south, north)
            axes.text(
                lon,
                lat,
                country_name(code),
                ha="center",
                va="center",
                fontsize=8,
                color="#444444",
                style="italic",
            )
        axes.set_xlim(west, east)
        axes.set_ylim(south, north)
        axes.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
        axes.set_axis_off()
        if title:
            figure.suptitle(title, x=0.01, y=0.99, ha="left", va="top", fontsize=9)
        axes.legend(
            handles=_legend(),
            loc="lower left",
            fontsize=6.5,
            framealpha=0.9,
            frameon=True,
            edgecolor="#999999",
        )
        return to_svg(
            figure, width=width, height=height, title=title or "Map", description=description
        )


def _extent(
    rings: Sequence[Ring], sections: Sequence[BorderSection], sites: Sequence[MapSite]
) -> tuple[float, float, float, float]:
    xs = [x for r in rings for x, _ in r] + [x for s in sections for x, _ in s.line]
    xs += [s.lon for s in sites]
    ys = [y for r in rings for _, y in r] + [y for s in sections for _, y in s.line]
    ys += [s.lat for s in sites]
    pad_x, pad_y = max((max(xs) - min(xs)) * 0.08, 0.8), max((max(ys) - min(ys)) * 0.08, 0.5)
    return min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y


def _label_point(
    rings: Sequence[Ring], west: float, east: float, south: float, north: float
) -> tuple[float, float]:
    """The centre of the largest ring's bounding box, kept inside the map."""
    ring = max(rings, key=len)
    lon = (min(x for x, _ in ring) + max(x for x, _ in ring)) / 2
    lat = (min(y for _, y in ring) + max(y for _, y in ring)) / 2
    return min(max(lon, west + 1), east - 1), min(max(lat, south + 0.3), north - 0.3)


def _draw_sections(
    axes: Axes, sections: Sequence[BorderSection], levels: Mapping[str, AlarmLevel]
) -> None:
    styles: dict[AlarmLevel | None, tuple[str, float, LineStyle]] = {
        None: ("#333333", 1.4, "solid"),
        AlarmLevel.AMBER: (ALARM_FILL[AlarmLevel.AMBER], 3.2, (0, (3, 1.5))),
        AlarmLevel.RED: (ALARM_FILL[AlarmLevel.RED], 3.6, "solid"),
    }
    for level, (colour, width, style) in styles.items():
        lines = [list(s.line) for s in sections if levels.get(s.id) is level and s.line]
        if lines:
            axes.add_collection(
                LineCollection(lines, colors=colour, linewidths=width, linestyles=style)
            )


def _draw_sites(axes: Axes, sites: Sequence[MapSite]) -> None:
    for site in sites:
        people = site.occupancy if site.occupancy is not None else site.capacity or 0
        size = 12 + 2.2 * math.sqrt(people)
        fill = "#111111" if site.over_capacity else ("#9a9a9a" if site.occupancy else "white")
        axes.scatter(
            [site.lon], [site.lat], s=size, c=fill, edgecolors=INK, linewidths=0.7, zorder=3
        )


def _legend() -> list[Line2D]:
    def line(label: str, colour: str, width: float, style: LineStyle) -> Line2D:
        return Line2D([], [], color=colour, linewidth=width, linestyle=style, label=label)

    def dot(label: str, fill: str) -> Line2D:
        return Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=6,
            markerfacecolor=fill,
            markeredgecolor=INK,
            label=label,
        )

    return [
        line("border section", "#333333", 1.4, "solid"),
        line("amber alarm", ALARM_FILL[AlarmLevel.AMBER], 3.2, (0, (3, 1.5))),
        line("red alarm", ALARM_FILL[AlarmLevel.RED], 3.6, "solid"),
        dot("site over capacity", "#111111"),
        dot("site, occupancy known", "#9a9a9a"),
        dot("site, occupancy unknown", "white"),
    ]
