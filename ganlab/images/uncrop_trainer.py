"""Training the two un-croppers of :mod:`ganlab.images.uncrop`: a regressor and a pix2pix-style cGAN.

* :class:`RegressorConfig` / :func:`fit_uncrop_regressor`: the bottom half by squared (or absolute) error.
* :class:`UncropGANConfig` / :class:`UncropGANTrainer`: G(y, z) against the pair discriminator D(y, x),

  .. math:: L_G = -\\mathbb E \\log σ(D(y, [y; G(y, z)])) + λ\\, \\min_{j ≤ k} \\lVert x_b - G(y, z_j) \\rVert_1
                  - μ\\, \\mathbb E \\min\\Big(\\frac{\\lVert G(y, z_1) - G(y, z_2) \\rVert_1}{\\lVert z_1 - z_2 \\rVert_1}, τ\\Big)

  (``l1`` = λ, ``best_of`` = k, ``diversity`` = μ, ``tau`` = τ). The L1 term alone pulls *every* sample to the
  conditional median, so the generator learns to ignore z (pix2pix's observation); two remedies:
  **best-of-k** L1 (only the closest of k samples is pulled to the truth, the others are free;
  Bao et al.'s and many multiple-hypothesis papers' trick) and the **diversity-sensitive** term (Yang et al.
  2019; the mode-seeking loss of Mao et al. 2019 is the same ratio): different z must give different outputs.

Every run is seeded (weights from ``seed``, batches and noise from one generator seeded ``seed + 1``): the same
config and step count give the same weights on the CPU.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import torch

from ganlab.core import num_threads, seeded
from ganlab.images.pixels import to_unit
from ganlab.images.uncrop import (HALF, Completer, CompleterConfig, PairDiscriminator, _check_float, _check_int,
                                  compose, condition_image, top_half)
from ganlab.theory import discriminator_loss, real_loss


def _check_data(images: torch.Tensor) -> None:
    if not isinstance(images, torch.Tensor) or images.dtype != torch.uint8 or images.dim() != 3 \
            or tuple(images.shape[1:]) != (28, 28) or len(images) < 2:
        raise ValueError("images must be uint8 (N, 28, 28) with N >= 2, got "
                         f"{getattr(images, 'dtype', type(images))} {tuple(getattr(images, 'shape', ()))}")


def _budget(steps, minutes) -> tuple[int | None, float | None]:
    if (steps is None) == (minutes is None):
        raise ValueError("give exactly one of steps or minutes")
    if steps is not None:
        _check_int("steps", steps, 1, 10**7)
    else:
        _check_float("minutes", minutes, 0, 600, open_lo=True)
    return steps, minutes


@dataclass
class RegressorConfig:
    """The deterministic un-cropper: :class:`Completer` with ``nz = 0``, fitted by a pixel loss."""

    net: CompleterConfig = field(default_factory=lambda: CompleterConfig(nz=0))  # must have nz = 0
    loss: str = "mse"  # "mse" (answer: the conditional mean) or "l1" (the conditional median)
    batch_size: int = 128  # images per step, 2..4096
    lr: float = 1e-3  # Adam learning rate, (0, 1)
    seed: int = 0  # weights from seed, batches from seed + 1; 0..2**31
    log_every: int = 100  # steps between history records, 1..10**6

    def __post_init__(self):
        if isinstance(self.net, dict):
            self.net = CompleterConfig.from_dict(self.net)
        if self.net.nz != 0:
            raise ValueError(f"a regressor has no noise input: net.nz must be 0, got {self.net.nz}")
        if self.loss not in ("mse", "l1"):
            raise ValueError(f"loss must be 'mse' or 'l1', got {self.loss!r}")
        _check_int("batch_size", self.batch_size, 2, 4096)
        _check_float("lr", self.lr, 0, 1, open_lo=True)
        _check_int("seed", self.seed, 0, 2**31)
        _check_int("log_every", self.log_every, 1, 10**6)


def fit_uncrop_regressor(images: torch.Tensor, config: RegressorConfig | None = None, steps: int | None = None,
                         minutes: float | None = None, threads: int | None = None) -> tuple[Completer, dict]:
    """Fit the bottom half of uint8 ``images`` (N, 28, 28) from the top by ``config.loss``.

    Returns ``(model in eval mode, history)``; history: ``{"step": [...], "loss": [...], "seconds": s}``."""
    cfg = config or RegressorConfig()
    _check_data(images)
    steps, minutes = _budget(steps, minutes)
    with num_threads(threads):
        with seeded(cfg.seed):
            model = Completer(cfg.net)
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
        g = torch.Generator().manual_seed(cfg.seed + 1)
        hist, t0, step = {"step": [], "loss": []}, time.perf_counter(), 0
        while (step < steps) if steps is not None else (time.perf_counter() - t0 < 60 * minutes):
            x = to_unit(images[torch.randint(0, len(images), (cfg.batch_size,), generator=g)])  # (B, 1, 28, 28)
            err = model(top_half(x)) - x[:, :, HALF:]  # (B, 1, 14, 28)
            loss = (err ** 2).mean() if cfg.loss == "mse" else err.abs().mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % cfg.log_every == 0:
                hist["step"].append(step)
                hist["loss"].append(loss.item())
    hist["seconds"] = time.perf_counter() - t0
    model.step = step
    return model.eval(), hist


def best_of_l1(samples: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """min over k of the mean |sample_j - target|, averaged over the batch: samples (k, B, …), target (B, …)."""
    per = (samples - target.unsqueeze(0)).abs().flatten(2).mean(dim=2)  # (k, B)
    return per.min(dim=0).values.mean()


def diversity_ratio(a: torch.Tensor, b: torch.Tensor, za: torch.Tensor, zb: torch.Tensor, tau: float) -> torch.Tensor:
    """Yang et al. (2019): mean over the batch of min(‖a - b‖₁ / ‖z_a - z_b‖₁, τ), each ‖·‖₁ a per-item mean;
    a, b: (B, …) outputs for the noises za, zb: (B, nz)."""
    ratio = (a - b).abs().flatten(1).mean(dim=1) / (za - zb).abs().mean(dim=1)  # (B,)
    return ratio.clamp(max=tau).mean()


@dataclass
class UncropGANConfig:
    """The pix2pix-style un-cropping cGAN: G = :class:`Completer` (nz > 0), D = :class:`PairDiscriminator`."""

    net: CompleterConfig = field(default_factory=CompleterConfig)  # the generator; nz must be >= 1
    ndf: int = 16  # discriminator width (channels at 14×14), 4..256 (16: half the CPU time of 32 per step)
    batch_size: int = 64  # conditions per step, 2..4096
    lr_g: float = 2e-4  # generator Adam learning rate, (0, 1)
    lr_d: float = 2e-4  # discriminator Adam learning rate, (0, 1)
    beta1: float = 0.5  # Adam β1 of both, [0, 1) (pix2pix: 0.5)
    l1: float = 10.0  # λ, weight of the L1 term, [0, 1000] (pix2pix: 100; large λ makes G ignore z)
    best_of: int = 4  # k: samples per condition, L1 on the closest one only, 1..16 (1: plain L1, z ignored)
    diversity: float = 0.0  # μ, weight of the diversity-sensitive term, [0, 100] (0: off)
    tau: float = 1.0  # τ, the diversity ratio is clipped at τ, (0, 100]
    seed: int = 0  # weights from seed, batches and noise from seed + 1; 0..2**31
    log_every: int = 100  # steps between history records, 1..10**6

    def __post_init__(self):
        if isinstance(self.net, dict):
            self.net = CompleterConfig.from_dict(self.net)
        if self.net.nz < 1:
            raise ValueError(f"the cGAN's generator needs noise: net.nz must be >= 1, got {self.net.nz}")
        _check_int("ndf", self.ndf, 4, 256)
        _check_int("batch_size", self.batch_size, 2, 4096)
        for name in ("lr_g", "lr_d"):
            _check_float(name, getattr(self, name), 0, 1, open_lo=True)
        _check_float("beta1", self.beta1, 0, 0.999)
        _check_float("l1", self.l1, 0, 1000)
        _check_int("best_of", self.best_of, 1, 16)
        _check_float("diversity", self.diversity, 0, 100)
        _check_float("tau", self.tau, 0, 100, open_lo=True)
        _check_int("seed", self.seed, 0, 2**31)
        _check_int("log_every", self.log_every, 1, 10**6)

    def to_dict(self) -> dict:
        return asdict(self)


class UncropGANTrainer:
    """Trains G(y, z) and D(y, x) on uint8 ``images`` (N, 28, 28). ``step()`` is one D and one G update."""

    def __init__(self, config: UncropGANConfig | None = None, images: torch.Tensor | None = None):
        self.config = cfg = config or UncropGANConfig()
        if images is None:
            from ganlab.images.mnist import load_mnist
            images = load_mnist("train")[0]
        _check_data(images)
        self.images = images
        with seeded(cfg.seed):
            self.G, self.D = Completer(cfg.net), PairDiscriminator(cfg.ndf)
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=cfg.lr_g, betas=(cfg.beta1, 0.999))
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=cfg.lr_d, betas=(cfg.beta1, 0.999))
        self.gen = torch.Generator().manual_seed(cfg.seed + 1)  # batches, then noise, in that order each step
        self.step_count, self.seconds = 0, 0.0
        self.history = {"step": [], "loss_D": [], "adv": [], "l1": [], "div": []}

    def samples_per_condition(self) -> int:
        """k·B fakes per step: ``best_of`` samples, at least 2 when the diversity term needs a pair."""
        return max(self.config.best_of, 2 if self.config.diversity > 0 else 1)

    def step(self) -> dict:
        """One update of D, then of G; returns the losses as floats."""
        cfg, G, D = self.config, self.G, self.D
        B, k = cfg.batch_size, self.samples_per_condition()
        x = to_unit(self.images[torch.randint(0, len(self.images), (B,), generator=self.gen)])  # (B, 1, 28, 28)
        z = torch.randn(k, B, cfg.net.nz, generator=self.gen)  # (k, B, nz)
        y, top = condition_image(x), top_half(x)  # (B, 1, 28, 28), (B, 1, 14, 28)
        bottoms = G(top.repeat(k, 1, 1, 1), z.flatten(0, 1)).view(k, B, 1, HALF, 28)  # (k, B, 1, 14, 28)
        fake = compose(top, bottoms[0])  # the first sample of each condition: (B, 1, 28, 28)

        loss_d = discriminator_loss(D(y, x), D(y, fake.detach()))  # BCE with logits: real pairs 1, fake pairs 0
        self.opt_D.zero_grad()
        loss_d.backward()
        self.opt_D.step()

        adv = real_loss(D(y, fake))  # non-saturating: -log σ(D(y, fake))
        l1 = best_of_l1(bottoms, x[:, :, HALF:])  # only the closest of the k samples is pulled to the truth
        div = diversity_ratio(bottoms[0], bottoms[1], z[0], z[1], cfg.tau) if cfg.diversity > 0 else torch.zeros(())
        loss_g = adv + cfg.l1 * l1 - cfg.diversity * div
        self.opt_G.zero_grad()
        loss_g.backward()
        self.opt_G.step()
        self.step_count += 1
        return {"loss_D": loss_d.item(), "adv": adv.item(), "l1": l1.item(), "div": div.item()}

    def train(self, steps: int | None = None, minutes: float | None = None, threads: int | None = None) -> dict:
        """Run ``steps`` updates, or as many as fit in ``minutes``; returns the history."""
        steps, minutes = _budget(steps, minutes)
        start, t0 = self.step_count, time.perf_counter()
        with num_threads(threads):
            while (self.step_count - start < steps) if steps is not None else (time.perf_counter() - t0 < 60 * minutes):
                out = self.step()
                if self.step_count % self.config.log_every == 0:
                    self.history["step"].append(self.step_count)
                    for key, v in out.items():
                        self.history[key].append(v)
        self.seconds += time.perf_counter() - t0
        self.G.step = self.step_count
        return self.history
