"""Reconciliation benchmarks: `python bench/reconcile/run.py heldout|italy|speed|stockflow|all`.

Run with one BLAS thread for the one-core figure:
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 .venv/bin/python bench/reconcile/run.py all
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import belarus
import heldout
import italy
import speed
import stockflow

from sitroom.analysis.reconcile import ModelSettings


def _show(title: str, figures: dict[str, float]) -> None:
    print(f"== {title}")
    for key, value in figures.items():
        print(f"  {key:28s} {value:12.4g}")


def run_heldout(verbose: bool) -> None:
    series = belarus.load()
    results = heldout.held_out(series, ModelSettings())
    _show("held-out one-day figures, Belarus border 2021 (real)", heldout.summarise(results))
    pinned = [r for r in results if r.pinned]
    if pinned:
        _show("  ... only days inside an exact total of <= 31 days", heldout.summarise(pinned))
    interior = [r for r in results if r.interior]
    _show("  ... only days with known days on both sides", heldout.summarise(interior))
    if verbose:
        for r in results:
            print(
                f"  {r.series:28s} {r.figure_id:5s} truth {r.truth:6.0f} model "
                f"{r.model:7.1f} linear {r.linear:7.1f} in80 {r.inside80!s:5s} "
                f"in95 {r.inside95!s:5s} pinned {r.pinned!s:5s} interior {r.interior}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("which", choices=["heldout", "italy", "speed", "stockflow", "all"])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if args.which in ("heldout", "all"):
        run_heldout(args.verbose)
    if args.which in ("italy", "all"):
        _show("Italy daily sea landings 2019-2025, thinned (real)", italy.score(ModelSettings()))
    if args.which in ("stockflow", "all"):
        _show("stock and flows tied, 20 simulated reception sites (synthetic)", stockflow.score())
        _show(
            "  ... with departures reported per 30 days", stockflow.score(departures_reported=True)
        )
    if args.which in ("speed", "all"):
        _show(f"speed, {args.series} five-year series (synthetic)", speed.time_many(args.series))


if __name__ == "__main__":
    main()
