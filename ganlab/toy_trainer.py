"""Training a 1-D GAN in chunks: ``trainer.step(n)`` runs n iterations and records history.

One iteration (Goodfellow et al. 2014, Algorithm 1):
  k_d times: sample real x and noise z; update D to raise log D(x) + log(1 - D(G(z)))
  k_g times: sample noise z; update G to lower its loss (minimax or non-saturating)

Every ``log_every`` iterations the trainer records the losses, mean D(x) and D(G(z)), and the exact
JSD(p_data, p_g) and V(D, G) (p_g from ``ganlab.pushforward``, so no sampling noise).
"""

from __future__ import annotations

import contextlib
import copy
import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from ganlab.distributions import Gaussian, GaussianMixture
from ganlab.history import History
from ganlab.losses import GENERATOR_LOSSES, discriminator_loss, generator_loss
from ganlab.pushforward import NOISE_KINDS, masses_from_curve, masses_from_samples, noise_grid, apply_generator
from ganlab.theory import LOG4, js_from_values
from ganlab.toy_models import Discriminator, Generator, MLPConfig

OPTIMIZERS = ("adam", "sgd")


@dataclass
class ToyConfig:
    target: Gaussian | GaussianMixture = field(default_factory=lambda: Gaussian(3.0, 0.75))  # p_data
    noise: str = "gaussian"  # p(z): "gaussian" N(0,1) or "uniform" U(-1,1)
    noise_dim: int = 1  # dimension of z; 1 lets us draw z -> x and compute p_g exactly
    g: MLPConfig = field(default_factory=MLPConfig)  # generator network
    d: MLPConfig = field(default_factory=MLPConfig)  # discriminator network
    loss: str = "ns"  # generator loss: "ns" (non-saturating, -log D(G(z))) or "minimax" (log(1 - D(G(z))))
    optimizer: str = "adam"  # "adam" or "sgd" (both networks)
    lr_d: float = 2e-3  # discriminator learning rate, > 0 (faster than G: two time-scale updates)
    lr_g: float = 5e-4  # generator learning rate, > 0
    betas: tuple[float, float] = (0.5, 0.999)  # Adam betas (beta1 = 0.5 is the GAN custom)
    momentum: float = 0.0  # SGD momentum, in [0, 1)
    k_d: int = 1  # discriminator updates per iteration, >= 1
    k_g: int = 1  # generator updates per iteration, >= 1
    batch_size: int = 128  # samples per batch (real and fake each), >= 1
    real_label: float = 1.0  # target for real samples in the D loss; 0.9 = one-sided label smoothing
    seed: int = 0  # seeds the networks' init and every sample drawn
    log_every: int = 20  # record history every this many iterations
    history_len: int = 2000  # rows kept in history before it thins itself

    def validate(self) -> None:
        if self.noise not in NOISE_KINDS:
            raise ValueError(f"unknown noise {self.noise!r}: expected one of {NOISE_KINDS}")
        if self.loss not in GENERATOR_LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}: expected one of {GENERATOR_LOSSES}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}: expected one of {OPTIMIZERS}")
        for name in ("lr_d", "lr_g"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and 0 < v <= 10):
                raise ValueError(f"{name} must be in (0, 10], got {v!r}")
        for name in ("k_d", "k_g"):
            v = getattr(self, name)
            if not (isinstance(v, int) and 1 <= v <= 100):
                raise ValueError(f"{name} must be an integer in 1..100, got {v!r}")
        if not (isinstance(self.batch_size, int) and 1 <= self.batch_size <= 100_000):
            raise ValueError(f"batch_size must be an integer in 1..100000, got {self.batch_size!r}")
        if not (isinstance(self.noise_dim, int) and 1 <= self.noise_dim <= 64):
            raise ValueError(f"noise_dim must be an integer in 1..64, got {self.noise_dim!r}")
        if not (0.0 < self.real_label <= 1.0):
            raise ValueError(f"real_label must be in (0, 1], got {self.real_label!r}")
        if not (0.0 <= self.momentum < 1.0):
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum!r}")
        if not (isinstance(self.seed, int) and self.seed >= 0):
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not (isinstance(self.log_every, int) and self.log_every >= 1):
            raise ValueError(f"log_every must be an integer >= 1, got {self.log_every!r}")
        if not isinstance(self.target, (Gaussian, GaussianMixture)):
            raise ValueError(f"target must be a Gaussian or GaussianMixture, got {self.target!r}")
        self.g.validate("generator")
        self.d.validate("discriminator")


