"""Toy GANs in 1-D and 2-D: small MLPs, one config, the readable ToyTrainer (notebook 03), the batched
engine that trains many at once (notebook 04's presets and stability map), targets with mode
coverage, and the conditional toy of notebook 06."""

from ganlab.toy.batched import BatchedGAN
from ganlab.toy.data2d import (TARGETS_2D, Target2D, from_array, from_csv, from_mixture, from_points, read_points_csv,
                               target2d)
from ganlab.toy.metrics2d import (JSD_ESTIMATOR, W1_ESTIMATOR, hist_jsd, hist_jsd_floor, minibatch_w1,
                                  minibatch_w1_floor, mode_occupancy, hops, noise_lattice, track_modes)
from ganlab.toy.conditional import (ToyCGANConfig, fit_regressor, fraction_near_branches, toy_cgan_networks,
                                   train_toy_cgan,
                                   two_branch_data, upper_share)
from ganlab.toy.config import ToyConfig
from ganlab.toy.lipschitz import d_lipschitz, max_grad_norm, spectral_bound
from ganlab.toy.nets import Discriminator, Generator, MLPConfig, mlp
from ganlab.toy.presets import PRESETS, Preset, fixes_for_mode_collapse, preset
from ganlab.toy.presets2d import LAB_PRESETS, LabPreset, lab_preset
from ganlab.toy.stability import MAP_CONFIG, lr_grid, stability_map
from ganlab.toy.targets import bimodal_1d, coverage, coverage_1d, grid, hist_jsd_2d, jsd_floor_2d, ring
from ganlab.toy.trainer import ReadableTrainer, ToyTrainer
from ganlab.toy.trainer2d import LOSSES_2D, PROBABILITY_LOSSES, REBUILD, Toy2DConfig, Toy2DTrainer

__all__ = ["BatchedGAN", "ToyCGANConfig", "fit_regressor", "fraction_near_branches", "toy_cgan_networks", "train_toy_cgan",
           "two_branch_data", "upper_share", "ToyConfig", "Discriminator", "Generator", "MLPConfig", "mlp", "PRESETS", "Preset",
           "fixes_for_mode_collapse", "preset", "MAP_CONFIG", "lr_grid", "stability_map", "bimodal_1d", "coverage",
           "coverage_1d", "grid", "hist_jsd_2d", "jsd_floor_2d", "ring", "ToyTrainer", "ReadableTrainer",
           # the 2-D lab: targets, estimators, trainer
           "TARGETS_2D", "Target2D", "from_array", "from_csv", "from_mixture", "from_points", "read_points_csv",
           "target2d", "JSD_ESTIMATOR", "W1_ESTIMATOR", "hist_jsd", "hist_jsd_floor", "minibatch_w1",
           "minibatch_w1_floor", "noise_lattice", "mode_occupancy", "hops", "track_modes", "LAB_PRESETS", "LabPreset", "lab_preset", "LOSSES_2D", "PROBABILITY_LOSSES", "REBUILD", "Toy2DConfig",
           "Toy2DTrainer",
           # a discriminator's Lipschitz constant: measured on points, and its layers' bound
           "d_lipschitz", "max_grad_norm", "spectral_bound"]
