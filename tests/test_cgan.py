"""Conditional GAN: shapes, label following on toy images, checkpoints, CLI plumbing, the 1-D toy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganlab.core import checkpoint as ckpt
from ganlab.images import (CGANConfig, CondDiscriminator, CondGenerator, digit_grid_inputs, label_vectors,
                           CGANTrainer, export_generator, is_conditional_checkpoint, load_generator, sample)
from ganlab.toy.conditional import quadrant_blobs, quadrant_of

TINY = dict(nz=8, ngf=4, ndf=4, batch_size=16, log_every=1)


@pytest.fixture(scope="module")
def blobs():
    return quadrant_blobs(256, seed=0)


def test_conditioning_shapes_and_label_inputs():
    cfg = CGANConfig(nz=10, ngf=8, ndf=8)
    G, D = CondGenerator(cfg), CondDiscriminator(cfg)
    y = torch.arange(5)
    x = G(torch.randn(5, 10), y)
    assert x.shape == (5, 1, 28, 28) and x.min() >= -1 and x.max() <= 1
    assert D(x, y).shape == (5,)
    # integer labels and their one-hots are the same input; mixtures of one-hots are allowed
    G.eval()
    z = torch.randn(3, 10)
    assert torch.allclose(G(z, torch.tensor([1, 2, 3])), G(z, label_vectors(torch.tensor([1, 2, 3]), 10)))
    mix = 0.5 * label_vectors(torch.tensor([3, 3, 3]), 10) + 0.5 * label_vectors(torch.tensor([8, 8, 8]), 10)
    assert G(z, mix).shape == (3, 1, 28, 28)
    # the label changes the output and D's logit
    assert not torch.allclose(G(z, torch.tensor([0, 0, 0])), G(z, torch.tensor([1, 1, 1])))
    D.eval()
    assert not torch.allclose(D(x, torch.zeros(5, dtype=torch.long)), D(x, torch.ones(5, dtype=torch.long)))
    zg, yg = digit_grid_inputs(10, seeds=3)
    assert zg.shape == (30, 10) and yg.tolist()[:11] == list(range(10)) + [0]
    assert torch.equal(zg[0], zg[9]) and not torch.equal(zg[0], zg[10])


@pytest.mark.parametrize("bad, match", [
    (torch.tensor([0, 10]), r"labels must be in 0\.\.9, got values 0\.\.10"),
    (torch.tensor([-1]), r"labels must be in 0\.\.9"),
    (torch.zeros(2, 3), r"label vectors must have shape \(B, 10\)"),
])
def test_bad_labels(bad, match):
    with pytest.raises(ValueError, match=match):
        label_vectors(bad, 10)


def test_trainer_rejects_bad_labels(blobs):
    d, l = blobs
    with pytest.raises(ValueError, match="needs labels"):
        CGANTrainer(CGANConfig(**TINY, n_classes=4), device="cpu", data=d)
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.3, got 0\.\.4"):
        CGANTrainer(CGANConfig(**TINY, n_classes=4), device="cpu", data=d, labels=torch.where(l == 3, 4, l))
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2"):
        CGANConfig(n_classes=1)


def test_batches_carry_their_own_labels(blobs):
    d, l = blobs
    tr = CGANTrainer(CGANConfig(**TINY, n_classes=4), device="cpu", data=d, labels=l, threads=1)
    x, y = tr.batch(3)
    u8 = ((x[:, 0] + 1) * 127.5).round().to(torch.uint8)
    assert torch.equal(quadrant_of(u8), y)  # every image sits in the quadrant its label names
    x2, y2 = tr.batch(3)
    assert torch.equal(x, x2) and torch.equal(y, y2)  # seeded: the same step gives the same batch


def test_brief_training_follows_labels(blobs):
    d, l = blobs
    tr = CGANTrainer(CGANConfig(nz=8, ngf=8, ndf=8, batch_size=32, n_classes=4, log_every=20, amp="off"),
                     device="cpu", data=d, labels=l, threads=1)
    y = torch.arange(200) % 4
    before = (quadrant_of(tr.sample(200, seed=1, labels=y)) == y).float().mean().item()
    tr.train(steps=80, progress=False)
    after = (quadrant_of(tr.sample(200, seed=1, labels=y)) == y).float().mean().item()
    assert after > 0.6, (before, after)  # chance is 0.25
    assert after > before


def test_checkpoint_round_trip(blobs, tmp_path):
    d, l = blobs
    cfg = CGANConfig(**TINY, n_classes=4, amp="off")
    tr = CGANTrainer(cfg, device="cpu", data=d, labels=l)
    tr.train(steps=3, progress=False)
    path = tr.save(tmp_path / "last.pt")
    state = torch.load(path, weights_only=True)
    assert state["conditional"] is True and state["format"] == "ganlab-cgan-1"
    assert state["config"]["n_classes"] == 4
    assert is_conditional_checkpoint(path)
    back = CGANTrainer.load(path, device="cpu", data=d, labels=l)
    assert back.step == 3 and back.config == cfg
    for a, b in zip(tr.state_dict()["G"].values(), back.state_dict()["G"].values()):
        assert torch.equal(a, b)
    for a, b in zip(tr.state_dict()["D"].values(), back.state_dict()["D"].values()):
        assert torch.equal(a, b)
    assert torch.equal(tr.sample(8, seed=2, labels=2), back.sample(8, seed=2, labels=2))
    # resume continues exactly like an uninterrupted run
    tr.train(steps=2, progress=False)
    back.train(steps=2, progress=False)
    assert tr.history["loss_D"] == back.history["loss_D"]
    # G only: full precision exact, fp16 close
    G32 = load_generator(path)
    assert torch.equal(sample(G32, 6, seed=1, labels=1), CGANTrainer.load(path, device="cpu", data=d,
                                                                          labels=l).sample(6, seed=1, labels=1))
    half = export_generator(back.G, back.config, tmp_path / "g16.pt")
    assert is_conditional_checkpoint(half) and ckpt.load(half)["G"]["project.0.weight"].dtype == torch.float16
    G16 = load_generator(half)
    assert G16.n_classes == 4
    diff = (sample(G16, 6, seed=1).float() - back.sample(6, seed=1).float()).abs().mean()
    assert diff < 3  # mean difference under 3 grey levels of 255


def test_unconditional_checkpoint_is_refused(tmp_path):
    from ganlab.images import DCGANConfig, DCGANTrainer
    d = torch.randint(0, 256, (32, 28, 28), dtype=torch.uint8)
    tr = DCGANTrainer(DCGANConfig(**TINY), device="cpu", data=d)
    path = tr.save(tmp_path / "plain.pt")
    assert not is_conditional_checkpoint(path)
    assert load_generator(path).n_classes == 0  # one loader: a plain checkpoint gives a plain generator
    with pytest.raises(ValueError, match="not a conditional GAN checkpoint"):
        CGANTrainer.load(path, device="cpu", data=d, labels=torch.zeros(32, dtype=torch.long))


def test_cli_conditional_train_and_sample_label(tmp_path, capsys):
    from ganlab.__main__ import main
    out = tmp_path / "run"
    assert main(["dcgan", "train", "--conditional", "--dry-run", "--device", "cpu", "--out", str(out),
                 "--no-progress"]) == 0
    assert (out / "last.pt").is_file() and (out / "generator_fp16.pt").is_file()
    assert is_conditional_checkpoint(out / "last.pt")
    npy = tmp_path / "threes.npy"
    for ck in ("last.pt", "generator_fp16.pt"):
        assert main(["dcgan", "sample", "--checkpoint", str(out / ck), "--label", "3", "--n", "5",
                     "--out", str(npy), "--device", "cpu"]) == 0
        arr = np.load(npy)
        assert arr.shape == (5, 28, 28) and arr.dtype == np.uint8
        assert np.load(tmp_path / "threes.labels.npy").tolist() == [3] * 5
    assert main(["dcgan", "sample", "--checkpoint", str(out / "last.pt"), "--label", "12", "--n", "2",
                 "--out", str(npy), "--device", "cpu"]) == 2
    assert "--label must be in 0..9, got 12" in capsys.readouterr().err
    # --label on an unconditional checkpoint is an error, not silently ignored
    plain = tmp_path / "plain"
    assert main(["dcgan", "train", "--dry-run", "--device", "cpu", "--out", str(plain), "--no-progress"]) == 0
    assert main(["dcgan", "sample", "--checkpoint", str(plain / "last.pt"), "--label", "3", "--n", "2",
                 "--out", str(npy), "--device", "cpu"]) == 2
    assert "needs a conditional checkpoint" in capsys.readouterr().err


def test_regression_blurs_where_cgan_samples_the_branches():
    from ganlab.toy.conditional import (ToyCGANConfig, fit_regressor, fraction_near_branches, train_toy_cgan,
                                        two_branch_data, upper_share)
    c, x = two_branch_data(1000, seed=0)
    reg = fit_regressor(c, x, steps=150)
    with torch.no_grad():
        pred = reg(c)
    assert fraction_near_branches(c, pred) < 0.05  # the mean lies between the branches
    assert pred.abs().mean() < 0.2
    G = train_toy_cgan(c, x, ToyCGANConfig(steps=400, batch_size=64))
    xs = G.sample(c, seed=1)
    assert fraction_near_branches(c, xs) > 0.8
    assert 0.25 < upper_share(c, xs) < 0.75  # both branches, not one


def test_widgets_draw_and_redraw():
    from ganlab.images import generate
    from ganlab.widgets import digit_picker, label_path, label_walk, noise, z_path, z_walk
    torch.manual_seed(0)
    G = CondGenerator(CGANConfig(**TINY)).eval()
    for make in (digit_picker, z_walk, label_walk):
        box = make(G)
        img = box.children[-1]
        first = img.value
        assert first[:8] == b"\x89PNG\r\n\x1a\n"
        ctrl = box.children[0] if make is digit_picker else box.children[0].children[0]
        ctrl.value = 5 if ctrl.value != 5 else 6
        assert img.value != first
    zp = z_path(G, 4, 1, 2, steps=5)
    assert zp.shape == (5, 28, 28)
    assert torch.equal(zp[0], generate(G, noise(G.nz, 1)[None], torch.tensor([4]))[0])  # path starts at z_A
    assert torch.equal(zp[-1], generate(G, noise(G.nz, 2)[None], torch.tensor([4]))[0])  # and ends at z_B
    lp = label_path(G, 3, 8, seed=0, steps=5)
    assert lp.shape == (5, 28, 28) and not torch.equal(lp[0], lp[-1])


def test_interpolation_walk_is_safe_when_both_seeds_are_equal():
    """Issue 17 (05 [20]): the notebook's inline slerp divided by sin(0) when seed A = seed B (NaN, black)."""
    from ganlab.images import DCGANConfig, Generator
    from ganlab.widgets import interpolation_walk, noise, slerp
    z = noise(16, 3)
    assert torch.equal(slerp(z, z, torch.linspace(0, 1, 5)), z.expand(5, -1))
    G = Generator(DCGANConfig(nz=16, ngf=4, ndf=4))
    box = interpolation_walk(G, steps=5, scale=2)
    controls = box.children[0].children[0].children
    seed_b, info = controls[1], controls[4]
    seed_b.value = controls[0].value  # A = B
    assert "nan" not in info.value and box.children[0].children[1].value[:8] == b"\x89PNG\r\n\x1a\n"


