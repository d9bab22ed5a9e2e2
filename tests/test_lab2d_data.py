"""The 2-D lab's data and measurements against references: targets from drawn points, arrays and CSV files,
coverage and bin masses vs the mixture versions, the exact minibatch W1 vs hand-computed values and brute force,
the histogram JSD vs ``hist_jsd_2d``, the noise lattice behind the manifold, and the LSGAN / hinge losses."""

import itertools
import math

import numpy as np
import pytest
import torch
from scipy.optimize import linear_sum_assignment
from scipy.stats import norm

from ganlab.theory.losses import hinge_d_loss, hinge_g_loss, least_squares_d_loss, least_squares_g_loss
from ganlab.toy import (TARGETS_2D, Target2D, coverage, from_array, from_csv, from_mixture, from_points, grid,
                        hist_jsd, hist_jsd_2d, hist_jsd_floor, minibatch_w1, minibatch_w1_floor, noise_lattice,
                        read_points_csv, ring, target2d)


# ----- data sources -------------------------------------------------------------------------------------------
def test_drawn_points_become_one_kernel_each():
    t = from_points([(0.0, 1.0), (0.05, 1.0), (2.0, -1.0)], sd=0.1, view=3.0)
    assert np.array_equal(t.points, [[0, 1], [0.05, 1], [2, -1]]) and t.sd == 0.1 and t.box() == 3.0
    assert t.n_parts == 2  # the two close points (0.05 < 3 sd apart) form one blob
    x = t.sample(3000, seed=0)
    near_first_blob = np.hypot(x[:, 0] - 0.025, x[:, 1] - 1.0) < 0.5
    assert abs(near_first_blob.mean() - 2 / 3) < 0.03  # two of three kernels there
    with pytest.raises(ValueError, match="no points yet"):
        from_points([])


def test_array_is_fitted_into_the_box_and_bad_arrays_are_named():
    x = np.array([[100.0, 100.0], [104.0, 100.0], [100.0, 103.0]])
    t = from_array(x)
    assert np.allclose(t.points.mean(0), 0) and np.isclose(np.hypot(*t.points.T).max(), 2.0)
    assert "scaled" in t.note
    raw = from_array(x, fit=False, sd=0.5)
    assert np.array_equal(raw.points, x) and raw.sd == 0.5
    with pytest.raises(ValueError, match=r"\(N, 2\) array .* got shape \(3,\)"):
        from_array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="row 1 is not finite"):
        from_array([[0, 0], [np.nan, 1]])


def test_big_arrays_are_subsampled_reproducibly():
    x = np.random.default_rng(0).normal(size=(5000, 2))
    a, b = from_array(x), from_array(x)
    assert len(a.points) == 2000 and np.array_equal(a.points, b.points) and "2000 of 5000" in a.note


def test_csv_with_a_header_and_blank_lines(tmp_path):
    p = tmp_path / "pts.csv"
    p.write_text("x,y\n0,1\n\n2.5, -3\n1e-1,4\n")
    assert read_points_csv(p).tolist() == [[0, 1], [2.5, -3], [0.1, 4]]
    t = from_csv(p)
    assert len(t.points) == 3 and t.name.startswith("pts.csv")


@pytest.mark.parametrize("text, match", [
    ("0,1\n2,x\n", "pts.csv line 2: expected two numbers x,y, got '2,x'"),
    ("0,1\n1,2,3\n", "line 2: expected two numbers x,y, got 3 values"),
    ("0,1\n5\n", "line 2: expected two numbers x,y, got 1 values"),
    ("x,y\n0,1\nnan,2\n", "line 3: values must be finite"),
    ("x,y\n", "holds no points"),
    ("a,b\nc,d\n", "line 2: expected two numbers"),  # only the first row may be a header
])
def test_csv_bad_rows_give_clear_errors(tmp_path, text, match):
    p = tmp_path / "pts.csv"
    p.write_text(text)
    with pytest.raises(ValueError, match=match):
        from_csv(p)


def test_missing_csv(tmp_path):
    with pytest.raises(FileNotFoundError, match="no CSV file"):
        from_csv(tmp_path / "nope.csv")


