"""A small convolutional VAE on binarised MNIST: an *explicit* model with a likelihood bound (notebook 05).

The model (Kingma & Welling 2014):

* prior ``p(z) = N(0, I)`` on ``z`` in R^nz;
* decoder ``p(x|z)``: 784 independent **Bernoulli** pixels with probabilities ``sigmoid(logits(z))``;
* encoder ``q(z|x) = N(mu(x), diag exp(logvar(x)))``.

The data are **binarised** MNIST: each grey value ``u/255`` is the probability that the pixel is 1, drawn
afresh every time an image is used in training (dynamic binarisation) and once with a fixed seed for
evaluation. So the Bernoulli likelihood is a true probability of the binary image, and

    ELBO(x) = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z)) ≤ log p(x)

is a lower bound on its log-likelihood in nats. :meth:`VAE.iwae_bound` is the tighter importance-weighted
bound (Burda et al. 2016), which rises towards log p(x) as the number of samples grows. Bits per dimension
are ``−ELBO / (784 · ln 2)`` (:func:`bits_per_dim`): bits per *binary* pixel, not comparable with the bits/dim
of models of 8-bit grey values (those spread probability over 256 levels per pixel).

Samples shown as images are the decoder's **mean** ``sigmoid(logits(z))`` as grey values, as is customary;
drawing the Bernoulli pixels too would give speckled binary images.

Use::

    from ganlab.images.vae import VAEConfig, VAETrainer, sample_vae
    tr = VAETrainer(VAEConfig(seed=0))
    tr.train(steps=3000)
    tr.evaluate(test_images)        # {'elbo_nats': ..., 'bits_per_dim': ..., ...}
    sample_vae(tr.vae, 64, seed=0)  # uint8 (64, 28, 28)
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
import torch.nn.functional as F

from ganlab.core import load_checkpoint, num_threads, save_atomic, seeded

FORMAT = "ganlab-vae-1"
D_PIXELS = 28 * 28


@dataclass
class VAEConfig:
    """Sizes and training settings of :class:`VAE` / :class:`VAETrainer`."""

    nz: int = 16  # latent dimensions, 1..256
    width: int = 16  # channels of the first conv layer (the second has 2·width), 1..256
    batch_size: int = 128  # images per step, 2..60000
    lr: float = 1e-3  # Adam learning rate, in (0, 1]
    seed: int = 0  # seeds the weights, the batch order, the binarisation and the reparameterisation noise; 0..2**32-1
    log_every: int = 100  # steps between history records, >= 1

    def __post_init__(self):
        for name, lo, hi in (("nz", 1, 256), ("width", 1, 256), ("batch_size", 2, 60000), ("log_every", 1, 10**9),
                             ("seed", 0, 2**32 - 1)):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                raise ValueError(f"{name} must be an integer in {lo}..{hi}, got {v!r}")
        if not (isinstance(self.lr, (int, float)) and 0 < self.lr <= 1):
            raise ValueError(f"lr must be a number in (0, 1], got {self.lr!r}")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "VAEConfig":
        return cls(**d)


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, diag e^logvar) ‖ N(0, I)) per row, in nats: ½ Σ (mu² + σ² − 1 − log σ²). (B, nz) → (B,)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)


def bits_per_dim(nats, dims: int = D_PIXELS):
    """A log-likelihood (or its bound) of ``dims`` values in nats → bits per value: nats / (dims · ln 2)."""
    return nats / (dims * math.log(2))


def binarize(images_u8: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """uint8 (B, 28, 28) → float (B, 1, 28, 28) of 0s and 1s, pixel = 1 with probability u/255."""
    p = images_u8.unsqueeze(1).float() / 255.0
    return torch.bernoulli(p, generator=generator)


class VAE(nn.Module):
    """Conv encoder x → (mu, logvar), conv decoder z → 784 Bernoulli logits."""

    def __init__(self, cfg: VAEConfig):
        super().__init__()
        c = cfg.width
        self.nz = cfg.nz
        self.encoder = nn.Sequential(                                   # (B, 1, 28, 28)
            nn.Conv2d(1, c, 4, 2, 1), nn.ReLU(),                        # (B, c, 14, 14)
            nn.Conv2d(c, 2 * c, 4, 2, 1), nn.ReLU(),                    # (B, 2c, 7, 7)
            nn.Flatten(), nn.Linear(2 * c * 49, 2 * cfg.nz))            # (B, 2·nz): mu and logvar
        self.decoder = nn.Sequential(                                   # (B, nz)
            nn.Linear(cfg.nz, 2 * c * 49), nn.ReLU(),                   # (B, 2c·49)
            nn.Unflatten(1, (2 * c, 7, 7)),                             # (B, 2c, 7, 7)
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.ReLU(),           # (B, c, 14, 14)
            nn.ConvTranspose2d(c, 1, 4, 2, 1))                          # (B, 1, 28, 28) logits

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu, logvar.clamp(-12, 8)

    def log_px_given_z(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """log p(x|z) per image: the negative binary cross-entropy summed over the 784 pixels. (B,)"""
        return -F.binary_cross_entropy_with_logits(self.decoder(z), x, reduction="none").flatten(1).sum(1)

    def elbo(self, x: torch.Tensor, generator: torch.Generator | None = None) -> dict:
        """One-sample ELBO per image (B,) for binary x (B, 1, 28, 28), with its two terms:
        ``recon`` = log p(x|z) at z = mu + σ·ε (the reparameterisation), ``kl`` = KL(q(z|x) ‖ p(z))."""
        mu, logvar = self.encode(x)
        eps = torch.randn(mu.shape, generator=generator, device=mu.device)
        z = mu + (0.5 * logvar).exp() * eps
        recon, kl = self.log_px_given_z(x, z), gaussian_kl(mu, logvar)
        return {"elbo": recon - kl, "recon": recon, "kl": kl}

    @torch.no_grad()
    def iwae_bound(self, x: torch.Tensor, k: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """log (1/k) Σ_i p(x, z_i) / q(z_i|x), z_i ~ q(z|x): a lower bound on log p(x) per image (B,),
        equal to the ELBO in expectation for k = 1 and rising towards log p(x) as k grows."""
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        mu, logvar = self.encode(x)
        std = (0.5 * logvar).exp()
        logw = []
        for _ in range(k):
            eps = torch.randn(mu.shape, generator=generator, device=mu.device)
            z = mu + std * eps
            log_q = -0.5 * (eps.pow(2) + logvar + math.log(2 * math.pi)).sum(1)
            log_pz = -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(1)
            logw.append(self.log_px_given_z(x, z) + log_pz - log_q)
        return torch.logsumexp(torch.stack(logw), 0) - math.log(k)


@torch.no_grad()
def sample_vae(vae: VAE, n: int, seed: int = 0) -> torch.Tensor:
    """``n`` samples z ~ N(0, I) (seeded), decoded to the mean image: uint8 (n, 28, 28), round(255 · p)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    z = torch.randn(n, vae.nz, generator=torch.Generator().manual_seed(seed))
    was = vae.training
    vae.eval()
    try:
        p = torch.cat([torch.sigmoid(vae.decoder(zc)) for zc in z.split(1024)])
    finally:
        vae.train(was)
    return (p[:, 0] * 255).round().to(torch.uint8)


