"""Sampling from a trained image generator, plain or conditional, without the dataset.

``generate(G, z, y)`` runs G in eval mode (batch norm uses its running statistics) in chunks and
returns uint8 images; ``sample(G, n, seed, labels)`` draws the noise too. ``load_generator(path)``
reads the generator of any ganlab image checkpoint (full training state or a generator-only fp16
export, plain or conditional), and ``export_generator`` writes such an export.
"""

from __future__ import annotations

from pathlib import Path

import torch

from ganlab.core import get_device, load_checkpoint, save_atomic
from ganlab.images.nets import CGANConfig, CondGenerator, DCGANConfig, Generator, label_vectors
from ganlab.images.pixels import to_uint8

FORMATS = {  # checkpoint format -> (conditional?, holds the full training state?)
    "ganlab-dcgan-1": (False, True), "ganlab-cgan-1": (True, True),
    "ganlab-dcgan-g-1": (False, False), "ganlab-cgan-g-1": (True, False),
}


@torch.no_grad()
def generate(G: Generator, z: torch.Tensor, y=None) -> torch.Tensor:
    """G(z) (or G(z, y)) in eval mode, in chunks of 1024: uint8 (N, 28, 28) on the CPU.

    ``y`` (conditional G only): labels (N,) or label vectors (N, K); default ``arange(N) % K``."""
    dev = next(G.parameters()).device
    zs = z.split(1024)
    if G.n_classes:
        y = label_vectors(torch.as_tensor(torch.arange(len(z)) % G.n_classes if y is None else y), G.n_classes)
        ys = [yc.to(dev) for yc in y.split(1024)]
    elif y is not None:
        raise ValueError("labels given to an unconditional generator; train one with --conditional")
    else:
        ys = [None] * len(zs)
    was = G.training
    G.eval()
    try:
        out = [to_uint8(G(zc.to(dev), yc)) for zc, yc in zip(zs, ys)]
    finally:
        G.train(was)
    return torch.cat(out) if out else torch.empty(0, 28, 28, dtype=torch.uint8)


def sample_labels(G: Generator, n: int, labels=None) -> torch.Tensor | None:
    """The labels of ``n`` samples: None for a plain G; for a conditional G ``labels`` may be one int,
    (n,) ints, or None (every class in turn)."""
    if not G.n_classes:
        if labels is not None:
            raise ValueError("labels need a conditional generator; this one is unconditional")
        return None
    if labels is None:
        return torch.arange(n) % G.n_classes
    if isinstance(labels, int):
        if not 0 <= labels < G.n_classes:
            raise ValueError(f"label must be in 0..{G.n_classes - 1}, got {labels}")
        return torch.full((n,), labels, dtype=torch.long)
    y = torch.as_tensor(labels).long()
    if y.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got {tuple(y.shape)}")
    return y


def sample(G: Generator, n: int, seed: int = 0, labels=None) -> torch.Tensor:
    """``n`` samples from noise seeded by ``seed``: uint8 (n, 28, 28) on the CPU (labels: see
    :func:`sample_labels`)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    y = sample_labels(G, n, labels)
    z = torch.randn(n, G.nz, generator=torch.Generator().manual_seed(seed))
    return generate(G, z, y)


def checkpoint_kind(path) -> tuple[bool, bool]:
    """(conditional?, full training state?) of an image checkpoint; ValueError if it is none."""
    state = load_checkpoint(path)
    fmt = state.get("format")
    if fmt not in FORMATS:
        raise ValueError(f"{path} is not a ganlab image checkpoint (format {fmt!r}; expected one of {sorted(FORMATS)})")
    return FORMATS[fmt]


def is_conditional_checkpoint(path) -> bool:
    """True when ``path`` holds a conditional GAN (full checkpoint or generator-only export)."""
    return checkpoint_kind(path)[0]


def export_generator(G: Generator, config: DCGANConfig, path, half: bool = True, step: int | None = None) -> Path:
    """Save G's weights alone (fp16 when ``half``: about 0.5 MB), with its config: enough to sample."""
    cond = bool(G.n_classes)
    sd = {k: (v.detach().cpu().half() if half and v.is_floating_point() else v.detach().cpu().clone())
          for k, v in G.state_dict().items()}
    return save_atomic({"format": "ganlab-cgan-g-1" if cond else "ganlab-dcgan-g-1", "conditional": cond,
                        "config": config.to_dict(), "step": step, "G": sd}, path)


def load_generator(path, device=None) -> Generator:
    """The generator of any image checkpoint, float32, in eval mode, on ``device``."""
    state = load_checkpoint(path)
    fmt = state.get("format")
    if fmt not in FORMATS:
        raise ValueError(f"{path} is not a ganlab image checkpoint (format {fmt!r}); "
                         "train one with: python -m ganlab dcgan train")
    cond = FORMATS[fmt][0]
    G = CondGenerator(CGANConfig.from_dict(state["config"])) if cond else Generator(DCGANConfig.from_dict(state["config"]))
    G.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state["G"].items()})
    return G.to(get_device(device)).eval()
