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

    def predict(self, ids: np.ndarray, beta: FloatArray) -> FloatArray:
        out: FloatArray = (self.x[ids] @ beta[:, :, None])[:, :, 0]
        return out

    def quadratic(self, inv: FloatArray) -> FloatArray:
        """x_n' inv x_n for every row (for leverages)."""
        out: FloatArray = np.einsum("knp,kpq,knq->kn", self.x, inv, self.x)
        return out


class GroupedDesign:
    """Columns: intercept, optionally one continuous column, then mutually exclusive 0/1 ones."""

    def __init__(self, x: FloatArray, continuous: int | None, dummies: list[int]) -> None:
        k_fits, n_rows, n_par = x.shape
        self.n_par = n_par
        self.levels = len(dummies) + 1
        self.cont_col = continuous
        self.t = x[:, :, continuous] if continuous is not None else np.zeros((k_fits, n_rows))
        group = np.zeros((k_fits, n_rows), dtype=np.int64)
        for level, col in enumerate(dummies, start=1):
            group[x[:, :, col] == 1.0] = level
        self.group = group
        self.dummy_cols = np.array(dummies, dtype=np.int64)

    @staticmethod
    def detect(x: FloatArray, valid: np.ndarray) -> GroupedDesign | None:
        n_par = x.shape[2]
        if not np.all(x[:, :, 0][valid] == 1.0):
            return None
        binary = [j for j in range(1, n_par) if np.all((x[:, :, j] == 0.0) | (x[:, :, j] == 1.0))]
        other = [j for j in range(1, n_par) if j not in binary]
        if len(other) > 1:
            return None
        if binary and np.any(x[:, :, binary].sum(axis=2) > 1.0):
            return None
        return GroupedDesign(x, other[0] if other else None, binary)

    def _group_sums(self, ids: np.ndarray, values: FloatArray) -> FloatArray:
        flat = (np.arange(ids.size)[:, None] * self.levels + self.group[ids]).ravel()
        sums = np.bincount(flat, weights=values.ravel(), minlength=ids.size * self.levels)
        out: FloatArray = np.asarray(sums, dtype=np.float64).reshape(ids.size, self.levels)
        return out

    def solve(self, ids: np.ndarray, w: FloatArray, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        t = self.t[ids]
        s0, s1, s2 = (self._group_sums(ids, w * t**power) for power in (0, 1, 2))
        z0, z1 = self._group_sums(ids, w * z), self._group_sums(ids, w * z * t)
        k_fits, p = ids.size, self.n_par
        a = np.zeros((k_fits, p, p))
        rhs = np.zeros((k_fits, p))
        a[:, 0, 0], rhs[:, 0] = s0.sum(axis=1), z0.sum(axis=1)
        c = self.cont_col
        if c is not None:
            a[:, 0, c] = a[:, c, 0] = s1.sum(axis=1)
            a[:, c, c], rhs[:, c] = s2.sum(axis=1), z1.sum(axis=1)
        for level, col in enumerate(self.dummy_cols, start=1):
            a[:, 0, col] = a[:, col, 0] = a[:, col, col] = s0[:, level]
            rhs[:, col] = z0[:, level]
            if c is not None:
                a[:, c, col] = a[:, col, c] = s1[:, level]
        beta = np.asarray(np.linalg.solve(a, rhs[:, :, None])[:, :, 0], dtype=np.float64)
        return a, beta

    def _effects(self, ids: np.ndarray, beta: FloatArray) -> FloatArray:
        """Group effect per row (0 for the baseline group)."""
        per_level = np.zeros((ids.size, self.levels))
        per_level[:, 1:] = beta[:, self.dummy_cols]
        out: FloatArray = np.take_along_axis(per_level, self.group[ids], axis=1)
        return out

    def predict(self, ids: np.ndarray, beta: FloatArray) -> FloatArray:
        eta = beta[:, :1] + self._effects(ids, beta)
        if self.cont_col is not None:
            eta = eta + beta[:, self.cont_col, None] * self.t[ids]
        out: FloatArray = eta
        return out

    def quadratic(self, inv: FloatArray) -> FloatArray:
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
