"""Negative-binomial helpers of the nb model: the size by maximum likelihood, the median."""

from __future__ import annotations

import numpy as np
from scipy import special

from sitroom.analysis.forecast.result import FloatArray

SIZES = np.geomspace(0.15, 2000.0, 48)


def best_size(y: FloatArray, mean: FloatArray) -> float:
    """Maximum-likelihood negative-binomial size on a log grid (robust, no optimiser)."""
    r = SIZES[None, :]
    yy, mm = y[:, None], np.maximum(mean[:, None], 1e-9)
    ll = (
        special.gammaln(yy + r)
        - special.gammaln(r)
        + r * np.log(r / (r + mm))
        + yy * np.log(mm / (r + mm))
    )
    return float(SIZES[int(np.argmax(ll.sum(axis=0)))])


def nb_median(mean: FloatArray, size: float) -> FloatArray:
    """Median of negative binomials with these means, by bisection on the CDF.

    scipy.stats' own median costs milliseconds per call through its generic machinery;
    P(X <= k) = I_p(size, k + 1) with p = size / (size + mean) is one special function.
    The median lies within one standard deviation of the mean (Cantelli's inequality),
    which brackets the search.
    """
    mean = np.asarray(mean, dtype=np.float64)
    p = size / (size + mean)
    sd = np.sqrt(mean + mean**2 / size)
    lo = np.maximum(np.floor(mean - sd) - 1.0, 0.0)
    hi = np.ceil(mean + sd) + 1.0
    while np.any(lo < hi):
        mid = np.floor((lo + hi) / 2.0)
        above = special.betainc(size, mid + 1.0, p) >= 0.5
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid + 1.0)
    return lo
