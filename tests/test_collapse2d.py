"""Mode hopping on 2-D mixtures (notebook 04, section 3b) against references: the vectorised per-record mode
occupancy vs ``coverage`` and a brute-force loop, the hop counter on hand-made sequences, the training tracker,
and the warped noise grid vs G applied to the lattice."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from ganlab.toy import (BatchedGAN, MLPConfig, ToyConfig, coverage, grid, hops, mode_occupancy, noise_lattice, ring,
                        track_modes)
from ganlab.viz import plot_noise_grid


def brute_counts(x, target, radius=3.0):
    """Per sample, the nearest mode in its sds, counted if within radius: plain loops."""
    w, mu, sd = target.arrays()
    counts = np.zeros(len(w), dtype=int)
    good = 0
    for p in x:
        if not np.all(np.isfinite(p)):
            continue
        d = [np.sqrt(((p - mu[k]) ** 2).sum()) / sd[k] for k in range(len(w))]
        k = int(np.argmin(d))
        if d[k] <= radius:
            counts[k] += 1
            good += 1
    return counts, good / len(x)


def mixed_samples(target, rng, n=400):
    """Samples that are partly on modes (some of them), partly spread: every mode count differs."""
    w, mu, sd = target.arrays()
    k = rng.choice(len(w), size=n, p=np.arange(1, len(w) + 1) / np.arange(1, len(w) + 1).sum())
    on = mu[k] + sd[k, None] * rng.standard_normal((n, 2)) * rng.uniform(0.2, 4, (n, 1))
    return np.where(rng.uniform(size=(n, 1)) < 0.8, on, rng.uniform(-4, 4, (n, 2)))


@pytest.mark.parametrize("target", [ring(8), grid(5)])
def test_occupancy_matches_coverage_and_brute_force(target):
    rng = np.random.default_rng(0)
    x = np.stack([np.stack([mixed_samples(target, rng) for _ in range(3)]) for _ in range(4)])  # (4, 3, n, 2)
    x[1, 2, :5] = np.nan  # non-finite samples are never high quality
    occ = mode_occupancy(x, target)
    assert occ["counts"].shape == (4, 3, len(target.arrays()[0])) and occ["covered"].shape == (4, 3)
    for t in range(4):
        for m in range(3):
            ref = coverage(x[t, m], target)
            counts, quality = brute_counts(x[t, m], target)
            assert np.array_equal(occ["counts"][t, m], ref["counts"]) and np.array_equal(counts, ref["counts"])
            assert occ["covered"][t, m] == ref["covered"]
            assert occ["quality"][t, m] == pytest.approx(quality) == pytest.approx(ref["quality"])
            assert occ["dominant"][t, m] == int(np.argmax(counts))
            assert occ["share"][t, m] == pytest.approx(counts.max() / x.shape[2])


def test_samples_on_one_mode_and_nowhere():
    target = ring(8)
    mu = target.arrays()[1]
    on3 = np.repeat(mu[3][None], 50, 0) + 0.01
    far = np.full((50, 2), 40.0)
    occ = mode_occupancy(np.stack([on3, far]), target)
    assert occ["dominant"].tolist() == [3, -1] and occ["share"].tolist() == [1.0, 0.0]
    assert occ["covered"].tolist() == [1, 0] and occ["quality"].tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="samples must be"):
        mode_occupancy(np.zeros((5, 3)), target)
    with pytest.raises(ValueError, match="samples must be"):
        mode_occupancy(np.zeros((2, 0, 2)), target)


def test_hops_hand_counted():
    assert hops([0, 0, 1, 1, 2], [0.9] * 5) == 2
    assert hops([0, 3, 0], [0.9, 0.1, 0.9]) == 0  # the record in between is not collapsed: skipped
    assert hops([0, 1, 2], [0.9, 0.2, 0.6]) == 1
    assert hops([4, 4, 4], [0.1, 0.2, 0.3]) == 0  # never collapsed
    d = np.array([[0, 5], [1, 5], [1, 6], [0, 5]])
    s = np.array([[0.9, 0.9], [0.9, 0.4], [0.9, 0.9], [0.9, 0.9]])
    assert hops(d, s).tolist() == [2, 2]
    assert hops(d, s, min_share=0.95).tolist() == [0, 0]
    with pytest.raises(ValueError, match="dominant and share"):
        hops([0, 1], [0.5])


class Hopper:
    """A fake generator that sits on mode (iteration // 10) % 8 of the ring: a known hop sequence."""

    def __init__(self):
        self.config = ToyConfig(target=ring(8), noise_dim=2)
        self.iteration = 0

    def step(self, k):
        self.iteration += k

    def samples(self, n):
        mu = self.config.target.arrays()[1]
        return np.repeat(mu[(self.iteration // 10) % 8][None, None], n, 1)  # (1, n, 2)


def test_track_modes_follows_a_known_hopper():
    calls = []
    tr = track_modes(Hopper(), 100, 5, n=20, callback=lambda g: calls.append(g.iteration))
    assert tr["step"].tolist() == list(range(0, 101, 5)) and calls == list(range(5, 101, 5))
    assert tr["dominant"][:, 0].tolist() == [(s // 10) % 8 for s in range(0, 101, 5)]
    assert hops(tr["dominant"], tr["share"]).tolist() == [10]
    assert (tr["covered"] == 1).all() and (tr["share"] == 1).all()
    with pytest.raises(ValueError, match="steps"):
        track_modes(Hopper(), 10, 20)


def test_track_modes_on_a_batched_gan_records_its_samples():
    cfg = ToyConfig(target=ring(8), noise_dim=2, g=MLPConfig(width=8), d=MLPConfig(width=8), batch_size=16,
                    n_eval=200, log_every=1000)
    gan = BatchedGAN(cfg, seed=[0, 1])
    tr = track_modes(gan, 7, 3, n=200)
    assert tr["step"].tolist() == [0, 3, 6, 7] and gan.iteration == 7
    last = mode_occupancy(gan.samples(200), cfg.target)
    assert np.array_equal(tr["counts"][-1], last["counts"]) and tr["counts"].shape == (4, 2, 8)


def test_noise_grid_is_g_applied_to_the_lattice():
    fig, ax = plt.subplots()
    A, b = np.array([[2.0, 0.5], [-0.3, 1.0]]), np.array([1.0, -2.0])
    G = lambda z: np.tanh(z) @ A + b
    lines = plot_noise_grid(G, ax=ax, lines=5, points=9)
    lattice = noise_lattice("gaussian", 2, 5, 9)
    assert len(lines) == 10 and all(line.axes is ax for line in lines)
    for line, zl in zip(lines, lattice):
        assert np.allclose(np.c_[line.get_xdata(), line.get_ydata()], G(zl))
    assert lines[0].get_color() != lines[5].get_color() and lines[0].get_color() == lines[4].get_color()
    plt.close(fig)


def test_noise_grid_of_a_batched_generator_and_errors():
    gan = BatchedGAN(ToyConfig(target=ring(8), noise_dim=2, g=MLPConfig(width=8), d=MLPConfig(width=8)), seed=[3])
    G = lambda z: gan.generate(torch.as_tensor(z, dtype=torch.float32))[0].detach()  # a torch output
    fig, ax = plt.subplots()
    lines = plot_noise_grid(G, ax=ax, kind="uniform", lines=3, points=4)
    z = noise_lattice("uniform", 2, 3, 4)
    with torch.no_grad():
        ref = gan.generate(torch.as_tensor(z.reshape(-1, 2), dtype=torch.float32))[0].numpy().reshape(6, 4, 2)
    assert all(np.allclose(np.c_[ln.get_xdata(), ln.get_ydata()], r, atol=1e-6) for ln, r in zip(lines, ref))
    with pytest.raises(ValueError, match="2-D points"):
        plot_noise_grid(lambda z: np.zeros((len(z), 3)), ax=ax)
    plt.close(fig)
