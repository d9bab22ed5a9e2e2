"""Notebook 01's models and data: discriminative vs generative classifiers, density estimation,
explicit vs implicit generative models, and seeded toy data."""

from ganlab.basics.data import correlated_features, moons, two_class_2d
from ganlab.basics.explicit_implicit import ImplicitSampler, histogram_density
from ganlab.basics.gaussian_classifier import GaussianClassifier
from ganlab.basics.kde import GaussianKDE, nearest_distance
from ganlab.basics.logreg import LogisticRegression, loss_and_grad
from ganlab.basics.ring_images import ring_images

__all__ = ["correlated_features", "moons", "two_class_2d", "ImplicitSampler", "histogram_density",
           "GaussianClassifier", "GaussianKDE", "nearest_distance", "LogisticRegression", "loss_and_grad",
           "ring_images"]
