"""The slides work for a person: notebook 02, run in fast mode, exported by nbconvert's reveal.js
exporter (the README's command, with the same options) and shown in headless Chromium, offline.

The deck loads reveal.js, require.js, jQuery and MathJax from a local HTTP server instead of the
CDNs that nbconvert names by default: reveal.js from the ``sphinx-revealjs`` wheel
(requirements.txt), the others from Debian's ``libjs-requirejs``, ``libjs-jquery`` and
``libjs-mathjax`` (installed with apt-get like Chromium, when missing). Every other request is
refused and reported, except mermaid (markdown diagrams; the notebooks have none) and the reveal.js
theme's web fonts (the slides fall back to local fonts).

Checked: as many slides as the notebook's slide metadata implies, typeset math (MathJax output,
no raw ``$`` left in the text), and a figure (an ``<img>`` that decoded). Screenshots of the first
slide with math and the first with a figure go to ``screenshots/``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from ganlab.cli.slides import expected_slides
from labharness import local_only_page, serve_folder

REPO = Path(__file__).resolve().parents[2]
NB_DIR = REPO / "notebooks"
DECK_NB = NB_DIR / "02_gan_game_optimal_discriminator.ipynb"
SHOTS = REPO / "screenshots"
JS = Path("/usr/share/javascript")
DEBIAN_JS = {"requirejs/require.min.js": "libjs-requirejs", "jquery/jquery.min.js": "libjs-jquery",
             "mathjax/MathJax.js": "libjs-mathjax"}
# the README's command: jupyter nbconvert --to slides --SlidesExporter.reveal_scroll=True ...
OFFLINE = {"reveal_url_prefix": "reveal.js", "require_js_url": "js/requirejs/require.min.js",
           "jquery_url": "js/jquery/jquery.min.js",
           "mathjax_url": "js/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe", "reveal_scroll": True}
ALLOWED_OFFLINE = ("/mermaid/", "fonts.googleapis.com/")  # diagrams (none here); the theme's web fonts

pytestmark = pytest.mark.browser


def ensure_debian_js() -> None:
    """require.js, jQuery and MathJax 2 from Debian, installed with apt-get when missing."""
    missing = sorted({pkg for f, pkg in DEBIAN_JS.items() if not (JS / f).is_file()})
    if not missing:
        return
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        pytest.fail(f"missing {', '.join(missing)}; install as root: apt-get install -y {' '.join(missing)}",
                    pytrace=False)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    proc = subprocess.run([apt, "install", "-y", "-q", *missing], env=env, capture_output=True, text=True,
                          timeout=420)
    if proc.returncode != 0:  # the package lists may be stale: refresh once
        subprocess.run([apt, "update", "-q"], env=env, capture_output=True, timeout=420)
        proc = subprocess.run([apt, "install", "-y", "-q", *missing], env=env, capture_output=True,
                              text=True, timeout=420)
    if proc.returncode != 0:
        pytest.fail(f"could not install {' '.join(missing)}:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}",
                    pytrace=False)


def reveal_js() -> Path:
    """reveal.js (dist/, plugin/) as the sphinx-revealjs wheel ships it, without importing Sphinx."""
    spec = importlib.util.find_spec("sphinx_revealjs")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("sphinx-revealjs (reveal.js for the offline deck) is not installed; run `make setup`",
                    pytrace=False)
    root = Path(list(spec.submodule_search_locations)[0]) / "_static" / "revealjs"
    assert (root / "dist" / "reveal.js").is_file(), f"no reveal.js in {root}"
    return root


def build_deck(folder: Path) -> tuple[Path, tuple[int, int]]:
    """Run notebook 02 in fast mode, export it as slides next to local copies of the JS it loads."""
    from nbclient import NotebookClient
    from nbconvert import SlidesExporter

    nb = nbformat.read(DECK_NB, as_version=4)
    want = expected_slides(nb)
    if want[1] <= 1:  # checked before the run: without metadata the deck is one slide
        pytest.fail(f"{DECK_NB.name} has no slide metadata: run `python -m ganlab.cli.slides notebooks/*.ipynb`",
                    pytrace=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GANLAB_FAST", "1")
        mp.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(NB_DIR)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{DECK_NB.name}: {errors[0].ename}: {errors[0].evalue}"
    nb.metadata.pop("widgets", None)  # saved widget state would load the widget manager from a CDN
    html, _ = SlidesExporter(**OFFLINE).from_notebook_node(nb)
    (folder / "reveal.js").symlink_to(reveal_js())
    (folder / "js").symlink_to(JS)
    deck = folder / "deck.slides.html"
    deck.write_text(html)
    return deck, want


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    ensure_debian_js()
    folder = tmp_path_factory.mktemp("deck")
    path, want = build_deck(folder)
    with serve_folder(folder) as base:
        yield base + path.name, want


# text left in rendered markdown outside math, scripts and code: raw TeX would show as "$"
_RAW_DOLLARS_JS = """() => {
  const out = [];
  for (const md of document.querySelectorAll('.reveal .jp-RenderedMarkdown')) {
    const walk = document.createTreeWalker(md, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (n.parentElement.closest('script, style, code, pre, .MathJax_Preview, .MathJax_CHTML')) continue;
      if (n.textContent.includes('$')) out.push(n.textContent.trim().slice(0, 120));
    }
  }
  return out;
}"""

_FIRST_JS = """(selector) => {
  const el = Array.from(document.querySelectorAll(selector)).find(e => e.tagName !== 'IMG' || e.naturalWidth > 0);
  if (!el) return null;
  const i = Reveal.getIndices(el.closest('section'));
  return {h: i.h, v: i.v || 0};
}"""


def _settle(page, body: str, seconds: float = 30):
    """Run ``body`` (a JS function of ``done``) in the page; what it passes to done, or None after
    ``seconds`` (a callback that never comes must not hang the test)."""
    return page.evaluate(f"""() => new Promise(done => {{
        setTimeout(() => done(null), {int(seconds * 1000)}); ({body})(done); }})""")


def show(page, where: dict, shot: Path) -> None:
    page.evaluate("(i) => Reveal.slide(i.h, i.v)", where)
    page.wait_for_timeout(1200)  # the slide transition, and MathJax re-rendering the slide
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))


@pytest.mark.timeout(300)  # running notebook 02 takes about 10 s in fast mode
def test_slides_deck_shows_every_slide_math_and_figures(browser, deck):
    url, (want_columns, want_slides) = deck
    context, page, refused, _, page_errors = local_only_page(browser, url.rsplit("/", 1)[0] + "/",
                                                            {"width": 1024, "height": 768})
    try:
        page.goto(url, wait_until="load")
        # the template loads reveal.js with require.js, so Reveal is a module, not a global
        page.wait_for_function("() => window.require && document.querySelector('.reveal.ready')", timeout=30_000)
        reveal = f"{OFFLINE['reveal_url_prefix']}/dist/reveal.js"
        assert _settle(page, f"done => require(['{reveal}'], R => {{ window.Reveal = R; done(R.isReady()); }})"), \
            "reveal.js did not start"
        page.wait_for_function("() => window.MathJax && MathJax.isReady", timeout=30_000)
        assert _settle(page, "done => MathJax.Hub.Queue(() => done(true))"), "MathJax did not finish typesetting"

        got = page.evaluate("() => [Reveal.getHorizontalSlides().length, Reveal.getTotalSlides()]")
        assert got == [want_columns, want_slides], \
            f"deck shows {got[0]} columns / {got[1]} slides; the metadata says {want_columns} / {want_slides}"

        typeset = page.locator(".reveal .MathJax_CHTML").count()
        assert typeset > 0, "no math was typeset (no MathJax output in the deck)"
        assert page.locator(".reveal .mjx-merror, .reveal .MathJax_Error").count() == 0, "MathJax reported errors"
        raw = page.evaluate(_RAW_DOLLARS_JS)
        assert not raw, f"raw TeX left in the slides: {raw[:5]}"
        math_at = page.evaluate(_FIRST_JS, ".reveal .MathJax_CHTML")
        show(page, math_at, SHOTS / "slides-02-math.png")
        assert page.locator(".reveal section.present .MathJax_CHTML").first.is_visible()

        figures = page.evaluate("""() => Array.from(document.querySelectorAll('.reveal .slides img'))
                                     .filter(i => i.complete && i.naturalWidth > 0).length""")
        assert figures > 0, "no figure (decoded <img>) in the deck"
        figure_at = page.evaluate(_FIRST_JS, ".reveal .slides img")
        show(page, figure_at, SHOTS / "slides-02-figure.png")
        img = page.locator(".reveal section.present img").first
        assert img.is_visible() and img.bounding_box()["width"] > 100, "the figure's slide does not show it"

        unexpected = [u for u in refused if not any(a in u for a in ALLOWED_OFFLINE)]
        assert not unexpected, f"the deck asked the network for {unexpected}"
        assert not page_errors, f"errors in the page: {page_errors}"
    finally:
        context.close()
