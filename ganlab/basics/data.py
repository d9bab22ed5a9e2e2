"""Seeded toy data for notebook 01: two labelled classes in 2-D, a higher-dimensional variant, moons.

Every maker returns ``X`` of shape ``(n, d)`` (float64) and labels ``y`` of shape ``(n,)`` (int,
0 or 1). Classes are balanced (``n // 2`` of class 0, the rest class 1) and shuffled, so even
four points hold both classes.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

# Class shapes for the 2-D data: class 0 is tilted, class 1 round and a little wider.
COV0_2D = np.array([[1.0, 0.6], [0.6, 0.8]])
COV1_2D = np.array([[0.7, -0.2], [-0.2, 1.2]])
DIRECTION_2D = np.array([1.0, 0.5]) / np.linalg.norm([1.0, 0.5])


def _check_n(n: int, least: int = 2) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < least:
        raise ValueError(f"n must be an integer >= {least}, got {n!r}")
    return int(n)


def _balanced_labels(n: int, rng: np.random.Generator) -> np.ndarray:
    y = np.r_[np.zeros(n // 2, dtype=int), np.ones(n - n // 2, dtype=int)]
    return rng.permutation(y)


def class_means_2d(separation: float) -> np.ndarray:
    """Means of the two 2-D classes, ``separation`` apart along a fixed direction: shape (2, 2)."""
    return np.stack([-separation / 2 * DIRECTION_2D, separation / 2 * DIRECTION_2D])


def two_class_2d(n: int, separation: float = 3.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian classes in the plane whose means lie ``separation`` apart (0 = on top of each other).

    Class 0 ~ N(-s/2 u, COV0_2D), class 1 ~ N(+s/2 u, COV1_2D) with a fixed unit vector u. Different
    covariances make the true (Bayes) boundary curved.
    """
    n = _check_n(n)
    if not np.isfinite(separation) or separation < 0:
        raise ValueError(f"separation must be a finite number >= 0, got {separation!r}")
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, rng)
    means = class_means_2d(separation)
    chol = [np.linalg.cholesky(COV0_2D), np.linalg.cholesky(COV1_2D)]
    z = rng.standard_normal((n, 2))
    X = np.empty((n, 2))
    for k in (0, 1):
        m = y == k
        X[m] = means[k] + z[m] @ chol[k].T
    return X, y


def block_covariance(dim: int, block: int, rho: float) -> np.ndarray:
    """Unit variances; features inside each block of ``block`` neighbours correlate with ``rho``."""
    C = np.eye(dim) * (1 - rho)
    for s in range(0, dim, block):
        C[s:s + block, s:s + block] += rho
    return C


def correlated_features(n: int, dim: int = 30, block: int = 5, rho: float = 0.2,
                        bayes_accuracy: float = 0.85, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian classes in ``dim`` dimensions with a shared, mildly correlated covariance.

    Within a class, features come in blocks of ``block`` that correlate with ``rho``; the class means
    differ in the first two features of each block. Naive Bayes' "features independent given the
    class" is therefore *roughly* right (rho small), not exactly. The mean shift is scaled so that the
    best possible classifier reaches ``bayes_accuracy``.
    """
    n = _check_n(n)
    if not (0 <= rho < 1):
        raise ValueError(f"rho must lie in [0, 1), got {rho!r}")
    if not (0.5 < bayes_accuracy < 1):
        raise ValueError(f"bayes_accuracy must lie in (0.5, 1), got {bayes_accuracy!r}")
    C = block_covariance(dim, block, rho)
    delta = np.zeros(dim)
    for s in range(0, dim, block):
        delta[s:s + 2] = 1.0
    # Mahalanobis distance between the means fixes the Bayes accuracy: acc = Phi(distance / 2).
    maha = np.sqrt(delta @ np.linalg.solve(C, delta))
    delta *= 2 * norm.ppf(bayes_accuracy) / maha
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, rng)
    X = rng.standard_normal((n, dim)) @ np.linalg.cholesky(C).T + np.where(y[:, None] == 1, 0.5, -0.5) * delta
    return X, y


def moons(n: int, noise: float = 0.1, seed: int = 0) -> np.ndarray:
    """Unlabelled 2-D points on two interleaved half circles (a curved, low-dimensional shape)."""
    n = _check_n(n)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    X = np.where(upper[:, None], np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    return X + noise * rng.standard_normal((n, 2))
