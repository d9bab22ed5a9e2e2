"""Command lines: ``python -m ganlab doctor``, ``toy``, ``dcgan``; and ``python -m ganlab.cli.nbclean``."""
