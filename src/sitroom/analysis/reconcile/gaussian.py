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
    """Totals over several days: row_i @ x ~ N(values_i, variances_i); variance 0 is exact.

    Every row is a sum of x over one or more runs of consecutive cells: run j adds
    x[lo_j:hi_j] to row run_row_j. Sums over runs are differences of a cumulative sum, so no
    row is ever stored as a vector of ones.
    """

    run_row: NDArray[np.int64]
    lo: NDArray[np.int64]
    hi: NDArray[np.int64]
    values: FloatArray
    variances: FloatArray

    @property
    def count(self) -> int:
        return int(self.values.size)

    @staticmethod
    def empty() -> RowEvidence:
        none = np.zeros(0, dtype=np.int64)
        return RowEvidence(none, none, none, np.zeros(0), np.zeros(0))

    @staticmethod
    def from_matrix(
        rows: scipy.sparse.csr_matrix, values: FloatArray, variances: FloatArray
    ) -> RowEvidence:
        """From a sparse 0/1 matrix (one row per total), its runs of ones found."""
        dense = rows.toarray() != 0
        padded = np.zeros((dense.shape[0], dense.shape[1] + 2), dtype=np.int8)
        padded[:, 1:-1] = dense
        step = np.diff(padded, axis=1)
        starts_row, starts = np.nonzero(step == 1)
        _, ends = np.nonzero(step == -1)
        return RowEvidence(
            starts_row.astype(np.int64),
            starts.astype(np.int64),
            ends.astype(np.int64),
            np.asarray(values, dtype=np.float64),
            np.asarray(variances, dtype=np.float64),
        )

    def totals(self, x: FloatArray) -> FloatArray:
        """row @ x for every row."""
        cumulative = np.concatenate([[0.0], np.cumsum(x)])
        runs = cumulative[self.hi] - cumulative[self.lo]
        return np.bincount(self.run_row, weights=runs, minlength=self.count).astype(np.float64)

    def cells(self, days: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Every (day, row) pair the runs cover: the day, and the pair's place in a
        days x rows array read column by column (Fortran order)."""
        lengths = self.hi - self.lo
        offsets = np.repeat(self.lo - np.cumsum(lengths) + lengths, lengths)
        day = np.arange(offsets.size, dtype=np.int64) + offsets
        return day, day + days * np.repeat(self.run_row, lengths)

    def lifted(self, days: int, weights: FloatArray) -> FloatArray:
        """The rows as columns of `weights` over their runs (days x rows, Fortran order)."""
        out = np.zeros((days, self.count), order="F")
        self.add_runs(out, weights)
        return out

    def add_runs(self, out: FloatArray, weights: FloatArray) -> None:
        """out[:, row] += weights over each of the row's runs, in place (a row's runs never
        overlap, so every cell is touched once: one scatter, not a loop over runs)."""
        if not out.flags.f_contiguous:
            runs = zip(self.run_row.tolist(), self.lo.tolist(), self.hi.tolist(), strict=True)
            for row, lo, hi in runs:
                out[lo:hi, row] += weights[lo:hi]
            return
        day, place = self.cells(out.shape[0])
        flat = out.T.reshape(-1)  # a view, since out is in Fortran order
        flat[place] += weights[day]

    def spread(self, weights: FloatArray, days: int) -> FloatArray:
        """rows^T @ weights: each row's weight on every day it covers."""
        steps = np.zeros(days + 1)
        np.add.at(steps, self.lo, weights[self.run_row])
        np.add.at(steps, self.hi, -weights[self.run_row])
        result: FloatArray = np.cumsum(steps[:-1])
        return result

    def run_sums(self, columns: FloatArray) -> FloatArray:
        """rows @ columns (rows x columns.shape[1]), by cumulative sums over the stretches
        between run boundaries (summed in one pass, then a short cumulative sum: a cumulative
        sum down every day costs twice as much)."""
        starts = np.unique(np.concatenate([self.lo, self.hi]))
        starts = starts[starts < columns.shape[0]]
        cumulative = np.zeros((starts.size + 1, columns.shape[1]))
        np.cumsum(np.add.reduceat(columns, starts, axis=0), axis=0, out=cumulative[1:])
        runs = (
            cumulative[np.searchsorted(starts, self.hi)]
            - cumulative[np.searchsorted(starts, self.lo)]
        )
        if self.run_row.size == self.count and np.array_equal(self.run_row, np.arange(self.count)):
            return runs
        out = np.zeros((self.count, columns.shape[1]))
        np.add.at(out, self.run_row, runs)
        return out


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

    def solve(self, rhs: FloatArray, *, overwrite: bool = False) -> FloatArray:
        """T^-1 rhs (in place when `overwrite` and rhs is a Fortran-ordered matrix)."""
        if self.diagonal.size == 1:  # LAPACK's tridiagonal routines want two days or more
            one: FloatArray = rhs / self.diagonal[0]
            return one
        solved, info = scipy.linalg.lapack.dpttrs(
            self.factor_d, self.factor_e, rhs, overwrite_b=overwrite
        )
        if info != 0:
            raise np.linalg.LinAlgError("tridiagonal solve failed")
        result: FloatArray = solved
        return result

    def levels_inverse_diagonal(self) -> FloatArray:
        """diag(T^-1) from forward and backward pivots: 1 / (d_t + e_t - T_tt)."""
        if self.diagonal.size == 1:
            only: FloatArray = 1.0 / self.diagonal
            return only
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
    if diagonal.size == 1:
        factor_d, factor_e, info = diagonal, off_diagonal, int(diagonal[0] <= 0)
    else:
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
        # W L^-T as a triangular product with L^-1 (rows x rows, cheap): over all days at
        # once it is ~3x quicker than the triangular solve from the right (dtrsm)
        inverse, info = scipy.linalg.lapack.dtrtri(chol, lower=1)
        if info != 0:
            raise np.linalg.LinAlgError("singular Cholesky factor")
        spread = scipy.linalg.blas.dtrmm(
            1.0, inverse, np.asfortranarray(influence), side=1, lower=1, trans_a=1
        )
        explained: FloatArray = np.einsum("ij,ij->i", spread, spread)
    except np.linalg.LinAlgError:
        explained = np.einsum("ij,ji->i", influence, _solve_small(small, influence.T))
    return explained


