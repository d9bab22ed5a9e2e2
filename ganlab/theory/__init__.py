"""The exact theory of the course: 1-D distributions, divergences and the optimal discriminator D*,
the density p_g that a 1-D generator pushes forward, and the GAN losses on logits."""

from ganlab.theory.dirac import DIRAC_MODES, dirac_field, dirac_trajectory
from ganlab.theory.distributions import LOG_2PI, Gaussian, GaussianMixture, gaussian_logpdf, rng_from
from ganlab.theory.divergences import (LOG2, LOG4, js_divergence, js_from_values, kl_divergence, kl_from_values,
                                       optimal_discriminator, quadrature, value, value_at_optimum,
                                       value_from_values, wasserstein1)
from ganlab.theory.losses import (GENERATOR_LOSS_AT_EQUILIBRIUM, GENERATOR_LOSSES, LOSSES, WASSERSTEIN_LOSSES, discriminator_loss, generator_loss,
                                  fake_loss, generator_loss_grad_wrt_d, generator_loss_grad_wrt_logit,
                                  gradient_penalty, r1_penalty, real_loss)
from ganlab.theory.pushforward import (NOISE_KINDS, apply_generator, binned_masses, density_from_curve,
                                       generator_density, kde_density, masses_from_curve, masses_from_samples,
                                       metric_edges, noise_grid, pushforward_masses)

__all__ = [n for n in dir() if not n.startswith("_")]
