"""A stability map: one toy GAN per cell of a grid of hyperparameters, all trained at once.

``lr_grid(side)`` lays out a side x side grid of (lr_D, lr_G) on log scales; ``stability_map`` trains
all of them as one ``BatchedGAN`` (weights of shape (M, in, out), one optimiser over the stack) and
returns the final JSD (exact, 1-D) of every cell as a (side, side) array, rows = lr_D, columns = lr_G.
"""

from __future__ import annotations

import numpy as np

from ganlab.toy.batched import BatchedGAN
from ganlab.toy.config import ToyConfig
from ganlab.theory import Gaussian
from ganlab.toy.nets import MLPConfig

SMALL = MLPConfig(width=16)
MAP_CONFIG = ToyConfig(target=Gaussian(3.0, 0.75), g=SMALL, d=SMALL, k_d=1, batch_size=64, log_every=500, seed=0)
LR_RANGE = (1e-5, 1e-1)


def lr_grid(side: int = 10, lo: float = LR_RANGE[0], hi: float = LR_RANGE[1]):
    """Flattened (lr_d, lr_g) over a side x side log-spaced grid; row i = lr_d[i], column j = lr_g[j]."""
    axis = np.logspace(np.log10(lo), np.log10(hi), side)
    d, g = np.meshgrid(axis, axis, indexing="ij")
    return d.ravel(), g.ravel()


def stability_map(config: ToyConfig = MAP_CONFIG, side: int = 10, steps: int = 2000, metric: str = "jsd",
                  **per_model) -> tuple[np.ndarray, np.ndarray, BatchedGAN]:
    """Train side*side GANs at once; return (lr axis, final ``metric`` as (side, side), the trainer)."""
    lr_d, lr_g = lr_grid(side)
    t = BatchedGAN(config.with_(log_every=max(1, steps // 4)), lr_d=lr_d, lr_g=lr_g, **per_model).step(steps)
    axis = np.logspace(np.log10(LR_RANGE[0]), np.log10(LR_RANGE[1]), side)
    return axis, t.final(metric).reshape(side, side), t
