"""Train the MNIST DCGAN fast on CPU or GPU, watch it, checkpoint it and resume it exactly.

Use::

    from ganlab.images import DCGANConfig, DCGANTrainer
    tr = DCGANTrainer(DCGANConfig(), device="auto")   # loads MNIST onto the device
    tr.train(minutes=5)                               # or epochs=3, or steps=500
    tr.save("runs/dcgan/last.pt")
    tr = DCGANTrainer.load("runs/dcgan/last.pt")      # ... and carry on exactly where it stopped

What makes it fast:

* the whole dataset sits on the device as uint8 (47 MB for MNIST); a batch is a slice of a seeded random
  permutation, gathered by indexing and scaled to [-1, 1] on the fly: no DataLoader, no workers, no float copies;
* bf16 autocast (mixed precision) where it helps: on CUDA, and on CPUs with native bf16;
* on CUDA: ``cudnn.benchmark``, fused Adam, channels-last memory; elsewhere foreach Adam;
* statistics stay on the device and are read back once per ``log_every`` steps (one sync).

Nothing here changes the rest of the process: the CPU thread count and ``cudnn.benchmark`` are set only while
:meth:`DCGANTrainer.train` runs, and the weights are drawn from a seeded fork of torch's global generator
(:func:`ganlab.core.seeded`), so building a trainer leaves the caller's streams alone.

The conditional trainer (:mod:`ganlab.images.cond_trainer`) overrides three hooks: ``build_networks``,
``batch`` (real images *and* their labels) and ``fake_labels``; the step itself is written once here.

Training is the DCGAN recipe with three additions (lazy R1 on D, Adam β=(0, 0.99), sampling from a weight
average of G; see ``DCGANConfig``); D sees a batch of real images and a separate batch of fakes; G uses the
non-saturating loss −log D(G(z)); both losses are binary cross-entropy on D's logits (``ganlab.theory.real_loss``
/ ``fake_loss``, as ``BCEWithLogitsLoss``). Against a D that memorises a small training set (notebook 04),
``DCGANConfig`` adds DiffAugment, dropout in D and a probe of D's accuracy on training vs held-out reals.
"""

from __future__ import annotations

import contextlib
import copy
import math
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn

from ganlab.core import (TrainingDiverged, cpu_copy, cudnn_benchmark, get_device, load_checkpoint, num_threads, rng_state,
                         save_atomic, seeded)
from ganlab.images.augment import diff_augment, parse_policy
from ganlab.images.ema import WeightAverage
from ganlab.images.hardware import _use_bf16, cpu_threads
from ganlab.images.nets import DCGANConfig, Discriminator, Dropout, Generator
from ganlab.images.pixels import image_grid, to_unit
from ganlab.images.probe import probe_scores, probe_sets
from ganlab.images.sampling import export_generator, generate, sample
from ganlab.theory import fake_loss, r1_penalty, real_loss

FORMAT = "ganlab-dcgan-1"
HISTORY_KEYS = ("step", "epoch", "seconds", "loss_D", "loss_G", "D_x", "D_G_z", "images_per_s")
PROBE_KEYS = ("acc_train", "acc_heldout", "memorised")  # recorded too when config.probe_images > 0 (ganlab.images.probe)
N_FIXED = 64  # fixed noise vectors for the progress grid (8×8)


