"""Pixel scales: uint8 0..255 (how MNIST is stored) and float [-1, 1] (what tanh generators make).

One pair of conversions for the whole package (``to_unit`` / ``to_uint8``), a checked converter for
metrics that accept either (``as_float_images``), and ``image_grid`` to tile images for display.
"""

from __future__ import annotations

import math

import numpy as np
import torch


def to_unit(images_u8: torch.Tensor) -> torch.Tensor:
    """uint8 (B, 28, 28) → float (B, 1, 28, 28) in [-1, 1]: x · 2/255 − 1."""
    return images_u8.unsqueeze(1).float().mul_(2.0 / 255.0).sub_(1.0)


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """float (B, 1, 28, 28) in [-1, 1] → uint8 (B, 28, 28) on the CPU (clamped, rounded)."""
    return ((images.detach().float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)[:, 0].cpu()


def as_float_images(images) -> torch.Tensor:
    """Images in the generator's scale: float32 ``N×1×28×28`` in ``[-1, 1]``.

    Accepts ``uint8`` pixels 0..255 (mapped by :func:`to_unit`) or floats already in ``[-1, 1]``
    (passed through), shaped ``N×28×28`` or ``N×1×28×28``; a NumPy array is converted first.
    Floats outside [-1, 1] (e.g. 0..255 as floats) are refused, and so are floats that look like
    pixels / 255 (nothing below 0 and at least half the pixels exactly 0, MNIST's background):
    a metric on the wrong scale gives a confident wrong number, not an error.
    """
    if isinstance(images, np.ndarray):
        images = torch.from_numpy(images)
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a tensor or array, got {type(images).__name__}")
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    if images.ndim != 3:
        raise ValueError(f"images must be N×28×28 or N×1×28×28, got shape {tuple(images.shape)}")
    if images.dtype == torch.uint8:
        return to_unit(images)
    if not images.is_floating_point():
        raise TypeError(f"images must be uint8 (0..255) or float in [-1, 1], got {images.dtype}")
    images = images.detach()
    if images.numel():
        lo, hi = float(images.min()), float(images.max())
        if lo < -1.001 or hi > 1.001:
            raise ValueError(f"float images must be in [-1, 1] (the tanh scale), got values in [{lo:g}, {hi:g}]: "
                             "pass uint8 pixels 0..255, or floats x / 127.5 - 1")
        if lo >= 0 and float((images == 0).float().mean()) >= 0.5:  # a tanh never sits at exactly 0 that often
            raise ValueError(f"these float images look like pixels / 255 (values in [{lo:g}, {hi:g}], mostly 0): "
                             "ganlab expects [-1, 1]; convert with x * 2 - 1, or pass uint8 pixels 0..255")
    return images.float().unsqueeze(1)


def image_grid(images_u8: torch.Tensor | np.ndarray, nrow: int = 8, pad: int = 2) -> np.ndarray:
    """Tile uint8 (N, H, W) images into one uint8 (rows·(H+pad)+pad, nrow·(W+pad)+pad) array."""
    imgs = np.asarray(images_u8)
    if imgs.dtype != np.uint8 or imgs.ndim != 3:
        raise ValueError(f"expected uint8 images (N, H, W), got {imgs.dtype} {imgs.shape}")
    n, h, w = imgs.shape
    rows = math.ceil(n / nrow)
    out = np.full((rows * (h + pad) + pad, nrow * (w + pad) + pad), 40, np.uint8)
    for i in range(n):
        r, c = divmod(i, nrow)
        out[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = imgs[i]
    return out
