"""The conditional half of ``python -m ganlab dcgan``: ``train --conditional`` and ``sample --label``.

:mod:`ganlab.dcgan_cli` parses the arguments and hands conditional runs to :func:`train` and
:func:`sample` here. Examples::

    python -m ganlab dcgan train --conditional --minutes 5 --out runs/cgan
    python -m ganlab dcgan sample --checkpoint runs/cgan/last.pt --label 3 --n 64 --out threes.npy
    python -m ganlab dcgan sample --checkpoint runs/cgan/last.pt --n 1000 --out all.npy  # digits in turn

``train`` writes ``DIR/last.pt`` (full state, resumable), ``DIR/generator_fp16.pt`` (G only, fp16,
about 0.5 MB: what the notebook loads), the digit × seed grids and ``history.json``. ``sample``
writes the images and, beside them, ``<out>.labels.npy`` with the requested labels.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

DRY_RUN_STEPS = 6


def checkpoint_is_conditional(path) -> bool:
    """True when ``path`` exists and is a conditional checkpoint (False when absent or unreadable)."""
    from ganlab.cgan_trainer import is_conditional_checkpoint
    try:
        return is_conditional_checkpoint(path)
    except (FileNotFoundError, OSError, RuntimeError, AttributeError):
        return False


def train(a: argparse.Namespace) -> int:
    """``dcgan train --conditional``: same options and outputs as the DCGAN, plus the fp16 G export."""
    from ganlab import checkpoint as ckpt
    from ganlab.cgan import CGANConfig
    from ganlab.cgan_trainer import CGANTrainer
    from ganlab.dcgan_cli import _save_png

    out = Path(a.out)
    last = out / "last.pt"
    data = labels = None
    overrides = {k: v for k, v in (("batch_size", a.batch_size), ("ngf", a.ngf), ("ndf", a.ndf),
                                   ("amp", a.amp)) if v is not None}
    if a.dry_run:  # tiny model on 256 random labelled "images": checks the plumbing in seconds
        g = torch.Generator().manual_seed(a.seed)
        data = torch.randint(0, 256, (256, 28, 28), dtype=torch.uint8, generator=g)
        labels = torch.randint(0, 10, (256,), generator=g)
        overrides = {"nz": 8, "ngf": 4, "ndf": 4, "batch_size": 32, "log_every": 2, **overrides}
    if last.is_file() and not a.fresh and not a.dry_run:
        if not checkpoint_is_conditional(last):
            raise ValueError(f"{last} is an unconditional DCGAN checkpoint: use another --out or --fresh")
        tr = CGANTrainer.load(last, device=a.device, data=data, labels=labels, compile=a.compile)
        print(f"resuming {last} at step {tr.step} (epoch {tr.step / tr.steps_per_epoch:.2f}); "
              "pass --fresh to start over")
    else:
        tr = CGANTrainer(CGANConfig(seed=a.seed, **overrides), device=a.device, data=data, labels=labels,
                         compile=a.compile)
    print(f"conditional GAN: device {tr.device}, bf16 autocast {'on' if tr.bf16 else 'off'}, "
          f"batch {tr.config.batch_size}, {tr.steps_per_epoch} steps per epoch")

    last_save = [time.perf_counter()]

    def every_record(trainer, rec):  # periodic checkpoint + grid, so a kill loses little
        if time.perf_counter() - last_save[0] >= a.save_every:
            trainer.save(last)
            _save_png(trainer.fixed_grid(), out / "grid_last.png")
            last_save[0] = time.perf_counter()

    kw = {"steps": DRY_RUN_STEPS} if a.dry_run else {"epochs": a.epochs, "minutes": a.minutes}
    if not a.dry_run and a.epochs is None and a.minutes is None:
        kw["epochs"] = 1
    t0 = time.perf_counter()
    tr.train(callback=every_record, progress=not a.no_progress, **kw)
    dt = time.perf_counter() - t0
    tr.save(last)
    export = tr.export_generator(out / "generator_fp16.pt")
    grid_path = out / f"grid_step{tr.step:07d}.png"
    _save_png(tr.fixed_grid(), grid_path)
    _save_png(tr.fixed_grid(), out / "grid_last.png")
    (out / "history.json").write_text(json.dumps(tr.history))
    h = tr.history
    print(f"trained to step {tr.step} (epoch {tr.step / tr.steps_per_epoch:.2f}) in {dt:.1f} s; "
          f"last: loss_D {h['loss_D'][-1]:.3f} loss_G {h['loss_G'][-1]:.3f} D(x) {h['D_x'][-1]:.2f} "
          f"D(G(z)) {h['D_G_z'][-1]:.2f}, {h['images_per_s'][-1]:.0f} images/s")
    print(f"wrote {last}, {export} ({export.stat().st_size / 1e6:.2f} MB), {grid_path}, {out / 'history.json'}")
    ckpt.load(last)  # proves the file loads with the safe loader
    return 0


def sample(a: argparse.Namespace) -> int:
    """``dcgan sample`` from a conditional checkpoint: ``--label K`` for one digit, else all in turn."""
    from ganlab.cgan_trainer import load_cond_generator, sample as draw

    G = load_cond_generator(a.checkpoint, device=a.device)
    label = getattr(a, "label", None)
    if label is not None and not 0 <= label < G.n_classes:
        raise ValueError(f"--label must be in 0..{G.n_classes - 1}, got {label}")
    labels = (torch.full((a.n,), label, dtype=torch.long) if label is not None
              else torch.arange(a.n) % G.n_classes)
    arr = draw(G, a.n, seed=a.seed, labels=labels).numpy()
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.save(out, arr)
    lab_path = out.with_name(out.stem + ".labels.npy")
    np.save(lab_path, labels.numpy())
    what = f"digit {label}" if label is not None else f"digits 0..{G.n_classes - 1} in turn"
    print(f"wrote {out}: {arr.shape} {arr.dtype} ({what}); labels in {lab_path}")
    return 0