class DCGANTrainer:
    """Holds G, D, their optimisers, the data on the device, the RNGs and the history.

    Args:
        config: sizes and settings (:class:`~ganlab.images.nets.DCGANConfig`); default ``DCGANConfig()``.
        device: ``None`` (``$GANLAB_DEVICE``, else automatic), ``"auto"`` (GPU when present),
            ``"cpu"``, ``"cuda"``, ... (see :func:`ganlab.core.get_device`); unknown names raise
            ``ValueError``.
        data: uint8 tensor (N, 28, 28) to train on; default the MNIST training set (its first
            ``config.train_images`` only, when that is > 0).
        compile: wrap G and D in ``torch.compile`` (CUDA only; slower to start, faster after).
        threads: CPU threads for torch while :meth:`train` runs (restored after). ``"auto"``: half
            the cores, at least 1 (see :func:`cpu_threads`). ``None``: leave torch's setting alone.
        heldout: uint8 (N, 28, 28) real images D never trains on, for ``config.probe_images``; default the
            MNIST test set.
    """

    def __init__(self, config: DCGANConfig | None = None, device: str | torch.device | None = None,
                 data: torch.Tensor | None = None, compile: bool = False, threads: int | str | None = "auto",
                 heldout: torch.Tensor | None = None):
        self.config = cfg = config if config is not None else DCGANConfig()
        self.device = get_device(device)
        if data is None:
            from ganlab.images.mnist import load_mnist
            data, _ = load_mnist("train")
        if not (isinstance(data, torch.Tensor) and data.dtype == torch.uint8 and data.dim() == 3):
            raise ValueError(f"data must be a uint8 tensor (N, 28, 28), got {getattr(data, 'dtype', type(data))} "
                             f"{tuple(getattr(data, 'shape', ()))}")
        if cfg.train_images > len(data):
            raise ValueError(f"train_images {cfg.train_images} is more than the data ({len(data)} images): "
                             f"choose 1..{len(data)}, or 0 for all")
        data = data[:cfg.train_images] if cfg.train_images else data
        if cfg.batch_size > len(data):
            raise ValueError(f"batch_size {cfg.batch_size} is larger than the data ({len(data)} images): "
                             f"choose 1..{len(data)}")
        dev = self.device
        self.cuda = dev.type == "cuda"
        if threads is not None and threads != "auto" and not (isinstance(threads, int) and threads >= 1):
            raise ValueError(f"threads must be 'auto', None or a positive integer, got {threads!r}")
        self.threads = None if dev.type != "cpu" or threads is None else cpu_threads() if threads == "auto" else threads
        self.bf16 = _use_bf16(cfg, dev)
        self.data = data.to(dev)
        self.steps_per_epoch = len(data) // cfg.batch_size

        with seeded(cfg.seed):  # weights come from torch's global generator, seeded, in a fork
            G, D = self.build_networks(cfg)
        self.G, self.D = G.to(dev), D.to(dev)
        if self.cuda:
            self.G = self.G.to(memory_format=torch.channels_last)
            self.D = self.D.to(memory_format=torch.channels_last)
        adam = dict(betas=(cfg.beta1, cfg.beta2), **({"fused": True} if self.cuda else {"foreach": True}))
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=cfg.lr_g, **adam)
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=cfg.lr_d, **adam)
        self.G_ema = WeightAverage(self.G, cfg.ema) if cfg.ema else None  # what samples, evaluates, exports
        self._setup_regularisers(cfg, heldout)
        self._G, self._D = self.G, self.D  # what the step calls (compiled or not)
        if compile:
            self._G, self._D = torch.compile(self.G), torch.compile(self.D)

        # noise comes from its own generator on the device; its state goes into checkpoints
        self.noise_gen = torch.Generator(device=dev).manual_seed(cfg.seed + 1)
        self.fixed_noise = torch.randn(N_FIXED, cfg.nz, generator=torch.Generator().manual_seed(cfg.seed + 2)).to(dev)
        self.step, self.train_seconds = 0, 0.0
        self.history: dict[str, list] = {k: [] for k in self.history_keys}
        self._perm_epoch = -1
        self._perm: torch.Tensor | None = None
        self._good: dict | None = None  # last state whose statistics were finite

    def _setup_regularisers(self, cfg: DCGANConfig, heldout: torch.Tensor | None) -> None:
        """DiffAugment and D's dropout get seeded generators, the probe its images; at the defaults none exists."""
        dev, self.augment = self.device, parse_policy(cfg.augment)
        self.augment_gen = torch.Generator(device=dev).manual_seed(cfg.seed + 3) if self.augment else None
        self.dropout_gen = torch.Generator(device=dev).manual_seed(cfg.seed + 4) if cfg.d_dropout else None
        for m in self.D.modules():
            if isinstance(m, Dropout):
                m.generator = self.dropout_gen
        self.history_keys = HISTORY_KEYS + (PROBE_KEYS if cfg.probe_images else ())
        self.probe = probe_sets(self.data, heldout, cfg.probe_images, dev) if cfg.probe_images else None

    def augment_images(self, x: torch.Tensor) -> torch.Tensor:
        """What D sees of a real or fake batch: DiffAugment with ``config.augment`` (the identity by default)."""
        return diff_augment(x, self.augment, self.augment_gen) if self.augment else x

    def build_networks(self, cfg: DCGANConfig) -> tuple[nn.Module, nn.Module]:
        """The generator and discriminator to train (a subclass returns conditional ones)."""
        return Generator(cfg), Discriminator(cfg)

    # ------------------------------------------------------------------------------------------
    # data

    def _permutation(self, epoch: int) -> torch.Tensor:
        """The batch order of one epoch: a permutation seeded by (seed, epoch), so resume needs
        nothing but the step count to continue the same order."""
        if epoch != self._perm_epoch:
            g = torch.Generator().manual_seed(self.config.seed * 1_000_003 + epoch)
            self._perm = torch.randperm(len(self.data), generator=g).to(self.device)
            self._perm_epoch = epoch
        return self._perm

    def batch_indices(self, step: int) -> torch.Tensor:
        """Dataset indices of training step ``step``: a slice of the seeded epoch permutation."""
        B = self.config.batch_size
        epoch, pos = divmod(step, self.steps_per_epoch)
        return self._permutation(epoch)[pos * B:(pos + 1) * B]

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Real images of training step ``step``: float (B, 1, 28, 28) in [-1, 1] on the device, and
        their labels (None here; the conditional trainer returns them)."""
        x = to_unit(self.data[self.batch_indices(step)])
        return (x.contiguous(memory_format=torch.channels_last) if self.cuda else x), None

    def fake_labels(self) -> torch.Tensor | None:
        """Labels the generator is asked for this step (None: unconditional)."""
        return None

    def _autocast(self):
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16)

    # ------------------------------------------------------------------------------------------
    # one step

    def train_step(self) -> torch.Tensor:
        """One D update then one G update. Returns (loss_D, loss_G, D(x), D(G(z))) on the device.

        loss_D = BCE(D(x), 1) + BCE(D(G(z)), 0), plus every ``r1_every`` steps a second D update on
        r1 · r1_every · R1 (½ E|∇_x D(x)|² at the real batch); loss_G = BCE(D(G(z)), 1) = -log D(G(z)),
        the non-saturating loss. A conditional trainer passes labels to both networks."""
        cfg = self.config
        x, y_real = self.batch(self.step)
        z = torch.randn(cfg.batch_size, cfg.nz, device=self.device, generator=self.noise_gen)
        y_fake = self.fake_labels()  # None for the plain DCGAN: the networks then ignore labels
        x = self.augment_images(x)  # DiffAugment: reals, fakes and G's step all pass the same random family
        with self._autocast():
            fake = self._G(z, y_fake)
            logit_real = self._D(x, y_real).float()
            logit_fake = self._D(self.augment_images(fake.detach()), y_fake).float()
            loss_D = real_loss(logit_real) + fake_loss(logit_fake)
        self.opt_D.zero_grad(set_to_none=True)
        loss_D.backward()
        self.opt_D.step()
        if cfg.r1 and self.step % cfg.r1_every == 0:  # lazy R1: every r1_every steps, weighted r1_every times
            with self._autocast():
                penalty = cfg.r1 * cfg.r1_every * r1_penalty(self.D, x, y_real)  # not the compiled D: no double backward
            self.opt_D.zero_grad(set_to_none=True)
            penalty.backward()
            self.opt_D.step()
        with self._autocast():  # non-saturating generator loss: -log D(G(z))
            logit_gen = self._D(self.augment_images(fake), y_fake).float()
            loss_G = real_loss(logit_gen)
        self.opt_G.zero_grad(set_to_none=True)
        loss_G.backward()
        self.opt_G.step()
        if self.G_ema is not None:
            self.G_ema.update(self.G)
        self.step += 1
        with torch.no_grad():
            return torch.stack([loss_D.detach(), loss_G.detach(),
                                torch.sigmoid(logit_real.detach()).mean(), torch.sigmoid(logit_fake.detach()).mean()])

    def scoped(self):
        """The process settings training runs under (threads, cuDNN autotuner), restored afterwards."""
        stack = contextlib.ExitStack()
        stack.enter_context(num_threads(self.threads))
        if self.cuda:
            stack.enter_context(cudnn_benchmark(True))
        return stack

    # ------------------------------------------------------------------------------------------
    # the loop

    def train(self, epochs: float | None = None, minutes: float | None = None, steps: int | None = None,
              callback: Callable[["DCGANTrainer", dict], None] | None = None, progress: bool = True,
              step_hook: Callable[["DCGANTrainer"], None] | None = None) -> dict:
        """Train for ``epochs`` (may be fractional), ``steps``, and/or ``minutes`` of training time (wall clock
        minus the time spent in ``callback``), whichever ends first. At least one must be given.

        Every ``config.log_every`` steps a record goes into :attr:`history` and ``callback(trainer, record)`` is
        called (draw the live grid there). If a loss or D output turns NaN or infinite, the trainer rolls back to
        the last good record and raises :class:`ganlab.core.TrainingDiverged`. Returns :attr:`history`."""
        if epochs is None and minutes is None and steps is None:
            raise ValueError("give epochs, minutes or steps")
        for name, v in (("epochs", epochs), ("minutes", minutes), ("steps", steps)):
            if v is not None and not (isinstance(v, (int, float)) and v > 0 and math.isfinite(v)):
                raise ValueError(f"{name} must be a positive number, got {v!r}")
        todo = math.inf
        if epochs is not None:
            todo = max(1, round(epochs * self.steps_per_epoch))
        if steps is not None:
            todo = min(todo, int(steps))
        budget = math.inf if minutes is None else 60.0 * minutes
        B, every = self.config.batch_size, self.config.log_every
        from tqdm.auto import tqdm
        bar = tqdm(total=None if todo == math.inf else int(todo), unit="step", disable=not progress,
                   desc="DCGAN", leave=True)
        self._good = self._good or self.state_dict()
        acc = torch.zeros(4, device=self.device)
        n_acc, done, paused = 0, 0, 0.0
        t0 = t_last = time.perf_counter()
        scope = self.scoped()  # threads / cuDNN flag for the loop only
        try:
            while done < todo:
                acc += self.train_step()
                n_acc += 1
                done += 1
                if step_hook is not None:
                    step_hook(self)
                now = time.perf_counter()
                out_of_time = now - t0 - paused >= budget
                if n_acc == every or done >= todo or out_of_time:
                    stats = (acc / n_acc).tolist()  # the one device sync per record
                    now = time.perf_counter()
                    self.train_seconds += now - t_last
                    rec = self._record(stats, n_acc * B / max(now - t_last, 1e-9))
                    bar.update(n_acc)
                    bar.set_postfix(loss_D=f"{rec['loss_D']:.3f}", loss_G=f"{rec['loss_G']:.3f}",
                                    img_s=f"{rec['images_per_s']:.0f}")
                    acc.zero_()
                    n_acc, t_last = 0, time.perf_counter()
                    if callback is not None:
                        callback(self, rec)
                        t_cb = time.perf_counter()  # drawing is not training time
                        paused += t_cb - t_last
                        t_last = t_cb
                if out_of_time:
                    break
        finally:
            scope.close()
            bar.close()
        return self.history

    def _record(self, stats: list[float], images_per_s: float) -> dict:
        names = ("loss_D", "loss_G", "D_x", "D_G_z")
        bad = [n for n, v in zip(names, stats) if not math.isfinite(v)]
        if bad:
            good_step = self._good["step"]
            at = self.step
            self.load_state_dict(self._good)
            raise TrainingDiverged(
                f"{', '.join(bad)} became non-finite (NaN or inf) between steps {good_step} and {at}. "
                f"The trainer was rolled back to step {good_step}, its last good state. Try: a lower "
                f"learning rate (lr_g={self.config.lr_g}, lr_d={self.config.lr_d}), amp='off' "
                "(full float32), or a different seed.")
        rec = dict(zip(names, stats))
        rec.update(step=self.step, epoch=self.step / self.steps_per_epoch, seconds=self.train_seconds,
                   images_per_s=images_per_s)
        if self.probe is not None:  # does D call its training images real more often than new real digits?
            rec.update(probe_scores(self.D, *self.probe, self.config.batch_size))
        for k in self.history_keys:
            self.history[k].append(float(rec[k]) if k != "step" else int(rec[k]))
        self._good = self.state_dict()
        return rec

    # ------------------------------------------------------------------------------------------
    # sampling

    @property
    def G_sample(self) -> nn.Module:
        """The generator that samples, evaluates and exports: the weight average (``config.ema``) or G."""
        return self.G if self.G_ema is None else self.G_ema.module

    def generate(self, z: torch.Tensor, y=None) -> torch.Tensor:
        """G_sample(z) in eval mode (batch norm uses its running statistics): uint8 (N, 28, 28) on the CPU.
        ``y``: labels, for a conditional trainer (see :func:`ganlab.images.sampling.generate`)."""
        return generate(self.G_sample, z, y)

    def sample(self, n: int, seed: int = 0, labels=None) -> torch.Tensor:
        """``n`` samples from noise seeded by ``seed``: uint8 (n, 28, 28) on the CPU."""
        return sample(self.G_sample, n, seed=seed, labels=labels)

    def export_generator(self, path, half: bool = True) -> Path:
        """Write only G_sample's weights (fp16 by default), enough to sample (:func:`load_generator`)."""
        return export_generator(self.G_sample, self.config, path, half=half, step=self.step)

    def fixed_grid(self, nrow: int = 8) -> np.ndarray:
        """The 64 fixed-noise samples as one uint8 grid image (same z all training long)."""
        return image_grid(self.generate(self.fixed_noise), nrow=nrow)

    # ------------------------------------------------------------------------------------------
    # checkpoints

    def state_dict(self) -> dict:
        """Everything needed to continue exactly, as plain data (tensors copied to the CPU)."""
        return {
            "format": FORMAT,
            "config": self.config.to_dict(),
            "step": self.step,
            "train_seconds": self.train_seconds,
            "G": cpu_copy(self.G.state_dict()),
            "G_ema": None if self.G_ema is None else cpu_copy(self.G_ema.state_dict()),
            "D": cpu_copy(self.D.state_dict()),
            "opt_G": cpu_copy(self.opt_G.state_dict()),
            "opt_D": cpu_copy(self.opt_D.state_dict()),
            "rng": {**rng_state(), "noise": self.noise_gen.get_state(),  # global states: kept for the format
                    **{k: g.get_state() for k, g in (("augment", self.augment_gen), ("dropout", self.dropout_gen)) if g}},
            "history": copy.deepcopy(self.history),
        }

    def load_state_dict(self, state: dict) -> None:
        if state.get("format") != FORMAT:
            raise ValueError(f"not a DCGAN checkpoint of format {FORMAT!r} (got {state.get('format')!r})")
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        if self.G_ema is not None:
            if state.get("G_ema"):
                self.G_ema.load_state_dict(state["G_ema"])
            else:  # a checkpoint without an average (older, or trained with ema=0): start one from G
                self.G_ema = WeightAverage(self.G, self.config.ema)
        for opt, key in ((self.opt_G, "opt_G"), (self.opt_D, "opt_D")):
            saved = dict(state[key])  # keep this device's Adam kernel (fused on CUDA, foreach on CPU)
            saved["param_groups"] = [{**g, **{k: mine.get(k) for k in ("fused", "foreach")}}
                                     for g, mine in zip(saved["param_groups"], opt.param_groups)]
            opt.load_state_dict(saved)
        self.step = int(state["step"])
        self.train_seconds = float(state.get("train_seconds", 0.0))
        self.noise_gen.set_state(state["rng"]["noise"].cpu())  # the streams training draws from
        for key, g in (("augment", self.augment_gen), ("dropout", self.dropout_gen)):
            if g is not None:
                g.set_state(state["rng"][key].cpu())
        self.history = copy.deepcopy(state["history"])
        self._good = None

    def save(self, path: str | Path) -> Path:
        """Write a checkpoint atomically (temporary file, then ``os.replace``)."""
        return save_atomic(self.state_dict(), path)

    @classmethod
    def load(cls, path: str | Path, device: str | torch.device | None = None,
             data: torch.Tensor | None = None, compile: bool = False,
             threads: int | str | None = "auto", heldout: torch.Tensor | None = None) -> "DCGANTrainer":
        """Rebuild a trainer from :meth:`save`'s file (safe loader) on ``device``."""
        state = load_checkpoint(path)
        if state.get("format") != FORMAT:
            raise ValueError(f"{path} is not a DCGAN checkpoint (format {state.get('format')!r})")
        tr = cls(DCGANConfig.from_dict(state["config"]), device=device, data=data, compile=compile, threads=threads,
                 heldout=heldout)
        tr.load_state_dict(state)
        return tr
