"""GAN losses on logits (the discriminator outputs a logit l; D = sigmoid(l)), one implementation for
every trainer in the course (the 1-D ToyTrainer, the batched toy engine, the image trainers).

    loss_D          = -E[log D(x)] - E[log(1 - D(G(z)))]  = -V(D, G)   (= log 4 ≈ 1.386 at equilibrium)
    loss_G minimax  =  E[log(1 - D(G(z)))]                               (saturates when D(G(z)) → 0)
    loss_G ns       = -E[log D(G(z))]                      non-saturating (= log 2 ≈ 0.693 at equilibrium)

Written with ``binary_cross_entropy_with_logits`` / softplus, which are stable for any logit:
log D = -softplus(-l) and log(1 - D) = -softplus(l).

Wasserstein GAN (Arjovsky et al. 2017; Gulrajani et al. 2017): the critic's output f is a score,
not a logit. critic loss = E f(G(z)) - E f(x) (+ λ E(|∇f(x̂)| - 1)² for ``wgan-gp``), G loss = -E f(G(z)).
``wgan-clip`` instead clips the critic's weights to [-c, c] after each step (the trainer does that).

``dim``: the axes to average over; ``None`` averages everything (a scalar). The batched engine passes
``dim=(1, 2)`` to get one loss per model from logits of shape (M, B, 1).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

GENERATOR_LOSSES = ("ns", "minimax")  # the two losses that are functions of D(G(z)) = sigmoid(logit)
WASSERSTEIN_LOSSES = ("wgan-gp", "wgan-clip")
LOSSES = GENERATOR_LOSSES + WASSERSTEIN_LOSSES
#: loss_G where D = 1/2 everywhere (the equilibrium p_g = p_data): log 2 for ns, log(1/2) = -log 2 for minimax;
#: a Wasserstein critic has no such fixed value
GENERATOR_LOSS_AT_EQUILIBRIUM = {"ns": math.log(2), "minimax": -math.log(2)}


def _mean(t: torch.Tensor, dim) -> torch.Tensor:
    return t.mean() if dim is None else t.mean(dim)


def check_loss(kind: str) -> str:
    if kind not in LOSSES:
        raise ValueError(f"unknown loss {kind!r}: expected one of {LOSSES}")
    return kind


def real_loss(logits: torch.Tensor, label: float | torch.Tensor = 1.0, dim=None) -> torch.Tensor:
    """BCE of ``logits`` against ``label``: -E log D on real samples (D's real term, label 1 or a smoothed
    0.9). On fakes it is the non-saturating G loss -E log D(G(z)), the form the image trainers use."""
    if isinstance(label, torch.Tensor):
        target = label.expand_as(logits)
    else:
        target = torch.full_like(logits, label)
    return _mean(F.binary_cross_entropy_with_logits(logits, target, reduction="none"), dim)


def fake_loss(logits: torch.Tensor, dim=None) -> torch.Tensor:
    """BCE of ``logits`` against 0: -E log(1 - D) on generated samples (D's fake term)."""
    return _mean(F.binary_cross_entropy_with_logits(logits, torch.zeros_like(logits), reduction="none"), dim)


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor,
                       real_label: float | torch.Tensor = 1.0, kind: str = "ns", dim=None) -> torch.Tensor:
    """Binary cross-entropy: real → label ``real_label`` (1, or e.g. 0.9 for one-sided smoothing), fake → 0.

    For the Wasserstein losses: E f(G(z)) - E f(x) (the penalty is added by the caller, see
    :func:`gradient_penalty`). ``real_label`` may be a tensor that broadcasts to the logits (one per model)."""
    if check_loss(kind) in WASSERSTEIN_LOSSES:
        return _mean(fake_logits, dim) - _mean(real_logits, dim)
    return real_loss(real_logits, real_label, dim) + fake_loss(fake_logits, dim)


def generator_loss(fake_logits: torch.Tensor, kind: str = "ns", dim=None) -> torch.Tensor:
    """``ns``: -E log D(G(z)); ``minimax``: E log(1 - D(G(z))); Wasserstein: -E f(G(z))."""
    if kind == "ns":
        return _mean(F.softplus(-fake_logits), dim)
    if kind == "minimax":
        return -_mean(F.softplus(fake_logits), dim)
    check_loss(kind)
    return -_mean(fake_logits, dim)


