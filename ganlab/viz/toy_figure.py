"""The 2014 GAN paper's Figure 1, animated: one matplotlib figure, drawn once, updated in place.

Left: p_data, p_g, the learned D(x) and the optimal D*(x), with the mapping z → x = G(z) below it.
Right: JSD, V(D, G) against −log 4, both losses, mean D(x) and D(G(z)) over training.

``ToyFigure.update(trainer)`` moves the artists; ``render_png()`` returns PNG bytes. Rendering uses
Agg with blitting: the axes, ticks and labels are drawn only when a limit changes, and a normal frame
redraws just the moving artists on top of the cached background.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from PIL import Image

from ganlab.core import encode_png, one_thread
from ganlab.theory import GENERATOR_LOSS_AT_EQUILIBRIUM, LOG2, LOG4, density_from_curve, optimal_discriminator
from ganlab.viz.blit import grow_ylim, static_background
from ganlab.viz.style import COLORS, FRAME_DPI, FRAME_WIDTH, frame_style


def plot_range(target, pad_sd: float = 4.0) -> tuple[float, float]:
    """x-range that shows the whole target with room for the generator to approach it."""
    lo = min(m - pad_sd * s for _, m, s in target.components())
    hi = max(m + pad_sd * s for _, m, s in target.components())
    lo, hi = min(lo, -3.0), max(hi, 3.0)  # keep the noise's home (around 0) in view
    return lo, hi


def _above(ncol: int) -> dict:
    """Legend keywords that put a legend in a row just above its axes, off the data."""
    return dict(loc="lower left", bbox_to_anchor=(-0.02, 1.0), ncol=ncol, frameon=False, handlelength=1.3,
                columnspacing=0.9, handletextpad=0.4, borderaxespad=0.15)


class ToyFigure:
    """The live 1-D picture, rendered at ``FRAME_WIDTH`` (960) x 528 px by default, in the projector style
    (every text 13 pt at 80 dpi = 14.4 px; legends sit above their axes, never over the data)."""

    def __init__(self, target, figsize=(FRAME_WIDTH / FRAME_DPI, 6.6), dpi: int = FRAME_DPI, n_x: int = 400,
                 n_lines: int = 25):
        with rc_context(frame_style()):
            self.fig = Figure(figsize=figsize, dpi=dpi)
            self.canvas = FigureCanvasAgg(self.fig)
            self.n_x = n_x
            self.n_lines = n_lines
            gs = self.fig.add_gridspec(4, 3, width_ratios=[1.9, 1, 1], height_ratios=[1, 1, 1, 0.6],
                                       hspace=1.05, wspace=0.42, left=0.07, right=0.985, top=0.86, bottom=0.09)
            self.ax = self.fig.add_subplot(gs[0:3, 0])
            self.ax_map = self.fig.add_subplot(gs[3, 0], sharex=self.ax)
            self.ax_jsd = self.fig.add_subplot(gs[0:2, 1])
            self.ax_v = self.fig.add_subplot(gs[0:2, 2])
            self.ax_loss = self.fig.add_subplot(gs[2:4, 1])
            self.ax_dprob = self.fig.add_subplot(gs[2:4, 2])
            self._build(target)
        self._background = None
        self._dirty = True  # full redraw needed (limits or labels changed)

    # ----- construction ----------------------------------------------------------------------
    def _build(self, target):
        ax = axd = self.ax
        ax.set_ylim(-0.02, 1.05)
        ax.set_ylabel("D(x), D*(x);  densities scaled")
        ax.axhline(0.5, color=COLORS["grey"], lw=0.8, ls=":")
        self.data_fill = None
        (self.l_data,) = axd.plot([], [], color=COLORS["data"], lw=2, label="p_data")
        (self.l_gen,) = axd.plot([], [], color=COLORS["gen"], lw=2, label="p_g")
        (self.l_d,) = ax.plot([], [], color=COLORS["d"], lw=2, label="D(x) learned")
        (self.l_dstar,) = ax.plot([], [], color=COLORS["dstar"], lw=1.6, ls="--", label="D*(x) optimal")
        handles = [self.l_data, self.l_gen, self.l_d, self.l_dstar]
        self.legend = ax.legend(handles, [h.get_label() for h in handles], **_above(2))
        self.title = self.fig.suptitle("", x=0.07, ha="left", fontweight="bold")  # names the target
        m = self.ax_map
        m.set_ylim(-0.15, 1.15)
        m.set_yticks([0, 1], ["z", "x"])
        m.axhline(0, color="k", lw=0.8)
        m.axhline(1, color="k", lw=0.8)
        m.set_xlabel("the map z → x = G(z): noise z (bottom, rescaled), x (top)")
        self.mapping = LineCollection([], colors=COLORS["gen"], linewidths=0.8, alpha=0.8)
        m.add_collection(self.mapping)
        self.ax_jsd.set_title("JSD(p_data, p_g), nats")
        self.ax_jsd.set_yscale("log")
        self.ax_jsd.set_ylim(1e-4, 1.0)  # JSD lives in [0, log 2]; fixed limits never force a full redraw
        self.ax_jsd.axhline(LOG2, color=COLORS["grey"], lw=0.8, ls=":")
        (self.c_jsd,) = self.ax_jsd.plot([], [], color="k", lw=1.4)
        self.ax_v.axhline(-LOG4, color=COLORS["grey"], lw=1, ls=":", label="−log 4")
        (self.c_v,) = self.ax_v.plot([], [], color=COLORS["d"], lw=1.4, label="V(D,G)")
        (self.c_vopt,) = self.ax_v.plot([], [], color=COLORS["dstar"], lw=1.2, ls="--", label="V(G,D*)")
        self.ax_v.legend(handles=[self.c_v, self.c_vopt], **_above(2))
        self.ax_v.set_ylim(-2.0, 0.1)
        self.ax_loss.axhline(LOG4, color=COLORS["d"], lw=0.8, ls=":")
        self.loss_g_eq = self.ax_loss.axhline(LOG2, color=COLORS["gen"], lw=0.8, ls=":")  # moved to the loss in use
        (self.c_ld,) = self.ax_loss.plot([], [], color=COLORS["d"], lw=1.2, label="loss_D")
        (self.c_lg,) = self.ax_loss.plot([], [], color=COLORS["gen"], lw=1.2, label="loss_G")
        self.ax_loss.legend(**_above(2))
        self.ax_dprob.axhline(0.5, color=COLORS["grey"], lw=0.8, ls=":")
        (self.c_dr,) = self.ax_dprob.plot([], [], color=COLORS["data"], lw=1.2, label="D(x)")
        (self.c_df,) = self.ax_dprob.plot([], [], color=COLORS["gen"], lw=1.2, label="D(G(z))")
        self.ax_dprob.set_ylim(-0.02, 1.02)
        self.ax_dprob.legend(**_above(2))
        for a in (self.ax_loss, self.ax_dprob):
            a.set_xlabel("iteration")
        for a in (self.ax_jsd, self.ax_v, self.ax_loss, self.ax_dprob):
            a.locator_params(axis="x", nbins=3)   # three iteration ticks fit a narrow panel at 13 pt
        self.set_target(target)

    def set_target(self, target) -> None:
        """New p_data: new x-range, new fixed curve."""
        self.target = target
        lo, hi = plot_range(target)
        self.x = np.linspace(lo, hi, self.n_x)
        self.p_data = target.pdf(self.x)
        self.ax.set_xlim(lo, hi)
        self.density_scale = 0.8 / float(self.p_data.max())  # p_data peaks at 0.8 on the D axis
        if self.data_fill is not None:
            self.data_fill.remove()
        scaled = self.p_data * self.density_scale
        self.data_fill = self.ax.fill_between(self.x, scaled, color=COLORS["data"], alpha=0.15, lw=0)
        self.l_data.set_data(self.x, scaled)
        self.title.set_text(f"p_data = {target.describe()}    (dotted lines: the values at the equilibrium)")
        self._dirty = True

    # ----- per-frame update ------------------------------------------------------------------
    def update(self, trainer) -> dict[str, np.ndarray]:
        """Move every artist to the trainer's current state; returns the curves it drew."""
        if trainer.config.target is not self.target:
            self.set_target(trainer.config.target)
        self._show_loss_g_equilibrium(trainer.config.loss)
        with one_thread():
            z, xz = trainer.generator_curve(n_z=801)
            d = trainer.d_prob(self.x)
        p_g = density_from_curve(z, xz, self.x, trainer.config.noise)
        d_star = optimal_discriminator(self.p_data, p_g)
        # D* is undefined where neither distribution has mass: leave those stretches undrawn
        d_star[(self.p_data + p_g) < 1e-3 * max(float(self.p_data.max()), 1e-12)] = np.nan
        self.l_gen.set_data(self.x, p_g * self.density_scale)  # same scale as p_data: heights compare
        self.l_d.set_data(self.x, d)
        self.l_dstar.set_data(self.x, d_star)
        # z -> x mapping: evenly spaced noise quantiles, z drawn rescaled onto the x axis
        zq = np.linspace(-2.5, 2.5, self.n_lines) if trainer.config.noise == "gaussian" else np.linspace(-1, 1, self.n_lines)
        xq = np.interp(zq, z, xz)
        lo, hi = self.x[0], self.x[-1]
        zscale = 3.0 if trainer.config.noise == "gaussian" else 1.0
        zpos = lo + (zq + zscale) / (2 * zscale) * (hi - lo)
        self.mapping.set_segments([[(a, 0.0), (b, 1.0)] for a, b in zip(zpos, xq)])
        self._update_curves(trainer.history)
        return {"x": self.x, "p_data": self.p_data, "p_g": p_g, "d": d, "d_star": d_star}

    def _show_loss_g_equilibrium(self, loss: str) -> None:
        """The dotted loss_G line sits where loss_G settles at D = 1/2: +log 2 (ns), -log 2 (minimax)."""
        eq = GENERATOR_LOSS_AT_EQUILIBRIUM.get(loss)
        visible = eq is not None
        if visible != self.loss_g_eq.get_visible() or (visible and self.loss_g_eq.get_ydata()[0] != eq):
            self.loss_g_eq.set_visible(visible)
            if visible:
                self.loss_g_eq.set_ydata([eq, eq])
            self._dirty = True

    def _update_curves(self, h) -> None:
        steps = h.array("step")
        pairs = [(self.c_jsd, "jsd"), (self.c_v, "v"), (self.c_vopt, "v_opt"), (self.c_ld, "loss_d"),
                 (self.c_lg, "loss_g"), (self.c_dr, "d_real"), (self.c_df, "d_fake")]
        for line, key in pairs:
            line.set_data(steps, h.array(key))
        if steps.size == 0:
            return
        # limits change rarely (x doubles when full; y only grows), so most frames are cheap blits
        right = float(steps[-1])
        for a in (self.ax_jsd, self.ax_v, self.ax_loss, self.ax_dprob):
            x1 = a.get_xlim()[1]
            if right > x1 or x1 > 16 * max(right, 500.0) or a.get_xlim()[0] != 0:
                a.set_xlim(0, 4.0 * max(right, 125.0))  # grows 4x: a few full redraws per run
                self._dirty = True
        self._dirty |= grow_ylim(self.ax_v, np.concatenate([h.array("v"), h.array("v_opt")]))
        self._dirty |= grow_ylim(self.ax_loss, np.concatenate([h.array("loss_d"), h.array("loss_g"), [LOG4],
                                                               self.loss_g_eq.get_ydata()[:1]]))

    def fit_history(self) -> None:
        """End the history axes at the last record, for a static snapshot (live frames leave room to grow,
        so that most frames are cheap blits; the next live frame widens them again)."""
        right = max(float(self.c_jsd.get_xdata()[-1]) if len(self.c_jsd.get_xdata()) else 0.0, 1.0)
        for a in (self.ax_jsd, self.ax_v, self.ax_loss, self.ax_dprob):
            a.set_xlim(0, right * 1.02)
        self._dirty = True

    def reset_limits(self) -> None:
        """Shrink the history axes back (after a reset)."""
        for a in (self.ax_jsd, self.ax_v, self.ax_loss, self.ax_dprob):
            a.set_xlim(0, 500)
        self.ax_v.set_ylim(-2.0, 0.1)
        self.ax_loss.set_ylim(0.3, 1.6)
        self._dirty = True

    # ----- rendering -------------------------------------------------------------------------
    def _animated(self):
        return [(self.ax, [self.l_gen, self.l_d, self.l_dstar]), (self.ax_map, [self.mapping]),
                (self.ax_jsd, [self.c_jsd]), (self.ax_v, [self.c_v, self.c_vopt]), (self.ax_loss, [self.c_ld, self.c_lg]),
                (self.ax_dprob, [self.c_dr, self.c_df])]

    def draw(self) -> None:
        """Blit: redraw everything only when limits changed, otherwise just the moving artists."""
        if self._dirty or self._background is None:
            self._background = static_background(self.canvas, [a for _, arts in self._animated() for a in arts])
            self._dirty = False
        else:
            self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for _, arts in self._animated():
            for a in arts:
                a.draw(renderer)

    def rgb(self) -> np.ndarray:
        """Draw and return the frame as an (H, W, 3) uint8 array."""
        self.draw()
        return np.asarray(self.canvas.buffer_rgba())[..., :3]

    def image(self) -> Image.Image:
        return Image.fromarray(self.rgb().copy())

    def render_png(self) -> bytes:
        return encode_png(self.rgb())
