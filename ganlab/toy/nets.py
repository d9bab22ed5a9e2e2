"""Small MLPs for the toy GANs, in two forms that share one config and one activation table.

* ``Generator`` / ``Discriminator``: ``nn.Module`` MLPs (z → x, x → logit) for the readable
  :class:`~ganlab.toy.trainer.ToyTrainer` and the notebooks.
* ``init_stacked`` / ``stacked_forward``: the same layer sizes for M models at once, each weight
  with a leading model axis (M, in, out), for the batched engine (:mod:`ganlab.toy.batched`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm as _spectral_norm

ACTIVATIONS = {"relu": F.relu, "leaky_relu": partial(F.leaky_relu, negative_slope=0.2), "tanh": torch.tanh,
               "elu": F.elu}


@dataclass
class MLPConfig:
    width: int = 32  # units in each hidden layer, 1..1024
    depth: int = 2  # number of hidden layers, 0..8 (0 = linear map)
    activation: str = "leaky_relu"  # one of relu, leaky_relu, tanh, elu

    def validate(self, name: str = "mlp") -> None:
        if not (isinstance(self.width, int) and 1 <= self.width <= 1024):
            raise ValueError(f"{name} width must be an integer in 1..1024, got {self.width!r}")
        if not (isinstance(self.depth, int) and 0 <= self.depth <= 8):
            raise ValueError(f"{name} depth must be an integer in 0..8, got {self.depth!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"{name} activation {self.activation!r} unknown: expected one of {sorted(ACTIVATIONS)}")


def layer_sizes(in_dim: int, out_dim: int, cfg: MLPConfig) -> list[int]:
    """[in_dim, width, ..., width, out_dim]: ``depth`` hidden layers."""
    return [in_dim] + [cfg.width] * cfg.depth + [out_dim]


class Activation(nn.Module):
    """One of :data:`ACTIVATIONS` as a layer (no parameters)."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.fn = ACTIVATIONS[name]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x)

    def extra_repr(self) -> str:
        return self.name


def mlp(in_dim: int, out_dim: int, cfg: MLPConfig) -> nn.Sequential:
    """in_dim -> [width, act] x depth -> out_dim."""
    sizes = layer_sizes(in_dim, out_dim, cfg)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))  # (B, a) -> (B, b)
        if i < len(sizes) - 2:
            layers.append(Activation(cfg.activation))
    return nn.Sequential(*layers)


class Generator(nn.Module):
    """x = G(z): (B, noise_dim) -> (B, out_dim)."""

    def __init__(self, cfg: MLPConfig, noise_dim: int = 1, out_dim: int = 1):
        super().__init__()
        cfg.validate("generator")
        self.noise_dim = noise_dim
        self.net = mlp(noise_dim, out_dim, cfg)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class Discriminator(nn.Module):
    """logit = D(x): (B, in_dim) -> (B, 1). D(x) = sigmoid(logit) is the probability that x is real.

    With ``spectral_norm`` every linear layer's weight is divided by its largest singular value σ(W)
    (Miyato et al. 2018, ``torch.nn.utils.parametrizations.spectral_norm``), estimated by one step of power
    iteration per forward pass in training mode. Every activation here is 1-Lipschitz, so the logit is then
    at most 1-Lipschitz (up to the power iteration's error). A forward pass without gradients (evaluating
    D, drawing it) leaves the power iteration alone, so looking at D never changes a run."""

    def __init__(self, cfg: MLPConfig, in_dim: int = 1, spectral_norm: bool = False):
        super().__init__()
        cfg.validate("discriminator")
        if not isinstance(spectral_norm, bool):
            raise ValueError(f"spectral_norm must be True or False, got {spectral_norm!r}")
        self.spectral_norm = spectral_norm
        self.net = mlp(in_dim, 1, cfg)
        if spectral_norm:
            for i, layer in enumerate(self.net):
                if isinstance(layer, nn.Linear):
                    self.net[i] = _spectral_norm(layer)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.spectral_norm and self.training and not torch.is_grad_enabled():
            self.eval()  # eval mode: the power iteration's vectors stay as they are
            try:
                return self.net(x)
            finally:
                self.train()
        return self.net(x)

    def linear_weights(self) -> list[torch.Tensor]:
        """The weights the forward pass uses, input layer first, each (out, in) (normalised ones with
        ``spectral_norm``). Read in eval mode: reading a normalised weight in training mode would run a step of
        power iteration and change the run."""
        was_training = self.training
        self.eval()
        try:
            return [layer.weight for layer in self.net if isinstance(layer, nn.Linear)]
        finally:
            self.train(was_training)


# ----- the same MLPs, M at a time -----------------------------------------------------------------
def init_stacked(in_dim: int, out_dim: int, cfg: MLPConfig, gen: torch.Generator) -> list[torch.Tensor]:
    """One model's weights [W1, b1, W2, b2, ...] with nn.Linear's default init: U(-1/√in, 1/√in)."""
    sizes = layer_sizes(in_dim, out_dim, cfg)
    out = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        bound = 1 / math.sqrt(i)
        out.append((torch.rand(i, o, generator=gen) * 2 - 1) * bound)  # W: (in, out)
        out.append((torch.rand(1, o, generator=gen) * 2 - 1) * bound)  # b: (1, out)
    return out


def stacked_forward(params: list[torch.Tensor], x: torch.Tensor, activation: str) -> torch.Tensor:
    """x (M, B, in) through M stacked MLPs -> (M, B, out)."""
    act = ACTIVATIONS[activation]
    n = len(params) // 2
    for i in range(n):
        x = torch.baddbmm(params[2 * i + 1], x, params[2 * i])  # (M, B, in) @ (M, in, out) + (M, 1, out)
        if i < n - 1:
            x = act(x)
    return x
