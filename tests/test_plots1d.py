"""The 1-D plot helpers draw exactly what ganlab.theory computes."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from ganlab.theory import (Gaussian, GaussianMixture, generator_loss, LOG2, js_divergence,
                           optimal_discriminator, wasserstein1)
from ganlab.viz import (density_grid, plot_densities_and_dstar, plot_divergences_vs_shift,
                        plot_generator_losses)


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_density_grid_covers_every_component():
    x = density_grid(Gaussian(0, 1), GaussianMixture((-5, 9), (0.5, 2)), n=11)
    assert x[0] == pytest.approx(-5 - 4 * 0.5) and x[-1] == pytest.approx(9 + 4 * 2) and len(x) == 11
    with pytest.raises(ValueError):
        density_grid()


def test_densities_and_dstar_lines_hold_the_theory(ax):
    target, gen = Gaussian(0, 1), Gaussian(1.5, 0.7)
    x = np.linspace(-4, 5, 301)
    arts = plot_densities_and_dstar(target, gen, ax=ax, x=x)
    assert np.allclose(arts["p_data"].get_ydata(), target.pdf(x))
    assert np.allclose(arts["p_g"].get_ydata(), gen.pdf(x))
    assert np.allclose(arts["d_star"].get_xdata(), x)
    assert np.allclose(arts["d_star"].get_ydata(), optimal_discriminator(target.pdf(x), gen.pdf(x)))
    assert np.allclose(arts["half"].get_ydata(), 0.5)
    assert arts["d_star"].axes is not ax and arts["d_star"].axes.get_ylim()[1] >= 1  # its own 0..1 axis
    ax.figure.canvas.draw()  # every label's mathtext must render


def test_dstar_is_half_everywhere_when_the_generator_matches(ax):
    arts = plot_densities_and_dstar(Gaussian(0, 1), Gaussian(0, 1), ax=ax)
    assert np.allclose(arts["d_star"].get_ydata(), 0.5)


def test_divergences_vs_shift_plateau_at_log2_and_w1_is_the_shift(ax):
    _, ax_w1 = plt.subplots()
    target, means = Gaussian(0, 0.2), np.array([0.0, 0.5, 3.0, 6.0])
    arts = plot_divergences_vs_shift(target, 0.2, means, ax_jsd=ax, ax_w1=ax_w1)
    jsd = arts["jsd"].get_ydata()
    assert np.allclose(jsd, [js_divergence(target, Gaussian(m, 0.2)) for m in means])
    assert jsd[0] == pytest.approx(0, abs=1e-12) and np.allclose(jsd[2:], LOG2, atol=1e-9)
    assert np.allclose(arts["log2"].get_ydata(), LOG2)
    assert np.allclose(arts["w1"].get_ydata(), [wasserstein1(target, Gaussian(m, 0.2)) for m in means])
    assert np.allclose(arts["w1"].get_ydata(), means, atol=1e-9)
    ax.figure.canvas.draw()
    ax_w1.figure.canvas.draw()
    plt.close(ax_w1.figure)


def test_generator_losses_and_gradients(ax):
    _, ax_grad = plt.subplots()
    d = np.array([0.01, 0.2, 0.5, 0.9])
    arts = plot_generator_losses(ax, ax_grad, d=d)
    assert np.allclose(arts["loss_ns"].get_xdata(), d)
    assert np.allclose(arts["loss_ns"].get_ydata(), -np.log(d))
    assert np.allclose(arts["loss_minimax"].get_ydata(), np.log(1 - d))
    # slopes against D, checked against autograd through the losses written as functions of D
    for kind, loss_of_d in (("ns", lambda t: -torch.log(t)), ("minimax", lambda t: torch.log(1 - t))):
        t = torch.tensor(d, requires_grad=True)
        (g,) = torch.autograd.grad(loss_of_d(t).sum(), t)
        assert np.allclose(arts[f"grad_{kind}"].get_ydata(), g.numpy(), atol=1e-9)
    assert abs(arts["grad_minimax"].get_ydata()[0] + 1) < 0.02       # log(1 - D) is NOT flat against D near 0
    ax.figure.canvas.draw()
    ax_grad.figure.canvas.draw()
    assert set(plot_generator_losses(ax, d=d)) == {"loss_ns", "loss_minimax"}
    plt.close(ax_grad.figure)


def test_generator_losses_against_the_logit(ax):
    _, ax_grad = plt.subplots()
    d = np.array([0.01, 0.2, 0.5, 0.9])
    arts = plot_generator_losses(ax, ax_grad, d=d, against="logit")
    assert np.allclose(arts["loss_minimax"].get_xdata(), np.log(d / (1 - d)))
    # gradients w.r.t. the logit l = log(d/(1-d)), checked against autograd through ganlab.theory.losses
    for kind in ("ns", "minimax"):
        l = torch.tensor(np.log(d / (1 - d)), requires_grad=True)
        per_sample = torch.stack([generator_loss(li.view(1, 1), kind) for li in l])
        (g,) = torch.autograd.grad(per_sample.sum(), l)
        assert np.allclose(arts[f"grad_{kind}"].get_ydata(), g.numpy(), atol=1e-9)
    assert abs(arts["grad_minimax"].get_ydata()[0]) < 0.02           # vanishes where D rejects the fake
    with pytest.raises(ValueError, match="against"):
        plot_generator_losses(ax, d=d, against="x")
    ax.figure.canvas.draw()
    plt.close(ax_grad.figure)
