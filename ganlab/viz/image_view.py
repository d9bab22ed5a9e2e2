"""A live picture of DCGAN training: fixed-noise samples beside the loss and D-output curves.

The figure is drawn with matplotlib's Agg backend into PNG bytes and shown in an
``ipywidgets.Image``; each update replaces the bytes, so nothing is cleared and nothing
flickers, in JupyterLab, VS Code and Colab alike. Use it as the trainer's callback::

    view = LiveView()
    display(view.widget)
    trainer.train(minutes=5, callback=view.update)
"""

from __future__ import annotations

import time

import ipywidgets as W
import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ganlab.core import encode_png
from ganlab.viz.style import COLORS, FRAME_DPI, FRAME_WIDTH, frame_style


class LiveView:
    """Left: the 64 fixed-noise samples. Middle: loss_D and loss_G. Right: mean D(x) and D(G(z)).

    ``min_interval`` (seconds) throttles redraws so drawing never costs much training time.
    """

    def __init__(self, figsize=(FRAME_WIDTH / FRAME_DPI, 5.0), dpi: int = FRAME_DPI, min_interval: float = 1.0):
        with rc_context(frame_style()):  # 960 px wide, 13 pt text: shown at its own size, never stretched
            self.fig = Figure(figsize=figsize, dpi=dpi)
            self.canvas = FigureCanvasAgg(self.fig)
            gs = self.fig.add_gridspec(1, 3, width_ratios=[1, 1.15, 1.15], wspace=0.32, left=0.01, right=0.985,
                                       top=0.84, bottom=0.12)
            a = self.ax_img = self.fig.add_subplot(gs[0])
            self.img = a.imshow(np.zeros((8 * 30 + 2, 8 * 30 + 2), np.uint8), cmap="gray", vmin=0, vmax=255)
            a.set_axis_off()
            self.img_title = a.set_title("")
            a = self.ax_loss = self.fig.add_subplot(gs[1])
            (self.l_loss_d,) = a.plot([], [], label="loss_D", color=COLORS["d"])
            (self.l_loss_g,) = a.plot([], [], label="loss_G", color=COLORS["gen"])
            (eq,) = [a.axhline(np.log(4), color=COLORS["grey"], ls=":", lw=1.5, label="log 4")]
            a.set_xlabel("epoch")
            a.legend(handles=[self.l_loss_d, self.l_loss_g, eq], loc="lower left", bbox_to_anchor=(-0.02, 1.0),
                     ncol=3, frameon=False, handlelength=1.2, columnspacing=0.8, borderaxespad=0.15)
            a = self.ax_d = self.fig.add_subplot(gs[2])
            (self.l_dx,) = a.plot([], [], label="D(x) real", color=COLORS["data"])
            (self.l_dgz,) = a.plot([], [], label="D(G(z)) fake", color=COLORS["dstar"])
            a.axhline(0.5, color=COLORS["grey"], ls=":", lw=1.5)
            a.set_ylim(0, 1)
            a.set_xlabel("epoch")
            a.legend(loc="lower left", bbox_to_anchor=(-0.02, 1.0), ncol=2, frameon=False, handlelength=1.2,
                     columnspacing=0.8, borderaxespad=0.15)
            self.d_title = self.fig.text(0.985, 0.98, "", ha="right", va="top", color=COLORS["grey"])  # speed
        self.widget = W.Image(format="png", layout=W.Layout(width=f"{FRAME_WIDTH}px", max_width="100%"))
        self.min_interval = min_interval
        self._last = -float("inf")

    def draw(self, trainer) -> bytes:
        """Move the artists to the trainer's fixed-noise grid and history; return PNG bytes."""
        return self.draw_state(trainer.fixed_grid(), trainer.history)

    def draw_state(self, grid, history: dict) -> bytes:
        """Draw a fixed-noise grid (uint8 image) and a trainer history (dict of lists); PNG bytes. The title's
        step and epoch are the history's last record, so a shipped run's picture reads as that run saw it.
        The same picture for a live run and for a shipped one (display it as a static image)."""
        h = history
        ep = np.asarray(h["epoch"], dtype=float)
        self.img.set_data(grid)
        self.img_title.set_text(f"step {h['step'][-1]}, epoch {ep[-1]:.2f}" if len(ep)
                                else "fixed noise, before training")
        for line, key in ((self.l_loss_d, "loss_D"), (self.l_loss_g, "loss_G"), (self.l_dx, "D_x"),
                          (self.l_dgz, "D_G_z")):
            line.set_data(ep, h[key])
        if len(ep):
            hi = max(ep[-1], 1e-3)
            self.ax_loss.set_xlim(0, hi)
            self.ax_d.set_xlim(0, hi)
            losses = np.r_[h["loss_D"], h["loss_G"], np.log(4)]
            self.ax_loss.set_ylim(0, 1.05 * float(np.max(losses)))
            self.d_title.set_text(f"training speed {h['images_per_s'][-1]:,.0f} images/s")
        self.canvas.draw()
        return encode_png(np.asarray(self.canvas.buffer_rgba()))

    def update(self, trainer, record=None, force: bool = False) -> None:
        """Trainer callback: redraw at most every ``min_interval`` seconds (always if ``force``)."""
        now = time.perf_counter()
        if force or now - self._last >= self.min_interval:
            self.widget.value = self.draw(trainer)
            self._last = time.perf_counter()


def plot_quality_curve(curve: dict, ax=None, floor: float | None = None):
    """FID (left axis, log scale) and Inception-style score (right axis) against training step, from
    :func:`ganlab.images.snapshots.quality_curve` (or its JSON). ``floor``: a real-vs-real FID to mark.
    Returns ``(ax, ax_is)``; the legend sits above the axes."""
    import matplotlib.pyplot as plt

    from ganlab.images.snapshots import curve_arrays

    step, fid, inc = curve_arrays(curve)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.8), constrained_layout=True)
    handles = ax.plot(step, fid, "o-", color=COLORS["gen"], ms=4, label="classifier FID (left, log)")
    if floor is not None:
        handles.append(ax.axhline(floor, color=COLORS["grey"], ls=":", lw=1.5, label=f"real vs real {floor:.2f}"))
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("FID")
    ax_is = ax.twinx()
    handles += ax_is.plot(step, inc, "s-", color=COLORS["d"], ms=4, label="Inception-style score (right)")
    ax_is.set_ylabel("IS")
    ax_is.set_ylim(1, 10)
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, frameon=False,
              handlelength=1.5, columnspacing=1.0, borderaxespad=0.2)
    return ax, ax_is


def plot_image_rows(rows: dict, n: int = 8, ax=None, pad: int = 2):
    """One row of ``n`` images (uint8 (N, 28, 28) each) per entry of ``rows`` (name → images), the names as
    row labels on the left. Returns the ``AxesImage``."""
    import matplotlib.pyplot as plt

    from ganlab.images.pixels import image_grid

    if not rows:
        raise ValueError("no rows to draw")
    strips = [image_grid(np.asarray(images[:n]), nrow=n, pad=pad) for images in rows.values()]
    width = max(s.shape[1] for s in strips)
    strips = [np.pad(s, ((0, 0), (0, width - s.shape[1])), constant_values=40) for s in strips]
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.95 * len(rows) + 0.3), constrained_layout=True)
    im = ax.imshow(np.concatenate(strips), cmap="gray", vmin=0, vmax=255)
    h = strips[0].shape[0]
    ax.set_yticks([h * (i + 0.5) for i in range(len(rows))], list(rows))
    ax.set_xticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    ax.tick_params(length=0)
    return im
