"""Is the discriminator memorising? Its accuracy on its own training images against held-out real images.

A discriminator that generalises calls real digits real whether or not it was trained on them; one that has
memorised a small training set calls *its* images real and new real digits fake, so the two accuracies
drift apart as training goes on (Karras et al. 2020, "Training GANs with limited data", Fig. 1). The
trainer records both every log step when ``DCGANConfig.probe_images`` > 0.

The probe runs a copy of D as training runs it (batch norm on batches of ``batch_size`` real images, as the
real half of a training step), with dropout off and no augmentation, so it draws no random numbers and
leaves D, its batch-norm statistics and every generator untouched.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from ganlab.images.nets import Dropout
from ganlab.images.pixels import to_unit


@torch.no_grad()
def real_logits(D: nn.Module, images: torch.Tensor, batch_size: int, copied: bool = False) -> torch.Tensor:
    """D's logits for ``images`` (uint8 (N, 28, 28), N >= 2, on D's device), float (N,), fed in batches of
    ``batch_size`` as a training step feeds reals (a last batch of one image joins the one before it)."""
    if len(images) < 2:
        raise ValueError(f"the probe needs at least 2 images (batch norm), got {len(images)}")
    probe = D if copied else copy.deepcopy(D)  # train-mode batch norm updates running statistics: use a copy
    probe.train()
    for m in probe.modules():
        if isinstance(m, (nn.Dropout, Dropout)):
            m.eval()
    chunks = list(torch.split(images, max(2, batch_size)))
    if len(chunks[-1]) == 1:
        chunks[-2:] = [torch.cat(chunks[-2:])]
    return torch.cat([probe(to_unit(c)).float() for c in chunks])  # to_unit: (b, 1, 28, 28) in [-1, 1]


def real_accuracy(D: nn.Module, images: torch.Tensor, batch_size: int) -> float:
    """Fraction of ``images`` that D calls real (logit > 0, i.e. D(x) > ½); see :func:`real_logits`."""
    return int((real_logits(D, images, batch_size) > 0).sum()) / len(images)


def probe_scores(D: nn.Module, train: torch.Tensor, heldout: torch.Tensor, batch_size: int) -> dict:
    """``acc_train`` and ``acc_heldout`` (:func:`real_accuracy` on each set) and ``memorised``: the fraction of
    (training, held-out) pairs in which D finds the training image more real, P(ℓ(x_train) > ℓ(x_held)) (ties
    count ½). The accuracies move with D's overall bias from one step to the next; ``memorised`` does not:
    0.5 when D cannot tell its training digits from new ones, 1 when it ranks every training digit above
    every new one."""
    probe = copy.deepcopy(D)  # one copy for both sets
    lt, lh = real_logits(probe, train, batch_size, copied=True), real_logits(probe, heldout, batch_size, copied=True)
    diff = lt[:, None] - lh[None, :]  # (N_train, N_held)
    return {"acc_train": int((lt > 0).sum()) / len(lt), "acc_heldout": int((lh > 0).sum()) / len(lh),
            "memorised": float((diff > 0).float().mean() + 0.5 * (diff == 0).float().mean())}


def probe_sets(data: torch.Tensor, heldout: torch.Tensor | None, n: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``n`` training images and the first ``n`` held-out ones (default: the MNIST test set) on
    ``device``, fewer if a set is smaller."""
    if heldout is None:
        from ganlab.images.mnist import load_mnist
        heldout, _ = load_mnist("test")
    return data[:n].to(device), heldout[:n].to(device)
