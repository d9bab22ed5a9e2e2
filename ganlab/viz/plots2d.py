"""Small matplotlib helpers for 2-D pictures. Each takes an optional ``ax`` and returns its artists."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ganlab.toy import noise_lattice
from ganlab.viz.style import CYCLE

CLASS_COLOURS = ("#1f77b4", "#d62728")


def mesh(xlim, ylim, n: int = 150) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A mesh over the box: ``(XX, YY, points)`` with ``points`` of shape (n*n, 2)."""
    XX, YY = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
    return XX, YY, np.c_[XX.ravel(), YY.ravel()]


def plot_points(X, y=None, ax=None, **kw):
    """Scatter the points, coloured by class when labels are given."""
    ax = ax or plt.gca()
    X = np.asarray(X)
    kw = {"s": 12, "alpha": 0.7, **kw}
    if y is None:
        return [ax.scatter(X[:, 0], X[:, 1], **kw)]
    y = np.asarray(y)
    return [ax.scatter(X[y == k, 0], X[y == k, 1], color=CLASS_COLOURS[k % 2], label=f"class {k}", **kw)
            for k in np.unique(y)]


def plot_proba(proba_fn, xlim, ylim, ax=None, n: int = 150, boundary: bool = True):
    """Shade P(y=1 | x) over the box (blue 0 .. red 1) and draw the 0.5 decision boundary."""
    ax = ax or plt.gca()
    XX, YY, pts = mesh(xlim, ylim, n)
    P = np.asarray(proba_fn(pts)).reshape(XX.shape)
    arts = [ax.contourf(XX, YY, P, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35, vmin=0, vmax=1)]
    if boundary:
        arts.append(ax.contour(XX, YY, P, levels=[0.5], colors="k", linewidths=1.5))
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return arts


def plot_density(logpdf_fn, xlim, ylim, ax=None, n: int = 150, filled: bool = False, **kw):
    """Contours of a density given as log p(x); ``filled`` shades it instead."""
    ax = ax or plt.gca()
    XX, YY, pts = mesh(xlim, ylim, n)
    D = np.exp(np.asarray(logpdf_fn(pts))).reshape(XX.shape)
    art = (ax.contourf(XX, YY, D, levels=12, cmap="viridis", **kw) if filled
           else ax.contour(XX, YY, D, levels=6, **kw))
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return [art]


def plot_noise_grid(generator, ax=None, noise_dim: int = 2, kind: str = "gaussian", lines: int = 11,
                    points: int = 61, colors=(CYCLE[0], CYCLE[1]), **kw):
    """The warped noise grid: the image under ``generator`` of a lattice of lines in noise space.

    ``generator`` maps noise (N, noise_dim) as a NumPy array to points (N, 2) (NumPy or torch). The lattice is
    :func:`ganlab.toy.noise_lattice`: ``lines`` lines of constant z₁ (first colour) and as many of constant z₂
    (second colour) at equal-probability quantiles of p(z), so every cell holds the same noise mass; a region of
    noise squeezed onto one spot is a mode that draws that much of G's mass. Returns the Line2D objects, z₁-lines
    first; line i's data are G applied to ``noise_lattice(kind, noise_dim, lines, points)[i]``."""
    ax = ax or plt.gca()
    lattice = noise_lattice(kind, noise_dim, lines, points)  # (L, P, noise_dim)
    out = generator(lattice.reshape(-1, noise_dim))
    out = out.detach().cpu().numpy() if hasattr(out, "detach") else np.asarray(out)
    img = np.asarray(out, dtype=float).reshape(*lattice.shape[:2], -1)
    if img.shape[-1] != 2:
        raise ValueError(f"generator must map to 2-D points, got {img.shape[-1]}-D")
    kw = {"lw": 0.9, "alpha": 0.8, **kw}
    half = len(img) // 2 if noise_dim >= 2 else len(img)
    return [ax.plot(c[:, 0], c[:, 1], color=colors[0] if i < half else colors[1], **kw)[0]
            for i, c in enumerate(img)]
