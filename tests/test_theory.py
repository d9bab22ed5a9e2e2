"""Exact 1-D theory against trusted references (scipy, closed forms)."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats
from scipy.spatial.distance import jensenshannon

from ganlab.theory import Gaussian, GaussianMixture
from ganlab.theory import (LOG2, LOG4, js_divergence, js_from_values, kl_divergence, optimal_discriminator,
                           quadrature, value, value_at_optimum, wasserstein1)

PAIRS = [
    (Gaussian(0, 1), Gaussian(0, 1)),
    (Gaussian(0, 1), Gaussian(1, 1)),
    (Gaussian(0, 1), Gaussian(0.3, 2.5)),
    (Gaussian(0, 1), Gaussian(0.5, 1e-3)),  # a narrow peak inside a wide bell
    (Gaussian(-3, 0.01), Gaussian(3, 0.02)),  # narrow and far apart
    (Gaussian(0, 1), Gaussian(40, 1)),  # far apart
    (GaussianMixture((-2, 2), (0.5, 0.5)), Gaussian(0, 2)),
    (GaussianMixture((-1, 0, 4), (0.2, 1, 0.05), (0.2, 0.5, 0.3)), GaussianMixture((0, 3), (1, 0.3), (0.6, 0.4))),
]


def kl_gauss(p, q):
    return math.log(q.sd / p.sd) + (p.sd**2 + (p.mean - q.mean) ** 2) / (2 * q.sd**2) - 0.5


def jsd_reference_quad(p, q):
    """Reference JSD by adaptive quad, split at every component's mean ± 10 sd so no peak is missed."""
    pts = sorted({m + k * s for d in (p, q) for _, m, s in d.components() for k in np.linspace(-10, 10, 41)})

    def f(x):
        a, b = p.pdf(x), q.pdf(x)
        m = 0.5 * (a + b)
        out = 0.0
        if a > 0:
            out += 0.5 * a * math.log(a / m)
        if b > 0:
            out += 0.5 * b * math.log(b / m)
        return out

    return sum(integrate.quad(f, lo, hi, epsabs=1e-13, epsrel=1e-12, limit=200)[0] for lo, hi in zip(pts[:-1], pts[1:]))


@pytest.mark.parametrize("p,q", PAIRS[:6])
def test_kl_matches_gaussian_closed_form(p, q):
    assert kl_divergence(p, q) == pytest.approx(kl_gauss(p, q), abs=1e-6, rel=1e-9)


@pytest.mark.parametrize("p,q", PAIRS)
def test_jsd_matches_scipy_jensenshannon_squared(p, q):
    # scipy's jensenshannon returns the square root of JSD, on discrete vectors; use the same nodes.
    x, w = quadrature(p, q)
    pv, qv = p.pdf(x) * w, q.pdf(x) * w
    ref = jensenshannon(pv, qv) ** 2
    assert js_divergence(p, q) == pytest.approx(ref, abs=1e-9)


@pytest.mark.parametrize("p,q", PAIRS)
def test_jsd_accurate_to_1e6_nats_vs_adaptive_quad(p, q):
    assert js_divergence(p, q) == pytest.approx(jsd_reference_quad(p, q), abs=1e-6)


def test_naive_quad_misses_a_narrow_peak_but_we_do_not():
    p, q = Gaussian(0, 1), Gaussian(5, 1e-3)
    naive = integrate.quad(q.pdf, -np.inf, np.inf)[0]
    x, w = quadrature(p, q)
    assert naive < 0.5  # the pitfall is real
    assert np.sum(w * q.pdf(x)) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("p,q", PAIRS)
def test_jsd_bounds_and_symmetry(p, q):
    a, b = js_divergence(p, q), js_divergence(q, p)
    assert 0.0 <= a <= LOG2
    assert a == pytest.approx(b, abs=1e-12)


def test_jsd_zero_iff_equal():
    assert js_divergence(Gaussian(1, 2), Gaussian(1, 2)) == pytest.approx(0.0, abs=1e-12)
    assert js_divergence(Gaussian(1, 2), Gaussian(1.01, 2)) > 1e-6


