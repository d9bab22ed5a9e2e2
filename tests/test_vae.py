"""The MNIST VAE against references: the Gaussian KL vs torch.distributions, the Bernoulli likelihood
vs torch.distributions.Bernoulli, the ELBO and log p(x) vs numerical integration over a 1-D latent
(ELBO <= log p(x), the IWAE bound between them and converging to log p(x)), bits/dim = nats/(D ln 2)."""

from __future__ import annotations

import math

import pytest
import torch
from torch.distributions import Bernoulli, Normal, kl_divergence

from ganlab.images.vae import (VAE, VAEConfig, VAETrainer, binarize, bits_per_dim, evaluate_vae, export_vae,
                               gaussian_kl, load_vae, sample_vae)


def tiny(nz=1, seed=0):
    torch.manual_seed(seed)
    return VAE(VAEConfig(nz=nz, width=4)).eval()


def binary_images(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    return binarize(torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=g), g)


def test_gaussian_kl_matches_torch_distributions():
    g = torch.Generator().manual_seed(0)
    mu, logvar = torch.randn(7, 5, generator=g), torch.randn(7, 5, generator=g)
    want = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum(1)
    assert torch.allclose(gaussian_kl(mu, logvar), want, atol=1e-5)
    assert torch.equal(gaussian_kl(torch.zeros(2, 3), torch.zeros(2, 3)), torch.zeros(2))


def test_bernoulli_log_likelihood_matches_torch_distributions():
    vae = tiny(nz=3)
    x, z = binary_images(4), torch.randn(4, 3)
    logits = vae.decoder(z)
    want = Bernoulli(logits=logits).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(vae.log_px_given_z(x, z), want, atol=1e-3)


def test_bits_per_dim_is_nats_over_d_ln2():
    # a fair coin per pixel: log p(x) = -784 ln 2 for every binary image, i.e. exactly 1 bit per pixel
    assert bits_per_dim(784 * math.log(2)) == pytest.approx(1.0)
    assert bits_per_dim(100.0, dims=10) == pytest.approx(100 / (10 * math.log(2)))
    vae = tiny(nz=2)
    for m in vae.decoder.modules():  # zero logits: p = 1/2 everywhere
        if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d, torch.nn.Linear)):
            torch.nn.init.zeros_(m.weight), torch.nn.init.zeros_(m.bias)
    x = binary_images(3)
    lp = vae.log_px_given_z(x, torch.randn(3, 2))
    assert torch.allclose(bits_per_dim(-lp), torch.ones(3), atol=1e-6)


def _quadrature(vae, x):
    """log p(x), and the ELBO, by summing over a fine grid of the 1-D latent (p(z) = N(0, 1))."""
    z = torch.linspace(-9, 9, 2001).unsqueeze(1)                        # (Z, 1)
    dz = float(z[1] - z[0])
    log_pz = Normal(0.0, 1.0).log_prob(z[:, 0])
    mu, logvar = vae.encode(x)
    out = []
    for i in range(len(x)):
        lpx = vae.log_px_given_z(x[i:i + 1].expand(len(z), -1, -1, -1), z)  # (Z,)
        log_px = torch.logsumexp(lpx + log_pz, 0) + math.log(dz)
        q = Normal(mu[i, 0], (0.5 * logvar[i, 0]).exp()).log_prob(z[:, 0]).exp()
        elbo = (q * lpx).sum() * dz - gaussian_kl(mu[i:i + 1], logvar[i:i + 1])[0]
        out.append((float(log_px), float(elbo)))
    return out


@torch.no_grad()
def test_elbo_and_iwae_against_numerical_integration():
    vae = tiny(nz=1, seed=1)
    x = binary_images(3, seed=2)
    ref = _quadrature(vae, x)
    g = torch.Generator().manual_seed(0)
    n_mc = 2000
    xr = x.repeat(n_mc, 1, 1, 1)                                       # (n_mc·3, 1, 28, 28), one batch
    mc_elbo = vae.elbo(xr, g)["elbo"].reshape(n_mc, 3).mean(0)
    iwae_1 = vae.iwae_bound(xr, 1, g).reshape(n_mc, 3).mean(0)
    iwae_big = vae.iwae_bound(x.repeat(30, 1, 1, 1), 100, g).reshape(30, 3)  # 30 independent k = 100 bounds
    iwae_big = iwae_big.mean(0)
    for i, (log_px, elbo) in enumerate(ref):
        assert elbo < log_px                                           # the bound, with a visible gap here
        assert float(mc_elbo[i]) == pytest.approx(elbo, abs=0.02 * abs(elbo))      # MC ELBO = integral
        assert float(iwae_1[i]) == pytest.approx(elbo, abs=0.02 * abs(elbo))       # k = 1 is the ELBO
        assert float(mc_elbo[i]) < float(iwae_big[i]) <= log_px + 0.05              # E[IWAE_100] between them
        assert float(iwae_big[i]) == pytest.approx(log_px, abs=0.01 * abs(log_px))  # and close to log p(x)
    with pytest.raises(ValueError, match="k must be"):
        vae.iwae_bound(x, 0)


