"""The FID ladder's rungs are what they claim (blur = scipy's Gaussian filter and keeps the brightness,
salt and pepper sets exactly the stated fraction of pixels to 0 or 255, one class is one class), and on
a small sample the real-vs-real rung sits far below the noise rung."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage
import torch

from ganlab.images import MnistCNN, classifier_fid, inception_score, class_histogram, kl_to_uniform
from ganlab.images.ladder import format_ladder, gaussian_blur, ladder_sets, noise_images, salt_and_pepper, score_ladder


def structured(n, seed):
    """Fake 'digits': a bright bar whose position is the label (0..9), plus a little noise."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (n,), generator=g)
    x = torch.randint(0, 40, (n, 28, 28), generator=g)
    for i, c in enumerate(labels.tolist()):
        x[i, 4:24, 4 + 2 * c: 6 + 2 * c] = 230
    return x.to(torch.uint8), labels


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0])
def test_blur_matches_scipy_and_keeps_the_mean(sigma):
    x = noise_images(5, seed=1)
    want = np.stack([scipy.ndimage.gaussian_filter(im, sigma, mode="wrap", truncate=4.0)
                     for im in x.numpy().astype(np.float64)])
    got = gaussian_blur(x, sigma).numpy().astype(np.float64)
    assert np.abs(got - np.round(want)).max() <= 1          # rounding of float32 vs float64 sums
    assert np.abs(got.mean((1, 2)) - x.numpy().mean((1, 2))).max() <= 0.5
    with pytest.raises(ValueError, match="sigma"):
        gaussian_blur(x, 0)


@pytest.mark.parametrize("fraction", [0.0, 0.02, 0.1, 1.0])
def test_salt_and_pepper_sets_exactly_the_fraction(fraction):
    x = torch.full((50, 28, 28), 128, dtype=torch.uint8)
    y = salt_and_pepper(x, fraction, seed=3)
    changed = (y != 128)
    k = round(fraction * 784)
    assert torch.equal(changed.flatten(1).sum(1), torch.full((50,), k))
    assert set(y[changed].unique().tolist()) <= {0, 255}
    if k:
        white = (y[changed] == 255).float().mean()
        assert 0.4 < white < 0.6
    assert torch.equal(salt_and_pepper(x, fraction, seed=3), y)
    with pytest.raises(ValueError, match="fraction"):
        salt_and_pepper(x, 1.5)


def test_ladder_sets_sizes_and_one_class():
    pool, labels = structured(400, 0)
    extra = {"model": noise_images(120, seed=9)}
    sets = ladder_sets(pool, labels, n=30, digit=3, extra=extra)
    assert all(v.shape == (30, 28, 28) and v.dtype == torch.uint8 for v in sets.values())
    assert list(sets)[0] == "real" and list(sets)[-1] == "model"
    assert {"blur σ=0.5", "blur σ=1", "salt & pepper 2%", "salt & pepper 10%", "one class (3s)", "uniform noise"} <= set(sets)
    one = sets["one class (3s)"]                             # every image is a digit-3 bar
    assert (one[:, 10, 10:12] == 230).all()
    assert torch.equal(ladder_sets(pool, labels, n=30, digit=3)["real"], sets["real"])  # seeded
    assert not torch.equal(ladder_sets(pool, labels, n=30, digit=3, seed=1)["real"], sets["real"])
    with pytest.raises(ValueError, match="n=500"):
        ladder_sets(pool, labels, n=500)


def test_real_rung_far_below_noise_and_scores_match_the_metrics():
    torch.manual_seed(0)
    net = MnistCNN().eval()
    pool, labels = structured(2000, 1)
    reference, _ = structured(300, 2)
    sets = ladder_sets(pool, labels, n=150)
    rows = {r["name"]: r for r in score_ladder(sets, reference, net)}
    assert 10 * rows["real"]["fid"] < rows["uniform noise"]["fid"]
    for name in ("real", "blur σ=1", "uniform noise"):     # the one-pass scores equal the package metrics
        assert rows[name]["fid"] == pytest.approx(classifier_fid(sets[name], reference, net), rel=1e-6)
        assert rows[name]["inception"] == pytest.approx(inception_score(sets[name], net), rel=1e-6)
        assert rows[name]["kl"] == pytest.approx(kl_to_uniform(class_histogram(sets[name], net)), abs=1e-9)
    table = format_ladder(list(rows.values()))
    assert table.splitlines()[1].startswith("real") and len(table.splitlines()) == len(rows) + 1
