"""Train the conditional DCGAN with the DCGAN machinery: same loop, same speed tricks, labels added.

:class:`CGANTrainer` is a :class:`~ganlab.dcgan_trainer.DCGANTrainer` whose networks take a label
(:mod:`ganlab.cgan`). Everything else is inherited: the data on the device, the seeded batch order,
bf16 autocast, the NaN guard with roll-back, the history, exact resume. What changes:

* a real batch carries its labels, gathered with the *same* seeded indices as its images;
* fake labels are drawn uniformly from the trainer's noise generator (so resume stays exact);
* D sees (image, label) pairs; G is rewarded when D believes its image *is a real digit of the
  requested class*;
* checkpoints have format ``ganlab-cgan-1`` and ``"conditional": True``.

Use::

    from ganlab.cgan import CGANConfig
    from ganlab.cgan_trainer import CGANTrainer, load_cond_generator
    tr = CGANTrainer(CGANConfig(), device="auto")     # MNIST images and labels onto the device
    tr.train(minutes=5)
    tr.save("runs/cgan/last.pt")
    G = load_cond_generator("runs/cgan/last.pt")      # sampling only: G(z, y)

or from the shell: ``python -m ganlab dcgan train --conditional --minutes 5 --out runs/cgan``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ganlab import checkpoint as ckpt
from ganlab.cgan import CGANConfig, CondDiscriminator, CondGenerator, digit_grid_inputs, label_vectors
from ganlab.dcgan_trainer import FORMAT as DCGAN_FORMAT
from ganlab.dcgan_trainer import DCGANTrainer, image_grid, to_uint8
from ganlab.device import get_device

FORMAT = "ganlab-cgan-1"  # full training state
G_FORMAT = "ganlab-cgan-g-1"  # generator weights only (see export_generator)
GRID_SEEDS = 8  # rows of the fixed-noise grid; its columns are the classes


class CGANTrainer(DCGANTrainer):
    """:class:`~ganlab.dcgan_trainer.DCGANTrainer` for :class:`~ganlab.cgan.CondGenerator` and
    :class:`~ganlab.cgan.CondDiscriminator`.

    Args:
        config: :class:`~ganlab.cgan.CGANConfig` (a plain ``DCGANConfig`` is upgraded, 10 classes).
        device, compile, threads: as for :class:`~ganlab.dcgan_trainer.DCGANTrainer`.
        data: uint8 images (N, 28, 28); default the MNIST training set (then ``labels`` too).
        labels: int64 labels (N,) in ``0..n_classes-1``; required when ``data`` is given.
    """

    def __init__(self, config: CGANConfig | None = None, device=None, data: torch.Tensor | None = None,
                 labels: torch.Tensor | None = None, compile: bool = False, threads="auto"):
        cfg = config if config is not None else CGANConfig()
        if not isinstance(cfg, CGANConfig):
            cfg = CGANConfig.from_dict(cfg.to_dict())
        if data is None:
            if labels is not None:
                raise ValueError("labels given without data: pass both, or neither for MNIST")
            from ganlab.mnist import load_mnist
            data, labels = load_mnist("train")
        if labels is None:
            raise ValueError("a conditional GAN needs labels: pass labels=(N,) int64 with data")
        labels = torch.as_tensor(labels)
        if labels.dim() != 1 or labels.is_floating_point() or len(labels) != len(data):
            raise ValueError(f"labels must be integers of shape ({len(data)},), got {labels.dtype} "
                             f"{tuple(labels.shape)}")
        if len(labels) and (int(labels.min()) < 0 or int(labels.max()) >= cfg.n_classes):
            raise ValueError(f"labels must be in 0..{cfg.n_classes - 1}, got {int(labels.min())}..{int(labels.max())}")
        super().__init__(cfg, device=device, data=data, compile=compile, threads=threads)
        dev = self.device
        self.labels = labels.long().to(dev)
        z, y = digit_grid_inputs(cfg.nz, GRID_SEEDS, cfg.n_classes, seed=cfg.seed + 2)
        self.fixed_noise, self.fixed_labels = z.to(dev), y.to(dev)  # (8·K, nz), (8·K,)
        self._good = None

    def build_networks(self, cfg: CGANConfig):
        """The base trainer builds, places and optimises these instead of the unconditional pair."""
        return CondGenerator(cfg), CondDiscriminator(cfg)

    # ------------------------------------------------------------------------------------------
    # data and one step

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Real images and their labels of step ``step``: (B, 1, 28, 28) in [-1, 1] and (B,) int64.

        Both are gathered with the same slice of the seeded epoch permutation.
        """
        B = self.config.batch_size
        epoch, pos = divmod(step, self.steps_per_epoch)
        idx = self._permutation(epoch)[pos * B:(pos + 1) * B]
        x = self.data[idx].unsqueeze(1).float().mul_(2.0 / 255.0).sub_(1.0)  # (B, 1, 28, 28)
        if self.cuda:
            x = x.contiguous(memory_format=torch.channels_last)
        return x, self.labels[idx]

    def train_step(self) -> torch.Tensor:
        """One D update on (real, its label) and (fake, requested label), then one G update."""
        cfg = self.config
        x, y_real = self.batch(self.step)
        z = torch.randn(cfg.batch_size, cfg.nz, device=self.device, generator=self.noise_gen)
        y_fake = torch.randint(0, cfg.n_classes, (cfg.batch_size,), device=self.device, generator=self.noise_gen)
        with self._autocast():
            fake = self._G(z, y_fake)
            logit_real = self._D(x, y_real).float()
            logit_fake = self._D(fake.detach(), y_fake).float()
            loss_D = self.loss(logit_real, self.ones) + self.loss(logit_fake, self.zeros)
        self.opt_D.zero_grad(set_to_none=True)
        loss_D.backward()
        self.opt_D.step()
        with self._autocast():  # non-saturating: -log D(G(z, y), y)
            logit_gen = self._D(fake, y_fake).float()
            loss_G = self.loss(logit_gen, self.ones)
        self.opt_G.zero_grad(set_to_none=True)
        loss_G.backward()
        self.opt_G.step()
        self.step += 1
        with torch.no_grad():
            return torch.stack([loss_D.detach(), loss_G.detach(),
                                torch.sigmoid(logit_real.detach()).mean(), torch.sigmoid(logit_fake.detach()).mean()])

    # ------------------------------------------------------------------------------------------
    # sampling

    @torch.no_grad()
    def generate(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """G(z, y) in eval mode: uint8 (N, 28, 28) on the CPU. ``y``: labels (N,) or vectors (N, K);
        default ``arange(N) % K`` (every class in turn)."""
        return generate(self.G, z, y)

    def sample(self, n: int, seed: int = 0, labels=None) -> torch.Tensor:
        """``n`` samples, noise seeded by ``seed``; ``labels``: one int, (n,) labels, or None
        (classes in turn). uint8 (n, 28, 28) on the CPU."""
        return sample(self.G, n, seed=seed, labels=labels)

    def fixed_grid(self, nrow: int | None = None) -> np.ndarray:
        """Fixed noise × every class: rows share z, column c is digit c (uint8 grid image)."""
        return image_grid(self.generate(self.fixed_noise, self.fixed_labels), nrow=nrow or self.config.n_classes)

    # ------------------------------------------------------------------------------------------
    # checkpoints

    def state_dict(self) -> dict:
        state = super().state_dict()
        state.update(format=FORMAT, conditional=True)
        return state

    def load_state_dict(self, state: dict) -> None:
        if state.get("format") != FORMAT:
            raise ValueError(f"not a conditional GAN checkpoint of format {FORMAT!r} (got {state.get('format')!r})")
        super().load_state_dict({**state, "format": DCGAN_FORMAT})

    @classmethod
    def load(cls, path, device=None, data: torch.Tensor | None = None, labels: torch.Tensor | None = None,
             compile: bool = False, threads="auto") -> "CGANTrainer":
        """Rebuild a trainer from :meth:`save`'s file on ``device`` (give ``data`` and ``labels``
        together, or neither for MNIST)."""
        state = ckpt.load(path)
        if state.get("format") != FORMAT:
            raise ValueError(f"{path} is not a conditional GAN checkpoint (format {state.get('format')!r})")
        tr = cls(CGANConfig.from_dict(state["config"]), device=device, data=data, labels=labels,
                 compile=compile, threads=threads)
        tr.load_state_dict(state)
        return tr

    def export_generator(self, path, half: bool = True) -> Path:
        """Write only G's weights (fp16 by default: about 0.5 MB), enough to sample."""
        return export_generator(self.G, self.config, path, half=half, step=self.step)


# ----------------------------------------------------------------------------------------------
# generator-only helpers (no dataset needed)


@torch.no_grad()
def generate(G: CondGenerator, z: torch.Tensor, y=None) -> torch.Tensor:
    """G(z, y) in eval mode, in chunks: uint8 (N, 28, 28) on the CPU. ``y`` as in CondGenerator;
    default ``arange(N) % K``."""
    if y is None:
        y = torch.arange(len(z)) % G.n_classes
    yv = label_vectors(torch.as_tensor(y), G.n_classes)  # (N, K), range-checked
    dev = next(G.parameters()).device
    was = G.training
    G.eval()
    try:
        out = [to_uint8(G(zc.to(dev), yc.to(dev))) for zc, yc in zip(z.split(1024), yv.split(1024))]
    finally:
        G.train(was)
    return torch.cat(out)


def sample(G: CondGenerator, n: int, seed: int = 0, labels=None) -> torch.Tensor:
    """``n`` samples of the requested ``labels`` (an int, (n,) ints, or None: classes in turn)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if labels is None:
        y = torch.arange(n) % G.n_classes
    elif isinstance(labels, int):
        if not 0 <= labels < G.n_classes:
            raise ValueError(f"label must be in 0..{G.n_classes - 1}, got {labels}")
        y = torch.full((n,), labels, dtype=torch.long)
    else:
        y = torch.as_tensor(labels).long()
        if y.shape != (n,):
            raise ValueError(f"labels must have shape ({n},), got {tuple(y.shape)}")
    z = torch.randn(n, G.nz, generator=torch.Generator().manual_seed(seed))
    return generate(G, z, y)


def export_generator(G: CondGenerator, config: CGANConfig, path, half: bool = True, step: int | None = None) -> Path:
    """Save G's weights alone (fp16 when ``half``), with the config and ``"conditional": True``."""
    sd = {k: (v.detach().cpu().half() if half and v.is_floating_point() else v.detach().cpu().clone())
          for k, v in G.state_dict().items()}
    return ckpt.save_atomic({"format": G_FORMAT, "conditional": True, "config": config.to_dict(),
                             "step": step, "G": sd}, path)


def is_conditional_checkpoint(path) -> bool:
    """True when ``path`` holds a conditional GAN (full checkpoint or generator-only export)."""
    return bool(ckpt.load(path).get("conditional", False))


def load_cond_generator(path, device=None) -> CondGenerator:
    """The generator of a conditional checkpoint (full or fp16 export), float32, in eval mode."""
    state = ckpt.load(path)
    if not state.get("conditional", False) or state.get("format") not in (FORMAT, G_FORMAT):
        raise ValueError(f"{path} is not a conditional GAN checkpoint (format {state.get('format')!r}); "
                         "train one with: python -m ganlab dcgan train --conditional")
    G = CondGenerator(CGANConfig.from_dict(state["config"]))
    G.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state["G"].items()})
    return G.to(get_device(device)).eval()
