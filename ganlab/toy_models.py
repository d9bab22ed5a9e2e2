"""Small MLPs for the 1-D toy GAN: a generator z -> x and a discriminator x -> logit."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.2), "tanh": nn.Tanh, "elu": nn.ELU}


@dataclass
class MLPConfig:
    width: int = 32  # units in each hidden layer, 1..1024
    depth: int = 2  # number of hidden layers, 0..8 (0 = linear map)
    activation: str = "leaky_relu"  # one of relu, leaky_relu, tanh, elu

    def validate(self, name: str = "mlp") -> None:
        if not (1 <= int(self.width) <= 1024):
            raise ValueError(f"{name} width must be in 1..1024, got {self.width!r}")
        if not (0 <= int(self.depth) <= 8):
            raise ValueError(f"{name} depth must be in 0..8, got {self.depth!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"{name} activation {self.activation!r} unknown: expected one of {sorted(ACTIVATIONS)}")


def mlp(in_dim: int, out_dim: int, cfg: MLPConfig) -> nn.Sequential:
    """in_dim -> [width, act] x depth -> out_dim."""
    layers: list[nn.Module] = []
    d = in_dim
    for _ in range(cfg.depth):
        layers += [nn.Linear(d, cfg.width), ACTIVATIONS[cfg.activation]()]  # (B, d) -> (B, width)
        d = cfg.width
    layers.append(nn.Linear(d, out_dim))  # (B, d) -> (B, out_dim)
    return nn.Sequential(*layers)


class Generator(nn.Module):
    """x = G(z): (B, noise_dim) -> (B, 1)."""

    def __init__(self, cfg: MLPConfig, noise_dim: int = 1):
        super().__init__()
        cfg.validate("generator")
        self.noise_dim = noise_dim
        self.net = mlp(noise_dim, 1, cfg)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class Discriminator(nn.Module):
    """logit = D(x): (B, 1) -> (B, 1). D(x) = sigmoid(logit) is the probability that x is real."""

    def __init__(self, cfg: MLPConfig):
        super().__init__()
        cfg.validate("discriminator")
        self.net = mlp(1, 1, cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
