"""Command line: ``python -m ganlab {doctor,toy,dcgan,uncrop,vae} ...``."""

from __future__ import annotations

import sys


USAGE = """usage: python -m ganlab COMMAND [options]

commands:
  doctor   versions, device, whether widgets will render, where data lives
  toy      train the 1-D Gaussian GAN headless (see: python -m ganlab toy --help)
  dcgan    train / sample / evaluate the MNIST DCGAN, plain or --conditional (see: python -m ganlab dcgan --help)
  uncrop   train notebook 06's MNIST un-croppers, regressor and cGAN (see: python -m ganlab uncrop --help)
  vae      train the small MNIST VAE of notebook 05 (see: python -m ganlab vae --help)
"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    cmd, rest = args[0], args[1:]
    if cmd == "doctor":
        from ganlab.cli.doctor import main as run
        return run()
    if cmd == "toy":
        from ganlab.cli.toy import main as run
        return run(rest)
    if cmd == "dcgan":
        from ganlab.cli.images import main as run
        return run(rest)
    if cmd == "uncrop":
        from ganlab.cli.uncrop import main as run
        return run(rest)
    if cmd == "vae":
        from ganlab.cli.vae import main as run
        return run(rest)
    print(f"ganlab: error: unknown command {cmd!r}: expected doctor, toy, dcgan, uncrop or vae (see: python -m ganlab --help)",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