@pytest.mark.parametrize("name", TARGETS_2D)
def test_built_in_targets_sample_inside_their_box(name):
    t = target2d(name)
    x = t.sample(2000, 1)
    assert x.shape == (2000, 2) and np.all(np.abs(x) < t.box())
    xt = t.sample_torch(2000, torch.Generator().manual_seed(0))
    assert xt.dtype == torch.float32 and np.allclose(xt.numpy().mean(0), x.mean(0), atol=0.15)
    assert t.coverage(x)["covered"] == t.n_parts and t.coverage(x)["quality"] > 0.98


def test_target_validation():
    with pytest.raises(ValueError, match="sd must be a finite number > 0"):
        Target2D([[0, 0]], sd=0)
    with pytest.raises(ValueError, match="weights"):
        Target2D([[0, 0], [1, 1]], sd=1, weights=[1, -1])
    with pytest.raises(ValueError, match="unknown target"):
        target2d("spiral")


# ----- coverage and exact masses agree with the mixture versions ----------------------------------------------
@pytest.mark.parametrize("gm", [ring(8), grid(5)], ids=["ring", "grid"])
def test_coverage_and_masses_match_the_mixture_functions(gm):
    t = from_mixture(gm)
    x = np.concatenate([gm.sample(300, 0), np.random.default_rng(1).uniform(-5, 5, (200, 2))])[:400]
    mine, ref = t.coverage(x), coverage(x, gm)
    assert mine["covered"] == ref["covered"] and mine["quality"] == ref["quality"]
    assert np.array_equal(mine["counts"], ref["counts"])
    e = np.linspace(-4, 4, 41)
    assert np.allclose(t.bin_masses(e), gm.box_masses(e, e), atol=1e-12)


def test_pdf_integrates_to_the_bin_masses():
    t = target2d("two moons")
    e = np.linspace(-t.box(), t.box(), 121)
    c = 0.5 * (e[1:] + e[:-1])
    gx, gy = np.meshgrid(c, c, indexing="ij")
    approx = t.pdf(np.stack([gx, gy], -1)) * (e[1] - e[0]) ** 2
    assert np.abs(approx - t.bin_masses(e)).sum() < 0.02 and abs(t.bin_masses(e).sum() - 1) < 1e-6


def test_a_collapsed_generator_covers_one_part():
    t = target2d("two moons")
    spike = t.points[0] + 0.01 * np.random.default_rng(0).normal(size=(500, 2))
    c = t.coverage(spike)
    assert c["covered"] == 1 and c["quality"] == 1.0 and c["n_modes"] == 6


# ----- the exact minibatch W1 -------------------------------------------------------------------------------
def test_w1_hand_computed():
    # real (0,0), (2,0); fake (2,1), (0,1): the crossing matching costs 1 + 1, the other sqrt(5) + sqrt(5)
    assert minibatch_w1([[0, 0], [2, 0]], [[2, 1], [0, 1]]) == pytest.approx(1.0)
    # three points moved by (3, 4): every matching costs >= 5 on average, the identity exactly 5
    a = np.array([[0, 0], [1, 0], [0, 1]], dtype=float)
    assert minibatch_w1(a, a + [3, 4]) == pytest.approx(5.0)
    assert minibatch_w1(a, a[::-1]) == 0.0  # the same set in another order


def test_w1_matches_brute_force_and_the_1d_formula():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    brute = min(np.mean(np.hypot(*(a - b[list(p)]).T)) for p in itertools.permutations(range(6)))
    assert minibatch_w1(a, b) == pytest.approx(brute)
    cost = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    r, c = linear_sum_assignment(cost)
    assert minibatch_w1(a, b) == pytest.approx(cost[r, c].mean())
    u, v = rng.normal(size=50), rng.normal(2, 1, size=50)  # on a line: W1 = mean |sorted u - sorted v|
    on_line = lambda s: np.c_[s, np.zeros_like(s)]
    assert minibatch_w1(on_line(u), on_line(v)) == pytest.approx(np.abs(np.sort(u) - np.sort(v)).mean())


def test_w1_errors_and_floor():
    with pytest.raises(ValueError, match="same shape"):
        minibatch_w1(np.zeros((3, 2)), np.zeros((4, 2)))
    assert minibatch_w1([[0, 0]], [[np.nan, 0]]) == math.inf
    t = target2d("ring of 8")
    floor = minibatch_w1_floor(t, 64)
    assert 0.1 < floor < 1.0 and minibatch_w1_floor(t, 512) < floor  # the bias shrinks with n


