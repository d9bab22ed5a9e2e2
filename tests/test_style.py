"""The projector standard (ganlab.viz.style): the on-screen text size rule, and every live frame of the
package rendered at the width it is shown, with no text under MIN_TEXT_PX."""

from __future__ import annotations

import io
import json

import matplotlib
import numpy as np
import pytest
from matplotlib import rc_context
from matplotlib.figure import Figure
from PIL import Image

from ganlab.core import repo_root
from ganlab.toy import BatchedGAN, ToyConfig, ToyTrainer, ring
from ganlab.viz import (DISPLAY_WIDTH, FRAME_WIDTH, MIN_TEXT_PX, Live2D, LiveView, ToyFigure, course_style,
                        small_texts, text_px)


def test_text_px_follows_the_display_rule():
    fig = Figure(figsize=(10.24, 2), dpi=100)           # exactly 1,024 px: shown at its own size
    t = fig.text(0.5, 0.5, "x", fontsize=12)
    assert text_px(t, fig) == pytest.approx(12 * 100 / 72)
    fig.set_size_inches(20.48, 2)                        # twice as wide: shrunk by half to fit 1,024 px
    assert text_px(t, fig) == pytest.approx(12 * 100 / 72 / 2)
    fig.set_size_inches(5.12, 2)                         # narrower: never enlarged
    assert text_px(t, fig) == pytest.approx(12 * 100 / 72)


def test_small_texts_counts_only_what_is_drawn():
    with rc_context(course_style()):
        fig = Figure(figsize=(13, 3))
        ax = fig.add_subplot()
        ax.plot([0, 1]); ax.set_title("title")
        ax.legend(["tiny"], fontsize=7)
        fig.add_subplot(2, 2, 4).set_axis_off()          # a hidden axes' ticks are never drawn
        fig.text(0, 0, "")                               # nor is an empty text
    small = dict(small_texts(fig))
    assert small["tiny"] == pytest.approx(7 * 100 / 72 * DISPLAY_WIDTH / 1300, abs=0.1)
    assert "title" not in small and "" not in small
    with rc_context(course_style()):
        ok = Figure(figsize=(12.1, 3))
        ok.add_subplot().plot([0, 1])
    assert small_texts(ok) == []                         # the style passes up to ~12.2 inches wide
    assert course_style(lecture=True)["font.size"] > course_style()["font.size"]


def _png_size(png: bytes):
    return Image.open(io.BytesIO(png)).size


def test_toy_frames_are_rendered_at_the_width_shown_and_readable():
    tr = ToyTrainer(ToyConfig(seed=0)).step(60)
    fig = ToyFigure(tr.config.target)
    fig.update(tr)
    assert _png_size(fig.render_png())[0] == FRAME_WIDTH
    assert small_texts(fig.fig, display_width=FRAME_WIDTH) == []
    assert fig.ax_jsd.get_xlim()[1] > 100                 # live: room to grow (4x), cheap blits
    fig.fit_history()
    assert fig.ax_jsd.get_xlim()[1] == pytest.approx(60 * 1.02)   # a static snapshot fits its data


def test_dashboard_shows_frames_unstretched_and_a_fitted_snapshot():
    from ganlab.widgets import Dashboard
    panel = Dashboard()
    assert panel.image.layout.width == f"{FRAME_WIDTH}px" and panel.image.layout.max_width == "100%"
    panel.run(40)
    png = panel.snapshot()
    assert _png_size(png)[0] == FRAME_WIDTH
    assert panel.figure.ax_jsd.get_xlim()[1] == pytest.approx(panel.trainer.iteration * 1.02)


def test_image_and_2d_views_are_readable_at_their_size():
    h = json.loads((repo_root() / "checkpoints" / "dcgan_mnist_history.json").read_text())
    view = LiveView()
    png = view.draw_state(np.zeros((242, 242), np.uint8), h)
    assert _png_size(png)[0] == FRAME_WIDTH and view.widget.layout.width == f"{FRAME_WIDTH}px"
    assert small_texts(view.fig, display_width=FRAME_WIDTH) == []
    live = Live2D(ring(8))
    live.update(BatchedGAN(ToyConfig(target=ring(8), noise_dim=2, batch_size=32)).step(2))
    width = _png_size(live.image.value)[0]
    assert live.image.layout.width == f"{width}px"
    assert small_texts(live.fig, display_width=width) == []
    assert MIN_TEXT_PX == 14
