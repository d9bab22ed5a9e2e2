"""Write the trained state behind a 2-D lab preset (the shipped ``checkpoints/lab2d_ring8.pt``).

    python -m ganlab.cli.lab2d_presets ring_trained checkpoints/lab2d_ring8.pt
"""

from __future__ import annotations

import argparse

from ganlab.toy import LAB_PRESETS, lab_preset
from ganlab.toy.presets2d import write_weights


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ganlab.cli.lab2d_presets", description=__doc__.splitlines()[0])
    ap.add_argument("preset", choices=[n for n in LAB_PRESETS if lab_preset(n).weights])
    ap.add_argument("out", help="where to write the state (.pt)")
    a = ap.parse_args(argv)
    print(write_weights(a.preset, a.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
