"""An overfitting discriminator and two fixes: a small DCGAN on 300 MNIST digits, baseline vs DiffAugment vs dropout.

For every seed and variant (``ganlab.images.OVERFIT_VARIANTS``) one CPU run (one thread; ``--workers`` runs at a
time) trains for ``--steps`` steps, records D's accuracy on its 300 training digits and on 1,000 held-out test
digits (and the pairwise "memorised" score, ``ganlab.images.probe``) every 100 steps, and every ``--eval-every``
steps scores 2,000 samples with the course's classifier (classifier FID against the test set, Inception-style
score). Every run is seeded and single-threaded: the same numbers on a rerun on the same kind of CPU (bf16
autocast is used where the CPU has native bf16, so a CPU without it gives slightly different numbers). Results: ``checkpoints/dcgan_overfit.json`` (curves, scores, configs) and
``checkpoints/dcgan_overfit_grids.png`` (the 64 fixed-noise samples of every run: one row of tiles per seed,
one column per variant, in the order of the JSON's ``variants`` and ``seeds``). ``--recipe paper`` trains with the DCGAN paper's
recipe instead (no R1, no weight average) and writes ``dcgan_overfit_paper.json`` and ``dcgan_overfit_paper_grids.png``.

    python benchmarks/dcgan_overfit.py --workers 9              # seeds 0-2 × 3 variants at once: ~8 CPU minutes of training
    python benchmarks/dcgan_overfit.py --seeds 0 --steps 300    # a quick look
    python benchmarks/dcgan_overfit.py --recipe paper --steps 6000 --workers 9   # the DCGAN paper's recipe: no R1, no EMA
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STEPS = 3000
EVAL_EVERY = 1000
RECIPES = {  # name -> DCGANConfig fields: "course" is notebook 05's recipe, "paper" the DCGAN paper's (no R1, no EMA)
    "course": {},
    "paper": {"r1": 0.0, "ema": 0.0, "beta1": 0.5, "beta2": 0.999},
}


def _run(args: tuple) -> tuple[dict, np.ndarray]:
    from ganlab.images import train_overfit_variant
    variant, seed, steps, eval_every, recipe = args
    return train_overfit_variant(variant, seed, steps, eval_every=eval_every, **RECIPES[recipe])


def mosaic(grids: list[list[np.ndarray]], gap: int = 6) -> np.ndarray:
    """Tiles (rows × columns of equal uint8 images) into one image with white gaps."""
    h, w = grids[0][0].shape
    R, C = len(grids), len(grids[0])
    out = np.full((R * h + (R - 1) * gap, C * w + (C - 1) * gap), 255, np.uint8)
    for r, row in enumerate(grids):
        for c, g in enumerate(row):
            out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = g
    return out


def main(argv=None) -> int:
    from ganlab.core import checkpoints_dir, save_png
    from ganlab.images import OVERFIT_VARIANTS as VARIANTS, get_classifier, overfit_table
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=STEPS, help=f"training steps per run (default {STEPS})")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    p.add_argument("--out", default=str(checkpoints_dir()), help="folder for the JSON and PNG (default checkpoints/)")
    p.add_argument("--eval-every", type=int, default=EVAL_EVERY, help=f"steps between FID/IS evaluations (default {EVAL_EVERY})")
    p.add_argument("--workers", type=int, default=2, help="runs at a time (default 2)")
    p.add_argument("--recipe", choices=list(RECIPES), default="course",
                   help="course: notebook 05's (R1, EMA; writes dcgan_overfit.*); paper: no R1, no EMA, betas (0.5, 0.999) "
                        "(writes dcgan_overfit_paper.*)")
    args = p.parse_args(argv)
    get_classifier(device="cpu")  # fetch/check the classifier once before the workers start
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; {args.steps} steps, seeds {args.seeds}", flush=True)
    jobs = [(v, s, args.steps, args.eval_every, args.recipe) for s in args.seeds for v in args.variants]
    stem = "dcgan_overfit" if args.recipe == "course" else f"dcgan_overfit_{args.recipe}"
    t0 = time.time()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    meta = dict(steps=args.steps, seeds=args.seeds, variants=args.variants, recipe=args.recipe,
                command="python benchmarks/dcgan_overfit.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    results = []
    with mp.get_context("spawn").Pool(args.workers) as pool:
        for row, grid in pool.imap(_run, jobs, chunksize=1):  # in job order, each as soon as it (and those before) end
            results.append((row, grid))
            print(f"  seed {row['seed']} {row['variant']:12s} FID {row['fid']:6.2f}  IS {row['inception']:.2f}  "
                  f"acc train {row['history']['acc_train'][-1]:.3f} held-out {row['history']['acc_heldout'][-1]:.3f}  "
                  f"{row['cpu_seconds']:.0f} CPU s, load {os.getloadavg()[0]:.1f}", flush=True)
            partial = {**meta, "complete": len(results) == len(jobs), "rows": [r for r, _ in results]}
            (out / f"{stem}.json").write_text(json.dumps(partial, separators=(",", ":")))  # kept if interrupted
    rows = [r for r, _ in results]
    print(overfit_table(rows))
    print(f"wall {time.time() - t0:.0f} s, load {os.getloadavg()[0]:.1f}")
    grids = [[results[i * len(args.variants) + j][1] for j in range(len(args.variants))] for i in range(len(args.seeds))]
    save_png(mosaic(grids), out / f"{stem}_grids.png")
    print(f"wrote {out / f'{stem}.json'} and {out / f'{stem}_grids.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
