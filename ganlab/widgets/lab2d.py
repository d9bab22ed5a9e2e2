"""The 2-D GAN lab: GAN Lab's views and controls in a notebook, plus the measurements and switches it lacks.

    from ganlab.widgets import Dashboard2D
    lab = Dashboard2D()                  # optional: Dashboard2D(Toy2DConfig(...), Dashboard2DConfig(...), target=...)
    lab.show()                           # press Play; pick "draw your own" and click on the plot

``target`` may be a name of ``ganlab.toy.TARGETS_2D``, a ``Target2D``, any (N, 2) array or the path of a CSV
file. The design is the 1-D dashboard's (``ganlab.widgets.Dashboard``): no thread, no blocking loop; a hidden
``ipywidgets.Play`` ticks every ``tick_ms`` and each tick trains for ``tick_budget`` of it, redrawing at most
``redraw_hz`` times a second (blitted frames, :class:`~ganlab.viz.lab2d_figure.Lab2DFigure`), so clicks are
answered between ticks. The picture is a :class:`~ganlab.widgets.canvas.FrameCanvas` (an anywidget) that also
takes drawn points; every other control is plain ipywidgets. Bad settings show a message naming the value
and its range, and the control goes back to the value in effect; a diverged run pauses with advice.
Headless (tests, CI, the benchmark), ``lab.run(steps)`` drives the same code. The clock, the error display
and the export are the 1-D dashboard's own code (:class:`~ganlab.widgets.ticker.LivePanel`).
"""

from __future__ import annotations

import html
import io
import time
from dataclasses import replace

import ipywidgets as W
import numpy as np
from PIL import Image

from ganlab.core import BoundedList, encode_png, one_thread
from ganlab.toy import JSD_ESTIMATOR, LAB_PRESETS, Toy2DConfig, Toy2DTrainer, from_points, lab_preset
from ganlab.viz import FRAME_WIDTH
from ganlab.viz.lab2d_figure import Lab2DFigure
from ganlab.widgets import lab2d_controls as controls
from ganlab.widgets.canvas import CAN_DRAW, FrameCanvas
from ganlab.widgets.ticker import LivePanel

from ganlab.widgets.lab2d_controls import CUSTOM, DRAW, SPEEDS, Dashboard2DConfig, as_target


