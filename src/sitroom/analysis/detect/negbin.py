"""Negative-binomial regression with estimated size (theta), a port of ``MASS::glm.nb``.

Used by the GLR detector to model the in-control mean on the history. The alternation between
IRLS for the coefficients and Newton steps for theta follows MASS exactly, including its
iteration limits (25) and the use of the previous fitted means when updating theta, because the
fitted theta is often not converged on near-Poisson data and R users see that value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from sitroom.analysis.detect.glm import fit_poisson
from sitroom.analysis.detect.result import FloatArray

_EPS = float(np.finfo(np.float64).eps)
_MAXIT = 25
_EPSILON = 1e-8


@dataclass(frozen=True)
class NegBinFit:
    coef: FloatArray
    theta: float
    theta_converged: bool


def _nb_deviance(y: FloatArray, mu: FloatArray, theta: float) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (y + theta) / (mu + theta)
        dev = 2.0 * (y * np.log(np.maximum(1.0, y) / mu) - (y + theta) * np.log(ratio))
    return float(np.sum(dev))


def _fit_nb_glm(
    x: FloatArray, y: FloatArray, theta: float, eta: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """IRLS for a fixed theta, started from ``eta`` (R's glm.fit with etastart)."""
    mu = np.maximum(np.exp(eta), _EPS)
    dev_old = _nb_deviance(y, mu, theta)
    coef = np.zeros(x.shape[1])
    for _ in range(_MAXIT):
        mu_eta = np.maximum(np.exp(eta), _EPS)
        variance = mu + mu**2 / theta
        z = eta + (y - mu) / mu_eta
        sw = np.sqrt(mu_eta**2 / variance)
        q, r = np.linalg.qr(x * sw[:, None])
        coef = np.linalg.solve(r, q.T @ (z * sw))
        eta = x @ coef
        mu = np.maximum(np.exp(eta), _EPS)
        dev = _nb_deviance(y, mu, theta)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < _EPSILON:
            break
        dev_old = dev
    return coef, mu


def theta_ml(
    y: FloatArray,
    mu: FloatArray,
    limit: int = _MAXIT,
    distinct: tuple[FloatArray, np.ndarray] | None = None,
) -> tuple[float, bool]:
    """Newton iterations for theta, as ``MASS::theta.ml`` (returns theta and convergence).

    ``distinct`` is ``np.unique(y, return_counts=True)`` if the caller has it already.
    """
    n = float(y.size)
    t0 = n / float(np.sum((y / mu - 1.0) ** 2))
    it, delta = 0, 1.0
    eps = _EPS**0.25
    # counts repeat a lot: evaluate the special functions once per distinct count
    values, repeats = np.unique(y, return_counts=True) if distinct is None else distinct
    while True:
        it += 1
        if not (it < limit and abs(delta) > eps):
            break
        t0 = abs(t0)
        mu_t, y_t = mu + t0, y + t0  # each used more than once below
        score = (
            np.dot(repeats, special.digamma(t0 + values))
            - n * special.digamma(t0)
            + n * (np.log(t0) + 1.0)
            - np.sum(np.log(mu_t) + y_t / mu_t)
        )
        info = (
            -np.dot(repeats, special.zeta(2.0, t0 + values))
            + n * special.zeta(2.0, t0)
            - n / t0
            + np.sum(2.0 / mu_t - y_t / mu_t**2)
        )
        delta = float(score / info)
        t0 = t0 + delta
    return max(t0, 0.0), it != limit


def _loglik(theta: float, mu: FloatArray, y: FloatArray) -> float:
    return float(
        np.sum(
            special.gammaln(theta + y)
            - special.gammaln(theta)
            - special.gammaln(y + 1.0)
            + theta * np.log(theta)
            + y * np.log(mu + (y == 0))
            - (theta + y) * np.log(theta + mu)
        )
    )


def fit_negbin(x: FloatArray, y: FloatArray) -> NegBinFit:
    pois = fit_poisson(x[None], y[None], np.ones((1, y.size)), leverages=False)
    mu = pois.mu[0]
    coef = pois.coef[0]
    distinct = np.unique(y, return_counts=True)
    theta, converged = theta_ml(y, mu, distinct=distinct)
    d1 = np.sqrt(2.0 * max(1.0, y.size - x.shape[1]))
    delta, d2 = 1.0, 1.0
    lm = _loglik(theta, mu, y)
    lm0 = lm + 2.0 * d1
    iteration = 0
    while True:
        iteration += 1
        if not (iteration <= _MAXIT and abs(lm0 - lm) / d1 + abs(delta) / d2 > _EPSILON):
            break
        coef, new_mu = _fit_nb_glm(x, y, theta, np.log(mu))
        previous = theta
        theta, converged = theta_ml(
            y, mu, distinct=distinct
        )  # MASS updates theta from the previous means
        mu = new_mu
        delta = previous - theta
        lm0, lm = lm, _loglik(theta, mu, y)
    return NegBinFit(coef=coef, theta=theta, theta_converged=converged)
