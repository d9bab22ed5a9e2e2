"""Notebook widgets: the live 1-D dashboard (notebook 03), the 2-D GAN lab (notebook 04), both built on ``LivePanel``, quizzes,
and the latent-space widgets of the image notebooks (digit picker, z walk, label walk)."""

from ganlab.widgets.dashboard import Dashboard, DashboardConfig
from ganlab.widgets.lab2d import Dashboard2D, Dashboard2DConfig
from ganlab.widgets.latent import (digit_picker, interpolation_walk, label_path, label_walk, legible_seed, lerp, noise,
                                   slerp, z_path, z_walk)
from ganlab.widgets.quiz import Question, Quiz
from ganlab.widgets.ticker import LivePanel

__all__ = ["Dashboard", "DashboardConfig", "Dashboard2D", "Dashboard2DConfig", "digit_picker", "interpolation_walk", "lerp", "label_path", "label_walk", "legible_seed", "noise", "slerp", "z_path",
           "z_walk", "Question", "Quiz", "LivePanel"]
