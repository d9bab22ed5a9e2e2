"""The live 1-D GAN dashboard: Figure 1 of the 2014 GAN paper, animated, with controls.

    from ganlab.widgets import Dashboard
    panel = Dashboard()      # optional: Dashboard(ToyConfig(...), DashboardConfig(...))
    panel.show()             # in a notebook: press Play

How it stays responsive: no thread and no blocking loop. A hidden ``ipywidgets.Play`` ticks in the
browser every ``tick_ms``; each tick trains for a fraction of that time (``tick_budget``) and
redraws when at least 1/``redraw_hz`` seconds have passed, then returns, so the kernel is free to
handle Pause, sliders and buttons between ticks. Frames are PNGs rendered by Agg (with blitting) into
an ``ipywidgets.Image``: nothing is cleared, nothing flickers, and it works in JupyterLab, VS Code and
Colab. Headless (tests, CI, benchmarks), ``panel.run(steps)`` drives the same code without a browser.
The clock, the error display and the export are the 2-D lab's too (:mod:`ganlab.widgets.ticker`).

Errors in callbacks never vanish: bad settings show as a message naming the value and its range,
a diverged run pauses with the trainer's explanation, and anything else shows its traceback.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import ipywidgets as W
import numpy as np
import torch
from scipy import stats

from ganlab.core import BoundedList, one_thread
from ganlab.theory import Gaussian, GaussianMixture
from ganlab.toy import ToyConfig, ToyTrainer, coverage_1d
from ganlab.viz import FRAME_WIDTH, ToyFigure
from ganlab.widgets.ticker import LivePanel, add_transport

SPEEDS = {"max": None, "100 it/s": 100, "20 it/s": 20, "slow motion (4 it/s)": 4}


@dataclass
class DashboardConfig:
    redraw_hz: float = 12.0  # most redraws per second while training (wall clock), > 0
    tick_ms: int = 150  # how often the browser's Play timer asks the kernel for more training, ms
    tick_budget: float = 0.8  # fraction of each tick spent training and drawing; the rest keeps clicks snappy
    chunk: int = 4  # iterations between clock checks
    speed: str = "max"  # one of SPEEDS: cap on iterations per second ("slow motion" to watch each step)
    max_frames: int = 160  # frames kept for GIF export; thinned to every other frame when full
    export_dir: str = "exports"  # where the Export button writes the GIF and the CSV

    def validate(self) -> None:
        if not (isinstance(self.redraw_hz, (int, float)) and 0 < self.redraw_hz < float("inf")):
            raise ValueError(f"redraw_hz must be a finite number > 0, got {self.redraw_hz!r}")
        if not (20 <= self.tick_ms <= 5000):
            raise ValueError(f"tick_ms must be in 20..5000, got {self.tick_ms!r}")
        if not (0 < self.tick_budget <= 1):
            raise ValueError(f"tick_budget must be in (0, 1], got {self.tick_budget!r}")
        if self.speed not in SPEEDS:
            raise ValueError(f"unknown speed {self.speed!r}: expected one of {list(SPEEDS)}")
        if not (isinstance(self.chunk, int) and not isinstance(self.chunk, bool) and 1 <= self.chunk <= 10_000):
            raise ValueError(f"chunk must be an integer in 1..10000, got {self.chunk!r}")
        if not (isinstance(self.max_frames, int) and not isinstance(self.max_frames, bool)
                and 4 <= self.max_frames <= 10_000):
            raise ValueError(f"max_frames must be an integer in 4..10000, got {self.max_frames!r}")


def target_from(kind: str, mean: float, sd: float, separation: float):
    """The dashboard's target: a Gaussian, or two equal Gaussians ``separation`` apart around ``mean``."""
    if kind == "gaussian":
        return Gaussian(mean, sd)
    if kind == "bimodal":
        return GaussianMixture((mean - separation / 2, mean + separation / 2), (sd, sd))
    raise ValueError(f"unknown target kind {kind!r}: expected 'gaussian' or 'bimodal'")


