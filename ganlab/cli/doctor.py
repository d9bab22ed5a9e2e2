"""``python -m ganlab doctor``: what a student needs to know when something does not work."""

from __future__ import annotations

import importlib
import os
import platform
import sys
from pathlib import Path

PACKAGES = ("torch", "numpy", "scipy", "matplotlib", "ipywidgets", "ipykernel", "jupyterlab", "tqdm")


def _version(name: str) -> str:
    try:
        mod = importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - report whatever broke
        return f"MISSING ({type(exc).__name__}: {exc})"
    return getattr(mod, "__version__", "installed")


def widget_status() -> str:
    """Whether ipywidgets will render: needs ipywidgets 8 with its JupyterLab extension."""
    try:
        import ipywidgets
    except Exception:
        return "no: ipywidgets is not installed (pip install ipywidgets)"
    major = int(ipywidgets.__version__.split(".")[0])
    if major < 8:
        return f"maybe not: ipywidgets {ipywidgets.__version__} is old; install ipywidgets>=8"
    try:
        import jupyterlab_widgets  # noqa: F401  (the JupyterLab front-end for widgets)
        lab = "JupyterLab extension present"
    except Exception:
        lab = "jupyterlab_widgets missing: widgets will show as text in JupyterLab"
    return f"yes: ipywidgets {ipywidgets.__version__}, {lab}; VS Code and Colab render them natively"


def report() -> list[tuple[str, str]]:
    from ganlab.core import get_device

    rows = [("python", sys.version.split()[0] + f" ({sys.executable})"),
            ("platform", platform.platform())]
    rows += [(name, _version(name)) for name in PACKAGES]
    try:
        import torch
        rows.append(("torch threads", str(torch.get_num_threads())))
        rows.append(("cuda", f"available: {torch.cuda.get_device_name(0)}" if torch.cuda.is_available()
                     else "not available"))
    except Exception:
        pass
    try:
        dev = get_device()
        rows.append(("device", f"{dev} (override with GANLAB_DEVICE=cpu|cuda|mps or device=...)"))
    except ValueError as exc:
        rows.append(("device", f"ERROR: {exc}"))
    rows.append(("widgets", widget_status()))
    try:
        from ganlab.images import describe_data_location
        rows.append(("mnist", describe_data_location()))
    except Exception as exc:  # noqa: BLE001 - the MNIST module may be absent or fail; say so
        rows.append(("mnist", f"unavailable ({type(exc).__name__}: {exc})"))
    try:
        from ganlab.images import weights_path
        w = weights_path(fast=False)
        rows.append(("classifier", f"cached at {w}" if w.exists() else
                     f"not trained yet (first FID trains it, about 2 epochs; cached at {w})"))
    except Exception as exc:  # noqa: BLE001
        rows.append(("classifier", f"unavailable ({type(exc).__name__}: {exc})"))
    rows.append(("GANLAB_FAST", os.environ.get("GANLAB_FAST", "(unset: full runs)")))
    rows.append(("working dir", str(Path.cwd())))
    return rows


def main() -> int:
    rows = report()
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:>{width}} : {v}")
    return 0
