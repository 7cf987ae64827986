"""Exact Gaussian conditioning for a smooth-level-plus-daily-noise process, in O(days).

The latent state of each day is a pair (level m_t, count x_t): a random walk on m, and x_t
tied to its own m_t. One-day information sits on the diagonal of x, so x can be eliminated
exactly, leaving a tridiagonal system on m (LAPACK pttrf/pttrs, O(days)). Totals over several
days are a few dense rows handled by a low-rank correction, so one series of five years costs
a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class PriorBands:
    """Prior of one or more concatenated day series (a group boundary has no coupling).

    level_step_var[t] is the variance of m_t - m_{t-1} (np.inf where t starts a group),
    noise_var[t] the variance of x_t around weekday[t] * m_t, anchor_var/anchor_mean a weak
    prior on m at the first day of every group (np.inf elsewhere).
    """

    level_step_var: FloatArray
    noise_var: FloatArray
    weekday: FloatArray
    anchor_mean: FloatArray
    anchor_var: FloatArray


@dataclass(frozen=True, slots=True)
class DayEvidence:
    """Gaussian information on single days of x: precision (0 where none) and value."""

    precision: FloatArray
    value: FloatArray


@dataclass(frozen=True, slots=True)
class RowEvidence:
    """Totals over several days: rows @ x ~ N(values, variances); variance 0 is exact."""

    rows: scipy.sparse.csr_matrix
    values: FloatArray
    variances: FloatArray

    @staticmethod
    def empty(days: int) -> RowEvidence:
        return RowEvidence(
            scipy.sparse.csr_matrix((0, days)), np.zeros(0), np.zeros(0)
        )


@dataclass(frozen=True, slots=True)
class Posterior:
    level_mean: FloatArray
    count_mean: FloatArray
    count_var: FloatArray | None
    # variance of the day's sum over all groups (a country from its sections), if asked
    sum_var: FloatArray | None = None


@dataclass(frozen=True, slots=True)
class _Reduced:
    """P with every x_t eliminated: a tridiagonal system on the levels alone.

    x_t enters only through its own noise precision a_t and its evidence precision l_t, so
    x_t | m_t is Gaussian with precision a_t + l_t and eliminating it leaves the random walk
    plus w_t^2 a_t l_t / (a_t + l_t) on the diagonal (written that way to avoid cancelling
    w^2 a - w^2 a when l_t = 0).
    """

    x_precision: FloatArray  # a + l
    gain: FloatArray  # w a / (a + l): how much x_t moves with m_t
    diagonal: FloatArray
    off_diagonal: FloatArray
    factor_d: FloatArray
    factor_e: FloatArray

    def solve(self, rhs: FloatArray) -> FloatArray:
        solved, info = scipy.linalg.lapack.dpttrs(self.factor_d, self.factor_e, rhs)
        if info != 0:
            raise np.linalg.LinAlgError("tridiagonal solve failed")
        result: FloatArray = solved
        return result

    def levels_inverse_diagonal(self) -> FloatArray:
        """diag(T^-1) from forward and backward pivots: 1 / (d_t + e_t - T_tt)."""
        back_d, _, info = scipy.linalg.lapack.dpttrf(
            self.diagonal[::-1].copy(), self.off_diagonal[::-1].copy()
        )
        if info != 0:
            raise np.linalg.LinAlgError("tridiagonal factorisation failed")
        result: FloatArray = 1.0 / (self.factor_d + back_d[::-1] - self.diagonal)
        return result


def _reduce(prior: PriorBands, days: DayEvidence) -> _Reduced:
    a = 1.0 / prior.noise_var
    lam = days.precision
    w = prior.weekday
    inv_q = np.where(np.isfinite(prior.level_step_var), 1.0 / prior.level_step_var, 0.0)
    inv_q[0] = 0.0
    inv_anchor = np.where(np.isfinite(prior.anchor_var), 1.0 / prior.anchor_var, 0.0)
    coupling_next = np.zeros_like(a)
    coupling_next[:-1] = inv_q[1:]
    x_precision = a + lam
    diagonal = w * w * a * lam / x_precision + inv_q + coupling_next + inv_anchor
    off_diagonal = -coupling_next[:-1]
    factor_d, factor_e, info = scipy.linalg.lapack.dpttrf(diagonal, off_diagonal)
    if info != 0:
        raise np.linalg.LinAlgError("the prior is not positive definite")
    return _Reduced(x_precision, w * a / x_precision, diagonal, off_diagonal, factor_d, factor_e)


def _solve_small(matrix: FloatArray, rhs: FloatArray) -> FloatArray:
    try:
        factor = scipy.linalg.cho_factor(matrix, lower=True, check_finite=False)
        solved: FloatArray = scipy.linalg.cho_solve(factor, rhs, check_finite=False)
    except np.linalg.LinAlgError:
        # linearly dependent exact totals (a year and its twelve months): any consistent
        # solution will do, the least-squares one is it
        solved = np.asarray(np.linalg.lstsq(matrix, rhs, rcond=1e-12)[0], dtype=np.float64)
    return solved


def _explained(small: FloatArray, influence: FloatArray) -> FloatArray:
    """diag(W M^-1 W^T): the variance the multi-day rows take away from each day."""
    try:
        chol = scipy.linalg.cholesky(small, lower=True, check_finite=False)
        spread = scipy.linalg.solve_triangular(chol, influence.T, lower=True, check_finite=False)
        explained: FloatArray = np.einsum("ij,ij->j", spread, spread)
    except np.linalg.LinAlgError:
        explained = np.einsum("ij,ij->j", influence.T, _solve_small(small, influence.T))
    return explained


def condition(
    prior: PriorBands,
    days: DayEvidence,
    rows: RowEvidence,
    *,
    with_variance: bool,
    groups: int = 1,
) -> Posterior:
    """Posterior mean (and marginal variance of every x_t) given all evidence."""
    red = _reduce(prior, days)
    h_x = days.precision * days.value
    h_m = np.where(np.isfinite(prior.anchor_var), prior.anchor_mean / prior.anchor_var, 0.0)
    level = red.solve((h_m + red.gain * h_x)[:, None])[:, 0]
    count = h_x / red.x_precision + red.gain * level
    k = rows.values.size
    influence_x: FloatArray | None = None
    small: FloatArray | None = None
    if k:
        # W = P^-1 A^T on x is A^T / (a + l) + gain * Y with Y = T^-1 (gain * A^T) its part
        # on m; the mean needs only A W and Y, not W itself
        lifted = rows.rows.T.toarray()
        level_influence = red.solve(red.gain[:, None] * lifted)
        scaled_rows = rows.rows.multiply(1.0 / red.x_precision).tocsr()
        small = np.asarray(
            (scaled_rows @ rows.rows.T).toarray()
            + rows.rows.multiply(red.gain).tocsr() @ level_influence
        )
        scale = np.maximum(np.abs(np.diag(small)), 1e-300)
        small = small + np.diag(rows.variances + 1e-11 * scale)
        weights = _solve_small(small, rows.values - rows.rows @ count)
        level_shift = level_influence @ weights
        level = level + level_shift
        count = count + (rows.rows.T @ weights) / red.x_precision + red.gain * level_shift
        if with_variance:
            influence_x = lifted / red.x_precision[:, None] + red.gain[:, None] * level_influence
    variance: FloatArray | None = None
    sum_var: FloatArray | None = None
    if with_variance:
        prior_var = 1.0 / red.x_precision + red.gain**2 * red.levels_inverse_diagonal()
        variance = prior_var.copy()
        if groups > 1:
            # groups are independent a priori, so only the shared evidence couples them
            sum_var = prior_var.reshape(groups, -1).sum(axis=0)
        if influence_x is not None and small is not None:
            variance = variance - _explained(small, influence_x)
            if sum_var is not None:
                summed = influence_x.reshape(groups, -1, k).sum(axis=0)
                sum_var = sum_var - _explained(small, summed)
        variance = np.maximum(variance, 0.0)
        if sum_var is not None:
            sum_var = np.maximum(sum_var, 0.0)
    return Posterior(level_mean=level, count_mean=count, count_var=variance, sum_var=sum_var)
