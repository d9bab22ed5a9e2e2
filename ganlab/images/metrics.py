"""Evaluating MNIST GAN samples: classifier-feature FID, class histogram, nearest neighbours.

Every function takes images as ``uint8`` ``N×28×28`` (as :func:`ganlab.images.load_mnist` gives)
or float ``N×1×28×28`` in ``[-1, 1]`` (as a tanh generator gives). Typical use::

    from ganlab.images.mnist import load_mnist
    from ganlab.images.classifier import get_classifier
    from ganlab.images import metrics

    clf = get_classifier()
    test_images, _ = load_mnist("test")
    score = metrics.classifier_fid(samples, test_images, clf)
    base = metrics.real_vs_real_baseline(test_images, clf, n=len(samples))
    print(f"FID {score:.2f} (real vs real: {base:.2f})")
    hist = metrics.class_histogram(samples, clf)          # 10 frequencies
    print(metrics.kl_to_uniform(hist))                    # 0 = every digit equally often
    idx, dist = metrics.nearest_neighbours(samples[:8], train_images)

The FID here uses the 128-d features of ganlab's small MNIST classifier, not Inception features,
so its values are comparable only with other values computed the same way (and the same number
of samples: FID is biased upwards for small samples, hence the real-vs-real baseline).
"""

from __future__ import annotations

import numpy as np
import torch

from ganlab.images.pixels import as_float_images, to_uint8

N_CLASSES = 10


def _as_float64(feats) -> np.ndarray:
    if isinstance(feats, torch.Tensor):
        feats = feats.detach().cpu().numpy()
    feats = np.asarray(feats, dtype=np.float64)
    if feats.ndim != 2:
        raise ValueError(f"features must be 2-D (N×D), got shape {feats.shape}")
    if len(feats) < 2:
        raise ValueError(f"need at least 2 feature vectors to fit a Gaussian, got {len(feats)}")
    return feats


def gaussian_fit(feats) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``D`` and covariance ``D×D`` (unbiased, float64) of features ``N×D``."""
    f = _as_float64(feats)
    return f.mean(0), np.cov(f, rowvar=False).reshape(f.shape[1], f.shape[1])


def _psd_sqrt(cov: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh((cov + cov.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet_distance(mu1, cov1, mu2, cov2) -> float:
    """Fréchet (2-Wasserstein²) distance between Gaussians N(mu1, cov1) and N(mu2, cov2).

    ``||mu1 - mu2||² + tr(cov1) + tr(cov2) - 2 tr((cov1 cov2)^½)``. The trace of the matrix
    square root is computed as ``tr((s1 cov2 s1)^½)`` with ``s1 = cov1^½``: both symmetric, so
    eigen-decompositions suffice and no complex round-off appears (same value as
    ``scipy.linalg.sqrtm(cov1 @ cov2)``).
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    cov1, cov2 = np.atleast_2d(np.asarray(cov1, np.float64)), np.atleast_2d(np.asarray(cov2, np.float64))
    s1 = _psd_sqrt(cov1)
    m = s1 @ cov2 @ s1
    tr_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)).sum()
    d = float(((mu1 - mu2) ** 2).sum() + np.trace(cov1) + np.trace(cov2) - 2 * tr_sqrt)
    return max(d, 0.0)


def fid(feats_a, feats_b) -> float:
    """Fréchet distance between Gaussian fits of two feature sets (``N×D`` tensors or arrays)."""
    mu1, c1 = gaussian_fit(feats_a)
    mu2, c2 = gaussian_fit(feats_b)
    if mu1.shape != mu2.shape:
        raise ValueError(f"feature sizes differ: {mu1.shape[0]} vs {mu2.shape[0]}")
    return frechet_distance(mu1, c1, mu2, c2)


def classifier_fid(samples, reference_images, classifier, batch_size: int = 1000) -> float:
    """FID between ``samples`` and ``reference_images`` in the classifier's 128-d feature space.

    ``classifier``: a model from :func:`ganlab.images.get_classifier`. Both image sets
    in either accepted format. Lower is better; compare with :func:`real_vs_real_baseline` at the
    same number of samples.
    """
    from ganlab.images.classifier import classifier_features

    return fid(classifier_features(classifier, samples, batch_size),
               classifier_features(classifier, reference_images, batch_size))


