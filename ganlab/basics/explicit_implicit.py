"""Explicit vs implicit generative models, side by side.

* ``ganlab.theory.GaussianMixture``: an *explicit* model. ``logpdf(x)`` is a formula you can evaluate
  at any x (re-exported here for notebook 01).
* ``ImplicitSampler``: an *implicit* model, x = g(z) with z ~ N(0, I) and g a fixed small neural
  network. Drawing samples is one forward pass; the density of a given x is not available (it would
  need g's inverse and Jacobian, and g need not be invertible), so it can only be *estimated* from
  samples (``histogram_density`` here, or ``ganlab.basics.GaussianKDE``).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ganlab.theory import GaussianMixture

__all__ = ["GaussianMixture", "ImplicitSampler", "histogram_density"]


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
        self.net = nn.Sequential(nn.Linear(noise_dim, hidden), nn.Tanh(), nn.Linear(hidden, out_dim))  # z -> x
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

    def logpdf(self, X):
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
