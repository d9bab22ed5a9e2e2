"""GAN losses on logits (the discriminator outputs a logit l; D = sigmoid(l)).

    loss_D          = -E[log D(x)] - E[log(1 - D(G(z)))]  = -V(D, G)   (= log 4 ≈ 1.386 at equilibrium)
    loss_G minimax  =  E[log(1 - D(G(z)))]                               (saturates when D(G(z)) → 0)
    loss_G ns       = -E[log D(G(z))]                      non-saturating (= log 2 ≈ 0.693 at equilibrium)

Written with ``binary_cross_entropy_with_logits`` / softplus, which are stable for any logit:
log D = -softplus(-l) and log(1 - D) = -softplus(l).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

GENERATOR_LOSSES = ("ns", "minimax")


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor,
                       real_label: float = 1.0) -> torch.Tensor:
    """Binary cross-entropy: real → label ``real_label`` (1, or e.g. 0.9 for one-sided smoothing), fake → 0."""
    real = F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, real_label))
    fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real + fake


def generator_loss(fake_logits: torch.Tensor, kind: str = "ns") -> torch.Tensor:
    """``ns``: -E log D(G(z)); ``minimax``: E log(1 - D(G(z)))."""
    if kind == "ns":
        return F.softplus(-fake_logits).mean()
    if kind == "minimax":
        return -F.softplus(fake_logits).mean()
    raise ValueError(f"unknown generator loss {kind!r}: expected one of {GENERATOR_LOSSES}")


def generator_loss_grad_wrt_logit(d_fake, kind: str = "ns"):
    """d loss_G / d logit for one sample, as a function of D(G(z)) = sigmoid(logit).

    minimax: d/dl log(1 - σ(l)) = -σ(l) = -D   → tiny when D(G(z)) ≈ 0 (vanishing gradient)
    ns:      d/dl -log σ(l)     = -(1 - σ(l)) = -(1 - D)   → about -1 when D(G(z)) ≈ 0 (strong gradient)
    """
    if kind == "ns":
        return -(1.0 - d_fake)
    if kind == "minimax":
        return -d_fake
    raise ValueError(f"unknown generator loss {kind!r}: expected one of {GENERATOR_LOSSES}")
