"""Judging a conditional generator: does it draw the digit it was asked for, and how well?

* :func:`label_accuracy`: the ganlab MNIST classifier reads every sample; per requested class,
  the share read as that class (a confusion matrix too).
* :func:`per_class_fid`: class-conditional FID, the classifier-feature FID of the samples of
  class k against the *test images of class k*, beside the real-vs-real baseline for class k
  (train images of class k vs test images of class k, same sample size): the floor to compare with.
* :func:`fit_label_regressor` / :func:`class_means`: the MSE answer to "label → image", the
  blurry average digit, and :func:`grey_fraction` to put a number on blur.

Use::

    from ganlab.images.cond_metrics import label_accuracy, per_class_fid, format_table
    acc = label_accuracy(G, clf, n_per_class=200)
    print(format_table(acc["per_class"], "read as requested"))
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ganlab.core import seeded
from ganlab.images.sampling import sample


def samples_per_class(G, n_per_class: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """``n_per_class`` samples of every class: uint8 (K·n, 28, 28) and the requested labels (K·n,)."""
    if not isinstance(n_per_class, int) or n_per_class < 1:
        raise ValueError(f"n_per_class must be a positive integer, got {n_per_class!r}")
    y = torch.arange(G.n_classes).repeat_interleave(n_per_class)
    return sample(G, len(y), seed=seed, labels=y), y


def label_accuracy(G, classifier, n_per_class: int = 200, seed: int = 0) -> dict:
    """How often the classifier reads the requested digit.

    Returns ``{"per_class": float array (K,), "overall": float, "confusion": int array (K, K)}``;
    ``confusion[i, j]`` counts samples requested as ``i`` and read as ``j``.
    """
    from ganlab.images.classifier import predict

    x, y = samples_per_class(G, n_per_class, seed)
    pred = predict(classifier, x).cpu()
    K = G.n_classes
    conf = np.zeros((K, K), dtype=np.int64)
    np.add.at(conf, (y.numpy(), pred.numpy()), 1)
    per = conf.diagonal() / conf.sum(1)
    return {"per_class": per, "overall": float(conf.diagonal().sum() / conf.sum()), "confusion": conf}


def per_class_fid(G, classifier, test_images, test_labels, train_images, train_labels,
                  n_per_class: int = 500, seed: int = 0) -> dict:
    """Class-conditional FID per class, and the real-vs-real baseline per class.

    For class k: ``n_per_class`` samples G(z, k) vs the test images of class k; baseline:
    ``n_per_class`` train images of class k vs the same test images. Returns
    ``{"fid": (K,), "baseline": (K,)}`` float arrays.
    """
    from ganlab.images.metrics import classifier_fid, real_vs_real_baseline

    K = G.n_classes
    fids, base = np.zeros(K), np.zeros(K)
    for k in range(K):
        ref = test_images[test_labels == k]
        pool = train_images[train_labels == k]
        n = min(n_per_class, len(ref), len(pool))
        xk = sample(G, n, seed=seed + k, labels=k)
        fids[k] = classifier_fid(xk, ref, classifier)
        base[k] = real_vs_real_baseline(ref, classifier, n=n, pool=pool, seed=seed)
    return {"fid": fids, "baseline": base}


def format_table(columns: dict[str, np.ndarray], fmt: str = "{:.3f}") -> str:
    """Plain-text table: one row per class, one column per entry of ``columns``, a mean row."""
    names = list(columns)
    K = len(next(iter(columns.values())))
    w = max(10, *(len(n) for n in names))
    lines = ["class " + " ".join(f"{n:>{w}}" for n in names)]
    for k in range(K):
        lines.append(f"{k:>5} " + " ".join(f"{fmt.format(columns[n][k]):>{w}}" for n in names))
    lines.append(" mean " + " ".join(f"{fmt.format(float(np.mean(columns[n]))):>{w}}" for n in names))
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# regression: label → image by mean squared error


def class_means(images: torch.Tensor, labels: torch.Tensor, n_classes: int = 10) -> torch.Tensor:
    """The MSE-optimal answer to "label → image": the mean image of each class, uint8 (K, 28, 28)."""
    x = images.float()
    out = torch.stack([x[labels == k].mean(0) for k in range(n_classes)])
    return out.round().clamp(0, 255).to(torch.uint8)


def fit_label_regressor(images: torch.Tensor, labels: torch.Tensor, steps: int = 300, batch_size: int = 256,
                        lr: float = 0.05, seed: int = 0, n_classes: int = 10) -> nn.Module:
    """A model label → image (one learned 784-pixel image per label) trained by MSE with Adam.

    Its optimum is :func:`class_means`: regression can only draw the average digit. Returns the
    ``nn.Embedding`` (K, 784) whose rows are the predicted images in [0, 255] / 255 scale.
    """
    g = torch.Generator().manual_seed(seed)
    with seeded(seed):  # nn.Embedding draws an init from torch's global generator: keep the caller's stream
        model = nn.Embedding(n_classes, images.shape[1] * images.shape[2])
    nn.init.zeros_(model.weight)  # a fixed start: the random init is overwritten
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    flat = images.reshape(len(images), -1)
    for _ in range(steps):
        idx = torch.randint(0, len(images), (batch_size,), generator=g)
        loss = ((model(labels[idx]) - flat[idx].float() / 255.0) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


@torch.no_grad()
def regressor_images(model: nn.Module, n_classes: int = 10) -> torch.Tensor:
    """The regressor's answer for every label: uint8 (K, 28, 28)."""
    w = model(torch.arange(n_classes)).clamp(0, 1) * 255
    side = int(round(w.shape[1] ** 0.5))
    return w.round().to(torch.uint8).view(n_classes, side, side)


def grey_fraction(images: torch.Tensor, lo: int = 64, hi: int = 192) -> float:
    """Share of *inked* pixels (> ``lo / 4``) that are mid-grey (``lo`` < value < ``hi``): sharp strokes
    are mostly black or white, a blurred average is mostly grey."""
    x = images.float()
    inked = x > lo / 4
    grey = (x > lo) & (x < hi)
    return float(grey.sum() / inked.sum().clamp(min=1))
