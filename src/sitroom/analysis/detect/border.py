"""placeholder"""
from sitroom.analysis.detect.cusum import cusum as border_surge  # noqa: F401
