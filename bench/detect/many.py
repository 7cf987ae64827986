"""Run one detector on many series, optionally on several processes: what the detection
benchmark times. The situation room itself spreads series over processes with its pipeline
workers (services.queue), one series group per job, so this lives with the benchmark."""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from sitroom.analysis.detect.registry import get_detector
from sitroom.analysis.detect.result import CountSeries, DetectionResult, Detector


def _batch(
    chunk: Sequence[CountSeries], detector: str | Detector, start: int | None
) -> list[DetectionResult]:
    """The detector on each series of a chunk, in order (runs in a worker process)."""
    run = get_detector(detector) if isinstance(detector, str) else detector
    return [run(series, start=start) for series in chunk]


def usable_cores() -> int:
    """The cores this process may run on (what ``workers=None`` uses)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def detect_many(
    series: Sequence[CountSeries],
    detector: str | Detector,
    *,
    start: int | None = None,
    workers: int | None = None,
) -> list[DetectionResult]:
    """``detector(s, start=start)`` for each series, in order.

    ``detector`` is a registry name (see ``registry.DETECTORS``) or a picklable callable (a
    module-level function or a ``functools.partial`` of one); the registry's own closures
    are not picklable, so pass their names. ``workers`` is the number of processes: None uses
    every usable core, 1 runs here. Each series is independent and every detector is
    deterministic, so the results are the same whatever ``workers`` is; more workers only
    share out the time.
    """
    workers = usable_cores() if workers is None else max(1, workers)
    job = partial(_batch, detector=detector, start=start)
    size = max(1, -(-len(series) // (4 * workers)))  # 4 chunks per worker: even finish
    chunks = [series[i : i + size] for i in range(0, len(series), size)]
    if workers <= 1 or len(chunks) < 2:
        return job(series)
    if not isinstance(detector, str):
        try:
            pickle.dumps(detector)
        except (pickle.PicklingError, AttributeError, TypeError) as exc:
            raise TypeError(
                f"detector {detector!r} cannot be sent to worker processes; pass a registry "
                "name or a module-level function"
            ) from exc
    with ProcessPoolExecutor(max_workers=min(workers, len(chunks))) as pool:
        return [result for done in pool.map(job, chunks) for result in done]
