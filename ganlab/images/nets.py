"""DCGAN for 28×28 single-channel images (MNIST): the generator, the discriminator, their sizes.

The networks follow the rules of Radford, Metz & Chintala (2016), "Unsupervised Representation
Learning with Deep Convolutional GANs":

* no pooling: the generator upsamples with transposed convolutions (stride 2), the discriminator
  downsamples with strided convolutions (stride 2);
* batch normalisation in both networks, except the generator's output layer and the
  discriminator's input layer;
* ReLU in the generator, tanh on its output (pixels in [-1, 1]); LeakyReLU(0.2) in the
  discriminator;
* weights drawn from N(0, 0.02) (batch-norm scales from N(1, 0.02), shifts 0).

The discriminator returns one *logit* per image (no sigmoid): the loss
``BCEWithLogitsLoss`` applies the sigmoid inside, which is numerically safer and lets mixed
precision run. ``torch.sigmoid(D(x))`` is the probability that ``x`` is real.

The conditional pair (notebook 06) is the same networks with a label input: the generator sees
``[z, one-hot(y)]``; the discriminator is a *projection discriminator* (Miyato & Koyama 2018):

.. math:: D(x, y) = w^\\top φ(x) + b + \\langle e_y, φ(x) \\rangle,

where φ(x) are the conv features and ``e_y`` a learned embedding of the label: the first term asks
"is this a realistic digit?", the inner product "is it a realistic *y*?". Because the label enters
as a vector, a point between two one-hots (``0.5·e_3 + 0.5·e_8``) is a valid input too.

Use::

    from ganlab.images import DCGANConfig, Generator, Discriminator, layer_table
    cfg = DCGANConfig()
    G, D = Generator(cfg), Discriminator(cfg)
    print(layer_table(G))                    # output shape and parameter count of every layer
    cc = CGANConfig()
    G, D = CondGenerator(cc), CondDiscriminator(cc)
    x = G(torch.randn(10, cc.nz), torch.arange(10))   # one of each digit: (10, 1, 28, 28)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import torch
import torch.nn.functional as F
from torch import nn

IMAGE_SIZE = 28  # MNIST images are 28×28
BASE = IMAGE_SIZE // 4  # 7: two stride-2 steps take 7 → 14 → 28


@dataclass
class DCGANConfig:
    """Every size and training setting of the MNIST DCGAN, as one plain record.

    The defaults were tuned for a short CPU budget (5 minutes on a busy 2-core machine): narrow
    networks, batch 64, learning rate 1e-3. Measured there after 5 minutes on one core shared with
    another run: lr 2e-4 gave FID 59 and class-histogram KL 0.16, lr 5e-4 gave 38 and 0.064,
    lr 1e-3 gave 35 and 0.053. The paper used nz=100, lr=2e-4 and wider networks, which work too.

    On top of that architecture the training recipe adds three things the 2016 paper did not have: Adam
    with betas (0, 0.99), a lazy R1 penalty (γ = 1 every 16 steps) and sampling from a weight average of G
    (decay 0.99). ``benchmarks/dcgan_quality.py`` measures it against the previous recipe (betas (0.5,
    0.999), neither of the others) on three seeds side by side; the numbers are in the README.
    """

    nz: int = 64  # length of the noise vector z ~ N(0, I) fed to the generator (paper: 100)
    ngf: int = 32  # generator width: channels at 14×14; the 7×7 stage has 2·ngf
    ndf: int = 32  # discriminator width: channels at 14×14; the 7×7 stage has 2·ndf
    nc: int = 1  # image channels (1: greyscale)
    batch_size: int = 64  # images per step for each of D(real), D(fake) and the G update
    lr_g: float = 1e-3  # generator Adam learning rate (DCGAN paper: 2e-4; 1e-3 reaches digits sooner here)
    lr_d: float = 1e-3  # discriminator Adam learning rate (DCGAN paper: 2e-4)
    beta1: float = 0.0  # Adam β1 (DCGAN paper: 0.5; 0 with R1, as StyleGAN: no momentum to overshoot with)
    beta2: float = 0.99  # Adam β2 (DCGAN paper: 0.999)
    r1: float = 1.0  # weight γ of the R1 penalty on D's slope at real images (0: off; Mescheder et al. 2018)
    r1_every: int = 16  # apply R1 every this many steps, scaled up by the same factor (lazy, as StyleGAN2)
    ema: float = 0.99  # decay of the generator's weight average that samples and exports (0: the live G)
    amp: str = "auto"  # mixed precision: "auto" (bf16 where it helps), "bf16" or "off"
    seed: int = 0  # seeds the weights, the batch order and the noise
    log_every: int = 50  # steps between history records (and NaN checks)
    # against an overfitting D (notebook 04); the defaults leave training exactly as without them
    augment: str = ""  # DiffAugment ops applied to real and fake alike: "" (none), "translation", "cutout", or both comma-separated
    d_dropout: float = 0.0  # dropout probability after each of D's LeakyReLUs, in [0, 1) (0: no dropout layers)
    train_images: int = 0  # train on the first N images of the data only, N >= 1 (0: all of them)
    probe_images: int = 0  # every log step, D's accuracy on up to this many training and held-out real images (0: off)

    def __post_init__(self):
        for name in ("nz", "ngf", "ndf", "nc", "batch_size", "log_every", "r1_every"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if self.batch_size < 2:
            raise ValueError(f"batch_size must be at least 2 (batch norm needs two images to normalise over), "
                             f"got {self.batch_size!r}")
        for name in ("lr_g", "lr_d"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not (0 < v < 1):
                raise ValueError(f"{name} must be a learning rate in (0, 1), got {v!r}")
        for name in ("beta1", "beta2", "ema"):
            v = getattr(self, name)
            if not (0 <= v < 1):
                raise ValueError(f"{name} must be in [0, 1), got {v!r}")
        if not isinstance(self.r1, (int, float)) or isinstance(self.r1, bool) or not 0 <= self.r1 <= 1e3:
            raise ValueError(f"r1 must be a weight in [0, 1000], got {self.r1!r}")
        if self.amp not in ("auto", "bf16", "off"):
            raise ValueError(f"amp must be 'auto', 'bf16' or 'off', got {self.amp!r}")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or not 0 <= self.seed <= 2**32 - 1:
            raise ValueError(f"seed must be an integer in 0..4294967295, got {self.seed!r}")
        from ganlab.images.augment import parse_policy
        parse_policy(self.augment)  # raises on unknown names
        if not isinstance(self.d_dropout, (int, float)) or isinstance(self.d_dropout, bool) or not 0 <= self.d_dropout < 1:
            raise ValueError(f"d_dropout must be a probability in [0, 1), got {self.d_dropout!r}")
        for name in ("train_images", "probe_images"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ValueError(f"{name} must be an integer >= 0 (0: {'all' if name == 'train_images' else 'off'}), got {v!r}")

    def to_dict(self) -> dict:
        """Plain dict (numbers and strings only): what a checkpoint stores."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "DCGANConfig":
        """Rebuild from :meth:`to_dict`; unknown keys are ignored (older or newer checkpoints). A checkpoint
        from before the R1 penalty and the weight average existed resumes without them, as it was trained."""
        names = {f.name for f in fields(cls)}
        d = {"r1": 0.0, "ema": 0.0, **d} if "r1" not in d and "ema" not in d else d
        return cls(**{k: v for k, v in d.items() if k in names})


