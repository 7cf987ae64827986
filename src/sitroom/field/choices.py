"""The choice lists the field forms read, as the CSV files Collect keeps beside a form
(`name,label` per line). Lists that come from the vocabulary are built here; lists of places
are filled by the caller from what the user may see."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from ..domain.incidents import IncidentCategory
from ..domain.measures import MEASURE_DEFINITIONS, Qualifier

_QUALIFIER_LABELS = {
    Qualifier.EXACT: "exactly",
    Qualifier.APPROX: "about",
    Qualifier.ROUNDED: "rounded",
    Qualifier.AT_LEAST: "at least",
    Qualifier.AT_MOST: "at most",
    Qualifier.PARTIAL: "partial count",
}


def choices_csv(choices: Iterable[tuple[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "label"])
    writer.writerows(choices)
    return out.getvalue().encode()


def vocabulary_lists() -> dict[str, list[tuple[str, str]]]:
    """The lists that do not depend on who asks."""
    return {
        "measures.csv": [(m.value, d.label) for m, d in MEASURE_DEFINITIONS.items()],
        "qualifiers.csv": [(q.value, _QUALIFIER_LABELS.get(q, q.value)) for q in Qualifier],
        "categories.csv": [(c.value, c.value.replace("_", " ")) for c in IncidentCategory],
    }
