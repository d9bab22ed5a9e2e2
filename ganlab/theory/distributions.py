"""Target distributions: a 1-D Gaussian and one Gaussian mixture class for any dimension.

``Gaussian(mean, sd)`` and ``GaussianMixture(means, sds, weights)`` in 1-D share the small
interface the exact theory (``ganlab.theory.divergences``) and the trainers use:

- ``pdf(x)``, ``logpdf(x)`` and ``cdf(x)`` on numpy arrays,
- ``sample(n, seed)`` (numpy) and ``sample_torch(n, generator)`` (an ``(n, d)`` float tensor),
- ``components()``: a list of ``(weight, mean, sd)`` triples, which tells integrators where the mass is.

The same ``GaussianMixture`` holds d-dimensional mixtures: ``means`` as length-d points with
isotropic ``sds`` (rings and grids of modes, ``ganlab.toy.targets``), or with full covariance
matrices ``covs`` (notebook 01's explicit density model). Sampling is ancestral in every case:
draw a component k with probability w_k, then x from component k.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy import stats
from scipy.special import logsumexp

LOG_2PI = math.log(2 * math.pi)
MEAN_LIMIT = 1e4  # |mean| the exact quadrature of ganlab.theory handles (checked against log 2 at the extremes)
SD_RANGE = (1e-4, 1e4)  # standard deviations it handles


def rng_from(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A NumPy generator: ``seed`` itself when it is one, else ``default_rng(seed)``."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def gaussian_logpdf(X: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """log N(x; mean, cov) for each row of X, with a full covariance matrix (via Cholesky)."""
    L = np.linalg.cholesky(cov)
    z = np.linalg.solve(L, (X - mean).T)  # (d, n)
    return -0.5 * (z * z).sum(0) - np.log(np.diag(L)).sum() - 0.5 * X.shape[1] * LOG_2PI


def _check_finite(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def _check_mean(name: str, value: float) -> float:
    value = _check_finite(name, value)
    if abs(value) > MEAN_LIMIT:
        raise ValueError(f"{name} must be in [-{MEAN_LIMIT:g}, {MEAN_LIMIT:g}] (the range the exact theory handles), "
                         f"got {value!r}")
    return value


def _check_sd(name: str, sd: float) -> float:
    sd = _check_finite(name, sd)
    if sd <= 0:
        raise ValueError(f"{name} must be > 0 (a standard deviation), got {sd!r}")
    if not SD_RANGE[0] <= sd <= SD_RANGE[1]:
        raise ValueError(f"{name} must be in [{SD_RANGE[0]:g}, {SD_RANGE[1]:g}] (the range the exact theory handles), "
                         f"got {sd!r}")
    return sd


@dataclass(frozen=True)
class Gaussian:
    """Normal distribution N(mean, sd**2) on the real line."""

    mean: float = 0.0  # centre of the bell
    sd: float = 1.0  # standard deviation, must be > 0

    def __post_init__(self):
        object.__setattr__(self, "mean", _check_mean("mean", self.mean))
        object.__setattr__(self, "sd", _check_sd("sd", self.sd))

    dim = 1

    def components(self) -> list[tuple[float, float, float]]:
        return [(1.0, self.mean, self.sd)]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(weights (1,), means (1, 1), sds (1,)), as for a mixture."""
        return np.ones(1), np.array([[self.mean]]), np.array([self.sd])

    def pdf(self, x) -> np.ndarray:
        return stats.norm.pdf(np.asarray(x, dtype=float), self.mean, self.sd)

    def logpdf(self, x) -> np.ndarray:
        return stats.norm.logpdf(np.asarray(x, dtype=float), self.mean, self.sd)

    def cdf(self, x) -> np.ndarray:
        return stats.norm.cdf(np.asarray(x, dtype=float), self.mean, self.sd)

    def sample(self, n: int, seed: int | np.random.Generator | None = None) -> np.ndarray:
        return rng_from(seed).normal(self.mean, self.sd, size=int(n))

    def sample_torch(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``(n, 1)`` float32 samples drawn with a torch generator (reproducible training)."""
        return torch.randn(n, 1, generator=generator) * self.sd + self.mean

    def describe(self) -> str:
        return f"N({self.mean:g}, {self.sd:g}²)"


@dataclass(frozen=True)
class GaussianMixture:
    """sum_k weights[k] · N(means[k], Σ_k): Σ_k = sds[k]² I (isotropic) or covs[k] (full).

    1-D: ``GaussianMixture((-2, 2), (0.5, 0.5))``. 2-D ring: ``GaussianMixture(((2, 0), (0, 2), ...), (0.1,) * 8)``.
    Full covariances: ``GaussianMixture(means=[[0, 0], [2, 1]], covs=[I, 0.5 I], weights=[0.3, 0.7])``.
    """

    means: tuple  # centre of each component: numbers (1-D) or length-d points
    sds: tuple | None = None  # standard deviation of each component, each > 0 (isotropic); or give covs
    weights: tuple | None = None  # mixing weights, each >= 0, summing to 1 (None: equal)
    covs: tuple | None = None  # full (d, d) covariance of each component, instead of sds
    name: str = ""  # a short label for plots ("ring of 8"); empty: describe() spells the formula

    def __post_init__(self):
        raw = np.asarray(self.means, dtype=float)
        if raw.size == 0:
            raise ValueError("a mixture needs at least one component, got means=()")
        if raw.ndim not in (1, 2):
            raise ValueError(f"means must be K numbers or K points, got shape {raw.shape}")
        for i, m in enumerate(raw.reshape(len(raw), -1)):
            for v in m:
                _check_mean(f"means[{i}]", v)
        K = len(raw)
        means = tuple(float(m) for m in raw) if raw.ndim == 1 else tuple(tuple(float(v) for v in m) for m in raw)
        if (self.sds is None) == (self.covs is None):
            raise ValueError("give exactly one of sds (isotropic) or covs (full covariance matrices)")
        sds = covs = None
        if self.sds is not None:
            sds = tuple(_check_sd(f"sds[{i}]", s) for i, s in enumerate(self.sds))
            if len(sds) != K:
                raise ValueError(f"sds has {len(sds)} entries but means has {K}: they must match")
        else:
            d = 1 if raw.ndim == 1 else raw.shape[1]
            c = np.asarray(self.covs, dtype=float)
            if c.shape != (K, d, d):
                raise ValueError(f"covs must have shape ({K}, {d}, {d}), got shape {c.shape}")
            for i, ck in enumerate(c):
                if not (np.allclose(ck, ck.T) and np.all(np.linalg.eigvalsh(ck) > 0)):
                    raise ValueError(f"covs[{i}] must be symmetric positive definite, got {ck.tolist()}")
            covs = tuple(tuple(tuple(float(v) for v in row) for row in ck) for ck in c)
        weights = self.weights if self.weights is not None else tuple(1.0 / K for _ in range(K))
        weights = tuple(_check_finite(f"weights[{i}]", w) for i, w in enumerate(weights))
        if len(weights) != K:
            raise ValueError(f"weights has {len(weights)} entries but means has {K}: they must match")
        if any(w < 0 for w in weights):
            raise ValueError(f"weights must each be >= 0, got {weights}")
        if abs(sum(weights) - 1.0) > 1e-6:
            raise ValueError(f"weights must sum to 1 (within 1e-6), got {weights} summing to {sum(weights):.6g}")
        total = sum(weights)
        weights = tuple(w / total for w in weights)  # exactly 1 (to rounding), so samplers accept them
        for name, v in (("means", means), ("sds", sds), ("weights", weights), ("covs", covs)):
            object.__setattr__(self, name, v)

    # ----- shape ---------------------------------------------------------------------------------
    @property
    def scalar(self) -> bool:
        """True for a 1-D mixture written with plain numbers (samples then have shape (n,))."""
        return isinstance(self.means[0], float)

    @property
    def dim(self) -> int:
        return 1 if self.scalar else len(self.means[0])

    def _mu(self) -> np.ndarray:
        return np.asarray(self.means, dtype=float).reshape(len(self.means), self.dim)  # (K, d)

    def _chol(self) -> np.ndarray:
        if self.covs is not None:
            return np.linalg.cholesky(np.asarray(self.covs))  # (K, d, d)
        return np.asarray(self.sds)[:, None, None] * np.eye(self.dim)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(weights (K,), means (K, d), sds (K,)) of an isotropic mixture."""
        if self.sds is None:
            raise ValueError("arrays() needs an isotropic mixture (sds), this one has full covariances")
        return np.asarray(self.weights), self._mu(), np.asarray(self.sds)

    def components(self) -> list[tuple[float, float, float]]:
        """(weight, mean, sd) per component of a 1-D mixture."""
        if self.dim != 1:
            raise ValueError(f"components() is for 1-D mixtures; this one is {self.dim}-D (use arrays())")
        sds = self.sds if self.sds is not None else tuple(math.sqrt(c[0][0]) for c in self.covs)
        means = self.means if self.scalar else tuple(float(m[0]) for m in self.means)
        return list(zip(self.weights, means, sds))

    # ----- densities -----------------------------------------------------------------------------
    def logpdf(self, x) -> np.ndarray:
        """log p(x): x of any shape in 1-D; (..., d) in d dimensions."""
        x = np.asarray(x, dtype=float)
        if self.scalar and self.sds is not None:
            parts = [np.log(w) + stats.norm.logpdf(x, m, s) for w, m, s in self.components() if w > 0]
            return logsumexp(np.stack(parts), axis=0)
        X = x.reshape(-1, self.dim)
        if self.covs is not None:
            parts = [np.log(w) + gaussian_logpdf(X, m, c) for w, m, c in
                     zip(self.weights, self._mu(), np.asarray(self.covs)) if w > 0]
        else:
            d2 = ((X[:, None, :] - self._mu()[None]) ** 2).sum(-1)  # (n, K)
            sd = np.asarray(self.sds)
            parts = [np.log(w) - 0.5 * d2[:, k] / sd[k] ** 2 - self.dim * (np.log(sd[k]) + 0.5 * LOG_2PI)
                     for k, w in enumerate(self.weights) if w > 0]
        out = logsumexp(np.stack(parts), axis=0)
        return out.reshape(x.shape) if self.scalar else out.reshape(x.shape[:-1])

    def pdf(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self.scalar and self.sds is not None:
            return sum(w * stats.norm.pdf(x, m, s) for w, m, s in self.components())
        return np.exp(self.logpdf(x))

    def cdf(self, x) -> np.ndarray:
        """P(X <= x) of a 1-D mixture."""
        x = np.asarray(x, dtype=float)
        return sum(w * stats.norm.cdf(x, m, s) for w, m, s in self.components())

    # ----- sampling (ancestral: a component, then a point of it) --------------------------------
    def sample_with_labels(self, n: int, seed: int | np.random.Generator | None = None):
        """(x, k): ``n`` samples and the component each came from. x is (n,) in 1-D, else (n, d)."""
        rng = rng_from(seed)
        k = rng.choice(len(self.means), size=int(n), p=np.asarray(self.weights))
        if self.scalar and self.sds is not None:
            return rng.normal(np.asarray(self.means)[k], np.asarray(self.sds)[k]), k
        eps = rng.standard_normal((int(n), self.dim))
        if self.covs is None:
            x = self._mu()[k] + np.asarray(self.sds)[k, None] * eps
        else:
            x = self._mu()[k] + np.einsum("nij,nj->ni", self._chol()[k], eps)
        return (x[:, 0] if self.scalar else x), k

    def sample(self, n: int, seed: int | np.random.Generator | None = None) -> np.ndarray:
        return self.sample_with_labels(n, seed)[0]

    def sample_torch(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``(n, d)`` float32 samples drawn with a torch generator (reproducible training)."""
        w = torch.tensor(self.weights, dtype=torch.float32)
        k = torch.multinomial(w, n, replacement=True, generator=generator)
        if self.scalar and self.sds is not None:
            eps = torch.randn(n, generator=generator)
            x = torch.tensor(self.means, dtype=torch.float32)[k] + torch.tensor(self.sds, dtype=torch.float32)[k] * eps
            return x.unsqueeze(1)
        eps = torch.randn(n, self.dim, generator=generator)
        L = torch.tensor(self._chol(), dtype=torch.float32)[k]  # (n, d, d)
        return torch.tensor(self._mu(), dtype=torch.float32)[k] + (L @ eps.unsqueeze(-1)).squeeze(-1)

    # ----- 2-D helpers ---------------------------------------------------------------------------
    def box_masses(self, xedges, yedges) -> np.ndarray:
        """Exact probability of each cell of a 2-D grid, shape (len(xedges)-1, len(yedges)-1)."""
        w, mu, sd = self.arrays()
        if self.dim != 2:
            raise ValueError(f"box_masses is for 2-D mixtures, this one is {self.dim}-D")
        out = np.zeros((len(xedges) - 1, len(yedges) - 1))
        for wk, (mx, my), s in zip(w, mu, sd):
            out += wk * np.outer(np.diff(stats.norm.cdf(xedges, mx, s)), np.diff(stats.norm.cdf(yedges, my, s)))
        return out

    def extent(self, pad: float = 1.0) -> float:
        """Half-width of a square (cube) around the origin that holds every mode plus ``pad``."""
        _, mu, sd = self.arrays()
        return float(np.abs(mu).max() + 4 * sd.max() + pad)

    def describe(self) -> str:
        if self.name:
            return self.name
        if self.scalar and self.sds is not None:
            return " + ".join(f"{w:.2g}·N({m:g}, {s:g}²)" for w, m, s in self.components())
        return f"mixture of {len(self.means)} Gaussians in {self.dim}-D"