class Dashboard(LivePanel):
    """The live 1-D panel (see the module's docstring); the buttons' actions, the clock and the export are
    :class:`~ganlab.widgets.LivePanel`'s."""

    speeds = SPEEDS
    export_name = "toy-gan"

    def __init__(self, config: ToyConfig | None = None, view: DashboardConfig | None = None):
        self.view = view if view is not None else DashboardConfig()
        self.view.validate()
        self.trainer = ToyTrainer(config if config is not None else ToyConfig())
        self.figure = ToyFigure(self.trainer.config.target)
        self.frames = BoundedList(self.view.max_frames)  # PNG frames for the GIF export
        self.playing = False
        self.redraws = 0
        self._last_draw = 0.0
        self._build_widgets()
        self.redraw()

    # ----- widgets ---------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        c, t = self.trainer.config, self.trainer.config.target
        add_transport(self, self.view, "one full iteration: k_D D-updates, k_G G-updates")
        self.w_speed = W.Dropdown(options=list(SPEEDS), value=self.view.speed, description="speed",
                                  layout=W.Layout(width="230px"))
        self.image = W.Image(value=b"", format="png", layout=W.Layout(width=f"{FRAME_WIDTH}px", max_width="100%"))  # never stretched
        self.image.add_class("ganlab-figure")

        style = {"description_width": "72px"}
        lay = W.Layout(width="300px")
        is_mix = isinstance(t, GaussianMixture)
        mean = 0.5 * (t.means[0] + t.means[-1]) if is_mix else t.mean
        sd = t.sds[0] if is_mix else t.sd
        self.w_kind = W.ToggleButtons(options=["gaussian", "bimodal"], value="bimodal" if is_mix else "gaussian",
                                      description="target", style={"button_width": "80px", **style})
        self.w_mean = W.FloatSlider(value=mean, min=-6, max=6, step=0.25, description="mean", style=style, layout=lay)
        self.w_mean.add_class("ganlab-target-mean")
        self.w_sd = W.FloatSlider(value=sd, min=0.1, max=3, step=0.05, description="sd", style=style, layout=lay)
        self.w_sep = W.FloatSlider(value=(t.means[-1] - t.means[0]) if is_mix else 4.0, min=0.5, max=10, step=0.25,
                                   description="separation", style=style, layout=lay)
        self.w_loss = W.ToggleButtons(options=[("non-saturating", "ns"), ("minimax", "minimax")], value=c.loss,
                                      description="G loss", style={"button_width": "125px", **style})
        self.w_opt = W.ToggleButtons(options=["adam", "sgd"], value=c.optimizer, description="optimiser",
                                     style={"button_width": "70px", **style})
        self.w_lr_d = W.FloatLogSlider(value=c.lr_d, base=10, min=-5, max=-0.5, step=0.1, description="lr_D",
                                       readout_format=".1e", style=style, layout=lay)
        self.w_lr_g = W.FloatLogSlider(value=c.lr_g, base=10, min=-5, max=-0.5, step=0.1, description="lr_G",
                                       readout_format=".1e", style=style, layout=lay)
        self.w_k_d = W.IntSlider(value=c.k_d, min=1, max=10, description="k_D", style=style, layout=lay)
        self.w_k_g = W.IntSlider(value=c.k_g, min=1, max=10, description="k_G", style=style, layout=lay)
        self.w_batch = W.Dropdown(options=[8, 16, 32, 64, 128, 256, 512, 1024], value=c.batch_size,
                                  description="batch", style=style, layout=W.Layout(width="180px"))
        self.w_width = W.IntSlider(value=c.g.width, min=2, max=128, description="width", tooltip="hidden units per layer, both networks",
                                 style=style, layout=lay)
        self.w_seed = W.IntText(value=c.seed, description="seed", style=style, layout=W.Layout(width="180px"))

        self._connect(((self.b_play, self.play), (self.b_pause, self.pause), (self.b_step_d, self.step_d),
                       (self.b_step_g, self.step_g), (self.b_step, self.step), (self.b_reset, self.reset),
                       (self.b_export, self.export)))
        self.w_speed.observe(self._guard(lambda ch: setattr(self.view, "speed", ch["new"])), names="value")
        for w in (self.w_kind, self.w_mean, self.w_sd, self.w_sep):
            self._bind(w, lambda _v: self._apply_target())
        live = {"w_loss": "loss", "w_k_d": "k_d", "w_k_g": "k_g", "w_batch": "batch_size", "w_lr_d": "lr_d",
                "w_lr_g": "lr_g", "w_opt": "optimizer", "w_width": "width", "w_seed": "seed"}
        self._bind_settings(self, live)

        buttons = W.HBox([self.b_play, self.b_pause, self.b_step_d, self.b_step_g, self.b_step, self.b_reset,
                          self.w_speed, self.b_export, self.ticker])
        col = lambda title, *ws: W.VBox([W.HTML(f"<b>{title}</b>"), *ws], layout=W.Layout(margin="0 12px 0 0"))
        controls = W.HBox([
            col("Target p_data (changes apply live)", self.w_kind, self.w_mean, self.w_sd, self.w_sep),
            col("Training (live)", self.w_loss, self.w_lr_d, self.w_lr_g, self.w_k_d, self.w_k_g, self.w_batch),
            col("Networks (changing these resets)", self.w_opt, self.w_width, self.w_seed),
        ], layout=W.Layout(flex_flow="row wrap"))
        self.widget = W.VBox([buttons, self.image, self.readout, self.message, controls]).add_class("ganlab-dashboard")

    # ----- actions (play, pause and the steps are LivePanel's) ------------------------------------
    def reset(self, notice: str = "") -> None:
        self.trainer.reset()
        self.figure.reset_limits()
        self.frames = BoundedList(self.view.max_frames)  # PNG frames for the GIF export
        self.redraw()
        self.notify(notice)

    def set(self, **changes) -> None:
        """Change settings. lr_d, lr_g, k_d, k_g, batch_size, loss apply live; optimizer, width, seed reset."""
        c = self.trainer.config
        rebuild = {"optimizer", "width", "seed"}
        unknown = set(changes) - rebuild - {"lr_d", "lr_g", "k_d", "k_g", "batch_size", "loss"}
        if unknown:
            raise ValueError(f"unknown setting(s) {sorted(unknown)}")
        backup = {k: getattr(c, k) for k in ("optimizer", "seed", "k_d", "k_g", "batch_size", "loss")}
        widths = (c.g.width, c.d.width)
        try:
            for k, v in changes.items():
                if k == "width":
                    c.g.width = c.d.width = int(v)
                elif k not in ("lr_d", "lr_g"):
                    setattr(c, k, v)
            self.trainer.set_lr(changes.get("lr_d"), changes.get("lr_g"))  # validates everything
        except ValueError:
            for k, v in backup.items():
                setattr(c, k, v)
            c.g.width, c.d.width = widths
            raise
        if rebuild & set(changes):
            names = ", ".join(sorted(rebuild & set(changes)))
            self.reset(notice=f"Reset: changing {names} needs fresh networks, so the run started over.")
        else:
            self.redraw()

    def _apply_target(self) -> None:
        self.w_sep.disabled = self.w_kind.value != "bimodal"
        self.trainer.set_target(target_from(self.w_kind.value, self.w_mean.value, self.w_sd.value, self.w_sep.value))
        self.redraw()

    # ----- drawing (the export is LivePanel's) ------------------------------------------------
    def redraw(self) -> None:
        self._last_draw = time.perf_counter()  # the clock counts from the start: redraw_hz is the real rate
        self.figure.update(self.trainer)
        png = self.figure.render_png()
        self.image.value = png
        self.frames.add(png)
        self.redraws += 1
        self._update_readout()

    def snapshot(self) -> bytes:
        """The current picture as PNG bytes, history axes fitted to the run: the static copy to display under
        the panel (widget state is not saved with a notebook; an image output is)."""
        self.figure.update(self.trainer)
        self.figure.fit_history()
        return self.figure.render_png()

    def coverage(self, n: int = 1000) -> dict:
        """Mode coverage of G (ganlab.toy.coverage) on n evenly spaced noise quantiles."""
        u = (np.arange(n) + 0.5) / n
        z = stats.norm.ppf(u) if self.trainer.config.noise == "gaussian" else 2 * u - 1
        if self.trainer.config.noise_dim != 1:
            z = self.trainer.noise(n).numpy()
        with one_thread(), torch.no_grad():
            x = self.trainer.G(torch.as_tensor(z, dtype=torch.float32).reshape(n, -1)).numpy()
        return coverage_1d(x, self.trainer.config.target)

    def _update_readout(self) -> None:
        tr, last = self.trainer, self.trainer.history.last()
        cov = self.coverage()
        t = tr.config.target
        mean = 0.5 * (t.means[0] + t.means[-1]) if isinstance(t, GaussianMixture) else t.mean
        rate = tr.iteration / tr.seconds if tr.seconds > 0 else 0.0
        num = lambda v, fmt=".3f": "–" if v != v else format(v, fmt)  # nan (no update yet) shows as a dash
        self.readout.value = (
            f'<span style="font-family:monospace">iteration <span class="ganlab-step-count">{tr.iteration}</span>'
            f' · JSD <span class="ganlab-jsd">{last.get("jsd", float("nan")):.5f}</span> nats'
            f' · V(D,G) {last.get("v", float("nan")):.4f} (−log 4 = −1.3863)'
            f' · loss_D {num(tr.last["loss_d"])} · loss_G {num(tr.last["loss_g"])}'
            f' · D(x) {num(tr.last["d_real"])} · D(G(z)) {num(tr.last["d_fake"])}'
            f' · modes <span class="ganlab-modes">{cov["covered"]}/{cov["n_modes"]}</span>'
            f' (quality {cov["quality"]:.0%})'
            f' · <span class="ganlab-target">mean={mean:g}</span> · {rate:.0f} it/s'
            f' · updates D {tr.d_updates} / G {tr.g_updates}</span>')
