"""A ladder that calibrates the classifier FID: image sets of known quality, scored the same way.

"FID 8" means little alone. Scored beside sets whose quality we know, it means "between slightly
blurred digits and real ones". :func:`ladder_sets` builds the rungs from MNIST with seeds, every rung
with the same number of images:

* ``real``: training images, against the test set: the floor a perfect generator would reach;
* ``blur``: training digits under Gaussian blurs (:func:`gaussian_blur`, mean brightness kept);
* ``salt & pepper``: training digits with fractions of pixels set to black or white (:func:`salt_and_pepper`);
* ``one class``: real digits of a single class (perfect images, no diversity);
* ``noise``: uniform random pixels;
* and any generator's samples passed in (``extra``: the VAE's, the DCGAN's).

:func:`score_ladder` gives each rung's classifier FID to the reference, Inception-style score and
class-histogram KL to uniform; :func:`format_ladder` prints them as one table.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ganlab.images.metrics import N_CLASSES, fid, inception_score_from_probs, kl_to_uniform


def gaussian_blur(images_u8: torch.Tensor, sigma: float) -> torch.Tensor:
    """Blur uint8 (N, 28, 28) images with a Gaussian of ``sigma`` pixels (> 0), separable, kernel radius
    ``int(4·sigma + 0.5)`` and wrap-around borders (as ``scipy.ndimage.gaussian_filter(mode="wrap")``),
    so the total brightness of each image is kept before rounding back to uint8."""
    if not (isinstance(sigma, (int, float)) and 0 < sigma <= 10):
        raise ValueError(f"sigma must be a number of pixels in (0, 10], got {sigma!r}")
    r = int(4 * sigma + 0.5)
    t = torch.arange(-r, r + 1, dtype=torch.float64)
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    k = (k / k.sum()).float()
    x = images_u8.float().unsqueeze(1)                                  # (N, 1, 28, 28)
    x = F.conv2d(F.pad(x, (r, r, 0, 0), mode="circular"), k.view(1, 1, 1, -1))   # along rows
    x = F.conv2d(F.pad(x, (0, 0, r, r), mode="circular"), k.view(1, 1, -1, 1))   # along columns
    return x[:, 0].round().clamp(0, 255).to(torch.uint8)


def salt_and_pepper(images_u8: torch.Tensor, fraction: float, seed: int = 0) -> torch.Tensor:
    """Set exactly ``round(fraction · 784)`` pixels of each image, chosen at random, to 0 or 255 (each
    with probability ½); ``fraction`` in [0, 1]. The other pixels are unchanged."""
    if not (isinstance(fraction, (int, float)) and 0 <= fraction <= 1):
        raise ValueError(f"fraction must be in [0, 1], got {fraction!r}")
    g = torch.Generator().manual_seed(seed)
    n, h, w = images_u8.shape
    k = round(fraction * h * w)
    pick = torch.rand(n, h * w, generator=g).argsort(1)[:, :k]        # k distinct pixels per image
    values = (torch.rand(n, k, generator=g) < 0.5).to(torch.uint8) * 255
    out = images_u8.reshape(n, h * w).clone()
    out.scatter_(1, pick, values)
    return out.reshape(n, h, w)


def noise_images(n: int, seed: int = 0) -> torch.Tensor:
    """``n`` images of independent uniform random pixels 0..255: uint8 (n, 28, 28)."""
    return torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def ladder_sets(pool: torch.Tensor, pool_labels: torch.Tensor, n: int, seed: int = 0,
                blur_sigmas=(0.5, 1.0), sp_fractions=(0.02, 0.1), digit: int = 1,
                extra: dict | None = None) -> dict[str, torch.Tensor]:
    """The rungs (name → uint8 (n, 28, 28)), each from its own seeded draw of ``pool`` (the training
    split; score against the test split): ``real``, one blur per sigma, one salt-and-pepper set per
    fraction, one class, uniform noise, then ``extra`` (name → a generator's images, the first ``n``)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 2:
        raise ValueError(f"n must be an integer of at least 2, got {n!r}")
    if not 0 <= digit <= 9:
        raise ValueError(f"digit must be in 0..9, got {digit!r}")
    of_digit = torch.nonzero(pool_labels == digit).flatten()
    if n > min(len(pool), len(of_digit)):
        raise ValueError(f"n={n} is more than the pool holds ({len(pool)} images, {len(of_digit)} of digit {digit})")
    draws = iter(range(1000))

    def draw(among=None):
        g = torch.Generator().manual_seed(seed * 7919 + next(draws))
        among = torch.arange(len(pool)) if among is None else among
        return pool[among[torch.randperm(len(among), generator=g)[:n]]]

    sets = {"real": draw()}
    for s in blur_sigmas:
        sets[f"blur σ={s:g}"] = gaussian_blur(draw(), s)
    for f in sp_fractions:
        sets[f"salt & pepper {f:.0%}"] = salt_and_pepper(draw(), f, seed=seed)
    sets[f"one class ({digit}s)"] = draw(of_digit)
    sets["uniform noise"] = noise_images(n, seed=seed)
    for name, images in (extra or {}).items():
        if len(images) < n:
            raise ValueError(f"{name}: {len(images)} images, the ladder uses n={n} per rung")
        sets[name] = images[:n]
    return sets


@torch.no_grad()
def score_ladder(sets: dict[str, torch.Tensor], reference_images, classifier) -> list[dict]:
    """One row per rung: ``name``, ``n``, ``fid`` (classifier FID to ``reference_images``), ``inception``
    (1..10) and ``kl`` (class histogram to uniform, nats). One classifier pass per set: the logits are
    the classifier's last layer (``fc2``) applied to the same features the FID uses."""
    from ganlab.images.classifier import classifier_features

    ref = classifier_features(classifier, reference_images)
    rows = []
    for name, images in sets.items():
        feats = classifier_features(classifier, images)
        logits = classifier.fc2(feats.to(next(classifier.parameters()).device)).cpu()
        hist = np.bincount(logits.argmax(1).numpy(), minlength=N_CLASSES) / len(images)
        rows.append({"name": name, "n": len(images), "fid": fid(feats, ref),
                     "inception": inception_score_from_probs(torch.softmax(logits, 1).numpy()),
                     "kl": kl_to_uniform(hist)})
    return rows


def format_ladder(rows: list[dict]) -> str:
    """The ladder as a text table, lowest FID first."""
    w = max(len(r["name"]) for r in rows)
    lines = [f"{'rung':{w}s} {'n':>6s} {'FID':>8s} {'IS':>6s} {'KL to uniform':>14s}"]
    for r in sorted(rows, key=lambda r: r["fid"]):
        lines.append(f"{r['name']:{w}s} {r['n']:6d} {r['fid']:8.2f} {r['inception']:6.2f} {r['kl']:14.4f}")
    return "\n".join(lines)

