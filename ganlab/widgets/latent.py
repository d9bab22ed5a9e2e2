"""Widgets for a conditional generator: pick a digit and a seed; walk between noises and between labels.

Each widget draws PNG bytes into an ``ipywidgets.Image`` and replaces them when a control moves:
nothing is cleared, nothing flickers. The images are the generator's own 28×28 pixels, enlarged
with nearest-neighbour so every pixel stays visible.

Use::

    from ganlab.widgets import digit_picker, z_walk, label_walk
    display(digit_picker(G))        # digit buttons + seed slider -> 8 samples of that digit
    display(z_walk(G))              # fixed digit, z moves from seed A to seed B
    display(label_walk(G))          # fixed z, the label vector moves from digit A to digit B

``legible_seed(G, classifier, digit)`` picks a first seed whose samples a classifier reads clearly.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
import torch

from ganlab.core import encode_png
from ganlab.images import classifier_logits, generate, image_grid, label_vectors


def noise(nz: int, seed: int) -> torch.Tensor:
    """The noise vector of ``seed``: (nz,), the same one every time."""
    return torch.randn(1, nz, generator=torch.Generator().manual_seed(seed))[0]


def slerp(zA: torch.Tensor, zB: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation between two (nz,) vectors at times t (T,) → (T, nz)."""
    t = t.view(-1, 1)
    cos = torch.clamp(zA @ zB / (zA.norm() * zB.norm()), -1, 1)
    theta = torch.arccos(cos)
    if float(theta) < 1e-6:
        return (1 - t) * zA + t * zB
    return (torch.sin((1 - t) * theta) * zA + torch.sin(t * theta) * zB) / torch.sin(theta)