class Generator(nn.Module):
    """z (nz) → FC → 7×7 → transposed conv → 14×14 → transposed conv → 28×28 image in [-1, 1].

    With ``n_classes`` > 0 the input is ``[z, one-hot(y)]`` (nz + n_classes) and ``forward(z, y)``
    needs labels (:class:`CondGenerator`)."""

    def __init__(self, cfg: DCGANConfig, n_classes: int = 0):
        super().__init__()
        self.nz, self.n_classes = cfg.nz, n_classes
        c7, c14 = 2 * cfg.ngf, cfg.ngf
        self.project = nn.Sequential(  # z or [z, y]: (B, nz + n_classes)
            nn.Linear(cfg.nz + n_classes, c7 * BASE * BASE, bias=False),  # (B, c7·7·7)
            nn.BatchNorm1d(c7 * BASE * BASE),
            nn.ReLU(True),
            nn.Unflatten(1, (c7, BASE, BASE)),  # (B, c7, 7, 7)
        )
        self.upsample = nn.Sequential(  # (B, c7, 7, 7)
            nn.ConvTranspose2d(c7, c14, 4, 2, 1, bias=False),  # (B, c14, 14, 14)
            nn.BatchNorm2d(c14),
            nn.ReLU(True),
            nn.ConvTranspose2d(c14, cfg.nc, 4, 2, 1),  # (B, nc, 28, 28); no BN on the output
            nn.Tanh(),  # pixels in [-1, 1], like the data after scaling
        )
        init_weights(self)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """z: (B, nz); y (conditional only): int labels (B,) or label vectors (B, n_classes)."""
        if self.n_classes:
            if y is None:
                raise ValueError(f"this generator is conditional: pass labels y in 0..{self.n_classes - 1}")
            if z.dim() != 2 or z.shape[1] != self.nz:
                raise ValueError(f"z must have shape (B, {self.nz}), got {tuple(z.shape)}")
            yv = label_vectors(y, self.n_classes).to(device=z.device, dtype=z.dtype)  # (B, n_classes)
            if len(yv) != len(z):
                raise ValueError(f"{len(z)} noise vectors but {len(yv)} labels")
            z = torch.cat([z, yv], dim=1)
        elif y is not None:
            raise ValueError("labels given to an unconditional generator (n_classes=0)")
        return self.upsample(self.project(z))


