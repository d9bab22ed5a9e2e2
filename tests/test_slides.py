"""The slide-type rule of ``python -m ganlab.cli.slides`` (issue 12): what each kind of cell becomes,
hand-set types kept, idempotent, and ``--check`` as a one-line error."""

from __future__ import annotations

import json

import pytest

from ganlab.cli import slides
from ganlab.cli.slides import MANUAL_TAG, apply, expected_slides, is_setup, main, problems, slide_types

SETUP = """%matplotlib inline
import numpy as np
import matplotlib.pyplot as plt
from ganlab.core import (fast_or,
                         is_fast)

seed_everything(0)
torch.set_num_threads(1)   # tiny networks
plt.rcParams.update({"figure.dpi": 90})
plt.rcParams["axes.titlesize"] = 10
device = get_device()
T0 = time.perf_counter()
print("fast mode" if is_fast() else "full mode")
"""


def md(text, **meta):
    return {"cell_type": "markdown", "metadata": dict(meta), "source": text}


def code(text, **meta):
    return {"cell_type": "code", "metadata": dict(meta), "source": text, "outputs": [], "execution_count": None}


def lines(n):
    return "\n".join(f"line {i}" for i in range(n))


def notebook(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_each_kind_of_cell_gets_its_slide_type():
    nb = notebook(
        md("# 01 · Title\n" + lines(14)),       # slide
        code(SETUP),                              # skip: set-up
        code("def helper(x):\n    return x\n\nTABLE = []\n"),   # skip: a helper before the first section
        md("## 1. Section\n" + lines(15)),       # slide; long text
        code("x = f(1)\nplot(x)"),                # subslide: the text above is long
        md("**What to see.** short"),             # -: commentary stays with its figure
        code("y = g(2)"),                         # subslide: this slide already has code
        md(lines(13)),                            # subslide: long text after code
        md("### 1b. Subsection\nOne line."),      # subslide
        code("plot(3)"),                          # -: short text, no code yet
        md("## 2. Play"),                         # slide
        code("\n".join(f"q{i} = {i}" for i in range(30))),   # -: under a bare title
        code("def later(x):\n    return x\n"),   # subslide: definitions after the first section are content
        code("   \n"),                            # skip: empty
        md("#### a small heading is text"),       # -
    )
    assert slide_types(nb) == ["slide", "skip", "skip", "slide", "subslide", "-", "subslide", "subslide",
                               "subslide", "-", "slide", "-", "subslide", "skip", "-"]


@pytest.mark.parametrize("src, setup", [
    (SETUP, True),
    ("%load_ext autoreload\n%autoreload 2", True),
    ("import torch.nn.functional as F\nloss = F.softplus(x)", False),   # imports, then content
    ("from ganlab.basics import ring_images\nfig = ring_images(4)", False),
    ("print(layer_table(G))", False),                                    # no import: output, not set-up
    ("import numpy as np\nnp.random.seed(0)\nwarnings.filterwarnings('ignore')", True),
    ("import x\nthis is not python", False),
])
def test_set_up_code_is_recognised(src, setup):
    assert is_setup(src) is setup


def test_hand_set_types_are_kept_and_force_drops_them():
    nb = notebook(md("# T"), code("plot(1)", tags=[MANUAL_TAG, "other"], slideshow={"slide_type": "fragment"}),
                  md("## S"), code("plot(2)", slideshow={"slide_type": "notes"}))
    apply(nb)
    assert [c["metadata"]["slideshow"]["slide_type"] for c in nb["cells"]] == ["slide", "fragment", "slide", "-"]
    assert problems(nb) == []
    apply(nb, force=True)
    assert nb["cells"][1]["metadata"] == {"tags": ["other"], "slideshow": {"slide_type": "-"}}


def test_apply_is_idempotent_and_sets_rise_scroll():
    nb = notebook(md("# T\n" + lines(20)), code(SETUP), code("plot()"), md("## S"), code("plot()"))
    nb["metadata"]["rise"] = {"theme": "simple"}
    once = json.dumps(apply(nb))
    assert json.dumps(apply(json.loads(once))) == once
    assert nb["metadata"]["rise"] == {"theme": "simple", "scroll": True}
    assert problems(nb) == []


def test_expected_slides_counts_columns_and_all_slides():
    nb = notebook(code("import x", slideshow={"slide_type": "skip"}),
                  md("intro", slideshow={"slide_type": "-"}),          # first shown cell: always a slide
                  md("a", slideshow={"slide_type": "subslide"}),
                  md("b", slideshow={"slide_type": "fragment"}),
                  md("## c", slideshow={"slide_type": "slide"}),
                  md("note", slideshow={"slide_type": "notes"}))
    assert expected_slides(nb) == (2, 3)


def test_the_command_writes_once_then_checks(tmp_path, capsys):
    p = tmp_path / "nb.ipynb"
    p.write_text(json.dumps(notebook(md("# T"), code(SETUP), md("## S\n" + lines(20)), code("plot()"))))
    assert main([str(p), "--check"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ganlab: error: slide metadata out of date: nb.ipynb")
    assert f"run: python -m ganlab.cli.slides {p}" in err[0]
    assert main([str(p)]) == 0
    written = p.stat().st_mtime_ns, p.read_text()
    assert main([str(p)]) == 0 and (p.stat().st_mtime_ns, p.read_text()) == written   # nothing to do
    assert main([str(p), "--check"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("content, needle", [
    (None, "cannot read"),
    ("{not json", "is not a notebook (not JSON"),
    ('{"cells": 3}', "is not a notebook (no list of cells)"),
])
def test_bad_files_are_one_line_errors(tmp_path, capsys, content, needle):
    p = tmp_path / "bad.ipynb"
    if content is not None:
        p.write_text(content)
    with pytest.raises(SystemExit) as e:
        main([str(p)])
    err = capsys.readouterr().err.strip().splitlines()
    assert e.value.code == 2 and len(err) == 1 and err[0].startswith("ganlab: error: ") and needle in err[0]


def test_the_rule_is_documented():
    doc = slides.__doc__
    for word in ("slide", "subslide", "skip", MANUAL_TAG, "--check", "--force", "1024×768", "rise.scroll"):
        assert word in doc
