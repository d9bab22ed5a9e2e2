"""Blitting for the live figures (:class:`~ganlab.viz.ToyFigure`, the 2-D lab's ``Lab2DFigure``): the static
background is drawn once and cached, and a frame redraws only the moving artists on top of it. Limits that
change force a full redraw, so they change rarely: history axes leave room to grow, and y limits only widen.
"""

from __future__ import annotations

import numpy as np


def static_background(canvas, moving):
    """Draw the figure without the ``moving`` artists and return that picture (for ``canvas.restore_region``);
    every artist keeps the visibility it had."""
    shown = [a.get_visible() for a in moving]
    for a in moving:
        a.set_visible(False)
    canvas.draw()
    background = canvas.copy_from_bbox(canvas.figure.bbox)
    for a, s in zip(moving, shown):
        a.set_visible(s)
    return background


def grow_ylim(ax, values) -> bool:
    """Widen ``ax``'s y range (never shrink it) to hold the finite ``values``, with a 10 % margin. Returns
    whether it changed (then the cached background is stale)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return False
    lo, hi = float(v.min()), float(v.max())
    y0, y1 = ax.get_ylim()
    if lo < y0 or hi > y1:
        pad = 0.1 * max(hi - lo, 1e-3)
        ax.set_ylim(min(y0, lo - pad), max(y1, hi + pad))
        return True
    return False