def test_disjoint_supports_give_log2():
    assert js_divergence(Gaussian(0, 0.1), Gaussian(100, 0.1)) == pytest.approx(LOG2, abs=1e-9)


def test_optimal_discriminator_is_half_when_equal_and_the_posterior_otherwise():
    x = np.linspace(-5, 5, 101)
    p = Gaussian(0, 1).pdf(x)
    assert np.allclose(optimal_discriminator(p, p), 0.5)
    q = Gaussian(1, 2).pdf(x)
    d = optimal_discriminator(p, q)
    assert np.allclose(d, p / (p + q))
    assert optimal_discriminator([0.0], [0.0])[0] == 0.5
    with pytest.raises(ValueError):
        optimal_discriminator([-1.0], [1.0])


@pytest.mark.parametrize("p,q", PAIRS)
def test_value_identity(p, q):
    # V(G, D*) = 2 JSD - log 4, and D* is the argmax: any other D does worse.
    v_star = value_at_optimum(p, q)
    assert v_star == pytest.approx(2 * js_divergence(p, q) - LOG4, abs=1e-9)
    assert v_star >= -LOG4 - 1e-12
    assert value(lambda x: np.full_like(x, 0.5), p, q) == pytest.approx(-LOG4, abs=1e-9)
    assert value(lambda x: np.full_like(x, 0.5), p, q) <= v_star + 1e-12


def test_pointwise_argmax_of_a_log_y_plus_b_log_1_minus_y():
    # The derivation of D*: y = a / (a + b) maximises a log y + b log(1 - y).
    y = np.linspace(1e-4, 1 - 1e-4, 200001)
    for a, b in [(0.3, 0.7), (2.0, 0.5), (1.0, 1.0)]:
        best = y[np.argmax(a * np.log(y) + b * np.log(1 - y))]
        assert best == pytest.approx(a / (a + b), abs=1e-4)


def test_js_from_values_handles_zeros():
    w = np.ones(3)
    assert js_from_values([1, 0, 0], [0, 0, 1], w) == pytest.approx(LOG2)


@pytest.mark.parametrize("kwargs,match", [
    (dict(mean=0, sd=0), "sd must be > 0"), (dict(mean=0, sd=-1), "sd must be > 0"),
    (dict(mean=float("nan"), sd=1), "finite"),
])
def test_gaussian_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Gaussian(**kwargs)


@pytest.mark.parametrize("kwargs,match", [
    (dict(means=(0, 1), sds=(1, 1), weights=(0.5, 0.6)), "sum to 1"),
    (dict(means=(0, 1), sds=(1, -1)), r"sds\[1\] must be > 0"),
    (dict(means=(0, 1), sds=(1,)), "must match"),
    (dict(means=(0, 1), sds=(1, 1), weights=(1.5, -0.5)), ">= 0"),
])
def test_mixture_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(**kwargs)


def test_sampling_is_seeded_and_matches_moments():
    mix = GaussianMixture((-2, 2), (0.5, 1.0), (0.25, 0.75))
    a, b = mix.sample(200_000, seed=3), mix.sample(200_000, seed=3)
    assert np.array_equal(a, b)
    mean = -2 * 0.25 + 2 * 0.75
    var = 0.25 * (0.25 + 4) + 0.75 * (1 + 4) - mean**2
    assert a.mean() == pytest.approx(mean, abs=0.02)
    assert a.var() == pytest.approx(var, rel=0.02)
    import torch
    t1 = mix.sample_torch(1000, torch.Generator().manual_seed(1))
    t2 = mix.sample_torch(1000, torch.Generator().manual_seed(1))
    assert t1.shape == (1000, 1) and torch.equal(t1, t2)


def test_pdfs_integrate_to_one():
    for d in (Gaussian(3, 0.01), GaussianMixture((-5, 0, 9), (0.1, 1, 3), (0.2, 0.3, 0.5))):
        x, w = quadrature(d)
        assert np.sum(w * d.pdf(x)) == pytest.approx(1.0, abs=1e-12)


