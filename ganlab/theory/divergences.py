"""Exact 1-D GAN theory: the optimal discriminator, KL and Jensen-Shannon divergences, V(D, G).

Everything here works on densities evaluated at quadrature nodes, so it is exact up to
quadrature error. ``quadrature(p, q)`` builds nodes that cover *both* supports: for every mixture
component it lays breakpoints every ``step`` standard deviations out to ``width`` standard
deviations, merges them, and puts Gauss-Legendre nodes between consecutive breakpoints. Each piece
is at most half a standard deviation of any component that reaches it, so a narrow peak is never
missed (``scipy.integrate.quad`` over (-inf, inf) can silently step over one) and two far-apart
densities are both integrated.

Conventions (natural logarithms, so divergences are in nats):

    D*(x)      = p_data(x) / (p_data(x) + p_g(x))          (1/2 where both densities are 0)
    V(D, G)    = E_{x~p_data}[log D(x)] + E_{x~p_g}[log(1 - D(x))]
    KL(p || q) = ∫ p log(p / q)
    JSD(p, q)  = ½ KL(p || m) + ½ KL(q || m),  m = (p + q) / 2,   0 <= JSD <= log 2
    V(G, D*)   = 2 JSD(p_data, p_g) - log 4
    W1(p, q)   = ∫ |F_p(x) - F_q(x)| dx    (F: the CDFs; = |μ_p - μ_q| for two Gaussians of equal sd)
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
from scipy.optimize import brentq
from scipy.special import xlogy

LOG2 = math.log(2.0)
LOG4 = math.log(4.0)


class Density(Protocol):
    def pdf(self, x) -> np.ndarray: ...
    def logpdf(self, x) -> np.ndarray: ...
    def cdf(self, x) -> np.ndarray: ...
    def components(self) -> list[tuple[float, float, float]]: ...


def quadrature(*densities: Density, width: float = 12.0, step: float = 0.5,
               order: int = 16, breaks=()) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``x`` and weights ``w`` with ``sum(w * f(x)) ≈ ∫ f`` for f built from the densities.

    width: how many sds each component's range reaches on each side (12 sds leaves < 1e-32 mass out).
    step: breakpoint spacing in sds of each component. order: Gauss-Legendre nodes per piece.
    breaks: extra breakpoints, e.g. where f has a kink (Gauss-Legendre is only accurate between kinks).
    """
    if width <= 0 or step <= 0 or order < 2:
        raise ValueError(f"need width > 0, step > 0, order >= 2; got width={width}, step={step}, order={order}")
    ticks = np.arange(-width, width + step / 2, step)
    edges = np.unique(np.concatenate([m + s * ticks for d in densities for _, m, s in d.components()]
                                     + [np.asarray(breaks, dtype=float).ravel()]))
    g, gw = np.polynomial.legendre.leggauss(order)
    a, b = edges[:-1, None], edges[1:, None]
    x = (0.5 * (b - a) * g + 0.5 * (a + b)).ravel()
    w = (0.5 * (b - a) * gw).ravel()
    return x, w


def _nodes(p: Density, q: Density, nodes):
    x, w = quadrature(p, q) if nodes is None else nodes
    return x, w, p.pdf(x), q.pdf(x)


def optimal_discriminator(p_data, p_g) -> np.ndarray:
    """D*(x) = p_data / (p_data + p_g), elementwise on density values (1/2 where both are 0)."""
    p, q = np.asarray(p_data, dtype=float), np.asarray(p_g, dtype=float)
    if np.any(p < 0) or np.any(q < 0):
        raise ValueError("densities must be >= 0")
    total = p + q
    return np.divide(p, total, out=np.full_like(total, 0.5), where=total > 0)


def kl_from_values(p, q, w) -> float:
    """KL(p || q) = Σ w p log(p/q) for density values p, q at nodes with weights w (inf if q=0 where p>0)."""
    p, q, w = (np.asarray(a, dtype=float) for a in (p, q, w))
    if np.any((q <= 0) & (p > 0)):
        return math.inf
    safe_q = np.where(q > 0, q, 1.0)
    return float(np.sum(w * (xlogy(p, p) - xlogy(p, safe_q))))


