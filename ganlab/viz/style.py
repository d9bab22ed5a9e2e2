"""One look for every figure in the course: colours, fonts, line widths and resolution, sized for a projector.

``COLORS``: ``data`` is always p_data / real samples, ``gen`` always p_g / fakes, ``d`` the learned
discriminator, ``dstar`` the optimal D*, ``grey`` reference lines (colour-blind-safe hues, distinct in greyscale).

**The projector standard.** A figure is read at ``DISPLAY_WIDTH`` = 1,024 px: one wider than that is shrunk to
fit, one narrower is shown at its own size. At that width no text may be smaller than ``MIN_TEXT_PX`` (about
14 px, the smallest a back row reads). A text of ``s`` points in a figure ``w`` inches wide rendered at ``dpi``
is ``s · dpi / 72 · min(1, 1024 / (w · dpi))`` px tall on screen: :func:`text_px` computes it and
:func:`small_texts` lists what falls short. With :func:`course_style` (100 dpi, 12 pt text) every figure up to
12.2 inches wide passes; ``course_style(lecture=True)`` is a size larger still for a big room.

Notebooks apply the style in their setup cell, visibly: ``plt.rcParams.update(course_style())``.
Live frames (``ToyFigure``, ``LiveView``) are rendered at ``FRAME_WIDTH`` px and shown at exactly that
width, never stretched.
"""

from __future__ import annotations

from cycler import cycler

COLORS = {"data": "#2b8a3e", "gen": "#1c7ed6", "d": "#e8590c", "dstar": "#862e9c", "grey": "#868e96"}
# Okabe & Ito's colour-blind-safe palette, for any further lines
CYCLE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

DISPLAY_WIDTH = 1024   # px: the width at which the standard is checked (a projector, a laptop screen)
MIN_TEXT_PX = 14       # px: the smallest text allowed at that width (a small tolerance is granted in tests)
FRAME_WIDTH = 960      # px: live frames are rendered at this width and displayed at it
FRAME_DPI = 80         # the dpi of live frames (so 12 inches = 960 px)


def course_style(lecture: bool = False) -> dict:
    """Matplotlib rcParams for the course; ``lecture=True`` makes every text and line a size larger."""
    k = 1.2 if lecture else 1.0
    return {
        "figure.dpi": 100, "savefig.dpi": 100,
        "font.size": 12 * k, "axes.titlesize": 13 * k, "axes.labelsize": 12 * k, "figure.titlesize": 14 * k,
        "xtick.labelsize": 12 * k, "ytick.labelsize": 12 * k, "legend.fontsize": 12 * k,
        "legend.title_fontsize": 12 * k, "lines.linewidth": 2.0 * k, "axes.linewidth": 1.0 * k,
        "legend.framealpha": 0.9, "axes.prop_cycle": cycler(color=CYCLE), "image.cmap": "viridis",
    }


def frame_style() -> dict:
    """rcParams for the live frames: ``FRAME_DPI``, every text 13 pt (14.4 px at 80 dpi, shown unscaled)."""
    size = 13
    return {**course_style(), "figure.dpi": FRAME_DPI, "savefig.dpi": FRAME_DPI, "font.size": size,
            "axes.titlesize": size, "axes.labelsize": size, "xtick.labelsize": size, "ytick.labelsize": size,
            "legend.fontsize": size, "figure.titlesize": size, "lines.linewidth": 1.8}


def text_px(text, fig, display_width: int = DISPLAY_WIDTH) -> float:
    """On-screen height in px of a matplotlib ``Text`` when ``fig`` is shown at most ``display_width`` px wide."""
    width_px = fig.get_figwidth() * fig.dpi
    return text.get_fontsize() * fig.dpi / 72 * min(1.0, display_width / width_px)


def small_texts(fig, min_px: float = MIN_TEXT_PX, display_width: int = DISPLAY_WIDTH) -> list[tuple[str, float]]:
    """The texts that drawing ``fig`` actually puts on screen smaller than ``min_px``: [(text, px), ...].

    Draws the figure once (without rendering pixels) and records every non-empty ``Text`` drawn, so hidden
    axes, unused ticks and empty labels are not counted."""
    from matplotlib.text import Text

    drawn, original = [], Text.draw

    def record(self, renderer):
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)
        return original(self, renderer)

    Text.draw = record
    try:
        fig.draw_without_rendering()
    finally:
        Text.draw = original
    sizes = [(t.get_text(), round(float(text_px(t, fig, display_width)), 1)) for t in drawn]
    return [(s, px) for s, px in sizes if px < min_px]
