"""Named failure presets: a config that fails in a recognisable way, the configs that fix it, and the
measurement that tells failure from success. Everything is seeded, so each run repeats exactly.

    p = preset("mode_collapse")
    bad = p.run()                     # a BatchedGAN trained for p.steps (p.fast_steps in fast mode)
    p.signature(bad)                  # {'covered': 1.0, ...}
    p.failed(p.signature(bad))        # True
    good = p.run(fix="minibatch stddev")
    p.failed(p.signature(good))       # False

Presets (1-D, so p_g and the JSD are exact and a run takes seconds):
    mode_collapse        two far-apart modes; G settles on one of them and stays
    vanishing_gradients  minimax loss against a strong D: D(G(z)) ~ 0, G's gradient ~ 0
    disjoint_supports    a narrow target far from G: JSD = log 2 exactly, D saturates, G never moves
    oscillation          large learning rates with momentum: G circles the target instead of settling
    useless_d            a D that barely learns: D(x) stays at its random start, G gets no signal
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ganlab.core import is_fast
from ganlab.theory import LOG2, Gaussian
from ganlab.toy.batched import BatchedGAN
from ganlab.toy.config import ToyConfig
from ganlab.toy.nets import MLPConfig
from ganlab.toy.targets import bimodal_1d

SMALL = MLPConfig(width=16)
BASE = ToyConfig(g=SMALL, d=SMALL, k_d=1, batch_size=64, log_every=50)  # k_d = 1 pinned: the presets predate k_d = 3


@dataclass
class Preset:
    name: str
    title: str
    failure: str  # what goes wrong, in one sentence
    config: ToyConfig  # the failing setup
    fixes: dict[str, ToyConfig]  # fix name -> config (the failing setup with one thing changed)
    seed: int  # the stated seed the failure and fixes are checked on
    steps: int  # full-mode iterations
    fast_steps: int  # iterations in fast mode (GANLAB_FAST=1) and in the tests
    measure: Callable[[BatchedGAN], dict[str, np.ndarray]]  # per-model numbers
    is_failure: Callable[[dict], np.ndarray]  # per-model True where the signature shows the failure
    rule: str  # the failure rule in words

    def n_steps(self, fast: bool | None = None) -> int:
        return self.fast_steps if (is_fast() if fast is None else fast) else self.steps

    def make(self, fix: str | None = None, seeds=None) -> BatchedGAN:
        cfg = self.config if fix is None else self.fixes[fix]
        return BatchedGAN(cfg, seed=[self.seed] if seeds is None else list(seeds))

    def run(self, fix: str | None = None, seeds=None, steps: int | None = None, fast: bool | None = None) -> BatchedGAN:
        """Train the failing config (or a fix) from the stated seed (or ``seeds``, all at once)."""
        return self.make(fix, seeds).step(self.n_steps(fast) if steps is None else steps)

    def signature(self, trainer: BatchedGAN) -> dict[str, float]:
        """The measured numbers of the first model (the stated seed), as floats."""
        return {k: float(np.asarray(v).reshape(-1)[0]) for k, v in self.measure(trainer).items()}

    def failed(self, trainer: BatchedGAN) -> np.ndarray:
        """Per model: does the run show this preset's failure?"""
        return np.asarray(self.is_failure(self.measure(trainer)))


