"""1-D target distributions: a Gaussian and a Gaussian mixture, with validated parameters.

Both expose the same small interface, used by the exact theory (``ganlab.theory``) and the trainers:

- ``pdf(x)``, ``logpdf(x)`` and ``cdf(x)`` on numpy arrays,
- ``sample(n, seed)`` (numpy) and ``sample_torch(n, generator)`` (an ``(n, 1)`` float tensor),
- ``components()``: a list of ``(weight, mean, sd)`` triples, which tells integrators where the mass is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy import stats
from scipy.special import logsumexp


def _check_finite(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def _check_sd(name: str, sd: float) -> float:
    sd = _check_finite(name, sd)
    if sd <= 0:
        raise ValueError(f"{name} must be > 0 (a standard deviation), got {sd!r}")
    return sd


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


@dataclass(frozen=True)
class Gaussian:
    """Normal distribution N(mean, sd**2) on the real line."""

    mean: float = 0.0  # centre of the bell
    sd: float = 1.0  # standard deviation, must be > 0

    def __post_init__(self):
        object.__setattr__(self, "mean", _check_finite("mean", self.mean))
        object.__setattr__(self, "sd", _check_sd("sd", self.sd))

    def components(self) -> list[tuple[float, float, float]]:
        return [(1.0, self.mean, self.sd)]

    def pdf(self, x) -> np.ndarray:
        return stats.norm.pdf(np.asarray(x, dtype=float), self.mean, self.sd)

    def logpdf(self, x) -> np.ndarray:
        return stats.norm.logpdf(np.asarray(x, dtype=float), self.mean, self.sd)

    def cdf(self, x) -> np.ndarray:
        return stats.norm.cdf(np.asarray(x, dtype=float), self.mean, self.sd)

    def sample(self, n: int, seed: int | np.random.Generator | None = None) -> np.ndarray:
        return _rng(seed).normal(self.mean, self.sd, size=int(n))

    def sample_torch(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``(n, 1)`` float32 samples drawn with a torch generator (reproducible training)."""
        return torch.randn(n, 1, generator=generator) * self.sd + self.mean

    def describe(self) -> str:
        return f"N({self.mean:g}, {self.sd:g}²)"


@dataclass(frozen=True)
class GaussianMixture:
    """Mixture of 1-D Gaussians: sum_k weights[k] * N(means[k], sds[k]**2)."""

    means: tuple[float, ...] = (-2.0, 2.0)  # centre of each component
    sds: tuple[float, ...] = (0.5, 0.5)  # standard deviation of each component, each > 0
    weights: tuple[float, ...] | None = None  # mixing weights, each >= 0, summing to 1 (None: equal)

    def __post_init__(self):
        means = tuple(_check_finite(f"means[{i}]", m) for i, m in enumerate(self.means))
        if not means:
            raise ValueError("a mixture needs at least one component, got means=()")
        sds = tuple(_check_sd(f"sds[{i}]", s) for i, s in enumerate(self.sds))
        if len(sds) != len(means):
            raise ValueError(f"sds has {len(sds)} entries but means has {len(means)}: they must match")
        weights = self.weights
        if weights is None:
            weights = tuple(1.0 / len(means) for _ in means)
        weights = tuple(_check_finite(f"weights[{i}]", w) for i, w in enumerate(weights))
        if len(weights) != len(means):
            raise ValueError(f"weights has {len(weights)} entries but means has {len(means)}: they must match")
        if any(w < 0 for w in weights):
            raise ValueError(f"weights must each be >= 0, got {weights}")
        if abs(sum(weights) - 1.0) > 1e-6:
            raise ValueError(f"weights must sum to 1 (within 1e-6), got {weights} summing to {sum(weights):.6g}")
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "sds", sds)
        object.__setattr__(self, "weights", weights)

    def components(self) -> list[tuple[float, float, float]]:
        return list(zip(self.weights, self.means, self.sds))

    def pdf(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return sum(w * stats.norm.pdf(x, m, s) for w, m, s in self.components())

    def logpdf(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        parts = [np.log(w) + stats.norm.logpdf(x, m, s) for w, m, s in self.components() if w > 0]
        return logsumexp(np.stack(parts), axis=0)

    def cdf(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return sum(w * stats.norm.cdf(x, m, s) for w, m, s in self.components())

    def sample(self, n: int, seed: int | np.random.Generator | None = None) -> np.ndarray:
        rng = _rng(seed)
        k = rng.choice(len(self.means), size=int(n), p=np.asarray(self.weights))
        return rng.normal(np.asarray(self.means)[k], np.asarray(self.sds)[k])

    def sample_torch(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        w = torch.tensor(self.weights, dtype=torch.float32)
        k = torch.multinomial(w, n, replacement=True, generator=generator)
        eps = torch.randn(n, generator=generator)
        x = torch.tensor(self.means, dtype=torch.float32)[k] + torch.tensor(self.sds, dtype=torch.float32)[k] * eps
        return x.unsqueeze(1)

    def describe(self) -> str:
        return " + ".join(f"{w:.2g}·N({m:g}, {s:g}²)" for w, m, s in self.components())
