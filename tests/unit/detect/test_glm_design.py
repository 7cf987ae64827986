"""The structured normal equations equal the plain matrix ones (random synthetic designs)."""

from __future__ import annotations

import numpy as np
import pytest

from sitroom.analysis.detect.glm import Prepared, fit_poisson, prepare
from sitroom.analysis.detect.glm_design import GenericDesign, GroupedDesign


def _grouped(shared: bool, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """K fits of n rows: intercept, a time column, one-hot levels 1..4 (level 0 = baseline)."""
    rng = np.random.default_rng(seed)
    k_fits, n_rows, levels = 6, 40, 5
    if shared:  # the same rows for every fit, time shifted by the fit's position
        group = np.tile(np.arange(n_rows) % levels, (k_fits, 1))
        time = np.arange(n_rows)[None, :] + 7.0 * np.arange(k_fits)[:, None] + 1.0
    else:
        group = rng.integers(0, levels, size=(k_fits, n_rows))
        time = rng.uniform(1.0, 50.0, size=(k_fits, n_rows))
    x = np.zeros((k_fits, n_rows, 2 + levels - 1))
    x[:, :, 0], x[:, :, 1] = 1.0, time
    for level in range(1, levels):
        x[:, :, 1 + level] = group == level
    y = rng.poisson(np.exp(1.0 + 0.3 * (group == 2) + 0.01 * time)).astype(np.float64)
    return x, y


@pytest.mark.parametrize("shared", [True, False])
def test_grouped_solve_inverse_and_leverages_equal_the_generic_ones(shared: bool) -> None:
    x, _ = _grouped(shared, seed=1)
    valid = np.ones(x.shape[:2], dtype=bool)
    prepared = prepare(x, valid)
    grouped = prepared.design
    assert isinstance(grouped, GroupedDesign)
    assert (grouped.shared is not None) is shared
    generic = GenericDesign(x / prepared.scale[:, None, :])
    rng = np.random.default_rng(2)
    ids = np.arange(x.shape[0])
    w, z = rng.uniform(0.5, 2.0, size=x.shape[:2]), rng.normal(size=x.shape[:2])
    info_g, beta_g = grouped.solve(ids, w, z)
    info_p, beta_p = generic.solve(ids, w, z)
    assert np.allclose(info_g, info_p, rtol=1e-12, atol=0.0)
    assert np.allclose(beta_g, beta_p, rtol=1e-9, atol=1e-12)
    assert np.allclose(grouped.predict(ids, beta_p), generic.predict(ids, beta_p), rtol=1e-12)
    inv = np.asarray(np.linalg.inv(info_p), dtype=np.float64)
    assert np.allclose(grouped.inverse(info_p), inv, rtol=1e-9, atol=1e-12)
    assert np.allclose(grouped.quadratic(inv), generic.quadratic(inv), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("shared", [True, False])
def test_a_fit_is_the_same_through_either_design(shared: bool) -> None:
    x, y = _grouped(shared, seed=3)
    weights = np.ones_like(y)
    valid = weights > 0
    grouped = fit_poisson(x, y, weights, prepared=prepare(x, valid))
    scale = prepare(x, valid).scale
    plain = fit_poisson(
        x, y, weights, prepared=Prepared(scale, GenericDesign(x / scale[:, None, :]))
    )
    assert grouped.converged.all() and plain.converged.all()
    assert np.allclose(grouped.coef, plain.coef, rtol=1e-9, atol=1e-12)
    assert np.allclose(grouped.cov_unscaled, plain.cov_unscaled, rtol=1e-8, atol=1e-14)
    assert np.allclose(grouped.hat, plain.hat, rtol=1e-8, atol=1e-14)
