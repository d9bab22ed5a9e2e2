"""DCGAN training speed and time-to-quality: ganlab's trainer beside a plain PyTorch loop.

Both run in the same process, back to back, for the same training-time budget, on the same
device, so they suffer the same machine load. The plain loop is written the way the
pytorch/examples DCGAN is: float32, ``Sigmoid`` + ``BCELoss``, a ``DataLoader`` over a
``TensorDataset`` with ``shuffle=True``, a float conversion per batch, torch's default threads,
width 64 and batch 64 (the example's defaults), the same G/D layout at 28×28.

Every ``--eval-every`` seconds of training the clock stops and 2,000 samples are scored with the
classifier FID against the MNIST test set (lower is better; the real-vs-real floor is printed).
The table gives images/s, the final FID, class-histogram KL to uniform, and the training time
at which the FID first fell below ``--fid-threshold``.

    python benchmarks/dcgan_speed.py --minutes 5            # both loops, 5 minutes each
    GANLAB_DEVICE=cuda python benchmarks/dcgan_speed.py --minutes 1 --batch-size 1024
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ganlab.images import (DCGANConfig, DCGANTrainer, Discriminator, Generator, class_histogram,  # noqa: E402
                           classifier_fid, get_classifier, image_grid, kl_to_uniform, load_mnist,
                           real_vs_real_baseline, to_uint8)
from ganlab.core import get_device  # noqa: E402

N_EVAL = 2000


class Scorer:
    def __init__(self, device):
        self.clf = get_classifier(device=device, verbose=False)
        self.test, _ = load_mnist("test")
        self.base = real_vs_real_baseline(self.test, self.clf, n=N_EVAL)

    def __call__(self, samples_u8: torch.Tensor) -> tuple[float, float]:
        fid = classifier_fid(samples_u8, self.test, self.clf)
        kl = kl_to_uniform(class_histogram(samples_u8, self.clf))
        return fid, kl


def load_str() -> str:
    try:
        return "load %.1f %.1f %.1f" % os.getloadavg()
    except OSError:
        return "load ?"


def run_ganlab(args, images, scorer, device) -> dict:
    cfg_kw = {k: v for k, v in (("batch_size", args.batch_size), ("ngf", args.ngf), ("ndf", args.ngf),
                                ("amp", args.amp)) if v is not None}
    tr = DCGANTrainer(DCGANConfig(**cfg_kw), device=device, data=images, compile=args.compile)
    evals, next_eval = [], [args.eval_every]
    zeval = torch.randn(N_EVAL, tr.config.nz, generator=torch.Generator().manual_seed(123))

    def cb(t, rec):
        if t.train_seconds >= next_eval[0]:
            evals.append((t.train_seconds, *scorer(t.generate(zeval))))
            next_eval[0] += args.eval_every
    print(f"[ganlab] {load_str()}; device {tr.device}, threads {tr.threads or torch.get_num_threads()}, "
          f"bf16 {tr.bf16}, batch {tr.config.batch_size}, width {tr.config.ngf}", flush=True)
    tr.train(minutes=args.minutes, callback=cb, progress=False)
    evals.append((tr.train_seconds, *scorer(tr.generate(zeval))))
    h = tr.history
    steady = h["images_per_s"][len(h["images_per_s"]) // 2:] or h["images_per_s"]
    return dict(name="ganlab DCGANTrainer", images=tr.step * tr.config.batch_size, seconds=tr.train_seconds,
                images_per_s=tr.step * tr.config.batch_size / tr.train_seconds,
                steady_images_per_s=float(np.median(steady)), evals=evals,
                grid=image_grid(tr.generate(zeval[:64])), threads=tr.threads or torch.get_num_threads(), load=load_str())


# ---- the plain loop, pytorch/examples style -------------------------------------------------


def run_plain(args, images, scorer, device) -> dict:
    torch.set_num_threads(os.cpu_count() or 1)  # torch's default (ganlab's trainer sets its own only while it trains)
    nz, width, B = 100, 64, 64
    cfg = DCGANConfig(nz=nz, ngf=width, ndf=width)
    torch.manual_seed(0)
    netG = Generator(cfg).to(device)
    netD = nn.Sequential(Discriminator(cfg), nn.Sigmoid()).to(device)  # probabilities, then BCELoss
    criterion = nn.BCELoss()
    optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images), batch_size=B, shuffle=True,
                                         drop_last=True)
    zeval = torch.randn(N_EVAL, nz, generator=torch.Generator().manual_seed(123))

    def generate():
        netG.eval()
        with torch.no_grad():
            out = torch.cat([to_uint8(netG(c.to(device))) for c in zeval.split(1000)])
        netG.train()
        return out

    print(f"[plain]  {load_str()}; device {device}, threads {torch.get_num_threads()}, fp32, batch {B}, "
          f"width {width}", flush=True)
    budget, trained, n_img, evals, next_eval = 60 * args.minutes, 0.0, 0, [], args.eval_every
    done = False
    while not done:
        for (xb,) in loader:
            t = time.perf_counter()
            real = (xb.float() / 127.5 - 1).unsqueeze(1).to(device)  # float conversion per batch
            b = real.size(0)
            netD.zero_grad()
            label = torch.full((b,), 1.0, device=device)
            errD_real = criterion(netD(real).view(-1), label)
            errD_real.backward()
            fake = netG(torch.randn(b, nz, device=device))
            label.fill_(0.0)
            errD_fake = criterion(netD(fake.detach()).view(-1), label)
            errD_fake.backward()
            optD.step()
            netG.zero_grad()
            label.fill_(1.0)
            errG = criterion(netD(fake).view(-1), label)
            errG.backward()
            optG.step()
            errG.item()  # the example prints losses every step
            trained += time.perf_counter() - t
            n_img += b
            if trained >= next_eval:
                evals.append((trained, *scorer(generate())))
                next_eval += args.eval_every
            if trained >= budget:
                done = True
                break
    evals.append((trained, *scorer(generate())))
    return dict(name="plain pytorch/examples loop", images=n_img, seconds=trained, images_per_s=n_img / trained,
                steady_images_per_s=n_img / trained, evals=evals, grid=image_grid(generate()[:64]),
                threads=torch.get_num_threads(), load=load_str())


def first_below(evals, thr):
    return next((f"{t:.0f} s" for t, fid, _ in evals if fid <= thr), "never")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=5.0, help="training minutes for each loop (default 5)")
    p.add_argument("--eval-every", type=float, default=60.0, help="training seconds between FID checks")
    p.add_argument("--fid-threshold", type=float, default=None,
                   help="report when the FID first drops below this (default: 10 x real-vs-real)")
    p.add_argument("--batch-size", type=int, help="ganlab trainer batch (default: DCGANConfig's)")
    p.add_argument("--ngf", type=int, help="ganlab trainer width (default: DCGANConfig's)")
    p.add_argument("--amp", choices=["auto", "bf16", "off"])
    p.add_argument("--compile", action="store_true", help="torch.compile the ganlab trainer's G and D")
    p.add_argument("--only", choices=["ganlab", "plain"], help="run one loop only")
    p.add_argument("--out", default="runs/bench", help="folder for grids and results.json")
    args = p.parse_args(argv)
    device = get_device(None)
    images, _ = load_mnist("train")
    scorer = Scorer(device)
    thr = args.fid_threshold if args.fid_threshold is not None else 10 * scorer.base
    print(f"device {device}; {os.cpu_count()} CPUs; torch {torch.__version__}; real-vs-real FID (n={N_EVAL}) "
          f"{scorer.base:.3f}; threshold {thr:.3f}", flush=True)
    results = []
    if args.only != "plain":
        results.append(run_ganlab(args, images, scorer, device))
    if args.only != "ganlab":
        results.append(run_plain(args, images, scorer, device))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from PIL import Image
    print(f"\n{'loop':<28} {'images/s':>9} {'epochs':>7} {'FID':>8} {'KL unif':>8} {'FID<=thr at':>12}  threads  load")
    for r in results:
        t, fid, kl = r["evals"][-1]
        print(f"{r['name']:<28} {r['images_per_s']:>9.0f} {r['images'] / len(images):>7.2f} {fid:>8.3f} "
              f"{kl:>8.4f} {first_below(r['evals'], thr):>12}  {r['threads']:>7}  {r['load']}")
        Image.fromarray(r.pop("grid")).save(out / f"grid_{r['name'].split()[0]}.png")
    for r in results:
        print(f"  {r['name']}: FID over training time: " +
              ", ".join(f"{t:.0f}s {fid:.2f}" for t, fid, _ in r["evals"]))
    if len(results) == 2:
        print(f"FID ratio ganlab/plain: {results[0]['evals'][-1][1] / results[1]['evals'][-1][1]:.3f}; "
              f"speed ratio: {results[0]['images_per_s'] / results[1]['images_per_s']:.2f}x")
    (out / "results.json").write_text(json.dumps({"device": str(device), "baseline_fid": scorer.base,
                                                  "threshold": thr, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
