"""Explicit vs implicit generative models, side by side.

* ``GaussianMixture``: an *explicit* model. ``log_prob(x)`` is a formula you can evaluate at any x.
* ``ImplicitSampler``: an *implicit* model, x = g(z) with z ~ N(0, I) and g a fixed small neural
  network. Drawing samples is one forward pass; the density of a given x is not available (it would
  need g's inverse and Jacobian, and g need not be invertible), so it can only be *estimated* from
  samples (``histogram_density`` here, or ``ganlab.kde.GaussianKDE``).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.special import logsumexp

from ganlab.gaussian_classifier import gaussian_logpdf
from ganlab.toy_models import MLPConfig, mlp


class GaussianMixture:
    """p(x) = Σ_k w_k N(x; μ_k, Σ_k)."""

    def __init__(self, weights, means, covs):
        self.weights = np.asarray(weights, dtype=float)
        self.means = np.asarray(means, dtype=float)
        self.covs = np.asarray(covs, dtype=float)
        K = len(self.weights)
        if self.weights.ndim != 1 or (self.weights < 0).any() or not np.isclose(self.weights.sum(), 1):
            raise ValueError(f"weights must be a 1-D list of non-negative numbers summing to 1, got {weights!r}")
        if self.means.ndim != 2 or len(self.means) != K:
            raise ValueError(f"means must have shape ({K}, d), got shape {self.means.shape}")
        d = self.means.shape[1]
        if self.covs.shape != (K, d, d):
            raise ValueError(f"covs must have shape ({K}, {d}, {d}), got shape {self.covs.shape}")

    def log_prob(self, X) -> np.ndarray:
        """Exact log p(x) for each row of X."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        comps = [np.log(w) + gaussian_logpdf(X, m, c) for w, m, c in zip(self.weights, self.means, self.covs)]
        return logsumexp(np.stack(comps, 1), axis=1)

    def sample(self, n: int, seed: int | None = None) -> np.ndarray:
        """Pick a component k with probability w_k, then draw x ~ N(mu_k, Sigma_k)."""
        rng = np.random.default_rng(seed)
        k = rng.choice(len(self.weights), size=n, p=self.weights)
        X = np.empty((n, self.means.shape[1]))
        for j in range(len(self.weights)):
            X[k == j] = rng.multivariate_normal(self.means[j], self.covs[j], size=int((k == j).sum()))
        return X


class ImplicitSampler:
    """x = g(z), z ~ N(0, I_noise_dim), g a fixed random MLP (tanh hidden layer) into 2-D.

    With ``noise_dim=1`` every sample lies on a curve: a 1-D manifold in the plane, with no density
    at all in 2-D. With ``noise_dim=2`` a density exists, but nobody can write it down.
    """

    def __init__(self, noise_dim: int = 2, hidden: int = 32, seed: int = 0, out_dim: int = 2):
        if noise_dim < 1 or hidden < 1:
            raise ValueError(f"noise_dim and hidden must be >= 1, got {noise_dim!r}, {hidden!r}")
        gen = torch.Generator().manual_seed(seed)
        self.noise_dim = noise_dim
        self.net = mlp(noise_dim, out_dim, MLPConfig(width=hidden, depth=1, activation="tanh"))
        with torch.no_grad():
            for p in self.net.parameters():
                p.copy_(torch.randn(p.shape, generator=gen) * (1.5 if p.dim() == 2 else 0.5))
            self.net[2].weight.mul_(1.0 / np.sqrt(hidden))
        self.net.requires_grad_(False)

    def sample(self, n: int, seed: int | None = None) -> np.ndarray:
        """One forward pass on fresh noise: as many samples as you like, cheaply."""
        gen = torch.Generator().manual_seed(0 if seed is None else seed)
        z = torch.randn(n, self.noise_dim, generator=gen)
        return self.net(z).numpy().astype(float)

    def log_prob(self, X):
        raise NotImplementedError(
            "an implicit model has no density formula: x = g(z) can be sampled, but p(x) would need "
            "g's inverse and Jacobian. Estimate it from samples instead (histogram_density, GaussianKDE).")


def histogram_density(samples, bins: int, xlim, ylim) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """2-D histogram normalised to a density (integrates to the fraction of samples inside the box).

    Returns ``(density, xedges, yedges)``; ``density[i, j]`` covers x-bin i and y-bin j.
    """
    samples = np.asarray(samples, dtype=float)
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise ValueError(f"samples must have shape (n, 2), got shape {samples.shape}")
    if bins < 1:
        raise ValueError(f"bins must be >= 1, got {bins!r}")
    H, xe, ye = np.histogram2d(samples[:, 0], samples[:, 1], bins=bins, range=[xlim, ylim])
    area = (xe[1] - xe[0]) * (ye[1] - ye[0])
    return H / (len(samples) * area), xe, ye
