"""Run a notebook as the tests do: in fast mode, with inline plots, every rendered figure checked against
the projector standard (``figcheck.py``). ``tests/conftest.py`` runs each notebook once per session with
this; the notebook tests read the result, and the course website is built from the same executed copies."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def with_figure_check(cells: list, log: Path) -> list:
    """The notebook's cells with a first cell that records every figure whose text is below the projector
    standard (tests/figcheck.py) and, before each code cell, one that says which cell is running."""
    setup = nbformat.v4.new_code_cell(
        f"import sys; sys.path.insert(0, {str(HERE)!r}); import figcheck; "
        f"_figcheck_cell = [-1]; figcheck.install({str(log)!r}, _figcheck_cell)")
    out = [setup]
    for i, cell in enumerate(cells):
        if cell.cell_type == "code":
            out.append(nbformat.v4.new_code_cell(f"_figcheck_cell[0] = {i}"))
        out.append(cell)
    return out


@dataclass
class NotebookRun:
    """One fast-mode run: the notebook with its outputs (its own cells only), what went wrong, how long."""

    path: Path
    nb: nbformat.NotebookNode
    exception: BaseException | None = None
    small_text: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> list:
        return [o for c in self.nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                if o.get("output_type") == "error"]


def run_fast(path: Path, workdir: Path) -> NotebookRun:
    """Execute ``path`` top to bottom in fast mode in a fresh kernel (its folder as working directory)."""
    nb = nbformat.read(path, as_version=4)
    own = list(nb.cells)
    log = workdir / f"{path.stem}.small_text.jsonl"
    nb.cells = with_figure_check(own, log)
    t0 = time.perf_counter()
    exception = None
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GANLAB_FAST", "1")
        mp.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except Exception as e:  # noqa: BLE001 - reported by the test that reads this run
            exception = e
    nb.cells = own  # executed in place: the notebook's own cells, with their outputs
    small = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return NotebookRun(path, nb, exception, small, time.perf_counter() - t0)
