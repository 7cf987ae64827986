"""Places as CAP 1.2 areas: closed polygons of "lat,lon" points, or geocodes.

A border section becomes a corridor around its line: the line is simplified, then every
segment becomes a capsule (the segment buffered by `half_width_km`, with round ends) and the
area holds one polygon per segment. CAP reads the polygons of one area as their union, so the
area is the corridor itself; a single polygon would either need a hull (covering much of the
country inside a bend) or an offset outline (which folds over itself at sharp bends).

A country becomes its simplified Natural Earth outline (exterior rings; islands too small to
survive the simplification are dropped), or, for a country sitroom has no outline of, a
geocode `ISO3166-1` with its alpha-2 code.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from sitroom.domain.countries import country_code, country_name
from sitroom.domain.places import BorderSection

OUTLINES = resources.files("sitroom") / "data" / "geo" / "countries_10m_LT_LV_PL_EE_BY.geojson"

# The outline file names countries by alpha-3 code only.
_ALPHA3 = {"BY": "BLR", "EE": "EST", "LT": "LTU", "LV": "LVA", "PL": "POL"}

LatLon = tuple[float, float]
Ring = tuple[LatLon, ...]

_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON_EQUATOR = 111.320
_ARC_POINTS = 7  # per half circle: about 30° steps, a few hundred metres off a 5 km circle
_DECIMALS = 4  # about 11 m, far finer than any corridor or outline here


@dataclass(frozen=True, slots=True)
class CapArea:
    """One CAP `<area>`: polygons are rings of (lat, lon) — CAP's order, not GeoJSON's —
    closed (first = last) with at least four points; geocodes are (valueName, value)."""

    desc: str
    polygons: tuple[Ring, ...] = ()
    geocodes: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.desc.strip():
            raise ValueError("a CAP area needs a description (areaDesc)")
        for ring in self.polygons:
            problem = ring_problem(ring)
            if problem:
                raise ValueError(f"CAP polygon: {problem}")


def ring_problem(ring: Sequence[LatLon]) -> str | None:
    """What makes `ring` unacceptable as a CAP polygon, or None."""
    if len(ring) < 4:
        return f"has {len(ring)} points; CAP needs at least 4"
    if tuple(ring[0]) != tuple(ring[-1]):
        return "is not closed: its first and last points differ"
    for lat, lon in ring:
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return f"point {lat},{lon} is outside lat -90..90 / lon -180..180"
    return None


def area_for_section(section: BorderSection, *, half_width_km: float = 5.0) -> CapArea:
    """A corridor `2 * half_width_km` wide along the section's line; a section with no line
    falls back to its country's geocode (a whole-country polygon would overstate the area)."""
    if half_width_km <= 0:
        raise ValueError("the corridor's half width must be positive")
    desc = f"{section.name} ({section.id})"
    if not section.line:
        return CapArea(desc, geocodes=(("ISO3166-1", section.country),))
    lat0 = sum(lat for _, lat in section.line) / len(section.line)
    proj = _Projection(lat0)
    xy = [proj.forward(lon, lat) for lon, lat in section.line]
    # Simplifying within a fifth of the half width keeps the original line well inside.
    kept = _simplify(xy, half_width_km / 5.0)
    segments = [(a, b) for a, b in itertools.pairwise(kept) if a != b] or [(kept[0], kept[0])]
    polygons = tuple(_ring(proj, _capsule(a, b, half_width_km)) for a, b in segments)
    return CapArea(desc, polygons=polygons)


def area_for_country(code: str, *, tolerance_km: float = 2.0) -> CapArea:
    """The country's outline simplified within `tolerance_km`, or its ISO 3166-1 geocode."""
    code = country_code(code)
    rings = _outlines().get(code)
    if not rings:
        return CapArea(country_name(code), geocodes=(("ISO3166-1", code),))
    polygons: list[Ring] = []
    for ring in rings:
        lat0 = sum(lat for _, lat in ring) / len(ring)
        proj = _Projection(lat0)
        kept = _simplify([proj.forward(lon, lat) for lon, lat in ring], tolerance_km)
        if len(set(kept)) >= 3:
            polygons.append(_ring(proj, kept))
    return CapArea(country_name(code), polygons=tuple(polygons))


@functools.cache
def _outlines() -> dict[str, list[list[tuple[float, float]]]]:
    """Exterior rings, as (lon, lat), per alpha-2 code; CAP polygons have no holes, and a hole
    left out only widens the area."""
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    by_alpha3 = {v: k for k, v in _ALPHA3.items()}
    out: dict[str, list[list[tuple[float, float]]]] = {}
    for feature in data["features"]:
        code = by_alpha3.get(feature["properties"].get("iso3", ""))
        if code is None:
            continue
        geometry = feature["geometry"]
        polys = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        out[code] = [[(float(p[0]), float(p[1])) for p in poly[0]] for poly in polys]
    return out


class _Projection:
    """Equirectangular kilometres around one latitude: good to well under 1% across a
    border section or a Baltic country, and needs nothing beyond `math`."""

    def __init__(self, lat0: float) -> None:
        # Clamped so a line near a pole does not divide by zero.
        self.kx = _KM_PER_DEG_LON_EQUATOR * max(math.cos(math.radians(lat0)), 0.01)

    def forward(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon * self.kx, lat * _KM_PER_DEG_LAT)

    def inverse(self, x: float, y: float) -> LatLon:
        lat = min(max(y / _KM_PER_DEG_LAT, -90.0), 90.0)
        lon = min(max(x / self.kx, -180.0), 180.0)
        return (round(lat, _DECIMALS), round(lon, _DECIMALS))


def _ring(proj: _Projection, xy: Sequence[tuple[float, float]]) -> Ring:
    points = [proj.inverse(x, y) for x, y in xy]
    # Rounding can merge neighbours; repeated points are harmless but waste bytes.
    deduped = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if deduped[0] != deduped[-1]:
        deduped.append(deduped[0])
    return tuple(deduped)


def _capsule(a: tuple[float, float], b: tuple[float, float], r: float) -> list[tuple[float, float]]:
    """Segment a→b buffered by r: a half circle round b, then one round a, closed."""
    heading = math.atan2(b[1] - a[1], b[0] - a[0]) if a != b else 0.0
    points: list[tuple[float, float]] = []
    for centre, start in ((b, heading - math.pi / 2), (a, heading + math.pi / 2)):
        for i in range(_ARC_POINTS):
            angle = start + math.pi * i / (_ARC_POINTS - 1)
            points.append((centre[0] + r * math.cos(angle), centre[1] + r * math.sin(angle)))
    points.append(points[0])
    return points


def _simplify(points: Sequence[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker, iterative so a long outline cannot exhaust the recursion limit."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, worst_at = 0.0, -1
        for i in range(first + 1, last):
            d = _distance_to_segment(points[i], points[first], points[last])
            if d > worst:
                worst, worst_at = d, i
        if worst > tolerance:
            keep[worst_at] = True
            stack += [(first, worst_at), (worst_at, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _distance_to_segment(
    p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = (
        0.0
        if length2 == 0
        else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    )
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)