class Dashboard2D(LivePanel):
    """The 2-D lab (see the module's docstring); the clock, the error display and the export are
    :class:`~ganlab.widgets.LivePanel`'s."""

    speeds = SPEEDS
    export_name = "gan-lab-2d"
    refused = (ValueError, FileNotFoundError)  # a CSV target that is not there is a refused value too

    def __init__(self, config: Toy2DConfig | None = None, view: Dashboard2DConfig | None = None, target=None):
        self.view = view if view is not None else Dashboard2DConfig()
        self.view.validate()
        config = config if config is not None else Toy2DConfig()
        if target is not None:
            config = replace(config, target=as_target(target))
        self.trainer = Toy2DTrainer(config)
        self.figure = Lab2DFigure(self.trainer)
        self.frames = BoundedList(self.view.max_frames)
        self.drawn: list[tuple[float, float]] = []
        self.playing, self.redraws, self._last_draw, self._last_sub = False, 0, 0.0, 0.0
        self._quiet = False
        self._draw_view = None
        self._build_widgets()
        self._sync_controls()
        self.redraw()

    # ----- widgets ---------------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        ns = self.controls = controls.build(self.trainer.config, self.view, [lab_preset(n) for n in LAB_PRESETS])
        self.canvas = FrameCanvas(width=FRAME_WIDTH, format=self.view.frame_format)
        self.canvas.add_class("ganlab-lab2d-canvas")
        self.canvas.on_points(self._guard(self.add_points))
        self._connect(((ns.b_play, self.play), (ns.b_pause, self.pause), (ns.b_step_d, self.step_d),
                       (ns.b_step_g, self.step_g), (ns.b_step, self.step), (ns.b_reset, self.reset),
                       (ns.b_export, self.export), (ns.b_clear, self.clear_drawing)))
        self._bind(ns.w_speed, self._set_speed)
        self._bind(ns.w_target, self._choose_target)
        self._bind(ns.w_draw_sd, self._set_draw_sd)
        self._bind(ns.w_preset, lambda v: v and self.use_preset(v))
        for w in ns.w_layers.values():
            self._bind(w, lambda _v: self.show_layers([k for k, c in self.controls.w_layers.items() if c.value]))
        live = {"w_loss": "loss", "w_lr_d": "lr_d", "w_lr_g": "lr_g", "w_k_d": "k_d", "w_k_g": "k_g",
                "w_batch": "batch_size", "w_opt": "optimizer", "w_noise": "noise", "w_noise_dim": "noise_dim",
                "w_beta1": "beta1", "w_mbstd": "mbstd", "w_sn": "spectral_norm", "w_seed": "seed", "w_depth": "depth", "w_width": "width"}
        self._bind_settings(ns, live)
        parts = [self.canvas if w is None else w for w in ns.layout]
        self.widget = W.VBox(parts).add_class("ganlab-lab2d")

    @property
    def message(self):  # LivePanel's message area and Play timer live with the other controls
        return self.controls.message

    @property
    def ticker(self):
        return self.controls.ticker

    def _sync_controls(self) -> None:
        """Show the trainer's settings in the controls (after a preset or a new target), without applying them."""
        self._quiet = True
        try:
            controls.sync(self.controls, self.trainer.config)
        finally:
            self._quiet = False

    # ----- actions (the buttons call these; tests and scripts can too) ----------------------------------------
    def play(self) -> None:
        if SPEEDS[self.view.speed] != "sub":
            self.figure.phase_text = ""  # a Step D / Step G label would otherwise stay on the moving picture
        super().play()

    def step(self) -> None:
        self.figure.phase_text = ""
        super().step()

    def step_d(self) -> None:
        self.figure.phase_text = "Step D: one D update (the heat map moved)"
        super().step_d()

    def step_g(self) -> None:
        self.figure.phase_text = "Step G: one G update (the fakes moved)"
        super().step_g()

    def reset(self, notice: str = "") -> None:
        self.trainer.reset()
        self._new_run(notice)

    def _new_run(self, notice: str = "") -> None:
        self.figure.phase_text = ""
        self.figure.set_target(self.trainer)
        self.figure.reset_limits()
        self.frames = BoundedList(self.view.max_frames)
        self.redraw()
        self.notify(notice)

    def set(self, **changes) -> None:
        """Change settings (``Toy2DConfig`` fields; ``width`` and ``depth`` set both networks, ``beta1`` Adam's β1). Training settings
        apply to the running networks; network settings (``REBUILD``) start the run again and say so."""
        c = self.trainer.config
        if "beta1" in changes:
            changes["betas"] = (float(changes.pop("beta1")), c.betas[1])
        for key in ("width", "depth"):
            if key in changes:
                v = changes.pop(key)
                changes["g"] = replace(changes.get("g", c.g), **{key: int(v)})
                changes["d"] = replace(changes.get("d", c.d), **{key: int(v)})
        rebuilt = self.trainer.set(**changes)
        if rebuilt:
            self._new_run(f"Reset: changing {', '.join(sorted(rebuilt))} needs fresh networks, so the run started over.")
        else:
            self.redraw()

    def set_target(self, source) -> None:
        """Train on a new target (a name, Target2D, (N, 2) array or CSV path); the networks keep their weights."""
        self.trainer.set(target=as_target(source))
        self._sync_controls()
        self.redraw()
        t = self.trainer.config.target
        self.notify(f"Target: {t.describe()}" + (f" ({t.note})" if t.note else ""))

    def _choose_target(self, name: str) -> None:
        drawing = name == DRAW
        self.canvas.drawing = drawing
        if drawing:
            self._draw_view = self.trainer.box
            if not CAN_DRAW:
                self.notify("Drawing needs the anywidget package (pip install -r requirements.txt); meanwhile pass "
                            "points in: lab.set_target(array or 'file.csv').", "error")
            elif self.drawn:
                self._use_drawn()
            else:
                self.notify("Click or drag on the plot to draw points: they become the target.")
        elif name != CUSTOM:
            self.set_target(name)

    def add_points(self, points) -> None:
        """Add drawn points (data coordinates); in drawing mode they become the target at once."""
        pts = [(float(x), float(y)) for x, y in points]
        if pts and not np.isfinite(np.asarray(pts)).all():
            raise ValueError("drawn points must be finite numbers")
        self.drawn.extend(pts)
        if self.controls.w_target.value == DRAW and self.drawn:
            self._use_drawn()

    def _use_drawn(self) -> None:
        view = self._draw_view if self._draw_view is not None else self.trainer.box
        self.trainer.set(target=from_points(self.drawn, sd=self.view.draw_sd, view=view))
        self.redraw()
        self.notify(f"Target: your {len(self.drawn)} drawn points (each a Gaussian of sd {self.view.draw_sd:g}).")

    def clear_drawing(self) -> None:
        self.drawn = []
        self.notify("Drawing cleared: the target stays until you draw new points." if
                    self.controls.w_target.value == DRAW else "Drawing cleared.")

    def _set_draw_sd(self, sd: float) -> None:
        self.view = replace(self.view, draw_sd=float(sd))
        self.view.validate()
        if self.controls.w_target.value == DRAW and self.drawn:
            self._use_drawn()

    def _set_speed(self, speed: str) -> None:
        self.view = replace(self.view, speed=speed)
        self.view.validate()
        if SPEEDS[speed] != "sub":
            self.figure.phase_text = ""

    def use_preset(self, name: str) -> None:
        """Start from a preset of ``ganlab.toy.LAB_PRESETS``: its settings, and its trained weights if it has any."""
        p = lab_preset(name)
        self.trainer = p.trainer()
        self._sync_controls()
        self.canvas.drawing = self.controls.w_target.value == DRAW
        self._new_run(f"{p.title}: {p.story}")

    def show_layers(self, layers) -> None:
        self.figure.show_layers(layers)
        self.redraw()

    # ----- the training clock ------------------------------------------------------------------------------------
    def advance(self, seconds: float) -> int:
        """Train for about ``seconds`` of wall clock (fewer iterations under a speed cap; one sub-step per
        ``substep_s`` in slow motion), redrawing whenever 1/redraw_hz has passed. Returns iterations done."""
        if SPEEDS[self.view.speed] != "sub":
            return super().advance(seconds)
        now = time.perf_counter()
        if now - self._last_sub < self.view.substep_s:
            return 0
        self._last_sub = now
        phase, c = self.trainer.substep(), self.trainer.config
        self.figure.phase_text = (f"sub-step 1/2: {c.k_d} D update(s), the map moved; arrows: G's next push"
                                  if phase == "d" else f"sub-step 2/2: {c.k_g} G update(s), fakes moved")
        self.redraw()
        return int(phase == "g")

    # ----- drawing and export --------------------------------------------------------------------------------------
    def _frame(self) -> bytes:
        """Draw the figure and encode it (JPEG straight from the renderer's RGBA buffer, or PNG)."""
        if self.view.frame_format == "png":
            return encode_png(self.figure.rgb())
        self.figure.rgb()
        w, h = self.figure.canvas.get_width_height()
        out = io.BytesIO()
        Image.frombuffer("RGBA", (w, h), self.figure.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB").save(
            out, format="JPEG", quality=90)
        return out.getvalue()

    def redraw(self) -> None:
        self._last_draw = time.perf_counter()
        with one_thread():
            self.figure.update(self.trainer)
            frame = self._frame()
        box = self.figure.data_box()
        if box != self.canvas.box:
            self.canvas.box = box
        self.canvas.frame = frame
        self.frames.add(frame)
        self.redraws += 1
        self._update_readout()

    def snapshot(self) -> bytes:
        """The current picture as PNG, history axes fitted to the run: the static copy to display under the lab."""
        phase, self.figure.phase_text = self.figure.phase_text, ""
        with one_thread():
            self.figure.update(self.trainer)
            self.figure.fit_history()
            png = self.figure.render_png()
        self.figure.phase_text = phase
        return png

    def _update_readout(self) -> None:
        tr, last = self.trainer, self.trainer.history.last()
        c = tr.config
        num = lambda v, fmt=".3f": "–" if v is None or v != v else format(v, fmt)
        rate = tr.iteration / tr.seconds if tr.seconds > 0 else 0.0
        d_name = "D(x)" if c.loss in ("ns", "minimax") else "score(x)"
        self.controls.readout.value = (
            '<div style="font-family:monospace;line-height:1.5">'
            f'iteration <span class="ganlab-step-count">{tr.iteration}</span>'
            f' · updates D <span class="ganlab-d-updates">{tr.d_updates}</span>'
            f' / G <span class="ganlab-g-updates">{tr.g_updates}</span>'
            f' · loss <span class="ganlab-loss-kind">{c.loss}</span>'
            f' · loss_D {num(tr.last["loss_d"])} · loss_G {num(tr.last["loss_g"])}'
            f' · {d_name} {num(tr.last["d_real"])} · on fakes {num(tr.last["d_fake"])} · {rate:.0f} it/s<br>'
            f'target <span class="ganlab-target">{html.escape(c.target.describe())}</span>'
            f' · parts covered <span class="ganlab-modes">{int(last.get("covered", 0))}/{c.target.n_parts}</span>'
            f' · quality {last.get("quality", 0):.0%}'
            f' · records <span class="ganlab-records">{len(tr.history)}</span><br>'
            f'JSD {num(last.get("jsd"))} nats (floor {tr.floors["jsd"]:.3f}; {html.escape(JSD_ESTIMATOR)}, '
            f'{c.n_eval} fakes, biased up) · W1 {num(last.get("w1"))} (floor {tr.floors["w1"]:.3f}; exact minibatch W1, '
            f'n = {c.w1_n}, optimal matching)</div>')
