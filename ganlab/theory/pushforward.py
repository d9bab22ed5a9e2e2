"""p_g, the density of x = G(z) for a learned 1-D generator, without sampling noise.

With 1-D noise, G maps the real line to the real line, and the density of x = G(z) follows from
the change of variables

    p_g(x) = Σ over every z with G(z) = x of  p_z(z) / |G'(z)|

(one term per monotone branch of G; a single term when G is monotone). Two views of it:

- ``generator_density(g, x)``: that formula evaluated at points x (for drawing p_g and D*),
- ``pushforward_masses(g, edges)``: the exact probability that G(z) lands in each bin, from the
  noise mass of each small z-interval spread over the x-interval it maps onto. It conserves mass even
  where G is flat (a collapsed generator is a point mass, which no density can draw), so divergences
  computed from it are trustworthy in every regime.

With noise of more than one dimension there is no such formula; ``masses_from_samples`` histograms
samples instead. Its plug-in JSD is biased upward by roughly (bins − 1) / (4 n) nats for n samples.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import stats

_NOISE = {  # kind -> (z range that holds all but ~2e-9 of the mass, pdf, cdf)
    "gaussian": ((-6.0, 6.0), stats.norm.pdf, stats.norm.cdf),
    "uniform": ((-1.0, 1.0), lambda z: np.where(np.abs(z) <= 1.0, 0.5, 0.0),
                lambda z: np.clip((z + 1.0) / 2.0, 0.0, 1.0)),
}
NOISE_KINDS = tuple(_NOISE)


def _noise(kind: str):
    if kind not in _NOISE:
        raise ValueError(f"unknown noise {kind!r}: expected one of {NOISE_KINDS}")
    return _NOISE[kind]


def noise_grid(kind: str, n: int = 2001) -> np.ndarray:
    """A z grid that holds all but ~2e-9 of the noise mass: [-6, 6] for N(0,1), [-1, 1] for U(-1,1)."""
    lo, hi = _noise(kind)[0]
    return np.linspace(lo, hi, n)


def noise_pdf(z, kind: str) -> np.ndarray:
    return _noise(kind)[1](np.asarray(z, dtype=float))


def noise_cdf(z, kind: str) -> np.ndarray:
    return _noise(kind)[2](np.asarray(z, dtype=float))


@torch.no_grad()
def apply_generator(g, z: np.ndarray) -> np.ndarray:
    """G evaluated on a 1-D numpy z grid; g is a module or callable taking a (n, 1) float tensor."""
    zt = torch.as_tensor(np.asarray(z, dtype=np.float32)).reshape(-1, 1)
    return g(zt).reshape(-1).double().numpy()


def _check_1d_noise(g):
    if getattr(g, "noise_dim", 1) != 1:
        raise ValueError(f"exact p_g needs 1-D noise, got noise_dim={g.noise_dim}; use masses_from_samples")


def generator_density(g, x, noise: str = "gaussian", n_z: int = 4001) -> np.ndarray:
    """p_g(x) by change of variables, summed over the monotone branches of G (exact up to the z grid).

    Flat stretches of G (G' = 0) hold point masses, which have no density and are left out here.
    """
    _check_1d_noise(g)
    z = noise_grid(noise, n_z)
    xz = apply_generator(g, z)
    return density_from_curve(z, xz, np.asarray(x, dtype=float), noise)


def density_from_curve(z: np.ndarray, xz: np.ndarray, x: np.ndarray, noise: str = "gaussian") -> np.ndarray:
    """Change of variables for a generator known on a z grid: xz[i] = G(z[i])."""
    slope = np.gradient(xz, z)
    pz = noise_pdf(z, noise)
    sign = np.sign(np.diff(xz))
    out = np.zeros_like(x)
    # split the grid into runs where G is strictly increasing or strictly decreasing
    cuts = np.flatnonzero(sign[1:] != sign[:-1]) + 1
    for seg in np.split(np.arange(len(sign)), cuts):
        if len(seg) == 0 or sign[seg[0]] == 0:
            continue
        idx = np.append(seg, seg[-1] + 1)
        xs, dens = xz[idx], pz[idx] / np.abs(slope[idx])
        if sign[seg[0]] < 0:
            xs, dens = xs[::-1], dens[::-1]
        out += np.interp(x, xs, dens, left=0.0, right=0.0)
    return out


def pushforward_masses(g, edges, noise: str = "gaussian", n_z: int = 2001) -> np.ndarray:
    """Probability that G(z) falls in each bin [edges[i], edges[i+1]); mass-conserving and exact
    for a G that is linear between grid points (ReLU nets are piecewise linear)."""
    _check_1d_noise(g)
    z = noise_grid(noise, n_z)
    return masses_from_curve(z, apply_generator(g, z), np.asarray(edges, dtype=float), noise)


def masses_from_curve(z: np.ndarray, xz: np.ndarray, edges: np.ndarray, noise: str = "gaussian") -> np.ndarray:
    """Bin masses of x = G(z) for G known on a z grid (linear between grid points).

    Each z-interval's noise mass is spread evenly over the x-interval it maps onto, so the CDF of x
    is a sum of ramps; it is evaluated at the edges in O(n log n) from sorted ramp breakpoints.
    Intervals shorter than 1e-9 are point masses (a flat, collapsed G).
    """
    mass = np.diff(noise_cdf(z, noise))  # noise mass of each z-interval
    lo = np.minimum(xz[:-1], xz[1:])
    hi = np.maximum(xz[:-1], xz[1:])
    span = hi - lo
    ramp = span > 1e-9
    slope = mass[ramp] / span[ramp]
    # F(e) = sum_j delta_j * max(e - b_j, 0): slope +s at lo, -s at hi, plus steps for point masses
    b = np.concatenate([lo[ramp], hi[ramp]])
    delta = np.concatenate([slope, -slope])
    order = np.argsort(b, kind="stable")
    b, delta = b[order], delta[order]
    s1 = np.concatenate([[0.0], np.cumsum(delta)])
    s2 = np.concatenate([[0.0], np.cumsum(delta * b)])
    k = np.searchsorted(b, edges, side="right")
    cdf = edges * s1[k] - s2[k]
    pts, pmass = lo[~ramp], mass[~ramp]
    if pts.size:
        order = np.argsort(pts)
        cum = np.concatenate([[0.0], np.cumsum(pmass[order])])
        cdf = cdf + cum[np.searchsorted(pts[order], edges, side="left")]  # P(x < e): point at e goes right
    return np.maximum(np.diff(cdf), 0.0)  # clip round-off below zero


def masses_from_samples(samples, edges) -> np.ndarray:
    """Fraction of samples in each bin (a histogram). Plug-in JSD from it is biased upward by ~(bins-1)/(4n)."""
    samples = np.asarray(samples, dtype=float).ravel()
    if samples.size == 0:
        raise ValueError("need at least one sample")
    counts, _ = np.histogram(samples, bins=np.asarray(edges, dtype=float))
    return counts / samples.size


def kde_density(samples, x, bandwidth: float | None = None) -> np.ndarray:
    """Gaussian KDE of samples at x (Scott's rule when bandwidth is None). Smooths p_g: biased, but no bins."""
    samples = np.asarray(samples, dtype=float).ravel()
    if bandwidth is not None and bandwidth <= 0:
        raise ValueError(f"bandwidth must be > 0, got {bandwidth!r}")
    kde = stats.gaussian_kde(samples, bw_method=None if bandwidth is None else bandwidth / samples.std(ddof=1))
    return kde(np.asarray(x, dtype=float))


# ----- binned p_data vs p_g: what the toy trainers' exact metrics are computed on ----------------
def metric_edges(target, x_gen: np.ndarray, fine: int = 240, coarse: int = 400) -> np.ndarray:
    """Bin edges for divergences: fine around each target component (±8 sd), coarse over everything
    (the target and the generated points ``x_gen``)."""
    parts = [m + s * np.linspace(-8, 8, fine + 1) for _, m, s in target.components()]
    lo = min(p[0] for p in parts)
    hi = max(p[-1] for p in parts)
    if x_gen.size:
        lo, hi = min(lo, float(x_gen.min()) - 1e-6), max(hi, float(x_gen.max()) + 1e-6)
    parts.append(np.linspace(lo, hi, coarse + 1))
    return np.unique(np.concatenate(parts))


def binned_masses(target, z: np.ndarray | None, xz: np.ndarray, noise: str = "gaussian"):
    """(edges, p, q): the target's exact bin masses p and the generator's q on shared edges.

    With ``z`` (a 1-D noise grid and its image ``xz = G(z)``), q is exact (:func:`masses_from_curve`).
    With ``z=None``, ``xz`` are generated samples and q is their histogram (coarser bins: 60 per
    component, 100 overall), so q carries sampling noise."""
    xz = np.asarray(xz, dtype=float).reshape(-1)
    if z is not None:
        edges = metric_edges(target, xz)
        q = masses_from_curve(z, xz, edges, noise)
    else:
        edges = metric_edges(target, xz[np.isfinite(xz)], fine=60, coarse=100)
        q = masses_from_samples(np.clip(xz, edges[0], edges[-1]), edges)
    p = np.maximum(np.diff(target.cdf(edges)), 0.0)
    return edges, p, q