def w1_gaussians_closed_form(p, q):
    """Quantile coupling: X - Y = Δμ + Δσ·Z, so W1 = E|Δμ + Δσ Z| (mean of a folded normal)."""
    dm, ds = p.mean - q.mean, abs(p.sd - q.sd)
    if ds == 0:
        return abs(dm)
    return ds * math.sqrt(2 / math.pi) * math.exp(-dm**2 / (2 * ds**2)) + dm * (1 - 2 * stats.norm.cdf(-dm / ds))


@pytest.mark.parametrize("p,q", PAIRS[:6])
def test_wasserstein1_matches_gaussian_closed_form(p, q):
    assert wasserstein1(p, q) == pytest.approx(w1_gaussians_closed_form(p, q), abs=1e-9)
    assert wasserstein1(q, p) == pytest.approx(wasserstein1(p, q), abs=1e-12)


def test_wasserstein1_of_a_shift_is_the_shift():
    # W1 between N(0, s²) and N(Δ, s²) is |Δ|, however far apart they are (where the JSD sits at log 2).
    for delta in (0.0, 0.5, -3.0, 40.0):
        assert wasserstein1(Gaussian(0, 0.3), Gaussian(delta, 0.3)) == pytest.approx(abs(delta), abs=1e-9)


@pytest.mark.parametrize("p,q", [PAIRS[1], PAIRS[2], PAIRS[6], PAIRS[7]])
def test_wasserstein1_vs_scipy_on_samples(p, q):
    a, b = p.sample(200_000, seed=1), q.sample(200_000, seed=2)
    assert wasserstein1(p, q) == pytest.approx(stats.wasserstein_distance(a, b), abs=0.02)


@pytest.mark.parametrize("p,q", PAIRS)
def test_wasserstein1_vs_scipy_weighted_on_our_nodes(p, q):
    # scipy's exact discrete W1 on the quadrature nodes, weighted by the probability mass at each node.
    x, w = quadrature(p, q)
    ref = stats.wasserstein_distance(x, x, p.pdf(x) * w, q.pdf(x) * w)
    assert wasserstein1(p, q) == pytest.approx(ref, rel=0.02, abs=1e-3)


def test_weights_that_pass_validation_also_sample():
    """Issue 14.10: (0.3333333,)*3 passed the 1e-6 tolerance, then numpy refused to sample it."""
    mix = GaussianMixture((0.0, 1.0, 2.0), (1.0, 1.0, 1.0), (0.3333333,) * 3)
    assert abs(sum(mix.weights) - 1.0) < 1e-15
    assert mix.sample(10, seed=0).shape == (10,)
    assert mix.sample_torch(10).shape == (10, 1)


@pytest.mark.parametrize("make, match", [
    (lambda: Gaussian(1e20, 1.0), r"mean must be in \[-10000, 10000\]"),
    (lambda: Gaussian(0.0, 1e-9), r"sd must be in \[0.0001, 10000\]"),
    (lambda: GaussianMixture((0.0, 5e4), (1.0, 1.0)), r"means\[1\] must be in"),
])
def test_parameters_outside_what_the_quadrature_handles_are_refused(make, match):
    """Issue 14.10: a target mean of 1e20 gave JSD 0.173 instead of log 2."""
    with pytest.raises(ValueError, match=match):
        make()


def test_the_quadrature_is_exact_at_the_edges_of_the_allowed_range():
    assert js_divergence(Gaussian(0, 1), Gaussian(1e4, 1)) == pytest.approx(LOG2, abs=1e-9)
    assert js_divergence(Gaussian(-1e4, 1e-4), Gaussian(1e4, 1e-4)) == pytest.approx(LOG2, abs=1e-9)
    assert js_divergence(Gaussian(3, 1e4), Gaussian(3, 1e4)) == pytest.approx(0.0, abs=1e-9)