def js_from_values(p, q, w, clip: bool = True) -> float:
    """JSD(p, q) = ½ KL(p||m) + ½ KL(q||m), m = (p+q)/2, from density values at nodes with weights w.

    ``clip``: clamp the sum to [0, log 2], its mathematical range (quadrature error can step a hair outside);
    ``clip=False`` returns the raw sum, so a check of those bounds can fail."""
    p, q, w = (np.asarray(a, dtype=float) for a in (p, q, w))
    m = 0.5 * (p + q)
    safe_m = np.where(m > 0, m, 1.0)
    integrand = 0.5 * (xlogy(p, p) - xlogy(p, safe_m) + xlogy(q, q) - xlogy(q, safe_m))
    total = float(np.sum(w * integrand))
    return float(np.clip(total, 0.0, LOG2)) if clip else total


def value_from_values(d, p, q, w) -> float:
    """V(D, G) = ∫ p_data log D + p_g log(1 - D), from D, p_data, p_g values at nodes with weights w."""
    d, p, q, w = (np.asarray(a, dtype=float) for a in (d, p, q, w))
    return float(np.sum(w * (xlogy(p, d) + xlogy(q, 1.0 - d))))


def kl_divergence(p: Density, q: Density, nodes=None) -> float:
    """KL(p || q) in nats between two 1-D densities (log densities, so far tails never underflow)."""
    x, w, pv, _ = _nodes(p, q, nodes)
    return float(np.sum(w * pv * (p.logpdf(x) - q.logpdf(x))))


def js_divergence(p: Density, q: Density, nodes=None, clip: bool = True) -> float:
    """Jensen-Shannon divergence in nats (natural log): 0 iff p = q, at most log 2 ≈ 0.693
    (``clip=False``: the raw quadrature sum, see :func:`js_from_values`)."""
    _, w, pv, qv = _nodes(p, q, nodes)
    return js_from_values(pv, qv, w, clip=clip)


def value(d, p_data: Density, p_g: Density, nodes=None) -> float:
    """V(D, G) for any discriminator ``d`` (a callable x -> D(x) in [0, 1]) and densities p_data, p_g."""
    x, w, pv, qv = _nodes(p_data, p_g, nodes)
    return value_from_values(np.asarray(d(x), dtype=float), pv, qv, w)


def value_at_optimum(p_data: Density, p_g: Density, nodes=None) -> float:
    """V(G, D*) = max_D V(D, G), computed by plugging in D* (equals 2·JSD − log 4).

    Uses log D* = log p_data − log(p_data + p_g) so that far tails never give log 0.
    """
    x, w, pv, qv = _nodes(p_data, p_g, nodes)
    lp, lq = p_data.logpdf(x), p_g.logpdf(x)
    log_total = np.logaddexp(lp, lq)
    return float(np.sum(w * (pv * (lp - log_total) + qv * (lq - log_total))))


def wasserstein1(p: Density, q: Density, nodes=None) -> float:
    """Wasserstein-1 (earth mover's) distance between two 1-D distributions: ∫ |F_p − F_q| dx.

    In 1-D the cheapest way to move p's mass onto q's is to match quantiles, and its cost is the area
    between the two CDFs. Unlike the JSD it keeps growing with the distance between disjoint supports
    (a shift by Δ costs exactly |Δ|), so it still has a slope to follow where the JSD is stuck at log 2.
    """
    if nodes is None:
        # |F_p - F_q| has a kink wherever the CDFs cross: find the crossings and make them breakpoints.
        x, _ = quadrature(p, q)
        diff = p.cdf(x) - q.cdf(x)
        flips = np.nonzero(np.sign(diff[:-1]) * np.sign(diff[1:]) < 0)[0]
        crossings = [brentq(lambda t: float(p.cdf(t) - q.cdf(t)), x[i], x[i + 1]) for i in flips]
        nodes = quadrature(p, q, breaks=crossings)
    x, w = nodes
    return float(np.sum(w * np.abs(p.cdf(x) - q.cdf(x))))
