"""Fixtures for the browser test: one JupyterLab server and one headless Chromium per session.

The browser test never passes silently: when Chromium is missing and cannot be installed, or
Playwright cannot start it, every browser test errors. Set GANLAB_SKIP_BROWSER=1 to skip them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from labharness import LabServer, SKIP_ENV, ensure_chromium, launch_browser, skip_requested

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def browser():
    if skip_requested():
        pytest.skip(f"{SKIP_ENV}=1: JupyterLab browser test skipped on request")
    problem = None
    try:
        from playwright.sync_api import sync_playwright
        ensure_chromium()
    except ImportError as e:  # playwright is in requirements.txt
        problem = f"playwright is not installed ({e}); run `make setup`"
    except RuntimeError as e:
        problem = str(e)
    if problem:  # fail outside the except block: one clear message, no chained traceback
        pytest.fail(f"{problem}\nSet {SKIP_ENV}=1 to skip the browser test.", pytrace=False)
    with sync_playwright() as pw:
        b = launch_browser(pw)
        yield b
        b.close()


@pytest.fixture(scope="session")
def lab(browser):
    """JupyterLab serving the repository root; kernels run in fast mode with inline plots."""
    env = {"GANLAB_FAST": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    with LabServer(REPO, env=env) as server:
        yield server


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
    lab.shutdown_kernels()