def fid_to_features(samples, reference_features, classifier, batch_size: int = 1000) -> float:
    """:func:`classifier_fid` against features computed once (``classifier_features(classifier, reference)``),
    for scoring many sample sets against one reference."""
    from ganlab.images.classifier import classifier_features

    return fid(classifier_features(classifier, samples, batch_size), reference_features)


def _image_keys(images) -> list[bytes]:
    x = images if isinstance(images, torch.Tensor) and images.dtype == torch.uint8 else None
    if x is None:  # float [-1,1] → the uint8 pixels it came from
        x = to_uint8(as_float_images(images))
    x = x.reshape(len(x), -1).cpu().numpy()
    return [r.tobytes() for r in x]


def real_vs_real_baseline(reference_images, classifier, n: int | None = None, pool=None,
                          seed: int = 0, batch_size: int = 1000) -> float:
    """The FID a perfect generator would get: ``n`` real images vs ``reference_images``.

    Draws ``n`` (default ``len(reference_images)``) images at random from ``pool`` (default: the
    MNIST train split), skipping any image identical to one in ``reference_images`` so the two
    sets are disjoint, and returns ``classifier_fid(those, reference_images, classifier)``. Print
    it beside a generator's FID computed with the same ``n`` and reference: FID is biased by
    sample size, so this, not 0, is the floor. Typical reference: the MNIST test split.
    """
    if pool is None:
        from ganlab.images.mnist import load_mnist

        pool, _ = load_mnist("train")
    n = len(reference_images) if n is None else int(n)
    ref_keys = set(_image_keys(reference_images))
    keep = torch.tensor([k not in ref_keys for k in _image_keys(pool)], dtype=torch.bool)
    candidates = torch.nonzero(keep).flatten()
    if n < 2 or n > len(candidates):
        raise ValueError(f"n={n} must be between 2 and the {len(candidates)} pool images not in the reference")
    gen = torch.Generator().manual_seed(seed)
    pick = candidates[torch.randperm(len(candidates), generator=gen)[:n]]
    return classifier_fid(pool[pick], reference_images, classifier, batch_size)


def class_histogram(samples, classifier, batch_size: int = 1000) -> np.ndarray:
    """Frequencies (float64, length 10, summing to 1) of the classifier's predicted digits.

    A generator covering every mode gives about 0.1 each; mode collapse shows as spikes.
    """
    from ganlab.images.classifier import predict

    pred = predict(classifier, samples, batch_size)
    if len(pred) == 0:
        raise ValueError("no samples")
    counts = np.bincount(pred.numpy(), minlength=N_CLASSES).astype(np.float64)
    return counts / counts.sum()


def kl_to_uniform(hist) -> float:
    """KL(hist ‖ uniform) in nats: 0 when all classes are equally frequent, ``log 10`` ≈ 2.303 when
    one class takes everything. ``hist`` (counts or frequencies, non-negative) is normalised first.
    """
    p = np.asarray(hist, dtype=np.float64).ravel()
    if p.size == 0 or (p < 0).any() or p.sum() <= 0:
        raise ValueError("hist must be non-negative with a positive sum")
    p = p / p.sum()
    nz = p > 0
    return float((p[nz] * np.log(p[nz] * p.size)).sum())


def inception_score_from_probs(probs) -> float:
    """exp E_x[KL(p(y|x) ‖ p(y))] from class probabilities ``probs`` (N × K, rows summing to 1), p(y) their mean.

    1 when every image gets the same distribution (no information, or no variety); K when each image is
    read with certainty and the classes are equally frequent (confident and diverse)."""
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or len(p) == 0 or (p < 0).any():
        raise ValueError(f"probs must be a non-empty (N, K) array of probabilities, got shape {p.shape}")
    p = p / p.sum(1, keepdims=True)
    marginal = p.mean(0, keepdims=True)
    kl = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(np.where(marginal > 0, marginal, 1.0))), 0.0)
    return float(np.exp(kl.sum(1).mean()))


