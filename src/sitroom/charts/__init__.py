"""Charts shared by the situation report and the web pages: self-contained SVG strings.

Matplotlib is used through Figure objects with the SVG canvas only, never pyplot, so importing
this package selects no backend and leaves no figures open.
"""

from sitroom.charts.map import MapSite, map_svg
from sitroom.charts.series import series_svg

__all__ = ["MapSite", "map_svg", "series_svg"]
