"""Metrics: FID against closed forms and SciPy, KL, nearest neighbours against brute force.

No real classifier is trained here: a randomly initialised MnistCNN (or one trained for a
fraction of a second on tiny synthetic data) stands in.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import scipy.stats
import torch

from ganlab.images import metrics, as_float_images, MnistCNN, classifier_features, get_classifier, predict
from ganlab.images.classifier import FEATURE_DIM, train_classifier, weights_path


@pytest.fixture
def net():
    torch.manual_seed(0)
    return MnistCNN().eval()


def rand_images(n, seed=0):
    return torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def test_frechet_distance_diagonal_closed_form():
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=5), rng.normal(size=5)
    s1, s2 = rng.uniform(0.1, 3, 5), rng.uniform(0.1, 3, 5)
    want = ((mu1 - mu2) ** 2).sum() + ((np.sqrt(s1) - np.sqrt(s2)) ** 2).sum()
    got = metrics.frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2))
    assert got == pytest.approx(want, rel=1e-10)


def test_frechet_distance_matches_scipy_sqrtm():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    c1, c2 = a @ a.T + 0.1 * np.eye(6), b @ b.T
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    covmean = scipy.linalg.sqrtm(c1 @ c2).real
    want = ((mu1 - mu2) ** 2).sum() + np.trace(c1 + c2 - 2 * covmean)
    assert metrics.frechet_distance(mu1, c1, mu2, c2) == pytest.approx(want, rel=1e-7)


def test_fid_of_features():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(4000, 3))
    assert metrics.fid(a, a) == pytest.approx(0, abs=1e-8)
    b = rng.normal(size=(4000, 3)) * 2 + 1  # N(1, 4I): FID to N(0, I) is 3*1 + 3*(2-1)^2 = 6
    assert metrics.fid(torch.from_numpy(a), b) == pytest.approx(6, rel=0.1)
    with pytest.raises(ValueError, match="sizes differ"):
        metrics.fid(a, b[:, :2])
    with pytest.raises(ValueError, match="at least 2"):
        metrics.fid(a[:1], b)


def test_both_image_formats_give_the_same_features(net):
    u8 = rand_images(7)
    f1 = classifier_features(net, u8)
    f2 = classifier_features(net, u8.float().div(127.5).sub(1).unsqueeze(1))
    assert f1.shape == (7, FEATURE_DIM) and f1.dtype == torch.float32
    assert torch.allclose(f1, f2, atol=1e-5)
    with pytest.raises(ValueError, match="N×28×28"):
        classifier_features(net, torch.zeros(3, 3, 28, 28))


def test_classifier_fid_and_baseline(net):
    ref, other = rand_images(300, 1), rand_images(300, 2)
    same = metrics.classifier_fid(ref, ref, net)
    assert same == pytest.approx(0, abs=1e-6)
    noise_vs_blank = metrics.classifier_fid(torch.zeros(300, 28, 28, dtype=torch.uint8) + torch.randint(0, 2, (300, 1, 1), dtype=torch.uint8), ref, net)
    base = metrics.real_vs_real_baseline(ref, net, pool=torch.cat([other, ref]))
    assert 0 < base < noise_vs_blank
    # the pool's copies of reference images are excluded: only the 300 "other" images remain
    with pytest.raises(ValueError, match="300 pool images"):
        metrics.real_vs_real_baseline(ref, net, n=301, pool=torch.cat([other, ref]))


def test_class_histogram(net):
    x = rand_images(50)
    hist = metrics.class_histogram(x, net)
    assert hist.shape == (10,) and hist.sum() == pytest.approx(1)
    want = np.bincount(predict(net, x).numpy(), minlength=10) / 50
    assert np.allclose(hist, want)


def test_kl_to_uniform_matches_scipy():
    rng = np.random.default_rng(3)
    for hist in (rng.uniform(size=10), np.array([0, 0, 5, 1, 0, 0, 0, 0, 0, 4.0])):
        assert metrics.kl_to_uniform(hist) == pytest.approx(scipy.stats.entropy(hist, np.ones(10)))
    assert metrics.kl_to_uniform(np.ones(10)) == pytest.approx(0)
    assert metrics.kl_to_uniform(np.eye(10)[3]) == pytest.approx(np.log(10))
    with pytest.raises(ValueError):
        metrics.kl_to_uniform([0, 0])


@pytest.mark.parametrize("k", [1, 3])
def test_nearest_neighbours_match_brute_force(k):
    train = rand_images(500, 4)
    samples = torch.cat([train[[7, 123]], rand_images(9, 5)])  # two exact copies from the training set
    idx, dist = metrics.nearest_neighbours(samples, train, k=k, batch_size=4, chunk=64)
    a, b = as_float_images(samples).flatten(1).double(), as_float_images(train).flatten(1).double()
    full = ((a[:, None] - b[None]) ** 2).sum(-1).sqrt()
    want_d, want_i = full.sort(1)
    assert idx.shape == dist.shape == (11, k)
    assert torch.equal(idx, want_i[:, :k])
    assert torch.allclose(dist.double(), want_d[:, :k], atol=1e-4)
    assert idx[0, 0] == 7 and idx[1, 0] == 123 and dist[0, 0] == 0


def test_plot_nearest_neighbours():
    import matplotlib
    matplotlib.use("Agg")
    train = rand_images(100, 6)
    samples = train[:5].float().div(127.5).sub(1).unsqueeze(1).requires_grad_()  # like raw G output
    fig = metrics.plot_nearest_neighbours(samples, train, k=2, n=4)
    assert len(fig.axes) == 3 * 4
    assert "d=0.0" in fig.axes[4].get_title()  # row 2 = first neighbours (each sample itself)
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_tiny_training_learns_and_fast_mode_has_its_own_file(monkeypatch, tmp_path):
    # two "digits": bright left half vs bright right half
    x = torch.zeros(200, 28, 28, dtype=torch.uint8)
    y = torch.arange(200) % 2
    x[y == 0, :, :14] = 255
    x[y == 1, :, 14:] = 255
    model = train_classifier(x, y, epochs=2, batch_size=32, device="cpu")
    assert not model.training
    assert (predict(model, x) == y).float().mean() > 0.95
    monkeypatch.setenv("GANLAB_DATA", str(tmp_path))
    monkeypatch.setenv("GANLAB_FAST", "1")
    assert weights_path().name == "mnist_classifier_fast.pt"
    monkeypatch.delenv("GANLAB_FAST")
    assert weights_path().name == "mnist_classifier.pt"
    with pytest.raises(FileNotFoundError, match="no classifier weights"):
        get_classifier(device="cpu", train_if_missing=False)
    torch.save(model.state_dict(), weights_path())
    loaded = get_classifier(device="cpu", train_if_missing=False)
    assert not loaded.training
    assert torch.equal(predict(loaded, x), predict(model, x))


def test_inception_score_reference_values(net):
    """IS = exp E[KL(p(y|x) || p(y))]: 10 for confident, uniform classes; 1 for one class or no information;
    the textbook two-class case by hand; and the image path agrees with the probabilities' path."""
    from ganlab.images import classifier_logits, inception_score, inception_score_from_probs
    assert inception_score_from_probs(np.eye(10)[np.arange(1000) % 10]) == pytest.approx(10.0)
    assert inception_score_from_probs(np.eye(10)[np.zeros(50, int)]) == pytest.approx(1.0)
    assert inception_score_from_probs(np.full((20, 10), 0.1)) == pytest.approx(1.0)
    p = np.array([[0.9, 0.1], [0.1, 0.9]])              # marginal (0.5, 0.5): KL = 0.9 log 1.8 + 0.1 log 0.2
    assert inception_score_from_probs(p) == pytest.approx(np.exp(0.9 * np.log(1.8) + 0.1 * np.log(0.2)))
    with pytest.raises(ValueError, match="probs"):
        inception_score_from_probs(np.array([0.5, 0.5]))
    images = torch.randint(0, 256, (30, 28, 28), dtype=torch.uint8)
    probs = torch.softmax(classifier_logits(net, images), 1).numpy()
    assert inception_score(images, net) == pytest.approx(inception_score_from_probs(probs))


