"""Shared machinery of the Farrington family: calendar arithmetic, batched fitting, thresholds.

Each monitored time point k gets its own small regression on its reference values. Here all of
them are stacked (padded with zero-weight rows) and fitted together by ``glm.fit_poisson``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
from scipy import stats

from sitroom.analysis.detect.glm import (
    GlmFit,
    Prepared,
    anscombe_residuals,
    farrington_weights,
    fit_poisson,
    prepare,
)
from sitroom.analysis.detect.result import BoolArray, FloatArray

_EPS = float(np.finfo(np.float64).eps)


def years_back(day: np.datetime64, years: int) -> np.datetime64:
    """Same calendar date ``years`` earlier; 29 Feb maps to 1 Mar, as R's seq(by = "-1 year")."""
    d = day.astype(dt.date)
    try:
        back = d.replace(year=d.year - years)
    except ValueError:
        back = dt.date(d.year - years, 3, 1)
    return np.datetime64(back, "D")


def months_back(day: np.datetime64, months: int) -> np.datetime64:
    d = day.astype(dt.date)
    total = d.year * 12 + (d.month - 1) - months
    year, month0 = divmod(total, 12)
    try:
        back = dt.date(year, month0 + 1, d.day)
    except ValueError:  # R normalises overflowing days into the next month
        back = dt.date(year, month0 + 2, 1) if month0 < 11 else dt.date(year + 1, 1, 1)
    return np.datetime64(back, "D")


def weekday(day: np.datetime64) -> int:
    """0 = Sunday .. 6 = Saturday, as R's format(x, "%w")."""
    return (int(day.astype(np.int64)) + 4) % 7


@dataclass(frozen=True, eq=False)
class Design:
    """Stacked regressions: rows padded to a common length, with the prediction row per fit."""

    x: FloatArray  # (K, n, p) with the trend column at position 1 when ``has_trend_column``
    y: FloatArray  # (K, n)
    valid: BoolArray  # (K, n)
    offset: FloatArray  # (K, n)
    x_new: FloatArray  # (K, p)
    offset_new: FloatArray  # (K,)
    max_response: FloatArray  # (K,)


@dataclass(frozen=True, eq=False)
class Prediction:
    eta: FloatArray  # linear predictor at the monitored point
    var_unscaled: FloatArray  # x' (X'WX)^-1 x
    dispersion: FloatArray  # uncapped dispersion that R's summary() reports for the final model
    phi: FloatArray  # max(dispersion, 1)
    has_trend: BoolArray
    p_trend: FloatArray
    failed: BoolArray


def _drop_trend(design: Design) -> Design:
    keep = [j for j in range(design.x.shape[2]) if j != 1]
    return Design(
        x=design.x[:, :, keep],
        y=design.y,
        valid=design.valid,
        offset=design.offset,
        x_new=design.x_new[:, keep],
        offset_new=design.offset_new,
        max_response=design.max_response,
    )


def subset_design(design: Design, rows: np.ndarray) -> Design:
    return Design(
        x=design.x[rows],
        y=design.y[rows],
        valid=design.valid[rows],
        offset=design.offset[rows],
        x_new=design.x_new[rows],
        offset_new=design.offset_new[rows],
        max_response=design.max_response[rows],
    )


def _take(fit: GlmFit, rows: np.ndarray) -> GlmFit:
    parts = {f.name: getattr(fit, f.name)[rows] for f in dataclasses.fields(fit)}
    return GlmFit(**parts)


