"""Quality over training time: fp16 generator snapshots of a run, scored step by step.

A training run (``python -m ganlab dcgan train --snapshot-every 250 ...``) writes a small fp16 generator
export at each checkpoint and every ``--snapshot-every`` steps into ``RUN/snapshots/g_step0001234.pt``
(:func:`snapshot_path`). :func:`quality_curve` scores each one with the course classifier (classifier FID
against a reference set, Inception-style score, class-histogram KL to uniform), all on the same number of
samples from the same noise seed, so the numbers form one curve::

    from ganlab.images import get_classifier, load_mnist, quality_curve, list_snapshots
    curve = quality_curve(list_snapshots("runs/dcgan"), get_classifier(), load_mnist("test")[0], n=2000)
    curve["step"], curve["fid"], curve["inception"]

``python -m ganlab dcgan curve RUN --out curve.json`` does the same from the command line.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ganlab.images.metrics import fid_to_features, class_histogram, inception_score, kl_to_uniform
from ganlab.images.sampling import load_generator, sample

SNAPSHOT_DIR = "snapshots"
_NAME = re.compile(r"^g_step(\d{7,})\.pt$")


def snapshot_path(run_dir, step: int) -> Path:
    """Where the snapshot of ``step`` lives in a run folder: ``RUN/snapshots/g_step0001234.pt``."""
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        raise ValueError(f"step must be a non-negative integer, got {step!r}")
    return Path(run_dir) / SNAPSHOT_DIR / f"g_step{step:07d}.pt"


def list_snapshots(run_dir) -> list[tuple[int, Path]]:
    """``(step, path)`` of every snapshot in ``run_dir/snapshots``, by step; an error if there is none."""
    folder = Path(run_dir) / SNAPSHOT_DIR
    found = sorted((int(m.group(1)), p) for p in folder.glob("g_step*.pt") if (m := _NAME.match(p.name)))
    if not found:
        raise FileNotFoundError(f"no generator snapshots in {folder}: train with "
                                "python -m ganlab dcgan train --snapshot-every STEPS --out RUN")
    return found


def quality_curve(snapshots, classifier, reference_images, n: int = 2000, seed: int = 1,
                  device=None) -> dict:
    """Score each ``(step, path)`` snapshot on ``n`` samples drawn with noise seed ``seed``.

    Returns lists under ``step``, ``fid`` (classifier FID to ``reference_images``), ``inception``
    (1..10) and ``kl`` (class histogram to uniform, nats), plus ``n`` and ``seed``. The reference's
    features are computed once."""
    from ganlab.images.classifier import classifier_features

    if not isinstance(n, int) or isinstance(n, bool) or n < 2:
        raise ValueError(f"n must be an integer of at least 2 (FID fits a Gaussian), got {n!r}")
    snapshots = list(snapshots)
    if not snapshots:
        raise ValueError("no snapshots to score")
    ref = classifier_features(classifier, reference_images)
    out: dict = {"n": n, "seed": seed, "step": [], "fid": [], "inception": [], "kl": []}
    for step, path in snapshots:
        x = sample(load_generator(path, device=device), n, seed=seed)
        out["step"].append(int(step))
        out["fid"].append(fid_to_features(x, ref, classifier))
        out["inception"].append(inception_score(x, classifier))
        out["kl"].append(kl_to_uniform(class_histogram(x, classifier)))
    return out


def curve_arrays(curve: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(step, fid, inception)`` of a :func:`quality_curve` result (or its JSON) as float arrays."""
    for key in ("step", "fid", "inception"):
        if key not in curve:
            raise ValueError(f"not a quality curve: no {key!r} (make one with quality_curve)")
    return tuple(np.asarray(curve[k], dtype=np.float64) for k in ("step", "fid", "inception"))

