"""Turn a matplotlib figure into an SVG string fit to inline in HTML and in WeasyPrint.

No pyplot: a Figure with its own SVG canvas keeps nothing in matplotlib's global figure
registry, so there is nothing to close and nothing leaks between charts.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

# Text stays text (svg.fonttype none) so the PDF is searchable and fonts come from the system
# (DejaVu on Debian) rather than matplotlib's glyph paths.
_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 8.0,
    "axes.titlesize": 9.0,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "legend.frameon": False,
}

_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_ID = re.compile(r'(\bid="|href="#|url\(#)([^"\)]+)')
_SIZE = re.compile(r'<svg([^>]*?) width="[^"]*" height="[^"]*"')


@contextmanager
def chart_style(salt: str) -> Iterator[None]:
    """Matplotlib reads these at draw time, so they must hold while the SVG is written; the
    salt makes element ids unique per chart, since several charts share one HTML page."""
    with rc_context(cast(Any, {**_RC, "svg.hashsalt": salt})):
        yield


def new_figure(width: int, height: int) -> Figure:
    # 72 dpi: the SVG backend works in points, so a width of 640 becomes a 640-unit viewBox.
    figure = Figure(figsize=(width / 72, height / 72), dpi=72)
    FigureCanvasSVG(figure)
    return figure


def to_svg(figure: Figure, *, width: int, height: int, title: str, description: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = _METADATA.sub("", _PROLOGUE.sub("", buffer.getvalue(), count=1), count=1)
    digest = hashlib.blake2b(f"{title}|{description}".encode(), digest_size=4).hexdigest()
    # Matplotlib names groups figure_1, axes_1 ... in every chart; several charts share one HTML
    # page, where ids must be unique, so each chart's ids get its own prefix.
    text = _ID.sub(lambda m: f"{m.group(1)}c{digest}-{m.group(2)}", text)
    label_id = f"t{digest}"
    text = _SIZE.sub(
        rf'<svg\1 width="{width}" height="{height}" role="img" aria-labelledby="{label_id}"',
        text,
        count=1,
    )
    head_end = text.index(">") + 1
    accessible = (
        f'<title id="{label_id}">{html.escape(title)}</title>'
        f"<desc>{html.escape(description)}</desc>"
    )
    return text[:head_end] + accessible + text[head_end:]