def _second_half(h: np.ndarray) -> np.ndarray:
    return h[len(h) // 2:]


# ----- measurements ------------------------------------------------------------------------------
def _collapse(t: BatchedGAN) -> dict:
    return {"covered": t.final("covered"), "quality": t.final("quality"), "jsd": t.final("jsd")}


def _vanishing(t: BatchedGAN) -> dict:
    return {"g_grad": np.median(_second_half(t.hist("g_grad")[1:]), axis=0), "d_fake": t.final("d_fake"),
            "jsd": t.final("jsd")}


def _disjoint(t: BatchedGAN) -> dict:
    gap = np.abs(t.hist("mean_g") - t.config.target.mean)  # distance of G's mean from the target's
    return {"jsd_min": t.hist("jsd").min(0), "closest": gap.min(0), "start_gap": gap[0],
            "g_grad": np.median(t.hist("g_grad")[1:], axis=0)}


def _oscillation(t: BatchedGAN) -> dict:
    target_mean = float(t.config.target.mean)
    jsd, m = _second_half(t.hist("jsd")), _second_half(t.hist("mean_g"))
    crossings = (np.diff(np.sign(m - target_mean), axis=0) != 0).sum(0)
    return {"jsd_mean": jsd.mean(0), "jsd_sd": jsd.std(0), "crossings": crossings.astype(float),
            "mean_g_sd": m.std(0)}


def _useless(t: BatchedGAN) -> dict:
    d_real = t.hist("d_real")[1:]
    return {"d_real_change": np.abs(d_real - d_real[0]).max(0), "jsd": t.final("jsd"), "jsd_start": t.hist("jsd")[0]}


def _wgan_gp_1d(cfg: ToyConfig) -> ToyConfig:
    """WGAN-GP for a 1-D toy. λ = 1, not the usual 10: in 1-D a critic's slope cannot rotate from -1 to +1
    without passing through 0, where the two-sided penalty λ(|f'| - 1)^2 has a bump of height λ; with λ = 10 a
    critic that starts with the wrong sign stays there (measured: slope ≈ -1, W1 estimate ≈ -2.5)."""
    return cfg.with_(loss="wgan-gp", k_d=5, lr_d=1e-3, lr_g=1e-3, betas=(0.5, 0.9), gp_weight=1.0)


# ----- the presets -------------------------------------------------------------------------------
def _presets() -> dict[str, Preset]:
    mc = BASE.with_(target=bimodal_1d(6.0, 0.3))
    van = BASE.with_(target=Gaussian(4.0, 0.5), loss="minimax", lr_d=5e-3, k_d=5)
    dis = BASE.with_(target=Gaussian(4.0, 0.1), loss="minimax", lr_d=5e-3, k_d=5,
                     d=MLPConfig(width=16, activation="tanh"))
    osc = BASE.with_(target=Gaussian(2.0, 0.5), lr_d=1e-2, lr_g=1e-2, betas=(0.9, 0.999), log_every=20)
    use = BASE.with_(target=Gaussian(4.0, 0.5), lr_d=1e-7)
    out = [
        Preset("mode_collapse", "Mode collapse",
               "G puts all its mass on one of the two modes and never finds the other.",
               mc, {"minibatch stddev": mc.with_(mbstd=True), "WGAN-GP": _wgan_gp_1d(mc),
                    "WGAN, weight clipping": mc.with_(loss="wgan-clip", k_d=5, lr_d=5e-4, lr_g=5e-4)},
               seed=1, steps=1500, fast_steps=600, measure=_collapse,
               is_failure=lambda s: s["covered"] < 2, rule="fewer than 2 of 2 modes covered at the end"),
        Preset("vanishing_gradients", "Vanishing gradients (minimax loss, strong D)",
               "D rejects every fake with certainty, so log(1 - D(G(z))) is flat and G's gradient is ~0.",
               van, {"non-saturating loss": van.with_(loss="ns")},
               seed=0, steps=1000, fast_steps=250, measure=_vanishing,
               is_failure=lambda s: (s["g_grad"] < 1e-3) & (s["jsd"] > 0.6),
               rule="median |∇G loss| over the second half < 1e-3 and final JSD > 0.6"),
        Preset("disjoint_supports", "Disjoint supports (JSD stuck at log 2)",
               "p_g and p_data do not overlap: the JSD is log 2 wherever G is, so it gives G no direction.",
               dis, {"instance noise": dis.with_(instance_noise=1.0),
                     "WGAN-GP": _wgan_gp_1d(dis)},
               seed=0, steps=1000, fast_steps=300, measure=_disjoint,
               is_failure=lambda s: (s["jsd_min"] > LOG2 - 0.01) & (s["closest"] > s["start_gap"] - 0.5),
               rule="JSD never drops below log 2 − 0.01 and G's mean never gets 0.5 closer to the target"),
        Preset("oscillation", "Oscillation and non-convergence",
               "With large steps and momentum G overshoots the target again and again; the JSD never settles.",
               osc, {"smaller, balanced learning rates": osc.with_(lr_d=2e-3, lr_g=5e-4, betas=(0.5, 0.999))},
               seed=0, steps=1000, fast_steps=600, measure=_oscillation,
               is_failure=lambda s: (s["jsd_sd"] > 0.05) & (s["crossings"] >= 4),
               rule="over the second half the JSD's sd > 0.05 and G's mean crosses the target mean ≥ 4 times"),
        Preset("useless_d", "A useless discriminator",
               "D's learning rate is so small that D stays a random function: G follows noise, not the data.",
               use, {"balanced learning rates": use.with_(lr_d=2e-3)},
               seed=0, steps=1000, fast_steps=400, measure=_useless,
               is_failure=lambda s: (s["d_real_change"] < 0.01) & (s["jsd"] > 0.5),
               rule="mean D(x) on real data moves < 0.01 and the final JSD > 0.5"),
    ]
    return {p.name: p for p in out}


PRESETS = tuple(_presets())


def preset(name: str) -> Preset:
    """A fresh Preset by name (one of ``PRESETS``)."""
    table = _presets()
    if name not in table:
        raise ValueError(f"unknown preset {name!r}: expected one of {PRESETS}")
    return table[name]


def fixes_for_mode_collapse() -> dict[str, ToyConfig]:
    """Every fix in the course, each a one-line change of the mode-collapse preset, for one comparison plot."""
    mc = preset("mode_collapse").config
    return {
        "vanilla (ns)": mc,
        "minimax (the §2a failure)": mc.with_(loss="minimax"),  # for comparison, not a fix
        "minibatch stddev": mc.with_(mbstd=True),
        "WGAN-GP": _wgan_gp_1d(mc),
        "WGAN, weight clipping": mc.with_(loss="wgan-clip", k_d=5, lr_d=5e-4, lr_g=5e-4),
        "label smoothing 0.9": mc.with_(real_label=0.9),
        "instance noise 0.5": mc.with_(instance_noise=0.5),
        "k_D = 5": mc.with_(k_d=5),
        "slower G (two time-scales)": mc.with_(lr_g=1e-4),
        "D grad clip 1.0": mc.with_(d_grad_clip=1.0),
    }
