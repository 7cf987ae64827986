"""Normal equations for batched GLM designs, generic or "intercept + trend + one-hot groups".

Farrington designs have that structured form, and for it X'WX is a handful of group sums,
computed with one ``bincount`` instead of a batched matrix product: O(K n) instead of
O(K n p^2). Both classes give the same numbers; the structured one is simply faster.
"""

from __future__ import annotations

import numpy as np

from sitroom.analysis.detect.result import FloatArray


class GenericDesign:
    def __init__(self, x: FloatArray) -> None:
        self.x = x

    def solve(self, ids: np.ndarray, w: FloatArray, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        """X'WX and the weighted least-squares coefficients for the fits ``ids``."""
        xs = self.x[ids]
        xtw = np.swapaxes(xs * w[:, :, None], 1, 2)
        info = xtw @ xs
        beta = np.asarray(np.linalg.solve(info, xtw @ z[:, :, None])[:, :, 0], dtype=np.float64)
        return info, beta

    # the generic design keeps X'WX as it is: its "packed" form is the matrix itself
    step = solve

    def unpack(self, info: FloatArray) -> FloatArray:
        return info

    def predict(
        self, ids: np.ndarray, beta: FloatArray, out: FloatArray | None = None
    ) -> FloatArray:
        """The linear predictor; ``out`` is a buffer it may (not must) be written to."""
        eta: FloatArray = (self.x[ids] @ beta[:, :, None])[:, :, 0]
        return eta

    def inverse(self, a: FloatArray) -> FloatArray:
        return np.asarray(np.linalg.inv(a), dtype=np.float64)

    def quadratic(self, inv: FloatArray) -> FloatArray:
        """x_n' inv x_n for every row (for leverages)."""
        out: FloatArray = np.einsum("knp,kpq,knq->kn", self.x, inv, self.x)
        return out


class GroupedDesign:
    """Columns: intercept, optionally one continuous column, then mutually exclusive 0/1 ones."""

    def __init__(
        self, columns: FloatArray, continuous: int | None, dummies: list[int], scale: FloatArray
    ) -> None:
        """``columns`` is the unscaled design with the column axis first, (p, K, n); ``scale``
        the (K, p) column scales. Dummies and the intercept have scale 1."""
        n_par, k_fits, n_rows = columns.shape
        self.n_par = n_par
        self.levels = len(dummies) + 1
        self.cont_col = continuous
        if continuous is None:
            self.t = np.zeros((k_fits, n_rows))
        else:
            self.t = columns[continuous] / scale[:, continuous, None]
        # the columns are 0/1 and exclusive (``detect``): the level is sum(level * column),
        # summed in floats (exact for these small integers), fewer passes than int masks
        coded = np.zeros((k_fits, n_rows))
        for level, col in enumerate(dummies, start=1):
            coded += level * columns[col]
        group = coded.astype(np.int64)
        self.group = group
        self.dummy_cols = np.array(dummies, dtype=np.int64)
        self.dense_cols = np.array([0] if continuous is None else [0, continuous], dtype=np.int64)
        self.shared = _SharedLayout.detect(self.t, group, self.levels)
        # where the packed blocks go in the full X'WX: dense[i, j] is packed at j * m + i and
        # coupling[i, e] at m * m + e * m + i (the order of ``step``'s fits-fastest buffer)
        m, d = self.dense_cols.size, self.dummy_cols.size
        dense_to = self.dense_cols[:, None] * n_par + self.dense_cols[None, :]
        coupling_to = self.dense_cols[:, None] * n_par + self.dummy_cols[None, :]
        mirrored_to = self.dummy_cols[None, :] * n_par + self.dense_cols[:, None]
        diag_to = self.dummy_cols * (n_par + 1)
        dense_from = np.arange(m)[None, :] * m + np.arange(m)[:, None]
        coupling_from = m * m + np.arange(d)[None, :] * m + np.arange(m)[:, None]
        self._to = np.concatenate(
            [dense_to.ravel(), coupling_to.ravel(), mirrored_to.ravel(), diag_to]
        )
        self._from = np.concatenate(
            [dense_from.ravel(), coupling_from.ravel(), coupling_from.ravel(), coupling_from[0]]
        )

    @staticmethod
    def detect(columns: FloatArray, scale: FloatArray, valid: np.ndarray) -> GroupedDesign | None:
        """The grouped form of a design given column-first, or None if it has another form."""
        n_par = columns.shape[0]
        if not np.all((columns[0] == 1.0) | ~valid):
            return None
        binary = [j for j in range(1, n_par) if np.all((columns[j] == 0.0) | (columns[j] == 1.0))]
        other = [j for j in range(1, n_par) if j not in binary]
        if len(other) > 1 or not np.all(scale[:, [0, *binary]] == 1.0):
            return None
        if binary:
            # at most one 1 per row: in-place sums, without a (d, K, n) copy of the columns
            ones = columns[binary[0]].copy()
            for j in binary[1:]:
                ones += columns[j]
            if np.any(ones > 1.0):
                return None
        return GroupedDesign(columns, other[0] if other else None, binary, scale)

    def _group_sums(self, ids: np.ndarray, values: FloatArray) -> FloatArray:
        flat = (np.arange(ids.size)[:, None] * self.levels + self.group[ids]).ravel()
        sums = np.bincount(flat, weights=values.ravel(), minlength=ids.size * self.levels)
        out: FloatArray = np.asarray(sums, dtype=np.float64).reshape(ids.size, self.levels)
        return out

    def solve(self, ids: np.ndarray, w: FloatArray, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        """X'WX and the coefficients, from the group sums straight into the arrowhead blocks."""
        packed, beta = self.step(ids, w, z)
        return self.unpack(packed), beta

    def unpack(self, packed: FloatArray) -> FloatArray:
        """The full X'WX (K, p, p) from ``step``'s packed blocks (K, m*m + d*m)."""
        a = np.zeros((packed.shape[0], self.n_par * self.n_par))
        a[:, self._to] = packed[:, self._from]
        out: FloatArray = a.reshape(packed.shape[0], self.n_par, self.n_par)
        return out

    def step(self, ids: np.ndarray, w: FloatArray, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        """One IRLS solve: X'WX in packed form ([dense, coupling] blocks, see ``unpack``) and
        the coefficients. The IRLS keeps only the last step's X'WX of each fit, so the full
        matrix is built once per fit, by ``unpack``, instead of at every step."""
        if self.shared is not None:
            s0, s1, s2, z0, z1 = self.shared.sums(ids, w, z)
        else:
            t = self.t[ids]
            s0, s1, s2 = (self._group_sums(ids, w * t**power) for power in (0, 1, 2))
            z0, z1 = self._group_sums(ids, w * z), self._group_sums(ids, w * z * t)
        k_fits, m, d = ids.size, self.dense_cols.size, self.dummy_cols.size
        # laid out fits-fastest, as fancy indexing of a full X'WX lays them out (the products
        # in _solve_blocks then sum in the same order as through ``inverse``'s blocks); both
        # are views of one buffer, whose transpose is the packed X'WX (no copies to pack it)
        buffer = np.empty((m * m + d * m, k_fits))
        dense_a = buffer[: m * m].reshape(m, m, k_fits).transpose(2, 1, 0)
        coupling = buffer[m * m :].reshape(d, m, k_fits).transpose(2, 1, 0)
        rhs_dense = np.empty((k_fits, m))
        dense_a[:, 0, 0], rhs_dense[:, 0] = s0.sum(axis=1), z0.sum(axis=1)
        coupling[:, 0] = s0[:, 1:]
        if m == 2:
            dense_a[:, 0, 1] = dense_a[:, 1, 0] = s1.sum(axis=1)
            dense_a[:, 1, 1], rhs_dense[:, 1] = s2.sum(axis=1), z1.sum(axis=1)
            coupling[:, 1] = s1[:, 1:]
        r_d = np.asfortranarray(z0[:, 1:])
        packed = buffer.T
        diag = coupling[:, 0]
        if not np.all(s0[:, 1:] > 0.0):  # (= diag) an empty level: LAPACK reports the singular
            rhs = np.zeros((k_fits, self.n_par))  # system
            rhs[:, self.dense_cols], rhs[:, self.dummy_cols] = rhs_dense, r_d
            beta = np.linalg.solve(self.unpack(packed), rhs[:, :, None])[:, :, 0]
            return packed, np.asarray(beta, dtype=np.float64)
        return packed, self._solve_blocks(dense_a, coupling, diag, rhs_dense, r_d)

    def _blocks(self, a: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray] | None:
        """The arrowhead blocks of X'WX: dense (intercept, trend), coupling, dummy diagonal."""
        dense = self.dense_cols
        dummies = self.dummy_cols
        diag = a[:, dummies, dummies]
        if not np.all(diag > 0.0):
            return None
        return a[:, dense][:, :, dense], a[:, dense][:, :, dummies], diag

    def _solve_blocks(
        self,
        dense_a: FloatArray,
        coupling: FloatArray,
        diag: FloatArray,
        rhs_dense: FloatArray,
        r_d: FloatArray,
    ) -> FloatArray:
        """Solve X'WX beta = X'Wz through the Schur complement of the diagonal dummy block.

        The dummies are mutually exclusive, so X'WX is an arrowhead matrix: eliminating them
        leaves a 1x1 or 2x2 system, solved in closed form for all fits at once.
        """
        scaled = coupling / diag[:, None, :]  # B D^-1
        schur = dense_a - scaled @ np.swapaxes(coupling, 1, 2)
        reduced = rhs_dense - np.einsum("kmd,kd->km", scaled, r_d)
        beta = np.empty((dense_a.shape[0], self.n_par))
        top = _solve_small(schur, reduced)
        beta[:, self.dense_cols] = top
        beta[:, self.dummy_cols] = (r_d - np.einsum("kmd,km->kd", coupling, top)) / diag
        return beta

    def inverse(self, a: FloatArray) -> FloatArray:
        """(X'WX)^-1 by the same block elimination."""
        blocks = self._blocks(a)
        if blocks is None:
            return np.asarray(np.linalg.inv(a), dtype=np.float64)
        dense_a, coupling, diag = blocks
        dense = np.array([0] if self.cont_col is None else [0, self.cont_col])
        dummies = self.dummy_cols
        scaled = coupling / diag[:, None, :]
        schur_inv = _inverse_small(dense_a - scaled @ np.swapaxes(coupling, 1, 2))
        upper = -schur_inv @ scaled  # (K, m, d)
        out = np.empty_like(a)
        out[:, dense[:, None], dense[None, :]] = schur_inv
        out[:, dense[:, None], dummies[None, :]] = upper
        out[:, dummies[:, None], dense[None, :]] = np.swapaxes(upper, 1, 2)
        lower = np.swapaxes(scaled, 1, 2) @ schur_inv @ scaled
        idx = np.arange(dummies.size)
        lower[:, idx, idx] += 1.0 / diag
        out[:, dummies[:, None], dummies[None, :]] = lower
        return out

    def _effects(self, ids: np.ndarray, beta: FloatArray) -> FloatArray:
        """Group effect per row (0 for the baseline group)."""
        per_level = np.zeros((ids.size, self.levels))
        per_level[:, 1:] = beta[:, self.dummy_cols]
        out: FloatArray = np.take_along_axis(per_level, self.group[ids], axis=1)
        return out

    def predict(
        self, ids: np.ndarray, beta: FloatArray, out: FloatArray | None = None
    ) -> FloatArray:
        """The linear predictor; ``out`` is a buffer it may (not must) be written to."""
        if self.shared is not None:
            per_level = np.zeros((ids.size, self.levels))
            per_level[:, 1:] = beta[:, self.dummy_cols]
            slope = beta[:, self.cont_col] if self.cont_col is not None else None
            return self.shared.predict(ids, beta[:, 0], per_level, slope, out)
        eta = beta[:, :1] + self._effects(ids, beta)
        if self.cont_col is not None:
            eta = eta + beta[:, self.cont_col, None] * self.t[ids]
        result: FloatArray = eta
        return result

    def quadratic(self, inv: FloatArray) -> FloatArray:
        if self.shared is not None:
            return self.shared.quadratic(inv, self.t, self.dummy_cols, self.cont_col)
        ids = np.arange(inv.shape[0])
        t, g = self.t, self.group
        out = inv[:, 0, 0][:, None] + np.zeros_like(t)
        c = self.cont_col
        if c is not None:
            out = out + 2.0 * t * inv[:, 0, c][:, None] + t**2 * inv[:, c, c][:, None]
        if self.dummy_cols.size:
            cols = np.concatenate([[0], self.dummy_cols])  # level -> column (level 0 unused)
            col = cols[g]
            has = g > 0
            m0 = np.take_along_axis(inv[:, 0, :], col, axis=1)
            mgg = inv[ids[:, None], col, col]
            extra = 2.0 * m0 + mgg
            if c is not None:
                extra = extra + 2.0 * t * np.take_along_axis(inv[:, c, :], col, axis=1)
            out = out + np.where(has, extra, 0.0)
        result: FloatArray = out
        return result


def _solve_small(m: FloatArray, r: FloatArray) -> FloatArray:
    """Solve many 1x1 or 2x2 systems in closed form."""
    if m.shape[1] == 1:
        out: FloatArray = r / m[:, :, 0]
        return out
    det = m[:, 0, 0] * m[:, 1, 1] - m[:, 0, 1] * m[:, 1, 0]
    out = np.empty((m.shape[0], 2))  # (np.stack costs more than these products)
    out[:, 0] = (m[:, 1, 1] * r[:, 0] - m[:, 0, 1] * r[:, 1]) / det
    out[:, 1] = (m[:, 0, 0] * r[:, 1] - m[:, 1, 0] * r[:, 0]) / det
    return out


def _inverse_small(m: FloatArray) -> FloatArray:
    if m.shape[1] == 1:
        out: FloatArray = 1.0 / m
        return out
    det = m[:, 0, 0] * m[:, 1, 1] - m[:, 0, 1] * m[:, 1, 0]
    inv = np.empty_like(m)
    inv[:, 0, 0], inv[:, 1, 1] = m[:, 1, 1] / det, m[:, 0, 0] / det
    inv[:, 0, 1], inv[:, 1, 0] = -m[:, 0, 1] / det, -m[:, 1, 0] / det
    return inv


class _SharedLayout:
    """Every fit has the same rows: the same group per row and a continuous column of the form
    t[k, i] = p[k] + q[k] * c[i] (a time axis shifted and scaled per fit).

    Then every group sum is a matrix product with one fixed one-hot matrix, and the linear
    predictor is one matrix product too, instead of per-fit scatter and gather.
    """

    def __init__(self, onehot: FloatArray, c: FloatArray, p: FloatArray, q: FloatArray) -> None:
        self.levels = onehot.shape[1]
        self.p, self.q = p, q
        self.for_w = np.concatenate([onehot, onehot * c[:, None], onehot * c[:, None] ** 2], 1)
        self.for_z = self.for_w[:, : 2 * self.levels]
        self.rows_t = np.concatenate([onehot, c[:, None]], axis=1).T  # (levels + 1, n)
        self.onehot_t = np.ascontiguousarray(onehot.T)

    @staticmethod
    def detect(t: FloatArray, group: np.ndarray, levels: int) -> _SharedLayout | None:
        if t.shape[0] < 2 or not np.all(group == group[:1]):
            return None
        low = t.min(axis=1)
        span = t.max(axis=1) - low
        if np.all(span == 0.0):
            c = np.zeros(t.shape[1])
        elif np.all(span > 0.0):
            c = (t[0] - low[0]) / span[0]  # t = low + span * c, c in [0, 1] the same for all
            # np.allclose(t, fitted, rtol=1e-13, atol=0) for finite t, without its overhead
            fitted = low[:, None] + span[:, None] * c[None, :]
            if not np.all(np.abs(t - fitted) <= 1e-13 * np.abs(fitted)):
                return None
        else:
            return None
        onehot = (group[0][:, None] == np.arange(levels)[None, :]).astype(np.float64)
        return _SharedLayout(onehot, c, low, span)

    def sums(self, ids: np.ndarray, w: FloatArray, z: FloatArray) -> tuple[FloatArray, ...]:
        """Group sums of w, w t, w t^2, w z and w z t for the fits ``ids``."""
        lv = self.levels
        sw = w @ self.for_w
        sz = (w * z) @ self.for_z
        p, q = self.p[ids, None], self.q[ids, None]
        s0, sc, scc = sw[:, :lv], sw[:, lv : 2 * lv], sw[:, 2 * lv :]
        z0, zc = sz[:, :lv], sz[:, lv:]
        return s0, p * s0 + q * sc, p * p * s0 + 2.0 * p * q * sc + q * q * scc, z0, p * z0 + q * zc

    def predict(
        self,
        ids: np.ndarray,
        intercept: FloatArray,
        per_level: FloatArray,
        slope: FloatArray | None,
        out: FloatArray | None = None,
    ) -> FloatArray:
        coef = np.empty((ids.size, self.levels + 1))
        coef[:, : self.levels] = per_level + intercept[:, None]
        coef[:, self.levels] = 0.0
        if slope is not None:
            coef[:, : self.levels] += (slope * self.p[ids])[:, None]
            coef[:, self.levels] = slope * self.q[ids]
        eta: FloatArray = np.matmul(coef, self.rows_t, out=out)
        return eta

    def quadratic(
        self, inv: FloatArray, t: FloatArray, dummies: np.ndarray, cont: int | None
    ) -> FloatArray:
        """x_i' inv x_i for every row, with x_i = e_0 + e_(level of i) + t_i e_cont."""
        per_level = np.repeat(inv[:, 0, 0][:, None], self.levels, axis=1)
        per_level[:, 1:] += 2.0 * inv[:, 0, dummies] + inv[:, dummies, dummies]
        out: FloatArray = per_level @ self.onehot_t
        if cont is not None:
            cross = np.repeat(inv[:, 0, cont][:, None], self.levels, axis=1)
            cross[:, 1:] += inv[:, dummies, cont]
            out += t * (2.0 * (cross @ self.onehot_t) + t * inv[:, cont, cont][:, None])
        return out
