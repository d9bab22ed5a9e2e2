"""How much faster is training 100 toy GANs as one batched model than one by one?

Usage: python benchmarks/stability_map_speed.py [--models 100] [--steps 2000] [--solo 3]

Trains the stability-map grid (lr_D x lr_G, ``ganlab.toy.MAP_CONFIG``) as one BatchedGAN, then
``--solo`` of the same GANs one at a time (M = 1, the same code path) for the same number of steps, and
extrapolates their mean time to all models. Prints both, the speed-up, torch threads and the load average.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from ganlab.toy import BatchedGAN, MAP_CONFIG, lr_grid


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=int, default=100)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--solo", type=int, default=3, help="GANs trained one by one, then extrapolated")
    a = ap.parse_args()
    side = int(round(a.models ** 0.5))
    lr_d, lr_g = lr_grid(side)
    cfg = MAP_CONFIG.with_(log_every=a.steps)  # metrics only at start and end
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} CPUs; torch runs on 1 thread")

    t0 = time.perf_counter()
    batched = BatchedGAN(cfg, lr_d=lr_d, lr_g=lr_g).step(a.steps)
    t_batch = time.perf_counter() - t0
    print(f"batched : {batched.M} GANs x {a.steps} steps in {t_batch:.1f} s "
          f"({t_batch / a.steps * 1e3:.1f} ms per step for all of them)")

    idx = np.linspace(0, batched.M - 1, a.solo).round().astype(int)
    t_solo = []
    for i in idx:
        t0 = time.perf_counter()
        BatchedGAN(cfg, lr_d=[lr_d[i]], lr_g=[lr_g[i]]).step(a.steps)
        t_solo.append(time.perf_counter() - t0)
    per = float(np.mean(t_solo))
    est = per * batched.M
    print(f"one by one: {a.solo} of the GANs took {per:.1f} s each on average -> "
          f"{batched.M} GANs ≈ {est:.0f} s (extrapolated from {a.solo})")
    print(f"speed-up: {est / t_batch:.1f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
