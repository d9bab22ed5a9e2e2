import math

import numpy as np
import pytest
import torch

from ganlab.theory import (LOG2, LOG4, Gaussian, GaussianMixture, discriminator_loss, generator_loss,
                           generator_loss_grad_wrt_logit, js_divergence)
from ganlab.core import History, TrainingDiverged
from ganlab.toy import MLPConfig, ToyConfig, ToyTrainer


def small(**kw):
    base = dict(g=MLPConfig(width=16), d=MLPConfig(width=16), batch_size=64, log_every=10)
    base.update(kw)
    return ToyConfig(**base)


def test_same_seed_same_history():
    a, b = ToyTrainer(small(seed=3)), ToyTrainer(small(seed=3))
    a.step(60)
    b.step(30)
    b.step(30)  # chunking must not matter
    for k in ("loss_d", "loss_g", "d_real", "d_fake", "jsd", "v"):
        assert np.array_equal(a.history.array(k), b.history.array(k), equal_nan=True), k
    c = ToyTrainer(small(seed=4))
    c.step(60)
    assert not np.array_equal(a.history.array("loss_d"), c.history.array("loss_d"))


def test_metrics_are_exact_for_an_affine_generator():
    t = ToyTrainer(small(g=MLPConfig(depth=0)))  # G(z) = a z + b: p_g is exactly N(b, a²)
    lin = t.G.net[0]
    with torch.no_grad():
        lin.weight.fill_(1.5)
        lin.bias.fill_(2.0)
    m = t.metrics()
    ref = js_divergence(t.config.target, Gaussian(2.0, 1.5))
    assert m["jsd"] == pytest.approx(ref, abs=2e-4)
    assert m["v_opt"] == pytest.approx(2 * m["jsd"] - LOG4)
    assert m["v"] <= m["v_opt"] + 1e-3  # no D beats D*


def test_collapsed_generator_far_away_gives_log2():
    t = ToyTrainer(small(g=MLPConfig(depth=0)))
    with torch.no_grad():
        t.G.net[0].weight.zero_()
        t.G.net[0].bias.fill_(-30.0)
    assert t.metrics()["jsd"] == pytest.approx(LOG2, abs=1e-6)


def test_losses_match_their_formulas():
    logits = torch.tensor([[-2.0], [0.0], [3.0]])
    d = torch.sigmoid(logits)
    assert generator_loss(logits, "ns").item() == pytest.approx(-torch.log(d).mean().item(), rel=1e-6)
    assert generator_loss(logits, "minimax").item() == pytest.approx(torch.log(1 - d).mean().item(), rel=1e-6)
    real, fake = torch.tensor([[1.0], [2.0]]), torch.tensor([[-1.0], [0.5]])
    v = torch.log(torch.sigmoid(real)).mean() + torch.log(1 - torch.sigmoid(fake)).mean()
    assert discriminator_loss(real, fake).item() == pytest.approx(-v.item(), rel=1e-6)  # loss_D = -V
    half = torch.zeros(4, 1)
    assert discriminator_loss(half, half).item() == pytest.approx(LOG4)  # at equilibrium: log 4, not log 2
    with pytest.raises(ValueError, match="unknown loss"):
        generator_loss(logits, "wasserstein")


@pytest.mark.parametrize("kind", ["ns", "minimax"])
def test_generator_gradient_formula_vs_autograd(kind):
    logits = torch.linspace(-6, 6, 25, requires_grad=True)
    loss = generator_loss(logits.reshape(-1, 1), kind) * logits.numel()  # per-sample losses summed
    (grad,) = torch.autograd.grad(loss, logits)
    formula = generator_loss_grad_wrt_logit(torch.sigmoid(logits.detach()), kind)
    assert torch.allclose(grad, formula, atol=1e-6)


def test_nan_stops_with_message_and_keeps_last_good_state():
    t = ToyTrainer(small(optimizer="sgd", lr_d=5.0, lr_g=5.0, target=Gaussian(1e4, 1.0)))
    with pytest.raises(TrainingDiverged, match="non-finite.*Restored the last good state.*smaller learning rates"):
        t.step(500)
    assert all(torch.isfinite(p).all() for p in list(t.G.parameters()) + list(t.D.parameters()))
    assert t.iteration % t.config.log_every == 0


@pytest.mark.parametrize("kw,match", [
    (dict(lr_d=0.0), r"lr_d must be in \(0, 10\]"), (dict(lr_g=-1e-3), "lr_g"), (dict(k_d=0), "k_d must be an integer in 1..100"),
    (dict(k_g=0), "k_g"), (dict(batch_size=0), "batch_size"), (dict(loss="hinge"), "unknown loss"),
    (dict(optimizer="rmsprop"), "unknown optimizer"), (dict(noise="cauchy"), "unknown noise"),
    (dict(g=MLPConfig(width=0)), "generator width"), (dict(seed=-1), "seed"),
])
def test_bad_config_is_a_clear_error(kw, match):
    with pytest.raises(ValueError, match=match):
        ToyTrainer(small(**kw))


