"""The 2-D lab's settings and controls: its view config, where a target can come from, and the plain
ipywidgets built from a trainer's config (layout only; :class:`~ganlab.widgets.Dashboard2D` binds them).

Every control carries a CSS class (``ganlab-…``) so that the browser test, and a person reading the page
source, can find it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import ipywidgets as W

from ganlab.toy import LOSSES_2D, TARGETS_2D, Target2D, from_array, from_csv, target2d
from ganlab.viz.lab2d_figure import LAYERS
from ganlab.widgets.ticker import add_transport, button

DRAW = "draw your own"  # the target entry that turns the canvas into a drawing board
CUSTOM = "custom (array / CSV)"
LOSS_LABELS = {"ns": "non-saturating", "minimax": "minimax", "lsgan": "least squares", "hinge": "hinge",
               "wgan-gp": "WGAN-GP"}
LAYER_LABELS = {"heat": "D heat map", "real": "real points", "fake": "fakes G(z)", "manifold": "manifold",
                "arrows": "gradient arrows"}
SPEEDS = {"max": None, "100 it/s": 100, "20 it/s": 20, "5 it/s": 5, "slow motion (sub-steps)": "sub"}


@dataclass
class Dashboard2DConfig:
    redraw_hz: float = 12.0  # most redraws per second while training (wall clock), > 0
    tick_ms: int = 150  # how often the browser's Play timer asks the kernel for more training, ms
    tick_budget: float = 0.8  # fraction of each tick spent training and drawing
    chunk: int = 4  # iterations between clock checks
    speed: str = "max"  # one of SPEEDS ("slow motion (sub-steps)": D's update, then G's, one frame each)
    substep_s: float = 0.8  # slow motion: seconds between sub-steps, > 0
    draw_sd: float = 0.1  # width of the Gaussian put at each drawn point, in data units, > 0
    frame_format: str = "jpeg"  # live frames: "jpeg" (quality 90, 4-7 ms to encode here) or "png" (9-15 ms)
    max_frames: int = 160  # frames kept for the GIF export (thinned when full)
    export_dir: str = "exports"  # where Export writes the GIF and the CSV

    def validate(self) -> None:
        if not (isinstance(self.redraw_hz, (int, float)) and 0 < self.redraw_hz < float("inf")):
            raise ValueError(f"redraw_hz must be a finite number > 0, got {self.redraw_hz!r}")
        if not (isinstance(self.tick_ms, int) and 20 <= self.tick_ms <= 5000):
            raise ValueError(f"tick_ms must be an integer in 20..5000, got {self.tick_ms!r}")
        if not (isinstance(self.tick_budget, (int, float)) and 0 < self.tick_budget <= 1):
            raise ValueError(f"tick_budget must be in (0, 1], got {self.tick_budget!r}")
        if not (isinstance(self.chunk, int) and not isinstance(self.chunk, bool) and 1 <= self.chunk <= 10_000):
            raise ValueError(f"chunk must be an integer in 1..10000, got {self.chunk!r}")
        if self.speed not in SPEEDS:
            raise ValueError(f"unknown speed {self.speed!r}: expected one of {list(SPEEDS)}")
        for name in ("substep_s", "draw_sd"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and 0 < v < float("inf")):
                raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
        if self.frame_format not in ("jpeg", "png"):
            raise ValueError(f"frame_format must be 'jpeg' or 'png', got {self.frame_format!r}")
        if not (isinstance(self.max_frames, int) and 4 <= self.max_frames <= 10_000):
            raise ValueError(f"max_frames must be an integer in 4..10000, got {self.max_frames!r}")


def as_target(source) -> Target2D:
    """A Target2D from a name of TARGETS_2D, a Target2D, an (N, 2) array or a CSV path."""
    if isinstance(source, Target2D):
        return source
    if isinstance(source, str) and source in TARGETS_2D:
        return target2d(source)
    if isinstance(source, (str, Path)):
        if not str(source).lower().endswith(".csv") and not Path(source).is_file():
            raise ValueError(f"unknown target {source!r}: expected one of {TARGETS_2D}, a CSV file, or an (N, 2) array")
        return from_csv(source)
    return from_array(source)


def build(config, view, presets) -> SimpleNamespace:
    """Every widget of the lab, in a namespace; ``ns.widget`` is the whole panel."""
    c, ns = config, SimpleNamespace()
    add_transport(ns, view, "one full iteration: k_D D updates, then k_G G updates")
    ns.w_speed = W.Dropdown(options=list(SPEEDS), value=view.speed, description="speed",
                            layout=W.Layout(width="260px")).add_class("ganlab-speed")
    ns.w_layers = {k: W.Checkbox(value=True, description=LAYER_LABELS[k], indent=False,
                                 layout=W.Layout(width="auto", margin="0 14px 0 0")).add_class(f"ganlab-view-{k}")
                   for k in LAYERS}

    style, lay = {"description_width": "88px"}, W.Layout(width="310px")
    ns.w_target = W.Dropdown(options=list(TARGETS_2D) + [DRAW], value="ring of 8", description="target",
                             style=style, layout=lay).add_class("ganlab-target-kind")
    ns.b_clear = button("Clear drawing", "eraser", "ganlab-clear", "forget the drawn points")
    ns.w_draw_sd = W.FloatSlider(value=view.draw_sd, min=0.02, max=0.5, step=0.01, description="drawn sd",
                                 tooltip="width of the Gaussian put at each drawn point", style=style, layout=lay)
    ns.w_preset = W.Dropdown(options=[("—", "")] + [(p.title, p.name) for p in presets], value="",
                             description="preset", style=style, layout=lay).add_class("ganlab-preset")
    ns.w_loss = W.Dropdown(options=[(LOSS_LABELS[k], k) for k in LOSSES_2D], value=c.loss, description="loss",
                           style=style, layout=lay).add_class("ganlab-loss")
    log = dict(base=10, min=-5, max=1, step=0.1, readout_format=".1e", style=style, layout=lay)
    ns.w_lr_d = W.FloatLogSlider(value=c.lr_d, description="lr_D", **log).add_class("ganlab-lr-d")
    ns.w_lr_g = W.FloatLogSlider(value=c.lr_g, description="lr_G", **log).add_class("ganlab-lr-g")
    ns.w_beta1 = W.FloatSlider(value=c.betas[0], min=0.0, max=0.95, step=0.05, description="Adam β1",
                               style=style, layout=lay).add_class("ganlab-beta1")
    ns.w_k_d = W.IntSlider(value=c.k_d, min=1, max=10, description="k_D", style=style, layout=lay)
    ns.w_k_g = W.IntSlider(value=c.k_g, min=1, max=10, description="k_G", style=style, layout=lay)
    fits(c)
    ns.w_batch = W.Dropdown(options=sorted({16, 32, 64, 128, 256, 512, c.batch_size}), value=c.batch_size, description="batch",
                            style=style, layout=W.Layout(width="200px"))
    ns.w_opt = W.ToggleButtons(options=["adam", "sgd"], value=c.optimizer, description="optimiser",
                               style={"button_width": "70px", **style})
    ns.w_noise = W.ToggleButtons(options=["gaussian", "uniform"], value=c.noise, description="noise",
                                 style={"button_width": "85px", **style})
    ns.w_noise_dim = W.ToggleButtons(options=[("1-D", 1), ("2-D", 2)], value=min(c.noise_dim, 2),
                                     description="noise dim", style={"button_width": "60px", **style})
    ns.w_depth = W.IntSlider(value=c.g.depth, min=0, max=6, description="layers", style=style, layout=lay)
    ns.w_width = W.IntSlider(value=c.g.width, min=2, max=128, description="width", style=style, layout=lay)
    ns.w_mbstd = W.Checkbox(value=c.mbstd, description="minibatch stddev (D)", indent=False).add_class("ganlab-mbstd")
    ns.w_sn = W.Checkbox(value=c.spectral_norm, description="spectral norm (D)", indent=False).add_class("ganlab-sn")
    ns.w_seed = W.IntText(value=c.seed, description="seed", style=style,
                          layout=W.Layout(width="200px")).add_class("ganlab-seed")

    buttons = W.HBox([ns.b_play, ns.b_pause, ns.b_step_d, ns.b_step_g, ns.b_step, ns.b_reset, ns.w_speed,
                      ns.b_export, ns.ticker], layout=W.Layout(flex_flow="row wrap"))
    views = W.HBox([W.HTML("<b>show:</b>&nbsp;"), *ns.w_layers.values()], layout=W.Layout(flex_flow="row wrap"))
    col = lambda title, *ws: W.VBox([W.HTML(f"<b>{title}</b>"), *ws], layout=W.Layout(margin="0 14px 0 0"))
    controls = W.HBox([
        col("Data (live)", ns.w_target, ns.b_clear, ns.w_draw_sd, ns.w_preset),
        col("Training (live)", ns.w_loss, ns.w_lr_d, ns.w_lr_g, ns.w_beta1, ns.w_k_d, ns.w_k_g, ns.w_batch),
        col("Networks (changing these resets)", ns.w_opt, ns.w_noise, ns.w_noise_dim, ns.w_depth, ns.w_width,
            ns.w_mbstd, ns.w_sn, ns.w_seed),
    ], layout=W.Layout(flex_flow="row wrap"))
    ns.layout = [buttons, None, views, ns.readout, ns.message, controls]  # None: where the canvas goes
    return ns


RANGES = {"lr_d": (1e-5, 10.0), "lr_g": (1e-5, 10.0), "k_d": (1, 10), "k_g": (1, 10), "noise_dim": (1, 2)}


def fits(c) -> None:
    """Raise ValueError when the config ``c`` holds a value the controls cannot show (the panel must show
    what the trainer uses); ``Toy2DTrainer`` itself accepts wider ranges."""
    values = {**{k: getattr(c, k) for k in RANGES}, "layers": c.g.depth, "width": c.g.width, "beta1": c.betas[0]}
    ranges = {**RANGES, "layers": (0, 6), "width": (2, 128), "beta1": (0.0, 0.95)}
    for name, v in values.items():
        lo, hi = ranges[name]
        if not lo <= v <= hi:
            raise ValueError(f"the lab's controls show {name} from {lo:g} to {hi:g}, got {v!r}: train other values "
                             "with ganlab.toy.Toy2DTrainer directly")


def sync(ns: SimpleNamespace, c) -> None:
    """Set the controls to the config ``c`` (the caller keeps their observers quiet meanwhile)."""
    fits(c)
    if c.batch_size not in ns.w_batch.options:
        ns.w_batch.options = sorted({*ns.w_batch.options, c.batch_size})
    for w, v in ((ns.w_loss, c.loss), (ns.w_lr_d, c.lr_d), (ns.w_lr_g, c.lr_g), (ns.w_beta1, c.betas[0]), (ns.w_k_d, c.k_d), (ns.w_k_g, c.k_g),
                 (ns.w_opt, c.optimizer), (ns.w_noise, c.noise), (ns.w_depth, c.g.depth), (ns.w_width, c.g.width),
                 (ns.w_mbstd, c.mbstd), (ns.w_sn, c.spectral_norm), (ns.w_seed, c.seed)):
        w.value = v
    if c.batch_size in ns.w_batch.options:
        ns.w_batch.value = c.batch_size
    if c.noise_dim in (1, 2):
        ns.w_noise_dim.value = c.noise_dim
    name = c.target.name
    if name in TARGETS_2D:
        ns.w_target.value = name
    elif ns.w_target.value != DRAW:
        if CUSTOM not in ns.w_target.options:
            ns.w_target.options = list(TARGETS_2D) + [DRAW, CUSTOM]
        ns.w_target.value = CUSTOM
