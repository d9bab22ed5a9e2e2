"""ganlab: the plumbing behind the GAN course notebooks.

Each module holds one concept; notebooks import what they need, e.g.::

    from ganlab.device import get_device, seed_everything
    from ganlab.quiz import Quiz
"""

__version__ = "0.1.0"
