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

Errors in callbacks never vanish: bad settings show as a message naming the value and its range,
a diverged run pauses with the trainer's explanation, and anything else shows its traceback.
"""

from __future__ import annotations

import html
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as W
import numpy as np
import torch
from scipy import stats
from IPython.display import display

from ganlab.core import BoundedList, TrainingDiverged, one_thread, save_gif
from ganlab.theory import Gaussian, GaussianMixture
from ganlab.toy import ToyConfig, ToyTrainer, coverage_1d
from ganlab.viz import FRAME_WIDTH, ToyFigure

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


class Dashboard:
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
        btn = lambda label, icon, cls, tip: W.Button(description=label, icon=icon, tooltip=tip,
                                                     layout=W.Layout(width="auto")).add_class(cls)
        self.b_play = btn("Play", "play", "ganlab-play", "train continuously")
        self.b_pause = btn("Pause", "pause", "ganlab-pause", "stop training (the run is kept)")
        self.b_step_d = btn("Step D", "", "ganlab-step-d", "one discriminator update")
        self.b_step_g = btn("Step G", "", "ganlab-step-g", "one generator update")
        self.b_step = btn("Step", "step-forward", "ganlab-step", "one full iteration: k_D D-updates, k_G G-updates")
        self.b_reset = btn("Reset", "undo", "ganlab-reset", "fresh networks from the seed")
        self.b_export = btn("Export GIF + CSV", "download", "ganlab-export", f"write to {self.view.export_dir}/")
        self.w_speed = W.Dropdown(options=list(SPEEDS), value=self.view.speed, description="speed",
                                  layout=W.Layout(width="230px"))
        self.ticker = W.Play(value=0, min=0, max=10**9, step=1, interval=self.view.tick_ms,
                             show_repeat=False, layout=W.Layout(display="none"))
        self.image = W.Image(value=b"", format="png", layout=W.Layout(width=f"{FRAME_WIDTH}px", max_width="100%"))  # never stretched
        self.image.add_class("ganlab-figure")
        self.readout = W.HTML().add_class("ganlab-readout")
        self.message = W.HTML().add_class("ganlab-message")

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

        for b, fn in ((self.b_play, self.play), (self.b_pause, self.pause), (self.b_step_d, self.step_d),
                      (self.b_step_g, self.step_g), (self.b_step, self.step), (self.b_reset, self.reset),
                      (self.b_export, self.export)):
            b.on_click(self._guard(lambda _b, fn=fn: fn()))
        self.ticker.observe(self._guard(lambda _ch: self.tick()), names="value")
        self.w_speed.observe(self._guard(lambda ch: setattr(self.view, "speed", ch["new"])), names="value")
        for w in (self.w_kind, self.w_mean, self.w_sd, self.w_sep):
            self._bind(w, lambda _v: self._apply_target())
        live = {"w_loss": "loss", "w_k_d": "k_d", "w_k_g": "k_g", "w_batch": "batch_size", "w_lr_d": "lr_d",
                "w_lr_g": "lr_g", "w_opt": "optimizer", "w_width": "width", "w_seed": "seed"}
        for attr, key in live.items():
            self._bind(getattr(self, attr), lambda v, key=key: self.set(**{key: v}))

        buttons = W.HBox([self.b_play, self.b_pause, self.b_step_d, self.b_step_g, self.b_step, self.b_reset,
                          self.w_speed, self.b_export, self.ticker])
        col = lambda title, *ws: W.VBox([W.HTML(f"<b>{title}</b>"), *ws], layout=W.Layout(margin="0 12px 0 0"))
        controls = W.HBox([
            col("Target p_data (changes apply live)", self.w_kind, self.w_mean, self.w_sd, self.w_sep),
            col("Training (live)", self.w_loss, self.w_lr_d, self.w_lr_g, self.w_k_d, self.w_k_g, self.w_batch),
            col("Networks (changing these resets)", self.w_opt, self.w_width, self.w_seed),
        ], layout=W.Layout(flex_flow="row wrap"))
        self.widget = W.VBox([buttons, self.image, self.readout, self.message, controls]).add_class("ganlab-dashboard")

    def show(self) -> None:
        """Display the panel (returns None, so a trailing ``.show()`` does not display it twice)."""
        display(self.widget)

    def _ipython_display_(self):
        display(self.widget)

    # ----- errors ----------------------------------------------------------------------------
    def _guard(self, fn):
        """Wrap a callback so that whatever it raises shows up in the message area."""
        def wrapped(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except ValueError as exc:
                self.notify(f"Not applied: {exc}", "error")
            except TrainingDiverged as exc:
                self.pause()
                self.redraw()
                self.notify(str(exc), "error")
            except Exception as exc:  # noqa: BLE001 - show anything else, with its traceback
                self.pause()
                tb = html.escape("".join(traceback.format_exception(exc)))
                self.notify(f"{type(exc).__name__}: {exc}<details><summary>traceback</summary><pre>{tb}</pre></details>",
                            "error", escape=False)
        return wrapped

    def _bind(self, widget, apply) -> None:
        """Call ``apply(new value)`` when ``widget`` changes. If the value is refused, say why and put the
        control back to the value in effect, so what the panel shows is what the trainer uses."""
        reverting = []

        def on_change(ch):
            if reverting:
                return
            try:
                apply(ch["new"])
            except ValueError as exc:
                self.notify(f"Not applied: {exc}", "error")
                reverting.append(True)
                try:
                    widget.value = ch["old"]
                finally:
                    reverting.clear()

        widget.observe(self._guard(on_change), names="value")

    def notify(self, text: str, level: str = "info", escape: bool = True) -> None:
        colour = {"info": "#1c7ed6", "error": "#c92a2a"}[level]
        body = html.escape(text) if escape else text
        self.message.value = f'<div style="color:{colour};margin:4px 0">{body}</div>' if text else ""

    # ----- actions (the buttons call these; tests and scripts can too) ------------------------
    def play(self) -> None:
        self.playing = True
        self.ticker.playing = True
        self.notify("")

    def pause(self) -> None:
        self.playing = False
        self.ticker.playing = False

    def step(self) -> None:
        self.trainer.step(1)
        self.redraw()

    def step_d(self) -> None:
        self.trainer.step_d(1)
        self.redraw()

    def step_g(self) -> None:
        self.trainer.step_g(1)
        self.redraw()

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

    # ----- the training clock ----------------------------------------------------------------
    def tick(self) -> None:
        """One Play tick: train and redraw for ``tick_budget`` of the tick, then return. A refused
        setting met while playing pauses the run (one message, not one per tick)."""
        if self.playing:
            try:
                self.advance(self.view.tick_ms / 1000 * self.view.tick_budget)
            except ValueError as exc:
                self.pause()
                self.notify(f"Paused: {exc}", "error")

    def advance(self, seconds: float) -> int:
        """Train for about ``seconds`` of wall clock (or fewer iterations under a speed cap),
        redrawing whenever 1/redraw_hz has passed. Returns the iterations done."""
        start = time.perf_counter()
        cap = SPEEDS[self.view.speed]
        allowed = None if cap is None else max(1, round(cap * seconds))
        done = 0
        with one_thread():  # once per tick: resizing torch's thread pool every chunk is costly
            while time.perf_counter() - start < seconds and (allowed is None or done < allowed):
                n = self.view.chunk if allowed is None else min(self.view.chunk, allowed - done)
                self.trainer.step(n)
                done += n
                if time.perf_counter() - self._last_draw >= 1.0 / self.view.redraw_hz:
                    self.redraw()
        if cap is not None and done:
            self.redraw()
        elif done:
            self._update_readout()  # numbers exact at the end of every tick; the figure follows at redraw_hz
        return done

    def run(self, steps: int) -> dict[str, float]:
        """Headless: train ``steps`` iterations, redrawing at ``redraw_hz`` as if the panel were live."""
        t0, frames0, it0 = time.perf_counter(), self.redraws, self.trainer.iteration
        with one_thread():
            while self.trainer.iteration - it0 < steps:
                n = min(self.view.chunk, steps - (self.trainer.iteration - it0))
                self.trainer.step(n)
                if time.perf_counter() - self._last_draw >= 1.0 / self.view.redraw_hz:
                    self.redraw()
            self.redraw()
        dt = time.perf_counter() - t0
        return {"steps": steps, "seconds": dt, "steps_per_s": steps / dt, "frames": self.redraws - frames0,
                "frames_per_s": (self.redraws - frames0) / dt}

    # ----- drawing and export ----------------------------------------------------------------
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

    def save_gif(self, path: str | Path, fps: int = 8) -> Path:
        """Write the kept frames as an animated GIF (for slides)."""
        if not self.frames.items:
            raise ValueError("no frames recorded yet: train first")
        return save_gif(self.frames.items, path, fps=fps)

    def save_csv(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return self.trainer.history.to_csv(path)

    def export(self) -> tuple[Path, Path]:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        d = Path(self.view.export_dir)
        gif = self.save_gif(d / f"toy-gan-{stamp}.gif")
        csv = self.save_csv(d / f"toy-gan-{stamp}.csv")
        self.notify(f"Saved {gif} ({len(self.frames)} frames) and {csv} ({len(self.trainer.history)} rows).")
        return gif, csv