def inception_score(samples, classifier, batch_size: int = 1000) -> float:
    """The Inception Score with the course's MNIST classifier in place of Inception: between 1 and 10,
    higher is better (each sample clearly one digit, all digits equally often). Images as for
    :func:`ganlab.images.classifier_features`."""
    from ganlab.images.classifier import classifier_logits

    return inception_score_from_probs(torch.softmax(classifier_logits(classifier, samples, batch_size), 1).numpy())


@torch.no_grad()
def nearest_neighbours(samples, train_images, k: int = 1, batch_size: int = 256,
                       chunk: int = 8192) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` training images closest to each sample in pixel space.

    Distances are Euclidean on the ``[-1, 1]`` pixel scale (``N×1×28×28`` → 784 values).
    Batched ``torch.cdist`` over samples and over chunks of the training set keeps memory small.
    Returns ``(indices, distances)``: int64 and float32 tensors of shape ``N×k``, nearest first,
    indices into ``train_images``. Works on the CPU whatever the inputs' device (a GPU batch
    of generator output, even one that requires grad, is fine).
    """
    a = as_float_images(samples).detach().cpu().flatten(1)
    b = as_float_images(train_images).detach().cpu().flatten(1)
    if not 1 <= k <= len(b):
        raise ValueError(f"k={k} must be between 1 and {len(b)}")
    all_idx, all_dist = [], []
    for i in range(0, len(a), batch_size):
        q = a[i:i + batch_size]
        best_d = torch.full((len(q), 0), float("inf"))
        best_i = torch.empty((len(q), 0), dtype=torch.long)
        for j in range(0, len(b), chunk):
            d = torch.cdist(q, b[j:j + chunk])
            kk = min(k, d.shape[1])
            dv, di = d.topk(kk, dim=1, largest=False)
            best_d = torch.cat([best_d, dv], 1)
            best_i = torch.cat([best_i, di + j], 1)
            best_d, order = best_d.topk(min(k, best_d.shape[1]), dim=1, largest=False)
            best_i = best_i.gather(1, order)
        # exact distances for the chosen pairs (cdist's matmul shortcut rounds a little)
        exact = (q.unsqueeze(1) - b[best_i]).pow(2).sum(-1).sqrt()
        exact, order = exact.sort(1)
        all_idx.append(best_i.gather(1, order))
        all_dist.append(exact)
    return torch.cat(all_idx), torch.cat(all_dist)


def plot_nearest_neighbours(samples, train_images, k: int = 1, n: int = 8, indices=None,
                            distances=None, fig=None):
    """Show ``n`` samples (top row) above their ``k`` nearest training images, with distances.

    Pass ``indices``/``distances`` from :func:`nearest_neighbours` to skip the search. Draws into
    ``fig`` (a matplotlib Figure, cleared first) or a new one; returns the Figure. A sample that
    is a near copy of its neighbour (tiny distance) suggests memorisation.
    """
    import matplotlib.pyplot as plt

    n = min(n, len(samples))
    x = as_float_images(samples[:n]).detach().cpu()
    if indices is None or distances is None:
        indices, distances = nearest_neighbours(x, train_images, k=k)
    indices, distances = indices[:n, :k].cpu(), distances[:n, :k].cpu()
    k = indices.shape[1]
    train = as_float_images(train_images[indices.flatten()]).detach().cpu().reshape(n, k, 28, 28)
    if fig is None:
        fig = plt.figure(figsize=(1.3 * n, 1.45 * (k + 1)))
    else:
        fig.clear()
    axes = fig.subplots(k + 1, n, squeeze=False)
    for c in range(n):
        axes[0, c].imshow(x[c, 0].numpy(), cmap="gray", vmin=-1, vmax=1)
        axes[0, c].set_title("sample")
        for r in range(k):
            axes[r + 1, c].imshow(train[c, r].numpy(), cmap="gray", vmin=-1, vmax=1)
            axes[r + 1, c].set_title(f"#{int(indices[c, r])}\nd={float(distances[c, r]):.1f}")
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("samples (top) and their nearest training images (pixel L2)")
    fig.tight_layout()
    return fig
