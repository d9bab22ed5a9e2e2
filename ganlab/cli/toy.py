"""``python -m ganlab toy``: train the 1-D GAN headless, optionally writing a GIF and a metrics JSON.

Examples:
    python -m ganlab toy --steps 3000 --seed 0
    python -m ganlab toy --target mixture:-2,2:0.5,0.5 --loss minimax --gif run.gif --metrics run.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from ganlab.cli import Parser
from ganlab.core import TrainingDiverged, check_output_file, save_gif
from ganlab.theory import LOSSES, Gaussian, GaussianMixture
from ganlab.toy import ToyConfig, ToyTrainer


def parse_target(text: str):
    """``gaussian:MEAN,SD`` or ``mixture:M1,M2,...:S1,S2,...[:W1,W2,...]``."""
    try:
        kind, _, rest = text.partition(":")
        parts = [[float(v) for v in p.split(",")] for p in rest.split(":")] if rest else []
        if kind == "gaussian" and len(parts) == 1 and len(parts[0]) == 2:
            return Gaussian(*parts[0])
        if kind == "mixture" and len(parts) in (2, 3):
            return GaussianMixture(tuple(parts[0]), tuple(parts[1]), tuple(parts[2]) if len(parts) == 3 else None)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    raise argparse.ArgumentTypeError(
        f"bad target {text!r}: use gaussian:MEAN,SD or mixture:M1,M2:S1,S2[:W1,W2]")


def build_parser() -> argparse.ArgumentParser:
    d = ToyConfig()
    p = Parser(prog="python -m ganlab toy", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=3000, help="training iterations (default 3000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--target", type=parse_target, default=d.target, help="default gaussian:3,0.75")
    p.add_argument("--loss", choices=list(LOSSES), default=d.loss)
    p.add_argument("--optimizer", choices=["adam", "sgd"], default=d.optimizer)
    p.add_argument("--lr-d", type=float, default=d.lr_d)
    p.add_argument("--lr-g", type=float, default=d.lr_g)
    p.add_argument("--k-d", type=int, default=d.k_d)
    p.add_argument("--k-g", type=int, default=d.k_g)
    p.add_argument("--batch", type=int, default=d.batch_size)
    p.add_argument("--width", type=int, default=d.g.width)
    p.add_argument("--gif", type=Path, help="write an animated GIF of the run (about 60 frames)")
    p.add_argument("--metrics", type=Path, help="write final JSD, V, steps, seconds, steps/s and history as JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        cfg = ToyConfig(target=args.target, loss=args.loss, optimizer=args.optimizer, lr_d=args.lr_d, lr_g=args.lr_g,
                        k_d=args.k_d, k_g=args.k_g, batch_size=args.batch, seed=args.seed,
                        g=replace(ToyConfig().g, width=args.width), d=replace(ToyConfig().d, width=args.width))
        if args.steps < 1:
            raise ValueError(f"--steps must be >= 1, got {args.steps}")
        if args.gif:  # output paths are checked before the training, so a typo costs nothing
            check_output_file(args.gif, (".gif",), "--gif")
        if args.metrics:
            check_output_file(args.metrics, (".json",), "--metrics")
        trainer = ToyTrainer(cfg)
    except ValueError as exc:
        print(f"ganlab: error: {exc}", file=sys.stderr)
        return 2
    frames = []
    figure = None
    if args.gif:
        from ganlab.viz import ToyFigure
        figure = ToyFigure(cfg.target)
    every = max(1, args.steps // 60)
    t0 = time.perf_counter()
    status = "ok"
    try:
        done = 0
        while done < args.steps:
            n = min(every, args.steps - done)
            trainer.step(n)
            done += n
            if figure is not None:
                figure.update(trainer)
                frames.append(figure.rgb().copy())
    except TrainingDiverged as exc:
        status = f"diverged: {exc}"
        print(f"ganlab: error: {exc}", file=sys.stderr)
    wall = time.perf_counter() - t0
    m = trainer.metrics()
    print(f"{trainer.iteration} iterations in {trainer.seconds:.1f} s training ({wall:.1f} s wall, "
          f"{trainer.iteration / max(trainer.seconds, 1e-9):.0f} it/s): JSD {m['jsd']:.5f} nats, "
          f"V(D,G) {m['v']:.4f}, V(G,D*) {m['v_opt']:.4f} (optimum -log 4 = -1.3863)")
    if args.gif and frames:
        save_gif(frames, args.gif, fps=1000 / 120)
        print(f"wrote {args.gif} ({len(frames)} frames)")
    if args.metrics:
        args.metrics.parent.mkdir(parents=True, exist_ok=True)
        out = {"status": status, "jsd": m["jsd"], "v": m["v"], "v_opt": m["v_opt"], "steps": trainer.iteration,
               "seconds": trainer.seconds, "wall_seconds": wall,
               "steps_per_s": trainer.iteration / max(trainer.seconds, 1e-9), "seed": args.seed,
               "target": cfg.target.describe(), "loss": cfg.loss, "history": trainer.history.to_dict()}
        args.metrics.write_text(json.dumps(out, indent=1))
        print(f"wrote {args.metrics}")
    return 0 if status == "ok" else 1
