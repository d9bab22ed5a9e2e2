"""ganlab: the package behind the GAN course notebooks, in subpackages that follow the course.

    core     devices and seeds, fast mode, scoped torch settings, histories, atomic files, checkpoints
    theory   1-D distributions, exact divergences and D*, p_g of a 1-D generator, the GAN losses
    basics   notebook 01: discriminative vs generative models, densities, explicit vs implicit
    toy      1-D/2-D toy GANs: ToyTrainer (notebook 03), the batched engine and presets (notebook 04)
    images   MNIST, the DCGAN and conditional GAN, their trainer, sampling, metrics (notebooks 05, 06)
    viz      one palette and the plot helpers, the animated 1-D figure, live 2-D and image views
    widgets  the 1-D dashboard, quizzes, latent-space widgets
    cli      ``python -m ganlab {doctor,toy,dcgan,uncrop,vae}``

Each subpackage exports its public names, e.g. ``from ganlab.toy import ToyConfig, ToyTrainer``.
"""

__version__ = "0.1.0"