@contextlib.contextmanager
def one_thread():
    """Run tiny-network code on one CPU thread: for 1-D toy GANs, thread hand-offs cost more than
    the arithmetic (measured: several times faster on a busy 2-core machine). Restores the setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class TrainingDiverged(RuntimeError):
    """Raised when a loss or weight becomes NaN/inf; the trainer has restored its last good state."""


def make_optimizer(name: str, params, lr: float, betas, momentum: float) -> torch.optim.Optimizer:
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=tuple(betas))
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    raise ValueError(f"unknown optimizer {name!r}: expected one of {OPTIMIZERS}")


def metric_edges(target, x_gen: np.ndarray, fine: int = 240, coarse: int = 400) -> np.ndarray:
    """Bin edges for divergences: fine around each target component (±8 sd), coarse over everything."""
    parts = [m + s * np.linspace(-8, 8, fine + 1) for _, m, s in target.components()]
    lo = min(p[0] for p in parts)
    hi = max(p[-1] for p in parts)
    if x_gen.size:
        lo, hi = min(lo, float(x_gen.min()) - 1e-6), max(hi, float(x_gen.max()) + 1e-6)
    parts.append(np.linspace(lo, hi, coarse + 1))
    return np.unique(np.concatenate(parts))


class ToyTrainer:
    """Owns G, D, their optimisers, a seeded sampler and the history. Advance it with ``step(n)``."""

    def __init__(self, config: ToyConfig | None = None):
        self.config = config if config is not None else ToyConfig()
        self.config.validate()
        self.reset()

    # ----- setup -------------------------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        """Fresh networks, optimisers and history; same seed → same run."""
        c = self.config
        if seed is not None:
            c.seed = seed
            c.validate()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(c.seed)
            self.G = Generator(c.g, c.noise_dim)
            self.D = Discriminator(c.d)
        self.sampler = torch.Generator().manual_seed(c.seed + 1)
        self.opt_g = make_optimizer(c.optimizer, self.G.parameters(), c.lr_g, c.betas, c.momentum)
        self.opt_d = make_optimizer(c.optimizer, self.D.parameters(), c.lr_d, c.betas, c.momentum)
        self.history = History(c.history_len)
        self.iteration = 0  # completed iterations (k_d D-updates + k_g G-updates each)
        self.d_updates = 0
        self.g_updates = 0
        self.seconds = 0.0  # wall time spent inside step()
        self.last = {"loss_d": math.nan, "loss_g": math.nan, "d_real": math.nan, "d_fake": math.nan}
        self._snapshot = self._state()
        self._record()

    def set_lr(self, lr_d: float | None = None, lr_g: float | None = None) -> None:
        """Change learning rates without losing the run."""
        if lr_d is not None:
            self.config.lr_d = lr_d
        if lr_g is not None:
            self.config.lr_g = lr_g
        self.config.validate()
        for group in self.opt_d.param_groups:
            group["lr"] = self.config.lr_d
        for group in self.opt_g.param_groups:
            group["lr"] = self.config.lr_g

    def set_target(self, target) -> None:
        """Move p_data while training continues (the networks keep their weights)."""
        old = self.config.target
        self.config.target = target
        try:
            self.config.validate()
        except ValueError:
            self.config.target = old
            raise

    # ----- sampling ----------------------------------------------------------------------
    def noise(self, n: int) -> torch.Tensor:
        c = self.config
        if c.noise == "gaussian":
            return torch.randn(n, c.noise_dim, generator=self.sampler)
        return torch.rand(n, c.noise_dim, generator=self.sampler) * 2 - 1

    def real(self, n: int) -> torch.Tensor:
        return self.config.target.sample_torch(n, self.sampler)

    # ----- one update of each network ----------------------------------------------------
    def d_update(self) -> None:
        b = self.config.batch_size
        x_real = self.real(b)  # (B, 1)
        with torch.no_grad():
            x_fake = self.G(self.noise(b))  # (B, 1)
        real_logits, fake_logits = self.D(x_real), self.D(x_fake)
        loss = discriminator_loss(real_logits, fake_logits, self.config.real_label)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        self.d_updates += 1
        self.last["loss_d"] = loss.item()
        self.last["d_real"] = torch.sigmoid(real_logits).mean().item()
        self.last["d_fake"] = torch.sigmoid(fake_logits).mean().item()

    def g_update(self) -> None:
        fake_logits = self.D(self.G(self.noise(self.config.batch_size)))
        loss = generator_loss(fake_logits, self.config.loss)
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        self.g_updates += 1
        self.last["loss_g"] = loss.item()

    # ----- the loop ----------------------------------------------------------------------
    def step(self, n: int = 1) -> dict[str, float]:
        """Run ``n`` iterations. Raises TrainingDiverged (with the last good state restored) on NaN/inf."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n!r}")
        t0 = time.perf_counter()
        with one_thread():
            try:
                for _ in range(n):
                    for _ in range(self.config.k_d):
                        self.d_update()
                    for _ in range(self.config.k_g):
                        self.g_update()
                    self.iteration += 1
                    if self.iteration % self.config.log_every == 0:
                        self._check_finite()
                        self._record()
                        self._snapshot = self._state()
            finally:
                self.seconds += time.perf_counter() - t0
        self._check_finite()
        return self.last

    def step_d(self, n: int = 1) -> None:
        """Only discriminator updates (the dashboard's Step D button)."""
        with one_thread():
            for _ in range(n):
                self.d_update()
        self._check_finite()

    def step_g(self, n: int = 1) -> None:
        """Only generator updates (the dashboard's Step G button)."""
        with one_thread():
            for _ in range(n):
                self.g_update()
        self._check_finite()

    # ----- exact metrics -----------------------------------------------------------------
    def generator_curve(self, n_z: int = 1001) -> tuple[np.ndarray, np.ndarray]:
        """(z, G(z)) on a grid of 1-D noise."""
        z = noise_grid(self.config.noise, n_z)
        return z, apply_generator(self.G, z)

    @torch.no_grad()
    def discriminator_prob(self, x: np.ndarray) -> np.ndarray:
        xt = torch.as_tensor(np.asarray(x, dtype=np.float32)).reshape(-1, 1)
        return torch.sigmoid(self.D(xt)).reshape(-1).double().numpy()

    def metrics(self) -> dict[str, float]:
        """Exact JSD(p_data, p_g) and V(D, G) on fine bins (histogram of samples if noise_dim > 1)."""
        target = self.config.target
        if self.config.noise_dim == 1:
            z, xz = self.generator_curve()
            edges = metric_edges(target, xz)
            q = masses_from_curve(z, xz, edges, self.config.noise)
        else:
            with torch.no_grad():
                xs = self.G(torch.randn(20000, self.config.noise_dim, generator=torch.Generator().manual_seed(0)))
            xs = xs.reshape(-1).double().numpy()
            edges = metric_edges(target, xs, fine=60, coarse=100)
            q = masses_from_samples(xs, edges)
        p = np.maximum(np.diff(target.cdf(edges)), 0.0)
        centers = 0.5 * (edges[:-1] + edges[1:])
        d = np.clip(self.discriminator_prob(centers), 1e-12, 1 - 1e-12)
        jsd = js_from_values(p, q, np.ones_like(p))
        v = float(np.sum(p * np.log(d) + q * np.log1p(-d)))
        return {"jsd": jsd, "v": v, "v_opt": 2 * jsd - LOG4}

    # ----- bookkeeping -------------------------------------------------------------------
    def _record(self) -> None:
        m = self.metrics()
        self.history.append(step=self.iteration, seconds=self.seconds, **self.last, **m)

    def _state(self) -> dict:
        return {"G": copy.deepcopy(self.G.state_dict()), "D": copy.deepcopy(self.D.state_dict()),
                "opt_g": copy.deepcopy(self.opt_g.state_dict()), "opt_d": copy.deepcopy(self.opt_d.state_dict()),
                "iteration": self.iteration, "d_updates": self.d_updates, "g_updates": self.g_updates}

    def _restore(self, s: dict) -> None:
        self.G.load_state_dict(s["G"])
        self.D.load_state_dict(s["D"])
        self.opt_g.load_state_dict(s["opt_g"])
        self.opt_d.load_state_dict(s["opt_d"])
        self.iteration, self.d_updates, self.g_updates = s["iteration"], s["d_updates"], s["g_updates"]

    def _check_finite(self) -> None:
        bad = [k for k in ("loss_d", "loss_g") if not math.isfinite(self.last[k]) and self.d_updates + self.g_updates]
        bad = [k for k in bad if not (k == "loss_g" and self.g_updates == 0) and not (k == "loss_d" and self.d_updates == 0)]
        for name, net in (("generator", self.G), ("discriminator", self.D)):
            if any(not torch.isfinite(p).all() for p in net.parameters()):
                bad.append(f"{name} weights")
        if not bad:
            return
        at = self.iteration
        self._restore(self._snapshot)
        c = self.config
        raise TrainingDiverged(
            f"training went non-finite at iteration {at} ({', '.join(bad)} became NaN or inf). "
            f"Restored the last good state (iteration {self.iteration}). Try smaller learning rates "
            f"(now lr_d={c.lr_d:g}, lr_g={c.lr_g:g}), the 'ns' loss, the 'adam' optimizer, or a narrower target range."
        )
