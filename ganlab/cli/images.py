"""Command line for the MNIST DCGAN: ``python -m ganlab dcgan {train,sample,eval}``.

Examples::

    python -m ganlab dcgan train --minutes 5 --out runs/dcgan      # last.pt, grids, history.json
    python -m ganlab dcgan train --epochs 2 --out runs/dcgan      # continues from runs/dcgan/last.pt
    python -m ganlab dcgan sample --checkpoint runs/dcgan/last.pt --n 10000 --out samples.npy
    python -m ganlab dcgan eval samples.npy                       # FID, class histogram, neighbours
    python -m ganlab dcgan train --dry-run                        # seconds, tiny fake data (CI)
    python -m ganlab dcgan train --steps 7601 --snapshot-every 250 --out runs/dcgan-curve   # fp16 G every 250 steps
    python -m ganlab dcgan curve runs/dcgan-curve --n 2000 --out curve.json   # FID and IS per snapshot
    python -m ganlab dcgan train --conditional --minutes 5 --out runs/cgan   # digit-conditional GAN
    python -m ganlab dcgan sample --checkpoint runs/cgan/last.pt --label 3 --n 64 --out threes.npy
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from ganlab.cli import Parser

DRY_RUN_STEPS = 6


ARCH_FLAGS = (("batch_size", "--batch-size"), ("ngf", "--ngf"), ("ndf", "--ndf"), ("amp", "--amp"), ("seed", "--seed"),
              ("augment", "--augment"), ("d_dropout", "--d-dropout"), ("train_images", "--train-images"))
DRY_RUN_MARK = "DRY_RUN"  # a file beside a --dry-run checkpoint, so a real run never resumes the toy model


def _trainer(a: argparse.Namespace, last: Path):
    """A fresh trainer as the flags say, or the one in ``last`` to resume; plain or conditional by
    ``--conditional`` (a resumed checkpoint must be the same kind, and the flags must match it)."""
    from ganlab.images import CGANConfig, CGANTrainer, DCGANConfig, DCGANTrainer, is_conditional_checkpoint

    cls, cfg_cls = (CGANTrainer, CGANConfig) if a.conditional else (DCGANTrainer, DCGANConfig)
    extra = {}
    overrides = {k: getattr(a, k) for k, _ in ARCH_FLAGS if getattr(a, k) is not None}
    overrides.update({k: v for k, v in (("lr_g", a.lr_g), ("lr_d", a.lr_d)) if v is not None})
    cfg_cls(**overrides)  # bad flag values are reported as such, before anything is loaded or drawn
    if a.dry_run:  # tiny model on 256 random (labelled) "images": checks the plumbing in seconds
        g = torch.Generator().manual_seed(a.seed or 0)
        extra["data"] = torch.randint(0, 256, (256, 28, 28), dtype=torch.uint8, generator=g)
        if a.conditional:
            extra["labels"] = torch.randint(0, 10, (256,), generator=g)
        overrides = {"nz": 8, "ngf": 4, "ndf": 4, "batch_size": 32, "log_every": 2, **overrides}
    if last.is_file() and not a.fresh and not a.dry_run:
        if (last.parent / DRY_RUN_MARK).exists():
            raise ValueError(f"{last} was written by --dry-run (a tiny model on fake data): use another --out, "
                             "or --fresh to replace it")
        if is_conditional_checkpoint(last) != a.conditional:
            kind = "a conditional" if not a.conditional else "an unconditional DCGAN"
            raise ValueError(f"{last} is {kind} checkpoint: use another --out or --fresh"
                             + ("" if a.conditional else ", or add --conditional"))
        tr = cls.load(last, device=a.device, compile=a.compile, **extra)
        for key, flag in ARCH_FLAGS:
            given, saved = getattr(a, key), getattr(tr.config, key)
            if given is not None and given != saved:
                raise ValueError(f"{flag} {given} differs from the checkpoint's {key}={saved}: resuming keeps the "
                                 f"checkpoint's settings (pass --fresh to start over with new ones, or another --out)")
        for key, opt in (("lr_g", tr.opt_G), ("lr_d", tr.opt_D)):  # learning rates may change on resume
            if getattr(a, key) is not None:
                setattr(tr.config, key, getattr(a, key))
                for group in opt.param_groups:
                    group["lr"] = getattr(a, key)
        print(f"resuming {last} at step {tr.step} (epoch {tr.step / tr.steps_per_epoch:.2f}); "
              "pass --fresh to start over")
        return tr
    return cls(cfg_cls(**overrides), device=a.device, compile=a.compile, **extra)


FIRST_SAVE_S = 10.0  # the first checkpoint comes this soon (or at --save-every if that is shorter)


def _train(a: argparse.Namespace) -> int:
    from ganlab.core import TrainingDiverged, check_writable_dir, load_checkpoint, runs_dir, save_png
    from ganlab.images.snapshots import snapshot_path

    if not (math.isfinite(a.save_every) and a.save_every > 0):
        raise ValueError(f"--save-every must be a number of seconds > 0, got {a.save_every}")
    if a.snapshot_every < 0:
        raise ValueError(f"--snapshot-every must be a number of steps >= 0 (0: only at checkpoints), got {a.snapshot_every}")
    if a.out is None:  # a dry run never writes into the real run folder
        out = Path(tempfile.mkdtemp(prefix="ganlab-dry-run-")) if a.dry_run else \
            runs_dir() / ("cgan" if a.conditional else "dcgan")
    else:
        out = Path(a.out)
    check_writable_dir(out, "--out folder")  # before the data loads and the training starts
    last = out / "last.pt"
    if a.dry_run and last.exists():
        raise ValueError(f"--dry-run would overwrite {last} with a tiny fake-data model: "
                         "give an empty --out folder (or none: a temporary one is used)")
    tr = _trainer(a, last)
    if a.dry_run:
        (out / DRY_RUN_MARK).write_text("written by: python -m ganlab dcgan train --dry-run (fake data)\n")
    elif a.fresh:
        (out / DRY_RUN_MARK).unlink(missing_ok=True)
    print(f"{'conditional GAN' if a.conditional else 'DCGAN'}: device {tr.device}, bf16 autocast "
          f"{'on' if tr.bf16 else 'off'}, batch {tr.config.batch_size}, {tr.steps_per_epoch} steps per epoch")
    next_save = [time.perf_counter() + min(FIRST_SAVE_S, a.save_every)]
    last_snapshot = [tr.step]  # a snapshot is due at the first record past each multiple of --snapshot-every

    def every_record(trainer, rec):  # periodic checkpoint + progress grids, so a kill loses little
        if time.perf_counter() >= next_save[0]:
            trainer.save(last)
            grid = trainer.fixed_grid()
            save_png(grid, out / "grid_last.png")
            save_png(grid, out / f"grid_step{trainer.step:07d}.png")  # the same fixed noise, step by step
            next_save[0] = time.perf_counter() + a.save_every
            trainer.export_generator(snapshot_path(out, trainer.step))  # fp16 G, for the quality curve
            last_snapshot[0] = trainer.step
        elif a.snapshot_every and trainer.step // a.snapshot_every > last_snapshot[0] // a.snapshot_every:
            trainer.export_generator(snapshot_path(out, trainer.step))
            last_snapshot[0] = trainer.step

    kw = {"steps": DRY_RUN_STEPS} if a.dry_run else {"epochs": a.epochs, "minutes": a.minutes, "steps": a.steps}
    if not a.dry_run and a.epochs is None and a.minutes is None and a.steps is None:
        kw["epochs"] = 1
    t0 = time.perf_counter()
    try:
        tr.train(callback=every_record, progress=not a.no_progress, **kw)
    except TrainingDiverged as exc:
        tr.save(last)  # the trainer rolled back: keep that last good state
        print(f"ganlab: error: {exc} Saved that good state (step {tr.step}) to {last}: resume it with lower "
              "--lr-g / --lr-d, or start over with --fresh --amp off.", file=sys.stderr)
        return 1
    dt = time.perf_counter() - t0
    tr.save(last)
    grid_path = out / f"grid_step{tr.step:07d}.png"
    save_png(tr.fixed_grid(), grid_path)
    save_png(tr.fixed_grid(), out / "grid_last.png")
    (out / "history.json").write_text(json.dumps(tr.history))
    h = tr.history
    ips = h["images_per_s"][-1] if h["images_per_s"] else float("nan")
    print(f"trained to step {tr.step} (epoch {tr.step / tr.steps_per_epoch:.2f}) in {dt:.1f} s; "
          f"last: loss_D {h['loss_D'][-1]:.3f} loss_G {h['loss_G'][-1]:.3f} D(x) {h['D_x'][-1]:.2f} "
          f"D(G(z)) {h['D_G_z'][-1]:.2f}, {ips:.0f} images/s")
    print(f"wrote {last}, {grid_path}, {out / 'history.json'}")
    load_checkpoint(last)  # proves the file loads with the safe loader
    export = tr.export_generator(out / "generator_fp16.pt")
    tr.export_generator(snapshot_path(out, tr.step))
    print(f"wrote {export} ({export.stat().st_size / 1e6:.2f} MB, fp16 generator for lectures)")
    return 0


def _curve(a: argparse.Namespace) -> int:
    from ganlab.core import check_output_file
    from ganlab.images import get_classifier, load_mnist, real_vs_real_baseline
    from ganlab.images.snapshots import list_snapshots, quality_curve

    out = check_output_file(a.out or Path(a.run) / "quality_curve.json", (".json",), "--out")
    if a.n < 2:
        raise ValueError(f"--n must be at least 2, got {a.n}")
    snaps = list_snapshots(a.run)
    clf = get_classifier(device=a.device)
    test, _ = load_mnist("test")
    curve = quality_curve(snaps, clf, test, n=a.n, seed=a.seed, device=a.device)
    curve["real_vs_real_fid"] = real_vs_real_baseline(test, clf, n=a.n)
    curve["reference"] = "MNIST test set (10,000)"
    for step, f, s in zip(curve["step"], curve["fid"], curve["inception"]):
        print(f"step {step:7d}  FID {f:7.2f}  IS {s:5.2f}")
    print(f"real vs real at n={a.n}: FID {curve['real_vs_real_fid']:.2f}")
    out.write_text(json.dumps(curve, indent=1))
    print(f"wrote {out}")
    return 0


def _sample(a: argparse.Namespace) -> int:
    from ganlab.core import check_output_file
    from ganlab.images import load_generator, sample, sample_labels

    out = check_output_file(a.out, (".npy",), "--out")  # np.save would add .npy to any other name
    if not 0 <= a.seed <= 2**32 - 1:
        raise ValueError(f"--seed must be an integer in 0..4294967295, got {a.seed}")
    G = load_generator(a.checkpoint, device=a.device)
    if a.label is not None and not G.n_classes:
        raise ValueError(f"--label needs a conditional checkpoint; {a.checkpoint} is not one")
    if a.label is not None and not 0 <= a.label < G.n_classes:
        raise ValueError(f"--label must be in 0..{G.n_classes - 1}, got {a.label}")
    labels = sample_labels(G, a.n, a.label)
    arr = sample(G, a.n, seed=a.seed, labels=labels).numpy()
    np.save(out, arr)
    if labels is None:
        print(f"wrote {out}: {arr.shape} {arr.dtype}")
        return 0
    lab_path = out.with_name(out.stem + ".labels.npy")
    np.save(lab_path, labels.numpy())
    what = f"digit {a.label}" if a.label is not None else f"digits 0..{G.n_classes - 1} in turn"
    print(f"wrote {out}: {arr.shape} {arr.dtype} ({what}); labels in {lab_path}")
    return 0


def _eval(a: argparse.Namespace) -> int:
    from ganlab.images import (class_histogram, classifier_fid, get_classifier, kl_to_uniform, load_mnist,
                               nearest_neighbours, real_vs_real_baseline)

    from ganlab.core import check_output_file

    if a.nn < 1:
        raise ValueError(f"--nn must be at least 1 (samples to look up), got {a.nn}")
    if a.json:
        check_output_file(a.json, (".json",), "--json")  # before the evaluation, not after it
    path = Path(a.samples)
    if not path.is_file():
        raise FileNotFoundError(f"no samples file at {path}")
    try:
        arr = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise ValueError(f"cannot read {path} as a .npy array ({exc}); write it with: python -m ganlab dcgan sample") from None
    if not isinstance(arr, np.ndarray):
        raise ValueError(f"{path} holds several arrays (.npz); give one .npy file of uint8 N×28×28 samples")
    if arr.dtype != np.uint8 or arr.ndim != 3 or tuple(arr.shape[1:]) != (28, 28):
        raise ValueError(f"{path}: expected uint8 N×28×28, got {arr.dtype} {tuple(arr.shape)}")
    if len(arr) < 2:
        raise ValueError(f"{path} has {len(arr)} sample(s): FID and the histogram need at least 2")
    samples = torch.from_numpy(arr)
    clf = get_classifier(device=a.device)
    test, _ = load_mnist("test")
    train, _ = load_mnist("train")
    fid = classifier_fid(samples, test, clf)
    base = real_vs_real_baseline(test, clf, n=len(samples), pool=train)
    hist = class_histogram(samples, clf)
    kl = kl_to_uniform(hist)
    n_nn = min(a.nn, len(samples))
    _, dist = nearest_neighbours(samples[:n_nn], train, k=1)
    _, base_dist = nearest_neighbours(test[:n_nn], train, k=1)
    d, bd = dist[:, 0].float(), base_dist[:, 0].float()
    res = {
        "n_samples": len(samples), "classifier_fid": fid, "real_vs_real_fid": base,
        "class_histogram": [round(float(x), 4) for x in hist], "kl_to_uniform": kl,
        "nn_distance_median": float(d.median()), "nn_distance_min": float(d.min()),
        "test_nn_distance_median": float(bd.median()), "n_nn": n_nn,
    }
    print(f"classifier FID vs test set: {fid:.3f}   (real vs real, same n: {base:.3f})")
    print("class histogram: " + " ".join(f"{i}:{p:.3f}" for i, p in enumerate(hist)))
    print(f"KL(histogram || uniform): {kl:.4f} nats (0 = every digit equally often)")
    print(f"nearest training image (L2 pixels, {n_nn} samples): median {res['nn_distance_median']:.2f}, "
          f"min {res['nn_distance_min']:.2f}; test images to train: median {res['test_nn_distance_median']:.2f}")
    print("(samples much closer to training images than test images are would suggest memorising)")
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m ganlab dcgan", description="MNIST DCGAN: train, sample, evaluate")
    sub = p.add_subparsers(dest="cmd", required=True)

    t = sub.add_parser("train", help="train (or continue training) and write DIR/last.pt, grids, history.json")
    g = t.add_mutually_exclusive_group()
    g.add_argument("--epochs", type=float, help="epochs to train (default 1 if --minutes is not given)")
    g.add_argument("--minutes", type=float, help="wall-clock budget in minutes")
    g.add_argument("--steps", type=int, help="training steps (exact: the same seed gives the same weights on CPU)")
    t.add_argument("--device", help="auto (GPU when present), cpu or cuda; default $GANLAB_DEVICE or auto")
    t.add_argument("--seed", type=int, help="seeds weights, batch order and noise (default 0; fixed on resume)")
    t.add_argument("--out", help="output folder (default: runs/dcgan, or runs/cgan with --conditional, "
                   "in the repository; $GANLAB_RUNS overrides)")
    t.add_argument("--batch-size", type=int)
    t.add_argument("--ngf", type=int, help="generator width")
    t.add_argument("--ndf", type=int, help="discriminator width")
    t.add_argument("--amp", choices=["auto", "bf16", "off"])
    t.add_argument("--augment", help="DiffAugment on real and fake: '', 'translation', 'cutout' or 'translation,cutout'")
    t.add_argument("--d-dropout", type=float, help="dropout probability in D, in [0, 1) (default 0)")
    t.add_argument("--train-images", type=int, help="train on the first N training images only (default 0: all)")
    t.add_argument("--lr-g", type=float, help="generator learning rate (default 1e-3); may change on resume")
    t.add_argument("--lr-d", type=float, help="discriminator learning rate (default 1e-3); may change on resume")
    t.add_argument("--compile", action="store_true", help="torch.compile G and D (CUDA)")
    t.add_argument("--fresh", action="store_true", help="ignore an existing DIR/last.pt")
    t.add_argument("--save-every", type=float, default=60.0,
                   help="seconds between checkpoints (default 60; the first comes after at most 10 s)")
    t.add_argument("--snapshot-every", type=int, default=0,
                   help="also write an fp16 generator to DIR/snapshots every this many steps (a multiple of "
                   "log_every, 50; default 0: only at checkpoints); python -m ganlab dcgan curve scores them")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    t.add_argument("--dry-run", action="store_true", help="a few steps of a tiny model on fake data")
    t.add_argument("--conditional", action="store_true",
                   help="train the label-conditional GAN (projection discriminator) instead")

    s = sub.add_parser("sample", help="draw samples from a checkpoint into a .npy file (uint8 N×28×28)")
    s.add_argument("--checkpoint", required=True)
    s.add_argument("--n", type=int, default=10000)
    s.add_argument("--out", default="samples.npy", help="a .npy file (default samples.npy)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--device", help="default $GANLAB_DEVICE or auto")
    s.add_argument("--label", type=int, help="conditional checkpoints: the digit to draw (default: all in turn)")

    c = sub.add_parser("curve", help="classifier FID, Inception-style score and class KL of every snapshot of a run")
    c.add_argument("run", help="a run folder with snapshots/ (train with --snapshot-every)")
    c.add_argument("--n", type=int, default=2000, help="samples per snapshot (default 2000)")
    c.add_argument("--seed", type=int, default=1, help="noise seed of the samples (default 1)")
    c.add_argument("--device", help="default $GANLAB_DEVICE or auto")
    c.add_argument("--out", help="JSON file to write (default RUN/quality_curve.json)")

    e = sub.add_parser("eval", help="classifier FID (with real-vs-real baseline), class histogram, neighbours")
    e.add_argument("samples", help=".npy file of uint8 N×28×28 samples")
    e.add_argument("--nn", type=int, default=1000, help="samples to look up nearest neighbours for")
    e.add_argument("--device", help="default $GANLAB_DEVICE or auto")
    e.add_argument("--json", help="also write the numbers to this JSON file")
    return p


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    try:
        if a.cmd == "train":
            if any(v is not None and v <= 0 for v in (a.epochs, a.minutes, a.steps)):
                raise ValueError("--epochs, --minutes and --steps must be positive")
            return _train(a)
        if a.cmd == "curve":
            return _curve(a)
        if a.cmd == "sample":
            if a.n < 1:
                raise ValueError(f"--n must be at least 1, got {a.n}")
            return _sample(a)
        return _eval(a)
    except (ValueError, OSError) as e:  # a user's mistake: one line, no traceback
        print(f"ganlab: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