def lerp(zA: torch.Tensor, zB: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """The straight line between two (nz,) vectors at times t (T,) → (T, nz)."""
    t = t.view(-1, 1)
    return (1 - t) * zA + t * zB


def interpolation_walk(G, steps: int = 11, scale: int = 8) -> W.VBox:
    """Seeds A and B, a path between their noise vectors (spherical or straight) and a position t:
    the image at t, the whole path, and the lengths |z| that explain why slerp stays typical.
    Works for a plain generator (notebook 05); a conditional one draws its classes in turn."""
    seed_a = W.IntSlider(value=1, min=0, max=999, description="seed A")
    seed_b = W.IntSlider(value=2, min=0, max=999, description="seed B")
    t_slider = W.FloatSlider(value=0.5, min=0, max=1, step=0.05, description="t")
    kind = W.ToggleButtons(options=["spherical", "linear"], description="path")
    big, strip, info = W.Image(format="png"), W.Image(format="png"), W.HTML()

    def redraw(*_):
        zA, zB = noise(G.nz, seed_a.value), noise(G.nz, seed_b.value)
        ts = torch.cat([torch.linspace(0, 1, steps), torch.tensor([float(t_slider.value)])])
        zs = (slerp if kind.value == "spherical" else lerp)(zA, zB, ts)  # (steps + 1, nz); slerp is safe at A = B
        imgs = generate(G, zs)
        big.value = encode_png(imgs[-1].numpy(), scale=scale)
        strip.value = encode_png(image_grid(imgs[:-1], nrow=steps), scale=3)
        info.value = (f"|z(t)| = {zs[-1].norm():.2f} at t = {t_slider.value:.2f}; |z_A| = {zA.norm():.2f}, "
                      f"|z_B| = {zB.norm():.2f}; straight-line midpoint |z| = {(0.5 * (zA + zB)).norm():.2f}")

    for w in (seed_a, seed_b, t_slider, kind):
        w.observe(redraw, names="value")
    redraw()
    return W.VBox([W.HBox([W.VBox([seed_a, seed_b, t_slider, kind, info]), big]),
                   W.HTML(f"the whole path, t = 0 … 1 in {steps} steps:"), strip])


def z_path(G, digit: int, seed_a: int, seed_b: int, steps: int = 9) -> torch.Tensor:
    """Images along the slerp path from z(seed_a) to z(seed_b), label fixed: uint8 (steps, 28, 28)."""
    t = torch.linspace(0, 1, steps)
    z = slerp(noise(G.nz, seed_a), noise(G.nz, seed_b), t)
    return generate(G, z, torch.full((steps,), int(digit)))


def label_path(G, digit_a: int, digit_b: int, seed: int, steps: int = 9) -> torch.Tensor:
    """Images for y(t) = (1-t)·onehot(a) + t·onehot(b), z fixed: uint8 (steps, 28, 28)."""
    t = torch.linspace(0, 1, steps).view(-1, 1)
    ya, yb = label_vectors(torch.tensor([digit_a, digit_b]), G.n_classes)
    y = (1 - t) * ya + t * yb  # (steps, K)
    z = noise(G.nz, seed).expand(steps, -1)
    return generate(G, z, y)


def _live_image(controls, images, nrow: int, scale: int) -> W.Image:
    """An image widget showing ``image_grid(images(), nrow)``, redrawn whenever a control changes."""
    img = W.Image(format="png")

    def draw(*_):
        img.value = encode_png(image_grid(images(), nrow=nrow), scale=scale)

    for w in controls:
        w.observe(draw, "value")
    draw()
    return img


def legible_seed(G, classifier, digits, count: int = 1, tries: int = 200) -> int:
    """The start seed s in 0..tries-1 whose samples G(noise(s + i), d), for i < ``count`` and every digit d in
    ``digits``, the classifier reads most confidently: the smallest of their probabilities for the digit
    asked, maximised over s. For a widget's first picture: show the method, not an unlucky draw."""
    if tries < 1 or count < 1:
        raise ValueError(f"tries and count must be >= 1, got tries={tries}, count={count}")
    digits = [int(d) for d in np.atleast_1d(digits)]
    z = torch.stack([noise(G.nz, s) for s in range(tries + count - 1)])
    worst = None
    for d in digits:
        p = torch.softmax(classifier_logits(classifier, generate(G, z, torch.full((len(z),), d))), -1)[:, d]
        windows = p.unfold(0, count, 1).min(-1).values  # (tries,): the least legible of seeds s..s+count-1
        worst = windows if worst is None else torch.minimum(worst, windows)
    return int(worst.argmax())


def digit_picker(G, n: int = 8, scale: int = 4, digit: int = 3, seed: int = 0) -> W.VBox:
    """Digit buttons and a seed slider; shows ``n`` samples of the digit from seeds seed..seed+n-1
    (``digit``, ``seed``: the first picture)."""
    digit = W.ToggleButtons(options=list(range(G.n_classes)), value=digit, description="digit",
                            style={"button_width": "32px"})
    seed = W.IntSlider(value=seed, min=0, max=999, description="seed", continuous_update=True)

    def images():
        z = torch.stack([noise(G.nz, seed.value + i) for i in range(n)])
        return generate(G, z, torch.full((n,), digit.value))

    return W.VBox([digit, seed, _live_image((digit, seed), images, n, scale)])


def z_walk(G, steps: int = 9, scale: int = 4, digit: int = 7, seeds: tuple[int, int] = (5, 6)) -> W.VBox:
    """A fixed digit; the noise walks (slerp) from seed A to seed B in ``steps`` images."""
    digit = W.Dropdown(options=list(range(G.n_classes)), value=digit, description="digit")
    a = W.IntSlider(value=seeds[0], min=0, max=999, description="seed A")
    b = W.IntSlider(value=seeds[1], min=0, max=999, description="seed B")
    img = _live_image((digit, a, b), lambda: z_path(G, digit.value, a.value, b.value, steps), steps, scale)
    return W.VBox([W.HBox([digit, a, b]), img])


def label_walk(G, steps: int = 9, scale: int = 4, digits: tuple[int, int] = (3, 8), seed: int = 0) -> W.VBox:
    """A fixed noise; the label vector moves from one-hot(A) to one-hot(B) in ``steps`` images."""
    da = W.Dropdown(options=list(range(G.n_classes)), value=digits[0], description="from digit")
    db = W.Dropdown(options=list(range(G.n_classes)), value=digits[1], description="to digit")
    seed = W.IntSlider(value=seed, min=0, max=999, description="seed")
    img = _live_image((da, db, seed), lambda: label_path(G, da.value, db.value, seed.value, steps), steps, scale)
    return W.VBox([W.HBox([da, db, seed]), img])
