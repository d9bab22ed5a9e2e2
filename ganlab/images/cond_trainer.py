"""Train the conditional DCGAN with the DCGAN machinery: same loop, same speed tricks, labels added.

:class:`CGANTrainer` is a :class:`~ganlab.images.trainer.DCGANTrainer` whose networks take a label
(:class:`~ganlab.images.nets.CondGenerator`, :class:`~ganlab.images.nets.CondDiscriminator`). Everything
else is inherited: the data on the device, the seeded batch order, bf16 autocast, the training step, the NaN
guard with roll-back, the history, exact resume. What changes (three hooks):

* a real batch carries its labels, gathered with the *same* seeded indices as its images;
* fake labels are drawn uniformly from the trainer's noise generator (so resume stays exact);
* D sees (image, label) pairs; G is rewarded when D believes its image *is a real digit of the
  requested class*;
* checkpoints have format ``ganlab-cgan-1`` and ``"conditional": True``.

Use::

    from ganlab.images import CGANConfig, CGANTrainer, load_generator
    tr = CGANTrainer(CGANConfig(), device="auto")     # MNIST images and labels onto the device
    tr.train(minutes=5)
    tr.save("runs/cgan/last.pt")
    G = load_generator("runs/cgan/last.pt")           # sampling only: G(z, y)

or from the shell: ``python -m ganlab dcgan train --conditional --minutes 5 --out runs/cgan``.
"""

from __future__ import annotations

import numpy as np
import torch

from ganlab.core import load_checkpoint
from ganlab.images.nets import CGANConfig, CondDiscriminator, CondGenerator, digit_grid_inputs
from ganlab.images.pixels import image_grid
from ganlab.images.trainer import FORMAT as DCGAN_FORMAT
from ganlab.images.trainer import DCGANTrainer

FORMAT = "ganlab-cgan-1"  # full training state
GRID_SEEDS = 8  # rows of the fixed-noise grid; its columns are the classes


class CGANTrainer(DCGANTrainer):
    """:class:`~ganlab.images.trainer.DCGANTrainer` for :class:`~ganlab.images.nets.CondGenerator` and
    :class:`~ganlab.images.nets.CondDiscriminator`.

    Args:
        config: :class:`~ganlab.images.nets.CGANConfig` (a plain ``DCGANConfig`` is upgraded, 10 classes).
        device, compile, threads: as for :class:`~ganlab.images.trainer.DCGANTrainer`.
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
            from ganlab.images.mnist import load_mnist
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
        x, _ = super().batch(step)  # (B, 1, 28, 28)
        return x, self.labels[self.batch_indices(step)]  # (B,)

    def fake_labels(self) -> torch.Tensor:
        """The digits G is asked for: uniform, from the noise generator (drawn after z, so resume stays exact)."""
        cfg = self.config
        return torch.randint(0, cfg.n_classes, (cfg.batch_size,), device=self.device, generator=self.noise_gen)

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
        state = load_checkpoint(path)
        if state.get("format") != FORMAT:
            raise ValueError(f"{path} is not a conditional GAN checkpoint (format {state.get('format')!r})")
        tr = cls(CGANConfig.from_dict(state["config"]), device=device, data=data, labels=labels,
                 compile=compile, threads=threads)
        tr.load_state_dict(state)
        return tr
