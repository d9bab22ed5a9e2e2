"""Judging un-cropped digits: sharp, varied, plausible, continuous.

All take uint8 completed images (top given, bottom filled; :func:`ganlab.images.uncrop.complete`).

* sharpness: :func:`fill_grey_fraction`, notebook 06's mid-grey share (:func:`~ganlab.images.cond_metrics.grey_fraction`)
  measured on the filled half only;
* diversity: :func:`pairwise_diversity`, the mean absolute pixel difference between two completions of the same
  top half, averaged over all pairs of k completions (grey levels of 255; exactly 0 for a deterministic model);
* plausibility: :func:`label_agreement`, how often the project classifier reads the completed digit as the
  digit it was cut from, and its mean probability for that label;
* continuity: :func:`seam_jump`, the mean absolute difference between the last given row and the first
  generated one (a real digit's own jump between those rows is the reference).
"""

from __future__ import annotations

import itertools

import numpy as np
import torch

from ganlab.images.classifier import classifier_logits
from ganlab.images.cond_metrics import grey_fraction
from ganlab.images.uncrop import HALF, completions


def _u8(images: torch.Tensor, dims: int) -> torch.Tensor:
    if not isinstance(images, torch.Tensor) or images.dtype != torch.uint8 or images.dim() != dims:
        raise ValueError(f"expected uint8 images with {dims} dimensions, got "
                         f"{getattr(images, 'dtype', type(images))} {tuple(getattr(images, 'shape', ()))}")
    return images


def fill_grey_fraction(images: torch.Tensor) -> float:
    """Share of inked pixels of the *filled* half (rows 14..27) that are mid-grey: blur (lower is sharper)."""
    return grey_fraction(_u8(images, 3)[:, HALF:])


def pairwise_diversity(fills: torch.Tensor) -> float:
    """Mean |a - b| over the filled half, over every pair of the k completions (k, N, 28, 28) of N tops,
    in grey levels 0..255. 0 when all k completions are equal."""
    k = len(_u8(fills, 4))
    if k < 2:
        raise ValueError(f"diversity needs at least 2 completions per top half, got {k}")
    x = fills[:, :, HALF:].float()  # (k, N, 14, 28)
    return float(np.mean([(x[i] - x[j]).abs().mean() for i, j in itertools.combinations(range(k), 2)]))


def label_agreement(classifier, images: torch.Tensor, labels: torch.Tensor) -> dict:
    """``{"accuracy": share read as its label, "confidence": mean softmax probability of its label}``."""
    probs = torch.softmax(classifier_logits(classifier, _u8(images, 3)), dim=1)  # (N, 10)
    labels = labels.long().cpu()
    return {"accuracy": float((probs.argmax(1) == labels).float().mean()),
            "confidence": float(probs[torch.arange(len(labels)), labels].mean())}


def seam_jump(images: torch.Tensor) -> float:
    """Mean |row 13 - row 14| (last given row against first filled row), grey levels 0..255."""
    x = _u8(images, 3).float()
    return float((x[:, HALF] - x[:, HALF - 1]).abs().mean())


def uncrop_scores(model, classifier, images: torch.Tensor, labels: torch.Tensor, seeds=(0, 1, 2, 3)) -> dict:
    """Every measure of a model on ``images`` (uint8 (N, 28, 28)) for each noise seed.

    Returns lists, one entry per seed (``sharpness``, ``accuracy``, ``confidence``, ``seam``) or per pair
    of seeds (``diversity``), and the completions themselves (``fills``, (k, N, 28, 28))."""
    seeds = list(seeds)
    fills = completions(model, images, seeds)  # (k, N, 28, 28)
    agree = [label_agreement(classifier, f, labels) for f in fills]
    return {"sharpness": [fill_grey_fraction(f) for f in fills],
            "accuracy": [a["accuracy"] for a in agree], "confidence": [a["confidence"] for a in agree],
            "seam": [seam_jump(f) for f in fills],
            "diversity": [pairwise_diversity(fills[[i, j]]) for i, j in itertools.combinations(range(len(seeds)), 2)]
            if len(seeds) > 1 else [],
            "fills": fills}


def real_scores(classifier, images: torch.Tensor, labels: torch.Tensor) -> dict:
    """The same measures for the real digits themselves (one value each; diversity is not defined)."""
    agree = label_agreement(classifier, images, labels)
    return {"sharpness": [fill_grey_fraction(images)], "accuracy": [agree["accuracy"]],
            "confidence": [agree["confidence"]], "seam": [seam_jump(images)], "diversity": []}


def format_scores(rows: dict) -> str:
    """A table, one row per model: mean and (min–max) over seeds of every measure; diversity and seam jump in grey
    levels of 255."""
    cols = [("sharpness", "mid-grey share", "{:.3f}"), ("diversity", "diversity", "{:.1f}"),
            ("accuracy", "classifier agrees", "{:.1%}"), ("confidence", "p(true label)", "{:.3f}"),
            ("seam", "seam jump", "{:.1f}")]
    w, cw = max(len(n) for n in rows) + 1, 21
    lines = [f"{'':<{w}}" + "".join(f"{title:>{cw}}" for _, title, _ in cols)]
    for name, sc in rows.items():
        cells = []
        for key, _, fmt in cols:
            v = sc.get(key) or []
            if not v:
                text = "-"
            elif min(v) == max(v):
                text = fmt.format(float(np.mean(v)))
            else:
                text = f"{fmt.format(float(np.mean(v)))} ({fmt.format(min(v))}–{fmt.format(max(v))})"
            cells.append(f"{text:>{cw}}")
        lines.append(f"{name:<{w}}" + "".join(cells))
    return "\n".join(lines)
