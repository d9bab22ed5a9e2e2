"""Notebook widgets: the live 1-D dashboard (notebook 03), quizzes, and the latent-space widgets of
the image notebooks (digit picker, z walk, label walk)."""

from ganlab.widgets.dashboard import Dashboard, DashboardConfig
from ganlab.widgets.latent import (digit_picker, interpolation_walk, label_path, label_walk, legible_seed, lerp, noise,
                                   slerp, z_path, z_walk)
from ganlab.widgets.quiz import Question, Quiz

__all__ = ["Dashboard", "DashboardConfig", "digit_picker", "interpolation_walk", "lerp", "label_path", "label_walk", "legible_seed", "noise", "slerp", "z_path",
           "z_walk", "Question", "Quiz"]
