"""Multi-modal targets for studying mode collapse, and how to measure it from samples.

Targets (all ``ganlab.theory.GaussianMixture``: isotropic components ``N(mean_k, sd_k^2 I)``)
    - 1-D: ``bimodal_1d()``,
    - 2-D: ``ring(8)`` (eight Gaussians on a circle) and ``grid(5)`` (a 5 x 5 grid of 25 Gaussians).

Mode coverage (``coverage``; ``coverage_1d`` for the live 1-D dashboard)
    Assign every generated sample to its nearest mode, measured in that mode's standard deviations.
    A sample is *high quality* if it lies within ``radius`` (3) sd of that mode. A mode is *covered*
    if it holds at least ``min_share`` (a quarter) of the high-quality samples it should hold,
    i.e. ``count_k >= min_share * weight_k * n``. "Quality" is the fraction of all samples that are
    high quality. A collapsed generator has high quality and low coverage; a blurry one the reverse.

2-D divergence (``hist_jsd_2d``)
    JSD between the exact bin masses of the target and a histogram of n generated samples on a square
    grid (plus one bin for everything outside). Only the generator side is estimated, so the plug-in
    value is biased upward by about (occupied bins) / (8 n) nats when p_g ~ p_data;
    ``jsd_floor_2d`` measures that floor by feeding samples of the target itself.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.stats import chi2

from ganlab.theory import GaussianMixture, js_from_values


def ring(k: int = 8, radius: float = 2.0, sd: float = 0.1) -> GaussianMixture:
    """``k`` Gaussians evenly spaced on a circle (the classic mode-collapse benchmark)."""
    ang = 2 * np.pi * np.arange(k) / k
    return GaussianMixture(tuple(zip(radius * np.cos(ang), radius * np.sin(ang))), (sd,) * k, name=f"ring of {k}")


def grid(side: int = 5, spacing: float = 2.0, sd: float = 0.1) -> GaussianMixture:
    """A ``side`` x ``side`` grid of Gaussians centred on the origin (25 modes for side 5)."""
    c = spacing * (np.arange(side) - (side - 1) / 2)
    return GaussianMixture(tuple((a, b) for a in c for b in c), (sd,) * side**2, name=f"grid of {side * side}")


def bimodal_1d(separation: float = 4.0, sd: float = 0.4) -> GaussianMixture:
    """Two equal, well-separated 1-D Gaussians at ±separation/2."""
    return GaussianMixture((-separation / 2, separation / 2), (sd, sd))


def coverage(samples, target, radius: float = 3.0, min_share: float = 0.25) -> dict:
    """Mode coverage and sample quality of ``samples`` (shape (n,) or (n, d)) against a mixture target.

    Returns a dict:
        covered   number of modes holding >= min_share of their expected share of high-quality samples
        n_modes   number of modes of the target
        coverage  covered / n_modes (1.0 = every mode present)
        quality   fraction of samples within ``radius`` sd of their nearest mode
        counts    high-quality samples per mode (array, K)
        expected  weight_k * n, what each mode should hold (array, K)
        spread    per mode, the median distance of its high-quality samples from the mode's centre over the
                  same for the mode itself (array, K; nan with fewer than 2 samples): 1 = as wide as the
                  mode, 0.2 = a spike a fifth as wide.
                  Coverage and quality cannot see this *within-mode* collapse; the spread can.
    """
    w, mu, sd = target.arrays()
    x = np.asarray(samples, dtype=float).reshape(len(samples), -1)
    if x.shape[1] != mu.shape[1]:
        raise ValueError(f"samples have dimension {x.shape[1]}, the target {mu.shape[1]}")
    n = len(x)
    if n == 0:
        raise ValueError("need at least one sample")
    r, nearest, good = nearest_mode(x, mu, sd, radius)
    counts = np.bincount(nearest[good], minlength=len(w))
    expected = w * n
    covered = int(np.sum(counts >= min_share * expected))
    return {"covered": covered, "n_modes": len(w), "coverage": covered / len(w),
            "quality": float(good.mean()), "counts": counts, "expected": expected,
            "spread": _spread(r, nearest, good, len(w), mu.shape[1], radius)}


def nearest_mode(x: np.ndarray, mu: np.ndarray, sd: np.ndarray, radius: float):
    """The rule behind :func:`coverage`: for samples x (..., n, d) and modes (means mu (K, d), sds (K,)), the
    distance to the nearest mode in that mode's sds (..., n), its index (..., n), and whether it is within
    ``radius`` sds: a high-quality sample (..., n). Non-finite samples are infinitely far, never high quality."""
    dist = np.sqrt(((x[..., :, None, :] - mu) ** 2).sum(-1)) / sd  # (..., n, K)
    dist = np.where(np.isfinite(dist), dist, np.inf)
    nearest = dist.argmin(-1)
    r = np.take_along_axis(dist, nearest[..., None], -1)[..., 0]
    return r, nearest, r <= radius


def _spread(r, nearest, good, K, dim, radius):
    """Median distance r (in sds) of each mode's high-quality samples from its centre, over the same median
    for the mode itself. For a Gaussian cut at ``radius``, r^2 is chi-square(dim) cut at radius^2, so its
    median is sqrt(chi2.ppf(F(radius^2) / 2)): true samples give 1. A median, not an RMS, so that a spike
    with a few leaked samples around it still reads as a spike."""
    ref = np.sqrt(chi2.ppf(0.5 * chi2.cdf(radius**2, dim), dim))
    out = np.full(K, np.nan)
    for k in range(K):
        rk = r[good & (nearest == k)]
        if len(rk) >= 2:
            out[k] = np.median(rk) / ref
    return out


def coverage_1d(samples, target, radius: float = 3.0, min_share: float = 0.25) -> dict:
    """``coverage`` for 1-D samples (shape (n,) or (n, 1)) and a Gaussian / GaussianMixture target.

    For a live readout: ``c = coverage_1d(x, target); f"modes {c['covered']}/{c['n_modes']}, quality {c['quality']:.0%}"``.
    """
    x = np.asarray(samples, dtype=float).reshape(-1)
    return coverage(x, target, radius, min_share)


def hist_edges_2d(target: GaussianMixture, bins: int = 80) -> np.ndarray:
    L = target.extent()
    return np.linspace(-L, L, bins + 1)


def hist_jsd_2d(samples, target: GaussianMixture, bins: int = 80) -> float:
    """JSD(p_data, p_g) from a ``bins`` x ``bins`` histogram of 2-D samples (+ one outside bin).

    p_data's bin masses are exact; p_g's are sample fractions, so the value is biased upward
    (see ``jsd_floor_2d``)."""
    x = np.asarray(samples, dtype=float)
    e = hist_edges_2d(target, bins)
    return binned_jsd_2d(target.box_masses(e, e).ravel(), x, e)


def binned_jsd_2d(p, x, edges) -> float:
    """JSD between exact bin masses ``p`` (the raveled ``edges`` x ``edges`` grid) and the histogram of the
    (n, 2) samples ``x`` on that grid, each with one more bin for everything outside (non-finite samples too)."""
    finite = np.isfinite(x).all(1)
    q, _, _ = np.histogram2d(x[finite, 0], x[finite, 1], bins=[edges, edges])
    q = q.ravel() / len(x)
    p = np.append(p, max(1.0 - p.sum(), 0.0))
    q = np.append(q, max(1.0 - q.sum(), 0.0))
    return js_from_values(p, q, np.ones_like(p))


def jsd_floor_2d(target: GaussianMixture, n: int, bins: int = 80, seed: int = 0) -> float:
    """The histogram JSD of n samples of the target itself: the estimator's bias at p_g = p_data."""
    return hist_jsd_2d(target.sample(n, seed), target, bins)


def torch_sample(target, n: int, u: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """Samples of a mixture built from given uniforms ``u`` (..., n) and normals ``eps`` (..., n, d)."""
    w, mu, sd = target.arrays()
    cum = torch.tensor(np.cumsum(w)[:-1], dtype=torch.float32)
    k = torch.searchsorted(cum, u.contiguous(), right=True)
    mu_t = torch.tensor(mu, dtype=torch.float32)
    sd_t = torch.tensor(sd, dtype=torch.float32)
    return mu_t[k] + sd_t[k].unsqueeze(-1) * eps
