"""DiffAugment ops against references (torch.roll + mask, brute-force counts, autograd vs the known linear map),
D's seeded dropout, the memorisation probe and the trainer's new config fields (CPU, tiny)."""

from __future__ import annotations

import pytest
import torch

from ganlab.images import DCGANConfig, DCGANTrainer, diff_augment, real_accuracy
from ganlab.images.augment import BLANK, cutout, parse_policy, translate
from ganlab.images.nets import Discriminator, Dropout


def _images(n=6, seed=0):
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed)) * 1.8 - 0.9  # never exactly -1


def _roll_reference(x, dx, dy, fill):
    """torch.roll each image, then blank the rows/columns that wrapped around."""
    out = torch.empty_like(x)
    H, W = x.shape[-2:]
    for b in range(len(x)):
        r = torch.roll(x[b], shifts=(int(dy[b]), int(dx[b])), dims=(-2, -1))
        rows, cols = torch.arange(H)[:, None] - int(dy[b]), torch.arange(W)[None, :] - int(dx[b])
        valid = (rows >= 0) & (rows < H) & (cols >= 0) & (cols < W)
        out[b] = torch.where(valid, r, torch.full_like(r, fill))
    return out


def test_translation_is_a_pure_shift_with_blank_padding():
    x = _images()
    dx, dy = torch.tensor([0, 1, -4, 3, 4, -2]), torch.tensor([0, -3, 2, 4, -4, 0])
    assert torch.equal(translate(x, dx, dy), _roll_reference(x, dx, dy, BLANK))
    assert torch.equal(translate(x, torch.zeros(6, dtype=torch.long), torch.zeros(6, dtype=torch.long)), x)


def test_translation_gradient_is_the_reverse_shift():
    x = _images(3).requires_grad_(True)
    w = torch.randn(3, 1, 28, 28, generator=torch.Generator().manual_seed(5))
    dx, dy = torch.tensor([2, -1, 4]), torch.tensor([-3, 0, 1])
    (g,) = torch.autograd.grad((translate(x, dx, dy) * w).sum(), x)
    # out = S x with S a 0/1 shift matrix, so d<w, Sx>/dx = Sᵀ w: w shifted back, zeros where nothing came from
    assert torch.equal(g, _roll_reference(w, -dx, -dy, 0.0))
    assert torch.autograd.gradcheck(lambda t: translate(t, dx[:1], dy[:1]), (x[:1, :, :6, :6].double().detach()
                                                                           .requires_grad_(True),))


@pytest.mark.parametrize("ratio, side", [(0.5, 14), (0.25, 7), (1.0, 28)])
def test_cutout_blanks_exactly_the_stated_fraction(ratio, side):
    x = _images(50)
    out = diff_augment(x, "cutout", torch.Generator().manual_seed(1), cutout_ratio=ratio)
    blanked = (out == BLANK).flatten(1).sum(1)
    assert (blanked == side * side).all()  # every square lies wholly inside: exactly side²/784 of each image
    assert torch.equal(out[out != BLANK], x[out != BLANK])  # the rest is untouched
    # the blanked pixels form one side×side square
    m = (out == BLANK)[:, 0]
    rows, cols = m.any(2), m.any(1)
    assert (rows.sum(1) == side).all() and (cols.sum(1) == side).all()


def test_cutout_gradient_is_the_mask():
    x = _images(2).requires_grad_(True)
    top, left = torch.tensor([0, 10]), torch.tensor([14, 3])
    (g,) = torch.autograd.grad(cutout(x, top, left, 14).sum(), x)
    assert g.sum() == 2 * (784 - 196) and set(g.unique().tolist()) == {0.0, 1.0}
    assert (g[0, 0, :14, 14:] == 0).all() and (g[1, 0, 10:24, 3:17] == 0).all()


