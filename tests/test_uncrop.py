"""Un-cropping (notebook 06, section 7): the task's halves, the two models, their losses and the four measures,
each against a brute-force loop or a closed form."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from ganlab.images import (HALF, Completer, CompleterConfig, PairDiscriminator, RegressorConfig, UncropGANConfig,
                           UncropGANTrainer, complete, completions, fill_grey_fraction, fit_uncrop_regressor,
                           format_scores, label_agreement, load_uncropper, pairwise_diversity,
                           real_scores, save_uncropper, seam_jump, to_unit, uncrop_scores)
from ganlab.images.uncrop import compose, condition_image, top_half
from ganlab.images.uncrop_trainer import best_of_l1, diversity_ratio

TINY = CompleterConfig(nz=4, width=16, depth=1)


def digits(n=32, seed=0):
    return torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def test_halves_condition_and_composition():
    x = to_unit(digits(3))  # (3, 1, 28, 28)
    top = top_half(x)
    assert top.shape == (3, 1, HALF, 28) and HALF == 14
    assert torch.equal(compose(top, x[:, :, HALF:]), x)
    y = condition_image(x)
    assert torch.equal(y[:, :, :HALF], x[:, :, :HALF]) and bool((y[:, :, HALF:] == -1).all())


def test_complete_keeps_the_top_and_only_the_noise_changes_the_fill():
    imgs = digits(6)
    torch.manual_seed(0)
    G, R = Completer(TINY), Completer(CompleterConfig(nz=0, width=16, depth=1))
    a, b = complete(G, imgs, seed=0), complete(G, imgs, seed=1)
    assert a.dtype == torch.uint8 and a.shape == imgs.shape
    assert torch.equal(a[:, :HALF], imgs[:, :HALF]) and torch.equal(b[:, :HALF], imgs[:, :HALF])
    assert not torch.equal(a, b) and torch.equal(a, complete(G, imgs, seed=0))  # seeded noise
    fills = completions(R, imgs, [0, 1, 2])
    assert fills.shape == (3, 6, 28, 28)
    assert pairwise_diversity(fills) == 0.0  # a regressor has no noise: every completion is the same
    assert pairwise_diversity(completions(G, imgs, [0, 1, 2])) > 0
    with pytest.raises(ValueError, match="z must have shape"):
        G(top_half(to_unit(imgs)))
    with pytest.raises(ValueError, match="uint8"):
        complete(G, to_unit(imgs)[:, 0])


def test_pairwise_diversity_is_the_mean_over_pairs_of_the_pixel_distance():
    fills = torch.stack([digits(5, s) for s in range(4)])  # (k=4, N=5, 28, 28)
    f = fills.numpy().astype(float)
    brute = np.mean([np.abs(f[i, n, r, c] - f[j, n, r, c]) for i, j in itertools.combinations(range(4), 2)
                     for n in range(5) for r in range(HALF, 28) for c in range(28)])
    assert pairwise_diversity(fills) == pytest.approx(brute, rel=1e-6)
    with pytest.raises(ValueError, match="at least 2"):
        pairwise_diversity(fills[:1])


def test_sharpness_seam_and_agreement_against_hand_counts():
    img = torch.zeros(2, 28, 28, dtype=torch.uint8)
    img[:, :HALF] = 100  # the given half: grey, but it does not count
    img[:, HALF:, :7] = 255  # filled half: 7 of 28 columns black ink, 7 mid-grey, the rest blank
    img[:, HALF:, 7:14] = 128
    assert fill_grey_fraction(img) == pytest.approx(0.5)  # 7 grey of 14 inked columns
    # seam: row 13 is 100 everywhere, row 14 is 255 / 128 / 0 across the columns
    assert seam_jump(img) == pytest.approx((7 * 155 + 7 * 28 + 14 * 100) / 28)

    class Brightness(torch.nn.Module):  # logits for 10 classes from the mean pixel, a stand-in classifier
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.tensor(30.0))

        def forward(self, x):  # (N, 1, 28, 28) in [-1, 1]
            m = (x.mean(dim=(1, 2, 3)) + 1) / 2
            return torch.stack([-self.w * (m - k / 10) ** 2 for k in range(10)], 1)

    clf, imgs = Brightness(), digits(20, 3)
    labels = torch.arange(20) % 10
    got = label_agreement(clf, imgs, labels)
    with torch.no_grad():
        p = [torch.softmax(clf(to_unit(imgs[i:i + 1])), 1)[0] for i in range(20)]
    assert got["accuracy"] == pytest.approx(np.mean([int(p[i].argmax()) == int(labels[i]) for i in range(20)]))
    assert got["confidence"] == pytest.approx(np.mean([float(p[i][labels[i]]) for i in range(20)]), rel=1e-5)
    scores = uncrop_scores(Completer(TINY), clf, imgs, labels, seeds=(0, 1, 2))
    assert len(scores["sharpness"]) == 3 and len(scores["diversity"]) == 3  # per seed; per pair of seeds
    table = format_scores({"real": real_scores(clf, imgs, labels), "cGAN": scores})
    assert "real" in table and "cGAN" in table and "–" in table


def test_best_of_k_l1_and_diversity_ratio_by_loops():
    g = torch.Generator().manual_seed(1)
    s, t = torch.randn(3, 4, 1, 2, 5, generator=g), torch.randn(4, 1, 2, 5, generator=g)
    brute = np.mean([min(float((s[j, b] - t[b]).abs().mean()) for j in range(3)) for b in range(4)])
    assert float(best_of_l1(s, t)) == pytest.approx(brute, rel=1e-6)
    assert float(best_of_l1(s[:1], t)) == pytest.approx(float((s[0] - t).abs().mean()), rel=1e-6)  # k = 1: plain L1
    za, zb = torch.randn(4, 6, generator=g), torch.randn(4, 6, generator=g)
    r = [float((s[0, b] - s[1, b]).abs().mean() / (za[b] - zb[b]).abs().mean()) for b in range(4)]
    for tau in (0.1, 100.0):
        assert float(diversity_ratio(s[0], s[1], za, zb, tau)) == pytest.approx(np.mean(np.minimum(r, tau)), rel=1e-6)


def test_mse_regressor_answers_the_mean_of_two_possible_bottoms():
    """Closed form: the same top with two different bottoms; squared error is minimised by their average."""
    a, b = torch.zeros(28, 28, dtype=torch.uint8), torch.zeros(28, 28, dtype=torch.uint8)
    a[HALF:, 4:10], b[HALF:, 18:24] = 255, 255  # a stroke on the left, or on the right
    imgs = torch.stack([a, b])
    reg, hist = fit_uncrop_regressor(imgs, RegressorConfig(net=CompleterConfig(nz=0, width=16, depth=1), batch_size=16,
                                                           lr=1e-2, log_every=50), steps=300, threads=1)
    fill = complete(reg, imgs[:1])[0, HALF:].float()
    stroke = (a | b)[HALF:] > 0  # where either bottom has ink
    assert (fill[stroke] - 127.5).abs().max() < 8  # the average of 255 and 0, within 8 grey levels
    assert fill[~stroke].max() < 40  # and dark where neither has ink
    assert hist["step"][-1] == 300 and hist["loss"][-1] < hist["loss"][0]


def test_configs_are_validated_before_any_work():
    for bad, match in [(dict(best_of=0), r"best_of must be an integer in 1\.\.16, got 0"),
                       (dict(l1=-1.0), r"l1 must be a number in \[0, 1000\]"),
                       (dict(net=CompleterConfig(nz=0)), "needs noise"), (dict(tau=0), r"tau must be a number in \(0")]:
        with pytest.raises(ValueError, match=match):
            UncropGANConfig(**bad)
    with pytest.raises(ValueError, match="net.nz must be 0"):
        RegressorConfig(net=CompleterConfig(nz=4))
    with pytest.raises(ValueError, match="width must be an integer in 16..1024"):
        CompleterConfig(width=8)
    with pytest.raises(ValueError, match="exactly one of steps or minutes"):
        fit_uncrop_regressor(digits(4), steps=2, minutes=1.0)
    with pytest.raises(ValueError, match="uint8"):
        UncropGANTrainer(UncropGANConfig(net=TINY), to_unit(digits(4)))


def test_gan_training_is_seeded_and_sees_pairs():
    cfg = UncropGANConfig(net=TINY, ndf=4, batch_size=8, best_of=3, diversity=1.0, log_every=2)
    runs = [UncropGANTrainer(cfg, digits(64)) for _ in range(2)]
    for tr in runs:
        tr.train(steps=4)
    assert runs[0].history == runs[1].history and len(runs[0].history["l1"]) == 2
    for p, q in zip(runs[0].G.parameters(), runs[1].G.parameters()):
        assert torch.equal(p, q)
    other = UncropGANTrainer(UncropGANConfig(net=TINY, ndf=4, batch_size=8, seed=1), digits(64))
    other.train(steps=4)
    assert not torch.equal(next(other.G.parameters()), next(runs[0].G.parameters()))
    D = PairDiscriminator(4)
    x = to_unit(digits(3))
    assert D(condition_image(x), x).shape == (3,)
    assert not torch.allclose(D(condition_image(x), x), D(condition_image(x.flip(0)), x))  # the condition matters


def test_checkpoint_round_trip_fp16(tmp_path):
    torch.manual_seed(0)
    G = Completer(TINY)
    path = save_uncropper(G, tmp_path / "g.pt", "cgan", step=7)
    back = load_uncropper(path)
    assert back.kind == "cgan" and back.step == 7 and back.config == TINY
    imgs = digits(8)
    assert (complete(back, imgs, 3).float() - complete(G, imgs, 3).float()).abs().mean() < 1  # fp16: < 1 grey level
    torch.save({"format": "other"}, tmp_path / "x.pt")
    with pytest.raises(ValueError, match="not an un-cropping checkpoint"):
        load_uncropper(tmp_path / "x.pt")
    with pytest.raises(ValueError, match="kind must be"):
        save_uncropper(G, tmp_path / "y.pt", "vae", step=0)


def test_cli_dry_run_and_errors(tmp_path, capsys):
    from ganlab.__main__ import main
    out = tmp_path / "run"
    assert main(["uncrop", "train", "--dry-run", "--out", str(out)]) == 0
    for name in ("uncrop_regressor_fp16.pt", "uncrop_cgan_fp16.pt", "uncrop_history.json"):
        assert (out / name).is_file()
    assert load_uncropper(out / "uncrop_regressor_fp16.pt").kind == "regressor"
    assert load_uncropper(out / "uncrop_cgan_fp16.pt").nz == 4
    assert main(["uncrop", "train", "--dry-run", "--best-of", "0", "--out", str(out)]) == 2
    assert "best_of must be an integer in 1..16, got 0" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["uncrop", "train", "--steps", "3", "--minutes", "1"])
    assert e.value.code == 2


def test_uncrop_figure_draws_every_column_and_seam():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ganlab.viz import plot_uncrop_rows
    imgs = digits(3)
    fig, ax = plt.subplots()
    out, art = plot_uncrop_rows(imgs, {"a": imgs, "b": imgs}, ax=ax, row_labels=["x", "y", "z"])
    assert out is ax and art["image"].get_array().shape == (3 * 30 + 2, 3 * 30 + 2)  # 3 rows × (given, a, b)
    assert len(art["seams"]) == 2 * 2  # a tick on each side of each filled column
    assert [t.get_text() for t in ax.get_xticklabels()] == ["given", "a", "b"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y", "z"]
    grid = art["image"].get_array()
    assert (grid[2:2 + HALF, 2:30] == imgs[0, :HALF].numpy()).all() and (grid[2 + HALF:30, 2:30] == 0).all()
    plt.close(fig)
