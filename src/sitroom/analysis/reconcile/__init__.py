"""Reconcile reported figures into one daily series per measure and place.

Pure analysis: figures in, a ReconciledSeries out; no database, no web.
"""

from sitroom.analysis.reconcile.figures import ReportedFigure, SourceKind
from sitroom.analysis.reconcile.model import ModelSettings
from sitroom.analysis.reconcile.result import (
    Conflict,
    ConflictKind,
    DayMark,
    ReconciledSeries,
)
from sitroom.analysis.reconcile.series import reconcile

__all__ = [
    "Conflict",
    "ConflictKind",
    "DayMark",
    "ModelSettings",
    "ReconciledSeries",
    "ReportedFigure",
    "SourceKind",
    "reconcile",
]