def test_live_changes_keep_the_run():
    t = ToyTrainer(small())
    t.step(20)
    t.set_lr(lr_d=1e-4)
    assert t.opt_d.param_groups[0]["lr"] == 1e-4
    t.set_target(GaussianMixture((-1, 1), (0.3, 0.3)))
    t.step(10)
    assert t.iteration == 30
    with pytest.raises(ValueError):
        t.set_lr(lr_g=0)


def test_history_thins_but_spans_the_run():
    h = History(maxlen=8)
    for i in range(100):
        h.append(step=i)
    steps = h.array("step")
    assert len(h) <= 8 and steps[0] == 0 and steps[-1] >= 64
    assert np.all(np.diff(steps) == np.diff(steps)[0])  # evenly spaced


def test_history_csv(tmp_path):
    t = ToyTrainer(small())
    t.step(30)
    path = t.history.to_csv(tmp_path / "h.csv")
    lines = path.read_text().splitlines()
    assert lines[0].split(",")[:3] == ["step", "seconds", "loss_d"]
    assert len(lines) == len(t.history) + 1


def test_training_lowers_jsd_on_a_gaussian():
    t = ToyTrainer(ToyConfig(seed=0))
    start = t.metrics()["jsd"]
    t.step(600)
    assert t.metrics()["jsd"] < 0.5 * start


def test_one_config_for_both_engines_with_clear_errors():
    from ganlab.toy import BatchedGAN, ring
    cfg = small()
    assert BatchedGAN(cfg.with_(batch_size=16)).config.lr_d == cfg.lr_d  # the same ToyConfig drives both
    with pytest.raises(ValueError, match="mbstd=True is implemented by ganlab.toy.BatchedGAN only"):
        ToyTrainer(small(mbstd=True))
    with pytest.raises(ValueError, match="k_g=2 is implemented by ganlab.toy.ToyTrainer only"):
        BatchedGAN(small(k_g=2))
    with pytest.raises(ValueError, match="noise='uniform' is implemented by ganlab.toy.ToyTrainer only"):
        BatchedGAN(small(noise="uniform"))
    with pytest.raises(ValueError, match="ToyTrainer trains 1-D targets"):
        ToyTrainer(small(target=ring(8)))


def test_both_engines_share_one_api():
    from ganlab.toy import BatchedGAN
    cfg = small(log_every=10, n_eval=500)
    toy, batched = ToyTrainer(cfg), BatchedGAN(cfg.with_(batch_size=cfg.batch_size))
    assert toy.step(20) is toy and batched.step(20) is batched
    x = np.linspace(-2, 5, 7)
    assert toy.d_prob(x).shape == (7,) and batched.d_prob(x).shape == (1, 7)
    assert toy.samples(100).shape == (100, 1) and batched.samples(100).shape == (1, 100, 1)
    assert toy.history.array("jsd").shape == (3,) and batched.history.array("jsd").shape == (3, 1)
    assert toy.final("jsd") == toy.history.array("jsd")[-1]
    assert set(toy.metrics()) >= {"jsd", "v"} and set(batched.metrics()) >= {"jsd", "covered", "quality"}


@pytest.mark.parametrize("loss", ["wgan-clip", "wgan-gp"])
def test_toy_trainer_runs_the_wasserstein_losses(loss):
    t = ToyTrainer(small(loss=loss, k_d=3, clip_value=0.05))
    t.step(30)
    assert np.isfinite(t.last["loss_d"]) and np.isfinite(t.last["loss_g"])
    if loss == "wgan-clip":
        assert all(float(p.detach().abs().max()) <= 0.05 + 1e-7 for p in t.D.parameters())
    # critic scores are recorded raw (no sigmoid): the critic loss is their difference (+ the penalty)
    gap = t.last["d_fake"] - t.last["d_real"]
    if loss == "wgan-clip":
        assert t.last["loss_d"] == pytest.approx(gap, abs=1e-6)
    else:
        assert t.last["loss_d"] >= gap - 1e-6


def test_rejected_settings_leave_the_config_as_it_was():
    t = ToyTrainer(small())
    with pytest.raises(ValueError, match="lr_d must be in"):
        t.set_lr(lr_d=-1.0)
    assert t.config.lr_d == small().lr_d and t.opt_d.param_groups[0]["lr"] == small().lr_d
    with pytest.raises(ValueError, match="seed must be an integer in 0..4294967295, got -3"):
        t.reset(seed=-3)
    assert t.config.seed == small().seed


def test_building_and_training_leave_the_global_rng_alone():
    from ganlab.toy import BatchedGAN
    torch.manual_seed(99)
    expected = torch.rand(4)
    torch.manual_seed(99)
    ToyTrainer(small()).step(5)
    BatchedGAN(small()).step(5)
    assert torch.equal(torch.rand(4), expected)
