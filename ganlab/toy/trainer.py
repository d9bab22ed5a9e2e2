"""Training a 1-D GAN in chunks: ``trainer.step(n)`` runs n iterations and records history.

One iteration (Goodfellow et al. 2014, Algorithm 1):
  k_d times: sample real x and noise z; update D to raise log D(x) + log(1 - D(G(z)))
  k_g times: sample noise z; update G to lower its loss (minimax or non-saturating)

This is the plain loop notebook 03 writes out cell by cell (and asserts equal to this class). The
batched engine (:mod:`ganlab.toy.batched`) trains many such GANs at once from the same
:class:`~ganlab.toy.config.ToyConfig`, losses (:mod:`ganlab.theory.losses`) and exact metrics.

Every ``log_every`` iterations the trainer records the losses, mean D(x) and D(G(z)), and the exact
JSD(p_data, p_g) and V(D, G) (p_g from ``ganlab.theory.pushforward``, so no sampling noise).
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import replace

import numpy as np
import torch

from ganlab.core import History, TrainingDiverged, one_thread, seeded
from ganlab.theory import (LOG4, WASSERSTEIN_LOSSES, apply_generator, binned_masses, discriminator_loss,
                           generator_loss, gradient_penalty, js_from_values, noise_grid)
from ganlab.toy.config import ToyConfig
from ganlab.toy.nets import Discriminator, Generator

EVAL_SEED = 12345  # seeds the fixed noise behind sample-based metrics (both engines)


def make_optimizer(name: str, params, lr: float, betas, momentum: float) -> torch.optim.Optimizer:
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=tuple(betas))
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    raise ValueError(f"unknown optimizer {name!r}: expected 'adam' or 'sgd'")


class ReadableTrainer:
    """What the readable trainers (1-D :class:`ToyTrainer`, 2-D ``Toy2DTrainer``) share: the single-network
    updates of the Step D / Step G buttons, and snapshots of networks, optimisers and counters. A subclass has
    G, D, opt_g, opt_d, history, ``_snapshot``, the three counters, ``d_update``, ``g_update`` and
    ``_check_finite``."""

    advice = "the 'adam' optimizer"  # what the divergence message suggests after smaller learning rates

    def step_d(self, n: int = 1) -> None:
        """Only discriminator updates (the Step D button); the iteration count does not move."""
        with one_thread():
            for _ in range(n):
                self.d_update()
        self._check_finite()

    def step_g(self, n: int = 1) -> None:
        """Only generator updates (the Step G button)."""
        with one_thread():
            for _ in range(n):
                self.g_update()
        self._check_finite()

    def final(self, name: str) -> float:
        """The last recorded value of history column ``name``."""
        return float(self.history.array(name)[-1])

    def _state(self) -> dict:
        return {"G": copy.deepcopy(self.G.state_dict()), "D": copy.deepcopy(self.D.state_dict()),
                "opt_g": copy.deepcopy(self.opt_g.state_dict()), "opt_d": copy.deepcopy(self.opt_d.state_dict()),
                "iteration": self.iteration, "d_updates": self.d_updates, "g_updates": self.g_updates}

    def _load_networks(self, s: dict) -> None:
        self.G.load_state_dict(s["G"])
        self.D.load_state_dict(s["D"])
        self.opt_g.load_state_dict(s["opt_g"])
        self.opt_d.load_state_dict(s["opt_d"])

    def _restore(self, s: dict) -> None:
        self._load_networks(s)
        self.iteration, self.d_updates, self.g_updates = s["iteration"], s["d_updates"], s["g_updates"]

    def _diverged_if(self, bad: list[str], weights: bool = True) -> None:
        """``bad``: the losses that went NaN or inf; with ``weights``, a network with such a weight counts too.
        If anything is bad, restore the last good state and raise TrainingDiverged with ``advice``."""
        for name, net in (("generator", self.G), ("discriminator", self.D)) if weights else ():
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
            f"(now lr_d={c.lr_d:g}, lr_g={c.lr_g:g}), {self.advice}.")


class ToyTrainer(ReadableTrainer):
    """Owns G, D, their optimisers, a seeded sampler and the history. Advance it with ``step(n)``
    (``step_d``, ``step_g`` and ``final`` are :class:`ReadableTrainer`'s)."""

    advice = "the 'ns' loss, the 'adam' optimizer, or a narrower target range"

    def __init__(self, config: ToyConfig | None = None):
        config = config if config is not None else ToyConfig()
        config.validate()
        config.check_engine("toy")
        self.config = config
        self.reset()

    # ----- setup -------------------------------------------------------------------------
    def _update_config(self, **changes) -> None:
        """Apply ``changes`` only if the changed config validates: a rejected value leaves the old one."""
        new = replace(self.config, **changes)
        new.validate()
        new.check_engine("toy")
        for k, v in changes.items():
            setattr(self.config, k, v)

    def reset(self, seed: int | None = None) -> None:
        """Fresh networks, optimisers and history; same seed → same run."""
        if seed is not None:
            self._update_config(seed=seed)
        c = self.config
        with seeded(c.seed):
            self.G = Generator(c.g, c.noise_dim)
            self.D = Discriminator(c.d, spectral_norm=c.spectral_norm)
        self.sampler = torch.Generator().manual_seed(c.seed + 1)
        eval_gen = torch.Generator().manual_seed(EVAL_SEED)  # fixed noise behind sample-based metrics
        self.z_eval = (torch.randn(c.n_eval, c.noise_dim, generator=eval_gen) if c.noise == "gaussian"
                       else torch.rand(c.n_eval, c.noise_dim, generator=eval_gen) * 2 - 1)
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
        """Change learning rates without losing the run (a rejected value changes nothing)."""
        changes = {k: v for k, v in (("lr_d", lr_d), ("lr_g", lr_g)) if v is not None}
        self._update_config(**changes)
        for group in self.opt_d.param_groups:
            group["lr"] = self.config.lr_d
        for group in self.opt_g.param_groups:
            group["lr"] = self.config.lr_g

    def set_target(self, target) -> None:
        """Move p_data while training continues (the networks keep their weights)."""
        self._update_config(target=target)

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
        c, b = self.config, self.config.batch_size
        x_real = self.real(b)  # (B, 1)
        with torch.no_grad():
            x_fake = self.G(self.noise(b))  # (B, 1)
        real_logits, fake_logits = self.D(x_real), self.D(x_fake)
        loss = discriminator_loss(real_logits, fake_logits, c.real_label, c.loss)
        if c.loss == "wgan-gp":
            u = torch.rand(b, generator=self.sampler)  # drawn only for this loss: other runs keep their stream
            loss = loss + c.gp_weight * gradient_penalty(self.D, x_real, x_fake, u)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        if c.loss == "wgan-clip":
            with torch.no_grad():
                for p in self.D.parameters():
                    p.clamp_(-c.clip_value, c.clip_value)
        self.d_updates += 1
        score = (lambda t: t) if c.loss in WASSERSTEIN_LOSSES else torch.sigmoid  # critic scores are not logits
        self.last["loss_d"] = loss.item()
        self.last["d_real"] = score(real_logits).mean().item()
        self.last["d_fake"] = score(fake_logits).mean().item()

    def g_update(self) -> None:
        fake_logits = self.D(self.G(self.noise(self.config.batch_size)))
        loss = generator_loss(fake_logits, self.config.loss)
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        self.g_updates += 1
        self.last["loss_g"] = loss.item()

    # ----- the loop ----------------------------------------------------------------------
    def step(self, n: int = 1) -> "ToyTrainer":
        """Run ``n`` iterations. Raises TrainingDiverged (with the last good state restored) on NaN/inf."""
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be an integer >= 0, got {n!r}")
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
        return self

    # ----- exact metrics -----------------------------------------------------------------
    def generator_curve(self, n_z: int = 1001) -> tuple[np.ndarray, np.ndarray]:
        """(z, G(z)) on a grid of 1-D noise."""
        z = noise_grid(self.config.noise, n_z)
        return z, apply_generator(self.G, z)

    @torch.no_grad()
    def samples(self, n: int | None = None) -> np.ndarray:
        """Generated samples on fixed evaluation noise (``config.n_eval`` of them, or the first n): (n, 1)."""
        return self.G(self.z_eval if n is None else self.z_eval[:n]).double().numpy()

    @torch.no_grad()
    def d_prob(self, x: np.ndarray) -> np.ndarray:
        """D(x) = sigmoid(logit) at points x: (n,). (For a WGAN critic: the sigmoid of its score.)"""
        xt = torch.as_tensor(np.asarray(x, dtype=np.float32)).reshape(-1, 1)
        return torch.sigmoid(self.D(xt)).reshape(-1).double().numpy()

    def metrics(self) -> dict[str, float]:
        """Exact JSD(p_data, p_g) and V(D, G) on fine bins (histogram of samples if noise_dim > 1)."""
        target = self.config.target
        if self.config.noise_dim == 1:
            z, xz = self.generator_curve()
            edges, p, q = binned_masses(target, z, xz, self.config.noise)
        else:
            edges, p, q = binned_masses(target, None, self.samples())
        centers = 0.5 * (edges[:-1] + edges[1:])
        d = np.clip(self.d_prob(centers), 1e-12, 1 - 1e-12)
        jsd = js_from_values(p, q, np.ones_like(p))
        v = float(np.sum(p * np.log(d) + q * np.log1p(-d)))
        return {"jsd": jsd, "v": v, "v_opt": 2 * jsd - LOG4}

    # ----- bookkeeping -------------------------------------------------------------------
    def _record(self) -> None:
        m = self.metrics()
        self.history.append(step=self.iteration, seconds=self.seconds, **self.last, **m)

    def _check_finite(self) -> None:
        self._diverged_if([k for k, done in (("loss_d", self.d_updates), ("loss_g", self.g_updates))
                           if done and not math.isfinite(self.last[k])])
