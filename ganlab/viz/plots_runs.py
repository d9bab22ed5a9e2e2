"""Comparing training runs of the 1-D toy GAN: train a few variants of one config, plot their curves.

    base = ToyConfig(seed=0)
    runs = train_variants(base, {"k_D = 1": {}, "k_D = 5": {"k_d": 5}}, steps=1500)
    plot_runs(runs, key="jsd")                 # one line per run, JSD on a log axis
    tail_median(runs["k_D = 5"], "jsd")        # a robust "where did it end up" number

Every variant starts from a deep copy of ``base`` with some fields replaced, so runs share the seed
(same initial weights when the networks have the same shape, same stream of samples) and differ
only in what the variant names.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import fields

import matplotlib.pyplot as plt
import numpy as np

from ganlab.core import History, TrainingDiverged
from ganlab.theory import LOG2, LOG4
from ganlab.toy import ToyConfig, ToyTrainer

LABELS = {"jsd": "JSD(p_data, p_g)  [nats]", "v": "V(D, G)", "loss_d": "loss_D", "loss_g": "loss_G",
          "d_real": "mean D(x)", "d_fake": "mean D(G(z))"}
EQUILIBRIA = {"v": -LOG4, "loss_d": LOG4, "d_real": 0.5, "d_fake": 0.5}  # where the curves go when p_g = p_data


def variant(base: ToyConfig, **changes) -> ToyConfig:
    """A deep copy of ``base`` with ``changes`` applied and validated (unknown field -> ValueError)."""
    unknown = set(changes) - {f.name for f in fields(base)}
    if unknown:
        raise ValueError(f"ToyConfig has no field {sorted(unknown)[0]!r}")
    cfg = copy.deepcopy(base.with_(**changes))
    cfg.validate()
    return cfg


def train_variants(base: ToyConfig, variants: dict[str, dict], steps: int,
                   cache: dict | None = None) -> dict[str, History]:
    """Train ``base`` changed by each variant for ``steps`` iterations; return {name: history}.

    ``cache`` (a dict you keep) reuses a run whose config and step count were trained before, so a
    baseline shared by several comparisons is trained once. A run that diverges keeps the history
    it recorded and triggers a warning naming it.
    """
    if not (isinstance(steps, int) and steps >= 1):
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    out = {}
    for name, changes in variants.items():
        cfg = variant(base, **changes)
        key = (repr(cfg), steps)
        if cache is not None and key in cache:
            out[name] = cache[key]
            continue
        trainer = ToyTrainer(cfg)
        try:
            trainer.step(steps)
        except TrainingDiverged as exc:
            warnings.warn(f"run {name!r} diverged: {exc}", stacklevel=2)
        out[name] = trainer.history
        if cache is not None:
            cache[key] = trainer.history
    return out


def tail_median(history: History, key: str = "jsd", frac: float = 0.2) -> float:
    """Median of ``key`` over the last ``frac`` of the recorded rows, NaNs skipped (robust to one noisy record)."""
    if not (0 < frac <= 1):
        raise ValueError(f"frac must be in (0, 1], got {frac!r}")
    v = history.array(key)
    if v.size == 0:
        raise ValueError(f"history has no column {key!r} (columns: {sorted(history.columns)})")
    n = max(1, int(round(frac * v.size)))
    return float(np.nanmedian(v[-n:]))


def plot_runs(histories: dict[str, History], key: str = "jsd", ax=None, logy: bool | None = None) -> list:
    """One line of ``key`` against iteration per run, labelled by its name; returns the lines.

    The JSD is drawn on a log axis by default (it spans decades); V, loss_D and the D means get a
    dotted line at their equilibrium value, and loss_G (non-saturating) one at log 2.
    """
    if not histories:
        raise ValueError("plot_runs needs at least one history")
    missing = [n for n, h in histories.items() if key not in h.columns]
    if missing:
        raise ValueError(f"runs {missing} have no column {key!r}")
    ax = ax or plt.gca()
    lines = []
    for name, h in histories.items():
        (line,) = ax.plot(h.array("step"), h.array(key), lw=1.4, label=name)
        lines.append(line)
    if logy if logy is not None else key == "jsd":
        ax.set_yscale("log")
    eq = EQUILIBRIA.get(key, LOG2 if key == "loss_g" else None)
    if eq is not None:
        ax.axhline(eq, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("iteration")
    ax.set_ylabel(LABELS.get(key, key))
    ax.legend(fontsize=8)
    return lines