# ----- the histogram JSD --------------------------------------------------------------------------------------
def test_hist_jsd_matches_hist_jsd_2d_on_the_same_bins():
    gm = ring(8)
    x = gm.sample(3000, 2) * 1.1
    assert hist_jsd(x, from_mixture(gm), gm.extent(), bins=80) == pytest.approx(hist_jsd_2d(x, gm, 80), rel=1e-9)


def test_hist_jsd_floor_and_disjoint_supports():
    t = target2d("ring of 8")
    floor = hist_jsd_floor(t, 1000, t.box())
    assert 0 < floor < 0.05 and hist_jsd_floor(t, 20000, t.box()) < floor  # biased upward, less with more samples
    far = np.full((1000, 2), 2.9)  # all fakes in one empty bin: the JSD is almost log 2
    assert hist_jsd(far, t, t.box()) > 0.69


# ----- the noise lattice behind the manifold ------------------------------------------------------------------
def test_noise_lattice_shapes_and_ranges():
    z = noise_lattice("uniform", 2, lines=5, points=9)
    assert z.shape == (10, 9, 2) and z.min() == -1 and z.max() == 1
    assert np.allclose(z[:5, :, 0], np.linspace(-1, 1, 5)[:, None])  # lines of constant z1
    assert np.allclose(z[5:, :, 1], np.linspace(-1, 1, 5)[:, None])  # lines of constant z2
    assert noise_lattice("gaussian", 1, points=7).shape == (1, 7, 1)
    z3 = noise_lattice("gaussian", 3)
    assert z3.shape == (22, 41, 3) and np.all(z3[..., 2] == 0)
    with pytest.raises(ValueError, match="unknown noise"):
        noise_lattice("cauchy", 2)


def test_gaussian_lattice_cells_hold_equal_mass():
    z = noise_lattice("gaussian", 2, lines=11)
    levels = z[:11, 0, 0]
    mass = np.diff(norm.cdf(levels))
    assert np.allclose(mass, mass[0]) and levels[0] == pytest.approx(norm.ppf(0.01))


def test_the_manifold_is_the_image_of_the_lattice():
    from ganlab.toy import Toy2DConfig, Toy2DTrainer, MLPConfig
    tr = Toy2DTrainer(Toy2DConfig(g=MLPConfig(depth=0), noise="uniform"))  # G is one linear map
    with torch.no_grad():
        lin = tr.G.net[0]
        lin.weight.copy_(torch.tensor([[2.0, 0.0], [0.0, 0.5]]))
        lin.bias.copy_(torch.tensor([1.0, -1.0]))
    z = noise_lattice("uniform", 2, lines=3, points=5)
    img = tr.manifold(z)
    assert np.allclose(img, z * [2.0, 0.5] + [1.0, -1.0], atol=1e-6)


# ----- the two added losses -------------------------------------------------------------------------------------
def test_least_squares_and_hinge_losses_hand_computed():
    real, fake = torch.tensor([1.0, 0.0, 2.0]), torch.tensor([0.0, 1.0, -2.0])
    # LSGAN D: ½ mean((r-1)²) + ½ mean(f²) = ½ (0+1+1)/3 + ½ (0+1+4)/3 = 1/3 + 5/6
    assert least_squares_d_loss(real, fake).item() == pytest.approx(1 / 3 + 5 / 6)
    # LSGAN G: ½ mean((f-1)²) = ½ (1+0+9)/3
    assert least_squares_g_loss(fake).item() == pytest.approx(5 / 3)
    # hinge D: mean(relu(1-r)) + mean(relu(1+f)) = (0+1+0)/3 + (1+2+0)/3
    assert hinge_d_loss(real, fake).item() == pytest.approx(4 / 3)
    assert hinge_g_loss(fake).item() == pytest.approx(1 / 3)
    per_model = least_squares_d_loss(real.view(1, 3, 1).repeat(2, 1, 1), fake.view(1, 3, 1).repeat(2, 1, 1), dim=(1, 2))
    assert per_model.shape == (2,) and torch.allclose(per_model, torch.tensor(1 / 3 + 5 / 6))


def test_hinge_has_no_gradient_beyond_the_margin():
    s = torch.tensor([2.0, 0.5], requires_grad=True)  # real scores: 2 is past the margin, 0.5 is not
    hinge_d_loss(s, torch.tensor([-3.0])).backward()
    assert s.grad.tolist() == [0.0, -0.5]
