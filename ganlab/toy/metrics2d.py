"""What the 2-D lab measures beyond GAN Lab, each estimator named and its bias stated.

* :func:`minibatch_w1`: the **exact** Wasserstein-1 distance between two equal-size point sets (the empirical
  measures of a real and a fake minibatch). With equal weights 1/n the optimal transport plan is a
  permutation (Birkhoff), so W1 = min over matchings of the mean matched distance: an assignment problem,
  solved exactly by ``scipy.optimize.linear_sum_assignment`` on the pairwise distance matrix (O(n³); n = 128
  takes about a millisecond). It is exact *for the two minibatches*; as an estimate of W1(p_data, p_g) it is
  biased upward (two samples of the *same* distribution are at W1 > 0): :func:`minibatch_w1_floor` measures
  that floor with two real minibatches.
* :func:`hist_jsd`: the **plug-in histogram JSD** (GAN Lab's KL/JS come from a 30×30 grid histogram): a
  ``bins`` × ``bins`` grid over the view box plus one bin for everything outside; p_data's bin masses are exact
  (:meth:`Target2D.bin_masses`), p_g's are sample fractions of n generated points. Binning can only lower a
  divergence, while the sampling noise of p_g's histogram raises it: at p_g = p_data the value is about
  (occupied bins) / (8 n) nats, not 0. :func:`hist_jsd_floor` measures that floor with samples of the target.
* :func:`noise_lattice`: the grid in noise space whose image under G is the generator's *manifold*.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from ganlab.theory import NOISE_KINDS
from ganlab.toy.targets import binned_jsd_2d

JSD_ESTIMATOR = "plug-in histogram JSD (30×30 bins + outside; p exact, p_g from samples)"
W1_ESTIMATOR = "exact minibatch W1 (optimal matching, linear_sum_assignment)"
GAUSSIAN_QUANTILE_RANGE = (0.01, 0.99)  # the Gaussian noise lattice spans these quantiles (±2.33 sd)


def minibatch_w1(a, b) -> float:
    """Exact W1 between the empirical measures of two point sets of equal size n: (n, d) and (n, d)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 2 or a.shape != b.shape or len(a) == 0:
        raise ValueError(f"need two (n, d) arrays of the same shape with n >= 1, got {a.shape} and {b.shape}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("inf")
    cost = cdist(a, b)
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def minibatch_w1_floor(target, n: int, repeats: int = 8, seed: int = 0) -> float:
    """Mean minibatch W1 between two independent real minibatches of size n: the estimator's value at p_g = p_data."""
    rng = np.random.default_rng(seed)
    return float(np.mean([minibatch_w1(target.sample(n, rng), target.sample(n, rng)) for _ in range(repeats)]))


def hist_jsd(samples, target, half_width: float, bins: int = 30) -> float:
    """Plug-in JSD(p_data, p_g) in nats on a ``bins`` x ``bins`` grid over [-half_width, half_width]² (+ outside)."""
    x = np.asarray(samples, dtype=float).reshape(-1, 2)
    e = np.linspace(-half_width, half_width, bins + 1)
    return binned_jsd_2d(target.bin_masses(e).ravel(), x, e)


def hist_jsd_floor(target, n: int, half_width: float, bins: int = 30, seed: int = 0) -> float:
    """:func:`hist_jsd` of n samples of the target itself: the estimator's bias at p_g = p_data."""
    return hist_jsd(target.sample(n, seed), target, half_width, bins)


def noise_lattice(kind: str = "gaussian", dim: int = 2, lines: int = 11, points: int = 41) -> np.ndarray:
    """Polylines in noise space: (n_lines, points, dim). G maps them to the manifold drawn in the lab.

    dim 1: one polyline through the noise range. dim >= 2: ``lines`` lines of constant z₁ and ``lines`` of
    constant z₂ (a lattice; further coordinates 0). The lines sit at evenly spaced *quantiles* of p(z), so
    every cell of the lattice holds the same probability mass: where G stretches a cell its density is low,
    where it squashes one, high. Uniform noise spans [-1, 1]; Gaussian noise the quantiles 1 %..99 %."""
    if kind not in NOISE_KINDS:
        raise ValueError(f"unknown noise {kind!r}: expected one of {NOISE_KINDS}")
    if not (isinstance(dim, int) and dim >= 1 and lines >= 2 and points >= 2):
        raise ValueError(f"need dim >= 1, lines >= 2 and points >= 2, got {dim}, {lines}, {points}")
    if kind == "uniform":
        to_z = lambda u: 2 * u - 1
    else:
        lo, hi = GAUSSIAN_QUANTILE_RANGE
        to_z = lambda u: stats.norm.ppf(lo + (hi - lo) * u)
    fine = to_z(np.linspace(0, 1, points))
    if dim == 1:
        return fine[None, :, None]
    out = np.zeros((2 * lines, points, dim))
    for i, c in enumerate(to_z(np.linspace(0, 1, lines))):
        out[i, :, 0], out[i, :, 1] = c, fine  # z₁ = c
        out[lines + i, :, 0], out[lines + i, :, 1] = fine, c  # z₂ = c
    return out
