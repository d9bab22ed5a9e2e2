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


def plot_uncrop_rows(images, columns: dict, ax=None, half: int = 14, pad: int = 2, row_labels=None):
    """Notebook 06's un-cropping figure: one row per test digit; the first column its given top half (bottom
    blank), then one column per entry of ``columns`` (name → uint8 (N, 28, 28) completed images), each with
    ticks on both sides at the seam between the given and the filled rows. ``row_labels``: a text per row (left).

    Returns ``(ax, {"image", "seams"})``.
    """
    from ganlab.images import image_grid

    images = torch.as_tensor(images)
    given = images.clone()
    given[:, half:] = 0
    cols = [given] + [torch.as_tensor(c) for c in columns.values()]
    n, k = len(images), len(cols)
    tiles = torch.stack(cols, dim=1).reshape(n * k, *images.shape[1:])  # row-major: digit by digit
    if ax is None:
        ax = plt.subplots(figsize=(min(1.1 * k + 0.6, 10), 1.1 * n + 0.6))[1]
    art = {"image": ax.imshow(image_grid(tiles, nrow=k, pad=pad), cmap="gray", vmin=0, vmax=255)}
    step, side = images.shape[1] + pad, images.shape[2]
    xs = [pad + j * step for j in range(k)]
    ys = [pad + r * step + half - 0.5 for r in range(n)]  # the seam, marked by a tick on each side of a filled tile
    art["seams"] = [ax.hlines(ys, x0, x1, colors=COLORS["d"], lw=2.5)
                    for x in xs[1:] for x0, x1 in ((x - pad - 0.5, x + 2.5), (x + side - 3.5, x + side + pad - 0.5))]
    ax.set_xticks([x + side / 2 for x in xs], ["given"] + list(columns), rotation=0)
    ax.xaxis.tick_top()
    if row_labels is None:
        ax.set_yticks([])
    else:
        ax.set_yticks([pad + r * step + side / 2 for r in range(n)], list(row_labels))
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    return ax, art