def test_unclipped_jsd_is_the_raw_sum_and_stays_in_range():
    """Issue 17 (02 [22]): the bounds checks in notebook 02 used the clipped JSD, so they could not fail."""
    assert js_from_values([1.0, 0.0], [1.0, 0.0], [1.0, 1.0], clip=False) == 0.0
    assert js_from_values([2.0, 0.0], [0.0, 2.0], [1.0, 1.0], clip=False) == pytest.approx(2 * LOG2)  # unnormalised: out of range
    assert js_from_values([2.0, 0.0], [0.0, 2.0], [1.0, 1.0]) == LOG2  # the default clamps it
    rng = np.random.default_rng(0)
    for _ in range(20):
        p = Gaussian(rng.uniform(-5, 5), rng.uniform(0.1, 3))
        q = GaussianMixture(tuple(rng.uniform(-5, 5, 2)), tuple(rng.uniform(0.1, 2, 2)))
        raw = js_divergence(p, q, clip=False)
        assert -1e-9 < raw < LOG2 + 1e-9


def test_r1_penalty_of_a_linear_logit_is_half_the_squared_slope():
    """R1 = ½ E|∇_x ℓ(x)|²: for ℓ(x) = w·x + b the gradient is w everywhere, so R1 = ½|w|²; it is
    differentiable in w (create_graph), with gradient w; extra arguments reach the discriminator."""
    from ganlab.theory import r1_penalty
    w = torch.tensor([0.6, -0.8, 2.0], requires_grad=True)
    critic = lambda x, shift=0.0: x @ w + 3.0 + shift
    x = torch.randn(7, 3)
    pen = r1_penalty(critic, x)
    assert pen.item() == pytest.approx(0.5 * (0.36 + 0.64 + 4.0))
    (g,) = torch.autograd.grad(pen, w)
    assert torch.allclose(g, w.detach())
    assert r1_penalty(critic, x, 5.0).item() == pytest.approx(pen.item())
    assert not x.requires_grad                                    # the caller's batch is left alone


def test_dirac_gan_continuous_circles_simultaneous_spirals_out_r1_converges():
    """Mescheder et al. 2018: the flow conserves θ² + ψ² (a circle); simultaneous steps multiply it by exactly
    1 + h² σ(ψθ)² per step; alternating steps stay bounded; R1 pulls the spiral into (0, 0); and the field is
    the gradient of V(θ, ψ) = log σ(0) + log(1 − σ(ψθ)) (descent in θ, ascent in ψ), checked by autograd."""
    from ganlab.theory import dirac_field, dirac_trajectory
    circle = dirac_trajectory(1.0, 0.5, steps=300, lr=0.1, mode="continuous")
    r2 = (circle ** 2).sum(1)
    assert np.allclose(r2, r2[0], rtol=1e-8)                                   # a circle
    assert np.ptp(np.unwrap(np.arctan2(circle[:, 1], circle[:, 0]))) > 2 * np.pi   # a full turn at least
    sim = dirac_trajectory(1.0, 0.5, steps=300, lr=0.1)
    fp = 1 / (1 + np.exp(-sim[:-1, 0] * sim[:-1, 1]))                          # σ(ψθ) at each step
    assert np.allclose((sim[1:] ** 2).sum(1), (sim[:-1] ** 2).sum(1) * (1 + 0.01 * fp ** 2), rtol=1e-12)
    alt = dirac_trajectory(1.0, 0.5, steps=3000, lr=0.1, mode="alternating")
    assert (alt ** 2).sum(1).max() < 2 * r2[0]                                 # bounded
    damped = dirac_trajectory(1.0, 0.5, steps=3000, lr=0.1, mode="simultaneous", r1=1.0)
    assert np.hypot(*damped[-1]) < 1e-3                                       # converges to the equilibrium
    assert dirac_field(0.0, 0.0) == (0.0, 0.0)
    th, ps = torch.tensor(0.7, requires_grad=True, dtype=torch.float64), torch.tensor(-1.3, requires_grad=True, dtype=torch.float64)
    V = torch.log(torch.sigmoid(ps * 0.0)) + torch.log(1 - torch.sigmoid(ps * th))
    g_th, g_ps = torch.autograd.grad(V, (th, ps))
    assert np.allclose(dirac_field(0.7, -1.3), (-g_th.item(), g_ps.item()))
    with pytest.raises(ValueError, match="mode"):
        dirac_trajectory(mode="leapfrog")
