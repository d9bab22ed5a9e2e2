"""Command lines: ``python -m ganlab doctor``, ``toy``, ``dcgan``; ``python -m ganlab.cli.nbclean``
and ``python -m ganlab.cli.slides``.

Every command reports a user's mistake as one line on stderr, ``ganlab: error: …``, with exit code 2
(1 for a run that failed, e.g. diverged), never a traceback."""

import argparse
import sys


class Parser(argparse.ArgumentParser):
    """argparse with the project's error format: one line, exit code 2."""

    def error(self, message: str):  # noqa: D401 - argparse's hook
        print(f"ganlab: error: {message} (see: {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)