def test_identity_at_zero_strength_and_seeded():
    x = _images()
    g = torch.Generator().manual_seed(0)
    assert torch.equal(diff_augment(x, "translation,cutout", g, translation=0.0, cutout_ratio=0.0), x)
    assert torch.equal(diff_augment(x, "", g), x)
    a = diff_augment(x, "translation,cutout", torch.Generator().manual_seed(3))
    b = diff_augment(x, "translation,cutout", torch.Generator().manual_seed(3))
    c = diff_augment(x, "translation,cutout", torch.Generator().manual_seed(4))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_gradient_flows_to_a_generator_through_the_augmentation():
    x = torch.zeros(4, 1, 28, 28, requires_grad=True)
    out = diff_augment(torch.tanh(x), "translation,cutout", torch.Generator().manual_seed(0))
    (g,) = torch.autograd.grad(out.sum(), x)
    # each image keeps 784 - 196 pixels after cutout, minus those lost at the border by the shift; tanh'(0) = 1
    assert ((g == 0) | (g == 1)).all() and (g.flatten(1).sum(1) > 300).all()


def test_policy_parsing_and_config_validation():
    assert parse_policy("translation, cutout") == ("translation", "cutout") and parse_policy("") == ()
    with pytest.raises(ValueError, match=r"unknown augmentation 'color'.*translation, cutout"):
        DCGANConfig(augment="translation,color")
    with pytest.raises(ValueError, match=r"d_dropout must be a probability in \[0, 1\), got 1.0"):
        DCGANConfig(d_dropout=1.0)
    with pytest.raises(ValueError, match=r"train_images must be an integer >= 0 \(0: all\), got -1"):
        DCGANConfig(train_images=-1)
    data = torch.zeros(40, 28, 28, dtype=torch.uint8)
    with pytest.raises(ValueError, match=r"train_images 50 is more than the data \(40 images\)"):
        DCGANTrainer(DCGANConfig(train_images=50, batch_size=8), device="cpu", data=data)


def test_seeded_dropout_matches_its_definition():
    drop = Dropout(0.25)
    drop.generator = torch.Generator().manual_seed(0)
    x = torch.ones(20000)
    y = drop(x)
    assert torch.allclose(y.unique(), torch.tensor([0.0, 1 / 0.75]))  # kept values scaled by 1/(1 - p)
    assert abs((y == 0).float().mean().item() - 0.25) < 0.01  # binomial sd 0.003
    drop.eval()
    assert torch.equal(drop(x), x)
    D = Discriminator(DCGANConfig(ndf=4, d_dropout=0.5))
    assert sum(isinstance(m, Dropout) for m in D.modules()) == 2
    plain = Discriminator(DCGANConfig(ndf=4))
    assert [v.shape for v in D.state_dict().values()] == [v.shape for v in plain.state_dict().values()]
    assert isinstance(D.features[2], Dropout) and isinstance(D.features[6], Dropout)  # after each LeakyReLU
    assert not any(isinstance(m, Dropout) for m in plain.modules())  # d_dropout=0: the layers of before