def gradient_penalty(critic, x_real: torch.Tensor, x_fake: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """λ-free WGAN-GP penalty E (|∇_x f(x̂)| - 1)² at x̂ = u x_real + (1 - u) x_fake.

    x_real, x_fake: (..., B, d); u: (..., B) uniforms. Returns the mean over B: a scalar for (B, d)
    inputs, (M,) for a batched engine's (M, B, d). ``create_graph=True`` so the penalty itself can be
    differentiated with respect to the critic's weights."""
    x_hat = (u.unsqueeze(-1) * x_real + (1 - u.unsqueeze(-1)) * x_fake).requires_grad_(True)
    f = critic(x_hat)
    (grad,) = torch.autograd.grad(f.sum(), x_hat, create_graph=True)
    return ((grad.norm(dim=-1) - 1) ** 2).mean(-1)


def r1_penalty(discriminator, x_real: torch.Tensor, *args) -> torch.Tensor:
    """R1 (Mescheder, Geiger & Nowozin 2018): ½ E‖∇_x ℓ(x)‖² of D's logit at real images, zero-centred.

    Multiplied by a weight γ and added to D's loss, it pulls D's slope at the data towards 0, which damps the
    circling of the game around its equilibrium (the Dirac GAN) and keeps D from growing overconfident.
    ``args`` go to the discriminator after x (labels, for a conditional one). For a linear logit w·x it is ½|w|²."""
    x = x_real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(discriminator(x, *args).float().sum(), x, create_graph=True)
    return 0.5 * grad.pow(2).flatten(1).sum(1).mean()


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


def generator_loss_grad_wrt_d(d_fake, kind: str = "ns"):
    """d loss_G / d D for one sample, as a function of D = D(G(z)) (the slope of the loss drawn against D).

    minimax: d/dD log(1 - D) = -1 / (1 - D)   → about -1 when D ≈ 0: the loss is NOT flat against D
    ns:      d/dD -log D     = -1 / D         → very steep when D ≈ 0
    The chain rule through D = σ(l) multiplies by σ'(l) = D(1 - D); that factor is what makes the minimax
    gradient w.r.t. the logit vanish: -1/(1 - D) · D(1 - D) = -D.
    """
    if kind == "ns":
        return -1.0 / d_fake
    if kind == "minimax":
        return -1.0 / (1.0 - d_fake)
    raise ValueError(f"unknown generator loss {kind!r}: expected one of {GENERATOR_LOSSES}")


# ----- two more losses on raw scores (the output of D, no sigmoid) ---------------------------------------------
# Least squares (LSGAN, Mao et al. 2017, the a=0, b=1, c=1 coding) and hinge (Lim & Ye 2017; Miyato et al. 2018).
# Like the Wasserstein losses they read D's output as a score s, not through a sigmoid.

def least_squares_d_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor, dim=None) -> torch.Tensor:
    """LSGAN discriminator: ½ E (s(x) - 1)² + ½ E s(G(z))²  (real coded 1, fake 0; 0.25 at s = ½ everywhere)."""
    return 0.5 * _mean((real_scores - 1) ** 2, dim) + 0.5 * _mean(fake_scores ** 2, dim)


def least_squares_g_loss(fake_scores: torch.Tensor, dim=None) -> torch.Tensor:
    """LSGAN generator: ½ E (s(G(z)) - 1)²: G wants its samples scored as real (1)."""
    return 0.5 * _mean((fake_scores - 1) ** 2, dim)


def hinge_d_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor, dim=None) -> torch.Tensor:
    """Hinge discriminator: E max(0, 1 - s(x)) + E max(0, 1 + s(G(z))): no gradient from points beyond the margin."""
    return _mean(F.relu(1 - real_scores), dim) + _mean(F.relu(1 + fake_scores), dim)


def hinge_g_loss(fake_scores: torch.Tensor, dim=None) -> torch.Tensor:
    """Hinge generator: -E s(G(z)) (the same as the Wasserstein generator loss)."""
    return -_mean(fake_scores, dim)
