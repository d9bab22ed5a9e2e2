"""A small MNIST classifier whose features drive the DCGAN metrics (FID, class histogram).

Use::

    from ganlab.images import get_classifier, classifier_features
    clf = get_classifier()                     # trains once (~30 s of one CPU core), then cached
    feats = classifier_features(clf, images)   # N×128 penultimate-layer features

The weights are a plain ``state_dict`` in ``<data dir>/mnist_classifier.pt`` (``<data dir>`` is
``$GANLAB_DATA`` or ``<repo>/data``), loaded with ``torch.load(..., weights_only=True)``. In fast
mode (``GANLAB_FAST=1``) a tiny classifier is trained in seconds and cached as
``mnist_classifier_fast.pt``, so it is never mistaken for the real one.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import torch
from torch import nn
import torch.nn.functional as F

from ganlab.core import atomic_write, data_dir, write_bytes_atomic
from ganlab.images.mnist import load_mnist
from ganlab.images.pixels import as_float_images
from ganlab.core import is_fast

FEATURE_DIM = 128


class MnistCNN(nn.Module):
    """Two conv blocks (16 and 32 channels, 3×3, max-pool) → 128 features → 10 logits."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, FEATURE_DIM)
        self.fc2 = nn.Linear(FEATURE_DIM, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate-layer features (after ReLU) of float input N×1×28×28 in [-1, 1]."""
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.features(x))


def weights_path(fast: bool | None = None) -> Path:
    """Where the cached weights live; fast mode uses its own file."""
    fast = is_fast() if fast is None else fast
    return data_dir() / ("mnist_classifier_fast.pt" if fast else "mnist_classifier.pt")


def _model_device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


@torch.no_grad()
def _batched(model: nn.Module, fn, images, batch_size: int) -> torch.Tensor:
    x = as_float_images(images)
    dev = _model_device(model)
    was_training = model.training
    model.eval()
    try:
        outs = [fn(x[i:i + batch_size].to(dev)).float().cpu() for i in range(0, len(x), batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(outs) if outs else torch.empty(0)


def classifier_features(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Penultimate-layer features, a float32 CPU tensor ``N×128``.

    ``images``: ``uint8`` ``N×28×28`` (pixels 0..255, as :func:`ganlab.images.load_mnist` gives) or
    float ``N×1×28×28`` in ``[-1, 1]`` (as a tanh generator gives); ``N×1×28×28`` uint8 and
    ``N×28×28`` float work too. Runs in batches on the model's device, without gradients.
    """
    return _batched(model, model.features, images, batch_size)


def classifier_logits(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Class logits ``N×10`` (float32, CPU) for images in either format of :func:`classifier_features`."""
    return _batched(model, model, images, batch_size)


def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Predicted digit per image, int64 ``N``."""
    return classifier_logits(model, images, batch_size).argmax(1)


def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of ``images`` classified as ``labels``."""
    return float((predict(model, images) == labels.cpu()).float().mean())


def train_classifier(images: torch.Tensor, labels: torch.Tensor, epochs: int = 2, seed: int = 0,
                     batch_size: int = 128, lr: float = 2e-3, device=None,
                     log=None) -> MnistCNN:
    """Train :class:`MnistCNN` with Adam on ``images`` (uint8 or [-1,1] float) and ``labels``.

    Seeded and self-contained: the caller's global random state is left as it was.
    ``log`` (e.g. ``print``) receives one line per epoch. Returns the model in eval mode.
    """
    from ganlab.core import get_device

    dev = get_device(device)
    x = as_float_images(images)
    y = labels.long()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = MnistCNN().to(dev)
        gen = torch.Generator().manual_seed(seed)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        steps = epochs * ((len(x) + batch_size - 1) // batch_size)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(steps, 1))
        model.train()
        for epoch in range(epochs):
            order = torch.randperm(len(x), generator=gen)
            total = 0.0
            for i in range(0, len(x), batch_size):
                idx = order[i:i + batch_size]
                xb, yb = x[idx].to(dev), y[idx].to(dev)
                loss = F.cross_entropy(model(xb), yb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                total += loss.item() * len(idx)
            if log is not None:
                log(f"classifier epoch {epoch + 1}/{epochs}: loss {total / len(x):.4f}")
    return model.eval()


def get_classifier(device=None, train_if_missing: bool = True, epochs: int = 2, seed: int = 0,
                   path: str | Path | None = None, verbose: bool = True) -> MnistCNN:
    """The MNIST feature classifier, in eval mode, on ``device`` (default: ``ganlab.core.get_device()``).

    Loads cached weights from :func:`weights_path` (``data/mnist_classifier.pt``, or
    ``data/mnist_classifier_fast.pt`` in fast mode) when present. Otherwise, if
    ``train_if_missing``, trains on the MNIST train split (full mode: ``epochs`` epochs, about a
    minute on an idle laptop CPU (about 27 s of single-core compute for 2 epochs), 98.7% test
    accuracy with the defaults; fast mode: 4000 images, one epoch, seconds, ~85%),
    reports test accuracy, and saves the ``state_dict`` plus a small JSON note beside it.
    ``epochs`` and ``seed`` only matter when training; a cached file is used as it is.
    Raises ``FileNotFoundError`` when there are no weights and ``train_if_missing`` is false.
    """
    from ganlab.core import get_device

    dev = get_device(device)
    fast = is_fast()
    path = Path(path) if path is not None else weights_path(fast)
    model = MnistCNN()
    if path.is_file():
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        return model.to(dev).eval()
    if not train_if_missing:
        raise FileNotFoundError(f"no classifier weights at {path}; call get_classifier(train_if_missing=True)")
    images, labels = load_mnist("train")
    batch_size = 128
    if fast:  # plumbing only: ~85% test accuracy in a few seconds
        images, labels, epochs, batch_size = images[:4000], labels[:4000], 1, 64
    say = print if verbose else None
    if say:
        say(f"training the MNIST feature classifier ({'fast mode, tiny' if fast else f'{epochs} epochs'}); "
            f"cached afterwards in {path}")
    t0 = time.perf_counter()
    model = train_classifier(images, labels, epochs=epochs, seed=seed, batch_size=batch_size, device=dev, log=say)
    seconds = time.perf_counter() - t0
    test_x, test_y = load_mnist("test")
    acc = accuracy(model, test_x, test_y)
    if say:
        say(f"classifier test accuracy {acc:.2%} after {seconds:.0f} s")
    weights = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    atomic_write(path, lambda f: torch.save(weights, f))
    write_bytes_atomic(path.with_suffix(".json"), (json.dumps(
        {"test_accuracy": acc, "train_seconds": round(seconds, 1), "epochs": epochs, "seed": seed,
         "train_images": len(images), "fast": fast, "device": str(dev)}, indent=1) + "\n").encode())
    return model.eval()
