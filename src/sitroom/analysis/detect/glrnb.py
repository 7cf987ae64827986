"""placeholder"""
from sitroom.analysis.detect.cusum import cusum as glrnb  # noqa: F401
