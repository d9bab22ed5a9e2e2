"""Images: MNIST without torchvision, the DCGAN and its conditional twin, one trainer for both,
sampling, the feature classifier and the metrics built on it (notebooks 05 and 06)."""

from ganlab.images.augment import diff_augment
from ganlab.images.classifier import (MnistCNN, accuracy, classifier_features, classifier_logits, get_classifier, predict,
                                      weights_path)
from ganlab.images.cond_metrics import (class_means, fit_label_regressor, format_table, grey_fraction, label_accuracy,
                                        per_class_fid, regressor_images, samples_per_class)
from ganlab.images.cond_trainer import CGANTrainer
from ganlab.images.metrics import (class_histogram, classifier_fid, fid_to_features, inception_score, inception_score_from_probs,
                                   kl_to_uniform, nearest_neighbours,
                                   plot_nearest_neighbours, real_vs_real_baseline)
from ganlab.images.mnist import MnistUnavailable, describe_data_location, load_mnist
from ganlab.images.nets import (CGANConfig, CondDiscriminator, CondGenerator, DCGANConfig, Discriminator, Generator,
                                count_parameters, digit_grid_inputs, label_vectors, layer_shapes, layer_table)
from ganlab.images.overfit import (VARIANTS as OVERFIT_VARIANTS, final_gap, final_memorised, overfit_config,
                                   overfit_table, train_overfit_variant)
from ganlab.images.probe import real_accuracy
from ganlab.images.pixels import as_float_images, image_grid, to_uint8, to_unit
from ganlab.images.sampling import (export_generator, generate, is_conditional_checkpoint, load_generator, sample,
                                    sample_labels)
from ganlab.images.trainer import DCGANTrainer
from ganlab.images.ladder import format_ladder, gaussian_blur, ladder_sets, noise_images, salt_and_pepper, score_ladder
from ganlab.images.snapshots import list_snapshots, quality_curve, snapshot_path
from ganlab.images.vae import (VAE, VAEConfig, VAETrainer, binarize, bits_per_dim, evaluate_vae, export_vae, gaussian_kl,
                               load_vae, sample_vae)
from ganlab.images.uncrop import (HALF, Completer, CompleterConfig, PairDiscriminator, complete, completions,
                                  load_uncropper, save_uncropper)
from ganlab.images.uncrop_metrics import (fill_grey_fraction, format_scores, label_agreement, pairwise_diversity,
                                          real_scores, seam_jump, uncrop_scores)
from ganlab.images.uncrop_trainer import RegressorConfig, UncropGANConfig, UncropGANTrainer, fit_uncrop_regressor

__all__ = ["class_means", "fit_label_regressor", "format_table", "grey_fraction", "label_accuracy", "per_class_fid",
           "regressor_images", "samples_per_class", "sample_labels", "weights_path", "describe_data_location", "MnistCNN", "accuracy", "classifier_features", "classifier_logits", "get_classifier", "predict", "CGANTrainer",
           "class_histogram", "classifier_fid", "inception_score", "inception_score_from_probs", "kl_to_uniform", "nearest_neighbours", "plot_nearest_neighbours",
           "real_vs_real_baseline", "MnistUnavailable", "load_mnist", "CGANConfig", "CondDiscriminator",
           "CondGenerator", "DCGANConfig", "Discriminator", "Generator", "count_parameters", "digit_grid_inputs",
           "label_vectors", "layer_shapes", "layer_table", "as_float_images", "image_grid", "to_uint8", "to_unit",
           "export_generator", "generate", "is_conditional_checkpoint", "load_generator", "sample", "DCGANTrainer",
           "diff_augment", "real_accuracy", "OVERFIT_VARIANTS", "final_gap", "final_memorised", "overfit_config",
           "overfit_table", "train_overfit_variant",
           # un-cropping (notebook 06, section 7)
           "HALF", "Completer", "CompleterConfig", "PairDiscriminator", "complete", "completions", "load_uncropper",
           "save_uncropper", "fill_grey_fraction", "format_scores", "label_agreement", "pairwise_diversity",
           "real_scores", "seam_jump", "uncrop_scores", "RegressorConfig", "UncropGANConfig", "UncropGANTrainer",
           "fit_uncrop_regressor",
           # FID ladder, quality curve over training, the VAE (notebook 05)
           "format_ladder", "gaussian_blur", "ladder_sets", "noise_images", "salt_and_pepper", "score_ladder",
           "list_snapshots", "quality_curve", "snapshot_path", "VAE", "VAEConfig", "VAETrainer", "binarize",
           "bits_per_dim", "evaluate_vae", "export_vae", "gaussian_kl", "load_vae", "sample_vae", "fid_to_features"]
