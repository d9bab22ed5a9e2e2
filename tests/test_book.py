"""The course website (``python -m ganlab.cli.book``, ``make book``): built in CI from the notebook tests'
own fast-mode runs (``book_site`` in ``tests/conftest.py``), with no network, into one self-contained
folder. What a person sees in a browser is checked in ``tests/browser/test_site.py``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ganlab.cli.book_pages import COMMANDS, SUBPACKAGES, broken_links

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.slow


def test_the_site_is_built_offline_from_the_test_runs(book_site):
    if not book_site.offline:
        pytest.skip("no network namespace here (unshare --net): the build could not be cut off the network")
    assert "reusing the executed" in book_site.log and "executing" not in book_site.log, \
        f"the book ran notebooks again instead of reusing the tests' runs:\n{book_site.log[-1500:]}"
    assert "fast-mode site" in book_site.log
    assert "warning:" not in book_site.log, f"Sphinx warned:\n{book_site.log[-2000:]}"


def test_every_page_is_there(book_site):
    site = book_site.path
    want = ["index.html", "teaching.html", "search.html", "cli/index.html", "api/index.html"]
    want += [f"notebooks/{p.stem}.html" for p in NOTEBOOKS]
    want += [f"cli/{c[0]}.html" for c in COMMANDS] + [f"api/{s}.html" for s in SUBPACKAGES]
    missing = [w for w in want if not (site / w).is_file()]
    assert not missing, f"pages missing from the site: {missing}"
    index = (site / "index.html").read_text()
    for p in NOTEBOOKS:  # the landing page links every chapter, and where to run it
        assert f'href="notebooks/{p.stem}.html"' in index, f"the landing page does not link {p.stem}"
        assert f"colab.research.google.com/github/" in index and f"notebooks/{p.name}" in index
    assert "fast-mode runs" in index, "the landing page does not say which runs the figures come from"
    teaching = (site / "teaching.html").read_text()  # the README's section for teachers, included
    assert "repo2docker" in teaching and "kernel peak memory" in teaching, "teaching.html lost the README section"


def test_chapters_carry_math_figures_and_the_dashboard_gif(book_site):
    for p in NOTEBOOKS:
        html = (book_site.path / "notebooks" / f"{p.stem}.html").read_text()
        assert html.count('class="math notranslate nohighlight"') > 10, f"{p.stem}: no math"
        assert len(re.findall(r'<img [^>]*src="\.\./_images/[^"]+\.png"', html)) >= 3, f"{p.stem}: no figures"
        assert "$$" not in re.sub(r"<(pre|script)\b.*?</\1>", "", html, flags=re.S), f"{p.stem}: raw $$ in the page"
        assert "Open In Colab" not in html and "colab-setup" not in html  # the badge cell became a line of links
        assert "open in Colab" in html and f'_downloads/' in html, f"{p.stem}: no launch and download links"
        assert "widget-view" not in html and "html-manager" not in html, f"{p.stem}: widget JS on the page"
    gif = re.findall(r'src="(\.\./_images/[^"]+\.gif)"', (book_site.path / "notebooks" /
                                                         "03_training_1d_gan_live.html").read_text())
    assert gif and (book_site.path / "notebooks" / gif[0]).stat().st_size > 10_000, "the dashboard's GIF is missing"


def test_api_and_cli_pages_come_from_the_code(book_site):
    toy = (book_site.path / "api" / "toy.html").read_text()
    for name in ("ToyTrainer", "ToyConfig", "BatchedGAN"):  # documented from docstrings (autodoc)
        assert f'id="ganlab.toy.{name}"' in toy, f"api/toy.html does not document {name}"
    dcgan = (book_site.path / "cli" / "dcgan.html").read_text()
    for flag in ("--minutes", "--checkpoint", "--conditional", "--nn"):  # every subcommand's --help
        assert flag in dcgan, f"cli/dcgan.html lacks {flag}"


def test_no_broken_link_and_nothing_from_the_network(book_site):
    assert broken_links(book_site.path) == []
    pages = list(book_site.path.rglob("*.html"))
    assert len(pages) >= 25
    mathjax = book_site.path / "_static" / "mathjax" / "tex-chtml.js"
    assert mathjax.is_file(), "the site has no local MathJax"
    for p in pages:
        html = p.read_text()
        assert not re.search(r'<script[^>]+src="(https?:)?//', html), f"{p.name} loads a script from the network"


def test_the_site_is_one_small_folder(book_site):
    size = sum(f.stat().st_size for f in book_site.path.rglob("*") if f.is_file())
    assert 2e6 < size < 40e6, f"the site is {size / 1e6:.1f} MB"
    assert not list(book_site.path.rglob("*.ipynb_checkpoints")) and not (book_site.path / ".doctrees").exists()


def test_link_checker_finds_what_is_broken(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "img.png").write_bytes(b"png")
    (tmp_path / "index.html").write_text(
        '<a href="sub/page.html#here">ok</a><a href="sub/page.html#gone">bad anchor</a>'
        '<a href="missing.html">bad file</a><img src="img.png"><img src="nope.png">'
        '<a href="https://example.org/">external: not followed</a>'
        '<script src="https://cdn.example.org/x.js"></script>')
    (tmp_path / "sub" / "page.html").write_text('<h1 id="here">x</h1><a href="../index.html">up</a>'
                                                '<a href="../../outside.html">out</a>')
    found = broken_links(tmp_path)
    for what in ("#gone", "missing.html", "nope.png", "loads https://cdn.example.org/x.js", "../../outside.html"):
        assert sum(what in f for f in found) == 1, f"{what} not reported once: {found}"
    assert len(found) == 5, found  # the good links, and the external one, are not reported


@pytest.mark.parametrize("args, says", [(["--jobs", "0"], "--jobs must be at least 1"),
                                        (["--out", "{tmp}"], "is not a site this command built")])
def test_book_command_errors_are_one_line(tmp_path, args, says):
    (tmp_path / "keep.txt").write_text("a teacher's file, never to be deleted")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    proc = subprocess.run([sys.executable, "-m", "ganlab.cli.book", "--fast", "--reuse", *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("ganlab: error: ") and says in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1 and (tmp_path / "keep.txt").exists()


def test_work_folder_it_did_not_make_is_refused(tmp_path, capsys):
    """Review: the build deletes folders inside --work; a folder it did not make must be refused first."""
    from ganlab.cli import book
    theirs = tmp_path / "project"
    (theirs / "src").mkdir(parents=True)
    (theirs / "src" / "keep.py").write_text("precious")
    with pytest.raises(SystemExit) as stop:
        book.main(["--fast", "--work", str(theirs)])
    assert stop.value.code == 2 and "not a folder this command made" in capsys.readouterr().err
    assert (theirs / "src" / "keep.py").read_text() == "precious"
