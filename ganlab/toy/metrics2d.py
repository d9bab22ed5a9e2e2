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
* :func:`mode_occupancy` and :func:`track_modes`: **mode hopping**. At every record, how many high-quality
  samples each mode of a mixture holds (the counts of :func:`ganlab.toy.coverage`), which mode holds the most
  (the *dominant* mode) and what share of all samples that is. :func:`hops` counts how often a collapsed
  generator (dominant share >= 1/2) changes the mode it sits on.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from ganlab.theory import NOISE_KINDS
from ganlab.toy.targets import binned_jsd_2d, nearest_mode

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


# ----- mode hopping -----------------------------------------------------------------------------------------
def mode_occupancy(samples, target, radius: float = 3.0, min_share: float = 0.25) -> dict:
    """Per-mode counts of a stack of sample sets against a mixture, with the rules of :func:`ganlab.toy.coverage`.

    ``samples`` (..., n, d), e.g. (records, models, n, 2). Returns arrays over the leading axes:
        counts    (..., K) high-quality samples per mode (nearest mode in its sds, within ``radius``)
        covered   (...)    modes with counts >= min_share * weight * n
        dominant  (...)    the mode holding the most high-quality samples (-1 if there are none)
        share     (...)    the dominant mode's count over n: 1 = every sample on one mode
        quality   (...)    fraction of samples within ``radius`` sd of their nearest mode
    """
    w, mu, sd = target.arrays()
    x = np.asarray(samples, dtype=float)
    if x.ndim < 2 or x.shape[-1] != mu.shape[1] or x.shape[-2] == 0:
        raise ValueError(f"samples must be (..., n, {mu.shape[1]}) with n >= 1, got shape {x.shape}")
    n, K = x.shape[-2], len(w)
    _, nearest, good = nearest_mode(x, mu, sd, radius)  # (..., n) each
    counts = (good[..., None] & (nearest[..., None] == np.arange(K))).sum(-2)  # (..., K)
    top = counts.max(-1)
    return {"counts": counts, "covered": (counts >= min_share * w * n).sum(-1),
            "dominant": np.where(top > 0, counts.argmax(-1), -1), "share": top / n, "quality": good.mean(-1)}


def hops(dominant, share, min_share: float = 0.5) -> np.ndarray:
    """Mode hops per model: how often the dominant mode changes from one *collapsed* record (share >=
    ``min_share``) to the next collapsed record, records in between skipped. ``dominant`` and ``share`` are
    (records, models) or (records,); returns (models,) integers (or one integer)."""
    d, s = np.asarray(dominant), np.asarray(share)
    if d.shape != s.shape or d.ndim not in (1, 2):
        raise ValueError(f"dominant and share must be two (records,) or (records, models) arrays, got {d.shape}, {s.shape}")
    out = []
    for col_d, col_s in zip(np.atleast_2d(d.T), np.atleast_2d(s.T)):
        seq = col_d[col_s >= min_share]
        out.append(int(np.count_nonzero(seq[1:] != seq[:-1])))
    return np.array(out) if d.ndim == 2 else out[0]


def track_modes(gan, steps: int, every: int, n: int = 1000, callback=None) -> dict:
    """Train ``gan`` (anything with ``step(k)``, ``samples(n)`` -> (M, n, d) and ``config.target``, e.g. a
    BatchedGAN) for ``steps`` iterations, recording :func:`mode_occupancy` of n fixed-noise samples every
    ``every`` iterations (and once before the first step). ``callback(gan)``, if given, runs after each record
    (a live picture). Returns the occupancy arrays, shaped (records, models, ...), plus ``step`` (records,)."""
    if not (isinstance(steps, int) and isinstance(every, int) and steps >= 1 and 1 <= every <= steps):
        raise ValueError(f"need integers steps >= 1 and 1 <= every <= steps, got steps={steps!r}, every={every!r}")
    rows, done = [gan.samples(n)], 0
    marks = [getattr(gan, "iteration", 0)]
    while done < steps:
        k = min(every, steps - done)
        gan.step(k)
        done += k
        rows.append(gan.samples(n))
        marks.append(marks[0] + done)
        if callback is not None:
            callback(gan)
    out = mode_occupancy(np.stack(rows), gan.config.target)
    out["step"] = np.array(marks)
    return out
