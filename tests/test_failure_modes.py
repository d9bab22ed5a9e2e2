"""Notebook 04's machinery: coverage, the gradient penalty, stacked training == one-by-one training,
and every failure preset's signature and fix (on short runs)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganlab.toy import (BatchedGAN, ToyConfig, bimodal_1d, coverage, coverage_1d, grid, hist_jsd_2d,
                        jsd_floor_2d, ring, PRESETS, fixes_for_mode_collapse, preset, MLPConfig)
from ganlab.toy.stacked_adam import StackedAdam
from ganlab.theory import gradient_penalty, LOG2
from ganlab.toy.nets import init_stacked, stacked_forward

TINY = MLPConfig(width=8)


# ----- coverage ----------------------------------------------------------------------------------
def test_coverage_counts_known_points():
    t = bimodal_1d(6.0, 0.3)  # modes at -3 and +3, sd 0.3
    x = np.r_[np.full(50, -3.0), np.full(30, 3.0 + 0.89), np.full(20, 0.0)]  # 3.0 + 0.89 is 2.97 sd out
    c = coverage_1d(x, t)
    assert c["counts"].tolist() == [50, 30]
    assert c["quality"] == pytest.approx(0.8)
    assert c["covered"] == 2 and c["coverage"] == 1.0
    assert coverage_1d(np.r_[x, 3.0 + 0.91], t)["counts"].tolist() == [50, 30]  # 3.03 sd: not high quality


def test_coverage_threshold_is_a_share_of_expected():
    t = bimodal_1d(6.0, 0.3)
    x = np.r_[np.full(88, -3.0), np.full(12, 3.0)]  # expected 50 each; 12 < 0.25 * 50
    assert coverage_1d(x, t)["covered"] == 1
    assert coverage_1d(x, t, min_share=0.2)["covered"] == 2
    assert coverage_1d(x.reshape(-1, 1), t)["covered"] == 1  # (n, 1) works too


def test_coverage_2d_ring_collapsed_and_full():
    r = ring(8, radius=2.0, sd=0.1)
    full = r.sample(4000, seed=0)
    c = coverage(full, r)
    assert c["covered"] == 8 and c["quality"] > 0.98  # a perfect 2-D sampler: P(r < 3 sd) = 1 - e^-4.5 = 0.989
    one = np.tile(np.array(r.means[0]), (500, 1))
    c = coverage(one, r)
    assert c["covered"] == 1 and c["quality"] == 1.0
    c = coverage(np.full((10, 2), np.nan), r)  # diverged samples count as nothing
    assert c["covered"] == 0 and c["quality"] == 0.0
    assert coverage(grid(5).sample(5000, seed=1), grid(5))["covered"] == 25


def test_spread_sees_within_mode_collapse():
    t = bimodal_1d(6.0, 0.3)
    rng = np.random.default_rng(0)
    c = coverage_1d(t.sample(20000, seed=1), t)
    assert np.allclose(c["spread"], 1.0, atol=0.03)                 # the target itself: as wide as each mode
    narrow = np.r_[rng.normal(-3, 0.06, 5000), rng.normal(3, 0.15, 5000)]   # a fifth and a half as wide
    c = coverage_1d(narrow, t)
    assert c["covered"] == 2 and c["quality"] == 1.0                 # coverage and quality see nothing wrong
    assert c["spread"] == pytest.approx([0.2, 0.5], abs=0.02)
    assert np.isnan(coverage_1d(np.full(100, -3.0), t)["spread"][1])  # an empty mode has no spread
    r = ring(8, sd=0.1)                                              # 2-D: the chi-square reference is per dim
    assert np.allclose(coverage(r.sample(40000, seed=2), r)["spread"], 1.0, atol=0.05)


def test_hist_jsd_2d_floor_and_disjoint():
    r = ring(8)
    floor = jsd_floor_2d(r, 4000)
    assert 0 < floor < 0.05  # the histogram bias, measured
    assert hist_jsd_2d(np.full((1000, 2), 30.0), r) == pytest.approx(LOG2, abs=1e-9)  # all outside: disjoint


# ----- gradient penalty --------------------------------------------------------------------------
def test_gradient_penalty_linear_critic_is_hand_value():
    w = torch.tensor([1.2, -1.6])  # |w| = 2
    critic = lambda x: (x @ w).unsqueeze(-1)  # f(x) = w.x, gradient w everywhere
    g = torch.Generator().manual_seed(0)
    xr, xf, u = torch.randn(3, 16, 2, generator=g), torch.randn(3, 16, 2, generator=g), torch.rand(3, 16, generator=g)
    gp = gradient_penalty(critic, xr, xf, u)
    assert torch.allclose(gp, torch.full((3,), (2.0 - 1.0) ** 2), atol=1e-6)


def test_gradient_penalty_matches_per_sample_autograd_on_mlp():
    gen = torch.Generator().manual_seed(3)
    params = [p.unsqueeze(0) for p in init_stacked(2, 1, MLPConfig(width=8), gen)]  # one model
    critic = lambda x: stacked_forward(params, x, "leaky_relu")
    xr, xf, u = torch.randn(1, 10, 2, generator=gen), torch.randn(1, 10, 2, generator=gen), torch.rand(1, 10, generator=gen)
    by_hand = []
    for i in range(10):
        xh = (u[0, i] * xr[0, i] + (1 - u[0, i]) * xf[0, i]).detach().requires_grad_(True)
        (gi,) = torch.autograd.grad(critic(xh.view(1, 1, 2)).sum(), xh)
        by_hand.append((gi.norm() - 1) ** 2)
    assert gradient_penalty(critic, xr, xf, u).item() == pytest.approx(torch.stack(by_hand).mean().item(), rel=1e-5)


# ----- stacked networks and optimiser ------------------------------------------------------------
def test_stacked_mlp_matches_nn_linear():
    gen = torch.Generator().manual_seed(1)
    ps = init_stacked(3, 2, MLPConfig(width=5, depth=2, activation="tanh"), gen)
    net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 5), torch.nn.Tanh(),
                              torch.nn.Linear(5, 2))
    with torch.no_grad():
        for layer, (W, b) in zip([net[0], net[2], net[4]], zip(ps[::2], ps[1::2])):
            layer.weight.copy_(W.T), layer.bias.copy_(b[0])
    x = torch.randn(7, 3)
    got = stacked_forward([p.unsqueeze(0) for p in ps], x.unsqueeze(0), "tanh")[0]
    assert torch.allclose(got, net(x), atol=1e-6)


def test_stacked_adam_matches_torch_adam_and_masks():
    p0 = torch.randn(2, 3, 4)
    a = p0.clone()
    ref = [p0[m].clone().requires_grad_(True) for m in range(2)]
    lrs = [1e-2, 3e-3]
    opts = [torch.optim.Adam([ref[m]], lr=lrs[m], betas=(0.5, 0.999)) for m in range(2)]
    mine = StackedAdam([a], torch.tensor(lrs), betas=(0.5, 0.999))
    for step in range(6):
        g = torch.randn(2, 3, 4)
        active = torch.tensor([True, step % 2 == 0])  # model 1 skips every other step
        mine.step([g], active)
        for m in range(2):
            if active[m]:
                ref[m].grad = g[m].clone()
                opts[m].step()
    for m in range(2):
        assert torch.allclose(a[m], ref[m].detach(), atol=1e-6)


# ----- vectorised == one by one ------------------------------------------------------------------
@pytest.mark.parametrize("changes", [
    dict(),
    dict(loss="wgan-gp", mbstd=True),
    dict(target=ring(8), noise_dim=2, instance_noise=0.0),
], ids=["ns-1d", "wgan-gp-mbstd-1d", "ns-2d"])
def test_batched_equals_one_by_one(changes):
    cfg = ToyConfig(g=TINY, d=TINY, batch_size=16, log_every=10, n_eval=500).with_(**changes)
    per = dict(seed=[0, 5, 7], lr_d=[2e-3, 5e-3, 1e-3], lr_g=[5e-4, 1e-3, 2e-3], k_d=[1, 3, 2],
               instance_noise=[0.0, 0.3, 0.1], real_label=[1.0, 0.9, 1.0])
    together = BatchedGAN(cfg, **per).step(30)
    for m in range(3):
        alone = BatchedGAN(cfg, **{k: [v[m]] for k, v in per.items()}).step(30)
        for pa, pt in zip(alone.G + alone.D, together.G + together.D):
            assert torch.allclose(pa[0], pt[m], atol=1e-5), m
        for k in ("loss_d", "loss_g", "jsd", "covered"):
            assert np.allclose(alone.hist(k)[:, 0], together.hist(k)[:, m], atol=1e-4, equal_nan=True), (m, k)


def test_chunking_and_step_calls_do_not_matter():
    cfg = ToyConfig(g=TINY, d=TINY, batch_size=16, log_every=5, n_eval=200)
    a = BatchedGAN(cfg, seed=[1, 2]).step(40)
    b = BatchedGAN(cfg, seed=[1, 2])
    for n in (7, 13, 20):
        b.step(n)
    for pa, pb in zip(a.G + a.D, b.G + b.D):
        assert torch.equal(pa, pb)


def test_per_model_settings_are_validated():
    with pytest.raises(ValueError, match="one length"):
        BatchedGAN(ToyConfig(g=TINY, d=TINY), seed=[0, 1], lr_d=[1e-3, 1e-3, 1e-3])
    with pytest.raises(ValueError, match="per-model"):
        BatchedGAN(ToyConfig(g=TINY, d=TINY), batch_size=[3])
    with pytest.raises(ValueError, match="unknown loss"):
        BatchedGAN(ToyConfig(loss="hinge"))


# ----- presets: failure signature and fix on short runs -------------------------------------------
SHORT = {"mode_collapse": ("minibatch stddev", 250), "vanishing_gradients": ("non-saturating loss", 150),
         "disjoint_supports": ("instance noise", 200), "oscillation": ("smaller, balanced learning rates", 400),
         "useless_d": ("balanced learning rates", 150)}


def test_every_preset_is_covered_here():
    assert set(SHORT) == set(PRESETS)
    assert "WGAN-GP" in fixes_for_mode_collapse()


@pytest.mark.parametrize("name", PRESETS)
def test_preset_fails_and_its_fix_does_not(name):
    p = preset(name)
    fix, steps = SHORT[name]
    bad = p.run(steps=steps)
    assert p.failed(bad)[0], (name, p.signature(bad))
    good = p.run(fix, steps=steps)
    assert not p.failed(good)[0], (name, fix, p.signature(good))