def _concatenate(first: RowEvidence, second: RowEvidence) -> RowEvidence:
    return RowEvidence(
        np.concatenate([first.run_row, second.run_row + first.count]),
        np.concatenate([first.lo, second.lo]),
        np.concatenate([first.hi, second.hi]),
        np.concatenate([first.values, second.values]),
        np.concatenate([first.variances, second.variances]),
    )


class Conditioner:
    """Gaussian conditioning on day evidence, then on rows added block by block.

    The tridiagonal system is factorised once; every later block of rows (a bound found
    violated, days held at zero) costs one solve per new row and a bigger small system,
    not a new factorisation of everything.
    """

    def __init__(self, prior: PriorBands, days: DayEvidence) -> None:
        self.red = _reduce(prior, days)
        h_x = days.precision * days.value
        h_m = np.where(np.isfinite(prior.anchor_var), prior.anchor_mean / prior.anchor_var, 0.0)
        self.level0: FloatArray = self.red.solve((h_m + self.red.gain * h_x)[:, None])[:, 0]
        self.count0: FloatArray = h_x / self.red.x_precision + self.red.gain * self.level0
        self.rows = RowEvidence.empty()
        self.small = np.zeros((0, 0))
        self._influence: list[FloatArray] = []
        # the rows' weights (Lagrange multipliers, up to sign) of the last mean()
        self.last_weights = np.zeros(0)

    def add(self, rows: RowEvidence) -> None:
        """Condition on `rows` too. W = P^-1 A^T on x is A^T / (a + l) + gain * Y with
        Y = T^-1 (gain * A^T) its part on m; A W is summed run by run from cumulative sums.
        W is built in one days x rows buffer, in place (large temporaries cost more than
        the arithmetic)."""
        if not rows.count:
            return
        red = self.red
        influence = red.solve(rows.lifted(self.count0.size, red.gain), overwrite=True)
        influence *= red.gain[:, None]
        rows.add_runs(influence, 1.0 / red.x_precision)
        old = self.rows.count
        self.rows = _concatenate(self.rows, rows)
        column = self.rows.run_sums(influence)  # (old + new) x new
        small = np.zeros((self.rows.count, self.rows.count))
        small[:old, :old] = self.small
        small[:, old:] = column
        small[old:, :old] = column[:old].T
        block = small[old:, old:]
        small[old:, old:] = 0.5 * (block + block.T)
        self.small = small
        self._influence.append(influence)

    def _weights(self) -> FloatArray:
        scale = np.maximum(np.abs(np.diag(self.small)), 1e-300)
        matrix = self.small + np.diag(self.rows.variances + 1e-11 * scale)
        return _solve_small(matrix, self.rows.values - self.rows.totals(self.count0))

    def mean(self) -> tuple[FloatArray, FloatArray]:
        """Posterior mean of the levels and of the counts."""
        if not self.rows.count:
            return self.level0, self.count0
        weights = self._weights()
        self.last_weights = weights
        count = self.count0.copy()
        start = 0
        for part in self._influence:
            count += part @ weights[start : start + part.shape[1]]
            start += part.shape[1]
        red = self.red
        on_days = red.gain * self.rows.spread(weights, count.size)
        level = self.level0 + red.solve(on_days[:, None])[:, 0]
        return level, count

    def variance(self, groups: int = 1) -> tuple[FloatArray, FloatArray | None]:
        """Marginal variance of every count (and of each day's sum over groups)."""
        red = self.red
        prior_var = 1.0 / red.x_precision + red.gain**2 * red.levels_inverse_diagonal()
        variance = prior_var.copy()
        # groups are independent a priori, so only the shared evidence couples them
        sum_var = prior_var.reshape(groups, -1).sum(axis=0) if groups > 1 else None
        if self.rows.count:
            k = self.rows.count
            scale = np.maximum(np.abs(np.diag(self.small)), 1e-300)
            small = self.small + np.diag(self.rows.variances + 1e-11 * scale)
            influence = (
                np.hstack(self._influence) if len(self._influence) > 1 else (self._influence[0])
            )
            variance = variance - _explained(small, influence)
            if sum_var is not None:
                summed = influence.reshape(groups, -1, k).sum(axis=0)
                sum_var = np.maximum(sum_var - _explained(small, summed), 0.0)
        return np.maximum(variance, 0.0), sum_var


def condition(
    prior: PriorBands,
    days: DayEvidence,
    rows: RowEvidence,
    *,
    with_variance: bool,
    groups: int = 1,
) -> Posterior:
    """Posterior mean (and marginal variance of every x_t) given all evidence."""
    conditioner = Conditioner(prior, days)
    conditioner.add(rows)
    level, count = conditioner.mean()
    if not with_variance:
        return Posterior(level_mean=level, count_mean=count, count_var=None)
    variance, sum_var = conditioner.variance(groups)
    return Posterior(level_mean=level, count_mean=count, count_var=variance, sum_var=sum_var)
