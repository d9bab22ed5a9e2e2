"""One GAN on a 2-D target, the readable way (the engine behind the 2-D lab, ``ganlab.widgets.Dashboard2D``).

The same loop as :class:`~ganlab.toy.trainer.ToyTrainer` (Algorithm 1 of Goodfellow et al. 2014: k_D updates
of D, then k_G of G), the same networks (:mod:`ganlab.toy.nets`) and losses (:mod:`ganlab.theory.losses`), for
2-D targets (:class:`~ganlab.toy.data2d.Target2D`) and with the switches the lab shows:

    loss        ns (-log D(G(z))), minimax (log(1 - D(G(z)))), lsgan (least squares), hinge, wgan-gp
    mbstd       D also sees its batch's standard deviation (minibatch statistics)
    spectral_norm  every linear layer of D divided by its largest singular value (Miyato et al. 2018)
    noise       z ~ N(0, I) or U(-1, 1)^noise_dim, noise_dim 1 or 2 (up to 8)

``substep()`` runs half an iteration at a time (D's updates, then G's), for the lab's slow motion. Every
``log_every`` iterations it records the losses, D's outputs, parts covered and quality, the plug-in histogram
JSD and the exact minibatch W1 (:mod:`ganlab.toy.metrics2d`, both with their floors at p_g = p_data).
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from ganlab.core import History, one_thread, seeded
from ganlab.theory import discriminator_loss, generator_loss, gradient_penalty
from ganlab.theory.losses import hinge_d_loss, hinge_g_loss, least_squares_d_loss, least_squares_g_loss
from ganlab.toy.config import _check_choices_and_rates, _integer, _number
from ganlab.toy.data2d import Target2D, target2d
from ganlab.toy.metrics2d import hist_jsd, hist_jsd_floor, minibatch_w1, minibatch_w1_floor
from ganlab.toy.nets import Discriminator, Generator, MLPConfig
from ganlab.toy.trainer import EVAL_SEED, ReadableTrainer, make_optimizer

LOSSES_2D = ("ns", "minimax", "lsgan", "hinge", "wgan-gp")
PROBABILITY_LOSSES = ("ns", "minimax")  # D's output is a logit and D(x) = sigmoid(logit) a probability
#: settings that need fresh networks (the others apply to the running ones)
REBUILD = ("noise", "noise_dim", "g", "d", "optimizer", "mbstd", "spectral_norm", "seed", "n_eval", "w1_n")


@dataclass
class Toy2DConfig:
    target: Target2D = field(default_factory=lambda: target2d("ring of 8"))  # p_data
    noise: str = "gaussian"  # p(z): "gaussian" N(0, I) or "uniform" U(-1, 1)
    noise_dim: int = 2  # dimension of z, 1..8 (the manifold view draws z₁, z₂)
    g: MLPConfig = field(default_factory=MLPConfig)  # generator: width, depth (hidden layers), activation
    d: MLPConfig = field(default_factory=MLPConfig)  # discriminator (critic)
    loss: str = "ns"  # one of LOSSES_2D
    optimizer: str = "adam"  # "adam" or "sgd" (both networks)
    lr_d: float = 2e-3  # in (0, 10]
    lr_g: float = 1e-3  # in (0, 10]
    betas: tuple[float, float] = (0.5, 0.999)  # Adam betas, each in [0, 1)
    k_d: int = 1  # D updates per iteration, 1..100
    k_g: int = 1  # G updates per iteration, 1..100
    batch_size: int = 128  # real and fake samples per batch, 2..10000
    gp_weight: float = 1.0  # λ of the WGAN-GP penalty, >= 0 (1 suits these small 2-D critics)
    mbstd: bool = False  # minibatch-stddev feature for D
    spectral_norm: bool = False  # spectral normalisation of D's layers
    seed: int = 0  # seeds the networks' init and every sample drawn, 0..2**32-1
    log_every: int = 25  # record history every this many iterations, >= 1
    history_len: int = 2000  # rows kept before the history thins itself, >= 4
    n_eval: int = 1000  # fixed generated samples behind coverage and the JSD, 16..100000
    w1_n: int = 128  # minibatch size of the exact W1 (an n x n assignment problem), 2..1000

    def validate(self) -> None:
        """Raise ValueError naming the first bad field, its value and the allowed range."""
        if not isinstance(self.target, Target2D):
            raise ValueError(f"target must be a ganlab.toy.Target2D, got {type(self.target).__name__}")
        _check_choices_and_rates(self, LOSSES_2D)
        for name, lo, hi in (("noise_dim", 1, 8), ("k_d", 1, 100), ("k_g", 1, 100), ("batch_size", 2, 10_000),
                             ("seed", 0, 2**32 - 1), ("log_every", 1, 10**9), ("history_len", 4, 10**7),
                             ("n_eval", 16, 100_000), ("w1_n", 2, 1000)):
            _integer(self, name, lo, hi)
        if self.w1_n > self.n_eval:
            raise ValueError(f"w1_n ({self.w1_n}) must be at most n_eval ({self.n_eval}): W1 compares w1_n of the "
                             f"n_eval evaluation samples")
        if not (len(self.betas) == 2 and all(_number(b) and 0 <= b < 1 for b in self.betas)):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        if not (_number(self.gp_weight) and self.gp_weight >= 0):
            raise ValueError(f"gp_weight must be a finite number >= 0, got {self.gp_weight!r}")
        self.g.validate("generator")
        self.d.validate("discriminator")

    def with_(self, **changes) -> "Toy2DConfig":
        return replace(self, **changes)


class Toy2DTrainer(ReadableTrainer):
    """Owns G, D, their optimisers, a seeded sampler and the history. Advance with ``step(n)``
    (``step_d``, ``step_g`` and ``final`` are :class:`~ganlab.toy.ReadableTrainer`'s)."""

    advice = "the 'adam' optimizer, or spectral norm"

    def __init__(self, config: Toy2DConfig | None = None):
        config = config if config is not None else Toy2DConfig()
        config.validate()
        self.config = config
        self.reset()

    # ----- setup -----------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Fresh networks, optimisers and history; same seed → same run."""
        c = self.config
        with seeded(c.seed):
            self.G = Generator(c.g, c.noise_dim, out_dim=2)
            self.D = Discriminator(c.d, in_dim=3 if c.mbstd else 2, spectral_norm=c.spectral_norm)
        self.sampler = torch.Generator().manual_seed(c.seed + 1)
        gen = torch.Generator().manual_seed(EVAL_SEED)  # fixed noise and real points behind the metrics
        self.z_eval = self._noise(c.n_eval, gen)
        self.real_eval = c.target.sample_torch(c.w1_n, gen).double().numpy()
        self.opt_g = make_optimizer(c.optimizer, self.G.parameters(), c.lr_g, c.betas, 0.0)
        self.opt_d = make_optimizer(c.optimizer, self.D.parameters(), c.lr_d, c.betas, 0.0)
        self.history = History(c.history_len)
        self.iteration = self.d_updates = self.g_updates = 0
        self.phase = "d"  # the half of an iteration substep() runs next
        self.seconds = 0.0
        self.last = {"loss_d": math.nan, "loss_g": math.nan, "d_real": math.nan, "d_fake": math.nan}
        self._fresh: set[str] = set()  # the losses computed in this run (a loaded state brings none)
        self._set_floors()
        self._snapshot = self._state()
        self._record()

    def _set_floors(self) -> None:
        c = self.config
        self.box = c.target.box()
        real = torch.as_tensor(c.target.sample(4000, 0), dtype=torch.float32)
        self._real_spread = real.std(0).mean()  # D's extra mbstd input at evaluation points
        self.floors = {"jsd": hist_jsd_floor(c.target, c.n_eval, self.box), "w1": minibatch_w1_floor(c.target, c.w1_n)}

    def set(self, **changes) -> set[str]:
        """Change settings: lr_d, lr_g, betas, k_d, k_g, batch_size, loss, gp_weight, target, log_every apply to the running
        networks; the ones in ``REBUILD`` reset the run. A refused value changes nothing (ValueError). Returns
        the rebuild settings that changed."""
        unknown = set(changes) - set(Toy2DConfig.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown setting(s) {sorted(unknown)}")
        new = replace(self.config, **changes)
        new.validate()
        rebuild = {k for k in changes if k in REBUILD and changes[k] != getattr(self.config, k)}
        self.config = new
        if rebuild:
            self.reset()
            return rebuild
        for opt, lr in ((self.opt_d, new.lr_d), (self.opt_g, new.lr_g)):
            for group in opt.param_groups:
                group["lr"] = lr
                if "betas" in group:
                    group["betas"] = tuple(new.betas)
        if "target" in changes:
            gen = torch.Generator().manual_seed(EVAL_SEED)
            self._noise(new.n_eval, gen)
            self.real_eval = new.target.sample_torch(new.w1_n, gen).double().numpy()
            self._set_floors()
        return set()

    # ----- sampling and the networks ------------------------------------------------------------------------
    def _noise(self, n: int, gen: torch.Generator) -> torch.Tensor:
        c = self.config
        if c.noise == "gaussian":
            return torch.randn(n, c.noise_dim, generator=gen)
        return torch.rand(n, c.noise_dim, generator=gen) * 2 - 1

    def critic(self, x: torch.Tensor, spread: torch.Tensor | None = None) -> torch.Tensor:
        """D's raw output (B, 1) at x (B, 2): a logit for ns/minimax, a score otherwise. With ``mbstd`` D also
        sees its batch's spread (or ``spread``, e.g. the real data's, at evaluation points)."""
        if self.config.mbstd:
            s = x.std(dim=0).mean() if spread is None else spread
            x = torch.cat([x, s.expand(len(x), 1)], dim=1)
        return self.D(x)

    def _d_loss(self, x_real, x_fake):
        c = self.config
        sr, sf = self.critic(x_real), self.critic(x_fake)
        if c.loss in PROBABILITY_LOSSES:
            loss = discriminator_loss(sr, sf, 1.0, c.loss)
        elif c.loss == "lsgan":
            loss = least_squares_d_loss(sr, sf)
        elif c.loss == "hinge":
            loss = hinge_d_loss(sr, sf)
        else:
            u = torch.rand(len(x_real), generator=self.sampler)
            loss = discriminator_loss(sr, sf, kind="wgan-gp") + c.gp_weight * gradient_penalty(self.critic, x_real, x_fake, u)
        return loss, sr, sf

    def g_loss(self, scores: torch.Tensor) -> torch.Tensor:
        """G's loss (mean over the batch) from D's raw outputs at its samples."""
        kind = self.config.loss
        if kind == "lsgan":
            return least_squares_g_loss(scores)
        if kind == "hinge":
            return hinge_g_loss(scores)
        return generator_loss(scores, kind)

    def d_update(self) -> None:
        b = self.config.batch_size
        x_real = self.config.target.sample_torch(b, self.sampler)
        with torch.no_grad():
            x_fake = self.G(self._noise(b, self.sampler))
        loss, sr, sf = self._d_loss(x_real, x_fake)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        self.d_updates += 1
        self._fresh.add("loss_d")
        out = torch.sigmoid if self.config.loss in PROBABILITY_LOSSES else (lambda t: t)
        self.last.update(loss_d=loss.item(), d_real=out(sr).mean().item(), d_fake=out(sf).mean().item())

    def g_update(self) -> None:
        loss = self.g_loss(self.critic(self.G(self._noise(self.config.batch_size, self.sampler))))
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        self.g_updates += 1
        self._fresh.add("loss_g")
        self.last["loss_g"] = loss.item()

    # ----- the loop ------------------------------------------------------------------------------------------
    def _end_iteration(self) -> None:
        self.iteration += 1
        if self.iteration % self.config.log_every == 0:
            self._check_finite()
            self._record()
            self._snapshot = self._state()

    def step(self, n: int = 1) -> "Toy2DTrainer":
        """Run ``n`` full iterations (a half-done one from ``substep`` is finished first and counts as one).
        Raises TrainingDiverged, with the last good state restored, when a loss or weight goes NaN/inf."""
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise ValueError(f"n must be an integer >= 0, got {n!r}")
        t0 = self._t0 = time.perf_counter()
        with one_thread():
            try:
                for _ in range(n):
                    if self.phase == "d":
                        for _ in range(self.config.k_d):
                            self.d_update()
                    for _ in range(self.config.k_g):
                        self.g_update()
                    self.phase = "d"
                    self._end_iteration()
            finally:
                self.seconds += time.perf_counter() - t0
                self._t0 = None
        self._check_finite(weights=False)
        return self

    def substep(self) -> str:
        """Half an iteration: the k_D D updates ("d"), or then the k_G G updates that end it ("g")."""
        if self.phase == "g":
            self.step(1)
            return "g"
        with one_thread():
            for _ in range(self.config.k_d):
                self.d_update()
        self.phase = "g"
        self._check_finite()
        return "d"

    # ----- what the views draw ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _evaluating(self):
        """No gradients to the weights, spectral norm's power iteration frozen, one thread."""
        self.D.eval()
        try:
            with one_thread():
                yield
        finally:
            self.D.train()

    def samples(self, n: int | None = None) -> np.ndarray:
        """G on the fixed evaluation noise (the first n of ``n_eval``): (n, 2)."""
        with self._evaluating(), torch.no_grad():
            return self.G(self.z_eval if n is None else self.z_eval[:n]).double().numpy()

    def d_values(self, x) -> np.ndarray:
        """D(x) = sigmoid(logit) for ns/minimax, D's raw score for the other losses, at points x (n, 2) → (n,)."""
        xt = torch.as_tensor(np.asarray(x, dtype=np.float32)).reshape(-1, 2)
        with self._evaluating(), torch.no_grad():
            s = self.critic(xt, self._real_spread).reshape(-1)
            return (torch.sigmoid(s) if self.config.loss in PROBABILITY_LOSSES else s).double().numpy()

    def generator_pull(self, n: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """(x, v): n fakes on the evaluation noise and, at each, -∂ℓ/∂x, the direction and size of the push its
        own loss term ℓ(x) gives it (the G update moves G(z) along this, through G's weights)."""
        with self._evaluating():
            with torch.no_grad():
                x = self.G(self.z_eval[:n])
            x.requires_grad_(True)
            loss = self.g_loss(self.critic(x)) * len(x)  # the sum over samples: each gets its own gradient
            (grad,) = torch.autograd.grad(loss, x)
        return x.detach().double().numpy(), -grad.double().numpy()

    def manifold(self, lattice: np.ndarray) -> np.ndarray:
        """G applied to noise polylines (L, P, noise_dim) (see ``noise_lattice``) → (L, P, 2)."""
        z = torch.as_tensor(lattice[..., : self.config.noise_dim], dtype=torch.float32)
        with self._evaluating(), torch.no_grad():
            return self.G(z.reshape(-1, z.shape[-1])).double().numpy().reshape(*lattice.shape[:2], 2)

    def metrics(self) -> dict[str, float]:
        c, x = self.config, self.samples()
        cov = c.target.coverage(x)
        w1 = minibatch_w1(self.real_eval, x[: c.w1_n]) if len(x) >= c.w1_n else math.nan
        return {"covered": float(cov["covered"]), "coverage": cov["coverage"], "quality": cov["quality"],
                "jsd": hist_jsd(x, c.target, self.box), "w1": w1}

    # ----- bookkeeping ----------------------------------------------------------------------------------------
    def _record(self) -> None:
        running = time.perf_counter() - self._t0 if getattr(self, "_t0", None) is not None else 0.0
        self.history.append(step=self.iteration, seconds=self.seconds + running, **self.last, **self.metrics())

    def state_dict(self) -> dict:
        """Networks, optimisers and counters as plain data (``torch.save`` it; loads with weights_only=True)."""
        return self._state()

    def load_state_dict(self, s: dict) -> None:
        """Continue from a saved state of a trainer with the same networks (the history starts again)."""
        try:
            self._load_networks(s)
        except (KeyError, RuntimeError, ValueError) as exc:
            self.reset()
            raise ValueError(f"that state does not fit these networks ({str(exc).splitlines()[0][:120]})") from None
        self.iteration, self.d_updates, self.g_updates = int(s["iteration"]), int(s["d_updates"]), int(s["g_updates"])
        self.phase = "d"
        self.history = History(self.config.history_len)
        self._snapshot = self._state()
        self._record()

    def _check_finite(self, weights: bool = True) -> None:
        """Raise TrainingDiverged (restoring the last good state) if a loss, or with ``weights`` a weight, is
        NaN or inf. After every ``step`` call only the losses are checked (a bad weight makes the next loss bad);
        the weights too at every record and after the buttons' single updates."""
        self._diverged_if([k for k in ("loss_d", "loss_g") if k in self._fresh and not math.isfinite(self.last[k])],
                          weights)

    def _restore(self, s: dict) -> None:
        super()._restore(s)
        self.phase = "d"
