"""Differentiable augmentation (DiffAugment; Zhao, Liu, Lin, Zhu & Han 2020) for 28×28 greyscale digits.

With a few hundred training images the discriminator can memorise them: it calls its own training images real
and everything else, held-out real digits included, fake. Augmenting the images D sees makes memorising harder
(every image arrives shifted and with a square blanked out), but only if real *and* fake batches get the same
treatment, and the generator's loss too: augmenting the reals alone teaches D that shifted, holed digits are
real, and G learns to draw them. Because every operation here is differentiable in the pixels (a shift and a
mask are linear maps), G's gradient flows back through the augmentation: G is judged on T(G(z)) and still
learns to draw plain digits, since the same random T is applied to real images.

Operations (pixels in [-1, 1]; "blank" is the background value -1, zero intensity):

* ``translation``: shift each image by an integer (dx, dy) drawn uniformly from −s..s, s = round(ratio·28)
  (ratio 1/8: up to 4 pixels, as the paper), filling the uncovered border with the background;
* ``cutout``: blank one s×s square per image, s = round(ratio·28) (ratio 1/2: 14×14, a quarter of the
  image), placed wholly inside the image so that exactly s²/28² of the pixels are blanked.

(The paper's colour op, brightness/saturation/contrast, is left out: MNIST has no colour, and a brightness
shift would move the black background that makes a digit a digit.)

Use::

    from ganlab.images import diff_augment
    gen = torch.Generator().manual_seed(0)
    xa = diff_augment(x, "translation,cutout", gen)   # x: (B, 1, 28, 28) → same shape, differentiable
"""

from __future__ import annotations

import torch

BLANK = -1.0  # pixel value of the background (zero intensity) in the [-1, 1] scale
POLICIES = ("translation", "cutout")
TRANSLATION_RATIO = 1 / 8  # largest shift as a fraction of the image side (paper: 1/8)
CUTOUT_RATIO = 1 / 2  # side of the blanked square as a fraction of the image side (paper: 1/2)


def parse_policy(policy: str) -> tuple[str, ...]:
    """``"translation,cutout"`` → ``("translation", "cutout")``; ``""`` → ``()``. Unknown names raise ValueError."""
    if not isinstance(policy, str):
        raise ValueError(f"augment must be a string such as 'translation,cutout', got {policy!r}")
    names = tuple(p.strip() for p in policy.split(",") if p.strip())
    bad = [n for n in names if n not in POLICIES]
    if bad:
        raise ValueError(f"unknown augmentation {bad[0]!r} in {policy!r}: choose from {', '.join(POLICIES)} "
                         "(comma-separated), or '' for none")
    return names


def translate(x: torch.Tensor, dx: torch.Tensor, dy: torch.Tensor, fill: float = BLANK,
              pad: int | None = None) -> torch.Tensor:
    """Shift image b right by dx[b] and down by dy[b] pixels (integers), filling the uncovered border with ``fill``.

    x: (B, C, H, W); dx, dy: int (B,). Pure indexing into a padded copy, so the gradient is the reverse shift.
    ``pad``: a bound on |dx| and |dy| when the caller knows one (no read-back from the device), else measured."""
    B, C, H, W = x.shape
    s = pad if pad is not None else int(max(dx.abs().max(), dy.abs().max())) if B else 0
    xp = torch.nn.functional.pad(x, [s, s, s, s], value=fill)  # (B, C, H+2s, W+2s)
    rows = torch.arange(H, device=x.device)[None, :] + s - dy.to(x.device)[:, None]  # (B, H): source row of each output row
    cols = torch.arange(W, device=x.device)[None, :] + s - dx.to(x.device)[:, None]  # (B, W)
    b = torch.arange(B, device=x.device)[:, None, None]
    return xp.permute(0, 2, 3, 1)[b, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)  # (B, C, H, W)


def cutout(x: torch.Tensor, top: torch.Tensor, left: torch.Tensor, size: int, fill: float = BLANK) -> torch.Tensor:
    """Set the ``size``×``size`` square at (top[b], left[b]) of image b to ``fill``: x·(1 − m) + fill·m.

    x: (B, C, H, W); top, left: int (B,). The mask m is 0/1, so the gradient is 1 − m (0 inside the square)."""
    B, C, H, W = x.shape
    r = torch.arange(H, device=x.device)[None, :] - top.to(x.device)[:, None]  # (B, H)
    c = torch.arange(W, device=x.device)[None, :] - left.to(x.device)[:, None]  # (B, W)
    m = ((r >= 0) & (r < size))[:, :, None] & ((c >= 0) & (c < size))[:, None, :]  # (B, H, W)
    m = m[:, None].to(x.dtype)  # (B, 1, H, W)
    return x * (1 - m) + fill * m


def diff_augment(x: torch.Tensor, policy: str | tuple[str, ...], generator: torch.Generator,
                 translation: float = TRANSLATION_RATIO, cutout_ratio: float = CUTOUT_RATIO) -> torch.Tensor:
    """Apply the policy's operations in order, with fresh random parameters per image drawn from ``generator``.

    x: (B, C, H, W) in [-1, 1] → same shape, differentiable in x. ``translation`` / ``cutout_ratio``: strength
    in [0, 1) / [0, 1]; at 0 an operation is the identity (and draws nothing). The generator must live on x's
    device; the same generator state gives the same augmentation."""
    names = parse_policy(policy) if isinstance(policy, str) else policy
    if not 0 <= translation < 1:
        raise ValueError(f"translation must be a ratio in [0, 1), got {translation!r}")
    if not 0 <= cutout_ratio <= 1:
        raise ValueError(f"cutout_ratio must be a ratio in [0, 1], got {cutout_ratio!r}")
    B, _, H, W = x.shape
    for name in names:
        if name == "translation":
            s = round(translation * min(H, W))
            if s:
                d = torch.randint(-s, s + 1, (2, B), device=x.device, generator=generator)
                x = translate(x, d[0], d[1], pad=s)
        elif name == "cutout":
            size = round(cutout_ratio * min(H, W))
            if size:
                top = torch.randint(0, H - size + 1, (B,), device=x.device, generator=generator)
                left = torch.randint(0, W - size + 1, (B,), device=x.device, generator=generator)
                x = cutout(x, top, left, size)
    return x
