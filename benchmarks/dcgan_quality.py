"""Digits per CPU-minute: the DCGAN's default training recipe against the one it replaced, on several seeds.

For every seed the two recipes train side by side (two processes, one thread each, started together), so
they share the machine's load; each trains for ``--minutes`` of training time. Then 2,000 samples of each
are scored with the course's MNIST classifier: classifier FID against the test set (beside the real-vs-real
floor for 2,000 images), the Inception-style score (exp E KL(p(y|x) ‖ p(y)), 10 at best), the class
histogram's KL to uniform and its smallest class share. The table prints per seed and the median.

    python benchmarks/dcgan_quality.py --minutes 5 --seeds 0 1 2          # about 16 minutes on 2 cores
    python benchmarks/dcgan_quality.py --minutes 1 --seeds 0 --recipes default   # a quick look

Recipes: ``before`` is the default of the previous release (Adam betas (0.5, 0.999), no R1 penalty, no
weight average); ``default`` is today's ``DCGANConfig()`` (betas (0, 0.99), lazy R1 with γ = 1 every 16
steps, samples from a weight average of G with decay 0.99).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RECIPES = {"before": dict(beta1=0.5, beta2=0.999, r1=0.0, ema=0.0), "default": {}}
N_EVAL = 2000


def train_and_score(recipe: str, seed: int, minutes: float, out: str) -> dict:
    import torch
    from ganlab.images import (DCGANConfig, DCGANTrainer, class_histogram, classifier_fid, get_classifier,
                               inception_score, kl_to_uniform, load_mnist)
    tr = DCGANTrainer(DCGANConfig(seed=seed, **RECIPES[recipe]), device="cpu", threads=1)
    tr.train(minutes=minutes, progress=False)
    clf = get_classifier(device="cpu", verbose=False)
    test, _ = load_mnist("test")
    samples = tr.sample(N_EVAL, seed=10_000 + seed)
    hist = class_histogram(samples, clf)
    Path(out).mkdir(parents=True, exist_ok=True)
    tr.export_generator(Path(out) / f"{recipe}_seed{seed}_g_fp16.pt")
    return dict(recipe=recipe, seed=seed, steps=tr.step, images_per_s=tr.step * tr.config.batch_size / tr.train_seconds,
                fid=classifier_fid(samples, test, clf), inception=inception_score(samples, clf),
                kl=kl_to_uniform(hist), min_share=float(hist.min()), hist=hist.tolist(), load=os.getloadavg()[0])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=5.0, help="training minutes per run (default 5)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--recipes", nargs="+", choices=sorted(RECIPES), default=["before", "default"])
    p.add_argument("--out", default="runs/dcgan_quality", help="folder for generators and results.json")
    args = p.parse_args(argv)
    from ganlab.images import get_classifier, load_mnist, real_vs_real_baseline
    clf = get_classifier(device="cpu")
    test, _ = load_mnist("test")
    floor = real_vs_real_baseline(test, clf, n=N_EVAL)
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; real-vs-real FID (n={N_EVAL}) {floor:.3f}", flush=True)
    rows = []
    ctx = mp.get_context("spawn")
    for seed in args.seeds:
        with ctx.Pool(len(args.recipes)) as pool:
            jobs = [pool.apply_async(train_and_score, (r, seed, args.minutes, args.out)) for r in args.recipes]
            for j in jobs:
                r = j.get()
                rows.append(r)
                print(f"  seed {seed} {r['recipe']:8s} steps {r['steps']:6d} ({r['images_per_s']:5.0f} img/s)  FID {r['fid']:6.2f}"
                      f"  IS {r['inception']:.2f}  KL {r['kl']:.4f}  smallest class {r['min_share']:.3f}  load {r['load']:.1f}",
                      flush=True)
    print(f"\nmedian over seeds {args.seeds}, {args.minutes:g} training minutes each (FID floor {floor:.3f}):")
    print(f"{'recipe':8s} {'steps':>7s} {'img/s':>6s} {'FID':>7s} {'IS':>5s} {'KL unif':>8s} {'min class':>9s}")
    for name in args.recipes:
        rs = [r for r in rows if r["recipe"] == name]
        med = {k: statistics.median(r[k] for r in rs) for k in ("steps", "images_per_s", "fid", "inception", "kl", "min_share")}
        print(f"{name:8s} {med['steps']:7.0f} {med['images_per_s']:6.0f} {med['fid']:7.2f} {med['inception']:5.2f} "
              f"{med['kl']:8.4f} {med['min_share']:9.3f}")
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "results.json").write_text(json.dumps({"floor": floor, "minutes": args.minutes, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
