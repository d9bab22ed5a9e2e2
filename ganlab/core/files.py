"""Atomic file writes: a half-written file never has the target's name.

Every writer in ganlab (checkpoints, the MNIST cache, the classifier weights, exported images)
goes through :func:`atomic_write`: it writes to a temporary file in the target's folder, flushes it
to disk and renames it over the target with ``os.replace``, which is atomic on POSIX and Windows.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import BinaryIO, Callable

STALE_S = 600.0  # a temporary file this old was left by a killed writer (a live one renames it in seconds)


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Delete ``path``'s leftover temporaries (``NAME.*.part`` / ``NAME.*.tmp``, older than ``STALE_S``) that a
    killed process left beside it. Returns what was removed."""
    path = Path(path)
    gone = []
    if not path.parent.is_dir():
        return gone
    now = time.time()
    for pattern in (f"{path.name}.*.part", f"{path.name}.*.tmp"):
        for tmp in path.parent.glob(pattern):
            try:
                if now - tmp.stat().st_mtime > STALE_S:
                    tmp.unlink()
                    gone.append(tmp)
            except OSError:
                pass  # another process got there first, or we may not delete it: harmless
    return gone


def check_writable_dir(folder: str | Path, what: str = "output folder") -> Path:
    """Create ``folder`` if needed and prove a file can be written there; ValueError naming it if not.
    Call it before long work, so a bad output path fails in a second, not after the work."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".ganlab-write-test-")
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        raise ValueError(f"cannot write to {what} {folder}: {exc.strerror or exc}") from None
    return folder


def check_output_file(path: str | Path, suffixes: tuple[str, ...] = (), what: str = "output file") -> Path:
    """A file ``path`` that can be written: the right suffix, not a folder, in a writable folder."""
    path = Path(path)
    if suffixes and path.suffix.lower() not in suffixes:
        raise ValueError(f"{what} {path} must end in {' or '.join(suffixes)}")
    if path.is_dir():
        raise ValueError(f"{what} {path} is a folder: give a file name inside it")
    check_writable_dir(path.parent, f"the folder of {what} {path},")
    return path


def atomic_write(path: str | Path, write: Callable[[BinaryIO], object], mode: int = 0o644) -> Path:
    """Create ``path``'s folder, call ``write(f)`` on a temporary binary file beside it, then
    rename the file over ``path``. If ``write`` raises, the target is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """:func:`atomic_write` of a bytes object."""
    return atomic_write(path, lambda f: f.write(data))
