"""p_g of a generator vs closed forms (linear G: Gaussian; G = z²: chi-square with 1 dof)."""

import numpy as np
import pytest
import torch
from scipy import stats

from ganlab.theory import generator_density, kde_density, masses_from_samples, pushforward_masses


class Affine(torch.nn.Module):
    noise_dim = 1

    def __init__(self, a, b):
        super().__init__()
        self.a, self.b = a, b

    def forward(self, z):
        return self.a * z + self.b


class Square(torch.nn.Module):
    noise_dim = 1

    def forward(self, z):
        return z**2


class Clamp(torch.nn.Module):
    noise_dim = 1

    def forward(self, z):
        return torch.clamp(z, min=0.0)  # half the mass collapses onto x = 0


@pytest.mark.parametrize("a", [2.0, -0.5])
def test_linear_generator_gives_exact_gaussian(a):
    x = np.linspace(-4, 8, 301)
    dens = generator_density(Affine(a, 3.0), x)
    assert np.allclose(dens, stats.norm.pdf(x, 3.0, abs(a)), atol=1e-4)


def test_non_monotone_generator_sums_both_branches():
    x = np.linspace(0.05, 6, 200)
    dens = generator_density(Square(), x, n_z=20001)
    assert np.allclose(dens, stats.chi2.pdf(x, df=1), rtol=2e-3, atol=1e-4)


def test_uniform_noise():
    x = np.linspace(-0.9, 2.9, 50)
    dens = generator_density(Affine(2.0, 1.0), x, noise="uniform")
    assert np.allclose(dens, 0.25, atol=1e-4)  # G runs in float32


def test_masses_match_cdf_differences_and_conserve_mass():
    edges = np.linspace(-10, 10, 401)
    masses = pushforward_masses(Affine(1.5, -1.0), edges)
    ref = np.diff(stats.norm.cdf(edges, -1.0, 1.5))
    assert np.allclose(masses, ref, atol=5e-6)
    assert masses.sum() == pytest.approx(1.0, abs=1e-6)


def test_point_mass_is_kept():
    edges = np.linspace(-1, 7, 81)
    masses = pushforward_masses(Clamp(), edges)
    zero_bin = np.searchsorted(edges, 0.0, side="right") - 1
    assert masses[zero_bin] == pytest.approx(0.5 + stats.norm.cdf(0.1) - 0.5, abs=1e-3)
    assert masses.sum() == pytest.approx(1.0, abs=1e-6)


def test_histogram_and_kde_fallbacks():
    rng = np.random.default_rng(0)
    s = rng.normal(size=50_000)
    edges = np.linspace(-5, 5, 51)
    ref = np.diff(stats.norm.cdf(edges))
    assert np.allclose(masses_from_samples(s, edges), ref, atol=0.005)
    x = np.linspace(-2, 2, 9)
    h = 0.05
    hand = np.exp(-0.5 * ((x[:, None] - s[None]) / h) ** 2).sum(1) / (s.size * h * np.sqrt(2 * np.pi))
    assert np.allclose(kde_density(s, x, bandwidth=h), hand, rtol=1e-10)
    assert np.allclose(kde_density(s, x), stats.norm.pdf(x), atol=0.02)  # Scott's rule: smooth, slightly biased
    with pytest.raises(ValueError, match="bandwidth"):
        kde_density(s, x, bandwidth=0.0)


def test_multi_dim_noise_is_refused():
    g = Affine(1.0, 0.0)
    g.noise_dim = 2
    with pytest.raises(ValueError, match="noise_dim=2"):
        generator_density(g, np.zeros(3))
