"""Adam (and plain SGD) on stacked weights: a learning rate per model, and models that sit out a step.

A batched engine keeps M models' weights in tensors with a leading model axis. Adam works
elementwise, so one optimiser over the stacked tensors is exactly M separate optimisers; written out
here, every model can have its own learning rate, and an ``active`` mask lets a model skip an update
(e.g. fewer critic steps than its neighbours) while keeping its weights *and* its optimiser state.
"""

from __future__ import annotations

import torch


def per_model(v: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Reshape a per-model vector (M,) to broadcast against a stacked tensor like (M, ...)."""
    return v.view(-1, *([1] * (like.dim() - 1)))


class StackedAdam:
    """Adam (same arithmetic as torch.optim.Adam) on stacked tensors, with a learning rate per model
    and an ``active`` mask: inactive models keep their weights *and* their optimiser state."""

    def __init__(self, params, lr: torch.Tensor, betas=(0.5, 0.999), eps: float = 1e-8, kind: str = "adam"):
        self.params, self.lr, self.betas, self.eps, self.kind = params, lr, betas, eps, kind
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]
        self.t = torch.zeros(len(lr))

    @torch.no_grad()
    def step(self, grads, active: torch.Tensor | None = None) -> None:
        b1, b2 = self.betas
        t = self.t + (1.0 if active is None else active.float())
        bc1 = 1 - b1 ** t
        bc2_sqrt = (1 - b2 ** t).sqrt()
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            if self.kind == "sgd":
                upd = per_model(self.lr, p) * g
            else:
                m_new = m * b1 + g * (1 - b1)
                v_new = v * b2 + g * g * (1 - b2)
                denom = v_new.sqrt() / per_model(bc2_sqrt, p) + self.eps
                upd = per_model(self.lr / bc1, p) * m_new / denom
                if active is None:
                    m.copy_(m_new), v.copy_(v_new)
                else:
                    a = per_model(active, p)
                    m.copy_(torch.where(a, m_new, m)), v.copy_(torch.where(a, v_new, v))
            if active is not None:  # where, not a product: an inactive model's gradient may be NaN (padding)
                upd = torch.where(per_model(active, p), upd, torch.zeros_like(upd))
            p.sub_(upd)
        self.t = t


def per_model_norm(tensors) -> torch.Tensor:
    """The gradient norm of each model over a list of stacked tensors: (M,)."""
    return torch.sqrt(sum((t.reshape(t.shape[0], -1) ** 2).sum(1) for t in tensors))
