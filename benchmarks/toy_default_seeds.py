"""Does the 1-D toy GAN's default config converge on every seed? Per-seed JSD after a fixed budget.

Usage: python benchmarks/toy_default_seeds.py [--seeds 0-15] [--steps 3000] [--variants earlier default]
                                              [--engine batched|toy]

Trains each variant (today's default ``ToyConfig()``, the earlier one, or either with a few fields changed, see
``VARIANTS``) on every seed
and prints, per seed, the final exact JSD(p_data, p_g) and the min / median / max of the last ``--tail``
records (one record every ``--log-every`` iterations), then how many seeds end below ``--goal`` and how many
stay below it over the whole tail. ``--engine batched`` trains all seeds of a variant at once in a
``BatchedGAN`` (fast); ``--engine toy`` trains one ``ToyTrainer`` per seed, the engine behind the dashboard
(slower, and a different random stream: "seed 3" is a different run in each engine). Quality numbers are
deterministic on CPU for a given seed; the printed times depend on the machine's load (printed too).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from ganlab.toy import BatchedGAN, MLPConfig, ToyConfig, ToyTrainer

EARLIER = {"g": MLPConfig(), "k_d": 1}  # the defaults before issue 11: leaky-ReLU generator, one critic step

#: name -> changes to today's default ToyConfig (the candidates measured for issue 11)
VARIANTS = {
    "earlier": EARLIER,
    "default": {},  # ELU generator, k_d = 3
    "earlier_lrg2.5e-4": {**EARLIER, "lr_g": 2.5e-4},
    "earlier_b512": {**EARLIER, "batch_size": 512},
    "earlier_kd2": {**EARLIER, "k_d": 2},
    "earlier_kd3": {**EARLIER, "k_d": 3},
    "elu_kd1": {"k_d": 1},
    "elu_kd2": {"k_d": 2},
    "elu_kd2_lrd4e-3": {"k_d": 2, "lr_d": 4e-3},
}


def seed_range(text: str) -> list[int]:
    """'0-15' -> [0, ..., 15]; '0,3,7' -> [0, 3, 7]."""
    if "-" in text:
        lo, hi = (int(v) for v in text.split("-"))
        return list(range(lo, hi + 1))
    return [int(v) for v in text.split(",")]


def jsd_histories(cfg: ToyConfig, seeds: list[int], steps: int, engine: str) -> tuple[np.ndarray, float]:
    """JSD records (records, len(seeds)) and the training seconds."""
    if engine == "batched":
        t = BatchedGAN(cfg, seed=seeds).step(steps)
        return t.hist("jsd"), t.seconds
    runs = [ToyTrainer(cfg.with_(seed=s)).step(steps) for s in seeds]
    return np.stack([r.history.array("jsd") for r in runs], axis=1), sum(r.seconds for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0-15", help="'0-15' or '0,3,7'")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--log-every", type=int, default=100)
    ap.add_argument("--tail", type=int, default=6, help="records summarised at the end (6 x 100 = the last 500 its)")
    ap.add_argument("--goal", type=float, default=0.01, help="JSD (nats) a converged run ends below")
    ap.add_argument("--variants", nargs="+", default=["earlier", "default"], choices=sorted(VARIANTS))
    ap.add_argument("--engine", default="batched", choices=("batched", "toy"))
    a = ap.parse_args()
    seeds = seed_range(a.seeds)
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} CPUs; engine {a.engine}, "
          f"{a.steps} iterations, seeds {a.seeds}, goal: JSD < {a.goal}")
    summary = []
    for name in a.variants:
        cfg = ToyConfig(log_every=a.log_every).with_(**VARIANTS[name])
        jsd, seconds = jsd_histories(cfg, seeds, a.steps, a.engine)
        tail = jsd[-a.tail:]
        print(f"\n{name}: {VARIANTS[name] or 'ToyConfig() as it is'}  ({seconds:.0f} s)")
        print(f"{'seed':>5s} {'final':>8s} {'tail min':>9s} {'median':>8s} {'max':>8s}  below goal")
        for i, s in enumerate(seeds):
            col = tail[:, i]
            mark = "end+tail" if col.max() < a.goal else ("end" if jsd[-1, i] < a.goal else "-")
            print(f"{s:5d} {jsd[-1, i]:8.4f} {col.min():9.4f} {np.median(col):8.4f} {col.max():8.4f}  {mark}")
        ends, stays = int(np.sum(jsd[-1] < a.goal)), int(np.sum(tail.max(0) < a.goal))
        summary.append((name, ends, stays, float(jsd[-1].max()), float(np.median(jsd[-1]))))
    print(f"\n{'variant':16s} {'end < goal':>11s} {'tail < goal':>12s} {'worst final':>12s} {'median final':>13s}")
    for name, ends, stays, worst, med in summary:
        print(f"{name:16s} {ends:7d}/{len(seeds):<3d} {stays:8d}/{len(seeds):<3d} {worst:12.4f} {med:13.4f}")
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
