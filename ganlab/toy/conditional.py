"""Why a conditional *generative* model and not regression: a two-branch 1-D toy, trained in seconds.

The data: a condition ``c ~ U(0, 1)`` and an output ``x = s · (0.4 + 0.6 c) + σ ε`` with a fair
sign ``s = ±1``. For every ``c`` there are two right answers, far apart. A regressor trained with
mean squared error learns the conditional *mean* E[x | c] ≈ 0: a value that never occurs. A
conditional GAN ``G(z, c)`` learns the conditional *distribution* and puts its samples on both
branches.

Use::

    from ganlab.toy import two_branch_data, fit_regressor, train_toy_cgan
    from ganlab.viz import plot_regression_vs_cgan
    c, x = two_branch_data(2000)
    reg = fit_regressor(c, x)                 # MLP c -> x, MSE
    G = train_toy_cgan(c, x)                  # MLPs G(z, c) -> x and D(x, c) -> logit
    plot_regression_vs_cgan(c, x, reg, G)

Also :func:`quadrant_blobs`: tiny labelled images (class k = a bright blob in quadrant k) for
testing that an image cGAN follows its labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ganlab.core import one_thread, seeded
from ganlab.theory import discriminator_loss, real_loss
from ganlab.toy.nets import MLPConfig, mlp


def two_branch_data(n: int = 2000, noise: float = 0.07, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` pairs (c, x): c ~ U(0, 1), x = ±(0.4 + 0.6 c) + noise·ε. Both float32 (n, 1)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    g = torch.Generator().manual_seed(seed)
    c = torch.rand(n, 1, generator=g)  # (n, 1)
    s = torch.randint(0, 2, (n, 1), generator=g).float() * 2 - 1  # (n, 1): ±1
    x = s * branch(c) + noise * torch.randn(n, 1, generator=g)  # (n, 1)
    return c, x


def branch(c: torch.Tensor) -> torch.Tensor:
    """The upper branch 0.4 + 0.6 c (the lower one is its negative)."""
    return 0.4 + 0.6 * c


def fit_regressor(c: torch.Tensor, x: torch.Tensor, steps: int = 600, lr: float = 3e-3, seed: int = 0) -> nn.Module:
    """An MLP c → x fitted by mean squared error (full batch, Adam). Returns it in eval mode."""
    with one_thread(), seeded(seed):
        net = mlp(c.shape[1], x.shape[1], MLPConfig(width=64, depth=2, activation="relu"))
        opt = torch.optim.Adam(net.parameters(), lr=lr)
        for _ in range(steps):
            loss = ((net(c) - x) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return net.eval()


class ToyCondG(nn.Module):
    """G(z, c): [z (nz), c (nc)] → MLP → x (nx)."""

    def __init__(self, nz: int = 2, nc: int = 1, nx: int = 1, width: int = 64):
        super().__init__()
        self.nz = nz
        self.net = mlp(nz + nc, nx, MLPConfig(width=width, depth=2, activation="relu"))

    def forward(self, z: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([z, c], dim=1))  # (B, nx)

    @torch.no_grad()
    def sample(self, c: torch.Tensor, seed: int = 0) -> torch.Tensor:
        """One x per row of c (fresh noise, seeded): (B, nx)."""
        z = torch.randn(len(c), self.nz, generator=torch.Generator().manual_seed(seed))
        return self(z, c)


@dataclass
class ToyCGANConfig:
    """Settings of the 1-D conditional GAN."""

    nz: int = 2  # noise dimension
    width: int = 64  # hidden units per layer in G and D
    steps: int = 1500  # training steps (one D and one G update each)
    batch_size: int = 128  # pairs per step
    lr: float = 2e-3  # Adam learning rate of both nets
    seed: int = 0  # weights, batches and noise

    def __post_init__(self):
        for name in ("nz", "width", "steps", "batch_size"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if not 0 < self.lr < 1:
            raise ValueError(f"lr must be in (0, 1), got {self.lr!r}")


def toy_cgan_networks(cfg: ToyCGANConfig, nc: int = 1, nx: int = 1):
    """G(z, c), D([x, c]) and their Adam optimisers, initialised from ``cfg.seed`` (the caller's global
    random stream is left alone). Returns ``(G, D, opt_g, opt_d)``."""
    with seeded(cfg.seed):
        G = ToyCondG(cfg.nz, nc, nx, cfg.width)
        D = mlp(nx + nc, 1, MLPConfig(width=cfg.width, depth=2, activation="leaky_relu"))  # [x, c] -> logit
    opt_g = torch.optim.Adam(G.parameters(), lr=cfg.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=cfg.lr, betas=(0.5, 0.999))
    return G, D, opt_g, opt_d


def train_toy_cgan(c: torch.Tensor, x: torch.Tensor, config: ToyCGANConfig | None = None) -> ToyCondG:
    """Train G(z, c) against D(x, c) (non-saturating BCE) on the pairs; returns G in eval mode.

    The losses of every step are kept on the returned G as ``G.history = {"loss_d": [...], "loss_g": [...]}``
    (notebook 06 writes this loop out and checks it against this function)."""
    cfg = config or ToyCGANConfig()
    history = {"loss_d": [], "loss_g": []}
    with one_thread():
        G, D, opt_g, opt_d = toy_cgan_networks(cfg, c.shape[1], x.shape[1])
        g = torch.Generator().manual_seed(cfg.seed + 1)  # batches and noise
        B = min(cfg.batch_size, len(c))
        for _ in range(cfg.steps):
            idx = torch.randint(0, len(c), (B,), generator=g)
            cr, xr = c[idx], x[idx]  # real pairs (B, 1), (B, 1)
            cf = c[torch.randint(0, len(c), (B,), generator=g)]  # conditions for the fakes
            xf = G(torch.randn(B, cfg.nz, generator=g), cf)
            loss_d = discriminator_loss(D(torch.cat([xr, cr], 1)), D(torch.cat([xf.detach(), cf], 1)))
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            loss_g = real_loss(D(torch.cat([xf, cf], 1)))  # non-saturating: fakes labelled real
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            history["loss_d"].append(loss_d.detach())  # read back once, after the loop
            history["loss_g"].append(loss_g.detach())
    G.history = {k: torch.stack(v).tolist() if v else [] for k, v in history.items()}
    return G.eval()


def fraction_near_branches(c: torch.Tensor, x: torch.Tensor, tol: float = 0.2) -> float:
    """Share of points within ``tol`` of either branch ±(0.4 + 0.6 c)."""
    d = (x.abs() - branch(c)).abs()
    return float((d <= tol).float().mean())


def upper_share(c: torch.Tensor, x: torch.Tensor) -> float:
    """Share of points on the upper branch (x > 0): 0.5 when both modes are sampled equally."""
    return float((x > 0).float().mean())


def quadrant_blobs(n: int, size: int = 28, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` labelled uint8 images (n, size, size): class k in 0..3 is a bright blob in quadrant k
    (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right), jittered; labels int64 (n,)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    q = size / 4
    cx = np.where(y % 2 == 0, q, 3 * q) + rng.normal(0, q / 4, n)
    cy = np.where(y < 2, q, 3 * q) + rng.normal(0, q / 4, n)
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    img = np.exp(-((xx[None] - cx[:, None, None]) ** 2 + (yy[None] - cy[:, None, None]) ** 2) / (2 * (q / 2) ** 2))
    return torch.from_numpy((img * 255).round().astype(np.uint8)), torch.from_numpy(y.astype(np.int64))


def quadrant_of(images: torch.Tensor) -> torch.Tensor:
    """The brightest quadrant of each uint8 (n, H, W) image, as a class 0..3 (n,)."""
    x = images.float()
    h, w = x.shape[1] // 2, x.shape[2] // 2
    sums = torch.stack([x[:, :h, :w].sum((1, 2)), x[:, :h, w:].sum((1, 2)),
                        x[:, h:, :w].sum((1, 2)), x[:, h:, w:].sum((1, 2))], dim=1)
    return sums.argmax(1)