def test_real_accuracy_counts_logits_above_zero_and_leaves_D_alone():
    D = Discriminator(DCGANConfig(ndf=4, d_dropout=0.5))
    imgs = torch.randint(0, 256, (33, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    before = {k: v.clone() for k, v in D.state_dict().items()}
    acc = real_accuracy(D, imgs, batch_size=16)  # batches 16, 17 (a lone last image joins the one before)
    D2 = Discriminator(DCGANConfig(ndf=4, d_dropout=0.5))
    D2.load_state_dict(before)
    D2.train()
    for m in D2.modules():
        if isinstance(m, Dropout):
            m.eval()
    from ganlab.images import to_unit
    with torch.no_grad():
        ref = torch.cat([D2(to_unit(imgs[:16])), D2(to_unit(imgs[16:]))])
    assert acc == int((ref > 0).sum()) / 33  # the same count
    assert all(torch.equal(before[k], v) for k, v in D.state_dict().items())  # BN statistics untouched


def test_trainer_records_probe_and_resumes_exactly(tmp_path):
    data = torch.randint(0, 256, (64, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))
    held = torch.randint(0, 256, (20, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(2))
    cfg = DCGANConfig(nz=8, ngf=4, ndf=4, batch_size=16, log_every=2, amp="off", augment="translation,cutout",
                      d_dropout=0.3, train_images=48, probe_images=20)
    straight = DCGANTrainer(cfg, device="cpu", data=data, heldout=held)
    assert len(straight.data) == 48 and straight.steps_per_epoch == 3
    straight.train(steps=6, progress=False)
    assert len(straight.history["acc_train"]) == len(straight.history["acc_heldout"]) == 3
    assert all(v in [i / 20 for i in range(21)] for v in straight.history["acc_heldout"])
    half = DCGANTrainer(cfg, device="cpu", data=data, heldout=held)
    half.train(steps=4, progress=False)
    path = half.save(tmp_path / "last.pt")
    torch.manual_seed(123)  # the dropout and augmentation streams are the trainer's own: this must not matter
    resumed = DCGANTrainer.load(path, device="cpu", data=data, heldout=held)
    resumed.train(steps=2, progress=False)
    assert resumed.history == {**straight.history, "seconds": resumed.history["seconds"],
                               "images_per_s": resumed.history["images_per_s"]}
    for a, b in zip(straight.state_dict()["D"].values(), resumed.state_dict()["D"].values()):
        assert torch.equal(a, b)


def test_overfit_experiment_runs_reproducibly_and_plots():
    from ganlab.images import MnistCNN, final_gap, overfit_table, train_overfit_variant
    from ganlab.viz import plot_probe_curves
    g = torch.Generator().manual_seed(0)
    data, held = (torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=g) for n in (40, 24))
    clf = MnistCNN().eval()  # untrained: the plumbing, not the numbers
    kw = dict(n_eval=20, data=data, heldout=held, reference=held, classifier=clf, nz=8, ngf=4, ndf=4, batch_size=8,
              train_images=32, probe_images=16, log_every=1)
    rows = [train_overfit_variant(v, 0, 2, **kw)[0] for v in ("baseline", "dropout")]
    again, grid = train_overfit_variant("dropout", 0, 2, **kw)
    assert again["fid"] == rows[1]["fid"] and again["history"] == rows[1]["history"]  # same seed, same numbers
    assert grid.shape == (242, 242) and rows[1]["config"]["d_dropout"] == 0.3 and rows[0]["config"]["d_dropout"] == 0
    h = rows[0]["history"]
    assert h["step"] == [1, 2] and final_gap(rows[0], last=2) == pytest.approx(
        (h["acc_train"][0] + h["acc_train"][1] - h["acc_heldout"][0] - h["acc_heldout"][1]) / 2)
    assert "baseline" in overfit_table(rows) and "median" in overfit_table(rows)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    fake = [{"variant": "v", "config": {"train_images": 300}, "history": {"step": [1, 2], "acc_train": [a, b],
                                                                          "acc_heldout": [0.5, 0.5]}}
            for a, b in ((0.6, 0.9), (0.8, 1.0), (0.7, 0.7))]
    lines = plot_probe_curves(fake, "v", ax=ax)
    assert list(lines["acc_train"].get_ydata()) == [0.7, 0.9]  # the median over seeds
    from ganlab.viz import plot_variant_metric
    assert list(plot_variant_metric(fake, "acc_train", ax=ax)["v"].get_ydata()) == [0.7, 0.9]
    plt.close(fig)
    with pytest.raises(ValueError, match="no runs of variant 'w'"):
        plot_probe_curves(fake, "w", ax=ax)


def test_memorised_score_is_the_pairwise_ranking_brute_force():
    from ganlab.images.probe import probe_scores, real_logits
    D = Discriminator(DCGANConfig(ndf=4))
    g = torch.Generator().manual_seed(3)
    tr_imgs, held = (torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=g) for n in (12, 9))
    s = probe_scores(D, tr_imgs, held, batch_size=4)
    lt, lh = real_logits(D, tr_imgs, 4).tolist(), real_logits(D, held, 4).tolist()
    pairs = [1.0 if a > b else 0.5 if a == b else 0.0 for a in lt for b in lh]
    assert s["memorised"] == pytest.approx(sum(pairs) / len(pairs), abs=1e-7)
    assert s["acc_train"] == sum(a > 0 for a in lt) / 12 and s["acc_heldout"] == real_accuracy(D, held, 4)
    same = probe_scores(D, held, held, batch_size=9)  # identical sets: ties on the diagonal, symmetric elsewhere
    assert same["memorised"] == pytest.approx(0.5, abs=1e-7)