def fit_and_predict(
    design: Design,
    *,
    trend: bool,
    reweight: bool,
    weights_threshold: float,
    fail_without_convergence: bool,
    weights_replace_working: bool = False,
) -> Prediction:
    """The ``fitGLM`` step: fit, fall back to no trend if it does not converge, reweight."""
    k_fits = design.x.shape[0]
    eta = np.full(k_fits, np.nan)
    var = np.full(k_fits, np.nan)
    disp = np.full(k_fits, np.nan)
    phi = np.full(k_fits, np.nan)
    has_trend = np.zeros(k_fits, dtype=np.bool_)
    p_trend = np.full(k_fits, np.nan)
    failed = np.zeros(k_fits, dtype=np.bool_)
    groups: list[tuple[np.ndarray, Design, bool]] = []
    shared: Prepared | None = None  # the trend fit's prepared design, while its rows are all
    if trend:
        shared = prepare(design.x, design.valid)
        first = fit_poisson(
            design.x,
            design.y,
            design.valid.astype(np.float64),
            design.offset,
            shared,
            leverages=reweight,
        )
        ok = first.converged
        groups.append((np.flatnonzero(ok), design, True))
        retry = np.flatnonzero(~ok)
    else:
        retry = np.arange(k_fits)
    if retry.size:
        plain = _drop_trend(design)
        groups.append(
            (retry, plain if retry.size == k_fits else subset_design(plain, retry), False)
        )
    for rows, des, with_trend in groups:
        if rows.size == 0:
            continue
        prep: Prepared | None = None
        if with_trend and rows.size == k_fits:
            sub, fit, prep = des, first, shared
        elif with_trend:
            sub, fit = subset_design(des, rows), _take(first, rows)
        else:
            sub, prep = des, prepare(des.x, des.valid)
            fit = fit_poisson(
                sub.x, sub.y, sub.valid.astype(np.float64), sub.offset, prep, leverages=reweight
            )
        gives_up = fail_without_convergence and not with_trend
        bad = ~fit.converged if gives_up else np.zeros(rows.size, dtype=np.bool_)
        ph = np.maximum(fit.dispersion, 1.0)
        reported = fit.dispersion
        if reweight:
            s = anscombe_residuals(fit, sub.y, ph)
            omega = farrington_weights(s, sub.valid, weights_threshold)
            fit = fit_poisson(sub.x, sub.y, omega, sub.offset, prep, leverages=False)
            ph = np.maximum(fit.dispersion, 1.0)
            if weights_replace_working:
                reported = fit.dispersion_with(sub.y, omega)
            else:
                reported = fit.dispersion
        e, v = fit.predict_link(sub.x_new, sub.offset_new)
        eta[rows], var[rows] = e, v**2
        disp[rows], phi[rows] = reported, ph
        has_trend[rows] = with_trend
        if with_trend:
            p_trend[rows] = fit.coef_pvalue(1, reported)
        failed[rows] = bad
    return Prediction(eta, var, disp, phi, has_trend, p_trend, failed)


def response_scale(eta: FloatArray, se_link: FloatArray) -> tuple[FloatArray, FloatArray]:
    mu = np.maximum(np.exp(eta), _EPS)
    return mu, se_link * mu


def threshold_delta(
    mu0: FloatArray, se_fit: FloatArray, phi: FloatArray, z: float, powertrans: str
) -> FloatArray:
    """Upper bound on a power-transformed normal scale (Farrington 1996)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = phi + se_fit**2 / mu0
        if powertrans == "2/3":
            se, exponent = np.sqrt(4.0 / 9.0 * mu0 ** (1.0 / 3.0) * tau), 2.0 / 3.0
        elif powertrans == "1/2":
            se, exponent = np.sqrt(0.25 * tau), 0.5
        elif powertrans == "none":
            se, exponent = np.sqrt(mu0 * tau), 1.0
        else:
            raise ValueError(f"unknown powertrans {powertrans!r}")
        upper: FloatArray = (mu0**exponent + z * se) ** (1.0 / exponent)
    return upper


def pvalue_delta(y: FloatArray, mu0: FloatArray, se_fit: FloatArray, phi: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = phi + se_fit**2 / mu0
        se = np.sqrt(4.0 / 9.0 * mu0 ** (1.0 / 3.0) * tau)
        p: FloatArray = stats.norm.sf(y ** (2.0 / 3.0), loc=mu0 ** (2.0 / 3.0), scale=se)
    return p


def threshold_negbin(mu: FloatArray, phi: FloatArray, alpha: float) -> FloatArray:
    """(1 - alpha) quantile of a negative binomial with mean mu and variance phi * mu."""
    upper = np.full(mu.shape, np.nan)
    finite = np.isfinite(mu)
    over = finite & (phi > 1.0)
    pois = finite & ~(phi > 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        upper[over] = stats.nbinom.ppf(1.0 - alpha, mu[over] / (phi[over] - 1.0), 1.0 / phi[over])
        upper[pois] = stats.poisson.ppf(1.0 - alpha, mu[pois])
    return upper


def pvalue_negbin(y: FloatArray, mu: FloatArray, phi: FloatArray) -> FloatArray:
    p = np.full(mu.shape, np.nan)
    over = np.isfinite(mu) & (phi != 1.0)
    pois = np.isfinite(mu) & (phi == 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p[over] = stats.nbinom.sf(y[over] - 1, mu[over] / (phi[over] - 1.0), 1.0 / phi[over])
        p[pois] = stats.poisson.sf(y[pois] - 1, mu[pois])
    return p
