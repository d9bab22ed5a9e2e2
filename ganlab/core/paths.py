"""Where data and runs live, independent of where ganlab is installed.

* From a source checkout (this package sits in ``<repo>/ganlab`` beside ``pyproject.toml`` and
  ``notebooks/``): ``<repo>/data`` and ``<repo>/runs``, the layout the course documents.
* From an installed package: the user's cache and data folders (``platformdirs``), never inside
  ``site-packages``; only the shipped checkpoints are read from there (package data).
* ``$GANLAB_DATA`` (data) and ``$GANLAB_RUNS`` (runs) override both.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent


def repo_root() -> Path | None:
    """The source checkout holding this package, or None for an installed package."""
    root = PACKAGE.parent
    if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir() and "site-packages" not in root.parts:
        return root
    return None


def _user_dir(kind: str) -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("ganlab") if kind == "cache" else platformdirs.user_data_dir("ganlab"))


def data_dir() -> Path:
    """Datasets and cached weights: ``$GANLAB_DATA``, else ``<repo>/data``, else the user cache."""
    env = os.environ.get("GANLAB_DATA", "").strip()
    if env:
        return Path(env).expanduser()
    root = repo_root()
    return root / "data" if root is not None else _user_dir("cache")


def runs_dir() -> Path:
    """Training runs (checkpoints, grids, histories): ``$GANLAB_RUNS``, else ``<repo>/runs``, else
    the user data folder's ``runs``."""
    env = os.environ.get("GANLAB_RUNS", "").strip()
    if env:
        return Path(env).expanduser()
    root = repo_root()
    return root / "runs" if root is not None else _user_dir("data") / "runs"


def checkpoints_dir() -> Path:
    """The trained weights the course ships: ``<repo>/checkpoints`` in a checkout; after a plain
    ``pip install`` the copy installed as package data, ``ganlab/checkpoints`` (see setup.py)."""
    root = repo_root()
    if root is not None:
        return root / "checkpoints"
    installed = PACKAGE / "checkpoints"
    if installed.is_dir():
        return installed
    raise FileNotFoundError(f"the shipped checkpoints are not installed (no {installed}); reinstall ganlab "
                            "from its repository (pip install .), or train your own")
