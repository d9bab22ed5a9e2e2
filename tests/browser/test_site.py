"""The course website works for a person: the landing page and two chapters in headless Chromium, offline.

The site is the one the test session builds (``tests/conftest.py``: ``book_site``, from the notebooks the
notebook tests execute, in fast mode), served from a local HTTP server. Every request that leaves that
server is refused and fails the test: the site must need no CDN, font host or widget manager.

Checked on each page: no console error and no uncaught exception, every ``<img>`` decoded (the figures,
the dashboard's GIF in chapter 03), and on the chapters the math typeset by the site's own MathJax 3
(its output present, no MathJax error, no raw ``$`` or ``\\(`` left in the text). Screenshots go to
``screenshots/``. The link check of every page is in ``tests/test_book.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from labharness import local_only_page, serve_folder

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "screenshots"
PAGES = {"index.html": False, "notebooks/02_gan_game_optimal_discriminator.html": True,
         "notebooks/03_training_1d_gan_live.html": True}  # page: has math

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_url(book_site):
    with serve_folder(book_site.path) as url:
        yield url


# text outside math, scripts and code that still looks like TeX: MathJax did not typeset it
_RAW_TEX_JS = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.querySelector('div.body'), NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (n.parentElement.closest('script, style, code, pre, .highlight, .cell_output, mjx-container')) continue;
    const t = n.textContent;
    if (t.includes('$') || t.includes('\\\\(') || t.includes('\\\\[') || t.includes('\\\\frac')) out.push(t.trim().slice(0, 120));
  }
  return out;
}"""

_IMAGES_JS = """() => Array.from(document.images).map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0}))"""


@pytest.mark.timeout(900)  # run alone, the first site test also runs the six notebooks
@pytest.mark.parametrize("rel", list(PAGES), ids=lambda r: Path(r).stem)
def test_site_page_renders_offline(browser, site_url, rel):
    context, page, refused, console, page_errors = local_only_page(browser, site_url, {"width": 1280, "height": 900})
    try:
        response = page.goto(site_url + rel, wait_until="load")
        assert response is not None and response.ok, f"{rel}: HTTP {response and response.status}"
        if PAGES[rel]:
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                                   timeout=30_000)
            done = page.evaluate("""() => new Promise(done => { setTimeout(() => done(false), 60000);
                                       MathJax.startup.promise.then(() => done(true)); })""")
            assert done, f"{rel}: MathJax did not finish typesetting"
            typeset = page.locator("div.body mjx-container").count()
            assert typeset > 20, f"{rel}: only {typeset} formulas typeset"
            assert page.locator("mjx-merror").count() == 0, f"{rel}: MathJax errors"
            raw = page.evaluate(_RAW_TEX_JS)
            assert not raw, f"{rel}: raw TeX left in the text: {raw[:5]}"
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")  # lazy images, if any
        page.wait_for_timeout(300)
        images = page.evaluate(_IMAGES_JS)
        broken = [i["src"] for i in images if not i["ok"]]
        assert not broken, f"{rel}: images that did not load: {broken[:5]}"
        if rel.startswith("notebooks/"):
            assert len(images) >= 5, f"{rel}: only {len(images)} figures"
        if "03_" in rel:
            assert any(i["src"].endswith(".gif") for i in images), f"{rel}: the dashboard's GIF is missing"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(SHOTS / f"site-{Path(rel).stem}.png"))
        assert not refused, f"{rel}: the page asked the network for {refused[:5]}"
        assert not console, f"{rel}: console errors: {console[:5]}"
        assert not page_errors, f"{rel}: errors in the page: {page_errors[:5]}"
    finally:
        context.close()
