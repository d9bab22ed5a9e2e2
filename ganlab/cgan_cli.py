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
from pathlib import Path

import numpy as np
import torch



def checkpoint_is_conditional(path) -> bool:
    """True when ``path`` exists and is a conditional checkpoint (False when absent or unreadable)."""
    from ganlab.cgan_trainer import is_conditional_checkpoint
    try:
        return is_conditional_checkpoint(path)
    except (FileNotFoundError, OSError, RuntimeError, AttributeError):
        return False


def train(a: argparse.Namespace) -> int:
    """``dcgan train --conditional``: same options and outputs as the DCGAN, plus the fp16 G export."""
    from ganlab.cgan import CGANConfig
    from ganlab.cgan_trainer import CGANTrainer
    from ganlab.dcgan_cli import train_and_report

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

    train_and_report(tr, a, out, last)
    export = tr.export_generator(out / "generator_fp16.pt")
    print(f"wrote {export} ({export.stat().st_size / 1e6:.2f} MB, fp16 generator for lectures)")
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