def test_binarize_keeps_the_grey_values_as_probabilities():
    u = torch.tensor([0, 51, 128, 255], dtype=torch.uint8).repeat(20000, 1).reshape(-1, 2, 2)
    x = binarize(u, torch.Generator().manual_seed(0))
    assert set(x.unique().tolist()) <= {0.0, 1.0} and x.shape == (20000, 1, 2, 2)
    freq = x.mean(0).flatten()
    assert torch.allclose(freq, torch.tensor([0, 51, 128, 255]) / 255.0, atol=0.01)
    assert freq[0] == 0 and freq[3] == 1


def test_training_is_seeded_improves_and_exports(tmp_path):
    data = torch.randint(0, 256, (64, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(3))
    data[:, :, :14] = 0  # structure to learn: the left half is always black
    cfg = VAEConfig(width=4, batch_size=16, log_every=5, seed=5)
    a, b = VAETrainer(cfg, data=data), VAETrainer(cfg, data=data)
    before = a.evaluate(data)["elbo_nats"]
    a.train(steps=40), b.train(steps=40)
    assert all(torch.equal(p, q) for p, q in zip(a.vae.state_dict().values(), b.vae.state_dict().values()))
    c = VAETrainer(VAEConfig(width=4, batch_size=16, log_every=5, seed=6), data=data)
    c.train(steps=1)
    assert not torch.equal(next(a.vae.parameters()), next(c.vae.parameters()))
    m = a.evaluate(data, k=5)
    assert m["elbo_nats"] > before + 20 and len(a.history["elbo"]) == 8
    assert m["bits_per_dim"] == pytest.approx(-m["elbo_nats"] / (784 * math.log(2)))
    assert m["elbo_nats"] == pytest.approx(m["recon_nats"] - m["kl_nats"], abs=1e-3)
    path = a.export(tmp_path / "v.pt", extra=m)
    vae, meta = load_vae(path)
    assert meta["extra"]["elbo_nats"] == m["elbo_nats"] and meta["step"] == 40
    s1, s2 = sample_vae(vae, 10, seed=1), sample_vae(a.vae, 10, seed=1)
    assert s1.dtype == torch.uint8 and s1.shape == (10, 28, 28)
    assert (s1.int() - s2.int()).abs().max() <= 2   # fp16 weights: within 2 grey levels
    assert torch.equal(sample_vae(vae, 10, seed=1), s1) and not torch.equal(sample_vae(vae, 10, seed=2), s1)


def test_full_size_export_is_small(tmp_path):
    cfg = VAEConfig()
    path = export_vae(VAE(cfg), cfg, tmp_path / "v.pt")
    assert path.stat().st_size < 0.5e6


@pytest.mark.parametrize("kw, msg", [({"nz": 0}, "nz"), ({"width": 300}, "width"), ({"lr": 0}, "lr"),
                                     ({"batch_size": 1}, "batch_size"), ({"seed": -1}, "seed")])
def test_config_validation(kw, msg):
    with pytest.raises(ValueError, match=msg):
        VAEConfig(**kw)


def test_load_refuses_other_files(tmp_path):
    torch.save({"format": "other"}, tmp_path / "x.pt")
    with pytest.raises(ValueError, match="not a VAE"):
        load_vae(tmp_path / "x.pt")
    with pytest.raises(ValueError, match="steps or minutes"):
        VAETrainer(VAEConfig(width=4, batch_size=4), data=torch.zeros(8, 28, 28, dtype=torch.uint8)).train()


def test_cli_dry_run_and_errors(tmp_path, capsys):
    from ganlab.__main__ import main
    assert main(["vae", "train", "--dry-run", "--out", str(tmp_path / "v")]) == 0
    vae, meta = load_vae(tmp_path / "v" / "vae_fp16.pt")
    assert meta["step"] == 4 and "bits_per_dim" in meta["extra"] and "iwae_nats" in meta["extra"]
    assert main(["vae", "train", "--steps", "0", "--out", str(tmp_path / "w")]) == 2
    assert "--steps must be positive" in capsys.readouterr().err
    assert main(["vae", "train", "--out", str(tmp_path / "w")]) == 2
    assert "give --steps or --minutes" in capsys.readouterr().err
    assert main(["vae", "train", "--steps", "5", "--nz", "0", "--out", str(tmp_path / "w")]) == 2
    assert "nz must be" in capsys.readouterr().err
    assert main(["dcgan", "curve", str(tmp_path / "nothing")]) == 2   # no snapshots: one line, no traceback
    assert "no generator snapshots" in capsys.readouterr().err
