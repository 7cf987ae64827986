"""Batched log-link Poisson / quasi-Poisson GLM fitted by IRLS, mirroring R's ``glm.fit``.

Many small regressions of the same shape (one per monitored time point) are fitted at once:
``x`` is (K, n, p), ``y`` and ``weights`` are (K, n). Rows with weight 0 are padding or missing
values and take no part in the fit, exactly as R drops them (``good <- weights > 0``).

R details copied on purpose so that the iterations follow R's (the golden Farrington cases then
agree to 1e-13): start at mu = y + 0.1; mu = max(exp(eta), DBL_EPSILON); stop when
|dev - dev_old| / (|dev| + 0.1) < 1e-8 or after 25 iterations; the working weights, leverages
and covariance are those of the *last* iteration (computed from the previous mu), while fitted
values and residuals come from the final update. R solves each step by QR; here the weighted
normal equations are solved on column-scaled designs, which gives the same numbers for these
small, well-conditioned systems.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from sitroom.analysis.detect.glm_design import GenericDesign, GroupedDesign
from sitroom.analysis.detect.result import BoolArray, FloatArray

_EPS = float(np.finfo(np.float64).eps)
_LOG_EPS = float(np.log(_EPS))
_EPSILON = 1e-8
_MAXIT = 25


@dataclass(frozen=True, eq=False)
class GlmFit:
    coef: FloatArray  # (K, p)
    mu: FloatArray  # (K, n) fitted means (final update)
    eta: FloatArray  # (K, n)
    working_weights: FloatArray  # (K, n) weights of the last IRLS iteration
    cov_unscaled: FloatArray  # (K, p, p) = (X' W X)^-1 of the last iteration
    hat: FloatArray  # (K, n) leverages of the last iteration (NaN unless asked for)
    converged: BoolArray  # (K,)
    df_residual: FloatArray  # (K,)
    dispersion: FloatArray  # (K,) Pearson statistic / df (the quasi-Poisson estimate)

    def coef_pvalue(self, j: int, dispersion: FloatArray) -> FloatArray:
        """Two-sided t-test p-value of coefficient ``j``, as ``summary.glm`` for quasi families."""
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.sqrt(dispersion * self.cov_unscaled[:, j, j])
            t = self.coef[:, j] / se
            p: FloatArray = 2.0 * stats.t.sf(np.abs(t), self.df_residual)
        return p

    def dispersion_with(self, y: FloatArray, weights: FloatArray) -> FloatArray:
        """Pearson dispersion with ``weights`` in place of the working weights.

        R's farringtonFlexible overwrites ``model$weights`` with the Farrington weights after
        reweighting, so every later ``summary()`` (trend test, se.fit) uses this quantity.
        """
        y0 = np.where(weights > 0, y, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            resid = (y0 - self.mu) / np.maximum(np.exp(self.eta), _EPS)
            out: FloatArray = np.sum(weights * resid**2, axis=-1) / self.df_residual
        return out

    def predict_link(
        self, x_new: FloatArray, offset_new: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Linear predictor and its standard error (dispersion 1) at one new row per fit."""
        eta = np.einsum("kp,kp->k", x_new, self.coef) + offset_new
        var = np.einsum("kp,kpq,kq->k", x_new, self.cov_unscaled, x_new)
        return eta, np.sqrt(np.maximum(var, 0.0))


