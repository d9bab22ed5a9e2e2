"""Plots of the overfitting-discriminator experiment (notebook 04; rows from
:func:`ganlab.images.train_overfit_variant` or ``checkpoints/dcgan_overfit.json``)."""

from __future__ import annotations

import numpy as np

from ganlab.viz.style import COLORS


def plot_probe_curves(rows: list[dict], variant: str, ax=None, title: str | None = None) -> dict:
    """D's accuracy on its training images (solid) and on held-out real images (dashed) during training, for one
    variant: the median over the seeds in ``rows`` as a line, their min–max as a band. Returns the two lines."""
    import matplotlib.pyplot as plt
    ax = ax if ax is not None else plt.gca()
    runs = [r for r in rows if r["variant"] == variant]
    if not runs:
        raise ValueError(f"no runs of variant {variant!r} in rows (have: {sorted({r['variant'] for r in rows})})")
    step = np.asarray(runs[0]["history"]["step"])
    n = min(len(r["history"]["step"]) for r in runs)
    out = {}
    for key, colour, style, label in (("acc_train", COLORS["d"], "-", f"its {runs[0]['config']['train_images']} training images"),
                                      ("acc_heldout", COLORS["data"], "--", "held-out real images")):
        curves = np.array([r["history"][key][:n] for r in runs])  # (seeds, records)
        ax.fill_between(step[:n], curves.min(0), curves.max(0), color=colour, alpha=0.2, lw=0)
        out[key], = ax.plot(step[:n], np.median(curves, 0), style, color=colour, label=label)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("step")
    ax.set_title(title if title is not None else variant)
    return out


def plot_variant_metric(rows: list[dict], key: str, ax=None, where: str = "history") -> dict:
    """One line per variant of ``row[where][key]`` against its steps (``where``: "history" for the probe curves,
    "evals" for FID / inception): the median over seeds, with their min–max as a band. Returns {variant: line}."""
    import matplotlib.pyplot as plt
    from ganlab.viz.style import CYCLE
    ax = ax if ax is not None else plt.gca()
    variants = list(dict.fromkeys(r["variant"] for r in rows))
    out = {}
    for v, colour in zip(variants, CYCLE):
        runs = [r for r in rows if r["variant"] == v]
        n = min(len(r[where][key]) for r in runs)
        step = np.asarray(runs[0][where]["step"][:n])
        curves = np.array([r[where][key][:n] for r in runs])  # (seeds, points)
        ax.fill_between(step, curves.min(0), curves.max(0), color=colour, alpha=0.2, lw=0)
        out[v], = ax.plot(step, np.median(curves, 0), color=colour, label=v, marker="o" if n < 10 else None)
    ax.set_xlabel("step")
    return out
