"""A live 2-D picture of a GAN: real points, generated points, D's heat map and a coverage readout.

The figure is drawn once with the Agg backend (no pyplot, no flicker); ``update`` only moves the
scatter points, refreshes the heat map's data and the title, renders to PNG and puts the bytes into
an ``ipywidgets.Image``. That works in JupyterLab, classic Notebook, VS Code and Colab alike, and the
image updates while a training loop in the same cell is still running.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ganlab.core import encode_png
from ganlab.theory import GaussianMixture
from ganlab.toy import coverage
from ganlab.viz.style import FRAME_DPI, frame_style


class Live2D:
    """``size`` in inches at ``FRAME_DPI`` (default 480 x 456 px, shown at that size; 13 pt text)."""

    def __init__(self, target: GaussianMixture, n_real: int = 1000, res: int = 60, size=(6.0, 5.7), model: int = 0):
        self.target, self.model = target, model
        L = target.extent(pad=0.5)
        self.xs = np.linspace(-L, L, res)
        gx, gy = np.meshgrid(self.xs, self.xs)
        self.grid_pts = np.c_[gx.ravel(), gy.ravel()]
        with rc_context(frame_style()):
            self.fig = Figure(figsize=size, dpi=FRAME_DPI)
            FigureCanvasAgg(self.fig)
            ax = self.ax = self.fig.add_subplot(111)
            self.heat = ax.imshow(np.full((res, res), 0.5), origin="lower", extent=(-L, L, -L, L), cmap="RdBu",
                                  vmin=0, vmax=1, alpha=0.55)
            real = target.sample(n_real, seed=0)
            ax.scatter(real[:, 0], real[:, 1], s=3, c="k", alpha=0.35, label="real")
            self.fake = ax.scatter([], [], s=4, c="tab:orange", alpha=0.6, label="G(z)")
            ax.set_xlim(-L, L), ax.set_ylim(-L, L), ax.set_aspect("equal")
            ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False, borderaxespad=0.1,
                      markerscale=4)
            self.fig.colorbar(self.heat, ax=ax, fraction=0.046, label="D(x)")
            self.fig.tight_layout()
        self.image = W.Image(format="png", layout=W.Layout(width=f"{int(size[0] * FRAME_DPI)}px", max_width="100%"))

    def render(self) -> bytes:
        self.fig.canvas.draw()
        return encode_png(np.asarray(self.fig.canvas.buffer_rgba()))

    def update(self, trainer, n: int = 1500) -> dict:
        """Redraw from a BatchedGAN (model ``self.model``); returns the coverage dict shown in the title."""
        x = trainer.samples(n)[self.model]
        self.fake.set_offsets(x)
        d = trainer.d_prob(self.grid_pts)[self.model].reshape(len(self.xs), len(self.xs))
        self.heat.set_data(d)
        c = coverage(x, self.target)
        self.ax.set_xlabel(f"step {trainer.iteration}: modes {c['covered']}/{c['n_modes']}, "
                           f"quality {c['quality']:.0%}")
        self.image.value = self.render()
        return c
