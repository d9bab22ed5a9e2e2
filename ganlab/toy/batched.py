"""Many small GANs trained at once: every weight has a leading "model" axis.

A layer of M models is a weight tensor of shape (M, in, out) and a bias (M, 1, out); a batch of
inputs for all of them is (M, B, in), and ``torch.baddbmm`` applies every model to its own batch in
one call. The models never interact: each model's loss is a mean over its own batch, the total loss
is their sum, so the gradient of the sum with respect to model m's slice is model m's own gradient.
Adam works elementwise, so one optimiser over the stacked tensors is exactly M separate optimisers;
it is written out (``StackedAdam``, :mod:`ganlab.toy.stacked_adam`) so that every model can have its own learning rate.

Each model draws its initial weights and all of its random numbers (data, noise, instance noise,
gradient-penalty mixing) from its own seeded generators, in fixed chunks of iterations, so a model
trained inside a batch of 100 draws the same numbers and starts on the same path as the same model trained
alone (tested over a short run). The batched arithmetic can round differently with the batch's size, and GAN
training amplifies such differences: over thousands of iterations the same seed can end elsewhere in a different
batch of seeds (measured: the old default's seed 17 ended at JSD 0.0081 among seeds 0-31, 0.0208 among 16-31).
Runs repeat exactly for the same list of seeds.

Losses (``ToyConfig.loss``, the same functions as ToyTrainer: ``ganlab.theory.losses``):
    ns         D: binary cross-entropy;   G: -E log D(G(z))           (non-saturating)
    minimax    D: binary cross-entropy;   G:  E log(1 - D(G(z)))      (saturates when D wins)
    wgan-gp    critic f: E f(G(z)) - E f(x) + λ E (|∇f(x̂)| - 1)^2;   G: -E f(G(z))
    wgan-clip  the same without the penalty; critic weights clipped to [-c, c] after each step
Fixes that are switches: one-sided label smoothing (``real_label``), instance noise (Gaussian noise of
sd ``instance_noise`` added to every input of D), the minibatch-stddev feature (``mbstd``: D also
sees the spread of its batch), D-gradient clipping (``d_grad_clip``), ``k_d`` and the two learning rates.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from ganlab.core import History, one_thread
from ganlab.theory import (LOG2, binned_masses, discriminator_loss, generator_loss, gradient_penalty,
                           js_from_values, noise_grid)
from ganlab.toy.config import ToyConfig
from ganlab.toy.nets import init_stacked, stacked_forward
from ganlab.toy.stacked_adam import StackedAdam, per_model, per_model_norm
from ganlab.toy.targets import coverage, hist_jsd_2d, torch_sample
from ganlab.toy.trainer import EVAL_SEED

PER_MODEL = ("seed", "lr_d", "lr_g", "k_d", "real_label", "instance_noise")
CHUNK = 16  # iterations of random numbers drawn per model at a time (fixed, so results never depend on it)


def _narrowest(spread: np.ndarray) -> float:
    """The smallest per-mode spread among the modes that have samples (nan if none has)."""
    s = spread[np.isfinite(spread)]
    return float(s.min()) if len(s) else float("nan")


# ----- the trainer -------------------------------------------------------------------------------
class BatchedGAN:
    """M GANs sharing one config, trained in lock-step. Per-model values (any of ``PER_MODEL``) may be
    given as sequences: ``BatchedGAN(cfg, seed=[0, 1, 2])`` or ``BatchedGAN(cfg, lr_d=grid_d, lr_g=grid_g)``.
    Scalars are broadcast; M is the longest sequence (1 if none)."""

    def __init__(self, config: ToyConfig | None = None, **per_model):
        self.config = config if config is not None else ToyConfig()
        self.config.validate()
        self.config.check_engine("batched")
        unknown = set(per_model) - set(PER_MODEL)
        if unknown:
            raise ValueError(f"per-model settings must be among {PER_MODEL}, got {sorted(unknown)}")
        vals = {k: per_model.get(k, getattr(self.config, k)) for k in PER_MODEL}
        lens = {len(v) for v in vals.values() if np.ndim(v) == 1}
        if len(lens) > 1:
            raise ValueError(f"per-model sequences must have one length, got lengths {sorted(lens)}")
        self.M = lens.pop() if lens else 1
        self.per = {k: np.broadcast_to(np.asarray(v), (self.M,)).copy() for k, v in vals.items()}
        if np.any(self.per["k_d"] < 1) or np.any(self.per["k_d"] != self.per["k_d"].astype(int)):
            raise ValueError(f"k_d must be integers >= 1, got {self.per['k_d']}")
        self.per["k_d"] = self.per["k_d"].astype(int)
        if np.any(self.per["lr_d"] <= 0) or np.any(self.per["lr_g"] <= 0):
            raise ValueError("learning rates must be > 0")
        self.dim = self.config.target.dim
        self.reset()

    # ----- setup ---------------------------------------------------------------------------------
    def reset(self) -> None:
        c, M = self.config, self.M
        g_list, d_list, self.streams = [], [], []
        d_in = self.dim + (1 if c.mbstd else 0)
        for s in self.per["seed"]:
            gen = torch.Generator().manual_seed(int(s))
            g_list.append(init_stacked(c.noise_dim, self.dim, c.g, gen))
            d_list.append(init_stacked(d_in, 1, c.d, gen))
            self.streams.append(torch.Generator().manual_seed(int(s) + 1))
        self.G = [torch.stack(ps).requires_grad_() for ps in zip(*g_list)]
        self.D = [torch.stack(ps).requires_grad_() for ps in zip(*d_list)]
        f32 = lambda k: torch.tensor(self.per[k], dtype=torch.float32)
        self.opt_g = StackedAdam(self.G, f32("lr_g"), c.betas, kind=c.optimizer)
        self.opt_d = StackedAdam(self.D, f32("lr_d"), c.betas, kind=c.optimizer)
        self.k_d = torch.tensor(self.per["k_d"])
        self.kmax = int(self.per["k_d"].max())
        self.real_label = f32("real_label").view(M, 1, 1)
        self.inst = f32("instance_noise").view(M, 1, 1)
        self.use_inst = bool(np.any(self.per["instance_noise"] > 0))
        self._buf, self._pos = None, CHUNK
        self.iteration, self.seconds = 0, 0.0
        self.z_eval = torch.randn(c.n_eval, c.noise_dim, generator=torch.Generator().manual_seed(EVAL_SEED))
        if c.mbstd:  # D's extra input at evaluation points: the real data's spread (a batch statistic)
            real = torch.as_tensor(c.target.sample(4000, 0), dtype=torch.float32).reshape(-1, self.dim)
            self._real_spread = real.std(0).mean()
        self.last: dict[str, torch.Tensor] = {}
        self.history = History(c.history_len)
        self._record()

    # ----- the networks --------------------------------------------------------------------------
    def generate(self, z: torch.Tensor) -> torch.Tensor:
        """z (M, B, noise_dim) or (B, noise_dim) shared by all models -> x (M, B, dim)."""
        if z.dim() == 2:
            z = z.expand(self.M, *z.shape)
        return stacked_forward(self.G, z, self.config.g.activation)

    def critic(self, x: torch.Tensor) -> torch.Tensor:
        """x (M, B, dim) -> logits (M, B, 1). With ``mbstd`` D also sees its batch's spread."""
        if self.config.mbstd:
            s = x.std(dim=1, keepdim=True).mean(dim=2, keepdim=True)  # (M, 1, 1)
            x = torch.cat([x, s.expand(-1, x.shape[1], 1)], dim=2)
        return stacked_forward(self.D, x, self.config.d.activation)

    # ----- random numbers: per model, in fixed chunks --------------------------------------------
    def _draw_chunk(self) -> None:
        c, B, d, nd = self.config, self.config.batch_size, self.dim, self.config.noise_dim
        gp = c.loss == "wgan-gp"
        parts = {"real_u": [], "real_e": [], "z_d": [], "z_g": [], "n_r": [], "n_f": [], "n_g": [], "gp_u": []}
        for m in range(self.M):
            k, gen = int(self.per["k_d"][m]), self.streams[m]
            inst = self.per["instance_noise"][m] > 0  # a model draws only what it uses: same stream alone or batched
            sizes = [k * B * d, k * B * nd, B * nd] + ([k * B * d, k * B * d, B * d] if inst else [])
            normal = torch.randn(CHUNK, sum(sizes), generator=gen).split(sizes, dim=1)
            unif = torch.rand(CHUNK, k * B * (2 if gp else 1), generator=gen).split(k * B, dim=1)
            shaped = {"real_e": normal[0].reshape(CHUNK, k, B, d), "z_d": normal[1].reshape(CHUNK, k, B, nd),
                      "z_g": normal[2].reshape(CHUNK, B, nd), "real_u": unif[0].reshape(CHUNK, k, B)}
            if inst:
                shaped.update(n_r=normal[3].reshape(CHUNK, k, B, d), n_f=normal[4].reshape(CHUNK, k, B, d),
                              n_g=normal[5].reshape(CHUNK, B, d))
            elif self.use_inst:
                shaped.update(n_r=torch.zeros(CHUNK, k, B, d), n_f=torch.zeros(CHUNK, k, B, d),
                              n_g=torch.zeros(CHUNK, B, d))
            if gp:
                shaped["gp_u"] = unif[1].reshape(CHUNK, k, B)
            for name, t in shaped.items():
                if t.dim() >= 3 and t.shape[1] == k and name not in ("z_g", "n_g") and k < self.kmax:
                    pad = torch.zeros(CHUNK, self.kmax - k, *t.shape[2:])
                    t = torch.cat([t, pad], dim=1)
                parts[name].append(t)
        buf = {k: torch.stack(v, dim=1) for k, v in parts.items() if v}  # (CHUNK, M, ...)
        buf["real"] = torch_sample(c.target, B, buf.pop("real_u"), buf.pop("real_e"))  # (CHUNK, M, kmax, B, d)
        self._buf, self._pos = buf, 0

    def _next(self) -> dict[str, torch.Tensor]:
        if self._pos >= CHUNK:
            self._draw_chunk()
        out = {k: v[self._pos] for k, v in self._buf.items()}
        self._pos += 1
        return out

    # ----- one iteration -------------------------------------------------------------------------
    def _d_loss(self, x_real, x_fake, gp_u):
        c = self.config
        if c.mbstd:  # D's batch statistic must see real and fake batches separately
            lr_, lf = self.critic(x_real), self.critic(x_fake)
        else:  # one pass over both halves: half the kernel calls of two passes
            lr_, lf = self.critic(torch.cat([x_real, x_fake], dim=1)).chunk(2, dim=1)
        loss = discriminator_loss(lr_, lf, self.real_label, c.loss, dim=(1, 2))
        if c.loss == "wgan-gp":
            loss = loss + c.gp_weight * gradient_penalty(self.critic, x_real, x_fake, gp_u)
        if c.loss in ("ns", "minimax"):
            return loss, torch.sigmoid(lr_).mean((1, 2)), torch.sigmoid(lf).mean((1, 2))
        return loss, lr_.mean((1, 2)), lf.mean((1, 2))

    def _iterate(self) -> None:
        c, r = self.config, self._next()
        for j in range(self.kmax):
            active = self.k_d > j
            with torch.no_grad():
                x_fake = self.generate(r["z_d"][:, j])
            x_real = r["real"][:, j]
            if self.use_inst:
                x_real, x_fake = x_real + self.inst * r["n_r"][:, j], x_fake + self.inst * r["n_f"][:, j]
            loss_d, d_real, d_fake = self._d_loss(x_real, x_fake, r["gp_u"][:, j] if "gp_u" in r else None)
            grads = torch.autograd.grad(loss_d.sum(), self.D)
            if c.d_grad_clip > 0:
                scale = (c.d_grad_clip / (per_model_norm(grads) + 1e-12)).clamp(max=1.0)
                grads = [g * per_model(scale, g) for g in grads]
            self.opt_d.step(grads, None if self.kmax == 1 else active)
            if c.loss == "wgan-clip":
                with torch.no_grad():
                    for p in self.D:
                        p.clamp_(-c.clip_value, c.clip_value)
            if j == 0:
                self.last.update(loss_d=loss_d.detach(), d_real=d_real.detach(), d_fake=d_fake.detach())
        x_fake = self.generate(r["z_g"])
        if self.use_inst:
            x_fake = x_fake + self.inst * r["n_g"]
        loss_g = generator_loss(self.critic(x_fake), self.config.loss, dim=(1, 2))
        grads = torch.autograd.grad(loss_g.sum(), self.G)
        self.opt_g.step(grads)
        self.last.update(loss_g=loss_g.detach(), g_grad=per_model_norm(grads))
        self.iteration += 1

    def step(self, n: int = 1) -> "BatchedGAN":
        """Run n iterations (k_d critic updates + 1 generator update each), recording every log_every."""
        t0 = time.perf_counter()
        with one_thread():
            for _ in range(int(n)):
                self._iterate()
                if self.iteration % self.config.log_every == 0:
                    self._record()
        self.seconds += time.perf_counter() - t0
        return self

    # ----- metrics -------------------------------------------------------------------------------
    @torch.no_grad()
    def samples(self, n: int | None = None) -> np.ndarray:
        """Generated samples for every model on fixed evaluation noise: (M, n, dim)."""
        z = self.z_eval if n is None else self.z_eval[:n]
        return self.generate(z).double().numpy()

    @torch.no_grad()
    def _raw(self, x) -> torch.Tensor:
        """D's output for every model at points x (n, dim): float32 (M, n)."""
        xt = torch.as_tensor(np.asarray(x, dtype=np.float32)).reshape(-1, self.dim)
        xt = xt.expand(self.M, *xt.shape)
        if self.config.mbstd:  # D's extra input is a batch statistic: use the real data's spread
            xt = torch.cat([xt, self._real_spread.expand(*xt.shape[:2], 1)], dim=2)
            return stacked_forward(self.D, xt, self.config.d.activation).squeeze(-1)
        return self.critic(xt).squeeze(-1)

    @torch.no_grad()
    def monotone(self, z_max: float = 3.0, n: int = 601) -> np.ndarray:
        """Per model: is z -> G(z) monotone on a grid of n points over [-z_max, z_max]? (1-D noise and data.)
        A map that turns back is "folded": two stretches of noise land on the same x."""
        if self.dim != 1 or self.config.noise_dim != 1:
            raise ValueError(f"monotone needs 1-D noise and data, got noise_dim={self.config.noise_dim}, dim={self.dim}")
        slope = torch.diff(self.generate(torch.linspace(-z_max, z_max, n)[:, None]).squeeze(-1), dim=1)  # (M, n-1)
        return ((slope > 0).all(1) | (slope < 0).all(1)).numpy()

    def scores(self, x) -> np.ndarray:
        """D's raw output for every model at points x (n, dim) -> (M, n): logits, or a WGAN critic's values."""
        return self._raw(x).double().numpy()

    def d_prob(self, x) -> np.ndarray:
        """D(x) = sigmoid(logit) for every model at points x (n, dim) -> (M, n). For a WGAN critic this is
        not a probability: plot :meth:`scores` instead."""
        return torch.sigmoid(self._raw(x)).double().numpy()

    @torch.no_grad()
    def jsd(self, xs: np.ndarray | None = None) -> np.ndarray:
        """JSD(p_data, p_g) per model: exact for a 1-D target with 1-D noise, else from a histogram of
        ``xs`` (M, n, dim) (default: ``samples()``)."""
        t, out = self.config.target, np.empty(self.M)
        if self.dim == 1 and self.config.noise_dim == 1:
            z = noise_grid("gaussian", 2001)
            xz = self.generate(torch.tensor(z, dtype=torch.float32)[:, None]).squeeze(-1).double().numpy()
            for m in range(self.M):
                out[m] = LOG2  # a non-finite generator is as far from the data as it gets
                if np.isfinite(xz[m]).all():
                    _, p, q = binned_masses(t, z, xz[m])
                    out[m] = js_from_values(p, q, np.ones_like(p)) if q.sum() > 0.5 else LOG2
            return out
        xs = self.samples() if xs is None else xs
        for m in range(self.M):
            if self.dim == 1:
                _, p, q = binned_masses(t, None, xs[m, :, 0])
                out[m] = js_from_values(p, q, np.ones_like(p))
            else:
                out[m] = hist_jsd_2d(xs[m], t)
        return out

    def metrics(self) -> dict[str, np.ndarray]:
        xs = self.samples()
        cov = [coverage(x, self.config.target) for x in xs]
        finite = np.isfinite(xs).all(axis=(1, 2))
        return {"jsd": self.jsd(xs), "covered": np.array([c["covered"] for c in cov], dtype=float),
                "coverage": np.array([c["coverage"] for c in cov]), "quality": np.array([c["quality"] for c in cov]),
                "spread": np.array([_narrowest(c["spread"]) for c in cov]),
                "mean_g": np.where(finite, xs.mean(1)[:, 0], np.nan), "sd_g": np.where(finite, xs.std(1).mean(1), np.nan)}

    def _record(self) -> None:
        row = {"step": np.full(self.M, float(self.iteration))}
        for k in ("loss_d", "loss_g", "d_real", "d_fake", "g_grad"):
            v = self.last.get(k)
            row[k] = np.full(self.M, np.nan) if v is None else v.double().numpy().copy()
        row.update(self.metrics())
        self.history.append(**row)

    def hist(self, name: str) -> np.ndarray:
        """History column ``name`` as an array (records, M)."""
        return self.history.array(name)

    def final(self, name: str) -> np.ndarray:
        return self.hist(name)[-1]

