"""Notebook 05's written-out DCGAN step and DCGANTrainer.train_step stay the same algorithm.

The test runs the notebook's own cell (the one that defines ``dcgan_step``; the cell asserts the
match itself), then repeats the comparison for three steps on other seeds, so if the cell or
``ganlab.images.trainer`` drifts (batch order, noise stream, losses, update order), it fails.
"""

import json
from pathlib import Path

import pytest
import torch

from ganlab.images import DCGANConfig, DCGANTrainer

NB = Path(__file__).resolve().parents[1] / "notebooks" / "05_dcgan_mnist.ipynb"


def notebook_cell_namespace(data: torch.Tensor) -> dict:
    cells = [c for c in json.loads(NB.read_text())["cells"] if c["cell_type"] == "code"]
    src = ["".join(c["source"]) for c in cells if "def dcgan_step(" in "".join(c["source"])]
    assert len(src) == 1, "notebook 05 must define dcgan_step in exactly one code cell"
    ns = {"torch": torch, "DCGANConfig": DCGANConfig, "DCGANTrainer": DCGANTrainer, "data": data}
    exec(compile(src[0], str(NB), "exec"), ns)  # the cell's own assert runs here
    return ns


@pytest.mark.parametrize("seed", [1, 5])
def test_written_out_step_equals_trainer_step(seed):
    data = torch.randint(0, 256, (256, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))
    dcgan_step = notebook_cell_namespace(data)["dcgan_step"]
    cfg = DCGANConfig(amp="off", seed=seed, nz=16, ngf=8, ndf=8, batch_size=32, r1_every=2)  # R1 at steps 0 and 2
    hand = DCGANTrainer(cfg, device="cpu", data=data, threads=None)
    pkg = DCGANTrainer(cfg, device="cpu", data=data, threads=None)
    for step in range(3):
        x, _ = hand.batch(step)
        z = torch.randn(cfg.batch_size, cfg.nz, generator=hand.noise_gen)
        mine = dcgan_step(hand.G, hand.D, hand.opt_G, hand.opt_D, x, z, step, r1=cfg.r1, r1_every=2)
        assert list(mine) == pkg.train_step()[:2].tolist()  # exactly equal
    for a, b in zip(hand.G.state_dict().values(), pkg.G.state_dict().values()):
        assert torch.equal(a, b)
