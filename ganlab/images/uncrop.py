"""Image-to-image conditioning on MNIST: un-cropping. The top half of a digit is given, the bottom half is drawn.

The task (notebook 06, section 7): the condition ``y`` is the top 14 rows of a 28×28 digit; a model fills
the bottom 14 rows; the *completed* image is the given top stacked on the generated bottom. Two models
with the same network, :class:`Completer`:

* the **regressor** (``nz = 0``): deterministic, trained with squared error; it paints the average of all
  bottoms that fit the top, a blurry one;
* the **conditional GAN**, pix2pix-style: ``G(y, z)`` gets the top half *and* noise (``nz > 0``, concatenated
  to the input of every layer, so the noise cannot be washed out after the first one), and
  :class:`PairDiscriminator` ``D(y, x)`` judges (condition, completed image) pairs; the generator's loss is
  adversarial + λ·L1 (see :mod:`ganlab.images.uncrop_trainer` for the diversity terms that keep ``z`` alive).

Pixels are in [-1, 1] inside (tanh scale), uint8 0..255 outside. Use::

    from ganlab.images import load_uncropper, complete
    G = load_uncropper(checkpoints_dir() / "uncrop_cgan_fp16.pt")
    filled = complete(G, test_images[:8], seed=0)        # uint8 (8, 28, 28): top given, bottom drawn
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

import torch
from torch import nn

from ganlab.core import load_checkpoint, save_atomic
from ganlab.images.pixels import to_uint8, to_unit

SIDE = 28  # MNIST images are 28×28
HALF = 14  # rows given (the top) = rows generated (the bottom)
PIXELS = HALF * SIDE  # 392 pixels per half
FORMAT = "ganlab-uncrop-1"  # a Completer's weights (fp16 or fp32), its config and kind


def _check_int(name: str, v, lo: int, hi: int) -> None:
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise ValueError(f"{name} must be an integer in {lo}..{hi}, got {v!r}")


def _check_float(name: str, v, lo: float, hi: float, open_lo: bool = False) -> None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and (lo < v if open_lo else lo <= v) and v <= hi
    if not ok:
        raise ValueError(f"{name} must be a number in {'(' if open_lo else '['}{lo:g}, {hi:g}], got {v!r}")


@dataclass
class CompleterConfig:
    """The fill network :class:`Completer`: an MLP top half (392) [+ noise] → bottom half (392)."""

    nz: int = 16  # noise length, 0..256 (0: a deterministic regressor; the cGAN needs > 0)
    width: int = 256  # hidden units per layer, 16..1024
    depth: int = 3  # hidden layers, 1..6 (the noise is concatenated to the input of every one and of the output)

    def __post_init__(self):
        _check_int("nz", self.nz, 0, 256)
        _check_int("width", self.width, 16, 1024)
        _check_int("depth", self.depth, 1, 6)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "CompleterConfig":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def top_half(x: torch.Tensor) -> torch.Tensor:
    """Images (B, 1, 28, 28) → their given part, the top rows (B, 1, 14, 28)."""
    return x[:, :, :HALF]


def condition_image(x: torch.Tensor) -> torch.Tensor:
    """Images (B, 1, 28, 28) in [-1, 1] → the condition as an image: the top kept, the bottom blank (-1)."""
    y = x.clone()
    y[:, :, HALF:] = -1.0
    return y


def compose(top: torch.Tensor, bottom: torch.Tensor) -> torch.Tensor:
    """Given top (B, 1, 14, 28) and generated bottom (B, 1, 14, 28) → the completed image (B, 1, 28, 28)."""
    return torch.cat([top, bottom], dim=2)


class Completer(nn.Module):
    """Top half (B, 1, 14, 28) [+ noise z (B, nz)] → bottom half (B, 1, 14, 28) in [-1, 1].

    An MLP; with ``nz > 0`` the noise is concatenated to the input of every layer (a noise vector fed
    only at the start is easy for the network to ignore, the failure pix2pix reports).
    """

    def __init__(self, cfg: CompleterConfig | None = None):
        super().__init__()
        cfg = cfg or CompleterConfig()
        self.config, self.nz = cfg, cfg.nz
        sizes = [PIXELS] + [cfg.width] * cfg.depth  # 392 → width → … → width
        self.hidden = nn.ModuleList(nn.Linear(a + cfg.nz, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.out = nn.Linear(cfg.width + cfg.nz, PIXELS)  # (B, width + nz) → (B, 392)

    def forward(self, top: torch.Tensor, z: torch.Tensor | None = None) -> torch.Tensor:
        """top: (B, 1, 14, 28) in [-1, 1]; z: (B, nz) (required when nz > 0) → bottom (B, 1, 14, 28)."""
        if top.dim() != 4 or tuple(top.shape[1:]) != (1, HALF, SIDE):
            raise ValueError(f"top must have shape (B, 1, {HALF}, {SIDE}), got {tuple(top.shape)}")
        if self.nz:
            if z is None or z.dim() != 2 or tuple(z.shape) != (len(top), self.nz):
                raise ValueError(f"z must have shape ({len(top)}, {self.nz}), got "
                                 f"{None if z is None else tuple(z.shape)}")
            zs = (z,)
        else:
            zs = ()
        h = top.flatten(1)  # (B, 392)
        for layer in self.hidden:
            h = torch.relu(layer(torch.cat([h, *zs], dim=1)))  # (B, width)
        return torch.tanh(self.out(torch.cat([h, *zs], dim=1))).view(-1, 1, HALF, SIDE)  # (B, 1, 14, 28)


class PairDiscriminator(nn.Module):
    """D(y, x): the condition image y and a completed image x, stacked as 2 channels → one logit per pair.

    (B, 2, 28, 28) → conv 4/2 → (B, ndf, 14, 14) → conv 4/2 → (B, 2·ndf, 7, 7) → linear → (B,) logits.
    The pair, not the image alone: a realistic bottom that does not continue *this* top is a fake.
    """

    def __init__(self, ndf: int = 32):
        super().__init__()
        _check_int("ndf", ndf, 4, 256)
        self.net = nn.Sequential(  # (B, 2, 28, 28)
            nn.Conv2d(2, ndf, 4, 2, 1),  # (B, ndf, 14, 14)
            nn.LeakyReLU(0.2),
            nn.Conv2d(ndf, 2 * ndf, 4, 2, 1),  # (B, 2·ndf, 7, 7)
            nn.LeakyReLU(0.2),
            nn.Flatten(),  # (B, 2·ndf·49)
            nn.Linear(2 * ndf * 49, 1),  # (B, 1): a logit
        )

    def forward(self, cond: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """cond, x: (B, 1, 28, 28) in [-1, 1] → logits (B,)."""
        return self.net(torch.cat([cond, x], dim=1)).view(-1)


def noise_for(n: int, nz: int, seed: int) -> torch.Tensor:
    """The noise of completion number ``seed``: (n, nz) standard normal from its own generator."""
    return torch.randn(n, nz, generator=torch.Generator().manual_seed(seed))


@torch.no_grad()
def complete(model: Completer, images: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """Keep the top half of uint8 ``images`` (N, 28, 28), fill the bottom: uint8 (N, 28, 28).

    ``seed`` draws the noise (ignored by a regressor, ``nz = 0``); the given rows are copied exactly."""
    if images.dtype != torch.uint8 or images.dim() != 3 or tuple(images.shape[1:]) != (SIDE, SIDE):
        raise ValueError(f"images must be uint8 (N, {SIDE}, {SIDE}), got {images.dtype} {tuple(images.shape)}")
    dev = next(model.parameters()).device
    top = top_half(to_unit(images)).to(dev)  # (N, 1, 14, 28)
    z = noise_for(len(images), model.nz, seed).to(dev) if model.nz else None
    was = model.training
    model.eval()
    try:
        bottom = to_uint8(model(top, z))  # (N, 14, 28)
    finally:
        model.train(was)
    return torch.cat([images[:, :HALF], bottom], dim=1)  # (N, 28, 28)


def completions(model: Completer, images: torch.Tensor, seeds) -> torch.Tensor:
    """:func:`complete` once per noise seed: uint8 (len(seeds), N, 28, 28)."""
    return torch.stack([complete(model, images, s) for s in seeds])


def save_uncropper(model: Completer, path, kind: str, step: int, half: bool = True, extra: dict | None = None) -> Path:
    """Write ``model``'s weights (fp16 by default), config, ``kind`` ("regressor" or "cgan") and ``step``."""
    if kind not in ("regressor", "cgan"):
        raise ValueError(f"kind must be 'regressor' or 'cgan', got {kind!r}")
    weights = {k: (v.half() if half and v.is_floating_point() else v).detach().cpu().clone()
               for k, v in model.state_dict().items()}
    state = {"format": FORMAT, "kind": kind, "config": model.config.to_dict(), "G": weights, "step": int(step),
             **(extra or {})}
    return save_atomic(state, path)


def load_uncropper(path, device=None) -> Completer:
    """The :class:`Completer` in a :func:`save_uncropper` file, float32, eval mode; ``.kind`` and ``.step`` set."""
    state = load_checkpoint(path)
    if state.get("format") != FORMAT:
        raise ValueError(f"{path} is not an un-cropping checkpoint (format {state.get('format')!r}, "
                         f"expected {FORMAT!r})")
    model = Completer(CompleterConfig.from_dict(state["config"]))
    model.load_state_dict({k: v.float() for k, v in state["G"].items()})
    model.kind, model.step = state["kind"], int(state["step"])
    return model.to(device or "cpu").eval()
