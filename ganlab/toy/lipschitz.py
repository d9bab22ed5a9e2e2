"""How steep is a discriminator? Its Lipschitz constant, measured and bounded.

A function f is L-Lipschitz if |f(x) - f(y)| <= L |x - y| for all x, y; for a differentiable f the smallest
such L is sup_x |∇f(x)|. For D's *logit* ℓ(x) (the number before the sigmoid) two numbers:

* measured: max |∇ℓ(x)| over a dense set of points (autograd). A lower bound on the true constant, and equal
  to it when the points cover the region where ℓ is steepest (for a 1-D piecewise-linear ℓ, a fine grid).
* bound: the product of the layers' spectral norms σ(W_1) σ(W_2) ... σ(W_L) (largest singular values). Each
  activation here (leaky ReLU, ReLU, tanh, ELU) is 1-Lipschitz and a linear layer x ↦ Wx + b is
  σ(W)-Lipschitz, so the composition is at most their product. For a network with no hidden layer (ℓ = w·x + b)
  the two are equal: |∇ℓ| = |w| = σ(w) everywhere.

Spectral normalisation (``ToyConfig.spectral_norm``) divides every W by its σ, so the bound is 1.
"""

from __future__ import annotations

import numpy as np
import torch

from ganlab.toy.batched import BatchedGAN
from ganlab.toy.nets import stacked_forward


def max_grad_norm(f, x: torch.Tensor) -> torch.Tensor:
    """max over the rows of x (n, dim) of |∇f(x)|, for f mapping (n, dim) to one value per row (n,)."""
    x = x.detach().clone().requires_grad_()
    with torch.enable_grad():
        y = f(x)
        if y.shape != x.shape[:1]:
            raise ValueError(f"f must give one value per point, shape ({len(x)},); got {tuple(y.shape)}")
        (g,) = torch.autograd.grad(y.sum(), x)  # rows are independent: ∂(Σ_j y_j)/∂x_i = ∇f(x_i)
    return g.norm(dim=-1).max()


def spectral_bound(weights) -> torch.Tensor:
    """Product of the largest singular values of weights [W_1, ..., W_L], each (..., a, b) (a leading model
    axis is kept): the Lipschitz bound of the network they form (activations 1-Lipschitz)."""
    out = None
    for w in weights:
        s = torch.linalg.matrix_norm(w.detach().double(), ord=2)
        out = s if out is None else out * s
    return out


def d_lipschitz(trainer, x) -> dict[str, np.ndarray]:
    """D's logit (a WGAN critic's score) of a BatchedGAN or a readable trainer (ToyTrainer, Toy2DTrainer):
    {"slope": max |∇ℓ| over the points x (n, dim), "bound": the product of its layers' spectral norms}, one value
    per model (shape (M,); M = 1 for a readable trainer). Measuring changes nothing: spectral norm's power
    iteration is frozen meanwhile."""
    if getattr(trainer.config, "mbstd", False):
        raise ValueError("d_lipschitz needs a D of x alone; with mbstd=True D also reads a batch statistic")
    xt = torch.as_tensor(np.asarray(x, dtype=np.float32))
    xt = xt.reshape(len(xt), -1)
    if isinstance(trainer, BatchedGAN):  # stacked weights (M, in, out)
        slopes = [max_grad_norm(lambda v, m=m: _one_model(trainer, m, v), xt) for m in range(trainer.M)]
        bound = spectral_bound(trainer.D[0::2])
        return {"slope": torch.stack(slopes).double().numpy(), "bound": bound.numpy()}
    D, was = trainer.D, trainer.D.training
    D.eval()  # spectral norm: use, do not update, the power iteration's vectors
    try:
        slope = max_grad_norm(lambda v: D(v)[:, 0], xt)
        bound = spectral_bound(D.linear_weights())
    finally:
        D.train(was)
    return {"slope": np.array([float(slope)]), "bound": np.array([float(bound)])}


def _one_model(trainer, m: int, x: torch.Tensor) -> torch.Tensor:
    """Model m's logit at points x (n, dim) -> (n,)."""
    params = [p[m:m + 1] for p in trainer.D]
    return stacked_forward(params, x[None], trainer.config.d.activation)[0, :, 0]
