"""``python -m ganlab vae train``: train the small MNIST VAE (notebook 05) and write its fp16 weights.

Examples::

    python -m ganlab vae train --steps 1500 --seed 0 --out runs/vae     # runs/vae/vae_fp16.pt, metrics.json
    python -m ganlab vae train --minutes 2 --out runs/vae-quick
    python -m ganlab vae train --dry-run                                 # seconds, tiny fake data (CI)

The file holds the weights, config, step, the training history and the test-set ELBO in nats per image and
bits per binary pixel (with a 100-sample importance-weighted bound on 1,000 test images).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch

from ganlab.cli import Parser


def _train(a: argparse.Namespace) -> int:
    from ganlab.core import check_writable_dir, runs_dir
    from ganlab.images.vae import VAEConfig, VAETrainer

    cfg = VAEConfig(nz=a.nz, width=a.width, seed=a.seed, **({"batch_size": 16, "log_every": 2} if a.dry_run else {}))
    if a.steps is None and a.minutes is None and not a.dry_run:
        raise ValueError("give --steps or --minutes")
    for name in ("steps", "minutes", "iwae_k"):
        v = getattr(a, name)
        if v is not None and v < (0 if name == "iwae_k" else 1e-9):
            raise ValueError(f"--{name.replace('_', '-')} must be positive, got {v}")
    out = Path(a.out) if a.out else Path(tempfile.mkdtemp(prefix="ganlab-vae-dry-")) if a.dry_run else runs_dir() / "vae"
    check_writable_dir(out, "--out folder")
    data = test = None
    if a.dry_run:
        g = torch.Generator().manual_seed(a.seed)
        data = torch.randint(0, 256, (64, 28, 28), dtype=torch.uint8, generator=g)
        test = data[:32]
    else:
        from ganlab.images import load_mnist
        test, _ = load_mnist("test")
    tr = VAETrainer(cfg, data=data)
    t0 = time.perf_counter()
    tr.train(steps=4 if a.dry_run else a.steps, minutes=None if a.dry_run else a.minutes)
    dt = time.perf_counter() - t0
    metrics = tr.evaluate(test, seed=0, k=4 if a.dry_run else a.iwae_k)
    metrics.update(train_seconds=round(dt, 1), step=tr.step)
    path = tr.export(out / "vae_fp16.pt", extra=metrics)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    print(f"trained {tr.step} steps ({tr.step / tr.steps_per_epoch:.2f} epochs) in {dt:.0f} s")
    print(f"test ELBO {metrics['elbo_nats']:.2f} nats/image = {metrics['bits_per_dim']:.4f} bits per binary pixel "
          f"(reconstruction {metrics['recon_nats']:.2f}, KL {metrics['kl_nats']:.2f})")
    if "iwae_nats" in metrics:
        print(f"IWAE bound, k={metrics['iwae_k']}, first {metrics['iwae_n']} test images: {metrics['iwae_nats']:.2f} "
              f"nats (their ELBO {metrics['elbo_nats_iwae_subset']:.2f})")
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) and {out / 'metrics.json'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m ganlab vae", description="the small MNIST VAE of notebook 05")
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train and write DIR/vae_fp16.pt and DIR/metrics.json")
    g = t.add_mutually_exclusive_group()
    g.add_argument("--steps", type=int, help="training steps (exact: same seed, same weights on CPU)")
    g.add_argument("--minutes", type=float, help="wall-clock budget in minutes")
    t.add_argument("--seed", type=int, default=0, help="seeds weights, batches, binarisation, noise (default 0)")
    t.add_argument("--nz", type=int, default=16, help="latent dimensions (default 16)")
    t.add_argument("--width", type=int, default=16, help="channels of the first conv layer (default 16)")
    t.add_argument("--iwae-k", type=int, default=100, help="samples of the importance-weighted bound (0: skip)")
    t.add_argument("--out", help="output folder (default: the runs folder's vae/, $GANLAB_RUNS if set)")
    t.add_argument("--dry-run", action="store_true", help="a few steps on tiny fake data")
    return p


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    try:
        return _train(a)
    except (ValueError, OSError) as e:
        print(f"ganlab: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
