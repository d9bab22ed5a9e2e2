"""An exponential moving average of a network's weights, for sampling and evaluation.

After every generator step, ``ema.update(G)`` moves each averaged weight a little towards the live one:
w_avg ← d·w_avg + (1 − d)·w, with d = min(decay, (1 + t)/(10 + t)) at update t, so early on the average
follows quickly and later it averages over roughly 1/(1 − decay) steps. Batch-norm running statistics are
averaged the same way (they belong to the weights they were measured with); integer buffers are copied.
The averaged generator is what the trainer samples, evaluates and exports; training itself never sees it.
"""

from __future__ import annotations

import copy

import torch
from torch import nn


class WeightAverage:
    """``module``: the network to follow (a deep copy is kept, in eval mode); ``decay`` in [0, 1)."""

    def __init__(self, module: nn.Module, decay: float):
        if not isinstance(decay, (int, float)) or isinstance(decay, bool) or not 0.0 <= decay < 1.0:
            raise ValueError(f"decay must be in [0, 1), got {decay!r}")
        self.decay, self.updates = float(decay), 0
        self.module = copy.deepcopy(module).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, module: nn.Module) -> None:
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        self.updates += 1
        avg = list(self.module.parameters())
        torch._foreach_lerp_(avg, [p.detach() for p in module.parameters()], 1.0 - d)
        for b_avg, b in zip(self.module.buffers(), module.buffers()):
            if b_avg.dtype.is_floating_point:
                b_avg.lerp_(b, 1.0 - d)
            else:
                b_avg.copy_(b)

    def state_dict(self) -> dict:
        return {"decay": self.decay, "updates": self.updates, "weights": self.module.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.decay, self.updates = float(state["decay"]), int(state["updates"])
        self.module.load_state_dict(state["weights"])