def test_fid_to_features_equals_classifier_fid(net):
    from ganlab.images import classifier_fid, fid_to_features
    a, b = rand_images(80, 7), rand_images(90, 8)
    assert fid_to_features(a, classifier_features(net, b), net) == pytest.approx(classifier_fid(a, b, net), rel=1e-9)


def test_snapshots_and_quality_curve(net, tmp_path):
    """A dry-run training writes fp16 snapshots every --snapshot-every steps; quality_curve scores each
    exactly as classifier_fid / inception_score / class KL do on the same seeded samples."""
    from ganlab.cli.images import main
    from ganlab.images import (classifier_fid, inception_score, list_snapshots, load_generator, quality_curve, sample,
                               snapshot_path)
    with pytest.raises(FileNotFoundError, match="no generator snapshots"):
        list_snapshots(tmp_path)
    assert main(["train", "--dry-run", "--out", str(tmp_path / "run"), "--snapshot-every", "2", "--no-progress"]) == 0
    snaps = list_snapshots(tmp_path / "run")
    assert [s for s, _ in snaps] == [2, 4, 6] and snaps[0][1] == snapshot_path(tmp_path / "run", 2)
    ref = rand_images(60, 9)
    curve = quality_curve(snaps, net, ref, n=40, seed=3)
    assert curve["step"] == [2, 4, 6] and curve["n"] == 40
    x = sample(load_generator(snaps[-1][1]), 40, seed=3)
    assert curve["fid"][-1] == pytest.approx(classifier_fid(x, ref, net), rel=1e-9)
    assert curve["inception"][-1] == pytest.approx(inception_score(x, net), rel=1e-9)
    assert curve["kl"][-1] == pytest.approx(metrics.kl_to_uniform(metrics.class_histogram(x, net)))
    with pytest.raises(ValueError, match="n must be"):
        quality_curve(snaps, net, ref, n=1)
    assert main(["train", "--dry-run", "--out", str(tmp_path / "r2"), "--snapshot-every", "-1"]) == 2


def test_plot_helpers_take_ax():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from ganlab.viz import plot_image_rows, plot_quality_curve
    fig, (a1, a2) = plt.subplots(1, 2)
    ax, ax_is = plot_quality_curve({"step": [1, 2, 3], "fid": [30.0, 10.0, 5.0], "inception": [3.0, 6.0, 7.5]},
                                   ax=a1, floor=1.0)
    assert ax is a1 and list(ax.lines[0].get_ydata()) == [30.0, 10.0, 5.0] and ax_is.lines[0].get_ydata()[-1] == 7.5
    im = plot_image_rows({"a": rand_images(5), "b": rand_images(8, 1)}, n=4, ax=a2)
    assert im.get_array().shape == (2 * 32, 4 * 30 + 2)
    assert [t.get_text() for t in a2.get_yticklabels()] == ["a", "b"]
    with pytest.raises(ValueError, match="quality curve"):
        plot_quality_curve({"step": [1]})
    plt.close(fig)
