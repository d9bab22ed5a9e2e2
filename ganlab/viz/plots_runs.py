"""Comparing training runs of the 1-D toy GAN: train a few variants of one config, plot their curves.

    base = ToyConfig(seed=0)
    runs = train_variants(base, {"k_D = 1": {}, "k_D = 5": {"k_d": 5}}, steps=1500)
    plot_runs(runs, key="jsd")                 # one line per run, JSD on a log axis
    tail_median(runs["k_D = 5"], "jsd")        # a robust "where did it end up" number

    multi = train_seeds(base, {"k_D = 1": {}, "k_D = 5": {"k_d": 5}}, steps=1500, seeds=[0, 1, 2, 3])
    plot_seed_runs(multi, key="jsd")           # per variant: median over the seeds, min-max band
    tail_median(multi["k_D = 5"], "jsd")       # one number per seed
    at_step(multi["k_D = 5"], "jsd", 100)      # JSD at iteration 100, one per seed

Every variant starts from a deep copy of ``base`` with some fields replaced, so runs share the seed
(same initial weights when the networks have the same shape, same stream of samples) and differ
only in what the variant names. ``train_seeds`` trains every variant on several seeds, with the
batched engine (:class:`ganlab.toy.BatchedGAN`, all seeds in lock-step) where the settings allow and
one :class:`ganlab.toy.ToyTrainer` per seed otherwise; its histories hold one column per seed.
The two engines draw their random numbers differently, so "seed 0" is a different run in each.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import fields

import matplotlib.pyplot as plt
import numpy as np

from ganlab.core import History, TrainingDiverged
from ganlab.theory import LOG2, LOG4
from ganlab.toy import BatchedGAN, ToyConfig, ToyTrainer

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


def engine_for(cfg: ToyConfig) -> str:
    """"batched" if :class:`ganlab.toy.BatchedGAN` implements every setting of ``cfg``, else "toy"."""
    try:
        cfg.check_engine("batched")
    except ValueError:
        return "toy"
    return "batched"


def _stack(histories: list[History]) -> History:
    """Histories of equal length (one per seed) as one History with a column per seed: (rows, S)."""
    out = History(max(h.maxlen for h in histories))
    names = [k for k in histories[0].columns if all(k in h.columns for h in histories)]
    for row in range(len(histories[0])):
        out.append(**{k: np.array([h.columns[k][row] for h in histories]) for k in names})
    return out


def train_seeds(base: ToyConfig, variants: dict[str, dict], steps: int, seeds=(0, 1, 2, 3),
                cache: dict | None = None, engines: dict | None = None) -> dict[str, History]:
    """Train each variant of ``base`` on every seed in ``seeds``; return {name: history}, where every
    column of a history is an array (records, len(seeds)), one column per seed in the order given.

    A variant the batched engine supports trains all its seeds at once in a :class:`BatchedGAN`;
    any other trains one :class:`ToyTrainer` per seed (a diverged seed keeps what it recorded, with a
    warning). The batched history has no ``v`` column. ``cache`` works as in :func:`train_variants`.
    ``engines`` (a dict you pass) receives {name: what trained it}: the BatchedGAN, or the list of
    ToyTrainers, one per seed; each has ``seconds``, its training time (cached runs included).
    """
    if not (isinstance(steps, int) and steps >= 1):
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("train_seeds needs at least one seed")
    out = {}
    for name, changes in variants.items():
        cfg = variant(base, **changes)
        key = ("seeds", repr(cfg), steps, tuple(seeds))
        if cache is not None and key in cache:
            out[name], engine = cache[key]
            if engines is not None:
                engines[name] = engine
            continue
        if engine_for(cfg) == "batched":
            engine = BatchedGAN(cfg, seed=seeds)
            engine.step(steps)
            history = engine.history
        else:
            engine = []
            for s in seeds:
                trainer = ToyTrainer(variant(cfg, seed=s))
                try:
                    trainer.step(steps)
                except TrainingDiverged as exc:
                    warnings.warn(f"run {name!r}, seed {s} diverged: {exc}", stacklevel=2)
                engine.append(trainer)
            runs = {s: t.history for s, t in zip(seeds, engine)}
            longest = max(runs.values(), key=len)
            for h in runs.values():  # a diverged seed stopped early: NaN rows up to the others' length
                n = len(h)
                for k in h.columns:
                    h.columns[k] += (longest.columns["step"][n:] if k == "step"
                                     else [np.nan] * (len(longest) - n))
            history = _stack(list(runs.values()))
        out[name] = history
        if engines is not None:
            engines[name] = engine
        if cache is not None:
            cache[key] = history, engine
    return out


def tail_median(history: History, key: str = "jsd", frac: float = 0.2) -> float | np.ndarray:
    """Median of ``key`` over the last ``frac`` of the recorded rows, NaNs skipped (robust to one noisy
    record). A float for a one-run history, an array with one value per seed for a :func:`train_seeds` one."""
    if not (0 < frac <= 1):
        raise ValueError(f"frac must be in (0, 1], got {frac!r}")
    v = history.array(key)
    if v.size == 0:
        raise ValueError(f"history has no column {key!r} (columns: {sorted(history.columns)})")
    n = max(1, int(round(frac * len(v))))
    med = np.nanmedian(v[-n:], axis=0)
    return float(med) if np.ndim(med) == 0 else med


def at_step(history: History, key: str, step: int) -> float | np.ndarray:
    """``key`` at the last record made at or before iteration ``step`` (a float, or one value per seed)."""
    steps = history.array("step")
    if steps.size == 0 or key not in history.columns:
        raise ValueError(f"history has no column {key!r} (columns: {sorted(history.columns)})")
    first = steps if steps.ndim == 1 else steps[:, 0]
    idx = np.flatnonzero(first <= step)
    if idx.size == 0:
        raise ValueError(f"no record at or before iteration {step} (first record: {first[0]:g})")
    v = history.array(key)[idx[-1]]
    return float(v) if np.ndim(v) == 0 else v


def seed_histories(history: History, seeds) -> dict[str, History]:
    """Split a :func:`train_seeds` history into one single-run history per seed: {"seed s": history}."""
    seeds = list(seeds)
    width = {np.shape(v[0])[0] for v in history.columns.values() if len(v)}
    if width != {len(seeds)}:
        raise ValueError(f"history has {sorted(width)} columns per record, got {len(seeds)} seeds")
    out = {}
    for i, s in enumerate(seeds):
        h = History(history.maxlen)
        for row in range(len(history)):
            h.append(**{k: float(v[row][i]) for k, v in history.columns.items()})
        out[f"seed {s}"] = h
    return out


def _check_key(histories: dict[str, History], key: str) -> None:
    if not histories:
        raise ValueError("plotting runs needs at least one history")
    missing = [n for n, h in histories.items() if key not in h.columns]
    if missing:
        raise ValueError(f"runs {missing} have no column {key!r}")


def _finish_axes(ax, key: str, logy: bool | None) -> None:
    if logy if logy is not None else key == "jsd":
        ax.set_yscale("log")
    eq = EQUILIBRIA.get(key, LOG2 if key == "loss_g" else None)
    if eq is not None:
        ax.axhline(eq, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("iteration")
    ax.set_ylabel(LABELS.get(key, key))


def plot_seed_runs(histories: dict[str, History], key: str = "jsd", ax=None, logy: bool | None = None,
                   legend: bool = True) -> list[tuple]:
    """Per variant of :func:`train_seeds`: the median over the seeds of ``key`` against iteration (a line)
    and the range from the lowest to the highest seed (a shaded band of the same colour).

    Returns [(line, band), ...] in the order of ``histories``. Axes as in :func:`plot_runs`; the legend
    (if ``legend``) goes under the axes, in two columns, so it never covers a curve.
    """
    _check_key(histories, key)
    ax = ax or plt.gca()
    drawn = []
    for name, h in histories.items():
        v = h.array(key)
        if v.ndim != 2:
            raise ValueError(f"run {name!r} has one value per record: plot it with plot_runs")
        step = h.array("step")[:, 0]
        with warnings.catch_warnings():  # a record where every seed is NaN stays NaN, silently
            warnings.simplefilter("ignore", RuntimeWarning)
            med, lo, hi = np.nanmedian(v, axis=1), np.nanmin(v, axis=1), np.nanmax(v, axis=1)
        (line,) = ax.plot(step, med, lw=2.0, label=name)
        band = ax.fill_between(step, lo, hi, color=line.get_color(), alpha=0.18, lw=0)
        drawn.append((line, band))
    _finish_axes(ax, key, logy)
    if legend:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    return drawn


def plot_runs(histories: dict[str, History], key: str = "jsd", ax=None, logy: bool | None = None) -> list:
    """One line of ``key`` against iteration per run, labelled by its name; returns the lines.

    The JSD is drawn on a log axis by default (it spans decades); V, loss_D and the D means get a
    dotted line at their equilibrium value, and loss_G (non-saturating) one at log 2.
    """
    _check_key(histories, key)
    ax = ax or plt.gca()
    lines = []
    for name, h in histories.items():
        (line,) = ax.plot(h.array("step"), h.array(key), lw=1.4, label=name)
        lines.append(line)
    _finish_axes(ax, key, logy)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)  # outside: never on a curve
    return lines