def _deviance(
    y: FloatArray, mu: FloatArray, w: FloatArray | None, positive: BoolArray, safe_y: FloatArray
) -> FloatArray:
    """Poisson deviance; ``positive`` is y > 0, ``safe_y`` is y where positive, else 1, and
    ``w`` None stands for unit weights (2 * 1.0 * d == 2 * d, so the product is skipped)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ylogy = np.where(positive, y * np.log(safe_y / mu), 0.0)
    out: FloatArray = np.sum((2.0 if w is None else 2.0 * w) * (ylogy - (y - mu)), axis=-1)
    return out


@dataclass(frozen=True, eq=False)
class Prepared:
    """A design made ready for ``fit_poisson``: column scales and the normal-equation helper.

    Fits that share ``x`` (a fit and its reweighted refit) can share this.
    """

    scale: FloatArray  # (K, p) largest |x| per column
    design: GenericDesign | GroupedDesign


def prepare(x: FloatArray, valid: BoolArray) -> Prepared:
    n_par = x.shape[2]
    if n_par >= 4:  # with few columns the plain matrix product is just as fast
        columns = np.ascontiguousarray(np.moveaxis(x, 2, 0))  # one column at a time is faster
        # largest |x| as max(max x, -min x): the same number, without an |x| array
        big = np.maximum(np.max(columns, axis=2), -np.min(columns, axis=2))
        scale = np.maximum(big.T, 1e-300)
        grouped = GroupedDesign.detect(columns, scale, valid)
        if grouped is not None:
            return Prepared(scale, grouped)
    else:  # column by column: a strided max over the rows of (K, n, p) is slow
        scale = np.stack([np.max(np.abs(x[:, :, j]), axis=1) for j in range(n_par)], axis=1)
        scale = np.maximum(scale, 1e-300)
    return Prepared(scale, GenericDesign(x / scale[:, None, :]))


def fit_poisson(
    x: FloatArray,
    y: FloatArray,
    weights: FloatArray,
    offset: FloatArray | None = None,
    prepared: Prepared | None = None,
    *,
    leverages: bool = True,
) -> GlmFit:
    """Fit log-link Poisson GLMs by IRLS, one per leading index of ``x``.

    Each step solves the weighted normal equations on column-scaled designs (a
    reparametrisation, so the fit is R's; scaling keeps the small systems well conditioned).
    Converged fits leave the working set, which is compacted when it has halved.
    ``prepared`` must come from ``prepare(x, ...)`` with rows including those weighted here.
    ``leverages=False`` leaves ``hat`` NaN: only fits that are reweighted need it, and it
    costs as much as a few IRLS steps.
    """
    k_fits, _, n_par = x.shape
    off = np.zeros_like(y) if offset is None else offset
    good = weights > 0
    y0 = np.where(good, y, 0.0)  # padding rows may hold NaN
    prep = prepared if prepared is not None else prepare(x, good)
    scale, design = prep.scale, prep.design
    # x * 1.0 == x exactly: with unit weights (a first fit without padding) skip those products
    unit_weights = bool(np.all(weights == 1.0))
    positive = y0 > 0
    safe_y = np.where(positive, y0, 1.0)  # y where it has a log, else 1
    mu = y0 + 0.1
    eta = np.log(mu)
    dev_old = _deviance(y0, mu, None if unit_weights else weights, positive, safe_y)
    coef_s = np.zeros((k_fits, n_par))
    last_w = np.zeros_like(y0)
    info_last: FloatArray | None = None  # X'WX of each fit's last step, in packed form
    converged = np.zeros(k_fits, dtype=np.bool_)
    # deviance = 2 * (sum w (y log y - y) + sum w (mu - y log mu)); the first part is fixed
    with np.errstate(divide="ignore", invalid="ignore"):
        ylogy = np.where(positive, y0 * np.log(safe_y), 0.0)
    fixed = np.sum(ylogy - y0 if unit_weights else weights * (ylogy - y0), axis=-1)
    has_offset = bool(np.any(off != 0.0))
    # The working set ``ids`` (with its state in the ``*_a`` arrays) is iterated as a whole; a
    # fit's final state is copied out when it converges, and the set is compacted when half of
    # it has converged. Padding rows have weight 0 and finite mu, so they add nothing.
    ids = np.arange(k_fits)
    live = np.ones(k_fits, dtype=np.bool_)
    ys, ws, offs, fixed_a = y0, weights, off, fixed
    mu_a, eta_a, dev_a = mu, eta, dev_old
    beta = coef_s
    work_w = last_w
    # Each step's (fits x rows) arrays go to reused buffers, with the same operations in the
    # same order as the plain expressions in the comments (bit for bit the same): fresh arrays
    # of this size cost more than the arithmetic. eta and mu of the previous step are read
    # before the new ones overwrite them.
    buffers = np.empty((5, *y0.shape))
    for step in range(_MAXIT):
        z_b, w_b, eta_b, mu_b, tmp = (b[: ids.size] for b in buffers)
        # after the first step mu is max(exp(eta), eps) already
        mu_eta = np.maximum(np.exp(eta_a), _EPS) if step == 0 else mu_a
        # z = (eta - offset) + (y - mu) / mu_eta
        np.divide(np.subtract(ys, mu_a, out=z_b), mu_eta, out=z_b)
        np.add(np.subtract(eta_a, offs, out=tmp) if has_offset else eta_a, z_b, out=z_b)
        # work_w = w * mu_eta**2 / mu
        np.square(mu_eta, out=w_b)
        work_w = np.divide(w_b if unit_weights else np.multiply(ws, w_b, out=w_b), mu_a, out=w_b)
        info, beta = design.step(ids, work_w, z_b)
        if info_last is None:  # every fit's entry is set before the end
            info_last = np.empty((k_fits, *info.shape[1:]))
        eta_new = design.predict(ids, beta, out=eta_b)
        if has_offset:
            np.add(eta_new, offs, out=eta_new)
        mu_new = np.maximum(np.exp(eta_new, out=mu_b), _EPS, out=mu_b)
        # dev = 2 (fixed + sum w (mu - y log_mu)), log_mu = max(eta, log eps)
        np.multiply(ys, np.maximum(eta_new, _LOG_EPS, out=tmp), out=tmp)
        np.subtract(mu_new, tmp, out=tmp)
        if not unit_weights:
            np.multiply(ws, tmp, out=tmp)
        dev = 2.0 * (fixed_a + np.sum(tmp, axis=-1))
        done = np.abs(dev - dev_a) / (np.abs(dev) + 0.1) < _EPSILON
        mu_a, eta_a, dev_a = mu_new, eta_new, dev
        finished = live & done
        if finished.any():
            put = ids[finished]
            coef_s[put], eta[put], mu[put] = beta[finished], eta_new[finished], mu_new[finished]
            last_w[put], info_last[put] = work_w[finished], info[finished]
            converged[put] = True
            live &= ~done
        if not live.any():
            break
        if live.sum() * 2 <= ids.size:
            ids = ids[live]
            mu_a, eta_a, dev_a = mu_a[live], eta_a[live], dev_a[live]
            ys, ws, offs, fixed_a = y0[ids], weights[ids], off[ids], fixed[ids]
            beta, work_w, info = beta[live], work_w[live], info[live]
            live = np.ones(ids.size, dtype=np.bool_)
    assert info_last is not None  # the loop runs at least once
    if live.any():  # not converged within _MAXIT: keep the last iterate, as R does
        put = ids[live]
        coef_s[put], eta[put], mu[put] = beta[live], eta_a[live], mu_a[live]
        last_w[put], info_last[put] = work_w[live], info[live]
    info_inv = design.inverse(design.unpack(info_last))
    coef = coef_s / scale
    cov = info_inv / (scale[:, :, None] * scale[:, None, :])
    hat = last_w * design.quadratic(info_inv) if leverages else np.full_like(last_w, np.nan)
    n_good = good.sum(axis=-1).astype(np.float64)
    df_res = n_good - n_par
    mu_eta_final = np.maximum(np.exp(eta), _EPS)
    resid = (y0 - mu) / mu_eta_final
    with np.errstate(divide="ignore", invalid="ignore"):
        dispersion = np.sum(np.where(good, last_w * resid**2, 0.0), axis=-1) / df_res
    return GlmFit(
        coef=coef,
        mu=mu,
        eta=eta,
        working_weights=last_w,
        cov_unscaled=cov,
        hat=hat,
        converged=converged,
        df_residual=df_res,
        dispersion=dispersion,
    )


def anscombe_residuals(fit: GlmFit, y: FloatArray, phi: FloatArray) -> FloatArray:
    """Anscombe residuals scaled by dispersion and leverage (Farrington 1996, step 5)."""
    y0 = np.where(np.isfinite(y), y, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        hat = np.where(fit.hat > 1.0 - 10.0 * _EPS, 1.0, fit.hat)
        # y^(2/3) mu^(-1/6) by cube roots: numpy's general power is 50x slower
        a = 1.5 * (np.cbrt(y0) ** 2 / np.sqrt(np.cbrt(fit.mu)) - np.sqrt(fit.mu))
        out: FloatArray = a / np.sqrt(phi[:, None] * (1.0 - hat))
    return out


def farrington_weights(s: FloatArray, good: BoolArray, threshold: float) -> FloatArray:
    """Down-weight outlying baseline points: gamma * s^-2 above the threshold, gamma below."""
    with np.errstate(divide="ignore", invalid="ignore"):
        high = s > threshold
        raw = np.where(high, 1.0 / (s * s), 1.0)
        raw = np.where(good, raw, 0.0)
        gamma = good.sum(axis=-1) / raw.sum(axis=-1)
    out: FloatArray = np.where(good, gamma[:, None] * raw, 0.0)
    return out