@torch.no_grad()
def evaluate_vae(vae: VAE, images_u8: torch.Tensor, seed: int = 0, k: int = 0, k_images: int = 1000) -> dict:
    """Test-set bounds in nats per image and bits per (binary) pixel, averaged over ``images_u8``
    binarised once with ``seed``: the one-sample ELBO (and its reconstruction and KL terms); with
    ``k`` > 0 also the k-sample IWAE bound on the first ``k_images`` images (and their ELBO, to compare)."""
    g = torch.Generator().manual_seed(seed)
    x = binarize(images_u8, g)
    parts = [vae.elbo(xb, g) for xb in x.split(1000)]
    res = {key: float(torch.cat([p[key] for p in parts]).mean()) for key in ("elbo", "recon", "kl")}
    out = {"n": len(x), "elbo_nats": res["elbo"], "recon_nats": res["recon"], "kl_nats": res["kl"],
           "bits_per_dim": bits_per_dim(-res["elbo"])}
    if k:
        xs = x[:k_images]
        out.update(iwae_k=k, iwae_n=len(xs),
                   iwae_nats=float(torch.cat([vae.iwae_bound(xb, k, g) for xb in xs.split(250)]).mean()),
                   elbo_nats_iwae_subset=float(torch.cat([vae.elbo(xb, g)["elbo"] for xb in xs.split(250)]).mean()))
    return out


