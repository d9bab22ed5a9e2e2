"""Every notebook runs top to bottom in fast mode, is committed clean, and is a slide deck."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ganlab.cli import slides
from ganlab.cli.nbclean import clean, problems
from nbrun import with_figure_check

NB_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(p for p in NB_DIR.glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, f"no notebooks found in {NB_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean(path):
    nb = json.loads(path.read_text())
    assert problems(nb) == [], f"{path.name}: run `make clean-notebooks`"


def test_clean_strips_everything():
    nb = {"metadata": {"widgets": {"x": 1}}, "cells": [
        {"cell_type": "code", "execution_count": 3, "outputs": [{"output_type": "stream"}], "metadata": {}, "source": ""}]}
    assert len(problems(nb)) == 3
    assert problems(clean(nb)) == []


def test_clean_keeps_slide_metadata():
    meta = {"slideshow": {"slide_type": "subslide"}, "tags": ["slide-manual"]}
    nb = {"metadata": {"rise": {"scroll": True}}, "cells": [
        {"cell_type": "code", "execution_count": 1, "outputs": [], "metadata": dict(meta, scrolled=True), "source": ""},
        {"cell_type": "markdown", "metadata": dict(meta), "source": "## S"}]}
    clean(nb)
    assert [c["metadata"] for c in nb["cells"]] == [meta, meta]
    assert nb["metadata"] == {"rise": {"scroll": True}}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_slide_metadata(path):
    """Every cell's slide type follows the rule in ganlab/cli/slides.py (hand-set ones are tagged)."""
    found = slides.problems(json.loads(path.read_text()))
    assert not found, f"{path.name}: {'; '.join(found)}: run `python -m ganlab.cli.slides notebooks/*.ipynb`"


class _Sections(HTMLParser):
    """Counts reveal.js slides in a deck: top-level <section>s, and <section>s with none inside."""

    def __init__(self):
        super().__init__()
        self.depth, self.top, self.leaves, self._inner = 0, 0, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            if self._inner:
                self._inner[-1] = True
            self.top += self.depth == 0
            self.depth += 1
            self._inner.append(False)

    def handle_endtag(self, tag):
        if tag == "section" and self.depth:
            self.depth -= 1
            self.leaves += not self._inner.pop()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_converts_to_slides(path):
    """nbconvert's reveal.js exporter turns the committed notebook into as many slides as its
    metadata says (columns of slides, and every slide in them)."""
    from nbconvert import SlidesExporter

    nb = nbformat.read(path, as_version=4)
    html, _ = SlidesExporter().from_notebook_node(nb)
    counted = _Sections()
    counted.feed(html)
    assert "Reveal.initialize" in html and counted.depth == 0, f"{path.name}: not a reveal.js deck"
    assert (counted.top, counted.leaves) == slides.expected_slides(nb), \
        f"{path.name}: the deck has {counted.top} columns and {counted.leaves} slides"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_fast_mode(path, fast_run):
    """Runs top to bottom, and every figure it renders is readable at 1,024 px (ganlab.viz.style).

    The run (tests/nbrun.py) happens once per session: the course website is built from it too."""
    run = fast_run(path)
    if run.exception is not None:
        raise run.exception
    errors = run.errors
    assert not errors, f"{path.name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    assert not run.small_text, f"{path.name}: text below the projector standard: {run.small_text[:3]}"


@pytest.mark.notebook
def test_figure_check_catches_small_text(tmp_path, monkeypatch):
    """The check the notebook runs use: a figure with 7 pt text is recorded with its cell, a readable one is not."""
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nfrom ganlab.viz import course_style\n"
                                  "plt.rcParams.update(course_style())"),
        nbformat.v4.new_code_cell("fig, ax = plt.subplots(figsize=(8, 3)); ax.plot([0, 1]); plt.show()"),
        nbformat.v4.new_code_cell("fig, ax = plt.subplots(figsize=(8, 3)); ax.set_title('tiny', fontsize=7); plt.show()")])
    log = tmp_path / "small.jsonl"
    nb.cells = with_figure_check(nb.cells, log)
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["cell"] for r in rows] == [2] and rows[0]["examples"] == [["tiny", 9.7]]
