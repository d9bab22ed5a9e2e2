"""The notebooks work for a person: JupyterLab in headless Chromium, Run All, widgets clicked.

* the harness proves its own detectors on ``harness_selftest.ipynb``;
* every ``notebooks/*.ipynb`` runs top to bottom from Lab's Run menu with no error output;
* in the same run of notebook 03, the 1-D GAN dashboard trains on Play (figure redraws, step
  count rises, JSD falls), stops on Pause, steps once on Step, redraws on Step D / Step G,
  follows the target-mean slider and returns to step 0 on Reset (one kernel, one Run All).

Screenshots go to ``screenshots/``. Lab can't save: the committed notebooks stay untouched.
"""

from __future__ import annotations

import hashlib
import re
import time
import urllib.error
from pathlib import Path

import pytest

from labharness import LabNotebook

REPO = Path(__file__).resolve().parents[2]
NB_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))
SHOTS = REPO / "screenshots"
SELFTEST = Path(__file__).with_name("harness_selftest.ipynb")
DASHBOARD = NB_DIR / "03_training_1d_gan_live.ipynb"

pytestmark = pytest.mark.browser
RUN_ALL_TIMEOUT = 420  # seconds per notebook in fast mode; generous but bounded


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_clean(nb: LabNotebook, shot: Path) -> None:
    """Run All; fail on any error output, unexecuted cell or logged callback error."""
    try:
        nb.run_all(timeout=RUN_ALL_TIMEOUT)
    finally:
        nb.screenshot(shot)
    errors = nb.error_texts()
    assert not errors, f"{nb.rel_path}: error output in Lab (see {rel(shot)}):\n" + "\n".join(errors)
    skipped = nb.unexecuted_cells()
    assert not skipped, f"{nb.rel_path}: code cells {skipped} did not run"


@pytest.mark.timeout(900)  # the first browser test also pays for installing Chromium, if needed
def test_harness_detects_errors_and_drives_widgets(lab, page):
    before = digest(SELFTEST)
    nb = LabNotebook(page, lab, rel(SELFTEST)).open()
    nb.run_all(timeout=120)
    # error outputs are found, warnings on stderr are not errors, and Run All stopped there
    assert nb.error_texts() == ["cell 3: ZeroDivisionError: division by zero"]
    assert nb.unexecuted_cells() == [4]
    # clicks reach the kernel and come back
    nb.nb.locator(".t-inc").click()
    nb.nb.locator(".t-inc").click()
    wait_for(lambda: nb.nb.locator(".t-count input").input_value() == "2", 10, "button clicks")
    # the slider answers the keyboard
    move_slider(nb, ".t-slider")
    wait_for(lambda: nb.text(".t-target") == "mean=2.0", 10, "slider End key")
    # a failing callback shows only in the Log Console, and is found there
    assert nb.logged_errors() == []
    nb.nb.locator(".t-boom").click()
    wait_for(lambda: any("a widget callback failed" in e for e in nb.logged_errors()), 10,
             "callback error in the Log Console")
    # and the server refuses to save, so Lab can never write outputs into a committed notebook
    model = lab.api("GET", f"/api/contents/{rel(SELFTEST)}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        lab.api("PUT", f"/api/contents/{rel(SELFTEST)}",
                body={"type": "notebook", "format": "json", "content": model["content"]})
    assert refused.value.code == 403 and b"saving is disabled" in refused.value.read()
    assert digest(SELFTEST) == before, "Lab saved the self-test notebook"


@pytest.mark.timeout(RUN_ALL_TIMEOUT + 240)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_lab(lab, page, path):
    before = digest(path)
    nb = LabNotebook(page, lab, rel(path)).open()
    run_clean(nb, SHOTS / f"lab-{path.stem}.png")
    if path == DASHBOARD:
        use_dashboard(nb, SHOTS / f"lab-{path.stem}-dashboard.png")
        errors = nb.error_texts()
        assert not errors, "error output after using the dashboard:\n" + "\n".join(errors)
    logged = nb.logged_errors()
    assert not logged, f"{path.name}: errors in Lab's Log Console (widget callbacks):\n" + "\n".join(logged)
    assert digest(path) == before, f"{path.name} was changed on disk while open in Lab"


def test_dashboard_notebook_is_present():
    """The dashboard is checked inside test_notebook_runs_in_lab[03...]: it must not go missing."""
    assert DASHBOARD in NOTEBOOKS, f"{rel(DASHBOARD)} is missing: the dashboard cannot be tested"


# ---------------------------------------------------------------------------------------------
# the live 1-D GAN dashboard (notebook 03); its DOM contract is the CSS classes below

