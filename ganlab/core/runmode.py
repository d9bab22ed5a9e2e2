"""Fast mode: ``GANLAB_FAST=1`` shrinks steps and data so notebooks run in CI in seconds."""

from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")


def is_fast() -> bool:
    """True when the environment variable ``GANLAB_FAST`` is set to a true value."""
    return os.environ.get("GANLAB_FAST", "").strip().lower() in {"1", "true", "yes", "on"}


def fast_or(full: T, fast: T) -> T:
    """Return ``fast`` in fast mode, else ``full``. Use it for step counts and data sizes."""
    return fast if is_fast() else full
