"""Process-wide torch settings, changed only inside a ``with`` block and restored after.

Building or running a trainer in a notebook must not change the rest of the kernel: thread counts,
cuDNN's autotuner flag and the global seed are set here, scoped, never in a constructor.
"""

from __future__ import annotations

import contextlib

import torch


@contextlib.contextmanager
def num_threads(n: int | None):
    """Run the block with ``torch.set_num_threads(n)`` (``None``: leave the setting alone); restores it."""
    before = torch.get_num_threads()
    if n is not None:
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError(f"thread count must be a positive integer, got {n!r}")
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


def one_thread():
    """Run tiny-network code on one CPU thread: for 1-D toy GANs, thread hand-offs cost more than
    the arithmetic (measured: several times faster on a busy 2-core machine). Restores the setting."""
    return num_threads(1)


@contextlib.contextmanager
def cudnn_benchmark(on: bool):
    """``torch.backends.cudnn.benchmark = on`` inside the block only (a no-op without CUDA)."""
    before = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = bool(on)
    try:
        yield
    finally:
        torch.backends.cudnn.benchmark = before


@contextlib.contextmanager
def seeded(seed: int):
    """Draw from torch's global CPU generator seeded with ``seed`` (e.g. ``nn.Module`` weight init)
    without disturbing the caller's stream: the state before the block is restored after it."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


class TrainingDiverged(RuntimeError):
    """Raised when a loss or weight becomes NaN/inf; the trainer has restored its last good state."""
