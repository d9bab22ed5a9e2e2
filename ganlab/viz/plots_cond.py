"""The conditional toy of notebook 06, drawn: why regression averages two right answers away."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from ganlab.viz.style import COLORS


def plot_regression_vs_cgan(c, x, regressor, G, ax=None, n_samples: int = 600, seed: int = 0):
    """Notebook 06's toy (``ganlab.toy.conditional``): data (grey), the MSE regression curve and cGAN
    samples against the condition c.

    Returns ``(ax, {"data", "regression", "mean", "cgan"})`` with the drawn artists.
    """
    if ax is None:
        ax = plt.subplots(figsize=(6, 4))[1]
    grid = torch.linspace(0, 1, 200).unsqueeze(1)
    cs = torch.rand(n_samples, 1, generator=torch.Generator().manual_seed(seed + 7))
    with torch.no_grad():
        reg = regressor(grid)
    xs = G.sample(cs, seed=seed)
    art = {
        "data": ax.scatter(c[:, 0], x[:, 0], s=4, color=COLORS["grey"], alpha=0.6, label="data (two branches)"),
        "cgan": ax.scatter(cs[:, 0], xs[:, 0], s=5, color=COLORS["gen"], alpha=0.7, label="cGAN samples G(z, c)"),
        "regression": ax.plot(grid[:, 0], reg[:, 0], color=COLORS["d"], lw=3, label="MSE regression f(c)")[0],
        "mean": ax.axhline(0.0, color="k", ls=":", lw=1.5, label="exact E[x | c] = 0"),
    }
    ax.set_xlabel("condition c")
    ax.set_ylabel("output x")
    ax.legend(loc="lower left")
    return ax, art
