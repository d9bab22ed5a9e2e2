"""Presets for the 2-D lab: a trained state to start a lecture from, and setups that reproduce failure modes.

    p = lab_preset("ring_trained")
    trainer = p.trainer()          # a Toy2DTrainer with the preset's settings (and trained weights, if it has any)

``ring_trained`` loads shipped weights, ``checkpoints/lab2d_ring8.pt`` (a default GAN trained 4,000
iterations on the ring of 8, seed 0: networks and Adam states, 43 kB). Reproduce the file (bit for bit here) with

    python -m ganlab.cli.lab2d_presets ring_trained checkpoints/lab2d_ring8.pt

Where the file is missing (an installed package without the repository) the same state is trained on first
use instead (4,000 iterations, about 8 s on this project's 2-core CPU). The failure
presets are settings only: press Play and watch the failure happen (each was measured on its stated seed;
``story`` says what to look for).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ganlab.core import checkpoints_dir, load_checkpoint, save_atomic
from ganlab.toy.data2d import target2d
from ganlab.toy.trainer2d import Toy2DConfig, Toy2DTrainer


@dataclass
class LabPreset:
    name: str
    title: str
    story: str  # what to watch, for the lab's message line
    make_config: Callable[[], Toy2DConfig]
    weights: str | None = None  # file in checkpoints/ holding the trained state (Toy2DTrainer.state_dict())
    train_steps: int = 0  # iterations behind the weights (trained on first use when the file is missing)

    @property
    def config(self) -> Toy2DConfig:
        return self.make_config()

    def weights_path(self) -> Path | None:
        if self.weights is None:
            return None
        try:
            return checkpoints_dir() / self.weights
        except FileNotFoundError:  # an installed package: no checkpoints/ folder
            return None

    def trainer(self) -> Toy2DTrainer:
        """A fresh trainer with the preset's settings, at its trained state if it has one."""
        t = Toy2DTrainer(self.config)
        if self.weights is None:
            return t
        path = self.weights_path()
        if path is not None and path.is_file():
            t.load_state_dict(load_checkpoint(path))
            self.loaded_from = str(path)
        else:
            t.step(self.train_steps)
            self.loaded_from = f"trained now ({self.train_steps} iterations): {self.weights} not found"
        return t


def _presets() -> dict[str, LabPreset]:
    ring = lambda **kw: Toy2DConfig(target=target2d("ring of 8"), **kw)
    out = [
        LabPreset("ring_trained", "Trained: ring of 8 (shipped weights)",
                  "a GAN trained 4,000 iterations (seed 0) covers all 8 modes; the manifold shows the thin bridges "
                  "G must draw between them. Press Play to continue, or change the target and watch it adapt.",
                  lambda: ring(), weights="lab2d_ring8.pt", train_steps=4000),
        LabPreset("collapse_strong_d", "Failure: mode collapse (minimax loss, k_D = 10)",
                  "D trains 10 times per G step with the minimax loss; G piles onto one mode of the ring and stays "
                  "there (measured, seed 0: 1 of 8 modes from iteration 250 to 2,000, quality above 90 %). "
                  "Switch on spectral norm, or the loss to WGAN-GP: both reached 8 of 8 within 1,500 iterations here; "
                  "the non-saturating loss alone only 2, hinge 3, and minibatch stddev made it worse (0).",
                  lambda: ring(loss="minimax", k_d=10, lr_d=1e-2)),
        LabPreset("oscillation", "Failure: no convergence (lr 1e-2, Adam β1 = 0.9)",
                  "big steps with heavy momentum: the fakes circle and overshoot and never settle on the ring "
                  "(measured, seed 0: JSD at log 2, no mode covered in 2,000 iterations). Set Adam β1 to 0.5 (the GAN "
                  "custom): 5 to 8 of 8 modes by iteration 1,000 here; spectral norm and least squares did not help.",
                  lambda: ring(lr_d=1e-2, lr_g=1e-2, betas=(0.9, 0.999))),
        LabPreset("mode_hopping", "Failure: mode hopping (two Gaussians, lr 5e-2)",
                  "with very large steps G jumps from one mode to the other and back: parts covered and quality swing "
                  "between 0 and full in the history (measured, seed 0). With both learning rates at 1e-3 it holds both "
                  "modes from iteration 1,200 on.",
                  lambda: Toy2DConfig(target=target2d("two Gaussians"), lr_d=5e-2, lr_g=5e-2, betas=(0.9, 0.999))),
        LabPreset("grid_hard", "Hard: grid of 25 (vanilla GAN)",
                  "25 small modes: in 2,000 iterations the default GAN resolves at most 4 (measured, seed 0). Width 64 "
                  "with 3 layers reached 8; WGAN-GP and spectral norm did not help in that time. Try more iterations.",
                  lambda: Toy2DConfig(target=target2d("grid of 25"))),
    ]
    return {p.name: p for p in out}


LAB_PRESETS = tuple(_presets())


def lab_preset(name: str) -> LabPreset:
    """A preset of the 2-D lab by name (one of ``LAB_PRESETS``)."""
    table = _presets()
    if name not in table:
        raise ValueError(f"unknown preset {name!r}: expected one of {LAB_PRESETS}")
    return table[name]


def write_weights(name: str, path: str | Path) -> Path:
    """Train the preset from its seed for ``train_steps`` and save the trained state (the shipped file)."""
    p = lab_preset(name)
    if p.weights is None:
        raise ValueError(f"preset {name!r} has no weights to write")
    t = Toy2DTrainer(p.config)
    t.step(p.train_steps)
    return save_atomic(t.state_dict(), path)

