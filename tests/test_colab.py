"""The Colab/Binder badge and setup cells (``python -m ganlab.cli.colab``): made from the one repository
URL in pyproject.toml, at the top of every notebook, skipped on slides, and a no-op where ganlab is
importable. That the setup cell installs ganlab where it is not is ``tests/test_install.py``."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

from ganlab.cli import colab, slides

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_every_notebook_has_the_cells_of_the_repository_url():
    assert colab.main(["--check", *map(str, NOTEBOOKS)]) == 0, "run `make colab`"
    url = colab.repository_url(REPO / "pyproject.toml")
    for p in NOTEBOOKS:
        cells = json.loads(p.read_text())["cells"]
        badges, setup = ("".join(c["source"]) for c in cells[:2])
        assert f"colab.research.google.com/github/{url.removeprefix('https://github.com/')}/blob/" \
               f"{colab.BRANCH}/notebooks/{p.name}" in badges
        assert f"mybinder.org/v2/gh/{url.removeprefix('https://github.com/')}/{colab.BRANCH}" in badges
        assert f'"git+{url}.git"' in setup and cells[1]["cell_type"] == "code"
        assert [slides.current(c) for c in cells[:2]] == ["skip", "skip"]


def _repo(tmp_path, url="https://github.com/someone/course"):
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n[project.urls]\nRepository = "{url}"\n')
    (tmp_path / "notebooks").mkdir()
    nb = tmp_path / "notebooks" / "01_x.ipynb"
    nb.write_text(json.dumps({"cells": [{"cell_type": "markdown", "id": "t", "metadata": {}, "source": ["# 01 · X"]},
                                        {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": None,
                                         "outputs": [], "source": ["x = 1"]}],
                              "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n")
    return nb


def test_cells_follow_the_url_and_are_written_once(tmp_path, capsys):
    nb = _repo(tmp_path)
    assert colab.main(["--check", str(nb)]) == 2
    assert "has no Colab badge and setup cells" in capsys.readouterr().err
    assert colab.main([str(nb)]) == 0
    first = nb.read_text()
    assert "github/someone/course/blob/main/notebooks/01_x.ipynb" in first and "git+https://github.com/someone/course.git" in first
    assert colab.main([str(nb)]) == 0 and nb.read_text() == first  # idempotent: nothing added twice
    assert colab.main(["--check", str(nb)]) == 0
    # the URL changes in pyproject: the check fails with one line, and a run rewrites both cells
    (tmp_path / "pyproject.toml").write_text((tmp_path / "pyproject.toml").read_text().replace("someone", "other"))
    capsys.readouterr()
    assert colab.main(["--check", str(nb)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ganlab: error: Colab cells out of date: 01_x.ipynb") and err.count("\n") == 1
    assert colab.main([str(nb)]) == 0
    cells = json.loads(nb.read_text())["cells"]
    assert len(cells) == 4 and "someone" not in nb.read_text() and cells[2]["source"] == ["# 01 · X"]


@pytest.mark.parametrize("url, says", [("https://gitlab.com/a/b", "need https://github.com/OWNER/NAME"),
                                       (None, "has no Repository URL")])
def test_a_bad_url_is_one_line(tmp_path, capsys, url, says):
    nb = _repo(tmp_path, url or "x")
    if url is None:
        (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    before = nb.read_text()
    with pytest.raises(SystemExit) as e:
        colab.main([str(nb)])
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.startswith("ganlab: error: ") and says in err and err.count("\n") == 1
    assert nb.read_text() == before


def test_slides_skip_the_colab_cells():
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Title\ntext"}], "metadata": {}}
    colab.apply(nb, "https://github.com/a/b", "notebooks/x.ipynb")
    assert slides.slide_types(nb)[:3] == ["skip", "skip", "slide"]
    assert slides.expected_slides(slides.apply(nb)) == (1, 1)


def _setup_source() -> str:
    return "".join(json.loads(NOTEBOOKS[0].read_text())["cells"][1]["source"])


def test_the_setup_cell_does_nothing_where_ganlab_is_importable(monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a))
    exec(compile(_setup_source(), "setup-cell", "exec"), {})
    assert calls == [], "the setup cell ran pip in a checkout"


def test_the_setup_cell_installs_from_the_url_or_from_the_environment(monkeypatch):
    calls = []
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ganlab" else real(name, *a))
    monkeypatch.setattr(subprocess, "run", lambda cmd, **k: calls.append((cmd, k)))
    monkeypatch.delenv(colab.INSTALL_ENV, raising=False)
    exec(compile(_setup_source(), "setup-cell", "exec"), {})
    url = colab.repository_url(REPO / "pyproject.toml")
    assert calls[-1][0][-1] == f"git+{url}.git" and calls[-1][0][1:4] == ["-m", "pip", "install"]
    assert calls[-1][1] == {"check": True}
    monkeypatch.setenv(colab.INSTALL_ENV, "/some/checkout")
    exec(compile(_setup_source(), "setup-cell", "exec"), {})
    assert calls[-1][0][-1] == "/some/checkout"
