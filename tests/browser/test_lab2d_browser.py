"""The 2-D GAN lab works for a person in JupyterLab: ``lab2d_harness.ipynb`` is run from Lab's Run menu and
the lab is used with the mouse and keyboard, as issue 15's "done when" lists:

Play (the picture changes in the data plane, the step count and the history grow), Pause (the count stops),
Step D / Step G (one update each), switching the target and the loss, a bad seed (a message, the box goes
back), and drawing points on the canvas by clicking and dragging (the target becomes them). Its DOM contract is
the CSS classes below. Screenshots go to ``screenshots/``.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from labharness import LabNotebook
from test_lab import digest, number, rel, wait_for

HARNESS = Path(__file__).with_name("lab2d_harness.ipynb")
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PARTS = [".ganlab-play", ".ganlab-pause", ".ganlab-step-d", ".ganlab-step-g", "img.ganlab-figure", ".ganlab-readout",
         ".ganlab-step-count", ".ganlab-d-updates", ".ganlab-g-updates", ".ganlab-records", ".ganlab-target",
         ".ganlab-loss-kind", ".ganlab-target-kind select", ".ganlab-loss select", ".ganlab-seed input",
         ".ganlab-message"]

pytestmark = pytest.mark.browser


@pytest.mark.timeout(300)
def test_lab2d_in_jupyterlab(lab, page):
    before = digest(HARNESS)
    nb = LabNotebook(page, lab, rel(HARNESS)).open()
    nb.run_all(timeout=120)
    errors = nb.error_texts()
    assert not errors, "error output in Lab:\n" + "\n".join(errors)
    root = nb.nb.locator(".ganlab-lab2d").first
    root.wait_for(state="visible", timeout=30_000)
    root.scroll_into_view_if_needed()
    missing = [s for s in PARTS if root.locator(s).count() == 0]
    assert not missing, f"the lab lacks {missing}"
    img = root.locator("img.ganlab-figure").first
    wait_for(lambda: (img.get_attribute("src") or "").startswith("blob:"), 30, "the first frame")
    count = lambda cls: int(number(nb.text(cls)) or 0)
    context = lambda: f"readout {nb.text('.ganlab-readout')!r}, message {nb.text('.ganlab-message')!r}"

    def plane() -> np.ndarray:
        """The data plane as shown: a screenshot of the picture, cropped to the box the kernel sent."""
        shot = np.asarray(Image.open(io.BytesIO(img.screenshot())).convert("L"), dtype=float)
        b = json.loads(img.get_attribute("data-box"))
        k = shot.shape[1] / b["width"]
        return shot[int(b["top"] * k) + 2:int(b["bottom"] * k) - 2, int(b["left"] * k) + 2:int(b["right"] * k) - 2]

    try:
        # Play: the points move (the data plane's pixels change), the step count and the history grow
        steps0, records0, plane0 = count(".ganlab-step-count"), count(".ganlab-records"), plane()
        root.locator(".ganlab-play").first.click()
        wait_for(lambda: count(".ganlab-step-count") > steps0 + 50 and count(".ganlab-records") > records0 + 3, 45,
                 f"Play to train ({context()})")
        moved = np.abs(plane() - plane0).mean()
        assert moved > 1.0, f"Play: the data plane hardly changed (mean |Δ| {moved:.2f} grey levels)"

        # Pause: the count stops
        root.locator(".ganlab-pause").first.click()
        time.sleep(1.0)
        a = count(".ganlab-step-count")
        time.sleep(1.5)
        assert count(".ganlab-step-count") == a, f"Pause: still training; {context()}"

        # Step D, Step G: one update each
        d0, g0 = count(".ganlab-d-updates"), count(".ganlab-g-updates")
        root.locator(".ganlab-step-d").first.click()
        wait_for(lambda: count(".ganlab-d-updates") == d0 + 1, 15, "Step D to make one D update")
        root.locator(".ganlab-step-g").first.click()
        wait_for(lambda: count(".ganlab-g-updates") == g0 + 1, 15, "Step G to make one G update")
        assert count(".ganlab-d-updates") == d0 + 1 and count(".ganlab-step-count") == a

        # the target and the loss switch, and the run goes on with them
        root.locator(".ganlab-target-kind select").first.select_option(label="two moons")
        wait_for(lambda: nb.text(".ganlab-target") == "two moons", 15, "the target to become two moons")
        root.locator(".ganlab-loss select").first.select_option(label="hinge")
        wait_for(lambda: nb.text(".ganlab-loss-kind") == "hinge", 15, "the loss to become hinge")

        # a bad setting: a message naming the range, and the box shows the seed in effect again
        seed = root.locator(".ganlab-seed input").first
        seed.fill("-5")
        seed.press("Enter")
        wait_for(lambda: "seed must be an integer" in nb.text(".ganlab-message"), 15, "the bad-seed message")
        wait_for(lambda: seed.input_value() == "0", 10, "the seed box to go back to 0")

        # drawing: three clicks and a drag on the data plane become the target
        root.locator(".ganlab-target-kind select").first.select_option(label="draw your own")
        wait_for(lambda: "Click or drag" in nb.text(".ganlab-message"), 15, "the drawing hint")
        img.evaluate("e => e.scrollIntoView({block: 'center'})")  # the whole data plane on screen, not under Lab's bars
        time.sleep(0.3)
        b, r = json.loads(img.get_attribute("data-box")), img.bounding_box()
        to_page = lambda fx, fy: (r["x"] + (b["left"] + fx * (b["right"] - b["left"])) * r["width"] / b["width"],
                                  r["y"] + (b["top"] + fy * (b["bottom"] - b["top"])) * r["height"] / b["height"])
        for fx, fy in ((0.25, 0.25), (0.75, 0.25), (0.5, 0.8)):
            page.mouse.click(*to_page(fx, fy))
        wait_for(lambda: nb.text(".ganlab-target") == "drawn points (3)", 15, f"3 drawn points ({context()})")
        page.mouse.move(*to_page(0.2, 0.6))
        page.mouse.down()
        for i in range(1, 11):
            page.mouse.move(*to_page(0.2 + 0.05 * i, 0.6), steps=2)
        page.mouse.up()
        wait_for(lambda: count(".ganlab-target") > 6, 15, f"the drag to add points ({context()})")
        root.locator(".ganlab-play").first.click()  # and it trains on the drawing
        n = count(".ganlab-step-count")
        wait_for(lambda: count(".ganlab-step-count") > n + 20, 20, "Play on the drawn target")
        root.locator(".ganlab-pause").first.click()
    finally:
        root.screenshot(path=str(SHOTS / "lab-lab2d.png"))
    assert not nb.error_texts()
    logged = nb.logged_errors()
    assert not logged, "errors in Lab's Log Console (widget callbacks):\n" + "\n".join(logged)
    assert digest(HARNESS) == before, "Lab saved the harness notebook"
