"""Reconcile reported figures into one daily series per measure and place.

Pure analysis: figures in, a ReconciledSeries out; no database, no web.
"""

from sitroom.analysis.reconcile.figures import (
    FIELD_RANK,
    OFFICIAL_RANK,
    PRESS_RANK,
    Figure,
)
from sitroom.analysis.reconcile.hierarchy import UNATTRIBUTED, HierarchySeries, reconcile_hierarchy
from sitroom.analysis.reconcile.model import ModelSettings
from sitroom.analysis.reconcile.result import (
    Conflict,
    ConflictKind,
    DayMark,
    ReconciledSeries,
)
from sitroom.analysis.reconcile.series import reconcile
from sitroom.analysis.reconcile.stockflow import StockFlowSeries, reconcile_stock_flow

__all__ = [
    "FIELD_RANK",
    "OFFICIAL_RANK",
    "PRESS_RANK",
    "UNATTRIBUTED",
    "Conflict",
    "ConflictKind",
    "DayMark",
    "Figure",
    "HierarchySeries",
    "ModelSettings",
    "ReconciledSeries",
    "StockFlowSeries",
    "reconcile",
    "reconcile_hierarchy",
    "reconcile_stock_flow",
]
