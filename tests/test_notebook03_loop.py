"""Notebook 03's hand-written training loop and ToyTrainer stay the same algorithm.

The test runs the notebook's own cell (the one that defines ``train_by_hand``), so if either the
cell or ``ganlab.toy.trainer`` drifts (sampling order, initialisation, losses, optimiser), the
losses stop matching bit for bit and this fails.
"""

import json
from pathlib import Path

import pytest
import torch

from ganlab.theory import Gaussian, discriminator_loss, generator_loss
from ganlab.toy import Discriminator, Generator, MLPConfig, ToyConfig, ToyTrainer
from ganlab.core import one_thread

NB = Path(__file__).resolve().parents[1] / "notebooks" / "03_training_1d_gan_live.ipynb"


def hand_loop():
    cells = [c for c in json.loads(NB.read_text())["cells"] if c["cell_type"] == "code"]
    src = ["".join(c["source"]) for c in cells if "def train_by_hand(" in "".join(c["source"])]
    assert len(src) == 1, "notebook 03 must define train_by_hand in exactly one code cell"
    ns = {"torch": torch, "Gaussian": Gaussian, "Generator": Generator, "Discriminator": Discriminator,
          "MLPConfig": MLPConfig, "discriminator_loss": discriminator_loss, "generator_loss": generator_loss,
          "one_thread": one_thread}
    exec(compile(src[0], str(NB), "exec"), ns)
    return ns["train_by_hand"]


def trainer_losses(cfg: ToyConfig, steps: int) -> list[tuple[float, float]]:
    tr = ToyTrainer(cfg)
    out = []
    for _ in range(steps):
        tr.step(1)
        out.append((tr.last["loss_d"], tr.last["loss_g"]))
    return out


@pytest.mark.parametrize("seed, k_d, loss", [(0, 1, "ns"), (7, 2, "minimax")])
def test_hand_loop_equals_toy_trainer(seed, k_d, loss):
    train_by_hand = hand_loop()
    G, D, losses = train_by_hand(50, seed=seed, k_d=k_d, loss=loss)
    cfg = ToyConfig(seed=seed, k_d=k_d, loss=loss)
    assert losses == trainer_losses(cfg, 50)  # exactly equal, not just close
    tr = ToyTrainer(ToyConfig(seed=seed, k_d=k_d, loss=loss))
    tr.step(50)
    for a, b in zip(G.state_dict().values(), tr.G.state_dict().values()):
        assert torch.equal(a, b)
