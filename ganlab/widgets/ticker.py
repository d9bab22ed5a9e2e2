"""What the live panels share (the 1-D :class:`~ganlab.widgets.Dashboard`, the 2-D
:class:`~ganlab.widgets.Dashboard2D`): their transport buttons, the training clock, error display and export.

The clock: no thread and no blocking loop. A hidden ``ipywidgets.Play`` ticks in the browser every ``tick_ms``;
each tick trains for ``tick_budget`` of that time and redraws when at least 1/``redraw_hz`` seconds have passed,
then returns, so the kernel is free to handle Pause, sliders and buttons between ticks. Headless (tests, CI,
benchmarks), ``run(steps)`` drives the same loop without a browser.

Errors in callbacks never vanish: a refused setting shows as a message naming the value and its range (and the
control goes back to the value in effect), a diverged run pauses with the trainer's explanation, and anything
else shows its traceback.
"""

from __future__ import annotations

import html
import time
import traceback
from pathlib import Path

import ipywidgets as W
from IPython.display import display

from ganlab.core import TrainingDiverged, one_thread, save_gif


def button(label: str, icon: str, cls: str, tip: str) -> W.Button:
    return W.Button(description=label, icon=icon, tooltip=tip, layout=W.Layout(width="auto")).add_class(cls)


def add_transport(obj, view, step_tip: str) -> None:
    """Put a panel's common widgets on ``obj``: the Play, Pause, Step D, Step G, Step, Reset and Export buttons
    (``b_play`` … ``b_export``; ``step_tip`` is Step's tooltip), the hidden Play ``ticker``, ``readout`` and
    ``message``."""
    obj.b_play = button("Play", "play", "ganlab-play", "train continuously")
    obj.b_pause = button("Pause", "pause", "ganlab-pause", "stop training (the run is kept)")
    obj.b_step_d = button("Step D", "", "ganlab-step-d", "one discriminator update")
    obj.b_step_g = button("Step G", "", "ganlab-step-g", "one generator update")
    obj.b_step = button("Step", "step-forward", "ganlab-step", step_tip)
    obj.b_reset = button("Reset", "undo", "ganlab-reset", "fresh networks from the seed")
    obj.b_export = button("Export GIF + CSV", "download", "ganlab-export", f"write to {view.export_dir}/")
    obj.ticker = W.Play(value=0, min=0, max=10**9, step=1, interval=view.tick_ms, show_repeat=False,
                        layout=W.Layout(display="none"))
    obj.readout = W.HTML().add_class("ganlab-readout")
    obj.message = W.HTML().add_class("ganlab-message")


class LivePanel:
    """The clock, the error display and the export of a live panel. A subclass has ``widget``, ``message``,
    ``ticker``, ``trainer``, ``view`` (redraw_hz, tick_ms, tick_budget, chunk, speed, export_dir), ``frames``,
    ``playing``, ``redraws``, ``_last_draw``, ``redraw()``, ``_update_readout()`` and ``set(**changes)``."""

    speeds: dict = {}  # the panel's speed menu: name -> iterations per second (None: as fast as it goes)
    export_name = "gan"  # exported files are named <export_name>-<time stamp>.gif / .csv
    refused: tuple = (ValueError,)  # what a callback may raise for a value it refuses: "Not applied: ..."
    _quiet = False  # True while the panel sets its own controls (their observers then do nothing)

    def show(self) -> None:
        """Display the panel (returns None, so a trailing ``.show()`` does not display it twice)."""
        display(self.widget)

    def _ipython_display_(self):
        display(self.widget)

    # ----- wiring and errors ---------------------------------------------------------------------------
    def _connect(self, actions) -> None:
        """``(button, action)`` pairs: each click calls its action; each tick of the hidden Play calls ``tick``."""
        for b, fn in actions:
            b.on_click(self._guard(lambda _b, fn=fn: fn()))
        self.ticker.observe(self._guard(lambda _ch: self.tick()), names="value")

    def _bind_settings(self, controls, live: dict) -> None:
        """``live``: control attribute of ``controls`` -> setting; a change calls ``set(setting=value)``."""
        for attr, key in live.items():
            self._bind(getattr(controls, attr), lambda v, key=key: self.set(**{key: v}))

    def _guard(self, fn):
        """Wrap a callback so that whatever it raises shows up in the message area."""
        def wrapped(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except self.refused as exc:
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
            if reverting or self._quiet:
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

    # ----- actions (the buttons call these; tests and scripts can too) --------------------------------
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

    # ----- the training clock --------------------------------------------------------------------------
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
        cap = self.speeds[self.view.speed]
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
                self.trainer.step(min(self.view.chunk, steps - (self.trainer.iteration - it0)))
                if time.perf_counter() - self._last_draw >= 1.0 / self.view.redraw_hz:
                    self.redraw()
            self.redraw()
        dt = time.perf_counter() - t0
        return {"steps": steps, "seconds": dt, "steps_per_s": steps / dt, "frames": self.redraws - frames0,
                "frames_per_s": (self.redraws - frames0) / dt}

    # ----- export --------------------------------------------------------------------------------------
    def save_gif(self, path: str | Path, fps: int = 8) -> Path:
        """Write the kept frames as an animated GIF (for slides)."""
        if not self.frames.items:
            raise ValueError("no frames recorded yet: train first")
        return save_gif(self.frames.items, path, fps=fps)

    def save_csv(self, path: str | Path) -> Path:
        """Write the history (one row per record) as CSV."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return self.trainer.history.to_csv(path)

    def export(self) -> tuple[Path, Path]:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        d = Path(self.view.export_dir)
        gif = self.save_gif(d / f"{self.export_name}-{stamp}.gif")
        csv = self.save_csv(d / f"{self.export_name}-{stamp}.csv")
        self.notify(f"Saved {gif} ({len(self.frames)} frames) and {csv} ({len(self.trainer.history)} rows).")
        return gif, csv