class VAETrainer:
    """Adam on −ELBO with dynamically binarised batches; seeded, one CPU thread while training.

    ``data``: uint8 (N, 28, 28), default the MNIST training set."""

    def __init__(self, config: VAEConfig | None = None, data: torch.Tensor | None = None):
        self.config = cfg = config if config is not None else VAEConfig()
        if data is None:
            from ganlab.images.mnist import load_mnist
            data, _ = load_mnist("train")
        if not (isinstance(data, torch.Tensor) and data.dtype == torch.uint8 and data.dim() == 3):
            raise ValueError(f"data must be a uint8 tensor (N, 28, 28), got {getattr(data, 'dtype', type(data))}")
        if cfg.batch_size > len(data):
            raise ValueError(f"batch_size {cfg.batch_size} is larger than the data ({len(data)} images)")
        self.data = data
        self.steps_per_epoch = len(data) // cfg.batch_size
        with seeded(cfg.seed):
            self.vae = VAE(cfg)
        self.opt = torch.optim.Adam(self.vae.parameters(), lr=cfg.lr)
        self.noise = torch.Generator().manual_seed(cfg.seed + 1)
        self.step = 0
        self._perm_epoch, self._perm = -1, None
        self.history: dict[str, list] = {"step": [], "elbo": [], "recon": [], "kl": []}

    def _batch(self, step: int) -> torch.Tensor:
        epoch, pos = divmod(step, self.steps_per_epoch)
        if self._perm_epoch != epoch:  # one permutation per epoch, seeded by the epoch
            self._perm_epoch = epoch
            self._perm = torch.randperm(len(self.data), generator=torch.Generator().manual_seed(
                self.config.seed * 1_000_003 + epoch))
        perm = self._perm
        B = self.config.batch_size
        return binarize(self.data[perm[pos * B:(pos + 1) * B]], self.noise)

    def train_step(self) -> dict:
        """One Adam step on the batch's mean −ELBO; returns the batch means of elbo, recon, kl."""
        parts = self.vae.elbo(self._batch(self.step), self.noise)
        loss = -parts["elbo"].mean()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.step += 1
        return {k: float(v.detach().mean()) for k, v in parts.items()}

    def train(self, steps: int | None = None, minutes: float | None = None) -> dict:
        """Train for ``steps`` and/or ``minutes`` (whichever ends first); returns :attr:`history`."""
        if steps is None and minutes is None:
            raise ValueError("give steps or minutes")
        if steps is not None and not (isinstance(steps, int) and steps > 0):
            raise ValueError(f"steps must be a positive integer, got {steps!r}")
        if minutes is not None and not (isinstance(minutes, (int, float)) and minutes > 0):
            raise ValueError(f"minutes must be a positive number, got {minutes!r}")
        todo = math.inf if steps is None else steps
        t_end = math.inf if minutes is None else time.perf_counter() + 60 * minutes
        acc, done, n = {"elbo": 0.0, "recon": 0.0, "kl": 0.0}, 0, 0  # n: steps summed in acc
        with num_threads(1):  # one thread: the same seed gives the same weights on any CPU count
            self.vae.train()
            while done < todo and time.perf_counter() < t_end:
                for k, v in self.train_step().items():
                    acc[k] += v
                done, n = done + 1, n + 1
                if self.step % self.config.log_every == 0:
                    self.history["step"].append(self.step)
                    for k in acc:
                        self.history[k].append(acc[k] / n)
                    acc, n = dict.fromkeys(acc, 0.0), 0
            self.vae.eval()
        return self.history

    def evaluate(self, images_u8: torch.Tensor, seed: int = 0, k: int = 0) -> dict:
        """:func:`evaluate_vae` of this trainer's VAE."""
        return evaluate_vae(self.vae, images_u8, seed=seed, k=k)

    def export(self, path, extra: dict | None = None) -> Path:
        """Write the VAE's weights in fp16 with its config, step and history (and ``extra``, e.g. metrics)."""
        return export_vae(self.vae, self.config, path, step=self.step, history=self.history, extra=extra)


def export_vae(vae: VAE, config: VAEConfig, path, step: int = 0, history: dict | None = None,
               extra: dict | None = None) -> Path:
    """Save ``vae``'s weights (fp16) and config with the safe loader's types only."""
    sd = {k: v.detach().cpu().half() for k, v in vae.state_dict().items()}
    return save_atomic({"format": FORMAT, "config": config.to_dict(), "step": int(step), "state": sd,
                        "history": history or {}, "extra": extra or {}}, path)


def load_vae(path) -> tuple[VAE, dict]:
    """The VAE of :func:`export_vae`'s file (float32, eval mode) and the file's other fields."""
    state = load_checkpoint(path)
    if state.get("format") != FORMAT:
        raise ValueError(f"{path} is not a VAE file (format {state.get('format')!r}); "
                         "train one with: python -m ganlab vae train")
    vae = VAE(VAEConfig.from_dict(state["config"]))
    vae.load_state_dict({k: v.float() for k, v in state["state"].items()})
    return vae.eval(), {k: v for k, v in state.items() if k != "state"}
