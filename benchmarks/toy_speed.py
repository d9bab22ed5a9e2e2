"""Toy 1-D GAN speed: headless iterations/s, iterations/s with the dashboard redrawing live, frames/s.

    python benchmarks/toy_speed.py [--steps 3000] [--repeats 3]

Prints the median of a few repeats. The dashboard figure is driven exactly as in the notebook
(Dashboard.run uses the same advance-and-redraw loop as a Play tick), at its default redraw rate.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from ganlab.widgets import Dashboard, DashboardConfig
from ganlab.toy import ToyConfig, ToyTrainer


def headless(steps: int) -> float:
    t = ToyTrainer(ToyConfig())
    t.step(50)  # warm-up
    t0 = time.perf_counter()
    t.step(steps)
    return steps / (time.perf_counter() - t0)


def live(steps: int, redraw_hz: float) -> dict[str, float]:
    p = Dashboard(ToyConfig(), DashboardConfig(redraw_hz=redraw_hz))
    p.run(50)  # warm-up, first full draw
    return p.run(steps)


def render_only(n: int = 40) -> float:
    p = Dashboard(ToyConfig())
    p.run(200)
    t0 = time.perf_counter()
    for _ in range(n):
        p.redraw()
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--redraw-hz", type=float, default=DashboardConfig().redraw_hz)
    a = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    h, lv = [], []
    for _ in range(a.repeats):  # interleave so both see the same machine load
        h.append(headless(a.steps))
        lv.append(live(a.steps, a.redraw_hz))
    hs = statistics.median(h)
    ls = statistics.median(r["steps_per_s"] for r in lv)
    fps = statistics.median(r["frames_per_s"] for r in lv)
    print(f"headless training          : {hs:8.0f} it/s")
    print(f"with dashboard at {a.redraw_hz:4.0f} Hz   : {ls:8.0f} it/s  ({100 * ls / hs:.0f}% of headless), "
          f"{fps:.1f} redraws/s")
    print(f"redraw alone               : {render_only():8.1f} frames/s")
    print(f"load average after         : {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
