"""Matplotlib helpers for the exact 1-D GAN pictures. Each takes optional axes and returns its artists.

- ``plot_densities_and_dstar``: p_data, p_g and the optimal discriminator D* (right-hand axis, with ½ marked).
- ``plot_divergences_vs_shift``: JSD (flat at log 2 once the supports separate) and W1 as the generator slides.
- ``plot_generator_losses``: minimax vs non-saturating generator loss and their slopes, against D(G(z)) or its logit.

All numbers come from ``ganlab.theory`` (divergences and losses); nothing here re-derives a formula.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.special import logit

from ganlab.theory import (GENERATOR_LOSSES, LOG2, Gaussian, generator_loss, generator_loss_grad_wrt_d,
                           generator_loss_grad_wrt_logit,
                           js_divergence, optimal_discriminator, wasserstein1)

from ganlab.viz.style import COLORS

DATA_COLOUR, GEN_COLOUR, DSTAR_COLOUR = COLORS["data"], COLORS["gen"], COLORS["dstar"]
LOSS_COLOURS = {"minimax": "#9467bd", "ns": "#ff7f0e"}
LOSS_LABELS = {"minimax": r"minimax: $\log(1-D(G(z)))$", "ns": r"non-saturating: $-\log D(G(z))$"}


def density_grid(*densities, n: int = 801, width: float = 4.0) -> np.ndarray:
    """``n`` points spanning every component of every density ± ``width`` standard deviations."""
    comps = [c for d in densities for c in d.components()]
    if not comps:
        raise ValueError("density_grid needs at least one density")
    lo = min(m - width * s for _, m, s in comps)
    hi = max(m + width * s for _, m, s in comps)
    return np.linspace(lo, hi, n)


def plot_densities_and_dstar(target, gen, ax=None, x=None, legend: bool = True) -> dict:
    """Densities of the data (``target``) and the generator (``gen``) on ``ax``; D*(x) on a twin axis.

    Returns ``{"p_data", "p_g", "d_star", "half"}`` line artists; the D* axis is ``artists["d_star"].axes``.
    """
    ax = ax or plt.gca()
    x = density_grid(target, gen) if x is None else np.asarray(x, dtype=float)
    p, q = target.pdf(x), gen.pdf(x)
    (l_data,) = ax.plot(x, p, color=DATA_COLOUR, lw=2, label=r"$p_{data}(x)$")
    (l_gen,) = ax.plot(x, q, color=GEN_COLOUR, lw=2, label=r"$p_g(x)$")
    ax.fill_between(x, p, color=DATA_COLOUR, alpha=0.12)
    ax.fill_between(x, q, color=GEN_COLOUR, alpha=0.12)
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(bottom=0)
    ax2 = ax.twinx()
    (l_d,) = ax2.plot(x, optimal_discriminator(p, q), color=DSTAR_COLOUR, lw=2, ls="--",
                      label=r"$D^*(x)=\frac{p_{data}}{p_{data}+p_g}$ (right axis)")
    l_half = ax2.axhline(0.5, color="grey", lw=1, ls=":", label="D = 1/2 (a coin flip)")
    ax2.set_ylim(-0.02, 1.02)
    ax2.set_ylabel(r"$D^*(x)$ = P(real | x)", color=DSTAR_COLOUR)
    ax2.tick_params(axis="y", colors=DSTAR_COLOUR)
    if legend:
        ax.legend(handles=[l_data, l_gen, l_d, l_half], loc="center left", framealpha=0.85)
    return {"p_data": l_data, "p_g": l_gen, "d_star": l_d, "half": l_half}


def plot_divergences_vs_shift(target, gen_sd: float, means, ax_jsd=None, ax_w1=None) -> dict:
    """JSD and W1 between ``target`` and N(mean, gen_sd²) for each generator mean in ``means``.

    Returns ``{"jsd", "log2", "w1"}`` (``"w1"`` only when ``ax_w1`` is given).
    """

    means = np.asarray(means, dtype=float)
    gens = [Gaussian(m, gen_sd) for m in means]
    ax_jsd = ax_jsd or plt.gca()
    jsd = [js_divergence(target, g) for g in gens]
    (l_jsd,) = ax_jsd.plot(means, jsd, color="k", lw=2, label="JSD($p_{data}$, $p_g$)")
    l_log2 = ax_jsd.axhline(LOG2, color="grey", ls=":", label=r"$\log 2 \approx 0.693$ (its maximum)")
    ax_jsd.set_xlabel("generator mean $\\mu_g$")
    ax_jsd.set_ylabel("JSD (nats)")
    ax_jsd.set_ylim(-0.03, LOG2 + 0.08)
    ax_jsd.legend(loc="lower right")
    out = {"jsd": l_jsd, "log2": l_log2}
    if ax_w1 is not None:
        w1 = [wasserstein1(target, g) for g in gens]
        (out["w1"],) = ax_w1.plot(means, w1, color="#8c564b", lw=2, label="$W_1(p_{data}, p_g)$")
        ax_w1.set_xlabel("generator mean $\\mu_g$")
        ax_w1.set_ylabel("$W_1$ (units of x)")
        ax_w1.legend(loc="upper center")
    return out


def plot_generator_losses(ax_loss=None, ax_grad=None, d=None, against: str = "d", legend: bool = True) -> dict:
    """Both generator losses (``ax_loss``) and their slopes (``ax_grad``), drawn against D(G(z)) or its logit.

    ``d``: the D(G(z)) values to plot (default 400 points in (0.001, 0.999)). ``against="d"``: x is D and the
    slope is d loss / d D (``generator_loss_grad_wrt_d``); ``against="logit"``: x is the logit l = log(d/(1-d))
    and the slope is d loss / d l (``generator_loss_grad_wrt_logit``), the gradient that flows back into G.
    Losses come from ``ganlab.theory.generator_loss`` on the logit. Returns
    ``{"loss_ns", "loss_minimax", "grad_ns", "grad_minimax"}`` for the axes given (``ax_loss`` defaults to
    the current axes). ``legend=False`` draws no legends (e.g. for one figure legend shared by several axes).
    """
    if against not in ("d", "logit"):
        raise ValueError(f"against must be 'd' or 'logit', got {against!r}")
    d = np.linspace(1e-3, 1 - 1e-3, 400) if d is None else np.asarray(d, dtype=float)
    lg = logit(d)
    x = d if against == "d" else lg
    slope = generator_loss_grad_wrt_d if against == "d" else generator_loss_grad_wrt_logit
    logits = torch.as_tensor(lg, dtype=torch.float64).reshape(-1, 1, 1)
    ax_loss = ax_loss or plt.gca()
    out = {}
    for kind in GENERATOR_LOSSES:
        per_sample = [generator_loss(l, kind).item() for l in logits]  # one D(G(z)) value at a time
        (out[f"loss_{kind}"],) = ax_loss.plot(x, per_sample, color=LOSS_COLOURS[kind], lw=2.5, label=LOSS_LABELS[kind])
        if ax_grad is not None:
            (out[f"grad_{kind}"],) = ax_grad.plot(x, slope(d, kind), color=LOSS_COLOURS[kind], lw=2.5,
                                                  label=LOSS_LABELS[kind])
    early = (0, 0.1) if against == "d" else (float(lg.min()), float(logit(0.1)))
    axes = [ax_loss] + ([ax_grad] if ax_grad is not None else [])
    for a in axes:
        a.axvspan(*early, color="grey", alpha=0.12, lw=0)
        a.axhline(0, color="k", lw=0.6)
        a.set_xlabel("D(G(z)): the discriminator's belief that a fake is real" if against == "d"
                     else r"logit $\ell$ of D(G(z)), $D = \sigma(\ell)$")
        a.set_xlim(float(x.min()), float(x.max()))
    ax_loss.set_ylabel("generator loss (to minimise)")
    ax_loss.set_ylim(-5, 5)
    if legend:
        ax_loss.legend(loc="lower left" if against == "logit" else "upper right")
    if ax_grad is not None:
        if against == "d":
            ax_grad.set_ylabel(r"slope $\partial\,\mathrm{loss}_G / \partial D$")
            ax_grad.set_ylim(-6, 0.3)
            if legend:
                ax_grad.legend(loc="lower center")
        else:
            ax_grad.set_ylabel(r"$\partial\,\mathrm{loss}_G / \partial \ell$ (reaches G)")
            ax_grad.set_ylim(-1.05, 0.05)
            if legend:
                ax_grad.legend(loc="center left")
    return out