def test_legible_seed_maximises_the_least_confident_read():
    """The widgets' first seeds: the window of seeds whose worst classifier probability is highest,
    checked against a brute-force loop, one image at a time, with a stand-in classifier."""
    from ganlab.images import classifier_logits, generate
    from ganlab.widgets import digit_picker, label_walk, legible_seed, noise, z_walk

    class Brightness(torch.nn.Module):         # logits for 10 classes from an image's mean pixel value
        def __init__(self):
            super().__init__()
            self.scale = torch.nn.Parameter(torch.tensor(50.0))

        def forward(self, x):                   # x: (N, 1, 28, 28) in [-1, 1]
            m = (x.mean(dim=(1, 2, 3)) + 1) / 2
            return torch.stack([-self.scale * (m - k / 10) ** 2 for k in range(10)], 1)

    G = CondGenerator(CGANConfig(nz=8, ngf=4, ndf=4)).eval()
    clf = Brightness()

    def prob(seed, digit):
        img = generate(G, noise(8, seed)[None], torch.tensor([digit]))
        return torch.softmax(classifier_logits(clf, img), -1)[0, digit].item()

    brute = max(range(20), key=lambda s: min(prob(s + i, d) for i in range(3) for d in (2, 5)))
    assert legible_seed(G, clf, (2, 5), count=3, tries=20) == brute
    with pytest.raises(ValueError, match="tries"):
        legible_seed(G, clf, 3, tries=0)
    assert digit_picker(G, digit=4, seed=7).children[1].value == 7
    assert [c.value for c in z_walk(G, digit=2, seeds=(8, 9)).children[0].children] == [2, 8, 9]
    assert [c.value for c in label_walk(G, digits=(1, 6), seed=4).children[0].children] == [1, 6, 4]


