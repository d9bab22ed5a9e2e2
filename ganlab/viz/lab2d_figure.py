"""The 2-D GAN lab's picture: GAN Lab's views and the measurements GAN Lab lacks, in one blitted frame.

Left, the data plane: D's heat map (green where D says real, blue where it says fake), the real points, the
fakes G(z), the generator's manifold (the image of a lattice of noise quantiles: folds and collapse show as
crossing or bunched lines) and arrows of the push -∂ℓ_G/∂x that G's loss gives each fake (length ∝ size, the
median and largest printed). Right, the history: both losses; parts covered and sample quality; the plug-in
histogram JSD and the exact minibatch W1, each over the dotted line of its value at p_g = p_data (its floor).

Rendered at ``FRAME_WIDTH`` (960) x 600 px in the projector style (13 pt at 80 dpi = 14.4 px, legends above the
axes) with blitting: axes, ticks and the real points are drawn only when a limit or the target changes.
"""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ganlab.core import encode_png, one_thread
from ganlab.toy import PROBABILITY_LOSSES, noise_lattice
from ganlab.viz.blit import grow_ylim, static_background
from ganlab.viz.style import COLORS, FRAME_DPI, FRAME_WIDTH, frame_style

HEAT = LinearSegmentedColormap.from_list("fake_real", ["#a5c8ef", "#ffffff", "#a8dcb2"])  # G's blue → D's real green
LAYERS = ("heat", "real", "fake", "manifold", "arrows")


def _above(ncol: int) -> dict:
    return dict(loc="lower left", bbox_to_anchor=(-0.02, 1.0), ncol=ncol, frameon=False, handlelength=1.3,
                columnspacing=0.9, handletextpad=0.4, borderaxespad=0.15)


