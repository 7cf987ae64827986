"""Time the column-at-a-time check of a large SYNTHETIC incidents CSV, with no database.

    .venv/bin/python bench/store/parse_columns.py                 # the 1M-row file
    .venv/bin/python bench/store/parse_columns.py --save out.pkl  # also keep what it decided

Times exactly what `ingest_columns.store_incidents` does per block before anything is stored:
`csv_blocks.blocks` reading the file and `ingest_columns._split` checking each block, with the
same inputs (the ten demo sections as the known ones, an `EntryContext` as `ingest` builds it).
Prints CPU seconds (`time.process_time`, all of this process's threads, so polars' own threads
count) and wall seconds. With `--save`, the rows stored the column way and the lines left to the
row parser are pickled, so two versions of the code can be compared for the same outcome.
The synthetic file is written first if it is missing (as make_incidents.py writes it).
"""

from __future__ import annotations

import argparse
import pickle
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from make_incidents import SECTIONS, default_path, write

from sitroom.interchange.csv_blocks import blocks
from sitroom.interchange.records.schema import EntryContext
from sitroom.services.ingest_columns import _split

# Fixed, so that saved outcomes of two runs compare equal (entries without a time get this one).
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, help="a CSV other than the synthetic one")
    parser.add_argument("--save", type=Path, help="pickle the stored rows and doubtful lines")
    args = parser.parse_args()
    path = args.file or default_path(args.rows)
    if not path.exists() and not args.file:
        write(path, args.rows, seed=2021)
    context = EntryContext(entered_by="bench", entered_at=NOW)
    sections = frozenset(SECTIONS)

    fast: list[pl.DataFrame] = []
    doubtful: list[tuple[object, ...]] = []
    cpu, wall = time.process_time(), time.perf_counter()
    with path.open("rb") as stream:
        header = stream.readline().decode("utf-8-sig").rstrip("\n").split(",")
        for block in blocks(stream, header):
            stored, rows = _split(block, header, context, sections)
            if args.save:
                fast.append(stored)
                doubtful += [(row.line, row.problem, *row.cells.items()) for row in rows]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{path.name}: cpu {cpu:.2f} s, wall {wall:.2f} s")
    if args.save:
        outcome = (pl.concat(fast), doubtful)
        args.save.write_bytes(pickle.dumps(outcome))
        print(f"saved {outcome[0].height} stored rows and {len(doubtful)} doubtful to {args.save}")


if __name__ == "__main__":
    main()
