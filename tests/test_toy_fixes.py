"""Spectral normalisation of the toy D and the Lipschitz measurements behind notebook 04's fixes."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from ganlab.core import seeded
from ganlab.toy import BatchedGAN, Discriminator, MLPConfig, ToyConfig, ToyTrainer
from ganlab.toy import d_lipschitz, max_grad_norm, spectral_bound

SMALL = ToyConfig(g=MLPConfig(width=8), d=MLPConfig(width=8), batch_size=32, log_every=10, k_d=1)


def _readable(d: Discriminator):
    return SimpleNamespace(D=d, config=SimpleNamespace())  # what d_lipschitz reads of a readable trainer


def test_linear_network_lipschitz_is_its_weights_norm():
    # ℓ(x) = w·x + b: |∇ℓ| = |w| everywhere, and |w| is the spectral norm of the 1 x 3 matrix w
    with seeded(3):
        d = Discriminator(MLPConfig(depth=0), in_dim=3)
    w = d.net[0].weight.detach().double().numpy()
    x = np.random.default_rng(0).normal(size=(50, 3))
    out = d_lipschitz(_readable(d), x)
    assert out["slope"][0] == pytest.approx(np.linalg.norm(w), rel=1e-5)
    assert out["bound"][0] == pytest.approx(np.linalg.norm(w), rel=1e-12)


def test_spectral_bound_is_the_product_of_largest_singular_values():
    ws = [torch.randn(5, 3, generator=torch.Generator().manual_seed(i)) for i in range(3)]
    expected = np.prod([np.linalg.svd(w.double().numpy(), compute_uv=False)[0] for w in ws])
    assert float(spectral_bound(ws)) == pytest.approx(expected, rel=1e-12)
    stacked = torch.stack(ws)[None]  # a leading model axis: one value per model
    two = np.prod([np.linalg.svd(w.double().numpy(), compute_uv=False)[0] for w in ws[:2]])
    assert spectral_bound([stacked[:, 0], stacked[:, 1]]).shape == (1,)
    assert float(spectral_bound([stacked[:, 0], stacked[:, 1]])[0]) == pytest.approx(two, rel=1e-6)


def test_measured_slope_matches_finite_differences_and_stays_under_the_bound():
    with seeded(0):
        d = Discriminator(MLPConfig(width=16, depth=2))
    x = np.linspace(-4, 4, 40001)
    with torch.no_grad():
        logit = d(torch.tensor(x, dtype=torch.float64).float()[:, None])[:, 0].double().numpy()
    fd = np.abs(np.diff(logit) / np.diff(x)).max()  # a piecewise-linear ℓ: finite differences on a fine grid
    out = d_lipschitz(_readable(d), x)
    assert out["slope"][0] == pytest.approx(fd, rel=1e-2)
    assert out["slope"][0] <= out["bound"][0]


def test_max_grad_norm_of_a_closed_form():
    x = torch.linspace(-1, 2, 301)[:, None]
    assert float(max_grad_norm(lambda v: (v[:, 0] ** 3), x)) == pytest.approx(3 * 2.0 ** 2, rel=1e-5)
    with pytest.raises(ValueError, match="one value per point"):
        max_grad_norm(lambda v: v, x)


def test_batched_lipschitz_per_model_matches_its_scores():
    t = BatchedGAN(SMALL, seed=[0, 1, 2]).step(30)
    x = np.linspace(-3, 8, 20001)
    out = d_lipschitz(t, x)
    logits = t.scores(x)  # (M, n)
    fd = np.abs(np.diff(logits, axis=1) / np.diff(x)).max(1)
    assert out["slope"] == pytest.approx(fd, rel=1e-2)
    for m in range(3):  # the bound of model m from its own weights
        ws = [t.D[i][m].detach().double().numpy() for i in range(0, len(t.D), 2)]
        assert out["bound"][m] == pytest.approx(np.prod([np.linalg.norm(w, 2) for w in ws]), rel=1e-9)
    with pytest.raises(ValueError, match="mbstd"):
        d_lipschitz(BatchedGAN(SMALL.with_(mbstd=True)), x)


def test_spectral_norm_makes_every_layer_norm_one_and_the_logit_one_lipschitz():
    t = ToyTrainer(SMALL.with_(spectral_norm=True, lr_d=1e-2)).step(25)
    assert t.D.training
    state = {k: v.clone() for k, v in t.D.state_dict().items()}
    t.D.linear_weights()  # reading the weights runs no power-iteration step and keeps the mode
    assert t.D.training and all(torch.equal(v, t.D.state_dict()[k]) for k, v in state.items())
    for w in t.D.linear_weights():
        sigma = np.linalg.norm(w.detach().double().numpy(), 2)
        assert sigma == pytest.approx(1.0, abs=0.05)
        assert sigma >= 1 - 1e-5  # the estimate u·Wv of σ(W) is never too large (|u| = |v| = 1), so W/estimate >= 1
    out = d_lipschitz(t, np.linspace(-4, 8, 4001))
    assert out["bound"][0] == pytest.approx(1.0, abs=0.1) and out["slope"][0] <= out["bound"][0] + 1e-6
    plain = d_lipschitz(ToyTrainer(SMALL.with_(lr_d=1e-2)).step(25), np.linspace(-4, 8, 4001))
    assert plain["bound"][0] > 1.5  # without it nothing holds the layers at norm 1


def test_spectral_norm_starts_from_the_same_weights():
    with seeded(5):
        a = Discriminator(MLPConfig())
    with seeded(5):
        b = Discriminator(MLPConfig(), spectral_norm=True)
    w_a = [layer.weight for layer in a.net if isinstance(layer, torch.nn.Linear)]
    w_b = [layer.parametrizations.weight.original for layer in b.net if isinstance(layer, torch.nn.Linear)]
    assert all(torch.equal(x, y) for x, y in zip(w_a, w_b))


def test_looking_at_a_spectral_norm_d_does_not_change_the_run():
    # recording every iteration evaluates D 50 times more often than recording once: the same run
    a = ToyTrainer(SMALL.with_(spectral_norm=True, log_every=1)).step(50)
    b = ToyTrainer(SMALL.with_(spectral_norm=True, log_every=50)).step(50)
    d_lipschitz(b, np.linspace(-3, 3, 11))
    sa, sb = a.D.state_dict(), b.D.state_dict()
    assert sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
    assert b.D.training  # measuring put it back in training mode


def test_lipschitz_of_the_2d_lab_discriminator():
    from ganlab.toy import Toy2DConfig, Toy2DTrainer
    t = Toy2DTrainer(Toy2DConfig(spectral_norm=True, n_eval=64, w1_n=16))
    out = d_lipschitz(t, np.random.default_rng(0).normal(size=(500, 2)))
    assert out["slope"][0] <= out["bound"][0] == pytest.approx(1.0, abs=0.05)
    with pytest.raises(ValueError, match="mbstd"):
        d_lipschitz(Toy2DTrainer(Toy2DConfig(mbstd=True, n_eval=64, w1_n=16)), np.zeros((3, 2)))


def test_spectral_norm_config_is_checked():
    with pytest.raises(ValueError, match="spectral_norm must be True or False, got 1"):
        ToyConfig(spectral_norm=1).validate()
    with pytest.raises(ValueError, match="spectral_norm=True is implemented by ganlab.toy.ToyTrainer only"):
        BatchedGAN(ToyConfig(spectral_norm=True))
    with pytest.raises(ValueError, match="spectral_norm must be True or False"):
        Discriminator(MLPConfig(), spectral_norm="yes")


@pytest.mark.parametrize("alpha", [1.0, 0.9, 0.7])
def test_one_sided_label_smoothing_optimal_discriminator(alpha):
    # pointwise, p·BCE(ℓ; α) + q·BCE(ℓ; 0) is convex in the logit ℓ, minimised at D = σ(ℓ) = α p / (p + q)
    from ganlab.theory import fake_loss, real_loss
    for p, q in ((0.3, 0.5), (1.2, 0.1), (0.7, 0.0)):
        if q == 0 and alpha == 1.0:
            continue  # D* = 1: the logit runs to +∞
        d_star = alpha * p / (p + q)
        logit = torch.tensor(float(np.log(d_star / (1 - d_star))), dtype=torch.float64, requires_grad=True)
        loss = p * real_loss(logit, alpha) + q * fake_loss(logit)
        (g,) = torch.autograd.grad(loss, logit)
        assert abs(float(g)) < 1e-12
        for step in (-0.1, 0.1):  # and it is a minimum
            assert float(p * real_loss(logit.detach() + step, alpha) + q * fake_loss(logit.detach() + step)) > float(loss.detach())
    if alpha < 1:  # where only data (q = 0): real_loss(·, α) is smallest at the cap log(α / (1 - α))
        cap = torch.tensor(float(np.log(alpha / (1 - alpha))), dtype=torch.float64, requires_grad=True)
        (g,) = torch.autograd.grad(real_loss(cap, alpha), cap)
        assert abs(float(g)) < 1e-12


def test_d_grad_clip_bounds_each_sgd_step_by_lr_times_c():
    cfg = SMALL.with_(optimizer="sgd", lr_d=0.5, lr_g=0.5)
    before = [p.detach().clone() for p in BatchedGAN(cfg, seed=[0, 1]).D]
    plain = BatchedGAN(cfg, seed=[0, 1]).step(1)
    step_plain = [p.detach() - b for p, b in zip(plain.D, before)]  # = -lr g
    g_norm = torch.sqrt(sum((s.reshape(2, -1) ** 2).sum(1) for s in step_plain)) / cfg.lr_d  # |g| per model
    for c in (1e-3, 1e6):  # active and inactive
        clipped = BatchedGAN(cfg.with_(d_grad_clip=c), seed=[0, 1]).step(1)
        scale = torch.clamp(c / g_norm, max=1.0)  # g -> g min(1, c / |g|)
        for p, b, s in zip(clipped.D, before, step_plain):
            expected = s * scale.view(-1, *([1] * (s.dim() - 1)))
            assert torch.allclose(p.detach() - b, expected, atol=1e-7, rtol=1e-4)
        moved = torch.sqrt(sum(((p.detach() - b).reshape(2, -1) ** 2).sum(1) for p, b in zip(clipped.D, before)))
        if c < 1:  # active: the step is at most lr·c (float32 differences of weights ~0.3)
            assert torch.all(moved <= cfg.lr_d * c * (1 + 1e-3))
