"""Device choice and seeding: the two calls every notebook makes first."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

KNOWN_DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu")


def _accelerator_available() -> str | None:
    """Name of the available accelerator, or None. Uses torch.accelerator where it exists."""
    acc = getattr(torch, "accelerator", None)
    if acc is not None and hasattr(acc, "is_available"):
        try:
            if acc.is_available():
                return acc.current_accelerator().type
            return None
        except Exception:  # pragma: no cover - very old or odd builds
            pass
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return None


def get_device(device: str | torch.device | None = None) -> torch.device:
    """Pick the device to train on.

    Order: the ``device`` argument, then the ``GANLAB_DEVICE`` environment variable, then the
    automatic choice (an accelerator when one is present, else CPU). ``"auto"`` means automatic.
    Raises ``ValueError`` for an unknown device name, or for an accelerator that is not present.
    """
    if isinstance(device, torch.device):
        return device
    choice = device if device is not None else os.environ.get("GANLAB_DEVICE", "auto")
    choice = str(choice).strip().lower() or "auto"
    if choice == "auto":
        acc = _accelerator_available()
        return torch.device(acc if acc is not None else "cpu")
    kind = choice.split(":")[0]
    if kind not in KNOWN_DEVICE_TYPES:
        raise ValueError(
            f"unknown device {choice!r}: expected 'auto' or one of {', '.join(KNOWN_DEVICE_TYPES)} "
            "(optionally with an index, e.g. 'cuda:0')"
        )
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {choice!r} asked for, but no CUDA GPU is available here; use 'cpu' or 'auto'")
    if kind == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(f"device {choice!r} asked for, but MPS is not available here; use 'cpu' or 'auto'")
    if kind == "xpu" and not (hasattr(torch, "xpu") and torch.xpu.is_available()):
        raise ValueError(f"device {choice!r} asked for, but no XPU is available here; use 'cpu' or 'auto'")
    return torch.device(choice)


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python's, NumPy's and torch's global generators (all devices) with one call.

    Returns a CPU ``torch.Generator`` seeded the same way, for code that prefers an explicit one.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    return torch.Generator().manual_seed(seed)
