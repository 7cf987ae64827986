"""Benchmark the surge detectors on the synthetic daily scenarios, beside R surveillance.

    .venv/bin/python -m bench.detect.run [--quick] [--with-r] [--series 1000] [--no-timing]

(a) scores every method (the R configurations of the peer benchmark, plus ``border``) on the
    ``border`` and ``pointsource`` scenarios with the rules of the peer's score.py, and prints
    them beside R's figures (data/r_surveillance_reference.csv);
(b) times farringtonFlexible (b = 2) on the 50 x 3-year border series against R's 121.7 s;
(c) times every method on N synthetic series x 3 years made by resampling the benchmark series,
    spread over --workers processes with detect_many (default: every usable core).
--quick skips the slow daily Noufaily configuration (about 2 s per series).
--with-r also runs R's farringtonFlexible (needs Rscript with surveillance) and compares alarms.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
from bench.detect.common import DATA, EVAL_END, EVAL_START, Scenario, alarms_on_days, load_scenario
from bench.detect.score import Score, evaluate

from sitroom.analysis.detect.border import BorderControl, border_surge
from sitroom.analysis.detect.cusum import cusum
from sitroom.analysis.detect.ears import ears_c1, ears_c2, ears_c3
from sitroom.analysis.detect.farrington_flexible import (
    NOUFAILY,
    FlexibleControl,
    farrington_flexible,
)
from sitroom.analysis.detect.glrnb import glrnb
from sitroom.analysis.detect.many import detect_many, usable_cores
from sitroom.analysis.detect.registry import FF_DAY_OF_WEEK
from sitroom.analysis.detect.result import CountSeries, DetectionResult, Level

Runner = Callable[..., DetectionResult]


def _run_flexible(
    series: CountSeries, start: int, control: FlexibleControl, weekly_index: bool
) -> DetectionResult:
    if weekly_index:  # same weekday 1..12 weeks back: index arithmetic with freq 7
        series = dataclasses.replace(series, freq=7)
    return farrington_flexible(series, start=start, control=control)


def _flexible(control: FlexibleControl, weekly_index: bool = False) -> Runner:
    # a partial of a module-level function, not a closure: detect_many sends it to workers
    return partial(_run_flexible, control=control, weekly_index=weekly_index)


CONFIGS: dict[str, Runner] = {  # picklable runners, called as runner(series, start=start)
    "cusum_default": cusum,
    "ears_c1": ears_c1,
    "ears_c2": ears_c2,
    "ears_c3": ears_c3,
    "ff365_default_b2": _flexible(FlexibleControl(b=2)),
    "ff365_default_b2_a01": _flexible(FlexibleControl(b=2, alpha=0.01)),
    "ff365_noufaily_b2": _flexible(dataclasses.replace(NOUFAILY, b=2)),
    "ffdow_noufaily": _flexible(FF_DAY_OF_WEEK, weekly_index=True),
    "ffdow_noufaily_a01": _flexible(dataclasses.replace(FF_DAY_OF_WEEK, alpha=0.01), True),
    "glrnb_default": glrnb,
    "border": border_surge,
    # the same method with the red threshold at 4.0 instead of 4.5: the trade-off in the docs
    "border_red4": partial(border_surge, control=BorderControl(red_threshold=4.0)),
    # amber or red counted as an alarm: how early the early-warning level comes
    "border_amber": lambda s, start: _amber_as_alarm(border_surge(s, start=start)),
}
SLOW = {"ff365_noufaily_b2"}


def _amber_as_alarm(result: DetectionResult) -> DetectionResult:
    assert result.level is not None
    return dataclasses.replace(result, alarm=result.level >= Level.AMBER)
# one configuration per method for the many-series timing (the _a01 variants only change alpha)
TIMED = ["cusum_default", "ears_c1", "ears_c2", "ears_c3", "ff365_default_b2", "ffdow_noufaily",
         "glrnb_default", "border"]


def _read_reference() -> dict[tuple[str, str], dict[str, str]]:
    with (DATA / "r_surveillance_reference.csv").open(newline="") as fh:
        return {(r["scenario"], r["config"]): r for r in csv.DictReader(fh)}


def run_scenario(scenario: Scenario, runner: Runner) -> tuple[Score, float, dict[str, np.ndarray]]:
    """Score one configuration; the time returned is CPU seconds (robust to other jobs)."""
    start = scenario.start
    alarms: dict[str, np.ndarray] = {}
    began = time.process_time()
    for sid, series in scenario.series.items():
        alarms[sid] = alarms_on_days(runner(series, start=start), len(series))
    elapsed = time.process_time() - began
    score = evaluate(scenario.truth, alarms, int(EVAL_START.astype(np.int64)),
                     int(EVAL_END.astype(np.int64)))
    return score, elapsed, alarms


def _fmt(x: float, digits: int = 2) -> str:
    return "NA" if x != x else f"{x:.{digits}f}"


def score_table(configs: list[str]) -> dict[tuple[str, str], tuple[Score, float]]:
    reference = _read_reference()
    results: dict[tuple[str, str], tuple[Score, float]] = {}
    print("| scenario | method | sens | median delay (d) | FA/series-yr | PPV | CPU time (s) |"
          " R sens | R median delay | R FA/series-yr | R time (s) | same alarm counts as R |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in ("border", "pointsource"):
        scenario = load_scenario(name)
        for config in configs:
            score, elapsed, _ = run_scenario(scenario, CONFIGS[config])
            results[(name, config)] = (score, elapsed)
            ref = reference.get((name, config))
            if ref is None:
                r_cols = "- | - | - | - | (not an R method)"
            else:
                same = (int(ref["n_alarms"]) == score.alarms
                        and int(ref["false_alarms"]) == score.false_alarms
                        and int(ref["detected"]) == score.detected)
                r_cols = (f"{float(ref['sensitivity']):.2f} | {float(ref['delay_median']):g} | "
                          f"{float(ref['false_alarms_per_series_year']):.1f} | "
                          f"{float(ref['r_algo_time_s']):.1f} | {'yes' if same else 'NO'}")
            print(f"| {name} | {config} | {_fmt(score.sensitivity)} | {score.delay_median:g} | "
                  f"{_fmt(score.false_alarms_per_series_year, 1)} | {_fmt(score.ppv)} | "
                  f"{elapsed:.2f} | {r_cols} |")
    return results


def resampled_series(count: int, seed: int = 20240601) -> list[CountSeries]:
    """SYNTHETIC: each series is a 4-week block bootstrap of a random benchmark series.

    Blocks keep their weekday (starts move by whole weeks) and dates stay 2019-2021.
    """
    rng = np.random.default_rng(seed)
    pool = [s for name in ("border", "pointsource") for s in load_scenario(name).series.values()]
    out = []
    for _ in range(count):
        source = pool[int(rng.integers(len(pool)))]
        n = len(source)
        blocks = []
        for lo in range(0, n, 28):
            length = min(28, n - lo)
            shift = 7 * int(rng.integers(-8, 9))
            begin = int(np.clip(lo + shift, 0, n - length))
            begin -= (begin - lo) % 7
            blocks.append(source.counts[begin : begin + length])
        out.append(CountSeries.of(np.concatenate(blocks)[:n], dates=source.dates))
    return out


def time_many(count: int, configs: list[str], workers: int | None = None) -> None:
    """Time each method on ``count`` series with ``detect_many`` (``workers`` processes)."""
    series = resampled_series(count)
    start = int(np.searchsorted(series[0].dates, EVAL_START))  # type: ignore[arg-type]
    used = usable_cores() if workers is None else workers
    total_wall = total_cpu = 0.0
    load_start = os.getloadavg()
    print(f"\nTiming on {count} SYNTHETIC resampled series x 3 years (monitoring 2021) with "
          f"detect_many on {used} worker process(es); CPU s adds up this process and the "
          f"workers. Load average at start: {_load(load_start)}")
    print("| method | wall s | CPU s | CPU ms per series |")
    print("|---|---|---|---|")
    for config in configs:
        wall, cpu = time.perf_counter(), _cpu_with_children()
        detect_many(series, CONFIGS[config], start=start, workers=used)
        wall, cpu = time.perf_counter() - wall, _cpu_with_children() - cpu
        total_wall, total_cpu = total_wall + wall, total_cpu + cpu
        print(f"| {config} | {wall:.1f} | {cpu:.1f} | {1000 * cpu / count:.1f} |")
    print(f"| **all of the above** | **{total_wall:.1f}** | **{total_cpu:.1f}** | "
          f"{1000 * total_cpu / count:.1f} |")
    print(f"Load average at start: {_load(load_start)}; at end: {_load(os.getloadavg())} "
          f"({os.cpu_count()} cores)")


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its finished (waited-for) worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _load(avg: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in avg) + " (1 / 5 / 15 min)"


def compare_with_r(ours: dict[str, np.ndarray], scenario: Scenario) -> None:
    if shutil.which("Rscript") is None:
        print("\n--with-r: Rscript not found; skipped")
        return
    script = Path(__file__).resolve().parent / "r_farrington.R"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r_alarms.csv"
        done = subprocess.run(["Rscript", str(script), str(DATA / "sim_border.csv"), str(out)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print("\n--with-r: R failed (is r-cran-surveillance installed?)\n" + done.stderr[-500:])
            return
        print("\n" + done.stdout.strip())
        differ, worst = 0, 0.0
        bounds = {sid: _upper_bounds(series, scenario.start)
                  for sid, series in scenario.series.items()}
        with out.open(newline="") as fh:
            for row in csv.DictReader(fh):
                series = scenario.series[row["series"]]
                assert series.dates is not None
                day = int(np.searchsorted(series.dates, np.datetime64(row["date"], "D")))
                differ += int(ours[row["series"]][day] != (row["alarm"] == "1"))
                theirs = float("nan") if row["upperbound"] == "NA" else float(row["upperbound"])
                mine = bounds[row["series"]][day]
                if np.isfinite(theirs) and np.isfinite(mine) and theirs != 0.0:
                    worst = max(worst, abs(mine - theirs) / abs(theirs))
                elif np.isfinite(theirs) != np.isfinite(mine):
                    worst = float("inf")
        print(f"R vs Python farringtonFlexible (b=2) on the border scenario: {differ} differing "
              f"alarm days; largest relative difference of the upper bounds {worst:.1e}")


def _upper_bounds(series: CountSeries, start: int) -> np.ndarray:
    result = CONFIGS["ff365_default_b2"](series, start=start)
    out = np.full(len(series), np.nan)
    out[result.index] = result.upperbound
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the slow daily Noufaily config")
    ap.add_argument("--with-r", action="store_true", help="also run R farringtonFlexible")
    ap.add_argument("--series", type=int, default=1000, help="series for the timing run")
    ap.add_argument("--no-timing", action="store_true", help="skip the many-series timing")
    ap.add_argument("--timing-only", action="store_true", help="only the many-series timing")
    ap.add_argument("--only", help="comma-separated configurations to score")
    ap.add_argument("--workers", type=int, default=None,
                    help="processes for the timing run (default: every usable core)")
    o = ap.parse_args(argv)
    configs = [c for c in CONFIGS if not (o.quick and c in SLOW)]
    if o.only:
        configs = [c for c in o.only.split(",") if c in CONFIGS]
    if o.timing_only:
        time_many(o.series, TIMED, o.workers)
        return 0
    results = score_table(configs)
    if ("border", "ff365_default_b2") in results:
        ff_time = results[("border", "ff365_default_b2")][1]
        print(f"\nfarringtonFlexible b=2 on 50 x 3-year border series: {ff_time:.2f} s CPU "
              f"(R: 121.71 s, {121.71 / ff_time:.0f}x faster)")
    if o.with_r:
        scenario = load_scenario("border")
        _, _, ours = run_scenario(scenario, CONFIGS["ff365_default_b2"])
        compare_with_r(ours, scenario)
    if not o.no_timing:
        time_many(o.series, TIMED, o.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
