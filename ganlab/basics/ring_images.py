"""Tiny synthetic images for the manifold argument: rings drawn on a size x size pixel grid.

Each image is fixed by three numbers (centre x, centre y, radius), so the whole data set is a
3-dimensional curved surface inside the size*size-dimensional space of pixel grids.
"""

from __future__ import annotations

import numpy as np


def ring_images(n: int, size: int = 16, seed: int = 0, width: float = 1.0) -> np.ndarray:
    """``n`` grey-scale ring images in [0, 1], shape (n, size, size)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    if size < 8:
        raise ValueError(f"size must be >= 8 pixels, got {size!r}")
    rng = np.random.default_rng(seed)
    r = rng.uniform(0.15, 0.3, n) * size
    cx = rng.uniform(r + 1, size - 1 - r)
    cy = rng.uniform(r + 1, size - 1 - r)
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    dist = np.sqrt((xx[None] - cx[:, None, None]) ** 2 + (yy[None] - cy[:, None, None]) ** 2)
    return np.exp(-0.5 * ((dist - r[:, None, None]) / (0.6 * width)) ** 2)
