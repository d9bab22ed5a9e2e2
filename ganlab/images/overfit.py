"""The overfitting-discriminator experiment of notebook 04: a DCGAN on a few hundred MNIST digits, with and without
the fixes (DiffAugment on real and fake, dropout in D), scored with the course's classifier.

One run trains :class:`~ganlab.images.trainer.DCGANTrainer` on the first ``train_images`` training digits,
recording every ``log_every`` steps D's accuracy on those digits and on held-out test digits
(:mod:`ganlab.images.probe`), then draws ``n_eval`` samples from the weight-averaged G and scores them:
classifier FID against the MNIST test set and the Inception-style score. ``benchmarks/dcgan_overfit.py`` runs
it over variants and seeds and ships the results (``checkpoints/dcgan_overfit.json``).

Use::

    from ganlab.images import train_overfit_variant
    row, grid = train_overfit_variant("diffaugment", seed=0, steps=1500)
    row["history"]["acc_train"], row["history"]["acc_heldout"], row["fid"], grid   # grid: uint8 image
"""

from __future__ import annotations

import time

import numpy as np

from ganlab.images.nets import DCGANConfig

VARIANTS = {  # name → the DCGANConfig fields it changes
    "baseline": {},
    "diffaugment": {"augment": "translation,cutout"},
    "dropout": {"d_dropout": 0.3},
}
EXPERIMENT = dict(train_images=300, probe_images=1000, log_every=100, ngf=16, ndf=16, batch_size=32)
CURVE_KEYS = ("step", "acc_train", "acc_heldout", "memorised", "D_x", "D_G_z")


def overfit_config(variant: str, seed: int, **overrides) -> DCGANConfig:
    """The experiment's config for ``variant`` (a key of :data:`VARIANTS`); ``overrides`` replace
    :data:`EXPERIMENT`'s settings (sizes, ``train_images``, ...)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}: choose from {', '.join(VARIANTS)}")
    return DCGANConfig(seed=seed, **{**EXPERIMENT, **overrides, **VARIANTS[variant]})


def train_overfit_variant(variant: str, seed: int, steps: int, n_eval: int = 2000, eval_every: int | None = None,
                          threads: int | str | None = 1, data=None, heldout=None, reference=None, classifier=None,
                          **overrides) -> tuple[dict, np.ndarray]:
    """Train one variant for ``steps`` steps on the CPU and score it. Returns (row, grid).

    row: variant, seed, steps, config, the probe curves (``history``: step, acc_train, acc_heldout, memorised,
    D_x, D_G_z), ``fid`` and ``inception`` of ``n_eval`` samples (noise seed 10,000 + seed) against ``reference``
    (default the MNIST test set) at the end, and every ``eval_every`` steps in ``evals`` (step, fid, inception;
    training in pieces is exactly training straight through), ``cpu_seconds`` of training. grid: the 64
    fixed-noise samples at the end, uint8 (242, 242). ``data`` / ``heldout``: training and held-out images
    (default the MNIST train and test sets)."""
    from ganlab.images.classifier import classifier_features, get_classifier
    from ganlab.images.metrics import fid_to_features, inception_score
    from ganlab.images.mnist import load_mnist
    from ganlab.images.trainer import DCGANTrainer
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not isinstance(n_eval, int) or n_eval < 2:
        raise ValueError(f"n_eval must be an integer >= 2, got {n_eval!r}")
    if eval_every is not None and not (isinstance(eval_every, int) and eval_every >= 1):
        raise ValueError(f"eval_every must be None or a positive integer, got {eval_every!r}")
    cfg = overfit_config(variant, seed, **overrides)
    if reference is None or heldout is None:
        test, _ = load_mnist("test")
        reference = test if reference is None else reference
        heldout = test if heldout is None else heldout
    tr = DCGANTrainer(cfg, device="cpu", data=data, heldout=heldout, threads=threads)
    clf = classifier if classifier is not None else get_classifier(device="cpu", verbose=False)
    ref_features = classifier_features(clf, reference)  # once: every evaluation compares with the same set
    evals: dict[str, list] = {"step": [], "fid": [], "inception": []}
    cpu = 0.0
    while tr.step < steps:
        t0 = time.process_time()
        tr.train(steps=min(steps - tr.step, eval_every or steps), progress=False)
        cpu += time.process_time() - t0
        samples = tr.sample(n_eval, seed=10_000 + seed)
        evals["step"].append(tr.step)
        evals["fid"].append(fid_to_features(samples, ref_features, clf))  # = classifier_fid(samples, reference)
        evals["inception"].append(inception_score(samples, clf))
    row = dict(variant=variant, seed=seed, steps=tr.step, config=cfg.to_dict(), cpu_seconds=cpu,
               history={k: list(tr.history[k]) for k in CURVE_KEYS}, evals=evals,
               fid=evals["fid"][-1], inception=evals["inception"][-1])
    return row, tr.fixed_grid()


def final_gap(row: dict, last: int = 3) -> float:
    """acc_train − acc_heldout averaged over the last ``last`` records of a run: how much better D knows its
    own training images than new real digits at the end (0: no memorising)."""
    h = row["history"]
    n = min(last, len(h["acc_train"]))
    return float(np.mean(h["acc_train"][-n:]) - np.mean(h["acc_heldout"][-n:]))


def final_memorised(row: dict, last: int = 3) -> float:
    """The probe's ``memorised`` score averaged over the last ``last`` records (0.5: no memorising)."""
    return float(np.mean(row["history"]["memorised"][-last:]))


def overfit_table(rows: list[dict]) -> str:
    """Per-seed FID, IS, final train−held-out accuracy gap and memorised score (:func:`final_gap`,
    :func:`final_memorised`) of each variant, then the median over seeds."""
    variants = list(dict.fromkeys(r["variant"] for r in rows))
    seeds = sorted({r["seed"] for r in rows})
    by = {(r["variant"], r["seed"]): r for r in rows}
    lines = [f"{'variant':12s} {'seed':>6s} {'FID':>7s} {'IS':>6s} {'gap':>6s} {'memorised':>9s}"]
    for v in variants:
        got = [by[v, s] for s in seeds if (v, s) in by]
        for r in got:
            lines.append(f"{v:12s} {r['seed']:6d} {r['fid']:7.2f} {r['inception']:6.2f} {final_gap(r):6.3f} "
                         f"{final_memorised(r):9.3f}")
        lines.append(f"{v:12s} {'median':>6s} {np.median([r['fid'] for r in got]):7.2f} "
                     f"{np.median([r['inception'] for r in got]):6.2f} {np.median([final_gap(r) for r in got]):6.3f} "
                     f"{np.median([final_memorised(r) for r in got]):9.3f}")
    return "\n".join(lines)