def test_notebook06_written_out_toy_loop_equals_the_package(monkeypatch):
    """Notebook 06 writes the toy cGAN's loop out (condition concatenated to G's noise and to D's input, BCE with
    logits); its own cell asserts it matches ``train_toy_cgan``. Run that cell, then compare again on other seeds."""
    import json
    from pathlib import Path

    import torch.nn.functional as F

    from ganlab.core import fast_or, one_thread
    from ganlab.toy import ToyCGANConfig, toy_cgan_networks, train_toy_cgan, two_branch_data

    nb = Path(__file__).resolve().parents[1] / "notebooks" / "06_conditional_gans.ipynb"
    cells = ["".join(c["source"]) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code"]
    src = [s for s in cells if "def train_toy_cgan_by_hand(" in s]
    assert len(src) == 1, "notebook 06 must define train_toy_cgan_by_hand in exactly one code cell"
    c, x = two_branch_data(300, seed=3)
    monkeypatch.setenv("GANLAB_FAST", "1")  # the cell's own check at its fast-mode length
    ns = {"torch": torch, "F": F, "c": c, "x": x, "fast_or": fast_or, "one_thread": one_thread,
          "ToyCGANConfig": ToyCGANConfig,
          "toy_cgan_networks": toy_cgan_networks, "train_toy_cgan": train_toy_cgan, "print": lambda *a, **k: None}
    exec(compile(src[0], str(nb), "exec"), ns)  # the cell's own assert runs here
    by_hand = ns["train_toy_cgan_by_hand"]
    for seed in (1, 4):
        cfg = ToyCGANConfig(steps=60, batch_size=32, nz=3, width=16, seed=seed)
        with one_thread():
            G_hand, losses = by_hand(c, x, cfg)
        G_pkg = train_toy_cgan(c, x, cfg)
        assert len(losses["loss_d"]) == 60
        assert np.allclose(losses["loss_d"], G_pkg.history["loss_d"], atol=1e-6, rtol=0)
        assert np.allclose(losses["loss_g"], G_pkg.history["loss_g"], atol=1e-6, rtol=0)
        for a, b in zip(G_hand.state_dict().values(), G_pkg.state_dict().values()):
            assert torch.allclose(a, b, atol=1e-6, rtol=0)
    # the tolerance tells runs apart: the same seed with one step fewer gives other weights
    G_other = train_toy_cgan(c, x, ToyCGANConfig(steps=59, batch_size=32, nz=3, width=16, seed=4))
    assert not all(torch.allclose(a, b, atol=1e-6) for a, b in zip(G_hand.state_dict().values(),
                                                                   G_other.state_dict().values()))
