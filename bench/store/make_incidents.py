"""Write a SYNTHETIC incidents CSV in sitroom's import format, for the import benchmarks.

Every row is made up: sections, times, counts and nationalities are drawn from a seeded random
generator, so the same arguments always give the same file, byte for byte. Nothing here is a
real incident; the default file name says so.

    .venv/bin/python bench/store/make_incidents.py --rows 1000000
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sitroom.interchange.records.incidents import COLUMNS

OUT = Path(__file__).resolve().parents[1] / "out"

# The sections `sitroom demo` creates, so the rows pass the reference check.
SECTIONS = [f"LT-BY-{i}" for i in range(1, 5)] + ["LV-BY-1", "LV-BY-2"]
SECTIONS += [f"PL-BY-{i}" for i in range(1, 5)]
# Weighted towards what border guards report most, like the 2021 feeds.
CATEGORIES = (
    ["entry_prevented"] * 6
    + ["apprehension"] * 3
    + [
        "irregular_crossing_detected",
        "crossing_attempt",
        "facilitator_apprehended",
        "person_injured",
        "push_back_observed",
        "other",
    ]
)
NATIONALITIES = ["IQ", "SY", "AF", "IR", "CM", "CD", "TR", "LK", "YE", "RU"]
ORGANISATIONS = {
    "LT": "Synthetic LT border guard",
    "LV": "Synthetic LV border guard",
    "PL": "Synthetic PL border guard",
}
START = datetime(2021, 6, 1, tzinfo=UTC)


def default_path(rows: int) -> Path:
    return OUT / f"incidents_synthetic_{rows}.csv"


def write(path: Path, rows: int, seed: int) -> None:
    rnd = random.Random(seed)
    names = [c.name for c in COLUMNS]
    path.parent.mkdir(parents=True, exist_ok=True)
    # Spread over about five years so per-day indexes see realistic fan-out.
    span_minutes = 5 * 365 * 24 * 60
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        for n in range(rows):
            section = rnd.choice(SECTIONS)
            country = section[:2]
            # Border-guard feeds give local time; +03:00 is Minsk/Vilnius summer time.
            moment = START + timedelta(minutes=rnd.randrange(span_minutes))
            occurred = (moment + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M") + "+03:00"
            persons = rnd.choice((1, 1, 2, 3, 4, 5, 8, 12, 20, 35))
            minors = rnd.randrange(0, persons // 3 + 1)
            picked = rnd.sample(NATIONALITIES, rnd.randint(0, 3))
            left, parts = persons, []
            for code in picked:
                if left <= 0:
                    break
                count = rnd.randint(1, left)
                parts.append(f"{code}:{count}")
                left -= count
            with_point = rnd.random() < 0.3
            lon = f"{rnd.uniform(23.2, 28.0):.5f}" if with_point else ""
            lat = f"{rnd.uniform(52.0, 56.0):.5f}" if with_point else ""
            external = f"SYN-{country}-{n:08d}"
            row = {
                "ref": "",
                "external_ref": external,
                "occurred_at": occurred,
                "section": section,
                "lon": lon,
                "lat": lat,
                "category": rnd.choice(CATEGORIES),
                "persons": str(persons),
                "minors": str(minors),
                "nationalities": ";".join(parts),
                "description": "synthetic row" if rnd.random() < 0.2 else "",
                "status": "reported",
                "confidence": "medium",
                "source_kind": "official_feed",
                "source_organisation": ORGANISATIONS[country],
                "source_url": f"https://example.org/synthetic/{country.lower()}/{n // 1000}",
                "source_published": "",
                "entered_by": "",
                "entered_at": "",
            }
            writer.writerow([row[name] for name in names])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--out", type=Path, help="default: bench/out/incidents_synthetic_N.csv")
    args = parser.parse_args()
    path = args.out or default_path(args.rows)
    write(path, args.rows, args.seed)
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB, {args.rows} synthetic rows)")


if __name__ == "__main__":
    main()
