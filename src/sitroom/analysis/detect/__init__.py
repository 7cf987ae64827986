"""Surge detection on count series: ports of R ``surveillance`` methods and a border method.

Pick a method by name with ``get_detector`` (see ``DETECTORS``); every detector takes a
``CountSeries`` and returns a ``DetectionResult``. Many series are spread over processes by
the pipeline's workers (services.queue), one series group per job. See docs/detection.md.
"""

from sitroom.analysis.detect.registry import DETECTORS, get_detector
from sitroom.analysis.detect.result import (
    CountSeries,
    DetectionResult,
    Detector,
    Level,
    Status,
)

__all__ = [
    "DETECTORS",
    "CountSeries",
    "DetectionResult",
    "Detector",
    "Level",
    "Status",
    "get_detector",
]
