"""One config for every toy GAN: the readable ToyTrainer and the batched engine read the same fields.

The defaults are the 1-D run notebook 03 shows first: an ELU generator and k_d = 3 critic steps end below JSD
0.01 on every one of seeds 0-15 within 3,000 iterations (``benchmarks/toy_default_seeds.py``). Experiments that
must keep the earlier defaults (leaky-ReLU generator, k_d = 1: the failure presets, the stability map) set them.

A few switches exist in one engine only; each engine checks them (:meth:`ToyConfig.check_engine`) and
says which engine to use instead, before any work starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from ganlab.theory import LOSSES, NOISE_KINDS, Gaussian, GaussianMixture
from ganlab.toy.nets import MLPConfig

OPTIMIZERS = ("adam", "sgd")
ENGINES = ("toy", "batched")
#: settings only one engine implements: field -> (engine, the value the other engine needs)
ENGINE_ONLY = {
    "noise": ("toy", "gaussian"), "momentum": ("toy", 0.0), "k_g": ("toy", 1),
    "instance_noise": ("batched", 0.0), "mbstd": ("batched", False), "d_grad_clip": ("batched", 0.0),
    "spectral_norm": ("toy", False),
}


@dataclass
class ToyConfig:
    target: Gaussian | GaussianMixture = field(default_factory=lambda: Gaussian(3.0, 0.75))  # p_data (1-D; 2-D mixtures in the batched engine)
    noise: str = "gaussian"  # p(z): "gaussian" N(0,1) or "uniform" U(-1,1)
    noise_dim: int = 1  # dimension of z, 1..64; 1 with a 1-D target lets us draw z -> x and compute p_g exactly
    # generator network; ELU hidden layers by default (with leaky ReLU and k_d = 1, 8 of seeds 0-15 ended above
    # JSD 0.01 after 3,000 iterations, 3 with a folded, non-monotone z -> x map; benchmarks/toy_default_seeds.py)
    g: MLPConfig = field(default_factory=lambda: MLPConfig(activation="elu"))
    d: MLPConfig = field(default_factory=MLPConfig)  # discriminator (critic) network
    loss: str = "ns"  # "ns" (-log D(G(z))), "minimax" (log(1 - D(G(z)))), "wgan-gp" or "wgan-clip"
    optimizer: str = "adam"  # "adam" or "sgd" (both networks)
    lr_d: float = 2e-3  # discriminator learning rate, in (0, 10] (faster than G: two time-scale updates)
    lr_g: float = 5e-4  # generator learning rate, in (0, 10]
    betas: tuple[float, float] = (0.5, 0.999)  # Adam betas, each in [0, 1) (beta1 = 0.5 is the GAN custom)
    momentum: float = 0.0  # SGD momentum, in [0, 1)
    k_d: int = 3  # discriminator updates per iteration, 1..100 (3 with the ELU generator: JSD < 0.01 on seeds 0-15 and held-out 16-31)
    k_g: int = 1  # generator updates per iteration, 1..100
    batch_size: int = 128  # samples per batch (real and fake each), 2..100000
    real_label: float = 1.0  # target for real samples in the D loss, in (0, 1]; 0.9 = one-sided label smoothing
    instance_noise: float = 0.0  # sd of Gaussian noise added to every input of D, >= 0 (0 = off)
    mbstd: bool = False  # D also sees its batch's standard deviation (minibatch-stddev feature)
    gp_weight: float = 10.0  # λ of the WGAN-GP gradient penalty, >= 0
    clip_value: float = 0.01  # WGAN weight clipping range [-c, c], > 0
    d_grad_clip: float = 0.0  # clip the norm of D's gradient to this, >= 0 (0 = off)
    spectral_norm: bool = False  # True: each linear layer of D divided by its largest singular value (logit ~1-Lipschitz)
    seed: int = 0  # seeds the networks' init and every sample drawn, 0..2**32-1
    log_every: int = 20  # record history every this many iterations, >= 1
    history_len: int = 2000  # rows kept in history before it thins itself, >= 4
    n_eval: int = 4000  # fixed generated samples behind sample-based metrics (coverage, histogram JSD), >= 1

    def validate(self) -> None:
        """Raise ValueError naming the first bad field, its value and the allowed range."""
        _check_choices_and_rates(self, LOSSES)
        _integer(self, "k_d", 1, 100)
        _integer(self, "k_g", 1, 100)
        _integer(self, "batch_size", 2, 100_000)
        _integer(self, "noise_dim", 1, 64)
        _integer(self, "seed", 0, 2**32 - 1)
        _integer(self, "log_every", 1, 10**9)
        _integer(self, "history_len", 4, 10**7)
        _integer(self, "n_eval", 1, 10**6)
        if not (len(self.betas) == 2 and all(_number(b) and 0 <= b < 1 for b in self.betas)):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        if not (_number(self.real_label) and 0.0 < self.real_label <= 1.0):
            raise ValueError(f"real_label must be in (0, 1], got {self.real_label!r}")
        if not (_number(self.momentum) and 0.0 <= self.momentum < 1.0):
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum!r}")
        for name in ("instance_noise", "gp_weight", "d_grad_clip"):
            v = getattr(self, name)
            if not (_number(v) and v >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {v!r}")
        if not isinstance(self.spectral_norm, bool):
            raise ValueError(f"spectral_norm must be True or False, got {self.spectral_norm!r}")
        if not (_number(self.clip_value) and self.clip_value > 0):
            raise ValueError(f"clip_value must be a finite number > 0, got {self.clip_value!r}")
        if not isinstance(self.target, (Gaussian, GaussianMixture)) or getattr(self.target, "sds", 1) is None:
            raise ValueError(f"target must be a Gaussian or an isotropic GaussianMixture, got {self.target!r}")
        self.g.validate("generator")
        self.d.validate("discriminator")

    def check_engine(self, engine: str) -> None:
        """Raise ValueError if a setting needs the other engine (e.g. ``mbstd`` in ToyTrainer)."""
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}: expected one of {ENGINES}")
        for name, (only, neutral) in ENGINE_ONLY.items():
            v = getattr(self, name)
            if only != engine and v != neutral:
                other = "ganlab.toy.ToyTrainer" if only == "toy" else "ganlab.toy.BatchedGAN"
                raise ValueError(f"{name}={v!r} is implemented by {other} only; here it must be {neutral!r}")
        if engine == "toy" and self.target.dim != 1:
            raise ValueError(f"ToyTrainer trains 1-D targets; {self.target.describe()} is {self.target.dim}-D "
                             "(use ganlab.toy.BatchedGAN)")

    def with_(self, **changes) -> "ToyConfig":
        """A copy with some fields changed (the config itself is never modified)."""
        return replace(self, **changes)


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_choices_and_rates(cfg, losses) -> None:
    """The fields every toy config shares: noise, loss (one of ``losses``), optimizer, and lr_d, lr_g in (0, 10]."""
    if cfg.noise not in NOISE_KINDS:
        raise ValueError(f"unknown noise {cfg.noise!r}: expected one of {NOISE_KINDS}")
    if cfg.loss not in losses:
        raise ValueError(f"unknown loss {cfg.loss!r}: expected one of {losses}")
    if cfg.optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {cfg.optimizer!r}: expected one of {OPTIMIZERS}")
    for name in ("lr_d", "lr_g"):
        v = getattr(cfg, name)
        if not (_number(v) and 0 < v <= 10):
            raise ValueError(f"{name} must be in (0, 10], got {v!r}")


def _integer(cfg, name: str, lo: int, hi: int) -> None:
    v = getattr(cfg, name)
    if not (isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi):
        raise ValueError(f"{name} must be an integer in {lo}..{hi}, got {v!r}")
