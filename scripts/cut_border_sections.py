"""Cut the Belarus border line into sections along each neighbour; writes sections.csv.

Natural Earth's 1:10m line is simplified, so the cut is approximate: sections are equal
stretches of that line, not the border guards' administrative sections. Run from the repo:
    .venv/bin/python scripts/cut_border_sections.py
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "src" / "sitroom" / "data"
NEIGHBOURS = {"LTU": "LT", "LVA": "LV", "POL": "PL"}
SECTIONS_PER_COUNTRY = {"LT": 4, "LV": 2, "PL": 4}
COUNTRY_NAMES = {"LT": "Lithuania", "LV": "Latvia", "PL": "Poland"}


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[1] + b[1]) / 2)
    dx = math.radians(b[0] - a[0]) * math.cos(lat)
    dy = math.radians(b[1] - a[1])
    return 6371.0 * math.hypot(dx, dy)


def _vertices(geometry: dict[str, object]) -> set[tuple[float, float]]:
    coords = geometry["coordinates"]
    polygons = coords if geometry["type"] == "MultiPolygon" else [coords]
    return {(round(p[0], 6), round(p[1], 6)) for poly in polygons for ring in poly for p in ring}


def _owner(point: tuple[float, float], owners: dict[str, set[tuple[float, float]]]) -> str | None:
    key = (round(point[0], 6), round(point[1], 6))
    return next((code for code, vertices in owners.items() if key in vertices), None)


def _split(line: list[tuple[float, float]], parts: int) -> list[list[tuple[float, float]]]:
    total = sum(_km(a, b) for a, b in itertools.pairwise(line))
    pieces: list[list[tuple[float, float]]] = [[line[0]]]
    walked = 0.0
    for a, b in itertools.pairwise(line):
        walked += _km(a, b)
        pieces[-1].append(b)
        if walked >= total * len(pieces) / parts and len(pieces) < parts:
            pieces.append([b])
    return pieces


def main() -> None:
    countries = json.loads((DATA / "geo" / "countries_10m_LT_LV_PL_EE_BY.geojson").read_text())
    owners = {
        NEIGHBOURS[f["properties"]["iso3"]]: _vertices(f["geometry"])
        for f in countries["features"]
        if f["properties"]["iso3"] in NEIGHBOURS
    }
    border = json.loads((DATA / "geo" / "belarus_border_lines_10m.geojson").read_text())
    runs: dict[str, list[list[tuple[float, float]]]] = {code: [] for code in owners}
    for part in border["geometry"]["coordinates"]:
        current: str | None = None
        for raw in part:
            point = (raw[0], raw[1])
            owner = _owner(point, owners)
            if owner is None:
                continue
            if owner != current:
                runs[owner].append([])
                current = owner
            runs[owner][-1].append(point)
    out = DATA / "belarus_2021" / "sections.csv"
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "country", "neighbour", "name", "length_km", "line"])
        for code, pieces in sorted(runs.items()):
            line = max(pieces, key=len)  # the border proper; stray shared points are dropped
            for number, piece in enumerate(_split(line, SECTIONS_PER_COUNTRY[code]), start=1):
                length = sum(_km(a, b) for a, b in itertools.pairwise(piece))
                name = f"{COUNTRY_NAMES[code]}–Belarus border, stretch {number} of "
                name += str(SECTIONS_PER_COUNTRY[code])
                coords = [[round(x, 5), round(y, 5)] for x, y in piece]
                writer.writerow(
                    [f"{code}-BY-{number}", code, "BY", name, f"{length:.1f}", json.dumps(coords)]
                )


if __name__ == "__main__":
    main()
