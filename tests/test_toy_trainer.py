import math

import numpy as np
import pytest
import torch

from ganlab.theory import (Gaussian, GaussianMixture, discriminator_loss, generator_loss, generator_loss_grad_wrt_logit, LOG2, LOG4, js_divergence)
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
