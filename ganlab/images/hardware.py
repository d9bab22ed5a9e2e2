"""Which CPU threads and number format the DCGAN trainer uses on this machine (:mod:`ganlab.images.trainer`)."""

from __future__ import annotations

import os
from pathlib import Path

import torch

from ganlab.images.nets import DCGANConfig


def cpu_threads() -> int:
    """Half the cores, at least 1: fixed for a machine, so the same seed gives the same numbers
    (the thread count changes float summation order), and it leaves room for the notebook, the
    browser and the OS. On a busy 2-core machine one thread ran 4-10x faster than two."""
    return max(1, (os.cpu_count() or 1) // 2)


def _use_bf16(cfg: DCGANConfig, device: torch.device) -> bool:
    if cfg.amp == "off":
        return False
    if cfg.amp == "bf16":
        return True
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type == "cpu":  # native bf16 instructions make autocast pay off on CPU
        cap = getattr(torch.backends.cpu, "get_cpu_capability", lambda: "")()
        return "AVX512" in str(cap).upper() and _cpu_has_bf16()
    return False


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags
