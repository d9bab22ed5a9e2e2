"""Used by the notebook tests: record every figure a notebook renders whose text falls below the projector
standard (``ganlab.viz.style``). ``install(log)`` wraps matplotlib's ``print_figure``, the one call through
which inline plots, ``savefig`` and the live frames all pass; each offending figure adds one JSON line."""

from __future__ import annotations

import json


def install(log_path: str, cell: list) -> None:
    """Start recording into ``log_path``; ``cell[0]`` is kept up to date with the executing cell's index."""
    from matplotlib.backend_bases import FigureCanvasBase
    from ganlab.viz.style import MIN_TEXT_PX, small_texts

    original = FigureCanvasBase.print_figure

    def checked(self, *args, **kwargs):
        small = small_texts(self.figure, min_px=MIN_TEXT_PX - 0.5)   # "about 14 px": half a pixel of slack
        if small:
            with open(log_path, "a") as f:
                f.write(json.dumps({"cell": cell[0], "n": len(small), "examples": small[:4],
                                    "size_in": [round(v, 2) for v in self.figure.get_size_inches()],
                                    "dpi": self.figure.dpi}) + "\n")
        return original(self, *args, **kwargs)

    FigureCanvasBase.print_figure = checked
