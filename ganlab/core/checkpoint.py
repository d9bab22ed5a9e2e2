"""Checkpoints that load with ``torch.load(..., weights_only=True)``: plain data only, written atomically.

A checkpoint is a dict of tensors, numbers, strings, lists and dicts (no pickled classes), so
it loads with PyTorch's safe loader. :func:`save_atomic` writes through :func:`ganlab.core.files.atomic_write`:
an interrupted save never leaves a half-written ``last.pt`` behind.

The random-number state of Python, NumPy and torch (CPU and every CUDA device) is packed into
plain data by :func:`rng_state` and restored by :func:`set_rng_state`.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import torch

from ganlab.core.files import atomic_write


def cpu_copy(obj):
    """``obj`` with every tensor in it (through dicts, lists and tuples) detached and copied to the CPU."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().to("cpu", copy=True)
    if isinstance(obj, dict):
        return {k: cpu_copy(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [cpu_copy(v) for v in obj]
    return obj


def save_atomic(obj: dict, path: str | Path) -> Path:
    """``torch.save`` to ``path`` through a temporary file and ``os.replace`` (atomic rename)."""
    return atomic_write(path, lambda f: torch.save(obj, f))


def load(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """Load a checkpoint with the safe loader (``weights_only=True``).

    A missing file is a FileNotFoundError; a truncated, corrupt or foreign file is a ValueError that
    names the path and what to do (never a loader traceback)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch raises RuntimeError, UnpicklingError, KeyError, EOFError...
        reason = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"cannot read checkpoint {path}: {reason}. The file is truncated, corrupt or not a "
                         "ganlab checkpoint: delete it, or train again with --fresh") from None
    if not isinstance(state, dict):
        raise ValueError(f"cannot read checkpoint {path}: it holds a {type(state).__name__}, not a ganlab checkpoint")
    return state


def rng_state() -> dict:
    """Python, NumPy and torch (CPU and CUDA, if present) generator states as plain data."""
    version, keys, gauss = random.getstate()
    kind, mt, pos, has_gauss, cached = np.random.get_state()
    state = {
        "python": [version, list(keys), gauss],
        "numpy": {"kind": kind, "keys": torch.from_numpy(mt.astype(np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "torch_cpu": torch.get_rng_state(),
        "torch_cuda": [],
    }
    if torch.cuda.is_available():
        state["torch_cuda"] = [s.cpu() for s in torch.cuda.get_rng_state_all()]
    return state


def set_rng_state(state: dict) -> None:
    """Inverse of :func:`rng_state`. CUDA states are restored only where CUDA is present."""
    version, keys, gauss = state["python"]
    random.setstate((version, tuple(keys), gauss))
    n = state["numpy"]
    np.random.set_state((n["kind"], n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"],
                         n["cached_gaussian"]))
    torch.set_rng_state(state["torch_cpu"].cpu())
    cuda = state.get("torch_cuda") or []
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all([s.cpu() for s in cuda])
