"""2-D GAN lab speed: headless iterations/s, iterations/s with the lab redrawing live, redraws/s.

    python benchmarks/lab2d_speed.py [--steps 3000] [--repeats 3] [--redraw-hz 12]

Prints the median of a few repeats (headless and live interleaved, so both see the same machine load) and
the load average before and after: the machine may be shared. The lab is driven exactly as in the notebook
(``Dashboard2D.run`` uses the same train-and-redraw loop as a Play tick) on the default target (ring of 8)
and settings; "redraw alone" times one frame (the networks on the view's grid, blitting, JPEG encoding).
The issue asks for >= 75 % of the headless speed at >= 10 redraws/s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from ganlab.toy import Toy2DConfig, Toy2DTrainer
from ganlab.widgets import Dashboard2D, Dashboard2DConfig


def headless(steps: int) -> float:
    t = Toy2DTrainer(Toy2DConfig())
    t.step(50)  # warm-up
    t0 = time.perf_counter()
    t.step(steps)
    return steps / (time.perf_counter() - t0)


def live(steps: int, redraw_hz: float) -> dict[str, float]:
    lab = Dashboard2D(Toy2DConfig(), Dashboard2DConfig(redraw_hz=redraw_hz))
    lab.run(50)  # warm-up, first full draw
    return lab.run(steps)


def render_only(n: int = 40) -> float:
    lab = Dashboard2D(Toy2DConfig())
    lab.run(200)
    t0 = time.perf_counter()
    for _ in range(n):
        lab.redraw()
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--redraw-hz", type=float, default=Dashboard2DConfig().redraw_hz)
    a = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    h, lv = [], []
    for _ in range(a.repeats):
        h.append(headless(a.steps))
        lv.append(live(a.steps, a.redraw_hz))
    hs = statistics.median(h)
    ls = statistics.median(r["steps_per_s"] for r in lv)
    fps = statistics.median(r["frames_per_s"] for r in lv)
    each_h = ", ".join(f"{v:.0f}" for v in h)
    each_l = ", ".join(f"{r['steps_per_s']:.0f}" for r in lv)
    print(f"headless training          : {hs:8.0f} it/s   (each repeat: {each_h})")
    print(f"with the lab at {a.redraw_hz:4.0f} Hz     : {ls:8.0f} it/s  ({100 * ls / hs:.0f}% of headless), "
          f"{fps:.1f} redraws/s   (each: {each_l})")
    print(f"redraw alone               : {render_only():8.1f} frames/s")
    print(f"load average after         : {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