class Lab2DFigure:
    """``update(trainer)`` moves every artist to a :class:`~ganlab.toy.Toy2DTrainer`'s state; ``render_png()``."""

    def __init__(self, trainer, figsize=(FRAME_WIDTH / FRAME_DPI, 7.5), dpi: int = FRAME_DPI, res: int = 48,
                 n_fake: int = 500, n_real: int = 500, n_arrows: int = 64, lines: int = 11):
        self.res, self.n_fake, self.n_real, self.n_arrows, self.lines = res, n_fake, n_real, n_arrows, lines
        self.visible = set(LAYERS)
        self.phase_text = ""
        with rc_context(frame_style()):
            self.fig = Figure(figsize=figsize, dpi=dpi)
            self.canvas = FigureCanvasAgg(self.fig)
            w = 0.44  # the data plane: a square, w of the frame's width
            self.ax = self.fig.add_axes((0.06, 0.09, w, w * figsize[0] / figsize[1]))
            cax = self.fig.add_axes((0.06 + w + 0.008, 0.09, 0.012, 0.3))
            gs = self.fig.add_gridspec(2, 2, left=0.625, right=0.975, top=0.83, bottom=0.085, hspace=0.62, wspace=0.5)
            self.ax_loss, self.ax_cov = self.fig.add_subplot(gs[0, 0]), self.fig.add_subplot(gs[0, 1])
            self.ax_jsd, self.ax_w1 = self.fig.add_subplot(gs[1, 0]), self.fig.add_subplot(gs[1, 1])
            self._build(cax)
        self._background = None
        self._dirty = True
        self._target = self._loss_kind = None
        self.set_target(trainer)

    # ----- construction ----------------------------------------------------------------------------------
    def _build(self, cax) -> None:
        ax = self.ax
        self.heat_values = np.full((self.res, self.res), 0.5)  # [row = y, col = x], painted into the frame by _paint_heat
        self._lut = torch.tensor(np.round(HEAT(np.linspace(0, 1, 256)) * 255), dtype=torch.uint8)  # (256, 4) RGBA
        self.cbar = self.fig.colorbar(ScalarMappable(Normalize(0, 1), HEAT), cax=cax)
        self.real = ax.scatter([], [], s=7, c=COLORS["data"], alpha=0.55, lw=0, label="real")
        self.fake = ax.scatter([], [], s=9, c=COLORS["gen"], alpha=0.8, lw=0, label="G(z)")
        self.manifold_lines = LineCollection([], colors="#1a4f8a", linewidths=0.7, alpha=0.55, label="manifold")
        ax.add_collection(self.manifold_lines)
        zeros = np.zeros(self.n_arrows)
        self.arrows = ax.quiver(zeros, zeros, zeros, zeros, angles="xy", scale_units="xy", scale=1, color="#212529",
                                width=0.004, headwidth=3.5, headlength=4, label="push on G(z)")
        arrow = Line2D([], [], color="#212529", marker=r"$\rightarrow$", ls="none", markersize=7, label=self.arrows.get_label())
        self.legend = ax.legend(handles=[self.real, self.fake, self.manifold_lines, arrow], markerscale=2.5, **_above(4))
        # texts that change now and then live in a second cached layer, off the data plane (drawing a text
        # costs 1-2 ms, too much for every frame)
        self.note = self.fig.text(0.06, 0.008, "", va="bottom", ha="left")
        self.phase = self.fig.text(0.06, 0.925, "", va="top", ha="left", fontweight="bold",
                                   bbox=dict(boxstyle="round,pad=0.2", fc="#fff3bf", ec="none"))
        self._note_at = 0.0
        self.title = self.fig.suptitle("", x=0.055, y=0.985, ha="left", va="top", fontweight="bold")
        (self.c_ld,) = self.ax_loss.plot([], [], color=COLORS["d"], lw=1.3, label="loss_D")
        (self.c_lg,) = self.ax_loss.plot([], [], color=COLORS["gen"], lw=1.3, label="loss_G")
        self.ax_loss.legend(**_above(1))
        (self.c_cov,) = self.ax_cov.plot([], [], color="k", lw=1.4, label="covered")
        (self.c_q,) = self.ax_cov.plot([], [], color=COLORS["dstar"], lw=1.3, ls="--", label="quality")
        self.ax_cov.set_ylim(-0.03, 1.05)
        self.ax_cov.legend(**_above(1))
        (self.c_jsd,) = self.ax_jsd.plot([], [], color="k", lw=1.3, label="JSD, 30×30")
        self.ax_jsd.set_yscale("log")
        self.ax_jsd.set_ylim(3e-3, 1.0)
        self.jsd_floor = self.ax_jsd.axhline(0.01, color=COLORS["grey"], lw=1.0, ls=":")
        self.ax_jsd.legend(**_above(1))
        (self.c_w1,) = self.ax_w1.plot([], [], color=COLORS["d"], lw=1.3, label="W1, n=128")
        self.w1_floor = self.ax_w1.axhline(0.1, color=COLORS["grey"], lw=1.0, ls=":")
        self.ax_w1.legend(**_above(1))
        for a in (self.ax_jsd, self.ax_w1):
            a.set_xlabel("iteration")
        for a in (self.ax_loss, self.ax_cov, self.ax_jsd, self.ax_w1):
            a.locator_params(axis="x", nbins=3)
        self.reset_limits()

    def set_target(self, trainer) -> None:
        """New p_data (or a new run): new box, new real points, new floors."""
        t, c = trainer.config.target, trainer.config
        self._target, self._loss_kind = t, None
        L = self.L = trainer.box
        self.ax.set_xlim(-L, L)
        self.ax.set_ylim(-L, L)
        self.xs = np.linspace(-L, L, self.res)
        gx, gy = np.meshgrid(self.xs, self.xs)
        self.grid_pts = np.c_[gx.ravel(), gy.ravel()]
        self.real.set_offsets(t.sample(self.n_real, 0))
        self.jsd_floor.set_ydata([trainer.floors["jsd"]] * 2)
        self.w1_floor.set_ydata([trainer.floors["w1"]] * 2)
        self.ax_w1.get_legend().get_texts()[0].set_text(f"W1, n={c.w1_n}")
        self._dirty = True

    def reset_limits(self) -> None:
        for a in (self.ax_loss, self.ax_cov, self.ax_jsd, self.ax_w1):
            a.set_xlim(0, 500)
        self.ax_loss.set_ylim(0.0, 1.6)
        self.ax_w1.set_ylim(0.0, 1.0)
        self._dirty = True

    def show_layers(self, layers) -> None:
        """Draw only these of ``LAYERS`` (the lab's view checkboxes)."""
        unknown = set(layers) - set(LAYERS)
        if unknown:
            raise ValueError(f"unknown view(s) {sorted(unknown)}: expected some of {LAYERS}")
        self.visible = set(layers)
        self._dirty = True

    # ----- per-frame update ------------------------------------------------------------------------------
    def update(self, trainer) -> dict:
        """Move every artist to the trainer's state; returns what it drew (for tests)."""
        c = trainer.config
        if c.target is not self._target:
            self.set_target(trainer)
        self._label_heat(c.loss)
        d = trainer.d_values(self.grid_pts)
        if c.loss not in PROBABILITY_LOSSES:  # a score, not a probability: stretch this frame's range to 0..1
            lo, hi = np.percentile(d, [2, 98])
            d = np.clip((d - lo) / max(hi - lo, 1e-9), 0, 1)
        self.heat_values = d.reshape(self.res, self.res)
        x = trainer.samples(self.n_fake)
        self.fake.set_offsets(x)
        key = (c.noise, c.noise_dim, self.lines)
        if getattr(self, "_lattice_key", None) != key:
            self._lattice_key, self._lattice = key, noise_lattice(*key)
        lattice = self._lattice
        curves = trainer.manifold(lattice)
        self.manifold_lines.set_segments(list(curves))
        xa, v = trainer.generator_pull(self.n_arrows)
        mag = np.hypot(v[:, 0], v[:, 1])
        top = float(np.percentile(mag, 90)) if np.isfinite(mag).all() else 0.0
        scale = 0.1 * 2 * self.L / top if top > 0 else 0.0  # the 90th-percentile arrow is 10 % of the box
        shrink = np.minimum(1.0, 2 * top / np.maximum(mag, 1e-12)) if top > 0 else 1.0  # outliers: 2x that at most
        self.arrows.set_offsets(xa)
        self.arrows.set_UVC(v[:, 0] * scale * shrink, v[:, 1] * scale * shrink)
        now = time.perf_counter()
        if now - self._note_at > 0.5 or "arrows" not in self.visible:  # a number that changes 2x a second reads
            self._note_at = now
            self.note.set_text(f"push on G(z), the arrows: median {np.median(mag):.2g}, largest {mag.max():.2g} "
                               "(length ∝ size, capped)" if "arrows" in self.visible else "")
        self.phase.set_text(self.phase_text)
        self.phase.set_visible(bool(self.phase_text))
        self.title.set_text(f"p_data: {c.target.describe()}   ·   loss {c.loss}   ·   "
                            "dotted: each estimator at p_g = p_data")
        self._update_curves(trainer)
        for name, art in (("fake", self.fake), ("manifold", self.manifold_lines),
                          ("arrows", self.arrows), ("real", self.real)):
            art.set_visible(name in self.visible)
        return {"d": d, "fake": x, "manifold": curves, "arrow_at": xa, "push": v}

    def _label_heat(self, loss: str) -> None:
        kind = "prob" if loss in PROBABILITY_LOSSES else "score"
        if kind == self._loss_kind:
            return
        self._loss_kind = kind
        if kind == "prob":
            self.cbar.set_ticks([0, 0.5, 1], labels=["0", "½", "1"])
            self.cbar.ax.set_title("D(x)", loc="left", fontsize=self.note.get_fontsize())
        else:
            self.cbar.set_ticks([0, 1], labels=["low", "high"])
            self.cbar.ax.set_title("score", loc="left", fontsize=self.note.get_fontsize())
        self._dirty = True

    def _update_curves(self, trainer) -> None:
        h = trainer.history
        steps = h.array("step")
        K = max(trainer.config.target.n_parts, 1)
        pairs = [(self.c_ld, h.array("loss_d")), (self.c_lg, h.array("loss_g")), (self.c_cov, h.array("covered") / K),
                 (self.c_q, h.array("quality")), (self.c_jsd, h.array("jsd")), (self.c_w1, h.array("w1"))]
        for line, y in pairs:
            line.set_data(steps, y)
        if steps.size == 0:
            return
        right = float(steps[-1])
        for a in (self.ax_loss, self.ax_cov, self.ax_jsd, self.ax_w1):
            x1 = a.get_xlim()[1]
            if right > x1 or x1 > 16 * max(right, 500.0):
                a.set_xlim(0, 4.0 * max(right, 125.0))
                self._dirty = True
        self._dirty |= grow_ylim(self.ax_loss, np.concatenate([pairs[0][1], pairs[1][1]]))
        self._dirty |= grow_ylim(self.ax_w1, np.concatenate([pairs[5][1], [trainer.floors["w1"]]]))

    def fit_history(self) -> None:
        """End the history axes at the last record (for a static snapshot)."""
        x = self.c_ld.get_xdata()
        right = max(float(x[-1]) if len(x) else 0.0, 1.0)
        for a in (self.ax_loss, self.ax_cov, self.ax_jsd, self.ax_w1):
            a.set_xlim(0, right * 1.02)
        self._dirty = True

    # ----- rendering ------------------------------------------------------------------------------------
    def _animated(self):
        return [self.real, self.manifold_lines, self.fake, self.arrows, self.c_ld, self.c_lg,
                self.c_cov, self.c_q, self.c_jsd, self.c_w1]

    def draw(self) -> None:
        """Blit, in three layers: everything static (drawn again only when limits, labels or the target change),
        the occasional texts on top of it (drawn again when they change), then the moving artists every frame."""
        arts, texts = self._animated(), (self.note, self.phase)
        key = tuple((t.get_text(), t.get_visible()) for t in texts)
        if self._dirty or self._background is None:
            self._background = static_background(self.canvas, arts + list(texts))
            self._dirty, self._text_key = False, None
        if key != self._text_key:
            self.canvas.restore_region(self._background)
            renderer = self.canvas.get_renderer()
            for t in texts:
                if t.get_visible() and t.get_text():
                    t.draw(renderer)
            self._with_texts, self._text_key = self.canvas.copy_from_bbox(self.fig.bbox), key
        else:
            self.canvas.restore_region(self._with_texts)
        if "heat" in self.visible:
            self._paint_heat()
        renderer = self.canvas.get_renderer()
        for a in arts:
            if a.get_visible():
                a.draw(renderer)

    def _paint_heat(self) -> None:
        """Write D's map, coloured and bilinearly enlarged to the data plane's pixels, straight into the frame
        (under 1 ms; matplotlib's own image resampling took 8-11 ms of a frame). Grid point (0, 0) sits on the plane's
        lower-left corner, point (res-1, res-1) on its upper-right, as ``grid_pts`` was laid out."""
        (x0, y0), (x1, y1) = self.ax.get_window_extent().get_points()
        H = int(round(self.fig.get_figheight() * self.fig.dpi))
        c0, c1, r0, r1 = int(np.ceil(x0)) + 1, int(np.floor(x1)), H - int(np.floor(y1)) + 1, H - int(np.ceil(y0))
        idx = torch.as_tensor(np.clip(self.heat_values * 255, 0, 255).astype(np.int64)).flip(0)  # image rows run down
        colours = self._lut[idx].permute(2, 0, 1)[None].contiguous(memory_format=torch.channels_last)  # (1, 4, res, res)
        with torch.no_grad(), one_thread():  # uint8 RGBA, channels last: torch's fast path (0.2 ms, float: 3 ms)
            up = F.interpolate(colours, size=(r1 - r0, c1 - c0), mode="bilinear", align_corners=True)
        buf = np.asarray(self.canvas.buffer_rgba())  # the renderer's own pixels (writable)
        buf[r0:r1, c0:c1] = up[0].permute(1, 2, 0).numpy()

    def rgb(self) -> np.ndarray:
        with one_thread():  # once per frame: torch resizing its thread pool per call costs more than the work
            self.draw()
        return np.asarray(self.canvas.buffer_rgba())[..., :3]

    def render_png(self) -> bytes:
        return encode_png(self.rgb())

    def data_box(self) -> dict:
        """Where the data plane sits in the frame, in image pixels from the top-left, and its data limits: what
        the drawing canvas needs to turn a click into data coordinates."""
        (x0, y0), (x1, y1) = self.ax.get_window_extent().get_points()
        H = self.fig.get_figheight() * self.fig.dpi
        return {"left": float(x0), "right": float(x1), "top": float(H - y1), "bottom": float(H - y0),
                "xmin": -self.L, "xmax": self.L, "ymin": -self.L, "ymax": self.L,
                "width": float(self.fig.get_figwidth() * self.fig.dpi), "height": float(H)}