DASH_PARTS = [".ganlab-play", ".ganlab-pause", ".ganlab-step-d", ".ganlab-step-g", ".ganlab-step",
              ".ganlab-reset", "img.ganlab-figure", ".ganlab-readout", ".ganlab-step-count",
              ".ganlab-jsd", ".ganlab-target-mean", ".ganlab-target", ".ganlab-message"]
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def number(text: str) -> float | None:
    m = NUMBER.search(text.replace("\u2212", "-"))
    return float(m.group()) if m else None


def wait_for(cond, timeout: float, what: str, every: float = 0.25):
    deadline = time.monotonic() + timeout
    while True:
        if cond():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def move_slider(nb: LabNotebook, selector: str) -> None:
    """Focus the slider's handle and press End (or Home when it already sits at the end)."""
    handle = nb.nb.locator(f"{selector} .noUi-handle").first
    at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
    handle.focus()
    nb.page.keyboard.press("Home" if at_max else "End")


def use_dashboard(nb: LabNotebook, shot: Path) -> None:
    """Play, Pause, Step, Step D, Step G, the target-mean slider and Reset, as a person would."""
    dash = nb.nb.locator(".ganlab-dashboard").first
    dash.wait_for(state="visible", timeout=30_000)
    dash.scroll_into_view_if_needed()
    missing = [s for s in DASH_PARTS if dash.locator(s).count() == 0]
    assert not missing, f"dashboard lacks {missing}"

    def read():
        return (int(number(nb.text(".ganlab-step-count")) or 0), number(nb.text(".ganlab-jsd")),
                nb.attr("img.ganlab-figure", "src"))

    def context() -> str:
        return f"readout {nb.text('.ganlab-readout')!r}, message {nb.text('.ganlab-message')!r}"

    try:
        # Play: training runs, the figure redraws, the step count rises and the JSD falls
        step0, jsd0, src0 = read()
        dash.locator(".ganlab-play").first.click()
        readings, t0 = [], time.monotonic()
        while time.monotonic() - t0 < 45:
            time.sleep(0.5)
            readings.append(read())
            steps = [r[0] for r in readings]
            jsds = [r[1] for r in readings if r[1] is not None]
            srcs = {src0} | {r[2] for r in readings}
            # compare with the reading before Play, or else the first one after it
            if jsd0 is not None:
                first, later = jsd0, jsds
            else:
                first, later = (jsds[0] if jsds else None), jsds[1:]
            fell = first is not None and bool(later) and min(later) < first
            if time.monotonic() - t0 > 4 and steps[-1] > step0 and len(srcs) >= 3 and fell:
                break
        summary = [(s, j) for s, j, _ in readings]
        assert steps[-1] > step0, f"Play: step count stayed at {step0}; {context()}"
        assert len(srcs) >= 3, \
            f"Play: the figure redrew {len(srcs) - 1} times in 45 s; (step, JSD) {summary}; {context()}"
        assert fell, \
            f"Play: the JSD did not fall below its first reading {first}: {summary}"

        # Pause: the step count stops
        dash.locator(".ganlab-pause").first.click()
        time.sleep(1.5)
        a = read()[0]
        time.sleep(1.5)
        b = read()[0]
        assert a == b, f"Pause: step count still moving ({a} -> {b}); {context()}"

        # Step: one iteration; Step D and Step G: one update each, and a redraw
        dash.locator(".ganlab-step").first.click()
        wait_for(lambda: read()[0] == b + 1, 15, f"Step to take the step count from {b} to {b + 1}")
        for button in (".ganlab-step-d", ".ganlab-step-g"):
            src = read()[2]
            dash.locator(button).first.click()
            wait_for(lambda: read()[2] != src, 15, f"{button} to redraw the figure")

        # the target-mean slider moves the target and redraws the figure
        target0, src_paused = nb.text(".ganlab-target"), read()[2]
        move_slider(nb, ".ganlab-target-mean")
        wait_for(lambda: nb.text(".ganlab-target") != target0, 15, "the target readout to change")
        wait_for(lambda: read()[2] != src_paused, 15, "the figure to redraw after the slider moved")
        slider_value = float(dash.locator(".ganlab-target-mean .noUi-handle").first.get_attribute("aria-valuenow"))
        old, new = number(target0), number(nb.text(".ganlab-target"))
        assert new is not None and (old is None or abs(new - slider_value) < abs(old - slider_value)), \
            f"target readout {nb.text('.ganlab-target')!r} does not follow the slider ({slider_value})"

        # Reset: back to step 0
        dash.locator(".ganlab-reset").first.click()
        wait_for(lambda: read()[0] == 0, 15, "Reset to bring the step count back to 0")
    finally:
        dash.screenshot(path=str(shot))
