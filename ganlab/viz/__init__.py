"""Figures: one palette, the 1-D and 2-D plot helpers (each takes an optional ``ax`` and returns what
it draws), the animated 1-D figure, and the live 2-D and image views."""

from ganlab.viz.image_view import LiveView, plot_image_rows, plot_quality_curve
from ganlab.viz.live2d import Live2D
from ganlab.viz.plots1d import density_grid, plot_densities_and_dstar, plot_divergences_vs_shift, plot_generator_losses
from ganlab.viz.plots2d import mesh, plot_density, plot_noise_grid, plot_points, plot_proba
from ganlab.viz.plots_cond import plot_regression_vs_cgan, plot_uncrop_rows
from ganlab.viz.plots_overfit import plot_probe_curves, plot_variant_metric
from ganlab.viz.plots_runs import (at_step, engine_for, plot_runs, plot_seed_runs, seed_histories, tail_median,
                                   train_seeds, train_variants, variant)
from ganlab.viz.style import COLORS, DISPLAY_WIDTH, FRAME_WIDTH, MIN_TEXT_PX, course_style, small_texts, text_px
from ganlab.viz.toy_figure import ToyFigure, plot_range

__all__ = ["LiveView", "plot_image_rows", "plot_quality_curve", "Live2D", "density_grid", "plot_densities_and_dstar", "plot_divergences_vs_shift",
           "plot_generator_losses", "plot_regression_vs_cgan", "plot_uncrop_rows", "mesh", "plot_density", "plot_noise_grid", "plot_points", "plot_proba", "plot_runs", "tail_median",
           "train_variants", "variant", "at_step", "engine_for", "plot_seed_runs", "seed_histories", "train_seeds", "COLORS", "DISPLAY_WIDTH", "FRAME_WIDTH", "MIN_TEXT_PX", "course_style", "small_texts", "text_px", "ToyFigure", "plot_range",
           "plot_probe_curves", "plot_variant_metric"]
