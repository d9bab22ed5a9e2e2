"""Gaussian kernel density estimate: put a small Gaussian of width ``bandwidth`` on every training point.

    p_h(x) = (1/n) Σ_i N(x; x_i, h² I)

Small h memorises the training set (superb training likelihood, samples that copy training points);
large h blurs everything. Also estimates the density of a sampler from its samples alone.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from ganlab.theory import LOG_2PI


def check_bandwidth(bandwidth) -> float:
    if isinstance(bandwidth, bool) or not isinstance(bandwidth, (int, float, np.integer, np.floating)) \
            or not np.isfinite(bandwidth) or bandwidth <= 0:
        raise ValueError(f"bandwidth must be a positive finite number (> 0), got {bandwidth!r}")
    return float(bandwidth)


class GaussianKDE:
    """Isotropic Gaussian KDE with one bandwidth ``h`` (the kernels' standard deviation)."""

    def __init__(self, bandwidth: float):
        self.bandwidth = check_bandwidth(bandwidth)

    def fit(self, X) -> "GaussianKDE":
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or len(X) == 0:
            raise ValueError(f"X must be 2-D with shape (n, d) and n >= 1, got shape {X.shape}")
        self.X_ = X
        return self

    def log_density(self, X, chunk: int = 2048) -> np.ndarray:
        """log p_h(x) for each row of X, shape (n,)."""
        X = np.asarray(X, dtype=float)
        d = self.X_.shape[1]
        if X.ndim != 2 or X.shape[1] != d:
            raise ValueError(f"X must have shape (n, {d}), got shape {X.shape}")
        h2 = self.bandwidth ** 2
        const = -np.log(len(self.X_)) - 0.5 * d * (LOG_2PI + np.log(h2))
        sq_train = (self.X_ ** 2).sum(1)
        out = np.empty(len(X))
        for s in range(0, len(X), chunk):
            B = X[s:s + chunk]
            sq = (B ** 2).sum(1)[:, None] + sq_train[None] - 2 * B @ self.X_.T
            out[s:s + chunk] = logsumexp(-0.5 * np.maximum(sq, 0) / h2, axis=1) + const
        return out

    def score(self, X) -> float:
        """Average log-likelihood per point (nats): the number to compare between models."""
        return float(self.log_density(X).mean())

    def sample(self, n: int, seed: int | None = None, return_index: bool = False):
        """Pick a training point at random, add N(0, h² I) noise. With ``return_index`` also the picks."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be an integer >= 0, got {n!r}")
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, len(self.X_), n)
        S = self.X_[idx] + self.bandwidth * rng.standard_normal((n, self.X_.shape[1]))
        return (S, idx) if return_index else S


def nearest_distance(A, B) -> np.ndarray:
    """Distance from each row of A to its nearest row of B: near 0 means "a copy of B"."""
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    sq = (A ** 2).sum(1)[:, None] + (B ** 2).sum(1)[None] - 2 * A @ B.T
    return np.sqrt(np.maximum(sq.min(1), 0))
