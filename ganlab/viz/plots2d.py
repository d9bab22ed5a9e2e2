"""Small matplotlib helpers for 2-D pictures. Each takes an optional ``ax`` and returns its artists."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

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