class Discriminator(nn.Module):
    """28×28 image → strided conv → 14×14 → strided conv → 7×7 → one real/fake logit.

    With ``n_classes`` > 0 it is a projection discriminator: logit = w·φ(x) + b + ⟨embed(y), φ(x)⟩
    (:class:`CondDiscriminator`)."""

    def __init__(self, cfg: DCGANConfig, n_classes: int = 0):
        super().__init__()
        self.n_classes = n_classes
        c14, c7 = cfg.ndf, 2 * cfg.ndf
        drop = [Dropout(cfg.d_dropout)] if cfg.d_dropout else []  # none at all by default: same layers, same keys
        self.features = nn.Sequential(  # x: (B, nc, 28, 28)
            nn.Conv2d(cfg.nc, c14, 4, 2, 1),  # (B, c14, 14, 14); no BN on the first layer
            nn.LeakyReLU(0.2, True),
            *drop,
            nn.Conv2d(c14, c7, 4, 2, 1, bias=False),  # (B, c7, 7, 7)
            nn.BatchNorm2d(c7),
            nn.LeakyReLU(0.2, True),
            *[Dropout(cfg.d_dropout) for _ in drop],
            nn.Flatten(),  # (B, c7·7·7) = φ(x)
        )
        feat = c7 * BASE * BASE
        self.logit = nn.Linear(feat, 1)  # (B, 1): a logit, no sigmoid; "is it a realistic digit?"
        if n_classes:
            self.embed = nn.Linear(n_classes, feat, bias=False)  # one-hot (B, K) → e_y (B, feat)
        init_weights(self)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """x: (B, nc, 28, 28); y (conditional only): labels (B,) or vectors (B, n_classes) → logits (B,)."""
        phi = self.features(x)  # (B, feat)
        out = self.logit(phi).view(-1)  # (B,)
        if self.n_classes:
            if y is None:
                raise ValueError(f"this discriminator is conditional: pass labels y in 0..{self.n_classes - 1}")
            yv = label_vectors(y, self.n_classes).to(device=phi.device, dtype=phi.dtype)  # (B, K)
            out = out + (self.embed(yv) * phi).sum(dim=1)  # + ⟨e_y, φ(x)⟩: "is it a realistic y?"
        elif y is not None:
            raise ValueError("labels given to an unconditional discriminator (n_classes=0)")
        return out


class Dropout(nn.Module):
    """Dropout (zero each value with probability p in training, scale the rest by 1/(1 − p)) whose masks come
    from ``self.generator`` when set (the trainer gives it a seeded one), else from torch's global generator."""

    def __init__(self, p: float):
        super().__init__()
        self.p = float(p)
        self.generator: torch.Generator | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        if self.generator is None:
            return F.dropout(x, self.p, True)
        keep = torch.rand(x.shape, device=x.device, generator=self.generator) >= self.p
        return x * keep.to(x.dtype) / (1 - self.p)

    def extra_repr(self) -> str:
        return f"p={self.p}"


@dataclass
class CGANConfig(DCGANConfig):
    """:class:`~ganlab.images.nets.DCGANConfig` plus the number of classes; batch 32, other defaults the same.

    The smaller batch gives twice the updates per CPU-minute. The learning rates are inherited
    (``DCGANConfig``: 1e-3). On a busy 2-core CPU, 5 minutes with these defaults followed the labels
    clearly better than a first 5-minute run at batch 64 with the paper's 2e-4 (both settings
    changed at once); notebook 06 measures the label accuracy per class.
    """

    batch_size: int = 32  # images per step (the DCGAN default is 64)
    n_classes: int = 10  # labels 0..n_classes-1 (10 digits)
    beta1: float = 0.5  # Adam β1 of the recipe the shipped cGAN was trained with (the DCGAN's newer one: 0)
    beta2: float = 0.999  # Adam β2, likewise (DCGAN: 0.99)
    r1: float = 0.0  # no R1 penalty, likewise (DCGAN: 1); the newer recipe is measured for the DCGAN only
    ema: float = 0.0  # no weight average, likewise (DCGAN: 0.99)

    def __post_init__(self):
        super().__post_init__()
        if self.probe_images:
            raise ValueError(f"probe_images must be 0 for the conditional GAN (the probe feeds D no labels), "
                             f"got {self.probe_images!r}")
        if not isinstance(self.n_classes, int) or isinstance(self.n_classes, bool) or self.n_classes < 2:
            raise ValueError(f"n_classes must be an integer >= 2, got {self.n_classes!r}")


