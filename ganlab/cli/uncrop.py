"""``python -m ganlab uncrop train``: train notebook 06's two MNIST un-croppers (top half given, bottom drawn).

Writes into ``--out``: ``uncrop_regressor_fp16.pt`` (the MSE regressor), ``uncrop_cgan_fp16.pt`` (the
pix2pix-style cGAN's generator) and ``uncrop_history.json`` (losses, steps, seconds). Both are seeded: the same
flags give the same weights on the CPU (``--steps``; ``--minutes`` stops on the clock, so the step count varies).

Examples::

    python -m ganlab uncrop train --steps 12000 --reg-steps 6000 --out runs/uncrop    # what checkpoints/ ships
    python -m ganlab uncrop train --minutes 5 --out runs/uncrop
    python -m ganlab uncrop train --dry-run                                         # seconds, tiny fake data (CI)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import torch

from ganlab.cli import Parser

DRY_RUN_STEPS = 4


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m ganlab uncrop", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train the regressor and the cGAN; write their fp16 weights")
    t.prog = "python -m ganlab uncrop train"
    t.error = p.error
    budget = t.add_mutually_exclusive_group()
    budget.add_argument("--steps", type=int, help="cGAN steps (default 12000; reproducible)")
    budget.add_argument("--minutes", type=float, help="cGAN training minutes instead of --steps")
    t.add_argument("--reg-steps", type=int, default=6000, help="regressor steps (default 6000)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--l1", type=float, default=None, help="λ, weight of the L1 term (default: UncropGANConfig's)")
    t.add_argument("--best-of", type=int, default=None, help="k: L1 on the closest of k samples (default: config's)")
    t.add_argument("--diversity", type=float, default=None, help="μ, diversity-sensitive weight (default: config's)")
    t.add_argument("--threads", type=int, default=1, help="CPU threads (default 1: these nets are small)")
    t.add_argument("--out", type=Path, help="output folder (default runs/uncrop)")
    t.add_argument("--dry-run", action="store_true", help="tiny nets on fake data, a few steps: checks the plumbing")
    return p


def _train(a: argparse.Namespace) -> int:
    from ganlab.core import check_writable_dir, runs_dir
    from ganlab.images.uncrop import CompleterConfig, save_uncropper
    from ganlab.images.uncrop_trainer import RegressorConfig, UncropGANConfig, UncropGANTrainer, fit_uncrop_regressor

    overrides = {k: v for k, v in (("l1", a.l1), ("best_of", a.best_of), ("diversity", a.diversity), ("seed", a.seed))
                 if v is not None}
    if a.dry_run:
        overrides.update(net=CompleterConfig(nz=4, width=16, depth=1), ndf=4, batch_size=8, log_every=1)
    gan_cfg = UncropGANConfig(**overrides)  # bad values are reported before any data loads
    reg_cfg = RegressorConfig(net=CompleterConfig(nz=0, width=16, depth=1) if a.dry_run else CompleterConfig(nz=0),
                              seed=a.seed, batch_size=8 if a.dry_run else 128, log_every=1 if a.dry_run else 100)
    if a.reg_steps < 1:
        raise ValueError(f"--reg-steps must be a positive integer, got {a.reg_steps}")
    out = a.out if a.out is not None else (Path(tempfile.mkdtemp(prefix="ganlab-dry-run-")) if a.dry_run
                                           else runs_dir() / "uncrop")
    check_writable_dir(out, "--out folder")
    if a.dry_run:
        images = torch.randint(0, 256, (64, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(a.seed))
        gan_kw, reg_steps = {"steps": DRY_RUN_STEPS}, DRY_RUN_STEPS
    else:
        from ganlab.images.mnist import load_mnist
        images = load_mnist("train")[0]
        gan_kw = {"minutes": a.minutes} if a.minutes is not None else {"steps": a.steps or 12000}
        reg_steps = a.reg_steps
    t0 = time.perf_counter()
    reg, reg_hist = fit_uncrop_regressor(images, reg_cfg, steps=reg_steps, threads=a.threads)
    save_uncropper(reg, out / "uncrop_regressor_fp16.pt", "regressor", reg.step)
    print(f"regressor: {reg.step} steps in {time.perf_counter() - t0:.0f} s, last MSE " + (f"{reg_hist['loss'][-1]:.4f}" if reg_hist["loss"] else "(none recorded)"))
    tr = UncropGANTrainer(gan_cfg, images)
    t1 = time.perf_counter()
    tr.train(threads=a.threads, **gan_kw)
    save_uncropper(tr.G, out / "uncrop_cgan_fp16.pt", "cgan", tr.step_count)
    h = tr.history
    print(f"cGAN: {tr.step_count} steps in {time.perf_counter() - t1:.0f} s" + (
        f"; last loss_D {h['loss_D'][-1]:.3f}, adversarial {h['adv'][-1]:.3f}, L1 {h['l1'][-1]:.3f}" if h["loss_D"] else ""))
    (out / "uncrop_history.json").write_text(json.dumps(
        {"regressor": {**reg_hist, "config": asdict(reg_cfg)},
         "cgan": {**h, "seconds": tr.seconds, "config": gan_cfg.to_dict()}}, indent=1) + "\n")
    print(f"wrote {out / 'uncrop_regressor_fp16.pt'}, {out / 'uncrop_cgan_fp16.pt'} and {out / 'uncrop_history.json'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    try:
        if a.threads < 1:
            raise ValueError(f"--threads must be a positive integer, got {a.threads}")
        return _train(a)
    except (ValueError, FileNotFoundError, PermissionError) as exc:
        print(f"ganlab: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