def label_vectors(y: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Integer labels (B,) → one-hot float (B, n_classes); float (B, n_classes) passes through.

    Out-of-range labels raise ``ValueError`` naming the allowed range 0..n_classes-1.
    """
    if not isinstance(y, torch.Tensor):
        y = torch.as_tensor(y)
    if y.is_floating_point():
        if y.dim() != 2 or y.shape[1] != n_classes:
            raise ValueError(f"label vectors must have shape (B, {n_classes}), got {tuple(y.shape)}")
        return y
    if y.dim() != 1:
        raise ValueError(f"integer labels must have shape (B,), got {tuple(y.shape)}")
    if len(y) and (int(y.min()) < 0 or int(y.max()) >= n_classes):
        raise ValueError(f"labels must be in 0..{n_classes - 1}, got values {int(y.min())}..{int(y.max())}")
    return F.one_hot(y.long(), n_classes).float()


class CondGenerator(Generator):
    """[z, one-hot(y)] (nz + n_classes) → FC → 7×7 → transposed conv → 14×14 → 28×28 in [-1, 1]."""

    def __init__(self, cfg: CGANConfig):
        super().__init__(cfg, cfg.n_classes)


class CondDiscriminator(Discriminator):
    """Projection discriminator: φ(x) from the DCGAN convs, logit = w·φ(x) + b + ⟨embed(y), φ(x)⟩."""

    def __init__(self, cfg: CGANConfig):
        super().__init__(cfg, cfg.n_classes)


def digit_grid_inputs(nz: int, seeds: int = 8, n_classes: int = 10, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Noise and labels for a (seeds × n_classes) grid: row r shares one z, column c is digit c.

    Returns ``z`` (seeds·n_classes, nz) and ``y`` (seeds·n_classes,) in row-major order.
    """
    if not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be a positive integer, got {seeds!r}")
    z = torch.randn(seeds, nz, generator=torch.Generator().manual_seed(seed))  # (S, nz)
    z = z.repeat_interleave(n_classes, dim=0)  # (S·K, nz)
    y = torch.arange(n_classes).repeat(seeds)  # (S·K,)
    return z, y


def init_weights(module: nn.Module, std: float = 0.02) -> None:
    """DCGAN initialisation: conv/linear weights ~ N(0, std), BN scale ~ N(1, std), biases 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1.0, std)
            nn.init.zeros_(m.bias)


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def layer_shapes(model: nn.Module, example: torch.Tensor | None = None) -> list[tuple[str, tuple, int]]:
    """Run one example batch through ``model`` and list every leaf layer's output.

    Returns ``(name, output shape, parameter count)`` rows in execution order, the input first.
    ``example`` defaults to 2 noise vectors for a :class:`Generator` and 2 blank images for a
    :class:`Discriminator`. The model is run in eval mode (and put back as it was).
    """
    labels: tuple = ()
    if example is None:
        if isinstance(model, Generator):
            example = torch.zeros(2, model.nz)
        elif isinstance(model, Discriminator):
            nc = model.features[0].in_channels
            example = torch.zeros(2, nc, IMAGE_SIZE, IMAGE_SIZE)
        else:
            raise ValueError("give an example input for a model that is not a Generator or Discriminator")
        if model.n_classes:
            labels = (torch.zeros(2, dtype=torch.long),)  # digit 0 for a conditional model
    device = next(model.parameters()).device
    rows: list[tuple[str, tuple, int]] = [("input", tuple(example.shape), 0)]
    hooks = []
    for name, m in model.named_modules():
        if len(list(m.children())) == 0:
            def hook(mod, inp, out, name=name):
                rows.append((f"{name} {type(mod).__name__}", tuple(out.shape),
                             sum(p.numel() for p in mod.parameters())))
            hooks.append(m.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(example.to(device), *(y.to(device) for y in labels))
    finally:
        model.train(was_training)
        for h in hooks:
            h.remove()
    if tuple(out.shape) != rows[-1][1]:  # a reshape in forward() after the last layer
        rows.append(("output (reshaped)", tuple(out.shape), 0))
    return rows


def layer_table(model: nn.Module, example: torch.Tensor | None = None) -> str:
    """:func:`layer_shapes` as a printable table with a total line."""
    rows = layer_shapes(model, example)
    w = max(len(r[0]) for r in rows)
    lines = [f"{'layer':<{w}}  {'output shape':<22} {'params':>9}"]
    lines += [f"{n:<{w}}  {str(s):<22} {p:>9,}" for n, s, p in rows]
    lines.append(f"{'total':<{w}}  {'':<22} {count_parameters(model):>9,}")
    return "\n".join(lines)
